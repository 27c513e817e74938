//! The figures of the public budget portal, computed from a published document's lines
//! (`(article code, amount)`, as [`super::balance::totals`] reads them): the totals,
//! revenue and spending by chapter (their kind), spending by function (COFOG division),
//! where 1 000 FCFA go, the change from the year before and the comparison across years.
//! Plain functions over plain data: no database, no web.
//!
//! The internal transfer (operating → capital) is money moving inside the budget: the
//! totals count it once, and the chapters, functions and shares leave it out.

use std::collections::BTreeMap;

use super::balance;
use super::execution::Collection;
use super::nomenclature::{Direction, Nomenclature};
use crate::i18n::Locale;

/// The divisions of the Classification of the Functions of Government (COFOG), with
/// their French and English names, as the United Nations Statistics Division publishes
/// them ("Classification of the Functions of Government (COFOG)", Statistical Papers
/// Series M No. 84, UN 2000; the French names are those of the UN's French edition,
/// "Classification des fonctions des administrations publiques").
pub const COFOG_DIVISIONS: [(&str, &str, &str); 10] = [
    (
        "01",
        "Services généraux des administrations publiques",
        "General public services",
    ),
    ("02", "Défense", "Defence"),
    ("03", "Ordre et sécurité publics", "Public order and safety"),
    ("04", "Affaires économiques", "Economic affairs"),
    (
        "05",
        "Protection de l’environnement",
        "Environmental protection",
    ),
    (
        "06",
        "Logements et équipements collectifs",
        "Housing and community amenities",
    ),
    ("07", "Santé", "Health"),
    (
        "08",
        "Loisirs, culture et culte",
        "Recreation, culture and religion",
    ),
    ("09", "Enseignement", "Education"),
    ("10", "Protection sociale", "Social protection"),
];

/// The French and English names of a COFOG division (`"09"`), if it is one.
pub fn cofog_division(code: &str) -> Option<(&'static str, &'static str)> {
    COFOG_DIVISIONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, fr, en)| (*fr, *en))
}

/// The whole budget, section by section, the transfer counted once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// All revenue, less the transfer received from the operating section.
    pub revenue: i64,
    /// All spending, less the transfer to the capital section.
    pub spending: i64,
    pub operating_revenue: i64,
    pub operating_spending: i64,
    pub capital_revenue: i64,
    pub capital_spending: i64,
    pub transfer: i64,
    /// Capital spending over all spending, in basis points.
    pub capital_share_bp: i64,
}

pub fn summary(n: &Nomenclature, lines: &[(String, i64)]) -> Summary {
    let t = balance::totals(n, lines);
    let revenue = t.operating_revenue + t.capital_revenue - t.transfer_in;
    let spending = t.operating_spending + t.capital_spending - t.transfer_out;
    Summary {
        revenue,
        spending,
        operating_revenue: t.operating_revenue,
        operating_spending: t.operating_spending,
        capital_revenue: t.capital_revenue,
        capital_spending: t.capital_spending,
        transfer: t.transfer_out,
        capital_share_bp: share_bp(t.capital_spending, spending),
    }
}

/// `part` over `whole` in basis points, rounded down (0 when `whole` is not positive).
pub fn share_bp(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (i128::from(part) * 10_000 / i128::from(whole)) as i64
    }
}

/// A group of lines: a chapter of one direction, or a COFOG division of spending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group<'a> {
    /// The anchor of the group on the page: `r-70` (revenue chapter 70), `d-21`
    /// (spending chapter 21), `f-09` (function 09).
    pub key: String,
    pub code: String,
    pub name_fr: &'a str,
    pub name_en: &'a str,
    pub amount: i64,
    /// The articles of its lines, in code order, each once.
    pub articles: Vec<String>,
}

impl Group<'_> {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => self.name_en,
            Locale::Fr => self.name_fr,
        }
    }
}

/// The anchor of a chapter on the page: `r-` or `d-` and its code.
pub fn chapter_key(direction: Direction, code: &str) -> String {
    match direction {
        Direction::Revenue => format!("r-{code}"),
        Direction::Spending => format!("d-{code}"),
    }
}

fn sorted(groups: BTreeMap<String, Group<'_>>) -> Vec<Group<'_>> {
    let mut out: Vec<Group> = groups.into_values().collect();
    // Largest first; equal amounts in code order (the map's order, kept by a stable sort).
    out.sort_by_key(|g| std::cmp::Reverse(g.amount));
    out
}

fn add<'a>(
    groups: &mut BTreeMap<String, Group<'a>>,
    key: String,
    code: &str,
    names: (&'a str, &'a str),
    article: &str,
    amount: i64,
) {
    let g = groups.entry(key.clone()).or_insert_with(|| Group {
        key,
        code: code.to_string(),
        name_fr: names.0,
        name_en: names.1,
        amount: 0,
        articles: Vec::new(),
    });
    g.amount = g.amount.saturating_add(amount);
    if !g.articles.iter().any(|a| a == article) {
        g.articles.push(article.to_string());
        g.articles.sort();
    }
}

/// The amounts of one direction, chapter by chapter (the kind of revenue or spending),
/// the transfer left out; largest first.
pub fn by_chapter<'a>(
    n: &'a Nomenclature,
    lines: &[(String, i64)],
    direction: Direction,
) -> Vec<Group<'a>> {
    let mut groups = BTreeMap::new();
    for (code, amount) in lines {
        let Some(article) = n.article(code) else {
            continue;
        };
        if article.direction != direction || article.transfer {
            continue;
        }
        let Some(chapter) = n.chapter_of(article) else {
            continue;
        };
        add(
            &mut groups,
            chapter_key(direction, &chapter.code),
            &chapter.code,
            (&chapter.name_fr, &chapter.name_en),
            code,
            *amount,
        );
    }
    sorted(groups)
}

/// Spending by function: each spending article's COFOG code (`09.1`) taken to its
/// division (`09`), the transfer left out; largest first.
pub fn by_function<'a>(n: &Nomenclature, lines: &[(String, i64)]) -> Vec<Group<'a>> {
    let mut groups = BTreeMap::new();
    for (code, amount) in lines {
        let Some(article) = n.article(code) else {
            continue;
        };
        if article.direction != Direction::Spending || article.transfer {
            continue;
        }
        let Some(division) = article.cofog.as_deref().and_then(|c| c.get(..2)) else {
            continue;
        };
        let Some(names) = cofog_division(division) else {
            continue;
        };
        add(
            &mut groups,
            format!("f-{division}"),
            division,
            names,
            code,
            *amount,
        );
    }
    sorted(groups)
}

/// Splits 1 000 francs in proportion to `amounts`, in whole francs that add up to
/// exactly 1 000 (the largest-remainder method). Each amount first gets the whole part
/// of its exact share, `1000 × amount ÷ total` rounded down; the francs still missing
/// (fewer than the number of amounts) then go one each to the amounts whose exact
/// shares lost the most in that rounding, a tie going to the larger amount, then to the
/// one given first. Negative amounts count as zero; with nothing to share, all get 0.
pub fn per_thousand(amounts: &[i64]) -> Vec<i64> {
    let amounts: Vec<i128> = amounts.iter().map(|a| i128::from((*a).max(0))).collect();
    let total: i128 = amounts.iter().sum();
    if total == 0 {
        return vec![0; amounts.len()];
    }
    let mut out: Vec<i64> = amounts.iter().map(|a| (a * 1000 / total) as i64).collect();
    let missing = 1000 - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (amounts[a] * 1000 % total, amounts[b] * 1000 % total);
        rb.cmp(&ra)
            .then(amounts[b].cmp(&amounts[a]))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(missing as usize) {
        out[i] += 1;
    }
    out
}

/// The change of a figure from the year before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing the year before (no published budget, or nothing on this line).
    New,
    /// The change in tenths of a percent, rounded half away from zero (+4,2 % is 42).
    Tenths(i64),
}

pub fn change(previous: Option<i64>, now: i64) -> Change {
    match previous {
        Some(p) if p > 0 => {
            let num = (i128::from(now) - i128::from(p)) * 1000;
            let den = i128::from(p);
            let q = (num.abs() * 2 + den) / (den * 2);
            Change::Tenths((if num < 0 { -q } else { q }) as i64)
        }
        _ => Change::New,
    }
}

impl Change {
    /// `+4,2 %`, `−0,5 %` (a true minus sign), `0,0 %` in French; `+4.2%` in English;
    /// `new_word` for a new figure.
    pub fn text(self, locale: Locale, new_word: &str) -> String {
        let Change::Tenths(t) = self else {
            return new_word.to_string();
        };
        let sign = match t.signum() {
            1 => "+",
            -1 => "\u{2212}",
            _ => "",
        };
        let (whole, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
        match locale {
            Locale::Fr => format!("{sign}{whole},{tenth}\u{A0}%"),
            Locale::En => format!("{sign}{whole}.{tenth}%"),
        }
    }
}

/// One published year in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Year {
    pub year: i64,
    pub revenue: i64,
    pub spending: i64,
    pub capital_spending: i64,
    pub capital_share_bp: i64,
}

/// Each published year's totals, in the order given.
pub fn across_years(n: &Nomenclature, years: &[(i64, Vec<(String, i64)>)]) -> Vec<Year> {
    years
        .iter()
        .map(|(year, lines)| {
            let s = summary(n, lines);
            Year {
                year: *year,
                revenue: s.revenue,
                spending: s.spending,
                capital_spending: s.capital_spending,
                capital_share_bp: s.capital_share_bp,
            }
        })
        .collect()
}

/// The commune's own revenue: the articles whose GFSM code is a tax (11…) or another
/// revenue it collects itself (14…: property income, fees, fines), that is, what its
/// counters collect; grants (13…) and borrowing (3…) are not collected there.
pub fn is_own_revenue(n: &Nomenclature, article: &str) -> bool {
    n.article(article)
        .and_then(|a| a.gfsm.as_deref())
        .is_some_and(|g| g.starts_with("11") || g.starts_with("14"))
}

/// The collection rate of the commune's own revenue: `(forecast, collected, rate in
/// basis points)` over the own-revenue rows; no rate without a forecast.
pub fn own_collection(n: &Nomenclature, rows: &[Collection]) -> (i64, i64, Option<i64>) {
    let (f, c) = rows
        .iter()
        .filter(|r| is_own_revenue(n, &r.article))
        .fold((0i64, 0i64), |(f, c), r| (f + r.forecast, c + r.collected));
    (f, c, (f > 0).then(|| share_bp(c, f)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    fn lines(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
        rows.iter().map(|(c, a)| (c.to_string(), *a)).collect()
    }

    /// The small balanced budget of the API tests (`publish_small`), Senegal.
    fn small() -> Vec<(String, i64)> {
        lines(&[
            ("7011", 120_000_000),
            ("7411", 30_000_000),
            ("6011", 60_000_000),
            ("6131", 40_000_000),
            ("6911", 50_000_000),
            ("1011", 50_000_000),
            ("1311", 25_000_000),
            ("2131", 45_000_000),
            ("2111", 30_000_000),
        ])
    }

    #[test]
    fn the_totals_count_the_transfer_once() {
        let s = summary(nomenclature::of(Country::Senegal), &small());
        assert_eq!(s.revenue, 175_000_000);
        assert_eq!(s.spending, 175_000_000);
        assert_eq!(
            (s.operating_revenue, s.operating_spending),
            (150_000_000, 150_000_000)
        );
        assert_eq!(
            (s.capital_revenue, s.capital_spending),
            (75_000_000, 75_000_000)
        );
        assert_eq!(s.transfer, 50_000_000);
        assert_eq!(s.capital_share_bp, 4_285, "75 of 175, rounded down");
    }

    #[test]
    fn chapters_group_articles_largest_first_without_the_transfer() {
        let n = nomenclature::of(Country::Senegal);
        let mut l = small();
        l.push(("2111".into(), 5_000_000)); // a second line on the same article
        let revenue = by_chapter(n, &l, Direction::Revenue);
        let keys: Vec<(&str, i64)> = revenue.iter().map(|g| (g.key.as_str(), g.amount)).collect();
        assert_eq!(
            keys,
            [
                ("r-70", 120_000_000),
                ("r-74", 30_000_000),
                ("r-13", 25_000_000)
            ]
        );
        let spending = by_chapter(n, &l, Direction::Spending);
        assert_eq!(spending[0].key, "d-21");
        assert_eq!(spending[0].amount, 80_000_000);
        assert_eq!(spending[0].articles, ["2111", "2131"]);
        assert_eq!(spending[0].name(Locale::En), "Equipment and works");
        assert!(spending.iter().all(|g| g.code != "69"), "no transfer");
        assert_eq!(
            spending.iter().map(|g| g.amount).sum::<i64>(),
            summary(n, &l).spending
        );
    }

    #[test]
    fn functions_are_cofog_divisions_with_un_names() {
        let n = nomenclature::of(Country::Senegal);
        let f = by_function(n, &small());
        let got: Vec<(&str, i64, &str)> = f
            .iter()
            .map(|g| (g.key.as_str(), g.amount, g.name_fr))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "f-01",
                    60_000_000,
                    "Services généraux des administrations publiques"
                ),
                ("f-06", 45_000_000, "Logements et équipements collectifs"),
                ("f-05", 40_000_000, "Protection de l’environnement"),
                ("f-09", 30_000_000, "Enseignement"),
            ]
        );
        assert_eq!(f[3].name(Locale::En), "Education");
        // Every spending article of both countries maps to a named division.
        for country in [Country::Senegal, Country::Benin] {
            let n = nomenclature::of(country);
            for a in n.articles() {
                if a.direction == Direction::Spending && !a.transfer {
                    let d = &a.cofog.as_deref().unwrap()[..2];
                    assert!(cofog_division(d).is_some(), "{country} {}", a.code);
                }
            }
        }
    }

    #[test]
    fn a_thousand_francs_split_by_largest_remainder_add_up_to_a_thousand() {
        assert_eq!(
            per_thousand(&[1, 1, 1]),
            [334, 333, 333],
            "a tie to the first"
        );
        assert_eq!(per_thousand(&[60, 45, 40, 30]), [343, 257, 229, 171]);
        assert_eq!(per_thousand(&[2, 1]), [667, 333]);
        assert_eq!(per_thousand(&[]), Vec::<i64>::new());
        assert_eq!(per_thousand(&[0, 0]), [0, 0]);
        assert_eq!(per_thousand(&[5, 0]), [1000, 0]);
        // Exact shares 1.5, 501.5 and 497: the tie goes to the larger amount.
        assert_eq!(per_thousand(&[3, 1_003, 994]), [1, 502, 497]);
        assert_eq!(
            per_thousand(&[3, 997_000_000_000, 7]).iter().sum::<i64>(),
            1000
        );
        let mut seed = 7u64;
        for _ in 0..200 {
            let amounts: Vec<i64> = (0..1 + seed % 9)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 1_000_000_000) as i64
                })
                .collect();
            let split = per_thousand(&amounts);
            if amounts.iter().any(|a| *a > 0) {
                assert_eq!(split.iter().sum::<i64>(), 1000, "{amounts:?}");
            }
            let total: i64 = amounts.iter().sum();
            for (a, s) in amounts.iter().zip(&split) {
                // Never more than one franc from the exact share.
                let exact = *a as f64 * 1000.0 / total.max(1) as f64;
                assert!((*s as f64 - exact).abs() < 1.0, "{amounts:?}");
            }
        }
    }

    #[test]
    fn the_change_from_last_year_is_rounded_to_a_tenth_of_a_percent() {
        assert_eq!(change(Some(100), 104), Change::Tenths(40));
        assert_eq!(change(Some(1_000), 1_042), Change::Tenths(42));
        assert_eq!(
            change(Some(2_000), 2_001),
            Change::Tenths(1),
            "0.05 rounds up"
        );
        assert_eq!(change(Some(2_000), 1_999), Change::Tenths(-1));
        assert_eq!(change(Some(3), 2), Change::Tenths(-333));
        assert_eq!(change(None, 5), Change::New);
        assert_eq!(change(Some(0), 5), Change::New);
        assert_eq!(
            Change::Tenths(42).text(Locale::Fr, "nouveau"),
            "+4,2\u{A0}%"
        );
        assert_eq!(
            Change::Tenths(-5).text(Locale::Fr, "nouveau"),
            "\u{2212}0,5\u{A0}%"
        );
        assert_eq!(Change::Tenths(0).text(Locale::En, "new"), "0.0%");
        assert_eq!(Change::Tenths(1234).text(Locale::En, "new"), "+123.4%");
        assert_eq!(Change::New.text(Locale::Fr, "nouveau"), "nouveau");
    }

    #[test]
    fn years_compare_their_totals_and_capital_share() {
        let n = nomenclature::of(Country::Senegal);
        let mut bigger = small();
        bigger.push(("2121".into(), 25_000_000));
        bigger.push(("1321".into(), 25_000_000));
        let years = across_years(n, &[(2027, bigger), (2026, small())]);
        assert_eq!(years[0].year, 2027);
        assert_eq!(
            (years[0].revenue, years[0].spending),
            (200_000_000, 200_000_000)
        );
        assert_eq!(years[0].capital_share_bp, 5_000);
        assert_eq!(years[1].capital_spending, 75_000_000);
    }

    #[test]
    fn own_revenue_is_taxes_and_fees_not_grants() {
        let n = nomenclature::of(Country::Senegal);
        assert!(
            is_own_revenue(n, "7011") && is_own_revenue(n, "7032") && is_own_revenue(n, "7511")
        );
        assert!(
            !is_own_revenue(n, "7411") && !is_own_revenue(n, "1311") && !is_own_revenue(n, "1611")
        );
        assert!(!is_own_revenue(n, "6011"));
        let row = |article: &str, forecast, collected| Collection {
            article: article.into(),
            forecast,
            collected,
            rate_bp: None,
        };
        let rows = [
            row("7011", 1_000, 300),
            row("7032", 0, 50),
            row("7411", 500, 0),
        ];
        assert_eq!(own_collection(n, &rows), (1_000, 350, Some(3_500)));
        assert_eq!(own_collection(n, &rows[2..]), (0, 0, None));
    }
}

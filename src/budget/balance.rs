//! The balance rules a budget document must meet before it goes to the council:
//! every line is an article of the country's nomenclature with an amount of zero or
//! more; the operating section balances, its surplus going to the capital section
//! through the transfer article; the capital section balances, the transfer counted
//! as its revenue; and the transfer leaves one section as it enters the other. Each
//! error names its section or line and the figures, in the reader's language.

use super::nomenclature::{Direction, Nomenclature, Section};
use crate::error::Refusal;
use crate::money::Xof;

/// The totals of a document, section by section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub operating_revenue: i64,
    pub operating_spending: i64,
    pub capital_revenue: i64,
    pub capital_spending: i64,
    /// The operating section's transfer to capital (spending side).
    pub transfer_out: i64,
    /// The capital section's transfer from operating (revenue side).
    pub transfer_in: i64,
}

/// Adds up `(article code, amount)` lines; unknown codes are left out (see [`check`]).
pub fn totals(n: &Nomenclature, lines: &[(String, i64)]) -> Totals {
    let by_code = n.by_code();
    let mut t = Totals::default();
    for (code, amount) in lines {
        let Some(line) = by_code.get(code.as_str()) else {
            continue;
        };
        let slot = match (line.section, line.direction) {
            (Section::Operating, Direction::Revenue) => &mut t.operating_revenue,
            (Section::Operating, Direction::Spending) => &mut t.operating_spending,
            (Section::Capital, Direction::Revenue) => &mut t.capital_revenue,
            (Section::Capital, Direction::Spending) => &mut t.capital_spending,
        };
        *slot = slot.saturating_add(*amount);
        if line.transfer {
            let side = match line.section {
                Section::Operating => &mut t.transfer_out,
                Section::Capital => &mut t.transfer_in,
            };
            *side = side.saturating_add(*amount);
        }
    }
    t
}

/// Every reason the lines do not balance; none when they do.
pub fn check(n: &Nomenclature, lines: &[(String, i64)]) -> Vec<Refusal> {
    let by_code = n.by_code();
    let mut errors = Vec::new();
    for (code, amount) in lines {
        if !by_code.contains_key(code.as_str()) {
            errors.push(Refusal::new("budget.balance.unknown_line").arg("line", code.clone()));
        } else if *amount < 0 || Xof(*amount) > Xof::MAX_ENTRY {
            errors.push(Refusal::new("budget.balance.amount").arg("line", code.clone()));
        }
    }
    let t = totals(n, lines);
    let money = |v: i64| Xof(v);
    if t.operating_revenue != t.operating_spending {
        let surplus = t.operating_revenue - (t.operating_spending - t.transfer_out);
        errors.push(
            Refusal::new("budget.balance.operating")
                .arg("revenue", money(t.operating_revenue))
                .arg("spending", money(t.operating_spending))
                .arg(
                    "gap",
                    money((t.operating_revenue - t.operating_spending).abs()),
                )
                .arg("transfer", money(surplus.max(0)))
                .arg("line", n.transfer().0.code.clone()),
        );
    }
    if t.capital_revenue != t.capital_spending {
        errors.push(
            Refusal::new("budget.balance.capital")
                .arg("revenue", money(t.capital_revenue))
                .arg("spending", money(t.capital_spending))
                .arg("gap", money((t.capital_revenue - t.capital_spending).abs())),
        );
    }
    if t.transfer_out != t.transfer_in {
        let (out, into) = n.transfer();
        errors.push(
            Refusal::new("budget.balance.transfer")
                .arg("out", money(t.transfer_out))
                .arg("in", money(t.transfer_in))
                .arg("out_line", out.code.clone())
                .arg("in_line", into.code.clone()),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    fn lines(v: &[(&str, i64)]) -> Vec<(String, i64)> {
        v.iter().map(|(c, a)| (c.to_string(), *a)).collect()
    }

    fn keys(errors: &[Refusal]) -> Vec<&str> {
        errors.iter().map(|r| r.key).collect()
    }

    /// Operating: 100 of taxes and 20 of grants pay 70 of staff and goods, and 50 go to
    /// capital, where with 30 of capital grants they pay 80 of works.
    fn balanced() -> Vec<(String, i64)> {
        lines(&[
            ("7011", 100),
            ("7411", 20),
            ("6011", 40),
            ("6111", 30),
            ("6911", 50),
            ("1011", 50),
            ("1311", 30),
            ("2131", 80),
        ])
    }

    #[test]
    fn a_balanced_budget_passes_and_its_totals_add_up() {
        let n = nomenclature::of(Country::Senegal);
        assert!(check(n, &balanced()).is_empty());
        let t = totals(n, &balanced());
        assert_eq!((t.operating_revenue, t.operating_spending), (120, 120));
        assert_eq!((t.capital_revenue, t.capital_spending), (80, 80));
        assert_eq!((t.transfer_out, t.transfer_in), (50, 50));
    }

    #[test]
    fn each_unbalanced_section_and_the_transfer_are_named() {
        let n = nomenclature::of(Country::Senegal);
        // The surplus stays in the operating section: nothing transferred.
        let mut kept = balanced();
        kept.retain(|(c, _)| c != "6911");
        assert_eq!(
            keys(&check(n, &kept)),
            ["budget.balance.operating", "budget.balance.transfer"]
        );
        let op = &check(n, &kept)[0];
        assert!(op
            .args
            .iter()
            .any(|(k, v)| *k == "transfer" && *v == crate::i18n::Arg::Money(Xof(50))));
        // More works than money for them.
        let mut works = balanced();
        works.push(("2111".into(), 10));
        assert_eq!(keys(&check(n, &works)), ["budget.balance.capital"]);
    }

    #[test]
    fn unknown_lines_and_negative_amounts_are_refused_line_by_line() {
        let n = nomenclature::of(Country::Benin);
        let v = lines(&[("9999", 10), ("7111", -5), ("6111", -5)]);
        let errors = check(n, &v);
        assert_eq!(
            keys(&errors)[..3],
            [
                "budget.balance.unknown_line",
                "budget.balance.amount",
                "budget.balance.amount"
            ]
        );
    }
}

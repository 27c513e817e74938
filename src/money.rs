//! Money in whole francs CFA (XOF). XOF has no minor unit, so an amount is an `i64`
//! of francs, never a float.
//!
//! **The rounding rule** (the only one in Commune): when an amount is computed from a
//! rate or a share, the exact result is rounded to the nearest franc, and a result
//! exactly halfway is rounded away from zero (half-up for positive amounts). See
//! [`Xof::mul_ratio`].

use serde::{Deserialize, Serialize};

pub mod words;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::BigInt)]
#[serde(transparent)]
pub struct Xof(pub i64);

impl<DB> diesel::serialize::ToSql<diesel::sql_types::BigInt, DB> for Xof
where
    DB: diesel::backend::Backend,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
{
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, DB>,
    ) -> diesel::serialize::Result {
        self.0.to_sql(out)
    }
}

impl<DB> diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB> for Xof
where
    DB: diesel::backend::Backend,
    i64: diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        i64::from_sql(bytes).map(Xof)
    }
}

impl std::iter::Sum for Xof {
    /// Saturates instead of overflowing; amounts are bounded by [`Xof::MAX_ENTRY`] so
    /// that real sums never come near `i64::MAX` (use [`Xof::checked_sum`] to know).
    fn sum<I: Iterator<Item = Xof>>(iter: I) -> Xof {
        Xof(iter.fold(0i64, |acc, x| acc.saturating_add(x.0)))
    }
}

impl Xof {
    pub const ZERO: Xof = Xof(0);
    /// The largest amount a person may type or import on one line: a thousand billion
    /// francs, far above any commune's yearly budget. With this bound, a roll of
    /// millions of lines (or a taxpayer's whole history) sums without overflowing `i64`.
    pub const MAX_ENTRY: Xof = Xof(1_000_000_000_000);

    pub fn checked_add(self, other: Xof) -> Option<Xof> {
        self.0.checked_add(other.0).map(Xof)
    }

    pub fn checked_sub(self, other: Xof) -> Option<Xof> {
        self.0.checked_sub(other.0).map(Xof)
    }

    /// The sum of `amounts`, or `None` if it overflows.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Xof>) -> Option<Xof> {
        amounts
            .into_iter()
            .try_fold(Xof::ZERO, |acc, x| acc.checked_add(x))
    }

    /// `self × num / den`, rounded by the rule above. `None` on overflow or `den == 0`.
    pub fn mul_ratio(self, num: i64, den: i64) -> Option<Xof> {
        if den == 0 {
            return None;
        }
        let p = (self.0 as i128).checked_mul(num as i128)?;
        let (den, p) = if den < 0 {
            (-(den as i128), -p)
        } else {
            (den as i128, p)
        };
        let q = p / den;
        let r = p % den;
        let rounded = if 2 * r.abs() >= den {
            q + p.signum()
        } else {
            q
        };
        i64::try_from(rounded).ok().map(Xof)
    }

    /// Groups of three digits with a narrow no-break space, as in French: `1 234 567`.
    pub fn grouped(self, sep: &str) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(ch);
        }
        if self.0 < 0 {
            format!("-{out}")
        } else {
            out
        }
    }

    /// The amount as shown on a page: `1 234 567 FCFA` in French, `XOF 1,234,567` in
    /// English. The spaces do not break: an amount never splits across two lines.
    pub fn display(self, locale: &str) -> String {
        match locale {
            "en" => format!("XOF\u{A0}{}", self.grouped(",")),
            _ => format!("{}\u{A0}FCFA", self.grouped("\u{202F}")),
        }
    }

    /// Parses `1234567`, `1 234 567`, `1.234.567` or `1,234,567` (whole francs only).
    /// A group separator must split the digits in threes, so that `12,50` (a decimal
    /// comma, which XOF cannot have) is refused rather than read as 1 250.
    pub fn parse(text: &str) -> Option<Xof> {
        let t = text.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let groups: Vec<&str> = t.split([' ', '\u{202F}', '\u{A0}', '.', ',']).collect();
        let well_grouped = groups.iter().enumerate().all(|(i, g)| {
            g.chars().all(|c| c.is_ascii_digit())
                && match (groups.len(), i) {
                    (1, _) => !g.is_empty(),
                    (_, 0) => (1..=3).contains(&g.len()),
                    _ => g.len() == 3,
                }
        });
        if !well_grouped {
            return None;
        }
        let v: i64 = groups.concat().parse().ok()?;
        Some(Xof(if neg { -v } else { v }))
    }
}

/// An amount of another currency in its minor units (`decimals` digits after the
/// point), as shown on a page: `1 234 567,50 PLN` in French, `PLN 1,234,567.50` in
/// English. XOF, which has no minor unit, shows as [`Xof::display`] does. A round
/// imported from a pabulib file keeps the file's currency.
pub fn display_in(minor: i64, decimals: u32, currency: &str, locale: &str) -> String {
    if currency == "XOF" && decimals == 0 {
        return Xof(minor).display(locale);
    }
    let unit = 10i64.checked_pow(decimals).unwrap_or(1);
    let (whole, frac) = (minor / unit, (minor % unit).unsigned_abs());
    let frac = (decimals > 0).then(|| format!("{frac:0width$}", width = decimals as usize));
    match locale {
        "en" => {
            let f = frac.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{currency}\u{A0}{}{f}", Xof(whole).grouped(","))
        }
        _ => {
            let f = frac.map(|f| format!(",{f}")).unwrap_or_default();
            format!("{}{f}\u{A0}{currency}", Xof(whole).grouped("\u{202F}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_away_from_zero() {
        // 5% of 1 010 = 50.5 → 51; 5% of 1 009 = 50.45 → 50.
        assert_eq!(Xof(1_010).mul_ratio(5, 100), Some(Xof(51)));
        assert_eq!(Xof(1_009).mul_ratio(5, 100), Some(Xof(50)));
        assert_eq!(Xof(-1_010).mul_ratio(5, 100), Some(Xof(-51)));
        assert_eq!(Xof(1_010).mul_ratio(-5, 100), Some(Xof(-51)));
        assert_eq!(Xof(7).mul_ratio(1, 0), None);
        assert_eq!(Xof(i64::MAX).mul_ratio(2, 1), None);
    }

    #[test]
    fn other_currencies_show_their_code_and_their_decimals() {
        assert_eq!(
            display_in(6_112_868, 0, "PLN", "fr"),
            "6\u{202F}112\u{202F}868\u{A0}PLN"
        );
        assert_eq!(display_in(123_450, 2, "EUR", "en"), "EUR\u{A0}1,234.50");
        assert_eq!(
            display_in(123_405, 2, "EUR", "fr"),
            "1\u{202F}234,05\u{A0}EUR"
        );
        assert_eq!(
            display_in(25_000, 0, "XOF", "fr"),
            Xof(25_000).display("fr")
        );
    }

    #[test]
    fn amounts_display_in_each_language() {
        assert_eq!(
            Xof(1_234_567).display("fr"),
            "1\u{202F}234\u{202F}567\u{A0}FCFA"
        );
        assert_eq!(Xof(1_234_567).display("en"), "XOF\u{A0}1,234,567");
        assert_eq!(Xof(-500).display("en"), "XOF\u{A0}-500");
        assert_eq!(Xof(0).display("fr"), "0\u{A0}FCFA");
    }

    #[test]
    fn amounts_parse_with_common_separators() {
        assert_eq!(Xof::parse("1 234 567"), Some(Xof(1_234_567)));
        assert_eq!(Xof::parse("1.234.567"), Some(Xof(1_234_567)));
        assert_eq!(Xof::parse("-25"), Some(Xof(-25)));
        assert_eq!(Xof::parse("12a"), None);
        assert_eq!(Xof::parse("12,50"), None);
        assert_eq!(Xof::parse("1 2345"), None);
        assert_eq!(Xof::parse(""), None);
    }
}

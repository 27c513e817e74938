//! Amounts, counts, areas and rates: whole numbers as people type them.

use super::{keys, required, Refusal};
use crate::money::Xof;

/// An amount of whole francs, 0 or more. See [`signed_amount`].
pub fn amount(v: &str) -> Result<Xof, Refusal> {
    let x = signed_amount(v)?;
    if x.0 < 0 {
        return Err(Refusal::new(keys::NEGATIVE));
    }
    Ok(x)
}

/// An amount of whole francs, possibly negative: digits, optionally grouped by threes
/// with spaces, dots or commas (`1 234 567`, `1.234.567`), optionally with the currency
/// before or after (`FCFA`, `F CFA`, `CFA`, `XOF`, `F`). XOF has no minor unit, so a
/// decimal part (`12,50`, `12.5`, `1 000,00`) is refused with its own message.
pub fn signed_amount(v: &str) -> Result<Xof, Refusal> {
    let t = without_currency(required(v)?);
    if let Some(x) = Xof::parse(t) {
        if x.0.unsigned_abs() > Xof::MAX_ENTRY.0.unsigned_abs() {
            return Err(Refusal::new(keys::AMOUNT_TOO_LARGE));
        }
        return Ok(x);
    }
    if looks_decimal(t) {
        return Err(Refusal::new(keys::AMOUNT_DECIMALS));
    }
    Err(Refusal::new(keys::BAD_AMOUNT))
}

fn without_currency(t: &str) -> &str {
    let mut t = t;
    for unit in ["F CFA", "FCFA", "XOF", "CFA", "F"] {
        if let Some(rest) = strip_suffix_ignore_case(t, unit) {
            t = rest.trim_end();
            break;
        }
    }
    if let Some(rest) = t.get(..3).filter(|p| p.eq_ignore_ascii_case("XOF")) {
        t = t[rest.len()..].trim_start();
    }
    t
}

fn strip_suffix_ignore_case<'a>(t: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = t.len().checked_sub(suffix.len())?;
    let tail = t.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &t[..cut])
}

/// A well-grouped number, then `.` or `,` and 1, 2 or more than 3 digits: a decimal part.
fn looks_decimal(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let Some(i) = t.rfind(['.', ',']) else {
        return false;
    };
    let (int, frac) = (&t[..i], &t[i + 1..]);
    Xof::parse(int).is_some()
        && !frac.is_empty()
        && frac.len() != 3
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A whole number, 0 or more (a count of units), grouped like amounts.
pub fn count(v: &str) -> Result<i64, Refusal> {
    whole(required(v)?, keys::BAD_COUNT)
}

/// An area in whole square metres, 0 or more, optionally followed by `m²` or `m2`.
pub fn area(v: &str) -> Result<i64, Refusal> {
    let t = required(v)?;
    let t = ["m²", "m2", "M2"]
        .iter()
        .find_map(|u| t.strip_suffix(u))
        .map_or(t, str::trim_end);
    whole(t, keys::BAD_AREA)
}

fn whole(t: &str, key: &'static str) -> Result<i64, Refusal> {
    match Xof::parse(t) {
        Some(Xof(n)) if n >= 0 => Ok(n),
        _ => Err(Refusal::new(key)),
    }
}

/// A rate in percent, returned in basis points (hundredths of a percent): `5` → 500,
/// `5%` → 500, `7,5` and `7.5 %` → 750, `3.6` → 360, `0,25` → 25. A bare number is a
/// percentage (`0.05` is 0.05 %, not 5 %). At most 2 decimals, from 0 to 100 %.
pub fn rate(v: &str) -> Result<i64, Refusal> {
    let t = required(v)?;
    let t = t.strip_suffix('%').map_or(t, str::trim_end);
    let (int, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(Refusal::new(keys::BAD_RATE));
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 2 {
        return Err(Refusal::new(keys::RATE_DECIMALS));
    }
    let int = int.trim_start_matches('0');
    if int.len() > 3 {
        return Err(Refusal::new(keys::RATE_OVER_100));
    }
    let whole: i64 = int.parse().unwrap_or(0);
    let hundredths = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(2)
        .fold(0, |n, d| n * 10 + i64::from(d - b'0'));
    let bp = whole * 100 + hundredths;
    if bp > 10_000 {
        return Err(Refusal::new(keys::RATE_OVER_100));
    }
    Ok(bp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::refused as key;

    #[test]
    fn amounts_are_whole_francs_grouped_or_not_with_or_without_the_currency() {
        for (text, want) in [
            ("1234567", 1_234_567),
            ("1 234 567", 1_234_567),
            ("1\u{A0}234\u{202F}567", 1_234_567),
            ("1.234.567", 1_234_567),
            ("25 000 FCFA", 25_000),
            ("25000 F CFA", 25_000),
            ("25000f", 25_000),
            ("XOF 1,234", 1_234),
            ("0", 0),
        ] {
            assert_eq!(amount(text), Ok(Xof(want)), "{text}");
        }
    }

    #[test]
    fn amounts_with_a_decimal_part_are_refused_because_xof_has_no_cents() {
        for text in ["12,50", "12.5", "1 000,00", "7,5", "-3,25"] {
            assert_eq!(key(signed_amount(text)), keys::AMOUNT_DECIMALS, "{text}");
        }
        for text in ["12a", "1,23,4", "--5", "F", "1 0000"] {
            assert_eq!(key(signed_amount(text)), keys::BAD_AMOUNT, "{text}");
        }
    }

    #[test]
    fn negative_amounts_are_refused_unless_the_caller_allows_them() {
        assert_eq!(key(amount("-500")), keys::NEGATIVE);
        assert_eq!(signed_amount("-500"), Ok(Xof(-500)));
    }

    #[test]
    fn amounts_above_a_thousand_billion_francs_are_refused_before_they_can_overflow_a_sum() {
        assert_eq!(amount("1 000 000 000 000"), Ok(Xof::MAX_ENTRY));
        assert_eq!(signed_amount("-1000000000000"), Ok(Xof(-1_000_000_000_000)));
        for text in ["1000000000001", "-1000000000001", "9223372036854775807"] {
            assert_eq!(key(signed_amount(text)), keys::AMOUNT_TOO_LARGE, "{text}");
        }
    }

    #[test]
    fn counts_and_areas_are_non_negative_whole_numbers() {
        assert_eq!(count("12"), Ok(12));
        assert_eq!(count("1 200"), Ok(1200));
        assert_eq!(key(count("-1")), keys::BAD_COUNT);
        assert_eq!(key(count("2,5")), keys::BAD_COUNT);
        assert_eq!(area("350 m²"), Ok(350));
        assert_eq!(area("350m2"), Ok(350));
        assert_eq!(key(area("12,5")), keys::BAD_AREA);
    }

    #[test]
    fn rates_are_percentages_read_as_basis_points() {
        for (text, bp) in [
            ("5", 500),
            ("5%", 500),
            ("7,5", 750),
            ("7.5 %", 750),
            ("3.6", 360),
            ("0,25", 25),
            ("100", 10_000),
            ("0", 0),
            ("007,50\u{A0}%", 750),
        ] {
            assert_eq!(rate(text), Ok(bp), "{text}");
        }
    }

    #[test]
    fn rates_with_more_than_two_decimals_or_over_100_percent_are_refused() {
        assert_eq!(key(rate("7,125")), keys::RATE_DECIMALS);
        assert_eq!(key(rate("100,01")), keys::RATE_OVER_100);
        assert_eq!(key(rate("12345678901234567890")), keys::RATE_OVER_100);
        for text in ["-5", "5.", ".5", "cinq", "5 5", "%"] {
            assert_eq!(key(rate(text)), keys::BAD_RATE, "{text}");
        }
    }
}

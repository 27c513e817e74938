//! Field parsers for imported files: pure functions from a trimmed text value to a typed
//! value, or a [`Reason`] (a message key and its arguments) that
//! [`crate::revenue::csvin::Row::parse`] turns into an issue with line, column and value.
//!
//! Every parser refuses an empty value with [`keys::REQUIRED`]; wrap it in [`optional`]
//! for an optional column.

use chrono::NaiveDate;
use validator::ValidateEmail;

use super::csvin::{keys, trim, Issue};
use crate::communes::Country;
use crate::money::Xof;

/// Why a value was refused: a message key of the catalogue and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Reason {
    pub fn new(key: &'static str) -> Reason {
        Reason {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Reason {
        self.args.push((name, value.into()));
        self
    }

    /// The issue for this reason at a line and column, with the value refused.
    pub fn at(self, line: u64, column: &str, value: &str) -> Issue {
        let mut issue = Issue::new(line, self.key).column(column).value(value);
        issue.args = self.args;
        issue
    }
}

/// A non-empty value.
pub fn required(v: &str) -> Result<&str, Reason> {
    let t = trim(v);
    if t.is_empty() {
        Err(Reason::new(keys::REQUIRED))
    } else {
        Ok(t)
    }
}

/// A non-empty text of at most `max_chars` characters.
pub fn text(v: &str, max_chars: usize) -> Result<&str, Reason> {
    let t = required(v)?;
    // A character takes at least one byte: short texts need no counting.
    if t.len() > max_chars && t.chars().count() > max_chars {
        return Err(Reason::new(keys::TOO_LONG).arg("max", max_chars.to_string()));
    }
    Ok(t)
}

/// `None` for an empty value, else the parser's result.
pub fn optional<'a, T>(
    v: &'a str,
    parse: impl FnOnce(&'a str) -> Result<T, Reason>,
) -> Result<Option<T>, Reason> {
    if trim(v).is_empty() {
        Ok(None)
    } else {
        parse(v).map(Some)
    }
}

/// An amount of whole francs, 0 or more. See [`signed_amount`].
pub fn amount(v: &str) -> Result<Xof, Reason> {
    let x = signed_amount(v)?;
    if x.0 < 0 {
        return Err(Reason::new(keys::NEGATIVE));
    }
    Ok(x)
}

/// An amount of whole francs, possibly negative: digits, optionally grouped by threes
/// with spaces, dots or commas (`1 234 567`, `1.234.567`), optionally with the currency
/// before or after (`FCFA`, `F CFA`, `CFA`, `XOF`, `F`). XOF has no minor unit, so a
/// decimal part (`12,50`, `12.5`, `1 000,00`) is refused with its own message.
pub fn signed_amount(v: &str) -> Result<Xof, Reason> {
    let t = without_currency(required(v)?);
    if let Some(x) = Xof::parse(t) {
        if x.0.unsigned_abs() > Xof::MAX_ENTRY.0.unsigned_abs() {
            return Err(Reason::new(keys::AMOUNT_TOO_LARGE));
        }
        return Ok(x);
    }
    if looks_decimal(t) {
        return Err(Reason::new(keys::AMOUNT_DECIMALS));
    }
    Err(Reason::new(keys::BAD_AMOUNT))
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
pub fn count(v: &str) -> Result<i64, Reason> {
    whole(required(v)?, keys::BAD_COUNT)
}

/// An area in whole square metres, 0 or more, optionally followed by `m²` or `m2`.
pub fn area(v: &str) -> Result<i64, Reason> {
    let t = required(v)?;
    let t = ["m²", "m2", "M2"]
        .iter()
        .find_map(|u| t.strip_suffix(u))
        .map_or(t, str::trim_end);
    whole(t, keys::BAD_AREA)
}

fn whole(t: &str, key: &'static str) -> Result<i64, Reason> {
    match Xof::parse(t) {
        Some(Xof(n)) if n >= 0 => Ok(n),
        _ => Err(Reason::new(key)),
    }
}

/// A rate in percent, returned in basis points (hundredths of a percent): `5` → 500,
/// `5%` → 500, `7,5` and `7.5 %` → 750, `3.6` → 360, `0,25` → 25. A bare number is a
/// percentage (`0.05` is 0.05 %, not 5 %). At most 2 decimals, from 0 to 100 %.
pub fn rate(v: &str) -> Result<i64, Reason> {
    let t = required(v)?;
    let t = t.strip_suffix('%').map_or(t, str::trim_end);
    let (int, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(Reason::new(keys::BAD_RATE));
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 2 {
        return Err(Reason::new(keys::RATE_DECIMALS));
    }
    let int = int.trim_start_matches('0');
    if int.len() > 3 {
        return Err(Reason::new(keys::RATE_OVER_100));
    }
    let whole: i64 = int.parse().unwrap_or(0);
    let hundredths = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(2)
        .fold(0, |n, d| n * 10 + i64::from(d - b'0'));
    let bp = whole * 100 + hundredths;
    if bp > 10_000 {
        return Err(Reason::new(keys::RATE_OVER_100));
    }
    Ok(bp)
}

/// A phone number of the commune's country, returned in international form.
///
/// Spaces, dots and dashes are allowed anywhere. The country code may be written
/// `+221`/`+229`, `00221`/`00229`, or without `+` (Excel drops it from numbers).
///
/// - **Senegal** (`+221XXXXXXXXX`): 9 digits starting with `7` (mobile: 70, 72, 75–78)
///   or with `33` or `30` (fixed). Source: the national number patterns for SN in
///   Google's libphonenumber metadata (`PhoneNumberMetadata.xml`). `7` followed by any
///   digit is accepted, a superset that lets new mobile ranges in.
/// - **Benin** (`+229XXXXXXXXXX`): since 30 November 2024 numbers have 10 digits
///   starting with `01`, old 8-digit numbers becoming `01` + the old number (ARCEP
///   Bénin's new numbering plan, as reported by AllAfrica on 30 Nov 2024; BJ metadata
///   of libphonenumber: `01\d{8}`). An 8-digit number is accepted and stored with `01`.
///   A 9-digit number starting with `1` is refused with a hint: Excel removed the
///   leading zero.
///
/// A number with another country's code (`+33…`, `0033…`) is accepted as written, 8 to
/// 15 digits in all (the E.164 maximum): taxpayers may live abroad.
pub fn phone(v: &str, country: Country) -> Result<String, Reason> {
    let t = required(v)?;
    let bad = || match country {
        Country::Senegal => Reason::new(keys::BAD_PHONE_SN),
        Country::Benin => Reason::new(keys::BAD_PHONE_BJ),
    };
    let mut digits = String::with_capacity(16);
    let mut plus = false;
    for (i, c) in t.char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '.' | '-' | '\u{A0}' | '\u{202F}' => {}
            _ => return Err(bad()),
        }
    }
    let (code, national_lengths): (&str, &[usize]) = match country {
        Country::Senegal => ("221", &[9]),
        Country::Benin => ("229", &[8, 10]),
    };
    // Where the international part and the national number start in `digits`.
    let intl_start = if plus {
        Some(0)
    } else {
        digits.starts_with("00").then_some(2)
    };
    let national_start = match intl_start {
        Some(i) if digits[i..].starts_with(code) => i + code.len(),
        Some(i) => {
            let intl_len = digits.len() - i;
            if (8..=15).contains(&intl_len) && !digits[i..].starts_with('0') {
                digits.replace_range(..i, "+");
                return Ok(digits);
            }
            return Err(bad());
        }
        None if digits.starts_with(code)
            && national_lengths.contains(&(digits.len() - code.len())) =>
        {
            code.len()
        }
        None => 0,
    };
    let national = &digits[national_start..];
    let prefix = match country {
        Country::Senegal => {
            let ok = national.len() == 9
                && (national.starts_with('7')
                    || national.starts_with("33")
                    || national.starts_with("30"));
            if !ok {
                return Err(bad());
            }
            "+221"
        }
        Country::Benin => match national.len() {
            10 if national.starts_with("01") => "+229",
            8 => "+22901",
            9 if national.starts_with('1') => return Err(Reason::new(keys::PHONE_LOST_ZERO)),
            _ => return Err(bad()),
        },
    };
    digits.replace_range(..national_start, prefix);
    Ok(digits)
}

/// An e-mail address (checked with the `validator` crate), returned trimmed.
pub fn email(v: &str) -> Result<String, Reason> {
    let t = required(v)?;
    if t.len() > 254 || !t.validate_email() {
        return Err(Reason::new(keys::BAD_EMAIL));
    }
    Ok(t.to_string())
}

/// The national taxpayer identifier: NINEA in Senegal, IFU in Benin.
pub fn national_id(v: &str, country: Country) -> Result<String, Reason> {
    match country {
        Country::Senegal => ninea(v),
        Country::Benin => ifu(v),
    }
}

/// A Senegalese NINEA, returned as 9 digits, followed by the COFI when given:
/// `0061234562V2`.
///
/// The rule (python-stdnum's `stdnum.sn.ninea`, from the DGID's reading guide as
/// explained by NKAC Audit): the NINEA is 7 digits, often written with two leading
/// zeros as 9; the optional COFI (*code d'identification fiscale*) after it is a digit
/// (tax regime: 0, 1 or 2), a letter (the tax centre) and a digit (the legal form),
/// as in `2V2` or `2G3`. Spaces, dashes, dots and slashes are ignored.
///
/// What is accepted is a conservative superset: 7 or 9 digits, then optionally any
/// digit-letter-digit. The check digit that python-stdnum verifies (weights 1,2,1,2…
/// over the 9 digits, sum divisible by 10) is **not** enforced: it holds on the real
/// NINEAs found in public documents, but no official statement of it was found, and
/// refusing a valid number would block a whole import. A 7-digit NINEA is stored with
/// its two leading zeros, so that both forms match when looking for duplicates (and a
/// 9-digit NINEA whose zeros Excel removed comes back whole).
pub fn ninea(v: &str) -> Result<String, Reason> {
    let t = required(v)?;
    let bad = || Reason::new(keys::BAD_NINEA);
    let mut compact: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '/' | '\u{A0}' | '\u{202F}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = compact.as_bytes();
    let has_cofi = b.len() > 9
        && b[b.len() - 3].is_ascii_digit()
        && b[b.len() - 2].is_ascii_uppercase()
        && b[b.len() - 1].is_ascii_digit();
    let number = &compact[..compact.len() - if has_cofi { 3 } else { 0 }];
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match number.len() {
        7 => {
            compact.insert_str(0, "00");
            Ok(compact)
        }
        9 => Ok(compact),
        _ => Err(bad()),
    }
}

/// A Beninese IFU (*identifiant fiscal unique*), returned as its 13 digits.
///
/// The rule (DGI Bénin, "Tout savoir sur l'IFU", as summarised by org-id.guide's BJ-IFU
/// entry): 13 digits; the first gives the kind of taxpayer (1 man, 2 woman, 3 company,
/// 4 State body, 5 international organisation, 6 NGO), then 4 for the year, 6 for the
/// number, 1 for the establishment and a check digit whose algorithm is not published.
/// Only the 13 digits are checked; spaces, dashes and dots are ignored.
pub fn ifu(v: &str) -> Result<String, Reason> {
    let t = required(v)?;
    let compact: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{A0}' | '\u{202F}'))
        .collect();
    if compact.len() == 13 && compact.bytes().all(|b| b.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(Reason::new(keys::BAD_IFU))
    }
}

/// A point in micro-degrees (millionths of a degree, about 11 cm): no float is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeoPoint {
    pub lat_e6: i64,
    pub lon_e6: i64,
}

/// A GPS point, latitude first, in decimal degrees: `14.6937,-17.4441`,
/// `14.6937; -17.4441`, `14,6937;-17,4441` (decimal commas, as French spreadsheets
/// write them), `14,6937, -17,4441` or `14.6937 -17.4441`. More than 6 decimals are
/// rounded (half away from zero). Latitude must be within ±90, longitude within ±180.
pub fn gps(v: &str) -> Result<GeoPoint, Reason> {
    let t = required(v)?;
    let bad = || Reason::new(keys::BAD_GPS);
    let commas = t.matches(',').count();
    let (lat, lon) = if t.contains(';') {
        t.split_once(';').ok_or_else(bad)?
    } else if commas == 1 {
        t.split_once(',').ok_or_else(bad)?
    } else if commas > 1 && t.matches(", ").count() == 1 {
        t.split_once(", ").ok_or_else(bad)?
    } else if commas == 0 {
        let mut parts = t.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), None) => (a, b),
            _ => return Err(bad()),
        }
    } else {
        return Err(bad());
    };
    let (Some(lat_e6), Some(lon_e6)) = (micro_degrees(lat), micro_degrees(lon)) else {
        return Err(bad());
    };
    if lat_e6.abs() > 90_000_000 || lon_e6.abs() > 180_000_000 {
        return Err(Reason::new(keys::GPS_OUT_OF_RANGE));
    }
    Ok(GeoPoint { lat_e6, lon_e6 })
}

/// A GPS point that must fall in the commune's country: this catches latitude and
/// longitude swapped, and `0,0`. The boxes are whole degrees around each country:
/// Senegal lies between 12° and 17° N and 11° and 18° W, Benin between 6° and 13° N
/// and 0° and 4° E (the extents given in the countries' geography references).
pub fn gps_in(v: &str, country: Country) -> Result<GeoPoint, Reason> {
    let p = gps(v)?;
    let ((lat_min, lat_max), (lon_min, lon_max)) = match country {
        Country::Senegal => ((12, 17), (-18, -11)),
        Country::Benin => ((6, 13), (0, 4)),
    };
    let inside = (lat_min * 1_000_000..=lat_max * 1_000_000).contains(&p.lat_e6)
        && (lon_min * 1_000_000..=lon_max * 1_000_000).contains(&p.lon_e6);
    if !inside {
        return Err(Reason::new(keys::GPS_OUTSIDE_COUNTRY));
    }
    Ok(p)
}

/// `-17.44415` → -17_444_150; `.` or `,` as the decimal separator.
fn micro_degrees(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 3 || !digits(int) || !digits(frac) || frac.len() > 15 {
        return None;
    }
    // The first 6 decimals, then the 7th to round half away from zero.
    let mut micro = 0i64;
    for i in 0..6 {
        micro = micro * 10 + frac.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    let round_up = frac.as_bytes().get(6).is_some_and(|&d| d >= b'5');
    let value = int.parse::<i64>().ok()? * 1_000_000 + micro + i64::from(round_up);
    Some(if neg { -value } else { value })
}

/// A date written `YYYY-MM-DD` or `DD/MM/YYYY` (days and months may have one digit).
pub fn date(v: &str) -> Result<NaiveDate, Reason> {
    let t = required(v)?;
    let bad = || Reason::new(keys::BAD_DATE);
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| -> Option<u32> {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let parts: Vec<&str> = if t.contains('-') {
        t.split('-').collect()
    } else {
        t.split('/').collect()
    };
    let [a, b, c] = parts[..] else {
        return Err(bad());
    };
    let (y, m, d) = if t.contains('-') {
        (number(a, 4..=4), number(b, 1..=2), number(c, 1..=2))
    } else {
        (number(c, 4..=4), number(b, 1..=2), number(a, 1..=2))
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| Reason::new(keys::NO_SUCH_DATE))
}

/// A year, 4 digits from 1900 to 2100.
pub fn year(v: &str) -> Result<i32, Reason> {
    let t = required(v)?;
    match t.parse::<i32>() {
        Ok(y) if t.len() == 4 && (1900..=2100).contains(&y) => Ok(y),
        _ => Err(Reason::new(keys::BAD_YEAR)),
    }
}

/// One of `allowed`, ignoring case; returns the allowed spelling. The message lists
/// the allowed values.
pub fn enum_value<'a>(v: &str, allowed: &[&'a str]) -> Result<&'a str, Reason> {
    let t = required(v)?;
    let found = if t.is_ascii() {
        allowed.iter().find(|a| a.eq_ignore_ascii_case(t))
    } else {
        allowed.iter().find(|a| same_ignoring_case(a, t))
    };
    found
        .copied()
        .ok_or_else(|| Reason::new(keys::NOT_IN_LIST).arg("allowed", allowed.join(", ")))
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<T: std::fmt::Debug>(r: Result<T, Reason>) -> &'static str {
        r.unwrap_err().key
    }

    #[test]
    fn an_empty_value_is_refused_as_required_by_every_parser() {
        assert_eq!(key(required("  ")), keys::REQUIRED);
        assert_eq!(key(amount("")), keys::REQUIRED);
        assert_eq!(key(phone(" ", Country::Senegal)), keys::REQUIRED);
        assert_eq!(key(date("")), keys::REQUIRED);
        assert_eq!(optional("", amount), Ok(None));
        assert_eq!(optional("12", amount), Ok(Some(Xof(12))));
    }

    #[test]
    fn text_is_limited_in_characters_not_bytes() {
        assert_eq!(text("Hêvié", 5), Ok("Hêvié"));
        let r = text("Hêviés", 5).unwrap_err();
        assert_eq!(
            (r.key, r.args),
            (keys::TOO_LONG, vec![("max", "5".to_string())])
        );
    }

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

    #[test]
    fn senegal_phones_are_stored_with_plus_221() {
        for text in [
            "77 123 45 67",
            "771234567",
            "+221 77 123 45 67",
            "00221771234567",
            "221771234567",
            "77.123.45.67",
            "77-123-45-67",
        ] {
            assert_eq!(
                phone(text, Country::Senegal),
                Ok("+221771234567".into()),
                "{text}"
            );
        }
        assert_eq!(
            phone("33 821 00 00", Country::Senegal),
            Ok("+221338210000".into())
        );
        assert_eq!(
            phone("30 100 00 00", Country::Senegal),
            Ok("+221301000000".into())
        );
    }

    #[test]
    fn senegal_phones_of_the_wrong_length_or_range_are_refused() {
        for text in [
            "7712345",
            "77123456789",
            "88 123 45 67",
            "34 123 45 67",
            "+229 77 123 45 67x",
            "77/123",
        ] {
            assert_eq!(
                key(phone(text, Country::Senegal)),
                keys::BAD_PHONE_SN,
                "{text}"
            );
        }
    }

    #[test]
    fn benin_phones_have_ten_digits_and_old_eight_digit_numbers_gain_01() {
        for text in [
            "01 97 12 34 56",
            "0197123456",
            "+229 01 97 12 34 56",
            "002290197123456",
            "2290197123456",
            "97 12 34 56",
            "+229 97 12 34 56",
            "22997123456",
        ] {
            assert_eq!(
                phone(text, Country::Benin),
                Ok("+2290197123456".into()),
                "{text}"
            );
        }
        assert_eq!(
            key(phone("197123456", Country::Benin)),
            keys::PHONE_LOST_ZERO
        );
        assert_eq!(
            key(phone("02 97 12 34 56", Country::Benin)),
            keys::BAD_PHONE_BJ
        );
        assert_eq!(key(phone("9712345", Country::Benin)), keys::BAD_PHONE_BJ);
    }

    #[test]
    fn foreign_phones_are_kept_as_written_in_international_form() {
        assert_eq!(
            phone("+33 6 12 34 56 78", Country::Senegal),
            Ok("+33612345678".into())
        );
        assert_eq!(
            phone("0033612345678", Country::Benin),
            Ok("+33612345678".into())
        );
        assert_eq!(key(phone("+33 6", Country::Senegal)), keys::BAD_PHONE_SN);
        assert_eq!(
            key(phone("+221 6 12 34 56 78", Country::Senegal)),
            keys::BAD_PHONE_SN
        );
    }

    #[test]
    fn emails_are_checked_and_trimmed() {
        assert_eq!(
            email(" awa.diop@example.sn "),
            Ok("awa.diop@example.sn".into())
        );
        for text in ["awa.diop", "awa@", "@example.sn", "a b@example.sn"] {
            assert_eq!(key(email(text)), keys::BAD_EMAIL, "{text}");
        }
    }

    #[test]
    fn a_ninea_is_seven_or_nine_digits_with_an_optional_cofi() {
        assert_eq!(ninea("3067221"), Ok("003067221".into()));
        assert_eq!(ninea("3067221 2G2"), Ok("0030672212G2".into()));
        assert_eq!(ninea("006123456 2v2"), Ok("0061234562V2".into()));
        assert_eq!(ninea("012385862"), Ok("012385862".into()));
        assert_eq!(ninea("00 612 34 56-2V2"), Ok("0061234562V2".into()));
        for text in [
            "12345",
            "0061234567",
            "006123456 22V",
            "00612345A",
            "006123456 2V",
        ] {
            assert_eq!(key(ninea(text)), keys::BAD_NINEA, "{text}");
        }
    }

    #[test]
    fn an_ifu_is_thirteen_digits() {
        assert_eq!(ifu("3200901353510"), Ok("3200901353510".into()));
        assert_eq!(ifu("3 2009 013535 1 0"), Ok("3200901353510".into()));
        assert_eq!(key(ifu("320090135351")), keys::BAD_IFU);
        assert_eq!(key(ifu("320090135351A")), keys::BAD_IFU);
        assert_eq!(
            national_id("3200901353510", Country::Benin),
            Ok("3200901353510".into())
        );
        assert_eq!(
            key(national_id("3200901353510", Country::Senegal)),
            keys::BAD_NINEA
        );
    }

    #[test]
    fn gps_points_read_in_every_common_writing_as_micro_degrees() {
        let dakar = GeoPoint {
            lat_e6: 14_693_700,
            lon_e6: -17_444_100,
        };
        for text in [
            "14.6937,-17.4441",
            "14.6937, -17.4441",
            "14,6937;-17,4441",
            "14.6937 ; -17.4441",
            "14,6937, -17,4441",
            "14.6937 -17.4441",
            "+14.6937,-17.4441",
        ] {
            assert_eq!(gps(text), Ok(dakar), "{text}");
        }
        assert_eq!(gps("14.69370049,-17.44409951"), Ok(dakar));
        assert_eq!(
            gps("6.4,2.35").unwrap(),
            GeoPoint {
                lat_e6: 6_400_000,
                lon_e6: 2_350_000
            }
        );
    }

    #[test]
    fn gps_points_out_of_range_or_unreadable_are_refused() {
        assert_eq!(key(gps("91,0")), keys::GPS_OUT_OF_RANGE);
        assert_eq!(key(gps("14.6;-181")), keys::GPS_OUT_OF_RANGE);
        for text in ["14.6937", "14,6,-17,4", "a,b", "14.6 -17.4 3", "1e3,2"] {
            assert_eq!(key(gps(text)), keys::BAD_GPS, "{text}");
        }
    }

    #[test]
    fn a_gps_point_outside_the_country_is_refused_which_catches_swapped_coordinates() {
        assert!(gps_in("14.6937,-17.4441", Country::Senegal).is_ok());
        assert_eq!(
            key(gps_in("-17.4441,14.6937", Country::Senegal)),
            keys::GPS_OUTSIDE_COUNTRY
        );
        assert_eq!(
            key(gps_in("0,0", Country::Benin)),
            keys::GPS_OUTSIDE_COUNTRY
        );
        assert!(gps_in("6.45,2.35", Country::Benin).is_ok());
    }

    #[test]
    fn dates_are_iso_or_day_first() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(date("2025-03-31"), Ok(d));
        assert_eq!(date("31/03/2025"), Ok(d));
        assert_eq!(date("31/3/2025"), Ok(d));
        assert_eq!(key(date("31/02/2025")), keys::NO_SUCH_DATE);
        for text in [
            "31/03/25",
            "03-31-2025",
            "2025/03/31",
            "31.03.2025",
            "2025-03-31 00:00",
        ] {
            assert_eq!(key(date(text)), keys::BAD_DATE, "{text}");
        }
    }

    #[test]
    fn years_have_four_digits_in_a_sane_range() {
        assert_eq!(year("2025"), Ok(2025));
        for text in ["25", "1850", "20250", "+2025"] {
            assert_eq!(key(year(text)), keys::BAD_YEAR, "{text}");
        }
    }

    #[test]
    fn an_enum_value_ignores_case_and_the_message_lists_the_allowed_values() {
        let kinds = ["person", "organisation"];
        assert_eq!(enum_value("Person", &kinds), Ok("person"));
        assert_eq!(enum_value("HÊVIÉ", &["Hêvié"]), Ok("Hêvié"));
        let r = enum_value("company", &kinds).unwrap_err();
        assert_eq!(r.key, keys::NOT_IN_LIST);
        assert_eq!(
            r.args,
            vec![("allowed", "person, organisation".to_string())]
        );
    }

    mod no_value_makes_a_parser_panic {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn on_any_text(v in "[0-9 .,;:/%+\\-a-zA-Zé€\u{A0}\u{202F}²@]{0,24}") {
                let _ = (required(&v), text(&v, 5), amount(&v), signed_amount(&v));
                let _ = (count(&v), area(&v), rate(&v), email(&v), ninea(&v), ifu(&v));
                let _ = (gps(&v), gps_in(&v, Country::Benin), date(&v), year(&v));
                let _ = enum_value(&v, &["Hêvié", "Port"]);
                for country in [Country::Senegal, Country::Benin] {
                    let _ = (phone(&v, country), national_id(&v, country));
                }
            }

            #[test]
            fn on_any_unicode(v in ".{0,16}") {
                let _ = (amount(&v), rate(&v), phone(&v, Country::Senegal), ninea(&v), gps(&v), date(&v));
            }
        }
    }

    #[test]
    fn a_reason_becomes_an_issue_at_a_line_and_column_with_its_value() {
        let issue = rate("7,125").unwrap_err().at(12, "rate", "7,125");
        assert_eq!(issue.line, 12);
        assert_eq!(issue.column.as_deref(), Some("rate"));
        assert_eq!(issue.value.as_deref(), Some("7,125"));
        assert_eq!(issue.key, keys::RATE_DECIMALS);
    }
}

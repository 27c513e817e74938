//! Field parsers: pure functions from a value as a person typed it (in a form, a CSV
//! file, and next an SMS) to a typed value, or a [`Refusal`] (a message key and its
//! arguments) that says what is wrong in the reader's language. A form and an import
//! accept and refuse the same values, with the same messages.
//!
//! Every parser refuses an empty value with [`keys::REQUIRED`]; wrap it in [`optional`]
//! for an optional value. One file per kind of value:
//! - [`amount`]: amounts of francs, counts, areas, rates;
//! - [`phone`]: phone numbers of Senegal and Benin;
//! - [`identifier`]: e-mail addresses, NINEA and IFU;
//! - [`coordinates`]: GPS points;
//! - [`date`]: dates and years.

pub mod amount;
pub mod coordinates;
pub mod date;
pub mod identifier;
pub mod phone;

pub use amount::{amount, area, count, rate, signed_amount};
pub use coordinates::{gps, gps_in, GeoPoint};
pub use date::{date, year};
pub use identifier::{email, ifu, national_id, ninea};
pub use phone::phone;

pub use crate::error::Refusal;
use crate::text::trim;

/// The message keys of the parsers' refusals (`templates/i18n/field.{fr,en}.toml`).
pub mod keys {
    pub const REQUIRED: &str = "field.required";
    pub const TOO_LONG: &str = "field.too_long";
    pub const BAD_AMOUNT: &str = "field.bad_amount";
    pub const AMOUNT_DECIMALS: &str = "field.amount_decimals";
    pub const AMOUNT_TOO_LARGE: &str = "field.amount_too_large";
    pub const NEGATIVE: &str = "field.negative";
    pub const BAD_COUNT: &str = "field.bad_count";
    pub const BAD_AREA: &str = "field.bad_area";
    pub const BAD_RATE: &str = "field.bad_rate";
    pub const RATE_DECIMALS: &str = "field.rate_decimals";
    pub const RATE_OVER_100: &str = "field.rate_over_100";
    pub const BAD_PHONE_SN: &str = "field.bad_phone_sn";
    pub const BAD_PHONE_BJ: &str = "field.bad_phone_bj";
    pub const PHONE_LOST_ZERO: &str = "field.phone_lost_zero";
    pub const BAD_EMAIL: &str = "field.bad_email";
    pub const BAD_NINEA: &str = "field.bad_ninea";
    pub const BAD_IFU: &str = "field.bad_ifu";
    pub const BAD_GPS: &str = "field.bad_gps";
    pub const GPS_OUT_OF_RANGE: &str = "field.gps_out_of_range";
    pub const GPS_OUTSIDE_COUNTRY: &str = "field.gps_outside_country";
    pub const BAD_DATE: &str = "field.bad_date";
    pub const NO_SUCH_DATE: &str = "field.no_such_date";
    pub const BAD_YEAR: &str = "field.bad_year";
    pub const NOT_IN_LIST: &str = "field.not_in_list";
}

/// A non-empty value.
pub fn required(v: &str) -> Result<&str, Refusal> {
    let t = trim(v);
    if t.is_empty() {
        Err(Refusal::new(keys::REQUIRED))
    } else {
        Ok(t)
    }
}

/// A non-empty text of at most `max_chars` characters.
pub fn text(v: &str, max_chars: usize) -> Result<&str, Refusal> {
    let t = required(v)?;
    // A character takes at least one byte: short texts need no counting.
    if t.len() > max_chars && t.chars().count() > max_chars {
        return Err(Refusal::new(keys::TOO_LONG).arg("max", max_chars));
    }
    Ok(t)
}

/// `None` for an empty value, else the parser's result.
pub fn optional<'a, T>(
    v: &'a str,
    parse: impl FnOnce(&'a str) -> Result<T, Refusal>,
) -> Result<Option<T>, Refusal> {
    if trim(v).is_empty() {
        Ok(None)
    } else {
        parse(v).map(Some)
    }
}

/// One of `allowed`, ignoring case; returns the allowed spelling. The message lists
/// the allowed values.
pub fn enum_value<'a>(v: &str, allowed: &[&'a str]) -> Result<&'a str, Refusal> {
    let t = required(v)?;
    let found = if t.is_ascii() {
        allowed.iter().find(|a| a.eq_ignore_ascii_case(t))
    } else {
        allowed.iter().find(|a| same_ignoring_case(a, t))
    };
    found
        .copied()
        .ok_or_else(|| Refusal::new(keys::NOT_IN_LIST).arg("allowed", allowed.join(", ")))
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// The key of a refusal, for tests.
#[cfg(test)]
pub(crate) fn refused<T: std::fmt::Debug>(r: Result<T, Refusal>) -> &'static str {
    r.unwrap_err().key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::communes::Country;
    use crate::i18n::Arg;
    use crate::money::Xof;
    use refused as key;

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
            (keys::TOO_LONG, vec![("max", Arg::Number(5))])
        );
    }

    #[test]
    fn an_enum_value_ignores_case_and_the_message_lists_the_allowed_values() {
        let kinds = ["person", "organisation"];
        assert_eq!(enum_value("Person", &kinds), Ok("person"));
        assert_eq!(enum_value("HÊVIÉ", &["Hêvié"]), Ok("Hêvié"));
        let r = enum_value("company", &kinds).unwrap_err();
        assert_eq!(r.key, keys::NOT_IN_LIST);
        assert_eq!(r.args, vec![("allowed", Arg::from("person, organisation"))]);
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
}

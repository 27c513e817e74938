//! Phone numbers of Senegal and Benin, stored in international form.

use super::{keys, required, Refusal};
use crate::communes::Country;

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
pub fn phone(v: &str, country: Country) -> Result<String, Refusal> {
    let t = required(v)?;
    let bad = || match country {
        Country::Senegal => Refusal::new(keys::BAD_PHONE_SN),
        Country::Benin => Refusal::new(keys::BAD_PHONE_BJ),
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
            9 if national.starts_with('1') => return Err(Refusal::new(keys::PHONE_LOST_ZERO)),
            _ => return Err(bad()),
        },
    };
    digits.replace_range(..national_start, prefix);
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::refused as key;

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
}

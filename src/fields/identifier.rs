//! Identifiers: e-mail addresses, and the national taxpayer numbers (NINEA, IFU).

use validator::ValidateEmail;

use super::{keys, required, Refusal};
use crate::communes::Country;

/// An e-mail address (checked with the `validator` crate), returned trimmed.
pub fn email(v: &str) -> Result<String, Refusal> {
    let t = required(v)?;
    if t.len() > 254 || !t.validate_email() {
        return Err(Refusal::new(keys::BAD_EMAIL));
    }
    Ok(t.to_string())
}

/// The national taxpayer identifier: NINEA in Senegal, IFU in Benin.
pub fn national_id(v: &str, country: Country) -> Result<String, Refusal> {
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
pub fn ninea(v: &str) -> Result<String, Refusal> {
    let t = required(v)?;
    let bad = || Refusal::new(keys::BAD_NINEA);
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
pub fn ifu(v: &str) -> Result<String, Refusal> {
    let t = required(v)?;
    let compact: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{A0}' | '\u{202F}'))
        .collect();
    if compact.len() == 13 && compact.bytes().all(|b| b.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(Refusal::new(keys::BAD_IFU))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::refused as key;

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
}

//! **Verification codes**: every receipt carries a short code that anyone can type on
//! the public page `/verify/{code}` to check that the receipt is real.
//!
//! The code is an HMAC-SHA256 of what the receipt says (its commune, number, amount,
//! day and payer), under the commune's receipt key, which never leaves the server: 55
//! bits of it written as 11 characters of Crockford's base 32 (no I, L, O or U, so
//! nothing reads two ways), then one check character, shown in three groups of four
//! (`K7QM-2XD3-PA9F`). A forger who changes the amount cannot make the code that goes with
//! it, and guessing one valid code among 2^55 is hopeless at the verify page's rate
//! limit. The check character tells a mistyped code (one character wrong, two swapped)
//! from one that matches no receipt.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Crockford's base-32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of the HMAC kept (11 × 5 = 55 bits).
const BODY: usize = 11;
/// The whole code, check character included.
pub const LEN: usize = BODY + 1;

/// What a receipt says, as the code covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content<'a> {
    pub commune: &'a str,
    pub receipt: &'a str,
    pub amount: i64,
    pub paid_on: chrono::NaiveDate,
    /// The taxpayer's reference, or a ticket's payer as written.
    pub payer: &'a str,
}

impl Content<'_> {
    fn message(&self) -> String {
        // Fields joined by a byte no field can hold, so no two contents give one message.
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.commune, self.receipt, self.amount, self.paid_on, self.payer
        )
    }
}

/// The code of `content` under `key` (12 characters, without the dashes).
pub fn sign(key: &str, content: &Content) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(content.message().as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut bits: u64 = 0;
    for b in &digest[..8] {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut body = [0u8; BODY];
    for (i, c) in body.iter_mut().enumerate() {
        *c = ALPHABET[((bits >> (59 - 5 * i)) & 31) as usize];
    }
    let mut code = String::from_utf8(body.to_vec()).expect("ASCII");
    code.push(check_char(&body));
    code
}

/// The code in groups of four, as printed: `K7QM-2XD3-PA9F`.
pub fn display(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("-")
}

/// What a typed code is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// Well formed: look it up.
    Code(String),
    /// Not a code at all (wrong length, a character the alphabet lacks).
    Malformed,
    /// The right shape, but its check character disagrees: a typing mistake.
    Mistyped,
}

/// Reads a code as a person types it: any case, dashes and spaces anywhere, O for 0 and
/// I or L for 1.
pub fn parse(typed: &str) -> Typed {
    let mut code = String::with_capacity(LEN);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '.' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return Typed::Malformed;
        }
        code.push(c);
    }
    if code.len() != LEN {
        return Typed::Malformed;
    }
    let (body, check) = code.as_bytes().split_at(BODY);
    if check_char(body) as u8 != check[0] {
        return Typed::Mistyped;
    }
    Typed::Code(code)
}

/// A weighted sum modulo 31 (a prime, so every single substitution and most swaps of
/// two neighbours change it).
fn check_char(body: &[u8]) -> char {
    let sum: usize = body
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1) * ALPHABET.iter().position(|a| a == c).unwrap_or(0))
        .sum();
    ALPHABET[sum % 31] as char
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(amount: i64) -> Content<'static> {
        Content {
            commune: "dakar-plateau",
            receipt: "DKP-2026-000042",
            amount,
            paid_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            payer: "DKP-T0003",
        }
    }

    #[test]
    fn a_code_is_twelve_characters_that_read_one_way_and_parse_back() {
        let code = sign("key", &content(25_000));
        assert_eq!(code.len(), LEN);
        assert!(!code.contains(['I', 'L', 'O', 'U']));
        assert_eq!(parse(&code), Typed::Code(code.clone()));
        let printed = display(&code);
        assert_eq!(printed.len(), 14);
        assert_eq!(parse(&printed.to_lowercase()), Typed::Code(code.clone()));
        assert_eq!(parse(&format!(" {printed} ")), Typed::Code(code));
    }

    #[test]
    fn another_amount_or_another_key_gives_another_code() {
        let code = sign("key", &content(25_000));
        assert_ne!(code, sign("key", &content(250_000)));
        assert_ne!(code, sign("other key", &content(25_000)));
        assert_eq!(code, sign("key", &content(25_000)));
    }

    #[test]
    fn a_code_typed_with_one_character_wrong_is_mistyped_not_unknown() {
        let code = sign("key", &content(25_000));
        for i in 0..LEN {
            for c in ALPHABET.iter().map(|c| *c as char) {
                let mut typed: Vec<char> = code.chars().collect();
                if typed[i] == c {
                    continue;
                }
                let was = typed[i];
                typed[i] = c;
                let typed: String = typed.into_iter().collect();
                let far = ALPHABET
                    .iter()
                    .position(|a| *a as char == was)
                    .unwrap()
                    .abs_diff(ALPHABET.iter().position(|a| *a as char == c).unwrap());
                if far != 31 {
                    assert_eq!(parse(&typed), Typed::Mistyped, "{typed}");
                }
            }
        }
    }

    #[test]
    fn what_is_not_a_code_says_so() {
        assert_eq!(parse(""), Typed::Malformed);
        assert_eq!(parse("K7QM-2XD3"), Typed::Malformed);
        assert_eq!(parse("K7QM-2XD3-PA9U"), Typed::Malformed);
        assert_eq!(parse("<script>"), Typed::Malformed);
    }
}

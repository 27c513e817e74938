//! Passwords: argon2id with the crate's default parameters (19 MiB, 2 passes), and
//! the rule a new password must follow.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Why a new password is refused; each is an i18n key.
pub fn check_new(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err("password.too_short");
    }
    if n > MAX_LEN {
        return Err("password.too_long");
    }
    Ok(())
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

/// Checks a password against a stored hash. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing anybody knows: verified against when the account does not
/// exist, so that an unknown user costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&uuid::Uuid::new_v4().to_string()).expect("argon2 works"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert_eq!(check_new("short"), Err("password.too_short"));
        assert_eq!(check_new(&"x".repeat(200)), Err("password.too_long"));
        assert_eq!(check_new("long enough pass"), Ok(()));
    }
}

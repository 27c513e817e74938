//! What the session cookie holds: the user, when they logged in, a fingerprint of their
//! password (changing the password ends every other session), the CSRF token, and a
//! one-time flash message.

use actix_session::Session;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::UserId;

/// A login lasts at most this long, whatever the browser keeps.
pub const MAX_AGE_SECS: i64 = 12 * 3600;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub user: UserId,
    pub at: i64,
    pub epoch: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub key: String,
}

/// A short fingerprint of the password hash: it changes with the password.
pub fn epoch(password_hash: &str) -> String {
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..8])
}

pub fn login(session: &Session, user: UserId, password_hash: &str) {
    session.renew();
    let _ = session.insert(
        "login",
        Login {
            user,
            at: Utc::now().timestamp(),
            epoch: epoch(password_hash),
        },
    );
    let _ = session.insert("csrf", new_token());
}

pub fn current(session: &Session) -> Option<Login> {
    let login: Login = session.get("login").ok().flatten()?;
    let age = Utc::now().timestamp() - login.at;
    (0..MAX_AGE_SECS).contains(&age).then_some(login)
}

pub fn flash(session: &Session, kind: &str, key: &str) {
    let _ = session.insert(
        "flash",
        Flash {
            kind: kind.into(),
            key: key.into(),
        },
    );
}

pub fn take_flash(session: &Session) -> Option<Flash> {
    session.remove_as::<Flash>("flash").and_then(Result::ok)
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    match session.get::<String>("csrf") {
        Ok(Some(t)) => t,
        _ => {
            let t = new_token();
            let _ = session.insert("csrf", &t);
            t
        }
    }
}

pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

//! One-time links to set a password: "forgot my password", and the first password of
//! an account created by an administrator. Only the token's SHA-256 is stored.

use chrono::Duration;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::users::{self, User};
use crate::db::schema::password_resets;
use crate::db::DbConn;
use crate::ids::UserId;

pub const RESET_TTL: Duration = Duration::hours(1);
pub const WELCOME_TTL: Duration = Duration::days(7);

/// What is stored of a token: its SHA-256.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 32 random bytes, in hex: a token to mail.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Creates a token valid for `ttl` and returns it (to be mailed, never stored).
pub fn issue(conn: &mut DbConn, user: UserId, ttl: Duration) -> QueryResult<String> {
    let token = new_token();
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user),
            password_resets::token_hash.eq(token_hash(&token)),
            password_resets::expires_at.eq(crate::db::now() + ttl),
            password_resets::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// "I forgot my password": a link for the account of `email`, when there is one, it
/// may log in, and `may_mail` (the limit of mails per account) lets it have one more.
/// `None` otherwise, which the page does not tell apart.
pub fn request(
    conn: &mut DbConn,
    email: &str,
    may_mail: impl FnOnce(&str) -> bool,
) -> QueryResult<Option<(User, String)>> {
    let Some(user) = users::by_email(conn, email)? else {
        return Ok(None);
    };
    if user.disabled || !may_mail(&user.email) {
        return Ok(None);
    }
    let token = issue(conn, user.id, RESET_TTL)?;
    Ok(Some((user, token)))
}

/// The user a token is for, if it exists, is unused and has not expired.
pub fn check(conn: &mut DbConn, token: &str) -> QueryResult<Option<UserId>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(crate::db::now()))
        .select(password_resets::user_id)
        .get_result(conn)
        .optional()
}

/// Marks the token and every other open token of the same user as used.
pub fn consume(conn: &mut DbConn, user: UserId) -> QueryResult<()> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(crate::db::now())))
    .execute(conn)
    .map(|_| ())
}

//! Personal API tokens: what a collector's phone sends as `Authorization: Bearer <token>`.
//!
//! A token belongs to one user in one commune. It is made on the web or on the command
//! line, shown once, and only its hash is kept. It works while its holder may hold one
//! there ([`may_hold`]: a collector or an administrator of the commune, account not
//! disabled), and until it is revoked: an account that loses its role, or is disabled,
//! finds its tokens refused at the next request.
//!
//! **Why SHA-256 and not a password hash.** A password is guessable, so it is stored with
//! Argon2, slow on purpose. A token is 32 random bytes (256 bits): nobody can guess it,
//! nor find it back from a fast hash of it, so a slow hash would add nothing but about
//! 50 ms of work to every request. A plain SHA-256 also lets the database find the token
//! by its hash through a unique index, with no salt to try row by row.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{users, Role, User};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{api_tokens, communes};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{ApiTokenId, CommuneId, UserId};

/// What every token starts with, so that a secret scanner (or a person) knows one.
pub const PREFIX: &str = "cmn_";

/// The longest label ("Téléphone de Fatou, marché Sandaga").
pub const MAX_LABEL: usize = 60;

/// How long a token's "last used" may lag: it is written at most this often, so that
/// reading a token does not turn every request into a write.
pub const TOUCH_EVERY: Duration = Duration::minutes(5);

/// A token as listed (never its secret).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub commune_id: CommuneId,
    pub user_id: UserId,
    pub label: String,
    /// The token's last four characters, to tell tokens apart.
    pub hint: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Who may hold a token in a commune: a collector (the phone records payments) or an
/// administrator.
pub fn may_hold(roles: &[Role]) -> bool {
    roles.contains(&Role::Collector) || roles.contains(&Role::Admin)
}

/// The hash kept for a token.
fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new secret: [`PREFIX`] and 32 random bytes in URL-safe base64.
fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A token just made: its secret is shown once, then only its hash remains.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: ApiTokenId,
    pub secret: String,
}

/// Makes a token for `user` in `commune`, labelled `label`.
pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    user: UserId,
    label: &str,
    actor: &Actor,
) -> DomainResult<Created> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        return Err(Refusal::new("token.bad_label")
            .arg("max", MAX_LABEL)
            .on("label")
            .into());
    }
    let holder = users::by_id(conn, user)?;
    if holder.disabled || !may_hold(&users::roles_in(conn, user, commune)?) {
        return Err(Refusal::new("token.not_allowed").into());
    }
    let secret = new_secret();
    let hint: String = secret[secret.len() - 4..].to_string();
    let id: ApiTokenId = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::commune_id.eq(commune),
            api_tokens::user_id.eq(user),
            api_tokens::label.eq(label),
            api_tokens::token_hash.eq(hash(&secret)),
            api_tokens::hint.eq(&hint),
            api_tokens::created_at.eq(crate::db::now()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("token.create", "api_token", id).details(serde_json::json!({
            "user": user, "email": holder.email, "label": label, "hint": hint,
        })),
    )?;
    Ok(Created { id, secret })
}

/// Revokes a token of `commune`: one of `holder`'s own when given (the web page), any
/// of the commune's otherwise (the operator's command line). Revoking a revoked token
/// changes nothing.
pub fn revoke(
    conn: &mut DbConn,
    commune: CommuneId,
    holder: Option<UserId>,
    id: ApiTokenId,
    actor: &Actor,
) -> DomainResult<()> {
    let mut q = api_tokens::table
        .filter(api_tokens::commune_id.eq(commune))
        .filter(api_tokens::id.eq(id))
        .select(ApiToken::as_select())
        .into_boxed();
    if let Some(user) = holder {
        q = q.filter(api_tokens::user_id.eq(user));
    }
    let token = q
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Refusal::new("token.unknown").arg("id", id.0))?;
    if token.revoked_at.is_some() {
        return Ok(());
    }
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::revoked_at.eq(crate::db::now()))
        .execute(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("token.revoke", "api_token", id).details(serde_json::json!({
            "user": token.user_id, "label": token.label, "hint": token.hint,
        })),
    )?;
    Ok(())
}

/// The tokens of `commune`, newest first: `holder`'s only when given.
pub fn list(
    conn: &mut DbConn,
    commune: CommuneId,
    holder: Option<UserId>,
) -> QueryResult<Vec<ApiToken>> {
    let mut q = api_tokens::table
        .filter(api_tokens::commune_id.eq(commune))
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .into_boxed();
    if let Some(user) = holder {
        q = q.filter(api_tokens::user_id.eq(user));
    }
    q.load(conn)
}

/// What a token presented to `commune` is worth.
#[derive(Debug, Clone)]
pub enum Check {
    /// A live token of a user who may hold it here, with their roles in the commune;
    /// `stale` when its "last used" should be written again ([`touch`]).
    Holder {
        token: ApiTokenId,
        user: User,
        roles: Vec<Role>,
        stale: bool,
    },
    /// A live token, but of another commune.
    OtherCommune,
    /// Unknown, revoked, or its holder may no longer hold it.
    Refused,
}

/// Checks a token presented to `commune` at `now`.
pub fn check(
    conn: &mut DbConn,
    commune: CommuneId,
    secret: &str,
    now: NaiveDateTime,
) -> QueryResult<Check> {
    if !secret.starts_with(PREFIX) {
        return Ok(Check::Refused);
    }
    let found: Option<(ApiTokenId, CommuneId, UserId, Option<NaiveDateTime>)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(hash(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .select((
            api_tokens::id,
            api_tokens::commune_id,
            api_tokens::user_id,
            api_tokens::last_used_at,
        ))
        .get_result(conn)
        .optional()?;
    let Some((token, owner_commune, user, last_used)) = found else {
        return Ok(Check::Refused);
    };
    let user = users::by_id(conn, user)?;
    let roles = users::roles_in(conn, user.id, owner_commune)?;
    if user.disabled || !may_hold(&roles) {
        return Ok(Check::Refused);
    }
    if owner_commune != commune {
        return Ok(Check::OtherCommune);
    }
    Ok(Check::Holder {
        token,
        user,
        roles,
        stale: last_used.is_none_or(|t| now - t >= TOUCH_EVERY),
    })
}

/// Notes that a token was used at `now`.
pub fn touch(conn: &mut DbConn, token: ApiTokenId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(token))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// A user's tokens in every commune, for their account page: the commune's slug and
/// name beside each.
pub fn of_user(conn: &mut DbConn, user: UserId) -> QueryResult<Vec<(String, String, ApiToken)>> {
    api_tokens::table
        .inner_join(communes::table)
        .filter(api_tokens::user_id.eq(user))
        .order((communes::name.asc(), api_tokens::id.desc()))
        .select((communes::slug, communes::name, ApiToken::as_select()))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_long_random_prefixed_and_stored_only_as_its_hash() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX));
        assert_eq!(a.len(), PREFIX.len() + 43);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert!(!hash(&a).contains(&a[PREFIX.len()..]));
    }

    #[test]
    fn only_a_collector_or_an_administrator_may_hold_a_token() {
        for role in Role::ALL {
            assert_eq!(
                may_hold(&[*role]),
                matches!(role, Role::Collector | Role::Admin),
                "{role}"
            );
        }
        assert!(!may_hold(&[]));
    }
}

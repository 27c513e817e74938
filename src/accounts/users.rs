//! Users and the roles they hold in communes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use validator::ValidateEmail;

use super::Role;
use crate::audit::{self, Actor, Event};
use crate::db::schema::{communes, user_roles, users};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub locale: Option<String>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// Moves on at each logout and password change: a session cookie is good only while
    /// it carries the current one.
    #[serde(skip)]
    pub session_generation: i64,
}

/// The longest e-mail address there can be (RFC 5321: a path of 256 octets, less the
/// angle brackets).
pub const MAX_EMAIL: usize = 254;

/// E-mail addresses are compared trimmed and lowercased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Creates a user; `commune` is the commune whose audit log records it.
pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    email: &str,
    name: &str,
    password_hash: &str,
    actor: &Actor,
) -> DomainResult<UserId> {
    let email = normalise_email(email);
    if email.len() > MAX_EMAIL || !email.validate_email() {
        return Err(Refusal::new("user.bad_email").on("email").into());
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Refusal::new("user.bad_name").on("name").into());
    }
    if by_email(conn, &email)?.is_some() {
        return Err(Refusal::new("user.exists").on("email").into());
    }
    let id: UserId = diesel::insert_into(users::table)
        .values((
            users::email.eq(&email),
            users::name.eq(name),
            users::password_hash.eq(password_hash),
            users::disabled.eq(false),
            users::created_at.eq(crate::db::now()),
        ))
        .returning(users::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("user.create", "user", id)
            .details(serde_json::json!({ "email": email, "name": name })),
    )?;
    Ok(id)
}

/// An account that stands for the system where a person is expected (the payments a
/// mobile-money provider confirms are "received by" one): the account of `email`,
/// created on first use, disabled and with no password (a stored hash no password
/// matches, see [`super::password::verify`]). With no role either, no one logs in to it,
/// gets a reset link for it, or sees it among the commune's members.
pub fn system_account(
    conn: &mut DbConn,
    commune: CommuneId,
    email: &str,
    name: &str,
    actor: &Actor,
) -> DomainResult<UserId> {
    if let Some(user) = by_email(conn, email)? {
        return Ok(user.id);
    }
    let id = create(conn, commune, email, name, NO_PASSWORD, actor)?;
    diesel::update(users::table.find(id))
        .set(users::disabled.eq(true))
        .execute(conn)?;
    Ok(id)
}

/// What a system account keeps as its password hash: not a hash at all.
const NO_PASSWORD: &str = "!";

pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, id: UserId) -> QueryResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .get_result(conn)
}

/// The roles `user` holds in `commune`, in the order of [`Role::ALL`].
pub fn roles_in(conn: &mut DbConn, user: UserId, commune: CommuneId) -> QueryResult<Vec<Role>> {
    let names: Vec<String> = user_roles::table
        .filter(user_roles::user_id.eq(user))
        .filter(user_roles::commune_id.eq(commune))
        .select(user_roles::role)
        .load(conn)?;
    let mut roles: Vec<Role> = names.iter().filter_map(|n| Role::parse(n)).collect();
    roles.sort();
    Ok(roles)
}

/// One commune where a user holds roles.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub commune_id: CommuneId,
    pub slug: String,
    pub name: String,
    pub roles: Vec<Role>,
}

pub fn memberships(conn: &mut DbConn, user: UserId) -> QueryResult<Vec<Membership>> {
    let rows: Vec<(CommuneId, String, String, String)> = user_roles::table
        .inner_join(communes::table)
        .filter(user_roles::user_id.eq(user))
        .order((communes::name.asc(), user_roles::role.asc()))
        .select((
            communes::id,
            communes::slug,
            communes::name,
            user_roles::role,
        ))
        .load(conn)?;
    let mut out: Vec<Membership> = Vec::new();
    for (commune_id, slug, name, role) in rows {
        let Some(role) = Role::parse(&role) else {
            continue;
        };
        match out.last_mut() {
            Some(m) if m.commune_id == commune_id => m.roles.push(role),
            _ => out.push(Membership {
                commune_id,
                slug,
                name,
                roles: vec![role],
            }),
        }
    }
    for m in &mut out {
        m.roles.sort();
    }
    Ok(out)
}

/// A commune's users with the roles each holds there.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub user: User,
    pub roles: Vec<Role>,
}

pub fn members(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Member>> {
    let rows: Vec<(User, String)> = user_roles::table
        .inner_join(users::table)
        .filter(user_roles::commune_id.eq(commune))
        .order((users::name.asc(), users::id.asc()))
        .select((User::as_select(), user_roles::role))
        .load(conn)?;
    let mut out: Vec<Member> = Vec::new();
    for (user, role) in rows {
        let Some(role) = Role::parse(&role) else {
            continue;
        };
        match out.last_mut() {
            Some(m) if m.user.id == user.id => m.roles.push(role),
            _ => out.push(Member {
                user,
                roles: vec![role],
            }),
        }
    }
    for m in &mut out {
        m.roles.sort();
    }
    Ok(out)
}

/// Grants a role; granting one already held changes nothing and returns `false`.
pub fn grant(
    conn: &mut DbConn,
    user: UserId,
    commune: CommuneId,
    role: Role,
    actor: &Actor,
) -> QueryResult<bool> {
    if roles_in(conn, user, commune)?.contains(&role) {
        return Ok(false);
    }
    diesel::insert_into(user_roles::table)
        .values((
            user_roles::user_id.eq(user),
            user_roles::commune_id.eq(commune),
            user_roles::role.eq(role),
            user_roles::granted_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("role.grant", "user", user).details(serde_json::json!({ "role": role })),
    )?;
    Ok(true)
}

/// Revokes a role; returns `false` when it was not held.
pub fn revoke(
    conn: &mut DbConn,
    user: UserId,
    commune: CommuneId,
    role: Role,
    actor: &Actor,
) -> QueryResult<bool> {
    let n = diesel::delete(
        user_roles::table
            .filter(user_roles::user_id.eq(user))
            .filter(user_roles::commune_id.eq(commune))
            .filter(user_roles::role.eq(role)),
    )
    .execute(conn)?;
    if n > 0 {
        audit::append(
            conn,
            commune,
            actor,
            Event::new("role.revoke", "user", user).details(serde_json::json!({ "role": role })),
        )?;
    }
    Ok(n > 0)
}

/// Sets a new password hash, recorded in the log of every commune where the user
/// holds a role, and ends every session of the user ([`end_sessions`]). Returns the
/// new session generation.
pub fn set_password(
    conn: &mut DbConn,
    user: UserId,
    password_hash: &str,
    how: &str,
    actor: &Actor,
) -> QueryResult<i64> {
    diesel::update(users::table.find(user))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)?;
    let generation = end_sessions(conn, user)?;
    for m in memberships(conn, user)? {
        audit::append(
            conn,
            m.commune_id,
            actor,
            Event::new("user.password_change", "user", user)
                .details(serde_json::json!({ "how": how })),
        )?;
    }
    Ok(generation)
}

/// Ends every session of the user, wherever its cookie was copied: each cookie carries
/// the generation it was given at login, and this moves the generation on. Returns the
/// new one.
pub fn end_sessions(conn: &mut DbConn, user: UserId) -> QueryResult<i64> {
    diesel::update(users::table.find(user))
        .set(users::session_generation.eq(users::session_generation + 1))
        .returning(users::session_generation)
        .get_result(conn)
}

pub fn set_locale(conn: &mut DbConn, user: UserId, locale: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set(users::locale.eq(Some(locale)))
        .execute(conn)
        .map(|_| ())
}

/// The names of some users, by id (for pages that credit people, such as a proposal's
/// authors).
pub fn names(
    conn: &mut DbConn,
    ids: &[UserId],
) -> QueryResult<std::collections::HashMap<UserId, String>> {
    use crate::db::schema::users;
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load::<(UserId, String)>(conn)?
        .into_iter()
        .collect())
}

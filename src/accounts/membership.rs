//! Who holds a role in a commune, and how they come to hold it: the one workflow the
//! administrator's page, the command line and the demo share.
//!
//! - [`add`] (the command line, the demo: an operator on the server): creates the
//!   account if it does not exist, then grants the role.
//! - [`invite`] (an administrator on the web): a new address gets an account and a link
//!   to choose its password; an existing account is only *invited*, and its owner
//!   accepts by mail ([`accept`]), so that no administrator can attach someone else's
//!   account to their commune, or learn that it exists: both cases answer alike.
//! - Nobody grants a role to themselves.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::resets::{new_token, token_hash};
use super::{resets, users, Role};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{communes, invitations, users as u};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, InvitationId, UserId};

/// How long an invitation can be accepted.
pub const INVITATION_TTL: Duration = Duration::days(7);

/// What [`add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new account, with the role.
    Created(UserId),
    /// An existing account, given the role.
    Granted(UserId),
    /// The account held the role already.
    AlreadyHeld(UserId),
}

/// Creates the account of `email` if there is none (with `password_hash`), then grants
/// it `role` in `commune`.
pub fn add(
    conn: &mut DbConn,
    commune: CommuneId,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    actor: &Actor,
) -> DomainResult<Added> {
    let user = match users::by_email(conn, email)? {
        Some(existing) => existing.id,
        None => {
            let id = users::create(conn, commune, email, name, password_hash, actor)?;
            users::grant(conn, id, commune, role, actor)?;
            return Ok(Added::Created(id));
        }
    };
    refuse_self(actor, user)?;
    Ok(if users::grant(conn, user, commune, role, actor)? {
        Added::Granted(user)
    } else {
        Added::AlreadyHeld(user)
    })
}

/// What the administrator's invitation leads to; the page answers the same for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// A new account: mail it the link to choose its password (a reset token).
    NewAccount { email: String, token: String },
    /// An existing account: mail its owner the link to accept.
    Existing {
        email: String,
        name: String,
        token: String,
    },
    /// The account holds the role already: nothing to send.
    Nothing,
}

/// Invites `email` into `role` in `commune`, by the administrator `actor`.
pub fn invite(
    conn: &mut DbConn,
    commune: CommuneId,
    email: &str,
    name: &str,
    role: Role,
    unusable_hash: &str,
    actor: &Actor,
) -> DomainResult<Invited> {
    let Some(existing) = users::by_email(conn, email)? else {
        let id = users::create(conn, commune, email, name, unusable_hash, actor)?;
        users::grant(conn, id, commune, role, actor)?;
        let token = resets::issue(conn, id, resets::WELCOME_TTL)?;
        return Ok(Invited::NewAccount {
            email: users::normalise_email(email),
            token,
        });
    };
    refuse_self(actor, existing.id)?;
    if users::roles_in(conn, existing.id, commune)?.contains(&role) {
        return Ok(Invited::Nothing);
    }
    let token = new_token();
    let id: InvitationId = diesel::insert_into(invitations::table)
        .values((
            invitations::commune_id.eq(commune),
            invitations::user_id.eq(existing.id),
            invitations::role.eq(role),
            invitations::token_hash.eq(token_hash(&token)),
            invitations::invited_by.eq(actor.id),
            invitations::expires_at.eq(crate::db::now() + INVITATION_TTL),
            invitations::created_at.eq(crate::db::now()),
        ))
        .returning(invitations::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("role.invite", "invitation", id)
            .details(serde_json::json!({ "user": existing.id, "role": role })),
    )?;
    Ok(Invited::Existing {
        email: existing.email,
        name: existing.name,
        token,
    })
}

/// Nobody grants a role to themselves: an administrator who wants another role asks
/// another administrator, so that no one alone can both assess and approve.
pub fn refuse_self(actor: &Actor, user: UserId) -> Result<(), Refusal> {
    if actor.id == Some(user) {
        return Err(Refusal::new("admin.users.self_grant"));
    }
    Ok(())
}

/// An invitation as its page shows it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub commune: String,
    pub commune_slug: String,
    pub role: Role,
    pub user_id: UserId,
    pub user_name: String,
    pub expires_at: NaiveDateTime,
}

/// The open invitation of `token`: not accepted and not expired.
pub fn invitation(conn: &mut DbConn, token: &str) -> QueryResult<Option<Invitation>> {
    invitations::table
        .inner_join(communes::table)
        .inner_join(u::table.on(u::id.eq(invitations::user_id)))
        .filter(invitations::token_hash.eq(token_hash(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(crate::db::now()))
        .select((
            invitations::id,
            communes::name,
            communes::slug,
            invitations::role,
            invitations::user_id,
            u::name,
            invitations::expires_at,
        ))
        .get_result(conn)
        .optional()
}

/// Accepts the invitation of `token`: its account gets the role.
pub fn accept(conn: &mut DbConn, token: &str) -> DomainResult<Invitation> {
    let inv = invitation(conn, token)?.ok_or_else(|| Refusal::new("invitation.invalid"))?;
    let commune: CommuneId = invitations::table
        .find(inv.id)
        .select(invitations::commune_id)
        .get_result(conn)?;
    let email: String = u::table
        .find(inv.user_id)
        .select(u::email)
        .get_result(conn)?;
    let actor = Actor::user(inv.user_id, &email);
    diesel::update(invitations::table.find(inv.id))
        .set(invitations::accepted_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    users::grant(conn, inv.user_id, commune, inv.role, &actor)?;
    Ok(inv)
}

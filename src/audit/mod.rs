//! The audit log: append-only, one SHA-256 hash chain per commune.
//!
//! Each entry's hash covers the previous entry's hash and every field of the entry,
//! so editing, inserting or deleting any entry breaks the chain from that point on.
//! The commune row keeps the sequence number and hash of the newest entry, so that
//! cutting entries off the end is caught too. Entries are written by [`append`] inside
//! the caller's transaction: the change and its record commit together or not at all.

mod verify;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::{audit_log, communes};
use crate::db::DbConn;
use crate::ids::{AuditEntryId, CommuneId, UserId};

pub use verify::{verify, Break, Report};

/// Who did something: a user, or the system (CLI, seed, a scheduled job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<UserId>,
    pub label: String,
}

impl Actor {
    pub fn user(id: UserId, email: &str) -> Actor {
        Actor {
            id: Some(id),
            label: email.to_string(),
        }
    }

    pub fn system(what: &str) -> Actor {
        Actor {
            id: None,
            label: format!("system:{what}"),
        }
    }
}

/// One entry as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    pub id: AuditEntryId,
    pub commune_id: CommuneId,
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What a change records about itself.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str, entity: &'a str, entity_id: impl ToString) -> Self {
        Event {
            action,
            entity,
            entity_id: entity_id.to_string(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// The fields a hash covers, in a fixed order.
pub struct Hashed<'a> {
    pub commune_id: CommuneId,
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub details: &'a str,
}

/// `hex(SHA-256(prev_hash ‖ "\n" ‖ JSON array of the fields))`. JSON quoting makes the
/// encoding unambiguous: no two different entries share a preimage.
pub fn entry_hash(prev_hash: &str, e: &Hashed<'_>) -> String {
    let fields = serde_json::json!([
        e.commune_id.0,
        e.seq,
        e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        e.actor_id.map(|u| u.0),
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.details,
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(fields.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Appends one entry to the commune's chain. Call it inside the transaction of the
/// change it records ([`crate::db::write_tx`]).
pub fn append(
    conn: &mut DbConn,
    commune: CommuneId,
    actor: &Actor,
    event: Event<'_>,
) -> QueryResult<i64> {
    // Taking the next number also locks the commune row until commit (PostgreSQL);
    // SQLite write transactions are already serialised by `BEGIN IMMEDIATE`.
    let (seq, prev_hash): (i64, String) = diesel::update(communes::table.find(commune))
        .set(communes::audit_seq.eq(communes::audit_seq + 1))
        .returning((communes::audit_seq, communes::audit_head))
        .get_result(conn)?;
    // Microseconds: what both backends store exactly.
    let at = crate::db::now();
    let details = event.details.to_string();
    let hash = entry_hash(
        &prev_hash,
        &Hashed {
            commune_id: commune,
            seq,
            at,
            actor_id: actor.id,
            actor: &actor.label,
            action: event.action,
            entity: event.entity,
            entity_id: &event.entity_id,
            details: &details,
        },
    );
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::commune_id.eq(commune),
            audit_log::seq.eq(seq),
            audit_log::at.eq(at),
            audit_log::actor_id.eq(actor.id),
            audit_log::actor.eq(&actor.label),
            audit_log::action.eq(event.action),
            audit_log::entity.eq(event.entity),
            audit_log::entity_id.eq(&event.entity_id),
            audit_log::details.eq(&details),
            audit_log::prev_hash.eq(&prev_hash),
            audit_log::hash.eq(&hash),
        ))
        .execute(conn)?;
    diesel::update(communes::table.find(commune))
        .set(communes::audit_head.eq(&hash))
        .execute(conn)?;
    Ok(seq)
}

/// The newest entries first, `limit` per page, starting below sequence `before`.
pub fn page(
    conn: &mut DbConn,
    commune: CommuneId,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    let mut q = audit_log::table
        .filter(audit_log::commune_id.eq(commune))
        .order(audit_log::seq.desc())
        .limit(limit)
        .select(Entry::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(audit_log::seq.lt(b));
    }
    q.load(conn)
}

//! Recomputes a commune's chain and names the first entry that does not match.

use diesel::prelude::*;
use serde::Serialize;

use super::{entry_hash, Entry, Hashed};
use crate::db::schema::{audit_log, communes};
use crate::db::DbConn;
use crate::ids::CommuneId;

/// The first place where the stored log and its recomputation disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// Sequence number of the first entry that does not match.
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub entries: i64,
    pub head: String,
    pub first_break: Option<Break>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.first_break.is_none()
    }
}

const BATCH: i64 = 5_000;

pub fn verify(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Report> {
    let (head_seq, head): (i64, String) = communes::table
        .find(commune)
        .select((communes::audit_seq, communes::audit_head))
        .get_result(conn)?;
    let mut prev_hash = String::new();
    let mut expected_seq = 1;
    loop {
        let batch: Vec<Entry> = audit_log::table
            .filter(audit_log::commune_id.eq(commune))
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(BATCH)
            .select(Entry::as_select())
            .load(conn)?;
        let done = (batch.len() as i64) < BATCH;
        for e in &batch {
            if let Some(problem) = check(e, expected_seq, &prev_hash) {
                return Ok(broken(
                    expected_seq.min(e.seq),
                    problem,
                    expected_seq - 1,
                    head,
                ));
            }
            prev_hash = e.hash.clone();
            expected_seq += 1;
        }
        if done {
            break;
        }
    }
    let count = expected_seq - 1;
    let first_break = if count != head_seq || prev_hash != head {
        let problem = if count < head_seq {
            format!("the log ends at entry {count} but the commune records {head_seq} entries: entries were removed from the end")
        } else {
            format!("the newest entry ({count}) does not match the chain head the commune records ({head_seq})")
        };
        Some(Break {
            seq: count.min(head_seq) + 1,
            problem,
        })
    } else {
        None
    };
    Ok(Report {
        entries: count,
        head,
        first_break,
    })
}

fn broken(seq: i64, problem: String, entries: i64, head: String) -> Report {
    Report {
        entries,
        head,
        first_break: Some(Break { seq, problem }),
    }
}

fn check(e: &Entry, expected_seq: i64, prev_hash: &str) -> Option<String> {
    if e.seq != expected_seq {
        return Some(format!(
            "entry {expected_seq} is missing (next stored entry is {})",
            e.seq
        ));
    }
    if e.prev_hash != prev_hash {
        return Some(format!(
            "entry {} does not link to the entry before it (previous hash differs)",
            e.seq
        ));
    }
    let computed = entry_hash(
        prev_hash,
        &Hashed {
            commune_id: e.commune_id,
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            actor: &e.actor,
            action: &e.action,
            entity: &e.entity,
            entity_id: &e.entity_id,
            details: &e.details,
        },
    );
    (computed != e.hash).then(|| {
        format!(
            "entry {} ({} on {} {}) was altered: its content does not match its hash",
            e.seq, e.action, e.entity, e.entity_id
        )
    })
}

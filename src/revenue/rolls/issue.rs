//! Issuing a draft roll: from then on it is the legal basis of collection, and it
//! cannot change.

use chrono::NaiveDate;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::{by_id, Roll, RollStatus};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{assessments, rolls, tax_types as tt};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, RollId, TaxpayerId};
use crate::revenue::Seen;

/// Issues a draft roll, if it is still the one the officer saw. The audit log records a
/// digest of every line.
pub fn issue(
    conn: &mut DbConn,
    commune: CommuneId,
    roll: RollId,
    seen: Seen,
    actor: &Actor,
) -> DomainResult<Roll> {
    // Under the lock, the roll compared is the roll issued.
    crate::communes::lock(conn, commune)?;
    let r = by_id(conn, commune, roll)?;
    if r.is_issued() {
        return Err(Refusal::new("roll.issued_immutable").into());
    }
    if r.line_count == 0 {
        return Err(Refusal::new("roll.empty").into());
    }
    if (r.line_count, r.total) != (seen.lines, seen.total) {
        return Err(Refusal::new("finance.roll.changed").into());
    }
    let digest = lines_digest(conn, roll)?;
    diesel::update(rolls::table.find(roll))
        .set((
            rolls::status.eq(RollStatus::Issued),
            rolls::issued_by.eq(actor.id),
            rolls::issued_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    let code: String = tt::table
        .find(r.tax_type_id)
        .select(tt::code)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("roll.issue", "roll", roll).details(serde_json::json!({
            "tax": code, "year": r.fiscal_year, "lines": r.line_count, "total": r.total,
            "lines_sha256": digest,
        })),
    )?;
    Ok(by_id(conn, commune, roll)?)
}

/// SHA-256 over `reference;taxpayer;amount;due_date` of every line, in reference order:
/// an auditor can recompute it from the exported roll.
pub fn lines_digest(conn: &mut DbConn, roll: RollId) -> QueryResult<String> {
    let mut h = Sha256::new();
    let mut after = String::new();
    loop {
        let batch: Vec<(String, TaxpayerId, i64, NaiveDate)> = assessments::table
            .filter(assessments::roll_id.eq(roll))
            .filter(assessments::kind.eq("principal"))
            .filter(assessments::reference.gt(&after))
            .order(assessments::reference.asc())
            .limit(5_000)
            .select((
                assessments::reference,
                assessments::taxpayer_id,
                assessments::amount,
                assessments::due_date,
            ))
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.0.clone();
        for (reference, taxpayer, amount, due) in &batch {
            h.update(format!("{reference};{taxpayer};{amount};{due}\n").as_bytes());
        }
    }
    Ok(hex::encode(h.finalize()))
}

//! Adjustments to issued lines: reductions, increases, exemptions and cancellations.
//! One finance officer asks, a second one decides; the same person never does both
//! (the database refuses it too), and both are in the audit log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::assess::text_enum;
use crate::audit::{self, Actor, Event};
use crate::db::schema::{adjustments, assessments, payment_allocations, rolls, taxpayers, users};
use crate::db::DbConn;
use crate::ids::{AdjustmentId, AssessmentId, CommuneId, TaxpayerId, UserId};

text_enum!(
    AdjustmentKind { Reduction = "reduction", Increase = "increase", Exemption = "exemption", Cancellation = "cancellation" }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = adjustments)]
pub struct Adjustment {
    pub id: AdjustmentId,
    pub commune_id: CommuneId,
    pub assessment_id: AssessmentId,
    pub kind: String,
    pub amount: i64,
    pub reason: String,
    pub status: String,
    pub requested_by: UserId,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AdjustError {
    #[error("the line belongs to a draft roll: change the draft instead")]
    DraftRoll,
    #[error("the amount must be a whole number of francs above zero")]
    BadAmount,
    #[error("a reduction cannot exceed what is still owed on the line")]
    TooLarge,
    #[error("a reason is required")]
    NoReason,
    #[error("nothing is owed on this line")]
    NothingOwed,
    #[error("the person who asked for an adjustment cannot decide it")]
    SamePerson,
    #[error("this adjustment was already decided")]
    Decided,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl AdjustError {
    pub fn message_key(&self) -> &'static str {
        match self {
            AdjustError::DraftRoll => "adjustment.draft_roll",
            AdjustError::BadAmount => "adjustment.bad_amount",
            AdjustError::TooLarge => "adjustment.too_large",
            AdjustError::NoReason => "adjustment.no_reason",
            AdjustError::NothingOwed => "adjustment.nothing_owed",
            AdjustError::SamePerson => "adjustment.same_person",
            AdjustError::Decided => "adjustment.decided",
            AdjustError::Db(_) => "error.internal",
        }
    }
}

/// What is still owed on a line: its amount plus approved adjustments, less what
/// payments settled. A reduction, exemption or cancellation takes off at most this, so
/// no line owes less than nothing (money already paid is not given back here).
pub fn outstanding(conn: &mut DbConn, line: AssessmentId) -> QueryResult<i64> {
    let amount: i64 = assessments::table
        .find(line)
        .select(assessments::amount)
        .first(conn)?;
    let adjusted: Vec<i64> = adjustments::table
        .filter(adjustments::assessment_id.eq(line))
        .filter(adjustments::status.eq("approved"))
        .select(adjustments::amount)
        .load(conn)?;
    let paid: Vec<i64> = payment_allocations::table
        .filter(payment_allocations::assessment_id.eq(line))
        .select(payment_allocations::amount)
        .load(conn)?;
    Ok(amount + adjusted.iter().sum::<i64>() - paid.iter().sum::<i64>())
}

/// What a finance officer asks for. `amount` is the size of a reduction or an increase
/// in francs; an exemption or a cancellation takes off everything still owed.
#[derive(Debug, Clone)]
pub struct Request {
    pub line: AssessmentId,
    pub kind: AdjustmentKind,
    pub amount: Option<i64>,
    pub reason: String,
}

pub fn request(
    conn: &mut DbConn,
    commune: CommuneId,
    req: &Request,
    actor: &Actor,
    requester: UserId,
) -> Result<AdjustmentId, AdjustError> {
    let (line, kind, amount) = (req.line, req.kind, req.amount);
    crate::communes::lock(conn, commune)?;
    let (roll_status, reference): (String, String) = assessments::table
        .inner_join(rolls::table)
        .filter(assessments::commune_id.eq(commune))
        .filter(assessments::id.eq(line))
        .select((rolls::status, assessments::reference))
        .first(conn)?;
    if roll_status != "issued" {
        return Err(AdjustError::DraftRoll);
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(AdjustError::NoReason);
    }
    let owed = outstanding(conn, line)?;
    let delta = match kind {
        AdjustmentKind::Reduction => {
            let a = amount.filter(|a| *a > 0).ok_or(AdjustError::BadAmount)?;
            if a > owed {
                return Err(AdjustError::TooLarge);
            }
            -a
        }
        AdjustmentKind::Increase => amount.filter(|a| *a > 0).ok_or(AdjustError::BadAmount)?,
        AdjustmentKind::Exemption | AdjustmentKind::Cancellation => {
            if owed <= 0 {
                return Err(AdjustError::NothingOwed);
            }
            -owed
        }
    };
    let id: AdjustmentId = diesel::insert_into(adjustments::table)
        .values((
            adjustments::commune_id.eq(commune),
            adjustments::assessment_id.eq(line),
            adjustments::kind.eq(kind.as_str()),
            adjustments::amount.eq(delta),
            adjustments::reason.eq(reason),
            adjustments::status.eq("pending"),
            adjustments::requested_by.eq(requester),
            adjustments::requested_at.eq(crate::db::now()),
        ))
        .returning(adjustments::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("adjustment.request", "adjustment", id).details(serde_json::json!({
            "line": reference, "kind": kind.as_str(), "amount": delta, "reason": reason,
        })),
    )?;
    Ok(id)
}

/// Approves or rejects a pending adjustment; the decider must not be the requester.
pub fn decide(
    conn: &mut DbConn,
    commune: CommuneId,
    id: AdjustmentId,
    approve: bool,
    actor: &Actor,
    decider: UserId,
) -> Result<Adjustment, AdjustError> {
    crate::communes::lock(conn, commune)?;
    let adj: Adjustment = adjustments::table
        .filter(adjustments::commune_id.eq(commune))
        .find(id)
        .select(Adjustment::as_select())
        .first(conn)?;
    if adj.status != "pending" {
        return Err(AdjustError::Decided);
    }
    if adj.requested_by == decider {
        return Err(AdjustError::SamePerson);
    }
    if approve && adj.amount < 0 && -adj.amount > outstanding(conn, adj.assessment_id)? {
        return Err(AdjustError::TooLarge);
    }
    let status = if approve { "approved" } else { "rejected" };
    diesel::update(adjustments::table.find(id))
        .set((
            adjustments::status.eq(status),
            adjustments::decided_by.eq(Some(decider)),
            adjustments::decided_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    let requester: String = users::table
        .find(adj.requested_by)
        .select(users::email)
        .first(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new(
            if approve {
                "adjustment.approve"
            } else {
                "adjustment.reject"
            },
            "adjustment",
            id,
        )
        .details(serde_json::json!({
            "line": adj.assessment_id, "kind": adj.kind, "amount": adj.amount,
            "requested_by": requester, "decided_by": actor.label,
        })),
    )?;
    Ok(adjustments::table
        .find(id)
        .select(Adjustment::as_select())
        .first(conn)?)
}

/// A pending adjustment as the approval page shows it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct PendingRow {
    pub id: AdjustmentId,
    pub kind: String,
    pub amount: i64,
    pub reason: String,
    pub line_reference: String,
    pub line_amount: i64,
    pub taxpayer_id: TaxpayerId,
    pub taxpayer_name: String,
    pub requested_by: UserId,
    pub requester: String,
    pub requested_at: NaiveDateTime,
}

pub fn pending(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<PendingRow>> {
    adjustments::table
        .inner_join(assessments::table.inner_join(taxpayers::table))
        .inner_join(users::table.on(users::id.eq(adjustments::requested_by)))
        .filter(adjustments::commune_id.eq(commune))
        .filter(adjustments::status.eq("pending"))
        .order(adjustments::requested_at.asc())
        .select((
            adjustments::id,
            adjustments::kind,
            adjustments::amount,
            adjustments::reason,
            assessments::reference,
            assessments::amount,
            taxpayers::id,
            taxpayers::name,
            adjustments::requested_by,
            users::name,
            adjustments::requested_at,
        ))
        .load(conn)
}

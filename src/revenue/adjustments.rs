//! Adjustments to issued lines: reductions, increases, exemptions and cancellations.
//! One finance officer asks, a second one decides; the same person never does both
//! (the database refuses it too), and both are in the audit log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, taxpayers, users,
};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AdjustmentId, AssessmentId, CommuneId, TaxpayerId, UserId};
use crate::money::Xof;

crate::text_enum!(
    pub AdjustmentKind { Reduction = "reduction", Increase = "increase", Exemption = "exemption", Cancellation = "cancellation" }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = adjustments)]
pub struct Adjustment {
    pub id: AdjustmentId,
    pub commune_id: CommuneId,
    pub assessment_id: AssessmentId,
    pub kind: AdjustmentKind,
    pub amount: Xof,
    pub reason: String,
    pub status: String,
    pub requested_by: UserId,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
}

/// The longest reason kept: a sentence or two, as a decision needs.
pub const MAX_REASON: usize = 500;

fn refused(key: &'static str) -> crate::error::DomainError {
    Refusal::new(key).into()
}

/// What is still owed on a line: its amount plus approved adjustments, less what
/// payments settled. A reduction, exemption or cancellation takes off at most this, so
/// no line owes less than nothing (money already paid is not given back here).
pub fn outstanding(conn: &mut DbConn, line: AssessmentId) -> DomainResult<Xof> {
    let amount: Xof = assessments::table
        .find(line)
        .select(assessments::amount)
        .get_result(conn)?;
    let adjusted: Vec<Xof> = adjustments::table
        .filter(adjustments::assessment_id.eq(line))
        .filter(adjustments::status.eq("approved"))
        .select(adjustments::amount)
        .load(conn)?;
    // A cancelled receipt's payment counts for nothing.
    let paid: Vec<Xof> = payment_allocations::table
        .inner_join(payments::table)
        .filter(payment_allocations::assessment_id.eq(line))
        .filter(payments::status.ne(super::method::Status::Cancelled))
        .select(payment_allocations::amount)
        .load(conn)?;
    let too_large = || Refusal::new("ledger.too_large");
    let plus = Xof::checked_sum(std::iter::once(amount).chain(adjusted)).ok_or_else(too_large)?;
    let minus = Xof::checked_sum(paid).ok_or_else(too_large)?;
    Ok(plus.checked_sub(minus).ok_or_else(too_large)?)
}

/// What a finance officer asks for. `amount` is the size of a reduction or an increase
/// in francs; an exemption or a cancellation takes off everything still owed.
#[derive(Debug, Clone)]
pub struct Request {
    pub line: AssessmentId,
    pub kind: AdjustmentKind,
    pub amount: Option<Xof>,
    pub reason: String,
}

pub fn request(
    conn: &mut DbConn,
    commune: CommuneId,
    req: &Request,
    actor: &Actor,
    requester: UserId,
) -> DomainResult<AdjustmentId> {
    let (line, kind, amount) = (req.line, req.kind, req.amount);
    crate::communes::lock(conn, commune)?;
    let (roll_status, reference): (String, String) = assessments::table
        .inner_join(rolls::table)
        .filter(assessments::commune_id.eq(commune))
        .filter(assessments::id.eq(line))
        .select((rolls::status, assessments::reference))
        .get_result(conn)?;
    if roll_status != "issued" {
        return Err(refused("adjustment.draft_roll"));
    }
    let reason = crate::fields::text(&req.reason, MAX_REASON).map_err(|r| match r.key {
        crate::fields::keys::REQUIRED => Refusal::new("adjustment.no_reason").on("reason"),
        _ => Refusal::new("adjustment.reason_too_long")
            .arg("max", MAX_REASON)
            .on("reason"),
    })?;
    let owed = outstanding(conn, line)?;
    let delta = match kind {
        AdjustmentKind::Reduction => {
            let a = amount
                .filter(|a| a.0 > 0)
                .ok_or_else(|| refused("adjustment.bad_amount"))?;
            if a > owed {
                return Err(refused("adjustment.too_large"));
            }
            Xof(-a.0)
        }
        AdjustmentKind::Increase => amount
            .filter(|a| a.0 > 0 && *a <= Xof::MAX_ENTRY)
            .ok_or_else(|| refused("adjustment.bad_amount"))?,
        AdjustmentKind::Exemption | AdjustmentKind::Cancellation => {
            if owed.0 <= 0 {
                return Err(refused("adjustment.nothing_owed"));
            }
            Xof(-owed.0)
        }
    };
    let id: AdjustmentId = diesel::insert_into(adjustments::table)
        .values((
            adjustments::commune_id.eq(commune),
            adjustments::assessment_id.eq(line),
            adjustments::kind.eq(kind),
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
            "line": reference, "kind": kind, "amount": delta, "reason": reason,
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
) -> DomainResult<Adjustment> {
    crate::communes::lock(conn, commune)?;
    let adj: Adjustment = adjustments::table
        .filter(adjustments::commune_id.eq(commune))
        .find(id)
        .select(Adjustment::as_select())
        .get_result(conn)?;
    if adj.status != "pending" {
        return Err(refused("adjustment.decided"));
    }
    if adj.requested_by == decider {
        return Err(refused("adjustment.same_person"));
    }
    if approve && adj.amount.0 < 0 && -adj.amount.0 > outstanding(conn, adj.assessment_id)?.0 {
        return Err(refused("adjustment.too_large"));
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
        .get_result(conn)?;
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
        .get_result(conn)?)
}

/// A pending adjustment as the approval page shows it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct PendingRow {
    pub id: AdjustmentId,
    pub kind: AdjustmentKind,
    pub amount: Xof,
    pub reason: String,
    pub line_reference: String,
    pub line_amount: Xof,
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

//! **Cancelling a receipt**, four eyes: the treasurer asks, with a reason the auditor
//! will read; a second person approves or refuses. Nothing is deleted: the approval
//! marks the receipt cancelled, and from then on its payment counts for nothing, so the
//! amount is owed again on the taxpayer's balance (or leaves the fee's collection, for
//! a ticket). The receipt stays listed, as cancelled, and its verify page says so.
//!
//! Neither the person who asks nor the one who received the money may approve; the
//! collector who received it may not ask either. A receipt already reconciled with the
//! bank is not cancelled: the money is in the account, and a refund is another act.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::Status;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{payment_cancellations, payments, taxpayers, users};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CancellationId, CommuneId, PaymentId, UserId};
use crate::money::Xof;

/// The shortest reason accepted.
pub const MIN_REASON: usize = 10;
/// The longest reason kept.
pub const MAX_REASON: usize = 500;

/// Who did what to a receipt, for the pure rules below.
#[derive(Debug, Clone, Copy)]
pub struct Parties {
    pub received_by: UserId,
    pub requested_by: UserId,
}

/// The rule on asking: a reason of 10 to 500 characters, a receipt still valid and not
/// reconciled, and not asked by the one who received the money.
pub fn check_request(
    reason: &str,
    status: Status,
    received_by: UserId,
    asker: UserId,
) -> Result<(), Refusal> {
    let n = reason.trim().chars().count();
    if n < MIN_REASON {
        return Err(Refusal::new("cancel.reason_short")
            .arg("min", MIN_REASON)
            .on("reason"));
    }
    if n > MAX_REASON {
        return Err(Refusal::new("cancel.reason_long")
            .arg("max", MAX_REASON)
            .on("reason"));
    }
    match status {
        Status::Cancelled => return Err(Refusal::new("cancel.already")),
        Status::Reconciled => return Err(Refusal::new("cancel.reconciled")),
        Status::Recorded | Status::Deposited => {}
    }
    if received_by == asker {
        return Err(Refusal::new("cancel.own_receipt"));
    }
    Ok(())
}

/// The rule on deciding: a second person, who did not receive the money either.
pub fn check_decision(parties: Parties, decider: UserId) -> Result<(), Refusal> {
    if decider == parties.requested_by {
        return Err(Refusal::new("cancel.same_person"));
    }
    if decider == parties.received_by {
        return Err(Refusal::new("cancel.own_receipt"));
    }
    Ok(())
}

/// Asks to cancel a receipt. Call it in a write transaction.
pub fn request(
    conn: &mut DbConn,
    commune: &Commune,
    payment: PaymentId,
    reason: &str,
    actor: &Actor,
    asker: UserId,
) -> DomainResult<CancellationId> {
    communes::lock(conn, commune.id)?;
    let (receipt, status, received_by): (String, Status, UserId) = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::id.eq(payment))
        .select((
            payments::receipt_number,
            payments::status,
            payments::received_by,
        ))
        .get_result(conn)?;
    check_request(reason, status, received_by, asker)?;
    let open: i64 = payment_cancellations::table
        .filter(payment_cancellations::payment_id.eq(payment))
        .filter(payment_cancellations::status.eq("pending"))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(Refusal::new("cancel.pending").into());
    }
    let id: CancellationId = diesel::insert_into(payment_cancellations::table)
        .values((
            payment_cancellations::commune_id.eq(commune.id),
            payment_cancellations::payment_id.eq(payment),
            payment_cancellations::reason.eq(reason.trim()),
            payment_cancellations::requested_by.eq(asker),
            payment_cancellations::requested_at.eq(crate::db::now()),
        ))
        .returning(payment_cancellations::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("receipt.cancel_request", "payment", payment).details(
            serde_json::json!({ "receipt": receipt, "reason": reason.trim(), "request": id }),
        ),
    )?;
    Ok(id)
}

/// Approves (`approve`) or refuses a pending cancellation; an approval cancels the
/// receipt. Call it in a write transaction.
pub fn decide(
    conn: &mut DbConn,
    commune: &Commune,
    id: CancellationId,
    approve: bool,
    actor: &Actor,
    decider: UserId,
) -> DomainResult<PaymentId> {
    communes::lock(conn, commune.id)?;
    let (payment, requested_by, status): (PaymentId, UserId, String) = payment_cancellations::table
        .filter(payment_cancellations::commune_id.eq(commune.id))
        .filter(payment_cancellations::id.eq(id))
        .select((
            payment_cancellations::payment_id,
            payment_cancellations::requested_by,
            payment_cancellations::status,
        ))
        .get_result(conn)?;
    if status != "pending" {
        return Err(Refusal::new("cancel.decided").into());
    }
    let (receipt, received_by, amount): (String, UserId, Xof) = payments::table
        .find(payment)
        .select((
            payments::receipt_number,
            payments::received_by,
            payments::amount,
        ))
        .get_result(conn)?;
    check_decision(
        Parties {
            received_by,
            requested_by,
        },
        decider,
    )?;
    diesel::update(payment_cancellations::table.find(id))
        .set((
            payment_cancellations::status.eq(if approve { "approved" } else { "rejected" }),
            payment_cancellations::decided_by.eq(decider),
            payment_cancellations::decided_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    if approve {
        diesel::update(payments::table.find(payment))
            .set(payments::status.eq(Status::Cancelled))
            .execute(conn)?;
    }
    let action = if approve {
        "receipt.cancel"
    } else {
        "receipt.cancel_refuse"
    };
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new(action, "payment", payment)
            .details(serde_json::json!({ "receipt": receipt, "amount": amount, "request": id })),
    )?;
    Ok(payment)
}

/// A cancellation as the treasurer's list shows it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Pending {
    pub id: CancellationId,
    pub payment: PaymentId,
    pub receipt_number: String,
    pub amount: Xof,
    /// The taxpayer's name, or a ticket's payer: who would owe the amount again.
    pub payer: Option<String>,
    pub reason: String,
    pub requested_by: UserId,
    pub requested_by_name: String,
    pub requested_at: NaiveDateTime,
}

/// The cancellations waiting for a second person, oldest first.
pub fn pending(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Pending>> {
    payment_cancellations::table
        .inner_join(payments::table)
        .left_join(taxpayers::table.on(payments::taxpayer_id.eq(taxpayers::id.nullable())))
        .inner_join(users::table.on(users::id.eq(payment_cancellations::requested_by)))
        .filter(payment_cancellations::commune_id.eq(commune))
        .filter(payment_cancellations::status.eq("pending"))
        .order(payment_cancellations::id.asc())
        .select((
            payment_cancellations::id,
            payment_cancellations::payment_id,
            payments::receipt_number,
            payments::amount,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                "COALESCE(taxpayers.name, payments.payer)",
            ),
            payment_cancellations::reason,
            payment_cancellations::requested_by,
            users::name,
            payment_cancellations::requested_at,
        ))
        .load(conn)
}

/// The open or approved cancellation of a payment, if any: `(id, status, reason)`.
pub fn of_payment(
    conn: &mut DbConn,
    payment: PaymentId,
) -> QueryResult<Option<(CancellationId, String, String)>> {
    payment_cancellations::table
        .filter(payment_cancellations::payment_id.eq(payment))
        .filter(payment_cancellations::status.ne("rejected"))
        .select((
            payment_cancellations::id,
            payment_cancellations::status,
            payment_cancellations::reason,
        ))
        .get_result(conn)
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREASURER: UserId = UserId(1);
    const SECOND: UserId = UserId(2);
    const COLLECTOR: UserId = UserId(3);

    #[test]
    fn asking_needs_a_reason_and_a_receipt_still_valid() {
        let key = |reason: &str, status| {
            check_request(reason, status, COLLECTOR, TREASURER)
                .err()
                .map(|r| r.key)
        };
        assert_eq!(key("erreur de saisie du montant", Status::Recorded), None);
        assert_eq!(key("erreur de saisie du montant", Status::Deposited), None);
        assert_eq!(key("erreur", Status::Recorded), Some("cancel.reason_short"));
        assert_eq!(
            key(&"x".repeat(501), Status::Recorded),
            Some("cancel.reason_long")
        );
        assert_eq!(
            key("erreur de saisie du montant", Status::Cancelled),
            Some("cancel.already")
        );
        assert_eq!(
            key("erreur de saisie du montant", Status::Reconciled),
            Some("cancel.reconciled")
        );
    }

    #[test]
    fn the_collector_never_asks_nor_approves_and_the_asker_never_approves() {
        assert_eq!(
            check_request("erreur de saisie", Status::Recorded, COLLECTOR, COLLECTOR)
                .unwrap_err()
                .key,
            "cancel.own_receipt"
        );
        let parties = Parties {
            received_by: COLLECTOR,
            requested_by: TREASURER,
        };
        assert_eq!(
            check_decision(parties, TREASURER).unwrap_err().key,
            "cancel.same_person"
        );
        assert_eq!(
            check_decision(parties, COLLECTOR).unwrap_err().key,
            "cancel.own_receipt"
        );
        assert!(check_decision(parties, SECOND).is_ok());
    }
}

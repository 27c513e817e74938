//! The treasurer (*comptable*) resolves a disputed payment: a provider took the payer's
//! money, and Commune credited no one ([`super::settle`]). Having looked the
//! transaction up in the provider's merchant portal, the treasurer either
//!
//! - **credits** it ([`credit`]): the money reached the commune's account, so it is
//!   recorded as any mobile-money payment is, through the same function a settlement
//!   uses ([`settle::record`]): channel and method mobile money, the provider's
//!   transaction as its reference, on the intent's taxpayer (or the record it was
//!   merged into), received by the *Paiements mobiles* account, with its numbered
//!   receipt and verification code. The intent succeeds, with that receipt;
//! - or marks it **refunded** ([`refund`]): the provider gave (or will give) the money
//!   back to the payer. Nothing is credited; a note saying how and when is required.
//!   The intent ends `refunded`.
//!
//! **What a credit records, and when it is refused.** A credit records exactly what the
//! provider reported paid, never another figure: the receipt then matches the provider's
//! transaction line for line, which is what the bank reconciliation checks (a receipt of
//! another amount would never reconcile), and the treasurer types no amount. So:
//! - a payment reported in another currency, or whose amount cannot be read as whole
//!   francs (or a dispute from before the reported amount was kept), cannot be credited;
//! - a payment above what the taxpayer owes now cannot be credited either, not even up
//!   to the balance: a payment never exceeds the balance (the payments' own rule, see
//!   [`payments::plan`](crate::revenue::payments::plan)), and crediting part of it would
//!   leave the rest in the commune's account with no receipt. The refusal says so, with
//!   both figures, and points to the refund: the payer, refunded, pays the balance again;
//! - a dispute whose transaction another intent holds already (the same transaction
//!   reported twice) cannot be credited: it would be credited twice.
//!
//! **Once.** Both run under the commune's lock ([`communes::lock`]) in the caller's
//! write transaction and read the intent again there: of two treasurers who click at
//! once, the second finds it resolved and is refused with what the first did. The
//! database keeps a succeeded or refunded intent, and its resolution, from changing.
//!
//! **Who.** Only a treasurer (the route says so, and [`credit`] and [`refund`] check the
//! roles again, as a cash-up's validation does). Each resolution is in the audit log
//! (`mobile_money.credit`, `mobile_money.refund`), beside the `payment.record` of the
//! receipt a credit issues.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::settle::{self, read_amount};
use super::{get, Intent, IntentStatus};
use crate::accounts::{users, Role};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::payment_intents;
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{CommuneId, PaymentIntentId, UserId};
use crate::money::Xof;
use crate::revenue::payments::Issued;

/// The longest note kept on a resolution.
pub const MAX_NOTE: usize = 500;

/// A dispute resolved, as the treasurer's report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub intent: Intent,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    /// The treasurer who resolved it.
    pub resolver: String,
    /// The receipt a credit issued.
    pub receipt: Option<String>,
}

/// The commune's disputes resolved, newest first, `limit` at most.
pub fn recent(conn: &mut DbConn, commune: CommuneId, limit: i64) -> QueryResult<Vec<Resolved>> {
    use crate::db::schema::{payments as p, taxpayers as t, users as u};
    let rows: Vec<(Intent, String, String, String, Option<String>)> = payment_intents::table
        .inner_join(t::table)
        .inner_join(u::table)
        .left_join(p::table)
        .filter(payment_intents::commune_id.eq(commune))
        .filter(payment_intents::resolved_at.is_not_null())
        .order((
            payment_intents::resolved_at.desc(),
            payment_intents::id.desc(),
        ))
        .limit(limit)
        .select((
            Intent::as_select(),
            t::reference,
            t::name,
            u::name,
            p::receipt_number.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(intent, taxpayer_ref, taxpayer_name, resolver, receipt)| Resolved {
                intent,
                taxpayer_ref,
                taxpayer_name,
                resolver,
                receipt,
            },
        )
        .collect())
}

/// Credits a disputed intent with what the provider reported paid: the receipt it
/// issues. `note` may be empty. Call it in a write transaction.
pub fn credit(
    conn: &mut DbConn,
    commune: &Commune,
    id: PaymentIntentId,
    note: &str,
    today: NaiveDate,
    actor: &Actor,
    treasurer: UserId,
) -> DomainResult<Issued> {
    let note = noted(note, false)?;
    let intent = disputed(conn, commune, id, treasurer)?;
    let (transaction, paid) = creditable(&intent)?;
    let issued = settle::record(conn, commune, &intent, (&transaction, paid), today, actor)
        .map_err(|e| match e {
            DomainError::Refused(r) if r.key == "payment.above_balance" => {
                let balance = r.args.into_iter().find(|(k, _)| *k == "balance");
                let mut refusal = Refusal::new("mobile.resolve.above_balance").arg("paid", paid);
                if let Some((k, v)) = balance {
                    refusal = refusal.arg(k, v);
                }
                refusal.into()
            }
            DomainError::Refused(r) if r.key == "payment.nothing_owed" => {
                Refusal::new("mobile.resolve.nothing_owed").into()
            }
            e => e,
        })?;
    diesel::update(payment_intents::table.find(id))
        .set((
            payment_intents::status.eq(IntentStatus::Succeeded),
            payment_intents::payment_id.eq(issued.id),
            resolution(treasurer, note),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("mobile_money.credit", "payment_intent", id).details(serde_json::json!({
            "reference": intent.reference, "provider": intent.provider,
            "transaction": transaction, "problem": intent.problem,
            "asked": intent.amount, "credited": paid, "receipt": issued.receipt_number,
            "note": note,
        })),
    )?;
    Ok(issued)
}

/// What a credit of `intent` would record: the provider's transaction and the francs it
/// reported paid; refused when the provider's report cannot become a receipt (the
/// balance is checked by the credit itself).
pub fn creditable(intent: &Intent) -> Result<(String, Xof), Refusal> {
    let Some(transaction) = intent.transaction_id.clone() else {
        return Err(Refusal::new("mobile.resolve.no_transaction"));
    };
    let currency = intent.reported_currency.as_deref().unwrap_or("").trim();
    if !currency.eq_ignore_ascii_case(&intent.currency) {
        return Err(Refusal::new("mobile.resolve.other_currency").arg("currency", currency));
    }
    match intent.reported_amount.as_deref().and_then(read_amount) {
        Some(paid) if paid.0 > 0 => Ok((transaction, paid)),
        _ => Err(Refusal::new("mobile.resolve.amount_unknown")),
    }
}

/// Marks a disputed intent refunded to the payer, with the treasurer's `note` (required):
/// nothing is credited. Call it in a write transaction.
pub fn refund(
    conn: &mut DbConn,
    commune: &Commune,
    id: PaymentIntentId,
    note: &str,
    actor: &Actor,
    treasurer: UserId,
) -> DomainResult<()> {
    let note = noted(note, true)?;
    let intent = disputed(conn, commune, id, treasurer)?;
    diesel::update(payment_intents::table.find(id))
        .set((
            payment_intents::status.eq(IntentStatus::Refunded),
            resolution(treasurer, note),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("mobile_money.refund", "payment_intent", id).details(serde_json::json!({
            "reference": intent.reference, "provider": intent.provider,
            "transaction": intent.transaction_id, "problem": intent.problem,
            "asked": intent.amount,
            "reported": { "amount": intent.reported_amount, "currency": intent.reported_currency },
            "note": note,
        })),
    )?;
    Ok(())
}

/// The columns a resolution sets.
#[allow(clippy::type_complexity)]
fn resolution(
    treasurer: UserId,
    note: Option<&str>,
) -> (
    diesel::dsl::Eq<payment_intents::resolved_by, UserId>,
    diesel::dsl::Eq<payment_intents::resolved_at, chrono::NaiveDateTime>,
    diesel::dsl::Eq<payment_intents::resolution_note, Option<&str>>,
    diesel::dsl::Eq<payment_intents::updated_at, chrono::NaiveDateTime>,
) {
    let now = crate::db::now();
    (
        payment_intents::resolved_by.eq(treasurer),
        payment_intents::resolved_at.eq(now),
        payment_intents::resolution_note.eq(note),
        payment_intents::updated_at.eq(now),
    )
}

/// The note, trimmed: refused when too long, or empty and `required`.
fn noted(note: &str, required: bool) -> Result<Option<&str>, Refusal> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(Refusal::new("mobile.resolve.note_long")
            .arg("max", MAX_NOTE)
            .on("note"));
    }
    if note.is_empty() && required {
        return Err(Refusal::new("mobile.resolve.note_needed").on("note"));
    }
    Ok(Some(note).filter(|n| !n.is_empty()))
}

/// Under the commune's lock, the intent of the commune, read again: refused unless it is
/// still disputed, or unless `treasurer` is one.
fn disputed(
    conn: &mut DbConn,
    commune: &Commune,
    id: PaymentIntentId,
    treasurer: UserId,
) -> DomainResult<Intent> {
    communes::lock(conn, commune.id)?;
    let intent = get(conn, id)?;
    if intent.commune_id != commune.id {
        return Err(DomainError::Db(diesel::result::Error::NotFound));
    }
    if !users::roles_in(conn, treasurer, commune.id)?.contains(&Role::Treasurer) {
        return Err(Refusal::new("mobile.resolve.not_treasurer").into());
    }
    match intent.status {
        IntentStatus::Disputed => Ok(intent),
        IntentStatus::Succeeded if intent.resolved_by.is_some() => {
            Err(Refusal::new("mobile.resolve.already_credited").into())
        }
        IntentStatus::Refunded => Err(Refusal::new("mobile.resolve.already_refunded").into()),
        _ => Err(Refusal::new("mobile.resolve.not_disputed").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refund_needs_a_note_and_a_credit_does_not() {
        assert_eq!(
            noted("  ", true).map_err(|r| r.key),
            Err("mobile.resolve.note_needed")
        );
        assert_eq!(noted("  ", false), Ok(None));
        assert_eq!(noted(" Remboursé ", true), Ok(Some("Remboursé")));
        assert_eq!(
            noted(&"x".repeat(MAX_NOTE + 1), false).map_err(|r| r.key),
            Err("mobile.resolve.note_long")
        );
    }
}

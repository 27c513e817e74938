//! Settling an intent on the provider's word: the state machine ([`next`]), and
//! [`apply`], which moves the intent on and records the payment it becomes.
//!
//! The rules, whatever the order and however often the news arrives:
//! - a succeeded or refunded intent never moves again (the database refuses it too), and
//!   a disputed one waits for the treasurer ([`super::resolve`]);
//! - "paid" with the intent's amount and currency succeeds it, from pending, and also
//!   from failed or expired (the money has left the payer's wallet: it is credited);
//! - "paid" with another amount or currency disputes it: nothing is credited, the
//!   difference is logged in the audit log;
//! - "failed" or "expired" only end a pending intent; "pending" changes nothing.
//!
//! The payment is recorded with [`payments::record`] under a token derived from the
//! intent ([`super::token`]), so that two settlements of one intent, even concurrent
//! ones, issue one receipt; its reference is the provider's transaction, which the
//! payments table holds once per commune.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{end, get, token, IntentStatus, ProviderKind, Reported};
use crate::accounts::users;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{mobile_money_events, payment_intents};
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CommuneId, PaymentIntentId, UserId};
use crate::money::Xof;
use crate::revenue::payments::{self, Channel, Issued, Method, NewPayment};
use crate::revenue::taxpayers;

/// What the provider's word does to an intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing.
    Keep,
    /// Paid as asked: record the payment.
    Succeed {
        transaction: String,
    },
    Fail {
        reason: String,
    },
    Expire,
    /// Paid, but not as asked: credit nothing; `problem` is a message key.
    Dispute {
        transaction: String,
        problem: &'static str,
    },
}

/// The state machine: what `reported` does to an intent in `status`, for `amount` in
/// `currency`.
pub fn next(status: IntentStatus, amount: Xof, currency: &str, reported: &Reported) -> Step {
    use IntentStatus as S;
    if matches!(status, S::Succeeded | S::Disputed | S::Refunded) {
        return Step::Keep;
    }
    match reported {
        Reported::Pending => Step::Keep,
        Reported::Failed { reason } if status == S::Pending => Step::Fail {
            reason: reason.clone(),
        },
        Reported::Expired if status == S::Pending => Step::Expire,
        Reported::Failed { .. } | Reported::Expired => Step::Keep,
        Reported::Succeeded {
            transaction,
            amount: paid,
            currency: paid_in,
        } => {
            let transaction = transaction.clone();
            if !paid_in.trim().eq_ignore_ascii_case(currency) {
                Step::Dispute {
                    transaction,
                    problem: "mobile.problem.currency",
                }
            } else if read_amount(paid) != Some(amount) {
                Step::Dispute {
                    transaction,
                    problem: "mobile.problem.amount",
                }
            } else {
                Step::Succeed { transaction }
            }
        }
    }
}

/// An amount as providers write it: `"5000"`, `"5000.00"`; a fraction of a franc is no
/// amount of francs.
pub(super) fn read_amount(text: &str) -> Option<Xof> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b == b'0')
    {
        return None;
    }
    whole.parse().ok().map(Xof)
}

/// What [`apply`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub step: Step,
    /// The receipt, when the intent is (or was already) paid.
    pub issued: Option<Issued>,
}

impl Applied {
    /// In a word, for the events table and the logs.
    pub fn outcome(&self) -> &'static str {
        match &self.step {
            Step::Keep => "unchanged",
            Step::Succeed { .. } => "succeeded",
            Step::Fail { .. } => "failed",
            Step::Expire => "expired",
            Step::Dispute { .. } => "disputed",
        }
    }
}

/// Moves the intent on as the provider reports, once: under the commune's lock, the
/// intent is read again and [`next`] decides. A success records the payment (a refusal
/// of it, such as an amount now above the balance, disputes the intent instead). Call it
/// in a write transaction.
pub fn apply(
    conn: &mut DbConn,
    commune: &Commune,
    id: PaymentIntentId,
    reported: &Reported,
    today: NaiveDate,
) -> DomainResult<Applied> {
    communes::lock(conn, commune.id)?;
    let intent = get(conn, id)?;
    if intent.commune_id != commune.id {
        return Err(DomainError::Db(diesel::result::Error::NotFound));
    }
    let actor = Actor::system(&format!("mobile_money_{}", intent.provider));
    let step = next(intent.status, intent.amount, &intent.currency, reported);
    let now = crate::db::now();
    let target = payment_intents::table.find(id);
    let issued = match &step {
        Step::Keep => match intent.payment_id {
            Some(p) => Some(payments::issued(conn, commune.id, p)?),
            None => None,
        },
        Step::Succeed { transaction } => {
            let paid = intent.amount;
            match refused(record(
                conn,
                commune,
                &intent,
                (transaction, paid),
                today,
                &actor,
            ))? {
                Ok(issued) => {
                    diesel::update(target)
                        .set((
                            payment_intents::status.eq(IntentStatus::Succeeded),
                            payment_intents::payment_id.eq(issued.id),
                            payment_intents::transaction_id.eq(transaction),
                            payment_intents::problem.eq(None::<String>),
                            payment_intents::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    Some(issued)
                }
                Err(refusal) => {
                    let step = Step::Dispute {
                        transaction: transaction.clone(),
                        problem: "mobile.problem.not_credited",
                    };
                    dispute(
                        conn,
                        commune,
                        &intent,
                        &step,
                        reported,
                        Some(refusal),
                        &actor,
                    )?;
                    return Ok(Applied { step, issued: None });
                }
            }
        }
        Step::Fail { reason } => {
            end(conn, id, IntentStatus::Failed, "mobile.problem.failed")?;
            audit::append(
                conn,
                commune.id,
                &actor,
                Event::new("mobile_money.fail", "payment_intent", id).details(serde_json::json!({
                    "reference": intent.reference, "amount": intent.amount, "reason": reason,
                })),
            )?;
            None
        }
        Step::Expire => {
            expire(conn, commune.id, &intent.reference, id, &actor)?;
            None
        }
        Step::Dispute { .. } => {
            dispute(conn, commune, &intent, &step, reported, None, &actor)?;
            None
        }
    };
    Ok(Applied { step, issued })
}

/// Records the payment an intent becomes: `amount`, paid by the provider's
/// `transaction`, received by the *Paiements mobiles* account on behalf of `actor`.
/// Refused as any payment is (the balance changed meanwhile, the transaction already
/// paid another receipt).
pub(super) fn record(
    conn: &mut DbConn,
    commune: &Commune,
    intent: &super::Intent,
    (transaction, amount): (&str, Xof),
    today: NaiveDate,
    actor: &Actor,
) -> DomainResult<Issued> {
    let user = system_account(conn, commune, actor)?;
    // A record merged away since: the payment goes to the record it joined.
    let holder = taxpayers::by_id(conn, commune.id, intent.taxpayer_id)?;
    let taxpayer = holder.merged_into.unwrap_or(holder.id);
    let payment = NewPayment {
        taxpayer,
        amount,
        method: Method::MobileMoney,
        reference: Some(transaction.to_string()),
        token: token(&intent.reference),
        paid_on: None,
        channel: Channel::MobileMoney,
    };
    payments::record(conn, commune, &payment, today, actor, user)
}

/// A refusal as its key; any other error stays one.
fn refused<T>(done: DomainResult<T>) -> DomainResult<Result<T, &'static str>> {
    match done {
        Ok(t) => Ok(Ok(t)),
        Err(DomainError::Refused(r)) => Ok(Err(r.key)),
        Err(DomainError::Invalid(list)) => Ok(Err(list.first().map_or("", |r| r.key))),
        Err(e) => Err(e),
    }
}

/// Marks the intent disputed and logs what the provider reported against what was
/// asked (and, when the payment itself was refused, the refusal's key).
fn dispute(
    conn: &mut DbConn,
    commune: &Commune,
    intent: &super::Intent,
    step: &Step,
    reported: &Reported,
    refusal: Option<&str>,
    actor: &Actor,
) -> DomainResult<()> {
    let Step::Dispute {
        transaction,
        problem,
    } = step
    else {
        return Ok(());
    };
    // The provider's transaction is kept, unless another intent holds it already.
    let taken: bool = diesel::select(diesel::dsl::exists(
        payment_intents::table
            .filter(payment_intents::provider.eq(intent.provider))
            .filter(payment_intents::transaction_id.eq(transaction))
            .filter(payment_intents::id.ne(intent.id)),
    ))
    .get_result(conn)?;
    let (paid, paid_in) = match reported {
        Reported::Succeeded {
            amount, currency, ..
        } => (amount.as_str(), currency.as_str()),
        _ => ("", ""),
    };
    // Kept as the provider wrote them (a credit reads them again), within reason.
    let short = |s: &str| s.trim().chars().take(40).collect::<String>();
    diesel::update(payment_intents::table.find(intent.id))
        .set((
            payment_intents::status.eq(IntentStatus::Disputed),
            payment_intents::problem.eq(*problem),
            payment_intents::transaction_id.eq((!taken).then_some(transaction)),
            payment_intents::reported_amount.eq(short(paid)),
            payment_intents::reported_currency.eq(short(paid_in)),
            payment_intents::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    tracing::warn!(
        reference = %intent.reference, expected = intent.amount.0, paid, paid_in, problem,
        "a mobile-money payment refused: nothing credited"
    );
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("mobile_money.dispute", "payment_intent", intent.id).details(
            serde_json::json!({
                "reference": intent.reference, "provider": intent.provider,
                "transaction": transaction, "problem": problem, "refusal": refusal,
                "expected": { "amount": intent.amount, "currency": intent.currency },
                "reported": { "amount": paid, "currency": paid_in },
            }),
        ),
    )?;
    Ok(())
}

/// Ends a pending intent nobody paid.
pub(super) fn expire(
    conn: &mut DbConn,
    commune: CommuneId,
    reference: &str,
    id: PaymentIntentId,
    actor: &Actor,
) -> QueryResult<()> {
    if end(conn, id, IntentStatus::Expired, "mobile.problem.expired")? {
        audit::append(
            conn,
            commune,
            actor,
            Event::new("mobile_money.expire", "payment_intent", id)
                .details(serde_json::json!({ "reference": reference })),
        )?;
    }
    Ok(())
}

/// The commune's *Paiements mobiles* account, which the payments providers confirm
/// are received by (created on first use; see [`users::system_account`]).
pub fn system_account(conn: &mut DbConn, commune: &Commune, actor: &Actor) -> DomainResult<UserId> {
    users::system_account(
        conn,
        commune.id,
        &format!("paiements-mobiles@{}.invalid", commune.slug),
        "Paiements mobiles",
        actor,
    )
}

/// Whether the provider's event was processed before.
pub fn seen(conn: &mut DbConn, provider: ProviderKind, event: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mobile_money_events::table
            .filter(mobile_money_events::provider.eq(provider))
            .filter(mobile_money_events::event_id.eq(event)),
    ))
    .get_result(conn)
}

/// Remembers a processed event and what it did.
pub fn note_event(
    conn: &mut DbConn,
    commune: CommuneId,
    provider: ProviderKind,
    event: &str,
    kind: &str,
    intent: Option<PaymentIntentId>,
    outcome: &str,
) -> QueryResult<()> {
    diesel::insert_into(mobile_money_events::table)
        .values((
            mobile_money_events::commune_id.eq(commune),
            mobile_money_events::provider.eq(provider),
            mobile_money_events::event_id.eq(event),
            mobile_money_events::kind.eq(kind.chars().take(80).collect::<String>()),
            mobile_money_events::intent_id.eq(intent),
            mobile_money_events::outcome.eq(outcome),
            mobile_money_events::received_at.eq(crate::db::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntentStatus as S;

    fn paid(amount: &str, currency: &str) -> Reported {
        Reported::Succeeded {
            transaction: "T1".into(),
            amount: amount.into(),
            currency: currency.into(),
        }
    }

    fn failed() -> Reported {
        Reported::Failed {
            reason: "refused".into(),
        }
    }

    const ASKED: Xof = Xof(5000);

    #[test]
    fn a_payment_as_asked_succeeds_a_pending_failed_or_expired_intent() {
        let succeed = Step::Succeed {
            transaction: "T1".into(),
        };
        for from in [S::Pending, S::Failed, S::Expired] {
            assert_eq!(next(from, ASKED, "XOF", &paid("5000", "XOF")), succeed);
        }
        assert_eq!(
            next(S::Pending, ASKED, "XOF", &paid("5000.00", "xof")),
            succeed
        );
    }

    #[test]
    fn nothing_moves_a_succeeded_intent_back_nor_a_disputed_one() {
        for from in [S::Succeeded, S::Disputed, S::Refunded] {
            for reported in [
                Reported::Pending,
                failed(),
                Reported::Expired,
                paid("5000", "XOF"),
                paid("1", "EUR"),
            ] {
                assert_eq!(
                    next(from, ASKED, "XOF", &reported),
                    Step::Keep,
                    "{from:?} {reported:?}"
                );
            }
        }
    }

    #[test]
    fn failed_and_expired_only_end_a_pending_intent_and_pending_changes_nothing() {
        assert!(matches!(
            next(S::Pending, ASKED, "XOF", &failed()),
            Step::Fail { .. }
        ));
        assert_eq!(
            next(S::Pending, ASKED, "XOF", &Reported::Expired),
            Step::Expire
        );
        assert_eq!(
            next(S::Failed, ASKED, "XOF", &Reported::Expired),
            Step::Keep
        );
        assert_eq!(next(S::Expired, ASKED, "XOF", &failed()), Step::Keep);
        for from in [S::Pending, S::Failed, S::Expired] {
            assert_eq!(next(from, ASKED, "XOF", &Reported::Pending), Step::Keep);
        }
    }

    #[test]
    fn another_amount_or_currency_is_disputed_and_credits_nothing() {
        let dispute = |problem| Step::Dispute {
            transaction: "T1".into(),
            problem,
        };
        for amount in [
            "4999", "5001", "50000", "5000.50", "", "5 000", "-5000", "abc",
        ] {
            assert_eq!(
                next(S::Pending, ASKED, "XOF", &paid(amount, "XOF")),
                dispute("mobile.problem.amount"),
                "{amount:?}"
            );
        }
        assert_eq!(
            next(S::Pending, ASKED, "XOF", &paid("5000", "EUR")),
            dispute("mobile.problem.currency")
        );
        assert_eq!(
            next(S::Expired, ASKED, "XOF", &paid("5000", "")),
            dispute("mobile.problem.currency")
        );
    }

    #[test]
    fn amounts_read_as_whole_francs() {
        assert_eq!(read_amount("5000"), Some(Xof(5000)));
        assert_eq!(read_amount(" 5000.00 "), Some(Xof(5000)));
        assert_eq!(read_amount("5000."), Some(Xof(5000)));
        assert_eq!(read_amount("5000.5"), None);
        assert_eq!(read_amount(".5"), None);
        assert_eq!(read_amount("+5"), None);
    }
}

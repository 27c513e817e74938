//! Mobile money: a payer pays part or all of their balance from their phone, through a
//! provider the commune uses (Wave in Senegal, MTN MoMo in Benin), with **one payment
//! intent that knows nothing of the provider**.
//!
//! 1. [`open`] writes a pending intent: who pays, how much, through which provider, and
//!    the commune's reference that goes to the provider (random: the public status page
//!    it names cannot be guessed).
//! 2. The provider is asked ([`Provider::start`]): Wave answers with a checkout page the
//!    payer is sent to; MoMo answers 202 and the payer confirms on their phone.
//! 3. The provider's word comes back as a [`Reported`] status, by whichever way comes
//!    first: Wave's signed webhook ([`wave`]), MoMo's unsigned callback (never believed:
//!    it only makes Commune ask MoMo), or polling ([`poll`]), because MoMo calls back
//!    once, without retry, and the callback may never come.
//! 4. [`settle::apply`] moves the intent on once, whatever the order and however often
//!    the news arrives ([`settle::next`] is the state machine): a success records the
//!    payment through [`payments::record`](super::payments::record), with the
//!    provider's transaction as its reference and a token derived from the intent, so
//!    that settling twice records once; a reported amount or currency other than the
//!    intent's is refused, logged and credited to no one: the intent is disputed.
//! 5. The treasurer resolves a disputed intent ([`resolve`]), having looked the
//!    transaction up at the provider's: credited (a receipt of what the provider reported
//!    paid, the intent succeeds) or refunded to the payer, with a note (the intent ends
//!    `refunded`, nothing credited).
//!
//! The payments are "received by" a per-commune system account, *Paiements mobiles*
//! ([`settle::system_account`]): disabled, without password or role, it is the
//! collector no one can log in as, and its receipts never mix with a collector's cash.

pub mod poll;
pub mod provider;
pub mod resolve;
pub mod settle;
pub mod statement;
pub mod wave;

mod momo;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::payments::{self, Channel, Method, NewPayment};
use super::taxpayers;
use crate::communes::Commune;
use crate::db::schema::payment_intents;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, PaymentId, PaymentIntentId, TaxpayerId, UserId};
use crate::money::Xof;

pub use momo::Momo;
pub use provider::{Next, Provider, ProviderError, Providers, Reported, StartRequest, Started};
pub use wave::Wave;

crate::text_enum!(
    /// The providers Commune speaks to.
    pub ProviderKind {
        Wave = "wave",
        MtnMomo = "mtn_momo",
    }
);

impl ProviderKind {
    /// The name payers know it by.
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::Wave => "Wave",
            ProviderKind::MtnMomo => "MTN MoMo",
        }
    }

    /// The payer confirms on their phone, whose number the commune must give.
    pub fn needs_phone(self) -> bool {
        self == ProviderKind::MtnMomo
    }
}

crate::text_enum!(
    /// Where an intent stands.
    pub IntentStatus {
        /// Waiting for the provider's word.
        Pending = "pending",
        /// Paid: the payment is recorded (never moves again).
        Succeeded = "succeeded",
        /// The provider says the payer refused, or could not pay.
        Failed = "failed",
        /// Nothing heard for [`poll::EXPIRE_AFTER_HOURS`] hours.
        Expired = "expired",
        /// The provider reports a payment the intent cannot take (another amount or
        /// currency, more than is owed): nothing is credited; the treasurer settles it
        /// ([`resolve`]): credited, it succeeds; otherwise it is refunded.
        Disputed = "disputed",
        /// A disputed payment the treasurer marked refunded to the payer: nothing is
        /// credited (never moves again).
        Refunded = "refunded",
    }
);

/// A payment intent, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = payment_intents)]
pub struct Intent {
    pub id: PaymentIntentId,
    pub commune_id: CommuneId,
    pub provider: ProviderKind,
    pub taxpayer_id: TaxpayerId,
    pub amount: Xof,
    pub currency: String,
    /// The commune's reference, sent to the provider.
    pub reference: String,
    /// The provider's own reference (Wave's checkout session, MoMo's X-Reference-Id).
    pub provider_ref: Option<String>,
    /// The provider's transaction, once paid.
    pub transaction_id: Option<String>,
    pub payer_phone: Option<String>,
    pub status: IntentStatus,
    /// Why it failed or is disputed: a message key.
    pub problem: Option<String>,
    pub payment_id: Option<PaymentId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_polled_at: Option<NaiveDateTime>,
    pub polls: i64,
    /// What the provider reported paid, for a disputed intent, as the provider wrote it.
    pub reported_amount: Option<String>,
    pub reported_currency: Option<String>,
    /// Who resolved a dispute ([`resolve`]), when, and their note.
    pub resolved_by: Option<UserId>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolution_note: Option<String>,
}

/// What a payer asks for.
#[derive(Debug, Clone)]
pub struct Ask {
    pub taxpayer: TaxpayerId,
    pub amount: Xof,
    pub provider: ProviderKind,
    /// The provider account's currency.
    pub currency: String,
    /// The payer's number, in international form, for a provider that needs it.
    pub phone: Option<String>,
}

/// Writes a pending intent for `ask`, once the payment it would become passes every
/// check a payment passes (an amount above the balance, on a record merged away, …, is
/// refused now, not after the payer has paid). Call it in a write transaction.
pub fn open(
    conn: &mut DbConn,
    commune: &Commune,
    ask: &Ask,
    today: NaiveDate,
) -> DomainResult<Intent> {
    if ask.provider.needs_phone() && ask.phone.is_none() {
        return Err(Refusal::new("mobile.phone_needed").on("phone").into());
    }
    let reference = new_reference(&commune.code);
    // The payment this intent would record, checked as the counter checks one.
    let would_be = NewPayment {
        taxpayer: ask.taxpayer,
        amount: ask.amount,
        method: Method::MobileMoney,
        reference: Some(reference.clone()),
        token: token(&reference),
        paid_on: None,
        channel: Channel::MobileMoney,
    };
    payments::plan(conn, commune, &would_be, today)?;
    let now = crate::db::now();
    let id: PaymentIntentId = diesel::insert_into(payment_intents::table)
        .values((
            payment_intents::commune_id.eq(commune.id),
            payment_intents::provider.eq(ask.provider),
            payment_intents::taxpayer_id.eq(ask.taxpayer),
            payment_intents::amount.eq(ask.amount),
            payment_intents::currency.eq(&ask.currency),
            payment_intents::reference.eq(&reference),
            payment_intents::payer_phone.eq(&ask.phone),
            payment_intents::status.eq(IntentStatus::Pending),
            payment_intents::created_at.eq(now),
            payment_intents::updated_at.eq(now),
            payment_intents::polls.eq(0),
        ))
        .returning(payment_intents::id)
        .get_result(conn)?;
    Ok(get(conn, id)?)
}

/// Notes the provider's own reference, once the provider has taken the request.
pub fn attach(conn: &mut DbConn, id: PaymentIntentId, provider_ref: &str) -> QueryResult<()> {
    diesel::update(payment_intents::table.find(id))
        .set((
            payment_intents::provider_ref.eq(provider_ref),
            payment_intents::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ends an intent the provider never took (unreachable, or refusing the request):
/// nothing was asked of the payer. `problem` is a message key.
pub fn not_started(conn: &mut DbConn, id: PaymentIntentId, problem: &str) -> QueryResult<()> {
    end(conn, id, IntentStatus::Failed, problem).map(|_| ())
}

/// Ends a pending intent (failed or expired) with the message key that says why;
/// `false` when it was no longer pending.
fn end(
    conn: &mut DbConn,
    id: PaymentIntentId,
    status: IntentStatus,
    problem: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        payment_intents::table
            .find(id)
            .filter(payment_intents::status.eq(IntentStatus::Pending)),
    )
    .set((
        payment_intents::status.eq(status),
        payment_intents::problem.eq(problem),
        payment_intents::updated_at.eq(crate::db::now()),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

pub fn get(conn: &mut DbConn, id: PaymentIntentId) -> QueryResult<Intent> {
    payment_intents::table
        .find(id)
        .select(Intent::as_select())
        .get_result(conn)
}

/// The commune's intent of `reference`, if any.
pub fn by_reference(
    conn: &mut DbConn,
    commune: CommuneId,
    reference: &str,
) -> QueryResult<Option<Intent>> {
    payment_intents::table
        .filter(payment_intents::commune_id.eq(commune))
        .filter(payment_intents::reference.eq(reference.trim()))
        .select(Intent::as_select())
        .get_result(conn)
        .optional()
}

/// A taxpayer's intents, newest first (their record and the records merged into it).
pub fn of_taxpayer(conn: &mut DbConn, taxpayer: TaxpayerId) -> QueryResult<Vec<Intent>> {
    let owners = taxpayers::account_ids(conn, taxpayer)?;
    payment_intents::table
        .filter(payment_intents::taxpayer_id.eq_any(owners))
        .order((
            payment_intents::created_at.desc(),
            payment_intents::id.desc(),
        ))
        .limit(20)
        .select(Intent::as_select())
        .load(conn)
}

/// An intent the treasurer must look into, with whose account it is for.
#[derive(Debug, Clone, Serialize)]
pub struct ToCheck {
    pub intent: Intent,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
}

/// The treasurer's mobile-money report: every disputed intent (paid at the provider,
/// credited to no one), and the intents still pending after `stale_minutes`, oldest
/// first, `limit` of each at most.
pub fn to_check(
    conn: &mut DbConn,
    commune: CommuneId,
    stale_minutes: i64,
    limit: i64,
) -> QueryResult<(Vec<ToCheck>, Vec<ToCheck>)> {
    use crate::db::schema::taxpayers as t;
    let stale = crate::db::now() - chrono::Duration::minutes(stale_minutes);
    let mut of =
        |status: IntentStatus, before: Option<NaiveDateTime>| -> QueryResult<Vec<ToCheck>> {
            let mut q = payment_intents::table
                .inner_join(t::table)
                .filter(payment_intents::commune_id.eq(commune))
                .filter(payment_intents::status.eq(status))
                .into_boxed();
            if let Some(before) = before {
                q = q.filter(payment_intents::created_at.lt(before));
            }
            let rows: Vec<(Intent, String, String)> = q
                .order(payment_intents::id.asc())
                .limit(limit)
                .select((Intent::as_select(), t::reference, t::name))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(intent, taxpayer_ref, taxpayer_name)| ToCheck {
                    intent,
                    taxpayer_ref,
                    taxpayer_name,
                })
                .collect())
        };
    let disputed = of(IntentStatus::Disputed, None)?;
    let pending = of(IntentStatus::Pending, Some(stale))?;
    Ok((disputed, pending))
}

/// The one-time token of the payment an intent becomes: settling the same intent twice
/// finds the receipt it already issued.
pub fn token(reference: &str) -> String {
    format!("mobile-money:{reference}")
}

/// A new reference for the commune's provider: its code, `MM`, and 60 random bits in
/// Crockford's base 32 (`DKP-MM-7K3QX9PA2D4F`): short enough to read over the phone,
/// too many to guess.
fn new_reference(code: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let tail: String = (0..12)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..32)]))
        .collect();
    format!("{code}-MM-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_names_the_commune_and_cannot_be_guessed() {
        let a = new_reference("DKP");
        let b = new_reference("DKP");
        assert!(
            a.starts_with("DKP-MM-") && a.len() == "DKP-MM-".len() + 12,
            "{a}"
        );
        assert_ne!(a, b);
        assert!(a[7..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    }
}

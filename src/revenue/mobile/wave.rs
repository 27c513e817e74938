//! Wave (Senegal): a checkout session the payer is sent to, and a **signed webhook**.
//!
//! - Start: `POST {base}/v1/checkout/sessions` with the amount as a string, the currency,
//!   the commune's reference (`client_reference`) and where the payer comes back to;
//!   Wave answers with the session's `id` and its `wave_launch_url`.
//! - Status: `GET {base}/v1/checkout/sessions/{id}`.
//! - Webhook (`POST /api/v1/{commune}/webhooks/wave`): header
//!   `Wave-Signature: t=<unix time>,v1=<hex>[,v1=<hex>…]`, where
//!   `hex = HMAC-SHA256(webhook secret, t + raw body)`; several `v1` may come while Wave
//!   rolls a secret over, and one matching is enough. A message signed more than five
//!   minutes away from now is refused, and an event already processed (same id) does
//!   nothing: the events table remembers each one ([`handle`]).

use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;

use super::provider::{base_url, refused};
use super::settle::{self, Applied};
use super::{Intent, Next, Provider, ProviderError, ProviderKind, Reported, StartRequest, Started};
use crate::communes::{self, Commune};
use crate::config::WaveSettings;
use crate::db::DbConn;
use crate::error::DomainResult;
use crate::ids::PaymentIntentId;

/// How far from now a webhook's signed time may be, in seconds, either way.
pub const MAX_AGE: i64 = 300;

/// The events Commune acts on.
const COMPLETED: &str = "checkout.session.completed";
const PAYMENT_FAILED: &str = "checkout.session.payment_failed";

/// A Wave merchant account.
pub struct Wave {
    http: reqwest::Client,
    base: String,
    api_key: String,
    webhook_secret: String,
}

impl Wave {
    pub fn new(http: reqwest::Client, s: &WaveSettings) -> anyhow::Result<Wave> {
        Ok(Wave {
            http,
            base: base_url(&s.base_url)?,
            api_key: s.api_key.clone(),
            webhook_secret: s.webhook_secret.clone(),
        })
    }

    /// Checks a webhook's signature header against its raw body.
    pub fn verify(&self, header: &str, body: &[u8], now: i64) -> Result<i64, SignatureError> {
        verify_signature(&self.webhook_secret, header, body, now)
    }

    async fn session(&self, id: &str) -> Result<Session, ProviderError> {
        let res = self
            .http
            .get(format!("{}/v1/checkout/sessions/{id}", self.base))
            .bearer_auth(&self.api_key)
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(refused(res).await);
        }
        Ok(res.json().await?)
    }
}

impl Provider for Wave {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Wave
    }

    fn currency(&self) -> &str {
        "XOF"
    }

    fn start<'a>(
        &'a self,
        req: &'a StartRequest<'a>,
    ) -> BoxFuture<'a, Result<Started, ProviderError>> {
        Box::pin(async move {
            let res = self
                .http
                .post(format!("{}/v1/checkout/sessions", self.base))
                .bearer_auth(&self.api_key)
                // The same intent asked twice opens one session.
                .header("Idempotency-Key", req.reference)
                .json(&json!({
                    "amount": req.amount.0.to_string(),
                    "currency": req.currency,
                    "client_reference": req.reference,
                    "success_url": req.return_url,
                    "error_url": req.return_url,
                }))
                .send()
                .await?;
            if !res.status().is_success() {
                return Err(refused(res).await);
            }
            #[derive(Deserialize)]
            struct Opened {
                id: String,
                wave_launch_url: String,
            }
            let opened: Opened = res.json().await?;
            Ok(Started {
                provider_ref: opened.id,
                next: Next::Redirect(opened.wave_launch_url),
            })
        })
    }

    fn status<'a>(&'a self, intent: &'a Intent) -> BoxFuture<'a, Result<Reported, ProviderError>> {
        Box::pin(async move {
            let id = intent.provider_ref.as_deref().ok_or_else(|| {
                ProviderError::Unexpected("the intent has no checkout session".into())
            })?;
            let session = self.session(id).await?;
            if session
                .client_reference
                .as_deref()
                .is_some_and(|r| r != intent.reference)
            {
                return Err(ProviderError::Unexpected(format!(
                    "session {id} belongs to another reference"
                )));
            }
            Ok(session.reported())
        })
    }
}

/// Why a webhook's signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `t=` or no `v1=` in the header (or no header).
    Malformed,
    /// No `v1` matches the body under the secret.
    Mismatch,
    /// Signed more than [`MAX_AGE`] seconds ago.
    TooOld,
    /// Signed more than [`MAX_AGE`] seconds ahead of now.
    FromTheFuture,
}

impl SignatureError {
    /// The code the webhook answers with.
    pub fn code(self) -> &'static str {
        match self {
            SignatureError::Malformed | SignatureError::Mismatch => "bad_signature",
            SignatureError::TooOld => "too_old",
            SignatureError::FromTheFuture => "from_the_future",
        }
    }
}

/// Checks `Wave-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` against the raw body: one
/// `v1` must be `HMAC-SHA256(secret, t + body)` (compared in constant time), and `t`
/// within [`MAX_AGE`] seconds of `now`. Returns `t`.
pub fn verify_signature(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
) -> Result<i64, SignatureError> {
    let mut t: Option<&str> = None;
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.trim()),
            Some(("v1", v)) => candidates.extend(hex::decode(v.trim()).ok()),
            _ => {}
        }
    }
    let Some(t) = t.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) else {
        return Err(SignatureError::Malformed);
    };
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Mismatch)?;
    mac.update(t.as_bytes());
    mac.update(body);
    // Each candidate is checked in constant time (`verify_slice`); any one may match.
    let good = candidates
        .iter()
        .fold(false, |ok, c| mac.clone().verify_slice(c).is_ok() | ok);
    if !good {
        return Err(SignatureError::Mismatch);
    }
    let t: i64 = t.parse().map_err(|_| SignatureError::Malformed)?;
    if now - t > MAX_AGE {
        return Err(SignatureError::TooOld);
    }
    if t - now > MAX_AGE {
        return Err(SignatureError::FromTheFuture);
    }
    Ok(t)
}

/// A webhook's event: `{"id": "AE_…", "type": "checkout.session.completed", "data": {…}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data: Value,
}

/// A checkout session, as Wave describes it (what Commune reads of it).
#[derive(Debug, Clone, Deserialize)]
struct Session {
    id: String,
    #[serde(default)]
    client_reference: Option<String>,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    checkout_status: Option<String>,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    transaction_id: Option<String>,
}

impl Session {
    fn reported(&self) -> Reported {
        match (
            self.payment_status.as_deref(),
            self.checkout_status.as_deref(),
        ) {
            (Some("succeeded"), _) => Reported::Succeeded {
                transaction: self
                    .transaction_id
                    .clone()
                    .unwrap_or_else(|| self.id.clone()),
                amount: self.amount.clone().unwrap_or_default(),
                currency: self.currency.clone().unwrap_or_default(),
            },
            (_, Some("expired")) => Reported::Expired,
            (Some("cancelled"), _) => Reported::Failed {
                reason: "cancelled".into(),
            },
            _ => Reported::Pending,
        }
    }
}

/// What a webhook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// The event was processed before: nothing done.
    Replayed,
    Processed {
        intent: Option<PaymentIntentId>,
        /// What it did (a step of the intent) or why it did nothing.
        outcome: &'static str,
    },
}

/// Processes a webhook's event once (its signature already checked): the events table
/// remembers it, and the intent of its session moves on as the event says. Call it in
/// a write transaction.
pub fn handle(
    conn: &mut DbConn,
    commune: &Commune,
    event: &Event,
    today: chrono::NaiveDate,
) -> DomainResult<Handled> {
    communes::lock(conn, commune.id)?;
    if settle::seen(conn, ProviderKind::Wave, &event.id)? {
        return Ok(Handled::Replayed);
    }
    let (intent, outcome) = match event.kind.as_str() {
        COMPLETED | PAYMENT_FAILED => match serde_json::from_value::<Session>(event.data.clone()) {
            Ok(session) => match find(conn, commune, &session)? {
                Some(intent) => {
                    let reported = if event.kind == PAYMENT_FAILED
                        && session.payment_status.as_deref() != Some("succeeded")
                    {
                        Reported::Failed {
                            reason: "payment_failed".into(),
                        }
                    } else {
                        session.reported()
                    };
                    let applied: Applied = settle::apply(conn, commune, intent, &reported, today)?;
                    (Some(intent), applied.outcome())
                }
                None => {
                    tracing::warn!(session = %session.id, "a Wave event for no intent of this commune");
                    (None, "unknown_session")
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, event = %event.id, "a Wave event without a session");
                (None, "malformed")
            }
        },
        _ => (None, "ignored"),
    };
    settle::note_event(
        conn,
        commune.id,
        ProviderKind::Wave,
        &event.id,
        &event.kind,
        intent,
        outcome,
    )?;
    Ok(Handled::Processed { intent, outcome })
}

/// The intent a session pays: found by the commune's reference it carries, and only if
/// its session is this one (or none was noted yet).
fn find(
    conn: &mut DbConn,
    commune: &Commune,
    session: &Session,
) -> DomainResult<Option<PaymentIntentId>> {
    let Some(reference) = session.client_reference.as_deref() else {
        return Ok(None);
    };
    let found = super::by_reference(conn, commune.id, reference)?.filter(|i| {
        i.provider == ProviderKind::Wave
            && i.provider_ref.as_deref().is_none_or(|r| r == session.id)
    });
    Ok(found.map(|i| i.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(t.to_string().as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn only_a_fresh_body_signed_with_the_secret_passes() {
        let body = br#"{"id":"AE_1","type":"checkout.session.completed","data":{}}"#;
        let t = 1_700_000_000;
        let good = format!("t={t},v1={}", sign("whs", t, body));
        assert_eq!(verify_signature("whs", &good, body, t + 10), Ok(t));
        // Another secret, another body, a time changed after signing.
        assert_eq!(
            verify_signature("other", &good, body, t),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature("whs", &good, b"{}", t),
            Err(SignatureError::Mismatch)
        );
        let moved = good.replace(&format!("t={t}"), &format!("t={}", t + 1));
        assert_eq!(
            verify_signature("whs", &moved, body, t),
            Err(SignatureError::Mismatch)
        );
        // Old, or from the future.
        assert_eq!(
            verify_signature("whs", &good, body, t + MAX_AGE + 1),
            Err(SignatureError::TooOld)
        );
        assert_eq!(
            verify_signature("whs", &good, body, t - MAX_AGE - 1),
            Err(SignatureError::FromTheFuture)
        );
        // Nothing to check.
        for header in ["", "t=1", "v1=00", "t=abc,v1=00", "garbage"] {
            assert_eq!(
                verify_signature("whs", header, body, t),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn one_good_signature_among_several_is_enough() {
        let body = b"{}";
        let t = 1_700_000_000;
        let old = sign("old-secret", t, body);
        let new = sign("whs", t, body);
        let header = format!("t={t}, v1={old}, v1=zz, v1={new}");
        assert_eq!(verify_signature("whs", &header, body, t), Ok(t));
        assert_eq!(verify_signature("old-secret", &header, body, t), Ok(t));
        assert_eq!(
            verify_signature("third", &header, body, t),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_session_says_paid_expired_cancelled_or_still_open() {
        let session = |payment: &str, checkout: &str| Session {
            id: "cos-1".into(),
            client_reference: Some("DKP-MM-X".into()),
            amount: Some("5000".into()),
            currency: Some("XOF".into()),
            checkout_status: Some(checkout.into()),
            payment_status: Some(payment.into()),
            transaction_id: Some("T_9".into()),
        };
        assert_eq!(
            session("succeeded", "complete").reported(),
            Reported::Succeeded {
                transaction: "T_9".into(),
                amount: "5000".into(),
                currency: "XOF".into()
            }
        );
        assert_eq!(
            session("processing", "expired").reported(),
            Reported::Expired
        );
        assert!(matches!(
            session("cancelled", "complete").reported(),
            Reported::Failed { .. }
        ));
        assert_eq!(session("processing", "open").reported(), Reported::Pending);
    }
}

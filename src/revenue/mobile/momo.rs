//! MTN MoMo (Benin), collection API: a request to pay answered **202**, the payer
//! confirming on their phone, one **unsigned** callback that may never come, and the
//! status Commune asks for itself.
//!
//! - Token: `POST {base}/collection/token/` with the API user and key (Basic) and the
//!   subscription key; kept until shortly before it expires.
//! - Start: `POST {base}/collection/v1_0/requesttopay` with `X-Reference-Id` (a UUID
//!   derived from the commune's reference, so that asking twice is one request),
//!   `X-Target-Environment`, `X-Callback-Url`, and the payer's MSISDN; the commune's
//!   reference is the `externalId`.
//! - Status: `GET {base}/collection/v1_0/requesttopay/{X-Reference-Id}`:
//!   `PENDING`, `SUCCESSFUL` (with `financialTransactionId`) or `FAILED`.
//!
//! The callback proves nothing (anyone can send one): it only makes Commune ask the
//! status ([`super::poll::check`]).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::provider::{base_url, refused};
use super::{Intent, Next, Provider, ProviderError, ProviderKind, Reported, StartRequest, Started};
use crate::config::MomoSettings;

/// An MTN MoMo collection account.
pub struct Momo {
    http: reqwest::Client,
    base: String,
    subscription_key: String,
    api_user: String,
    api_key: String,
    target: String,
    callback: String,
    currency: String,
    /// The access token and when to stop using it.
    token: Mutex<Option<(String, Instant)>>,
}

impl Momo {
    /// `callback` is the commune's callback address, unless the settings name another.
    pub fn new(http: reqwest::Client, s: &MomoSettings, callback: &str) -> anyhow::Result<Momo> {
        Ok(Momo {
            http,
            base: base_url(&s.base_url)?,
            subscription_key: s.subscription_key.clone(),
            api_user: s.api_user.clone(),
            api_key: s.api_key.clone(),
            target: s.target_environment.clone(),
            callback: s
                .callback_url
                .clone()
                .unwrap_or_else(|| callback.to_string()),
            currency: s.currency.clone(),
            token: Mutex::new(None),
        })
    }

    /// A live access token: the one kept, or a new one.
    async fn token(&self) -> Result<String, ProviderError> {
        if let Some((token, until)) = self.kept_token() {
            if Instant::now() < until {
                return Ok(token);
            }
        }
        let res = self
            .http
            .post(format!("{}/collection/token/", self.base))
            .basic_auth(&self.api_user, Some(&self.api_key))
            .header("Ocp-Apim-Subscription-Key", &self.subscription_key)
            .header("Content-Length", "0")
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(refused(res).await);
        }
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let t: Token = res.json().await?;
        // A minute's margin, so that a token never expires in flight.
        let life = Duration::from_secs(t.expires_in.unwrap_or(3600).saturating_sub(60));
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((t.access_token.clone(), Instant::now() + life));
        Ok(t.access_token)
    }

    fn kept_token(&self) -> Option<(String, Instant)> {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn forget_token(&self) {
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Sends a request with the token and the headers every call carries; a 401
    /// forgets the token, so the next call fetches a new one.
    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, ProviderError> {
        let token = self.token().await?;
        let res = req
            .bearer_auth(token)
            .header("X-Target-Environment", &self.target)
            .header("Ocp-Apim-Subscription-Key", &self.subscription_key)
            .send()
            .await?;
        if res.status() == reqwest::StatusCode::UNAUTHORIZED {
            self.forget_token();
        }
        Ok(res)
    }
}

/// The `X-Reference-Id` of the commune's reference: a UUID made from its SHA-256, so
/// that the same intent always names the same request.
pub fn reference_id(reference: &str) -> String {
    let digest = Sha256::digest(reference.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

impl Provider for Momo {
    fn kind(&self) -> ProviderKind {
        ProviderKind::MtnMomo
    }

    fn currency(&self) -> &str {
        &self.currency
    }

    fn start<'a>(
        &'a self,
        req: &'a StartRequest<'a>,
    ) -> BoxFuture<'a, Result<Started, ProviderError>> {
        Box::pin(async move {
            let phone = req
                .phone
                .ok_or_else(|| ProviderError::Unexpected("no phone number".into()))?;
            let id = reference_id(req.reference);
            let res = self
                .send(
                    self.http
                        .post(format!("{}/collection/v1_0/requesttopay", self.base))
                        .header("X-Reference-Id", &id)
                        .header("X-Callback-Url", &self.callback)
                        .json(&json!({
                            "amount": req.amount.0.to_string(),
                            "currency": req.currency,
                            "externalId": req.reference,
                            "payer": {
                                "partyIdType": "MSISDN",
                                "partyId": phone.trim_start_matches('+'),
                            },
                            "payerMessage": req.message,
                            "payeeNote": req.reference,
                        })),
                )
                .await?;
            // 202: taken. 409: this very request was taken before (asked twice).
            let status = res.status();
            if !(status.is_success() || status == reqwest::StatusCode::CONFLICT) {
                return Err(refused(res).await);
            }
            Ok(Started {
                provider_ref: id,
                next: Next::ConfirmOnPhone,
            })
        })
    }

    fn status<'a>(&'a self, intent: &'a Intent) -> BoxFuture<'a, Result<Reported, ProviderError>> {
        Box::pin(async move {
            let id = intent
                .provider_ref
                .clone()
                .unwrap_or_else(|| reference_id(&intent.reference));
            let res = self
                .send(
                    self.http
                        .get(format!("{}/collection/v1_0/requesttopay/{id}", self.base)),
                )
                .await?;
            if res.status() == reqwest::StatusCode::NOT_FOUND {
                // MoMo never received it: nothing was asked of the payer.
                return Ok(Reported::Failed {
                    reason: "not_found".into(),
                });
            }
            if !res.status().is_success() {
                return Err(refused(res).await);
            }
            let body: Status = res.json().await?;
            if body
                .external_id
                .as_deref()
                .is_some_and(|r| r != intent.reference)
            {
                return Err(ProviderError::Unexpected(format!(
                    "request {id} belongs to another reference"
                )));
            }
            body.reported(&id)
        })
    }
}

/// A request to pay, as MoMo describes it.
#[derive(Debug, Deserialize)]
struct Status {
    status: String,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default, rename = "financialTransactionId")]
    transaction: Option<String>,
    #[serde(default, rename = "externalId")]
    external_id: Option<String>,
    #[serde(default)]
    reason: Option<Value>,
}

impl Status {
    fn reported(&self, request: &str) -> Result<Reported, ProviderError> {
        let text = |v: &Option<Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Ok(match self.status.as_str() {
            "SUCCESSFUL" => Reported::Succeeded {
                transaction: self
                    .transaction
                    .clone()
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| request.to_string()),
                amount: text(&self.amount),
                currency: self.currency.clone().unwrap_or_default(),
            },
            "PENDING" | "CREATED" | "ONGOING" => Reported::Pending,
            "FAILED" | "REJECTED" | "TIMEOUT" => Reported::Failed {
                reason: text(&self.reason),
            },
            "EXPIRED" => Reported::Expired,
            other => {
                return Err(ProviderError::Unexpected(format!(
                    "unknown status {other:?}"
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_reference_always_names_the_same_request() {
        let a = reference_id("ACV-MM-0123456789AB");
        assert_eq!(a, reference_id("ACV-MM-0123456789AB"));
        assert_ne!(a, reference_id("ACV-MM-0123456789AC"));
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }

    #[test]
    fn momo_statuses_read_as_paid_pending_failed_or_expired() {
        let status: Status = serde_json::from_value(json!({
            "amount": "5000", "currency": "XOF", "financialTransactionId": "363440463",
            "externalId": "ACV-MM-1", "status": "SUCCESSFUL"
        }))
        .unwrap();
        assert_eq!(
            status.reported("r").unwrap(),
            Reported::Succeeded {
                transaction: "363440463".into(),
                amount: "5000".into(),
                currency: "XOF".into()
            }
        );
        let read = |s: &str| {
            serde_json::from_value::<Status>(json!({ "status": s, "reason": "APPROVAL_REJECTED" }))
                .unwrap()
                .reported("r")
        };
        assert_eq!(read("PENDING").unwrap(), Reported::Pending);
        assert_eq!(
            read("FAILED").unwrap(),
            Reported::Failed {
                reason: "APPROVAL_REJECTED".into()
            }
        );
        assert_eq!(read("EXPIRED").unwrap(), Reported::Expired);
        assert!(read("WHATEVER").is_err());
    }
}

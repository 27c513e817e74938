//! What every provider does ([`Provider`]), what it reports ([`Reported`]), and which
//! providers each commune uses ([`Providers`], from the settings).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

use super::{Intent, Momo, ProviderKind, Wave};
use crate::config::MobileMoney;
use crate::money::Xof;

/// A request to pay, as the provider is asked.
#[derive(Debug, Clone)]
pub struct StartRequest<'a> {
    /// The commune's reference.
    pub reference: &'a str,
    pub amount: Xof,
    pub currency: &'a str,
    /// The payer's number in international form (`+22997…`), when the provider needs it.
    pub phone: Option<&'a str>,
    /// Where the payer comes back to (the intent's status page).
    pub return_url: &'a str,
    /// What the payer reads on their phone.
    pub message: &'a str,
}

/// What the provider answered a request to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The provider's own reference, kept on the intent.
    pub provider_ref: String,
    pub next: Next,
}

/// What the payer does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Go to the provider's page (Wave's checkout).
    Redirect(String),
    /// Confirm on their phone (MoMo asks them there).
    ConfirmOnPhone,
}

/// What the provider says of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    Pending,
    /// Paid: the provider's transaction, and the amount and currency as the provider
    /// writes them (`"5000"`, `"5000.00"`), compared with the intent's.
    Succeeded {
        transaction: String,
        amount: String,
        currency: String,
    },
    Failed {
        reason: String,
    },
    Expired,
}

/// Why a provider could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the provider refused the request ({status}): {body}")]
    Refused { status: u16, body: String },
    #[error("the provider's answer makes no sense: {0}")]
    Unexpected(String),
}

impl ProviderError {
    /// The message key the payer reads.
    pub fn problem(&self) -> &'static str {
        match self {
            ProviderError::Unreachable(_) => "mobile.problem.unreachable",
            ProviderError::Refused { .. } | ProviderError::Unexpected(_) => {
                "mobile.problem.provider_refused"
            }
        }
    }
}

impl From<reqwest::Error> for ProviderError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_decode() {
            ProviderError::Unexpected(e.to_string())
        } else {
            ProviderError::Unreachable(e.to_string())
        }
    }
}

/// A mobile-money provider: one implementation each.
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// The currency of the commune's account with the provider.
    fn currency(&self) -> &str;

    /// Asks the provider to collect a payment; says what the payer does next.
    fn start<'a>(
        &'a self,
        req: &'a StartRequest<'a>,
    ) -> BoxFuture<'a, Result<Started, ProviderError>>;

    /// Asks the provider where an intent's payment stands.
    fn status<'a>(&'a self, intent: &'a Intent) -> BoxFuture<'a, Result<Reported, ProviderError>>;
}

/// The providers of one commune.
#[derive(Default, Clone)]
struct CommuneSet {
    wave: Option<Arc<Wave>>,
    momo: Option<Arc<Momo>>,
}

/// Which providers each commune uses, built once from the settings.
#[derive(Default, Clone)]
pub struct Providers {
    communes: BTreeMap<String, CommuneSet>,
    /// How often pending intents are checked in the background; `None`: never.
    pub poll_every: Option<Duration>,
}

impl Providers {
    /// The providers the settings name; `public_url` is where the providers call back.
    /// A provider's URL that is not one is an error, said at start.
    pub fn from_settings(settings: &MobileMoney, public_url: &str) -> anyhow::Result<Providers> {
        let http = client()?;
        let mut communes = BTreeMap::new();
        for (slug, set) in &settings.communes {
            let callback = format!("{public_url}/api/v1/{slug}/webhooks/momo");
            let built = CommuneSet {
                wave: match &set.wave {
                    Some(w) => Some(Arc::new(Wave::new(http.clone(), w)?)),
                    None => None,
                },
                momo: match &set.mtn_momo {
                    Some(m) => Some(Arc::new(Momo::new(http.clone(), m, &callback)?)),
                    None => None,
                },
            };
            communes.insert(slug.clone(), built);
        }
        Ok(Providers {
            communes,
            poll_every: (settings.poll_seconds > 0)
                .then(|| Duration::from_secs(settings.poll_seconds)),
        })
    }

    /// The providers `commune` uses, Wave first.
    pub fn of(&self, commune: &str) -> Vec<Arc<dyn Provider>> {
        let Some(set) = self.communes.get(commune) else {
            return Vec::new();
        };
        let mut out: Vec<Arc<dyn Provider>> = Vec::new();
        if let Some(w) = &set.wave {
            out.push(w.clone());
        }
        if let Some(m) = &set.momo {
            out.push(m.clone());
        }
        out
    }

    pub fn get(&self, commune: &str, kind: ProviderKind) -> Option<Arc<dyn Provider>> {
        self.of(commune).into_iter().find(|p| p.kind() == kind)
    }

    /// The commune's Wave account, for its webhook.
    pub fn wave(&self, commune: &str) -> Option<Arc<Wave>> {
        self.communes.get(commune)?.wave.clone()
    }

    /// The communes that use a provider.
    pub fn communes(&self) -> impl Iterator<Item = &str> {
        self.communes.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.communes.is_empty()
    }
}

/// The HTTP client the providers share: HTTPS with rustls, short timeouts, and no idle
/// connection kept, so that a request made from one runtime (a worker, the poller)
/// never reuses a connection another runtime opened.
fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .user_agent(concat!("Commune/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(0)
        .build()?)
}

/// A provider's base URL, checked: `http` or `https`, without a trailing slash.
pub(super) fn base_url(url: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| anyhow::anyhow!("mobile money: {url:?} is not a URL ({e})"))?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https"),
        "mobile money: {url:?} is not an http(s) URL"
    );
    Ok(url.trim().trim_end_matches('/').to_string())
}

/// The error of an answer that is not a success, with the start of its body.
pub(super) async fn refused(res: reqwest::Response) -> ProviderError {
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    ProviderError::Refused {
        status,
        body: body.chars().take(300).collect(),
    }
}

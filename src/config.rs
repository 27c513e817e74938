//! Settings: an optional `commune.toml`, then `COMMUNE_*` environment variables on top.
//!
//! Secrets are never logged: [`Settings`] implements `Debug` by hand.

use std::{fmt, path::PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

/// Where the service reads its configuration from.
#[derive(Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://commune.db` (default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Address the HTTP server binds to.
    pub bind: String,
    /// Public URL of the service, used in links sent by mail. Empty: the address the
    /// server listens on (see [`Settings::public_url`]).
    pub base_url: String,
    /// Key that signs and encrypts session cookies (at least 64 characters).
    /// When absent it is generated on first start and stored in the database.
    pub secret_key: Option<String>,
    /// `smtp://user:pass@host:port` or `smtps://…`; when absent, mail goes to `outbox/`.
    pub smtp_url: Option<String>,
    /// Sender address of outgoing mail.
    pub mail_from: String,
    /// Folder for mail written as `.eml` files when no SMTP server is set.
    pub outbox_dir: PathBuf,
    /// A folder holding the demo communes, instead of the copy built into the binary.
    pub seed_dir: Option<PathBuf>,
    /// `text` (default) or `json` logs.
    pub log_format: String,
    /// Reverse proxies whose `X-Forwarded-For` header is believed. Empty (default): the
    /// client is the address that connected, and the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The secret the SMS gateway signs inbound messages with (HMAC-SHA256). Absent: the
    /// inbound-SMS webhook refuses every message.
    pub sms_secret: Option<String>,
    /// Mobile money: each commune's providers, and how often pending payments are
    /// checked with them (`[mobile_money]`, see [`MobileMoney`]).
    pub mobile_money: MobileMoney,
    /// No database was named: the embedded SQLite default is used.
    #[serde(skip)]
    embedded_default: bool,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("outbox_dir", &self.outbox_dir)
            .field("seed_dir", &self.seed_dir)
            .field("log_format", &self.log_format)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("sms_secret", &self.sms_secret.as_ref().map(|_| "<set>"))
            .field("mobile_money", &self.mobile_money)
            .finish()
    }
}

/// Hides the password of a URL such as `postgres://user:secret@host/db`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

const ENV_VARS: &[&str] = &[
    "COMMUNE_DATABASE_URL",
    "COMMUNE_BIND",
    "COMMUNE_BASE_URL",
    "COMMUNE_SECRET_KEY",
    "COMMUNE_SMTP_URL",
    "COMMUNE_MAIL_FROM",
    "COMMUNE_OUTBOX_DIR",
    "COMMUNE_SEED_DIR",
    "COMMUNE_LOG_FORMAT",
    "COMMUNE_TRUSTED_PROXIES",
    "COMMUNE_SMS_SECRET",
    "COMMUNE_MOBILE_MONEY",
    "COMMUNE_MOBILE_MONEY_POLL_SECONDS",
];

impl Settings {
    /// Reads `COMMUNE_CONFIG` (default `commune.toml`, optional) then the environment.
    pub fn load() -> Result<Self> {
        let path = std::env::var("COMMUNE_CONFIG").unwrap_or_else(|_| "commune.toml".into());
        let explicit = std::env::var("COMMUNE_CONFIG").is_ok();
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read config file {path}")),
        };
        let env: Vec<(String, String)> = ENV_VARS
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
            .collect();
        Self::from_parts(file.as_deref(), &env).with_context(|| format!("in config file {path}"))
    }

    /// Builds settings from a TOML text and `(name, value)` environment pairs.
    pub fn from_parts(toml_text: Option<&str>, env: &[(String, String)]) -> Result<Self> {
        let mut s: Settings = match toml_text {
            Some(t) => toml::from_str(t).context("invalid TOML")?,
            None => Settings::default(),
        };
        for (k, v) in env {
            let v = v.clone();
            match k.as_str() {
                "COMMUNE_DATABASE_URL" => s.database_url = v,
                "COMMUNE_BIND" => s.bind = v,
                "COMMUNE_BASE_URL" => s.base_url = v,
                "COMMUNE_SECRET_KEY" => s.secret_key = Some(v),
                "COMMUNE_SMTP_URL" => s.smtp_url = Some(v).filter(|v| !v.is_empty()),
                "COMMUNE_MAIL_FROM" => s.mail_from = v,
                "COMMUNE_OUTBOX_DIR" => s.outbox_dir = v.into(),
                "COMMUNE_SEED_DIR" => {
                    s.seed_dir = Some(v.into()).filter(|p: &PathBuf| !p.as_os_str().is_empty())
                }
                "COMMUNE_LOG_FORMAT" => s.log_format = v,
                "COMMUNE_SMS_SECRET" => s.sms_secret = Some(v).filter(|v| !v.is_empty()),
                "COMMUNE_MOBILE_MONEY" => {
                    let poll = s.mobile_money.poll_seconds;
                    s.mobile_money =
                        toml::from_str(&v).context("COMMUNE_MOBILE_MONEY: invalid TOML")?;
                    // The variable names the providers; the interval stays the file's,
                    // unless the variable says otherwise (or its own variable does).
                    if !v.contains("poll_seconds") {
                        s.mobile_money.poll_seconds = poll;
                    }
                }
                "COMMUNE_TRUSTED_PROXIES" => {
                    s.trusted_proxies = v
                        .split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(|a| {
                            a.parse().with_context(|| {
                                format!("COMMUNE_TRUSTED_PROXIES: {a:?} is not an IP address")
                            })
                        })
                        .collect::<Result<_>>()?
                }
                _ => {}
            }
        }
        if let Some((_, v)) = env
            .iter()
            .find(|(k, _)| k == "COMMUNE_MOBILE_MONEY_POLL_SECONDS")
        {
            s.mobile_money.poll_seconds = v.trim().parse().with_context(|| {
                format!("COMMUNE_MOBILE_MONEY_POLL_SECONDS: {v:?} is not a number of seconds")
            })?;
        }
        s.fill_defaults();
        Ok(s)
    }

    fn fill_defaults(&mut self) {
        if self.database_url.is_empty() {
            self.database_url = "sqlite://commune.db".into();
            self.embedded_default = true;
        }
        if self.bind.is_empty() {
            self.bind = "127.0.0.1:8080".into();
        }
        self.base_url = self.base_url.trim_end_matches('/').to_string();
        if self.mail_from.is_empty() {
            self.mail_from = "Commune <no-reply@commune.localhost>".into();
        }
        if self.outbox_dir.as_os_str().is_empty() {
            self.outbox_dir = "outbox".into();
        }
        if self.log_format.is_empty() {
            self.log_format = "text".into();
        }
    }

    /// The URL links point to: `base_url`, or else the address actually bound.
    pub fn public_url(&self, bound: std::net::SocketAddr) -> String {
        if self.base_url.is_empty() {
            format!("http://{bound}")
        } else {
            self.base_url.clone()
        }
    }

    /// Whether no database was named, so the embedded SQLite default is used: the only
    /// case where `serve` loads the demo communes (and their published password) without
    /// being asked to.
    pub fn embedded_default(&self) -> bool {
        self.embedded_default
    }

    /// Whether cookies must carry the `Secure` flag.
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Mobile money, in `commune.toml`:
///
/// ```toml
/// [mobile_money]
/// poll_seconds = 30            # how often pending payments are checked; 0: never
///
/// [mobile_money.dakar-plateau.wave]
/// base_url = "https://api.wave.com"
/// api_key = "wave_sn_prod_…"
/// webhook_secret = "wave_sn_WHS_…"
///
/// [mobile_money.abomey-calavi.mtn_momo]
/// base_url = "https://proxy.momoapi.mtn.com"
/// subscription_key = "…"
/// api_user = "…"               # the API user's UUID
/// api_key = "…"
/// target_environment = "mtnbenin"
/// # callback_url = "https://…/api/v1/abomey-calavi/webhooks/momo"   (the default)
/// # currency = "XOF"                                                 (the default)
/// ```
///
/// A commune named nowhere here offers no mobile money. The environment variable
/// `COMMUNE_MOBILE_MONEY` may hold the same table as TOML text (it replaces the file's),
/// and `COMMUNE_MOBILE_MONEY_POLL_SECONDS` the interval. Secrets never show in `Debug`.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct MobileMoney {
    /// Seconds between two rounds of checking pending payments with their provider, in
    /// the background (0: never; `commune mobile-money poll` still does it).
    pub poll_seconds: u64,
    /// The communes, by slug, and the providers each uses.
    #[serde(flatten)]
    pub communes: std::collections::BTreeMap<String, CommuneProviders>,
}

impl Default for MobileMoney {
    fn default() -> Self {
        MobileMoney {
            poll_seconds: 30,
            communes: Default::default(),
        }
    }
}

impl fmt::Debug for MobileMoney {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MobileMoney")
            .field("poll_seconds", &self.poll_seconds)
            .field("communes", &self.communes)
            .finish()
    }
}

/// The providers one commune uses.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommuneProviders {
    pub wave: Option<WaveSettings>,
    pub mtn_momo: Option<MomoSettings>,
}

impl fmt::Debug for CommuneProviders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommuneProviders")
            .field("wave", &self.wave.as_ref().map(|w| &w.base_url))
            .field(
                "mtn_momo",
                &self.mtn_momo.as_ref().map(|m| {
                    (
                        &m.base_url,
                        &m.target_environment,
                        &m.currency,
                        &m.callback_url,
                    )
                }),
            )
            .finish()
    }
}

/// A Wave merchant account (Senegal): its checkout API and its webhook's secret.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveSettings {
    pub base_url: String,
    pub api_key: String,
    pub webhook_secret: String,
}

/// An MTN MoMo collection account (Benin).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MomoSettings {
    pub base_url: String,
    pub subscription_key: String,
    pub api_user: String,
    pub api_key: String,
    /// `sandbox`, or the country's production name (`mtnbenin`).
    pub target_environment: String,
    /// Where MoMo calls back; by default the commune's `/api/v1/{commune}/webhooks/momo`.
    pub callback_url: Option<String>,
    /// The account's currency (the sandbox only knows `EUR`).
    #[serde(default = "xof")]
    pub currency: String,
}

fn xof() -> String {
    "XOF".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_point_to_the_embedded_database_on_localhost() {
        let s = Settings::from_parts(None, &[]).unwrap();
        assert_eq!(s.database_url, "sqlite://commune.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(
            s.public_url("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert!(s.smtp_url.is_none());
        assert!(!s.https());
        assert!(s.embedded_default());
        let named =
            Settings::from_parts(None, &env(&[("COMMUNE_DATABASE_URL", "sqlite://x.db")])).unwrap();
        assert!(!named.embedded_default());
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = "database_url = \"sqlite://a.db\"\nbind = \"0.0.0.0:9000\"\n";
        let s = Settings::from_parts(
            Some(file),
            &env(&[
                ("COMMUNE_DATABASE_URL", "postgres://x@h/db"),
                ("COMMUNE_BASE_URL", "https://c.sn/"),
            ]),
        )
        .unwrap();
        assert_eq!(s.database_url, "postgres://x@h/db");
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.base_url, "https://c.sn");
        assert!(s.https());
    }

    #[test]
    fn trusted_proxies_are_ip_addresses_from_the_file_or_a_comma_separated_variable() {
        let s = Settings::from_parts(Some("trusted_proxies = [\"10.0.0.1\"]"), &[]).unwrap();
        assert_eq!(
            s.trusted_proxies,
            ["10.0.0.1".parse::<std::net::IpAddr>().unwrap()]
        );
        let s = Settings::from_parts(None, &env(&[("COMMUNE_TRUSTED_PROXIES", "127.0.0.1, ::1")]))
            .unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        let err = Settings::from_parts(None, &env(&[("COMMUNE_TRUSTED_PROXIES", "proxy.local")]))
            .unwrap_err();
        assert!(format!("{err:#}").contains("\"proxy.local\" is not an IP address"));
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        let err = Settings::from_parts(Some("databse_url = \"x\""), &[]).unwrap_err();
        assert!(format!("{err:#}").contains("databse_url"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = Settings::from_parts(
            None,
            &env(&[
                ("COMMUNE_SECRET_KEY", "topsecret"),
                ("COMMUNE_DATABASE_URL", "postgres://u:pw@h/db"),
            ]),
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("topsecret"));
        assert!(!shown.contains("pw@"));
    }

    const MOBILE: &str = r#"
[mobile_money]
poll_seconds = 5

[mobile_money.dakar-plateau.wave]
base_url = "https://api.wave.com"
api_key = "wave-key-secret"
webhook_secret = "wave-hook-secret"

[mobile_money.abomey-calavi.mtn_momo]
base_url = "https://proxy.momoapi.mtn.com"
subscription_key = "momo-sub-secret"
api_user = "0d4c2a5e-user"
api_key = "momo-key-secret"
target_environment = "mtnbenin"
"#;

    #[test]
    fn each_commune_names_its_mobile_money_providers_and_their_secrets_stay_hidden() {
        let s = Settings::from_parts(Some(MOBILE), &[]).unwrap();
        let mm = &s.mobile_money;
        assert_eq!(mm.poll_seconds, 5);
        let dakar = &mm.communes["dakar-plateau"];
        assert_eq!(dakar.wave.as_ref().unwrap().api_key, "wave-key-secret");
        assert!(dakar.mtn_momo.is_none());
        let momo = mm.communes["abomey-calavi"].mtn_momo.as_ref().unwrap();
        assert_eq!(
            (momo.currency.as_str(), momo.callback_url.as_ref()),
            ("XOF", None)
        );
        let shown = format!("{s:?}");
        assert!(shown.contains("api.wave.com") && shown.contains("mtnbenin"));
        for secret in [
            "wave-key-secret",
            "wave-hook-secret",
            "momo-sub-secret",
            "momo-key-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        // Nothing configured: no provider, and the default interval.
        let none = Settings::from_parts(None, &[]).unwrap();
        assert!(none.mobile_money.communes.is_empty());
        assert_eq!(none.mobile_money.poll_seconds, 30);
    }

    #[test]
    fn a_misspelt_provider_setting_is_an_error_and_the_environment_can_name_providers() {
        let typo = "[mobile_money.dakar-plateau.wave]\nbase_url = \"x\"\napi_key = \"k\"\nwebhook_secret = \"s\"\nwebhok = 1\n";
        let err = Settings::from_parts(Some(typo), &[]).unwrap_err();
        assert!(format!("{err:#}").contains("webhok"), "{err:#}");
        let err =
            Settings::from_parts(Some("[mobile_money.dakar-plateau.orange]\n"), &[]).unwrap_err();
        assert!(format!("{err:#}").contains("orange"), "{err:#}");
        let table = "[dakar-plateau.wave]\nbase_url = \"http://127.0.0.1:9\"\napi_key = \"k\"\nwebhook_secret = \"s\"\n";
        let s = Settings::from_parts(
            Some("[mobile_money]\npoll_seconds = 7\n"),
            &env(&[("COMMUNE_MOBILE_MONEY", table)]),
        )
        .unwrap();
        assert!(s.mobile_money.communes["dakar-plateau"].wave.is_some());
        assert_eq!(s.mobile_money.poll_seconds, 7);
        let s = Settings::from_parts(
            None,
            &env(&[
                ("COMMUNE_MOBILE_MONEY_POLL_SECONDS", "0"),
                ("COMMUNE_MOBILE_MONEY", table),
            ]),
        )
        .unwrap();
        assert_eq!(s.mobile_money.poll_seconds, 0);
    }
}

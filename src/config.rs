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
}

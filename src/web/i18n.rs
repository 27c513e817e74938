//! French first, English second. Messages live in `templates/i18n/{fr,en}.toml`;
//! a page asks for them with `{{t "section.key"}}` and a missing key is an error.

use std::collections::HashMap;

use anyhow::{anyhow, Context as _};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Locale> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Locale::Fr),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The first of French or English in an `Accept-Language` header, by weight.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(Locale, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = Locale::parse(primary) {
                if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                    best = Some((l, q));
                }
            }
        }
        best.map(|(l, _)| l)
    }
}

/// The two message catalogues, flattened to `section.key` → text.
#[derive(Debug, Default)]
pub struct Catalog {
    messages: HashMap<Locale, HashMap<String, String>>,
}

impl Catalog {
    pub fn from_toml(fr: &str, en: &str) -> anyhow::Result<Catalog> {
        Self::from_toml_files(&[fr.to_string()], &[en.to_string()])
    }

    /// Several files per language; a key defined twice is an error.
    pub fn from_toml_files(fr: &[String], en: &[String]) -> anyhow::Result<Catalog> {
        let mut messages = HashMap::new();
        for (locale, texts) in [(Locale::Fr, fr), (Locale::En, en)] {
            let mut flat = HashMap::new();
            for text in texts {
                let table: toml::Table = toml::from_str(text)
                    .with_context(|| format!("templates/i18n ({})", locale.as_str()))?;
                let mut one = HashMap::new();
                flatten("", &toml::Value::Table(table), &mut one)?;
                for (k, v) in one {
                    if flat.insert(k.clone(), v).is_some() {
                        return Err(anyhow!(
                            "message {k} is defined twice in {}",
                            locale.as_str()
                        ));
                    }
                }
            }
            messages.insert(locale, flat);
        }
        Ok(Catalog { messages })
    }

    pub fn get(&self, locale: Locale, key: &str) -> Option<&str> {
        self.messages.get(&locale)?.get(key).map(String::as_str)
    }

    /// The message, or the key itself when missing (for text outside templates; the
    /// catalogue test makes sure no key is missing).
    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.get(locale, key).unwrap_or(key).to_string()
    }

    pub fn keys(&self, locale: Locale) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .messages
            .get(&locale)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut HashMap<String, String>) -> anyhow::Result<()> {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out)?;
            }
            Ok(())
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
            Ok(())
        }
        other => Err(anyhow!("message {prefix} must be text, found {other}")),
    }
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_of_french_and_english() {
        assert_eq!(
            Locale::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("wo-SN, fr-SN;q=0.9, en;q=0.5"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::from_accept_language("de, es;q=0.5"), None);
        assert_eq!(
            Locale::from_accept_language("fr;q=0, en;q=0.1"),
            Some(Locale::En)
        );
    }

    #[test]
    fn catalogues_flatten_sections_into_dotted_keys() {
        let c = Catalog::from_toml("[nav]\nhome = \"Accueil\"", "[nav]\nhome = \"Home\"").unwrap();
        assert_eq!(c.get(Locale::Fr, "nav.home"), Some("Accueil"));
        assert_eq!(c.get(Locale::En, "nav.home"), Some("Home"));
        assert_eq!(fill("Hello {name}", &[("name", "Awa".into())]), "Hello Awa");
    }
}

//! French first, English second: the message catalogue, the visitor's language, plural
//! forms, and filling a message's `{placeholders}`. Pages, mail, import reports, domain
//! refusals and (next) SMS replies all speak through it.
//!
//! Messages live in `templates/i18n/{fr,en}.toml` and `templates/i18n/<area>.{fr,en}.toml`,
//! embedded in the binary. A key is `section.name`. A message that depends on a number
//! is a table of two forms, chosen by the argument `count`:
//!
//! ```toml
//! [imports.rows]
//! one = "{count} ligne"
//! other = "{count} lignes"
//! ```
//!
//! **The plural rule** (CLDR's, for the two languages): in French, 0 and 1 take the
//! singular ("0 vote", "1 vote", "2 votes"); in English only 1 does ("0 votes",
//! "1 vote").

use std::collections::HashMap;

use anyhow::{anyhow, Context as _};
use rust_embed::RustEmbed;
use serde::Serialize;

use crate::money::Xof;

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

    /// The other of the two languages (the switch in the header).
    pub fn other(self) -> Locale {
        match self {
            Locale::Fr => Locale::En,
            Locale::En => Locale::Fr,
        }
    }

    /// Whether `n` takes the singular form: 0 and 1 in French, 1 in English.
    pub fn is_singular(self, n: i64) -> bool {
        match self {
            Locale::Fr => n == 0 || n == 1,
            Locale::En => n == 1,
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

/// A value put into a message. Amounts and numbers are written the way each language
/// writes them when the message is shown, not when it is made (a refusal is made before
/// anyone knows who will read it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    /// A count: it also chooses the plural form when its name is `count`.
    Number(i64),
    /// Francs CFA: `25 000 FCFA` in French, `XOF 25,000` in English.
    Money(Xof),
}

impl Arg {
    pub fn render(&self, locale: Locale) -> String {
        match self {
            Arg::Text(t) => t.clone(),
            Arg::Number(n) => n.to_string(),
            Arg::Money(x) => x.display(locale.as_str()),
        }
    }
}

impl From<String> for Arg {
    fn from(t: String) -> Arg {
        Arg::Text(t)
    }
}

impl From<&str> for Arg {
    fn from(t: &str) -> Arg {
        Arg::Text(t.to_string())
    }
}

impl From<&String> for Arg {
    fn from(t: &String) -> Arg {
        Arg::Text(t.clone())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Arg {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<Xof> for Arg {
    fn from(x: Xof) -> Arg {
        Arg::Money(x)
    }
}

/// One entry of the catalogue.
#[derive(Debug, Clone)]
enum Message {
    Plain(String),
    Plural { one: String, other: String },
}

impl Message {
    fn form(&self, locale: Locale, count: Option<i64>) -> &str {
        match self {
            Message::Plain(text) => text,
            Message::Plural { one, other } => match count {
                Some(n) if locale.is_singular(n) => one,
                _ => other,
            },
        }
    }
}

#[derive(RustEmbed)]
#[folder = "templates/i18n/"]
struct I18nFiles;

/// The two message catalogues, flattened to `section.key` → message.
#[derive(Debug, Default)]
pub struct Catalog {
    messages: HashMap<Locale, HashMap<String, Message>>,
}

impl Catalog {
    /// The catalogue embedded in the binary: `i18n/fr.toml` and `i18n/en.toml`, plus any
    /// `i18n/<area>.fr.toml` and `i18n/<area>.en.toml` kept beside them.
    pub fn embedded() -> anyhow::Result<Catalog> {
        let read = |suffix: &str| -> anyhow::Result<Vec<String>> {
            let mut names: Vec<String> = I18nFiles::iter()
                .filter(|n| n.as_ref() == suffix || n.ends_with(&format!(".{suffix}")))
                .map(|n| n.to_string())
                .collect();
            names.sort();
            names
                .iter()
                .map(|n| {
                    let file = I18nFiles::get(n).ok_or_else(|| anyhow!("missing i18n/{n}"))?;
                    Ok(String::from_utf8(file.data.to_vec())?)
                })
                .collect()
        };
        Catalog::from_toml_files(&read("fr.toml")?, &read("en.toml")?)
    }

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

    fn message(&self, locale: Locale, key: &str) -> Option<&Message> {
        self.messages.get(&locale)?.get(key)
    }

    /// The message as written (the plural form for many, when it has two).
    pub fn get(&self, locale: Locale, key: &str) -> Option<&str> {
        self.message(locale, key).map(|m| m.form(locale, None))
    }

    /// Whether the message has a singular and a plural form.
    pub fn is_plural(&self, locale: Locale, key: &str) -> bool {
        matches!(self.message(locale, key), Some(Message::Plural { .. }))
    }

    /// Both forms of a plural message, or the one text of a plain one.
    pub fn forms(&self, locale: Locale, key: &str) -> Vec<&str> {
        match self.message(locale, key) {
            Some(Message::Plain(t)) => vec![t],
            Some(Message::Plural { one, other }) => vec![one, other],
            None => Vec::new(),
        }
    }

    /// The message, or the key itself when missing (the catalogue tests make sure no key
    /// used anywhere is missing).
    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.get(locale, key).unwrap_or(key).to_string()
    }

    /// The message filled with its arguments; the argument `count` chooses the form of
    /// a plural message. `None` when the key is missing.
    pub fn render<'a>(
        &self,
        locale: Locale,
        key: &str,
        args: impl IntoIterator<Item = (&'a str, &'a Arg)> + Clone,
    ) -> Option<String> {
        let count = args.clone().into_iter().find_map(|(name, arg)| match arg {
            Arg::Number(n) if name == "count" => Some(*n),
            Arg::Text(t) if name == "count" => t.trim().parse().ok(),
            _ => None,
        });
        let text = self.message(locale, key)?.form(locale, count);
        let rendered: Vec<(&str, String)> = args
            .into_iter()
            .map(|(name, arg)| (name, arg.render(locale)))
            .collect();
        Some(fill(text, &rendered))
    }

    /// [`Catalog::render`], or the key itself when missing.
    pub fn text<'a>(
        &self,
        locale: Locale,
        key: &str,
        args: impl IntoIterator<Item = (&'a str, &'a Arg)> + Clone,
    ) -> String {
        self.render(locale, key, args)
            .unwrap_or_else(|| key.to_string())
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

/// A table holding exactly `one` and `other` is one plural message.
fn plural_forms(t: &toml::Table) -> Option<Message> {
    if t.len() != 2 {
        return None;
    }
    match (t.get("one"), t.get("other")) {
        (Some(toml::Value::String(one)), Some(toml::Value::String(other))) => {
            Some(Message::Plural {
                one: one.clone(),
                other: other.clone(),
            })
        }
        _ => None,
    }
}

fn flatten(
    prefix: &str,
    v: &toml::Value,
    out: &mut HashMap<String, Message>,
) -> anyhow::Result<()> {
    match v {
        toml::Value::Table(t) => {
            if let Some(plural) = plural_forms(t).filter(|_| !prefix.is_empty()) {
                out.insert(prefix.to_string(), plural);
                return Ok(());
            }
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
            out.insert(prefix.to_string(), Message::Plain(s.clone()));
            Ok(())
        }
        other => Err(anyhow!("message {prefix} must be text, found {other}")),
    }
}

/// "of" a name, as each language writes it: `de Dakar-Plateau` but `d’Abomey-Calavi`
/// in French (elision before a vowel or a mute h), `of Abomey-Calavi` in English.
pub fn of_name(locale: Locale, name: &str) -> String {
    match locale {
        Locale::En => format!("of {name}"),
        Locale::Fr => {
            let first = name
                .chars()
                .next()
                .map(|c| c.to_lowercase().next().unwrap_or(c));
            let vowel = first.is_some_and(|c| "aeiouyhàâäéèêëîïôöùûüœ".contains(c));
            if vowel {
                format!("d’{name}")
            } else {
                format!("de {name}")
            }
        }
    }
}

/// A date as people write it: `31/03/2026` in French, `31 Mar 2026` in English.
pub fn date(d: chrono::NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Fr => d.format("%d/%m/%Y").to_string(),
        Locale::En => d.format("%-d %b %Y").to_string(),
    }
}

/// Replaces `{name}` placeholders with the values given.
pub fn fill<S: AsRef<str>>(template: &str, args: &[(&str, S)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v.as_ref());
    }
    out
}

#[cfg(test)]
mod tests;

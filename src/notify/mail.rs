//! Mail from templates `emails/<name>.{subject,txt,html}.hbs`, in the recipient's
//! language, sent over SMTP (`COMMUNE_SMTP_URL`) or written as `.eml` files under the
//! outbox folder when no server is set. Send only after the transaction commits.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use handlebars::Handlebars;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;

use crate::i18n::Locale;

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// A message to send: a template name, a recipient, and the template's data.
#[derive(Debug, Clone)]
pub struct Mail {
    pub template: &'static str,
    pub to: String,
    pub locale: Locale,
    pub data: Value,
}

#[derive(Clone)]
pub struct Mailer {
    transport: Arc<Transport>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, outbox: PathBuf, from: &str) -> Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("invalid sender address {from:?}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .with_context(|| {
                        format!("invalid SMTP URL {}", crate::config::redact_url(url))
                    })?
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&outbox)
                    .with_context(|| format!("cannot create outbox folder {}", outbox.display()))?;
                Transport::Files(AsyncFileTransport::<Tokio1Executor>::new(outbox))
            }
        };
        Ok(Mailer {
            transport: Arc::new(transport),
            from,
        })
    }

    /// Renders the three parts of a mail; the data gets `lang` added.
    pub fn compose(&self, hb: &Handlebars<'_>, mail: &Mail) -> Result<Message> {
        let mut data = mail.data.clone();
        if let Value::Object(map) = &mut data {
            map.insert("lang".into(), Value::String(mail.locale.as_str().into()));
        }
        let part = |kind: &str| {
            hb.render(&format!("emails/{}.{kind}", mail.template), &data)
                .with_context(|| format!("mail template {}.{kind}", mail.template))
        };
        let subject = part("subject")?.trim().to_string();
        let to: Mailbox = mail
            .to
            .parse()
            .with_context(|| format!("invalid recipient {:?}", mail.to))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                part("txt")?,
                part("html")?,
            ))
            .context("cannot build the message")
    }

    pub async fn send(&self, hb: &Handlebars<'_>, mail: &Mail) -> Result<()> {
        let message = self.compose(hb, mail)?;
        match &*self.transport {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .context("SMTP delivery failed"),
            Transport::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .context("cannot write the mail file"),
        }
    }

    /// Sends and logs a failure instead of failing the request: the change it follows
    /// has already committed.
    pub async fn send_logged(&self, hb: &Handlebars<'_>, mail: &Mail) {
        match self.send(hb, mail).await {
            Ok(()) => tracing::info!(template = mail.template, to = %mail.to, "mail sent"),
            Err(e) => tracing::error!(
                template = mail.template,
                error = format!("{e:#}"),
                "mail not sent"
            ),
        }
    }
}

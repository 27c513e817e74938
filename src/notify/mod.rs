//! Outgoing messages. Mail goes through lettre, to an SMTP server or to `.eml` files;
//! text messages through an SMS gateway, by default to `.sms` files; and who follows
//! what by e-mail ([`subscriptions`]).

mod mail;
mod sms;
pub mod subscriptions;

pub use mail::{Mail, Mailer};
pub use sms::{SmsGateway, SmsOutbox};

/// The mailer and the SMS gateway the settings name: SMTP or `.eml` files in the outbox,
/// and `.sms` files in `OUTBOX_DIR/sms/`.
pub fn from_settings(
    settings: &crate::config::Settings,
) -> anyhow::Result<(Mailer, std::sync::Arc<dyn SmsGateway>)> {
    let mailer = Mailer::new(
        settings.smtp_url.as_deref(),
        settings.outbox_dir.clone(),
        &settings.mail_from,
    )?;
    let sms = std::sync::Arc::new(SmsOutbox::new(settings.outbox_dir.join("sms"))?);
    Ok((mailer, sms))
}

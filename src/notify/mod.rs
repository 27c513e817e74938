//! Outgoing messages. Mail goes through lettre, to an SMTP server or to `.eml` files;
//! text messages through an SMS gateway, by default to `.sms` files.

mod mail;
mod sms;

pub use mail::{Mail, Mailer};
pub use sms::{SmsGateway, SmsOutbox};

//! Outgoing messages. Mail goes through lettre, to an SMTP server or to `.eml` files;
//! text messages through an SMS gateway, by default to `.sms` files; and who follows
//! what by e-mail ([`subscriptions`]).

mod mail;
mod sms;
pub mod subscriptions;

pub use mail::{Mail, Mailer};
pub use sms::{SmsGateway, SmsOutbox};

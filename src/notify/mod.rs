//! Outgoing messages. Mail goes through lettre, to an SMTP server or to `.eml` files.

mod mail;

pub use mail::{Mail, Mailer};

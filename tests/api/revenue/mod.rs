//! Revenue over HTTP: the register, tax types, rolls and their issue, adjustments,
//! penalties, the counter's payments, imports and exports.

mod account;
mod adjustments;
mod api;
mod collection;
mod collection_scale;
mod imports;
mod issue;
pub(crate) mod mobile;
mod mobile_disputes;
mod notices;
mod pages;
mod payments;
mod penalties;
mod properties;
mod receipts;
mod register;
mod reminders;
mod reminders_scale;
mod rolls;
mod search;
pub mod support;
pub mod treasury;

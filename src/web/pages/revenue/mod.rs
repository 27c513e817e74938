//! Revenue's pages: the finance officer's (the *ordonnateur*: the register and
//! accounts, notices, duplicates, tax types, rolls, adjustments, penalties, imports and
//! exports) and the collector's counter. Every handler parses, calls the revenue domain
//! in one `state.db` or `state.write` closure, and renders or redirects.

pub mod adjustments;
pub mod cancellations;
pub mod collect;
pub mod collection;
pub mod dashboard;
pub mod duplicates;
mod forms;
pub mod imports;
pub mod items;
pub mod notice;
pub mod pay;
pub mod penalties;
pub mod receipts;
pub mod register;
pub mod reminders;
pub mod rolls;
pub mod taxes;
pub mod taxpayer;
pub mod tickets;
pub mod treasury;
pub mod verify;
pub mod webhooks;

use crate::communes::Commune;

/// `/{commune}/finance` followed by `rest`.
fn href(commune: &Commune, rest: &str) -> String {
    format!("/{}/finance{rest}", commune.slug)
}

pub(crate) use super::with_status;

pub(crate) use super::form_id;

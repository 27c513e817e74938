//! Revenue: the taxpayer register, tax types, rolls and assessments, adjustments,
//! penalties, payments at the counter, each taxpayer's ledger, and the imports and
//! exports that fill and read them.

pub mod adjustments;
pub mod assess;
pub mod channels;
pub mod collected;
pub mod collectors;
pub mod demo;
pub mod exports;
pub mod imports;
pub mod items;
pub mod ledger;
pub mod method;
pub mod mobile;
pub mod notices;
pub mod payments;
pub mod penalties;
pub mod reminders;
pub mod rolls;
pub mod stats;
pub mod tax_types;
pub mod taxpayers;
pub mod treasury;

use crate::money::Xof;

/// What an officer saw in the preview of an act that cannot be undone (issuing a roll,
/// charging penalties): the act goes ahead only if it would still do that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub lines: i64,
    pub total: Xof,
}

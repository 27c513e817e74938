//! Revenue over HTTP: the register, tax types, rolls and their issue, adjustments,
//! penalties, the counter's payments, imports and exports.

mod account;
mod adjustments;
mod imports;
mod issue;
mod pages;
mod payments;
mod penalties;
mod register;
mod rolls;
pub mod support;
pub mod treasury;

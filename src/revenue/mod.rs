//! Revenue: the taxpayer register, tax types, rolls and assessments, adjustments,
//! penalties, payments at the counter, taxpayer accounts, and the imports that fill them.

pub mod account;
pub mod adjustments;
pub mod assess;
pub mod csvin;
pub mod exports;
pub mod fields;
pub mod imports;
pub mod items;
pub mod payments;
pub mod penalties;
pub mod rolls;
pub mod tax_types;
pub mod taxpayers;

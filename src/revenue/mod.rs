pub mod assess;
pub mod tax_types;
pub mod taxpayers;
pub mod items;
pub mod rolls;
pub mod adjustments;
pub mod penalties;
pub mod account;

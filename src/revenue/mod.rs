pub mod csvin;
pub mod fields;

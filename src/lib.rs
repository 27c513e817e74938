//! Commune: local revenue, participatory budgeting and budget publication for a
//! commune of Senegal or Benin. See `README.md` for the layout.

pub mod accounts;
pub mod audit;
pub mod budget;
pub mod cli;
pub mod communes;
pub mod config;
pub mod db;
pub mod error;
pub mod fields;
pub mod i18n;
pub mod ids;
pub mod money;
pub mod notify;
pub mod participation;
pub mod revenue;
pub mod seed;
pub mod startup;
pub mod tabular;
pub mod telemetry;
pub mod text;
pub mod voting;
pub mod web;

#[cfg(test)]
mod layering;

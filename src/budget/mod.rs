//! The commune budget: the national nomenclature its lines are written on, the balance
//! rules, the documents and their steps from draft to publication, and the published
//! open data. Execution, the public portal and the Fiscal Data Package come next
//! (issue 10).
//!
//! Budget reads revenue and participation only through the public functions they
//! offer; neither imports budget.

pub mod balance;
pub mod documents;
pub mod execution;
pub mod figures;
pub mod nomenclature;
pub mod opendata;
pub mod portal;

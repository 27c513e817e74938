//! The commune budget: the national nomenclature its lines are written on, the balance
//! rules, the documents and their steps from draft to publication, and the published
//! open data, and the execution of spending (commitments, mandats, payments, revenue
//! titles) from which the compte administratif is produced.
//!
//! Budget reads revenue and participation only through the public functions they
//! offer; neither imports budget.

pub mod account;
pub mod balance;
pub mod demo;
pub mod documents;
pub mod execution;
pub mod figures;
pub mod nomenclature;
pub mod opendata;
pub mod portal;
pub mod spending;
pub mod spending_import;

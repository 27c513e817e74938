//! The commune budget: the national nomenclature its lines are written on, and the
//! balance rules a document must meet before it goes to the council. Budget documents,
//! their workflow, execution and publication come next (issue 10).
//!
//! Budget reads revenue and participation only through the public functions they
//! offer; neither imports budget.

pub mod balance;
pub mod nomenclature;

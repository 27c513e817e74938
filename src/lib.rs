//! Commune: local revenue, participatory budgeting and budget publication.
pub mod voting;

//! Participation's pages: the commune's participatory-budgeting rounds, each round with
//! its phases, rules and results, and the downloads anyone can recount from.

pub mod manage;
pub mod paper;
pub mod projects;
pub mod proposals;
pub mod rounds;
pub mod sms;
mod view;
pub mod vote;

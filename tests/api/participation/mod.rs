//! Participation over HTTP: participatory-budgeting rounds, their results and the
//! ballots anyone can recount.

mod paper;
mod projects;
mod proposals;
mod rounds;
mod secrecy;
mod setup;
mod sms;
pub(crate) mod voting;

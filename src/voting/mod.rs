//! The voting engine (see issue 3).
pub mod cli;

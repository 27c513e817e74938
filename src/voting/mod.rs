//! The voting engine: participatory-budgeting elections, the pabulib `.pb`
//! format and the rules that choose the winning projects. It is pure: no
//! database, and no I/O beyond reading or writing a file on request.

pub mod cli;
pub mod explain;
pub mod model;
pub mod number;
pub mod pb;
pub mod rules;

pub use model::{Ballot, BallotRules, BallotViolation, Election, Project, VoteType};
pub use pb::{parse_pb, read_pb_file, write_pb, write_pb_file, PbError};
pub use rules::{tally, Outcome, Rule, TallyError};

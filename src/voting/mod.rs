//! The voting engine: participatory-budgeting elections, the pabulib `.pb`
//! format, and the rules that choose the winning projects. It is pure: no
//! database, and no I/O beyond reading or writing a file when asked.
//!
//! An election is an [`Election`]: a budget, [`Project`]s and [`Ballot`]s
//! (approval, choose-1, cumulative, scoring or ordinal). Read one from a
//! `.pb` file with [`read_pb_file`] or [`parse_pb`], or build it in memory;
//! [`tally`] counts it under a [`Rule`] and returns an [`Outcome`], whose
//! `describe` and `to_json` explain every project's result.
//!
//! ```
//! use commune::voting::{tally, Ballot, Election, Project, Rule, VoteType};
//!
//! let mut e = Election::new(100, VoteType::Approval);
//! let park = e.add_project(Project::new("park", 60));
//! let library = e.add_project(Project::new("library", 50));
//! e.add_ballot(Ballot::approval("v1", vec![park]));
//! e.add_ballot(Ballot::approval("v2", vec![park, library]));
//! e.add_ballot(Ballot::approval("v3", vec![library]));
//!
//! let outcome = tally(&e, Rule::Mes, false).unwrap();
//! // Both cost their two supporters half of their price per unit; the tie
//! // goes to the cheaper library, after which the park is out of reach.
//! assert_eq!(outcome.selected, vec![library]);
//! assert_eq!(outcome.ties.len(), 1);
//! assert!(outcome.describe(&e, park).contains("outbid"));
//! ```
//!
//! Arithmetic is exact throughout (integers and fractions; no float decides
//! anything). Ties are broken by lowest cost, then most votes, then project
//! id compared as text, and every tie broken is reported.

pub mod cli;
pub mod explain;
pub mod model;
pub mod number;
pub mod pb;
pub mod rules;

pub use model::{Ballot, BallotRules, BallotViolation, Election, Project, VoteType};
pub use pb::{
    parse_pb, parse_pb_with_warnings, read_pb_file, read_pb_file_with_warnings, write_pb,
    write_pb_file, PbError, PbWarning,
};
pub use rules::{tally, Outcome, Rule, TallyError};

//! Participation: participatory-budgeting rounds, from the proposals to the projects
//! built. A round goes through its phases in order (proposals → review → vote →
//! results → implementation); its ballot areas (a district, or the whole commune) each
//! have an envelope; the proposals that the review finds feasible go on the ballot; the
//! ballots are counted by [`crate::voting`], never here.
//!
//! This module owns the tables `rounds`, `round_phases`, `round_areas`, `proposals`,
//! `ballots`, `round_results`, `projects` and `project_updates`. It reads no other domain's tables.
//!
//! **Secrecy.** A ballot records what was voted, never who voted nor when: it has no
//! voter, no time, and is keyed by a random public id, so that neither its columns nor
//! the order of the table tell when it was cast (on SQLite the table has no rowid).

pub mod ballots;
pub mod codes;
pub mod demo;
pub mod election;
pub mod hands;
pub mod paper;
pub mod pbfile;
pub mod phases;
pub mod projects;
pub mod proposals;
pub mod results;
pub mod review;
pub mod rounds;
pub mod setup;
pub mod sms;
pub mod voters;
pub mod words;

pub use rounds::{Area, Round};

crate::text_enum!(
    /// Where a round stands. Phases follow in this order, and only forward.
    pub Phase {
        Proposals = "proposals",
        Review = "review",
        Vote = "vote",
        Results = "results",
        Implementation = "implementation",
    }
);

impl Phase {
    /// The phase after this one, if any.
    pub fn next(self) -> Option<Phase> {
        let i = Phase::ALL.iter().position(|p| *p == self)?;
        Phase::ALL.get(i + 1).copied()
    }
}

crate::text_enum!(
    /// How a ballot reached the count.
    pub Channel {
        Online = "online",
        Sms = "sms",
        Paper = "paper",
        /// Read from a pabulib file (`commune import round`).
        File = "file",
    }
);

crate::text_enum!(
    /// Where a proposal stands in the review. Only feasible proposals reach the ballot.
    pub ProposalStatus {
        Submitted = "submitted",
        Feasible = "feasible",
        Unfeasible = "unfeasible",
        Merged = "merged",
    }
);

crate::text_enum!(
    /// One ballot per district, or one ballot for the whole commune.
    pub BallotScope {
        District = "district",
        Commune = "commune",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_in_order_and_end_with_implementation() {
        assert_eq!(Phase::Proposals.next(), Some(Phase::Review));
        assert_eq!(Phase::Review.next(), Some(Phase::Vote));
        assert_eq!(Phase::Vote.next(), Some(Phase::Results));
        assert_eq!(Phase::Results.next(), Some(Phase::Implementation));
        assert_eq!(Phase::Implementation.next(), None);
    }
}

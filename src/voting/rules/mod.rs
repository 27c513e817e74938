//! The rules that turn ballots into winning projects, and [`tally`], the
//! one entry point that runs them.
//!
//! How ballots count: approval, choose-1 and ordinal ballots support every
//! project they list (a ranking counts as approval of the ranked projects,
//! as pabulib's `votes` column does); cumulative and scoring ballots support
//! the projects they give positive points. Greedy ranks by votes, or by
//! total points for point ballots; MES uses cost utilities for approval
//! ballots and points for point ballots; Phragmén, defined for approvals,
//! treats a point ballot as approving the projects it gives points to.
//!
//! Where Commune departs from pabutools 1.2.3, in cases the real elections
//! never reach: greedy and Phragmén never fund a project nobody voted for,
//! and Phragmén stops when the project the tie-break chooses does not fit
//! (pabutools stops when any of the tied projects does not).

mod context;
mod greedy;
pub(crate) mod mes;
mod outcome;
mod phragmen;

use std::fmt;

pub use context::{Stage, Tie, TieBreak};
pub use outcome::{
    Explanation, GreedyStep, GreedyVerdict, MesLoss, MesSummary, MesWin, Outcome, PhragmenLoss,
    ProjectOutcome,
};

use super::model::{BallotViolation, Election};
use context::Context;
use mes::Stop;

/// A counting rule, with the name the CLI uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Rank by votes (or points); fund each project that still fits.
    Greedy,
    /// Rank by votes; stop at the first project that does not fit.
    GreedyNoSkip,
    /// Greedy among projects scoring at least META `min_project_score_threshold`.
    GreedyThreshold,
    /// Method of Equal Shares: cost utilities for approval ballots, points
    /// for cumulative and scoring ballots.
    Mes,
    /// MES, raising every voter's money by one currency unit until the
    /// outcome is exhaustive (pabutools `voter_budget_increment=1`).
    MesAdd1e,
    /// MES, raising every voter's money by one currency unit for as long as
    /// the outcome stays within budget (Wieliczka 2023).
    MesAdd1,
    /// Sequential Phragmén.
    Phragmen,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::Greedy,
        Rule::GreedyNoSkip,
        Rule::GreedyThreshold,
        Rule::Mes,
        Rule::MesAdd1e,
        Rule::MesAdd1,
        Rule::Phragmen,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::Greedy => "greedy",
            Rule::GreedyNoSkip => "greedy-no-skip",
            Rule::GreedyThreshold => "greedy-threshold",
            Rule::Mes => "mes",
            Rule::MesAdd1e => "mes-add1e",
            Rule::MesAdd1 => "mes-add1",
            Rule::Phragmen => "phragmen",
        }
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The rule named by a `.pb` file's META `rule`, when Commune knows it.
    /// pabulib writes `equalshares/add1` for MES with add1 completion
    /// (Assen 2024, Świecie 2023, reproduced by `mes-add1e`) and
    /// `equalshares/add1-comparison` for Wieliczka 2023, whose official
    /// outcome is the one `mes-add1` gives.
    pub fn from_pabulib(rule: &str) -> Option<Rule> {
        match rule.trim() {
            "greedy" => Some(Rule::Greedy),
            "greedy-no-skip" => Some(Rule::GreedyNoSkip),
            "greedy-threshold" => Some(Rule::GreedyThreshold),
            "equalshares" => Some(Rule::Mes),
            "equalshares/add1" => Some(Rule::MesAdd1e),
            "equalshares/add1-comparison" => Some(Rule::MesAdd1),
            "phragmen" | "sequential-phragmen" => Some(Rule::Phragmen),
            other => Rule::from_name(other),
        }
    }

    /// The name a `.pb` file's META `rule` gives this rule: the inverse of
    /// [`Rule::from_pabulib`].
    pub fn pabulib_name(self) -> &'static str {
        match self {
            Rule::Mes => "equalshares",
            Rule::MesAdd1e => "equalshares/add1",
            Rule::MesAdd1 => "equalshares/add1-comparison",
            other => other.name(),
        }
    }

    /// The known rule names, for messages.
    pub fn names() -> String {
        Rule::ALL.map(Rule::name).join(", ")
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Rule {
    type Err = TallyError;

    fn from_str(s: &str) -> Result<Rule, TallyError> {
        Rule::from_name(s).ok_or_else(|| TallyError::UnknownRule(s.to_string()))
    }
}

/// Why an election could not be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    #[error("unknown rule \"{0}\"; the rules are {names}", names = Rule::names())]
    UnknownRule(String),
    #[error("greedy-threshold needs META min_project_score_threshold")]
    MissingThreshold,
    #[error("project id \"{0}\" is used twice")]
    DuplicateProject(String),
    #[error("ballot {ballot}: {violation}")]
    BadBallot {
        ballot: usize,
        violation: BallotViolation,
    },
}

/// Counts an election under `rule`, then, if asked, completes the outcome
/// greedily with the money left. Ties are broken by lowest cost, then most
/// votes, then project id compared as text.
pub fn tally(e: &Election, rule: Rule, complete_greedy: bool) -> Result<Outcome, TallyError> {
    check_ballots(e)?;
    let ctx = Context::new(e);
    let p_count = e.projects.len();
    let no_support = || vec![Explanation::NoSupport; p_count];
    let (selected, reasons, ties, mes) = match rule {
        Rule::Greedy | Rule::GreedyNoSkip | Rule::GreedyThreshold => {
            let variant = match rule {
                Rule::Greedy => greedy::Variant::Skip,
                Rule::GreedyNoSkip => greedy::Variant::NoSkip,
                _ => greedy::Variant::Threshold(
                    e.score_threshold.ok_or(TallyError::MissingThreshold)?,
                ),
            };
            let counted =
                greedy::count(&ctx, variant, e.budget, &vec![false; p_count], Stage::Rule);
            let mut reasons = no_support();
            for (reason, step) in reasons.iter_mut().zip(counted.steps) {
                if let Some(step) = step {
                    *reason = Explanation::Greedy(step);
                }
            }
            (counted.selected, reasons, counted.ties, None)
        }
        Rule::Mes | Rule::MesAdd1e | Rule::MesAdd1 => {
            let stop = match rule {
                Rule::Mes => Stop::Once,
                Rule::MesAdd1e => Stop::FirstExhaustive,
                _ => Stop::OverBudget,
            };
            let (run, summary) = mes::equal_shares(&ctx, stop);
            let mut reasons = no_support();
            let per_point = e.vote_type.has_points();
            for (reason, loss) in reasons.iter_mut().zip(run.losses) {
                if let Some(loss) = loss {
                    *reason = Explanation::MesLost(MesLoss {
                        round: loss.round,
                        outbid_by: loss.outbid_by,
                        money_left: loss.money_left.to_ratio(),
                    });
                }
            }
            for win in run.wins {
                reasons[win.project] = Explanation::MesWon(MesWin {
                    round: win.round,
                    price: win.price.to_ratio(),
                    per_point,
                    paid_in_full: win.paid_in_full,
                    paid_all_they_had: win.paid_all_they_had,
                    had_nothing: win.had_nothing,
                });
            }
            (run.selected, reasons, run.ties, Some(summary))
        }
        Rule::Phragmen => {
            let counted = phragmen::sequential_phragmen(&ctx);
            (counted.selected, counted.reasons, counted.ties, None)
        }
    };
    Ok(finish(
        &ctx,
        rule,
        complete_greedy,
        selected,
        reasons,
        ties,
        mes,
    ))
}

/// The rules rely on unique project ids (ties are broken on them) and on
/// ballots naming existing projects, each once, with points where the vote
/// type needs them.
fn check_ballots(e: &Election) -> Result<(), TallyError> {
    let mut ids: Vec<&str> = e.projects.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(TallyError::DuplicateProject(w[0].to_string()));
    }
    let mut stamp = vec![usize::MAX; e.projects.len()];
    let points = e.vote_type.has_points();
    for (i, b) in e.ballots.iter().enumerate() {
        let bad = |violation| {
            Err(TallyError::BadBallot {
                ballot: i,
                violation,
            })
        };
        for &p in &b.projects {
            match stamp.get_mut(p) {
                None => return bad(BallotViolation::UnknownProject(p)),
                Some(s) if *s == i => return bad(BallotViolation::Duplicate(p)),
                Some(s) => *s = i,
            }
        }
        if points && b.points.len() != b.projects.len() {
            return bad(BallotViolation::PointsMismatch {
                projects: b.projects.len(),
                points: b.points.len(),
            });
        }
    }
    Ok(())
}

fn finish(
    ctx: &Context,
    rule: Rule,
    complete_greedy: bool,
    mut selected: Vec<usize>,
    reasons: Vec<Explanation>,
    mut ties: Vec<Tie>,
    mes: Option<MesSummary>,
) -> Outcome {
    let e = ctx.e;
    let p_count = e.projects.len();
    let mut is_selected = vec![false; p_count];
    selected.iter().for_each(|&p| is_selected[p] = true);
    let mut cost = selected
        .iter()
        .fold(0u64, |sum, &p| sum.saturating_add(ctx.cost(p)));
    let mut completion = vec![None; p_count];
    if complete_greedy {
        let counted = greedy::count(
            ctx,
            greedy::Variant::Skip,
            e.budget - cost,
            &is_selected,
            Stage::Completion,
        );
        for &p in &counted.selected {
            is_selected[p] = true;
            cost = cost.saturating_add(ctx.cost(p));
        }
        selected.extend(counted.selected);
        completion = counted.steps;
        ties.extend(counted.ties);
    }
    let voters_with_none = e
        .ballots
        .iter()
        .filter(|b| !b.projects.iter().any(|&p| is_selected[p]))
        .count() as u64;
    let projects = reasons
        .into_iter()
        .zip(completion)
        .enumerate()
        .map(|(p, (reason, completion))| ProjectOutcome {
            selected: is_selected[p],
            votes: ctx.votes[p],
            score: ctx.scores[p],
            reason,
            completion,
        })
        .collect();
    Outcome {
        rule,
        completed_with_greedy: complete_greedy,
        selected,
        cost,
        budget: e.budget,
        voters: ctx.n,
        voters_with_none,
        ties,
        projects,
        mes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voting::model::{Ballot, Project, VoteType};

    fn election(vote_type: VoteType) -> Election {
        let mut e = Election::new(100, vote_type);
        for (id, cost) in [("a", 60), ("b", 50), ("c", 30)] {
            e.add_project(Project::new(id, cost));
        }
        for (i, b) in [vec![0, 2], vec![1, 0], vec![1]].into_iter().enumerate() {
            e.add_ballot(Ballot::approval(i.to_string(), b));
        }
        e
    }

    #[test]
    fn rule_names_read_back_and_pabulib_names_map_to_rules() {
        for rule in Rule::ALL {
            assert_eq!(rule.name().parse::<Rule>(), Ok(rule));
            assert_eq!(Rule::from_pabulib(rule.pabulib_name()), Some(rule));
        }
        assert_eq!(Rule::from_pabulib("equalshares/add1"), Some(Rule::MesAdd1e));
        assert_eq!(
            Rule::from_pabulib("equalshares/add1-comparison"),
            Some(Rule::MesAdd1)
        );
        assert_eq!(Rule::from_pabulib("unknown"), None);
        assert!(matches!(
            "borda".parse::<Rule>(),
            Err(TallyError::UnknownRule(_))
        ));
    }

    #[test]
    fn an_ordinal_ballot_counts_as_approval_of_the_ranked_projects() {
        let approval = election(VoteType::Approval);
        let mut ordinal = approval.clone();
        ordinal.vote_type = VoteType::Ordinal;
        for rule in Rule::ALL
            .into_iter()
            .filter(|&r| r != Rule::GreedyThreshold)
        {
            let a = tally(&approval, rule, false).unwrap();
            let o = tally(&ordinal, rule, false).unwrap();
            assert_eq!(a.selected, o.selected, "{rule}");
        }
    }

    #[test]
    fn greedy_threshold_needs_a_threshold() {
        let mut e = election(VoteType::Approval);
        assert_eq!(
            tally(&e, Rule::GreedyThreshold, false),
            Err(TallyError::MissingThreshold)
        );
        e.score_threshold = Some(2);
        // a and b tie on two votes; b is cheaper, then a no longer fits; c is below the threshold.
        assert_eq!(
            tally(&e, Rule::GreedyThreshold, false).unwrap().selected,
            vec![1]
        );
    }

    #[test]
    fn ballots_naming_unknown_projects_and_twice_used_ids_are_refused() {
        let mut e = election(VoteType::Approval);
        e.ballots[1].projects.push(9);
        let err = tally(&e, Rule::Greedy, false).unwrap_err();
        assert_eq!(err.to_string(), "ballot 1: project #9 does not exist");
        let mut e = election(VoteType::Approval);
        e.projects[2].id = "a".into();
        assert_eq!(
            tally(&e, Rule::Mes, false),
            Err(TallyError::DuplicateProject("a".into()))
        );
    }

    #[test]
    fn greedy_completion_spends_what_the_rule_left() {
        let e = election(VoteType::Approval);
        let plain = tally(&e, Rule::Mes, false).unwrap();
        let completed = tally(&e, Rule::Mes, true).unwrap();
        assert!(completed.cost >= plain.cost && completed.cost <= e.budget);
        assert_eq!(
            &completed.selected[..plain.selected.len()],
            &plain.selected[..]
        );
        for p in 0..e.projects.len() {
            if !completed.projects[p].selected {
                assert!(e.projects[p].cost > completed.left_over());
            }
        }
    }
}

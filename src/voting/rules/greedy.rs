//! Greedy counting, as most cities do it: rank the projects by votes (or
//! points), then fund each in turn while the money lasts.

use super::context::{Context, Stage, Tie};
use super::outcome::{GreedyStep, GreedyVerdict};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    /// A project that does not fit is skipped and the count goes on.
    Skip,
    /// The count stops at the first project that does not fit.
    NoSkip,
    /// Like `Skip`, among projects whose score reaches the threshold.
    Threshold(i64),
}

pub(crate) struct Counted {
    pub selected: Vec<usize>,
    /// One entry per project; `None` for projects not ranked (no support,
    /// or excluded).
    pub steps: Vec<Option<GreedyStep>>,
    pub ties: Vec<Tie>,
}

/// Projects with a positive score and not excluded, best score first, ties
/// in the tie-breaking order.
pub(crate) fn ranking(ctx: &Context, excluded: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ctx.e.projects.len())
        .filter(|&p| ctx.scores[p] > 0 && !excluded[p])
        .collect();
    order.sort_by(|&a, &b| ctx.scores[b].cmp(&ctx.scores[a]).then(ctx.tie_cmp(a, b)));
    order
}

/// Counts greedily with `budget` to spend, leaving out `excluded` projects.
pub(crate) fn count(
    ctx: &Context,
    variant: Variant,
    budget: u64,
    excluded: &[bool],
    stage: Stage,
) -> Counted {
    let order = ranking(ctx, excluded);
    let mut steps = vec![None; ctx.e.projects.len()];
    let mut selected = Vec::new();
    let mut left = budget;
    let mut stopped_at = None;
    for (i, &p) in order.iter().enumerate() {
        let score = ctx.scores[p];
        let verdict = match (variant, stopped_at) {
            (Variant::Threshold(threshold), _) if score < threshold => {
                GreedyVerdict::BelowThreshold { threshold }
            }
            (_, Some(at)) => GreedyVerdict::Stopped { at },
            _ if ctx.cost(p) <= left => GreedyVerdict::Selected,
            _ => {
                if variant == Variant::NoSkip {
                    stopped_at = Some(p);
                }
                GreedyVerdict::DidNotFit
            }
        };
        steps[p] = Some(GreedyStep {
            rank: i + 1,
            score,
            budget_left: left,
            verdict: verdict.clone(),
        });
        if verdict == GreedyVerdict::Selected {
            left -= ctx.cost(p);
            selected.push(p);
        }
    }
    let ties = decisive_ties(ctx, &order, &steps, stage);
    Counted {
        selected,
        steps,
        ties,
    }
}

/// Runs of equal scores whose members did not all fare the same: there the
/// tie-breaking order decided something.
fn decisive_ties(
    ctx: &Context,
    order: &[usize],
    steps: &[Option<GreedyStep>],
    stage: Stage,
) -> Vec<Tie> {
    let won = |p: usize| {
        steps[p]
            .as_ref()
            .is_some_and(|s| s.verdict == GreedyVerdict::Selected)
    };
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let score = ctx.scores[order[start]];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&p| ctx.scores[p] == score)
                .count();
        let run = &order[start..end];
        if run.len() > 1 && run.iter().any(|&p| won(p) != won(run[0])) {
            ties.push(Tie {
                stage,
                at: start + 1,
                tied: run.to_vec(),
                decided_by: ctx.decided_by(run[0], run[1]),
            });
        }
        start = end;
    }
    ties
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voting::model::{Ballot, Election, Project, VoteType};

    /// Projects a..d cost 50, 40, 30, 20; a has 4 votes, b 3, c 3, d 1.
    fn election() -> Election {
        let mut e = Election::new(100, VoteType::Approval);
        for (id, cost) in [("a", 50), ("b", 40), ("c", 30), ("d", 20)] {
            e.add_project(Project::new(id, cost));
        }
        for (i, ballot) in [
            vec![0, 1],
            vec![0, 1],
            vec![0, 2],
            vec![0, 2, 3],
            vec![1, 2],
        ]
        .into_iter()
        .enumerate()
        {
            e.add_ballot(Ballot::approval(i.to_string(), ballot));
        }
        e
    }

    #[test]
    fn greedy_skips_a_project_that_does_not_fit_and_goes_on() {
        let e = election();
        let ctx = Context::new(&e);
        let out = count(&ctx, Variant::Skip, 100, &[false; 4], Stage::Rule);
        // a (50), then c and b tie on 3 votes: c is cheaper and fits, b no longer does, then d.
        assert_eq!(out.selected, vec![0, 2, 3]);
        let b = out.steps[1].as_ref().unwrap();
        assert_eq!(
            (b.rank, b.budget_left, &b.verdict),
            (3, 20, &GreedyVerdict::DidNotFit)
        );
        assert_eq!(out.ties.len(), 1);
        assert_eq!(out.ties[0].tied, vec![2, 1]);
    }

    #[test]
    fn greedy_no_skip_stops_at_the_first_project_that_does_not_fit() {
        let e = election();
        let ctx = Context::new(&e);
        let out = count(&ctx, Variant::NoSkip, 100, &[false; 4], Stage::Rule);
        assert_eq!(out.selected, vec![0, 2]);
        assert_eq!(
            out.steps[3].as_ref().unwrap().verdict,
            GreedyVerdict::Stopped { at: 1 }
        );
    }

    #[test]
    fn greedy_threshold_leaves_out_projects_below_the_threshold() {
        let e = election();
        let ctx = Context::new(&e);
        let out = count(&ctx, Variant::Threshold(2), 100, &[false; 4], Stage::Rule);
        assert_eq!(out.selected, vec![0, 2]);
        assert_eq!(
            out.steps[3].as_ref().unwrap().verdict,
            GreedyVerdict::BelowThreshold { threshold: 2 }
        );
    }

    #[test]
    fn excluded_and_unsupported_projects_are_not_ranked() {
        let mut e = election();
        e.add_project(Project::new("e", 1));
        let ctx = Context::new(&e);
        let out = count(
            &ctx,
            Variant::Skip,
            100,
            &[true, false, false, false, false],
            Stage::Completion,
        );
        assert_eq!(out.selected, vec![2, 1, 3]);
        assert!(out.steps[0].is_none() && out.steps[4].is_none());
    }
}

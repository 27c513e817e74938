//! What every rule needs from an election: voters with identical ballots
//! grouped together, vote counts, scores and the tie-breaking order.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::voting::model::Election;

/// Voters who cast the same ballot. They are treated identically by every
/// rule, so each group is counted once with its weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub weight: u64,
    /// Projects the ballot supports (listed, with positive points for point
    /// ballots), in increasing index order.
    pub projects: Vec<usize>,
    /// Points for each project above (point ballots only, else empty).
    pub points: Vec<i64>,
}

pub(crate) struct Context<'e> {
    pub e: &'e Election,
    /// Number of voters, including those whose ballot supports nothing.
    pub n: u64,
    /// Voters who listed each project.
    pub votes: Vec<u64>,
    /// Greedy score: votes, or total points for point ballots.
    pub scores: Vec<i64>,
    pub groups: Vec<Group>,
    /// Groups supporting each project.
    pub supporters: Vec<Vec<u32>>,
    /// Total weight of each project's supporters.
    pub support: Vec<u64>,
}

impl<'e> Context<'e> {
    pub fn new(e: &'e Election) -> Context<'e> {
        let p_count = e.projects.len();
        let mut votes = vec![0u64; p_count];
        let mut scores = vec![0i64; p_count];
        let points = e.vote_type.has_points();
        // Ballots as sorted (project, points) lists; points are 1 for approvals.
        let mut by_ballot: HashMap<Vec<(usize, i64)>, u64> = HashMap::new();
        let mut entries: Vec<(usize, i64)> = Vec::new();
        for b in &e.ballots {
            entries.clear();
            for (i, &p) in b.projects.iter().enumerate() {
                let pts = if points {
                    b.points.get(i).copied().unwrap_or(0)
                } else {
                    1
                };
                votes[p] += 1;
                scores[p] = scores[p].saturating_add(pts);
                if pts > 0 {
                    entries.push((p, pts));
                }
            }
            entries.sort_unstable();
            match by_ballot.get_mut(entries.as_slice()) {
                Some(weight) => *weight += 1,
                None => {
                    by_ballot.insert(entries.clone(), 1);
                }
            }
        }
        let mut groups: Vec<Group> = by_ballot
            .into_iter()
            .filter(|(entries, _)| !entries.is_empty())
            .map(|(entries, weight)| {
                let (projects, pts): (Vec<usize>, Vec<i64>) = entries.into_iter().unzip();
                Group {
                    weight,
                    projects,
                    points: if points { pts } else { Vec::new() },
                }
            })
            .collect();
        // A fixed order, so that nothing depends on the order of the ballots.
        groups.sort_unstable_by(|a, b| (&a.projects, &a.points).cmp(&(&b.projects, &b.points)));
        let mut supporters = vec![Vec::new(); p_count];
        let mut support = vec![0u64; p_count];
        for (g, group) in groups.iter().enumerate() {
            for &p in &group.projects {
                supporters[p].push(g as u32);
                support[p] += group.weight;
            }
        }
        Context {
            e,
            n: e.ballots.len() as u64,
            votes,
            scores,
            groups,
            supporters,
            support,
        }
    }

    pub fn cost(&self, p: usize) -> u64 {
        self.e.projects[p].cost
    }

    /// The tie-breaking order: lowest cost first, then most votes, then
    /// project id compared as text (equalshares.net, plus the id).
    pub fn tie_cmp(&self, a: usize, b: usize) -> Ordering {
        let (pa, pb) = (&self.e.projects[a], &self.e.projects[b]);
        pa.cost
            .cmp(&pb.cost)
            .then(self.votes[b].cmp(&self.votes[a]))
            .then(pa.id.cmp(&pb.id))
    }

    /// Which criterion put `a` before `b`.
    pub fn decided_by(&self, a: usize, b: usize) -> TieBreak {
        if self.cost(a) != self.cost(b) {
            TieBreak::LowerCost
        } else if self.votes[a] != self.votes[b] {
            TieBreak::MoreVotes
        } else {
            TieBreak::IdAsText
        }
    }

    /// Orders tied projects and records the tie.
    pub fn break_tie(&self, mut tied: Vec<usize>, at: usize, stage: Stage) -> (usize, Option<Tie>) {
        tied.sort_by(|&a, &b| self.tie_cmp(a, b));
        let first = tied[0];
        if tied.len() == 1 {
            return (first, None);
        }
        let decided_by = self.decided_by(tied[0], tied[1]);
        (
            first,
            Some(Tie {
                stage,
                at,
                tied,
                decided_by,
            }),
        )
    }
}

/// The criterion that decided a tie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    LowerCost,
    MoreVotes,
    IdAsText,
}

/// Whether a tie arose in the rule itself or in the greedy completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Rule,
    Completion,
}

/// Projects the rule could not tell apart, and how the tie was broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tie {
    pub stage: Stage,
    /// The round (MES, Phragmén) or rank (greedy) where the tie arose, 1-based.
    pub at: usize,
    /// The tied projects, in the order the tie-break put them.
    pub tied: Vec<usize>,
    /// What separated the first from the second.
    pub decided_by: TieBreak,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voting::model::{Ballot, Project, VoteType};

    #[test]
    fn identical_ballots_form_one_group_whatever_their_order() {
        let mut e = Election::new(10, VoteType::Approval);
        for id in ["a", "b", "c"] {
            e.add_project(Project::new(id, 5));
        }
        e.add_ballot(Ballot::approval("1", vec![0, 1]));
        e.add_ballot(Ballot::approval("2", vec![1, 0]));
        e.add_ballot(Ballot::approval("3", vec![2]));
        e.add_ballot(Ballot::approval("4", vec![]));
        let ctx = Context::new(&e);
        assert_eq!(ctx.n, 4);
        assert_eq!(ctx.groups.len(), 2);
        assert_eq!(
            ctx.groups[0],
            Group {
                weight: 2,
                projects: vec![0, 1],
                points: vec![]
            }
        );
        assert_eq!(ctx.votes, vec![2, 2, 1]);
        assert_eq!(ctx.support, vec![2, 2, 1]);
    }

    #[test]
    fn points_count_in_scores_and_only_positive_points_count_as_support() {
        let mut e = Election::new(10, VoteType::Cumulative);
        e.add_project(Project::new("a", 5));
        e.add_project(Project::new("b", 5));
        e.add_ballot(Ballot::with_points("1", vec![0, 1], vec![3, 0]));
        let ctx = Context::new(&e);
        assert_eq!(ctx.scores, vec![3, 0]);
        assert_eq!(ctx.votes, vec![1, 1]);
        assert_eq!(ctx.support, vec![1, 0]);
    }

    #[test]
    fn ties_go_to_lower_cost_then_more_votes_then_id() {
        let mut e = Election::new(10, VoteType::Approval);
        for (id, cost) in [("b", 5), ("a", 5), ("c", 4), ("d", 5)] {
            e.add_project(Project::new(id, cost));
        }
        e.add_ballot(Ballot::approval("1", vec![3]));
        let ctx = Context::new(&e);
        let (first, tie) = ctx.break_tie(vec![0, 1, 2, 3], 1, Stage::Rule);
        assert_eq!(first, 2);
        let tie = tie.unwrap();
        assert_eq!(tie.tied, vec![2, 3, 1, 0]);
        assert_eq!(tie.decided_by, TieBreak::LowerCost);
        assert_eq!(ctx.decided_by(3, 1), TieBreak::MoreVotes);
        assert_eq!(ctx.decided_by(1, 0), TieBreak::IdAsText);
    }
}

//! Sequential Phragmén (pabutools `sequential_phragmen`): voters earn money
//! continuously; a project is bought as soon as its supporters together
//! hold its cost, and its supporters' loads are then equalised. The count
//! stops when the next project to be bought does not fit in the budget.
//! Projects costing more than the whole budget are left out from the start.
//!
//! Loads are exact: every voter's load equals the load set by the last
//! project they helped buy, so there are at most `rounds + 1` distinct
//! loads, kept as integer numerators over one common denominator `D` that
//! is multiplied as needed (see the `mes::approval` module).

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

use super::context::{Context, Stage, Tie};
use super::mes::Frac;
use super::outcome::{Explanation, PhragmenLoss};

pub(crate) struct Counted {
    pub selected: Vec<usize>,
    pub reasons: Vec<Explanation>,
    pub ties: Vec<Tie>,
}

pub(crate) fn sequential_phragmen(ctx: &Context) -> Counted {
    let p_count = ctx.e.projects.len();
    let budget = ctx.e.budget;
    let mut reasons = vec![Explanation::NoSupport; p_count];
    let mut alive = vec![false; p_count];
    for p in 0..p_count {
        if ctx.support[p] > 0 && ctx.cost(p) > budget {
            reasons[p] = Explanation::PhragmenLost(PhragmenLoss::OverBudget);
        } else {
            alive[p] = ctx.support[p] > 0;
        }
    }
    let mut d = BigUint::from(1u32);
    let mut levels = vec![BigUint::zero()];
    let mut level_of = vec![0usize; ctx.groups.len()];
    let mut counts: Vec<Vec<u64>> = ctx.support.iter().map(|&s| vec![s]).collect();
    let (mut selected, mut ties, mut left) = (Vec::new(), Vec::new(), budget);
    for round in 1.. {
        // New maximal load of each candidate: (cost + its supporters' loads) / support.
        let mut nums: Vec<Option<BigUint>> = vec![None; p_count];
        let mut best: Option<usize> = None;
        let mut tied = Vec::new();
        for p in (0..p_count).filter(|&p| alive[p]) {
            let mut num = &d * ctx.cost(p);
            for (level, &w) in levels.iter().zip(&counts[p]) {
                if w > 0 {
                    num += level * w;
                }
            }
            let ord = match best.and_then(|b| nums[b].as_ref().map(|bn| (b, bn))) {
                None => Ordering::Less,
                Some((b, bn)) => (&num * ctx.support[b]).cmp(&(bn * ctx.support[p])),
            };
            nums[p] = Some(num);
            match ord {
                Ordering::Less => {
                    best = Some(p);
                    tied = vec![p];
                }
                Ordering::Equal => tied.push(p),
                Ordering::Greater => {}
            }
        }
        if best.is_none() {
            break;
        }
        let (p, tie) = ctx.break_tie(tied, round, Stage::Rule);
        ties.extend(tie);
        let num = nums[p].take().unwrap_or_default();
        if ctx.cost(p) > left {
            reasons[p] = Explanation::PhragmenLost(PhragmenLoss::DidNotFit {
                round,
                budget_left: left,
            });
            for x in (0..p_count).filter(|&x| alive[x] && x != p) {
                reasons[x] = Explanation::PhragmenLost(PhragmenLoss::NotReached {
                    round,
                    stopped_by: p,
                });
            }
            break;
        }
        // load = num / (support·D): rescale D so that it is an integer over D.
        let support = ctx.support[p];
        let g = support.gcd(&(&num % support).to_u64().unwrap_or(0));
        let m = support / g;
        if m > 1 {
            d *= m;
            levels.iter_mut().for_each(|l| *l *= m);
        }
        levels.push(&num / g);
        let new_level = levels.len() - 1;
        counts.iter_mut().for_each(|c| c.push(0));
        for &g in &ctx.supporters[p] {
            let group = &ctx.groups[g as usize];
            let old = std::mem::replace(&mut level_of[g as usize], new_level);
            for &x in &group.projects {
                counts[x][old] -= group.weight;
                counts[x][new_level] += group.weight;
            }
        }
        alive[p] = false;
        left -= ctx.cost(p);
        selected.push(p);
        let load = Frac::new(levels[new_level].clone(), d.clone()).to_ratio();
        reasons[p] = Explanation::PhragmenWon { round, load };
    }
    Counted {
        selected,
        reasons,
        ties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voting::model::{Ballot, Election, Project, VoteType};
    use num_bigint::BigInt;
    use num_rational::BigRational;

    #[test]
    fn loads_spread_over_supporters_and_the_count_stops_at_a_project_that_does_not_fit() {
        // a (30) by 3 voters: load 10. b (40) by v1, v4: (40 + 10) / 2 = 25.
        // c (90) by v4 alone: 90. d (50) by v2, v3: (50 + 20) / 2 = 35.
        let mut e = Election::new(100, VoteType::Approval);
        for (id, cost) in [("a", 30), ("b", 40), ("c", 90), ("d", 50)] {
            e.add_project(Project::new(id, cost));
        }
        for (i, b) in [vec![0, 1], vec![0, 3], vec![0, 3], vec![1, 2]]
            .into_iter()
            .enumerate()
        {
            e.add_ballot(Ballot::approval(i.to_string(), b));
        }
        let ctx = Context::new(&e);
        let out = sequential_phragmen(&ctx);
        // After a and b (70 spent), d would raise loads to 35 but needs 50 > 30 left.
        assert_eq!(out.selected, vec![0, 1]);
        let load = |n: i64| BigRational::from_integer(BigInt::from(n));
        assert_eq!(
            out.reasons[1],
            Explanation::PhragmenWon {
                round: 2,
                load: load(25)
            }
        );
        assert_eq!(
            out.reasons[3],
            Explanation::PhragmenLost(PhragmenLoss::DidNotFit {
                round: 3,
                budget_left: 30
            })
        );
        assert_eq!(
            out.reasons[2],
            Explanation::PhragmenLost(PhragmenLoss::NotReached {
                round: 3,
                stopped_by: 3
            })
        );
    }
}

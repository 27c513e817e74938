//! Properties every outcome must have, checked on random small elections.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use proptest::prelude::*;

use commune::voting::rules::{tally, Explanation, Outcome, Rule};
use commune::voting::{Ballot, Election, Project, VoteType};

/// A random election: up to 7 projects, up to 30 voters, approval or
/// cumulative ballots, costs that sometimes exceed the budget.
fn arb_election() -> impl Strategy<Value = Election> {
    (1usize..8, 0usize..30, any::<bool>()).prop_flat_map(|(p, v, points)| {
        (
            1u64..400,
            proptest::collection::vec(0u64..150, p),
            proptest::collection::vec(proptest::collection::btree_map(0..p, 1i64..6, 0..=p), v),
            0i64..4,
        )
            .prop_map(move |(budget, costs, ballots, threshold)| {
                let mut e = Election::new(
                    budget,
                    if points {
                        VoteType::Cumulative
                    } else {
                        VoteType::Approval
                    },
                );
                e.score_threshold = Some(threshold);
                for (i, c) in costs.into_iter().enumerate() {
                    e.add_project(Project::new(format!("p{i}"), c));
                }
                for (i, b) in ballots.into_iter().enumerate() {
                    let (projects, pts): (Vec<usize>, Vec<i64>) = b.into_iter().unzip();
                    e.add_ballot(if points {
                        Ballot::with_points(i.to_string(), projects, pts)
                    } else {
                        Ballot::approval(i.to_string(), projects)
                    });
                }
                e
            })
    })
}

fn arb_rule() -> impl Strategy<Value = Rule> {
    proptest::sample::select(Rule::ALL.to_vec())
}

fn rational(v: u64) -> BigRational {
    BigRational::from_integer(BigInt::from(v))
}

/// Replays an MES outcome from its reported prices: each supporter pays
/// `min(money, price × utility)`. Every winner must be paid exactly, at
/// least one supporter must pay the full price (so no lower price would
/// do), and no loser may be affordable at the end.
fn replay_equal_shares(e: &Election, o: &Outcome) -> Result<(), TestCaseError> {
    let start = o
        .mes
        .as_ref()
        .map(|m| m.per_voter_budget.clone())
        .unwrap_or_else(BigRational::zero);
    let mut money = vec![start; e.ballots.len()];
    let utility = |b: &Ballot, i: usize| {
        if e.vote_type.has_points() {
            b.points[i]
        } else {
            1
        }
    };
    for &p in &o.selected {
        let Explanation::MesWon(win) = &o.projects[p].reason else {
            continue;
        };
        let mut paid = BigRational::zero();
        let mut someone_paid_in_full = false;
        for (v, b) in e.ballots.iter().enumerate() {
            let Some(i) = b.projects.iter().position(|&x| x == p) else {
                continue;
            };
            if utility(b, i) <= 0 {
                continue;
            }
            let due = &win.price * BigRational::from_integer(BigInt::from(utility(b, i)));
            let pays = if money[v] < due {
                money[v].clone()
            } else {
                someone_paid_in_full = true;
                due
            };
            money[v] -= &pays;
            prop_assert!(
                !money[v].is_negative(),
                "voter {v} paid more than they held"
            );
            paid += pays;
        }
        prop_assert_eq!(
            &paid,
            &rational(e.projects[p].cost),
            "project {} is paid exactly",
            p
        );
        prop_assert!(someone_paid_in_full || e.projects[p].cost == 0);
    }
    for p in (0..e.projects.len()).filter(|&p| !o.projects[p].selected) {
        let left: BigRational = e
            .ballots
            .iter()
            .enumerate()
            .filter(|(_, b)| {
                b.projects
                    .iter()
                    .zip(b.points.iter().chain(std::iter::repeat(&1)))
                    .any(|(&x, &pt)| x == p && pt > 0)
            })
            .map(|(v, _)| money[v].clone())
            .sum();
        if matches!(o.projects[p].reason, Explanation::MesLost(_)) {
            prop_assert!(
                left < rational(e.projects[p].cost),
                "project {} is still affordable",
                p
            );
        }
    }
    Ok(())
}

/// The same election with ballots and projects in another order.
fn shuffled(e: &Election, ballot_order: &[usize], project_order: &[usize]) -> Election {
    let mut s = e.clone();
    s.projects = project_order
        .iter()
        .map(|&p| e.projects[p].clone())
        .collect();
    let mut new_index = vec![0; e.projects.len()];
    for (new, &old) in project_order.iter().enumerate() {
        new_index[old] = new;
    }
    s.ballots = ballot_order
        .iter()
        .map(|&v| {
            let mut b = e.ballots[v].clone();
            b.projects.iter_mut().for_each(|p| *p = new_index[*p]);
            b
        })
        .collect();
    s
}

fn permutation(len: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..len).collect::<Vec<_>>()).prop_shuffle()
}

proptest! {
    #[test]
    fn every_outcome_fits_the_budget(e in arb_election(), rule in arb_rule(), complete in any::<bool>()) {
        let o = tally(&e, rule, complete).unwrap();
        prop_assert!(o.cost <= e.budget);
        let cost: u64 = o.selected.iter().map(|&p| e.projects[p].cost).sum();
        prop_assert_eq!(cost, o.cost);
        let none = e.ballots.iter().filter(|b| !b.projects.iter().any(|p| o.selected.contains(p))).count() as u64;
        prop_assert_eq!(none, o.voters_with_none);
    }

    #[test]
    fn no_mes_voter_pays_more_than_they_hold(e in arb_election(), rule in proptest::sample::select(vec![Rule::Mes, Rule::MesAdd1e, Rule::MesAdd1])) {
        let o = tally(&e, rule, false).unwrap();
        replay_equal_shares(&e, &o)?;
    }

    #[test]
    fn greedy_outcomes_are_exhaustive(e in arb_election()) {
        let o = tally(&e, Rule::Greedy, false).unwrap();
        for p in 0..e.projects.len() {
            if !o.projects[p].selected && o.projects[p].score > 0 {
                prop_assert!(e.projects[p].cost > o.left_over(), "project {} would still fit", p);
            }
        }
    }

    #[test]
    fn shuffling_the_ballots_or_the_projects_changes_no_outcome(
        (e, ballots, projects) in arb_election().prop_flat_map(|e| {
            let (v, p) = (e.ballots.len(), e.projects.len());
            (Just(e), permutation(v), permutation(p))
        }),
        rule in arb_rule(),
        complete in any::<bool>(),
    ) {
        let s = shuffled(&e, &ballots, &projects);
        let a = tally(&e, rule, complete).unwrap();
        let b = tally(&s, rule, complete).unwrap();
        let ids = |e: &Election, o: &Outcome| o.selected.iter().map(|&p| e.projects[p].id.clone()).collect::<Vec<_>>();
        prop_assert_eq!(ids(&e, &a), ids(&s, &b));
        prop_assert_eq!(a.cost, b.cost);
        prop_assert_eq!(a.voters_with_none, b.voters_with_none);
        prop_assert_eq!(a.ties.len(), b.ties.len());
        for old in 0..e.projects.len() {
            let new = projects.iter().position(|&x| x == old).unwrap();
            prop_assert_eq!(a.describe(&e, old), b.describe(&s, new));
        }
    }
}

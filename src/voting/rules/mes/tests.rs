use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::prelude::*;

use super::engine::Engine;
use super::plain::{self, Utility};
use super::*;
use crate::voting::model::{Ballot, Election, Project, VoteType};

fn election(budget: u64, costs: &[u64], ballots: &[&[usize]]) -> Election {
    let mut e = Election::new(budget, VoteType::Approval);
    for (i, &c) in costs.iter().enumerate() {
        e.add_project(Project::new(format!("p{i}"), c));
    }
    for (i, b) in ballots.iter().enumerate() {
        e.add_ballot(Ballot::approval(i.to_string(), b.to_vec()));
    }
    e
}

fn r(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

#[test]
fn the_cheapest_project_per_supporter_wins_and_its_supporters_pay_equally() {
    // Four voters with 25 each. A (60) is backed by three, so it costs them
    // 20 each (ρ = 1/3); B (40) would cost its two backers 20 (ρ = 1/2).
    let e = election(100, &[60, 40, 30], &[&[0, 1], &[0, 1], &[0], &[2]]);
    let ctx = Context::new(&e);
    let run = Engine::new(&ctx).run(0);
    assert_eq!(run.selected, vec![0]);
    assert_eq!(run.wins[0].price.to_ratio(), r(20, 1));
    assert_eq!(run.wins[0].paid_in_full, 3);
    // After paying for A, B's backers hold 5 + 5 < 40: A outbid it.
    let b = run.losses[1].as_ref().unwrap();
    assert_eq!((b.round, b.outbid_by), (1, Some(0)));
    assert_eq!(b.money_left.to_ratio(), r(10, 1));
    // C's only backer never had 30.
    let c = run.losses[2].as_ref().unwrap();
    assert_eq!((c.round, c.outbid_by), (0, None));
}

#[test]
fn a_supporter_who_cannot_pay_the_price_pays_all_they_have() {
    // 10 each. Round 1: A (18) at 6 each. Round 2: B (14) backed by v1 (4
    // left) and v4 (10): v1 pays 4, v4 pays 10, ρ = 10/14.
    let e = election(40, &[18, 14, 4], &[&[0, 1, 2], &[0], &[0], &[1]]);
    let ctx = Context::new(&e);
    let run = Engine::new(&ctx).run(0);
    assert_eq!(run.selected, vec![0, 1]);
    let w = &run.wins[1];
    assert_eq!(w.price.to_ratio(), r(10, 1));
    assert_eq!((w.paid_in_full, w.paid_all_they_had), (1, 1));
    let c = run.losses[2].as_ref().unwrap();
    assert_eq!((c.round, c.outbid_by), (2, Some(1)));
}

#[test]
fn equal_prices_go_to_the_cheaper_project_and_the_tie_is_recorded() {
    // 15 each. A (20) costs its two backers 10 each, B (10) 5 each: ρ = 1/2
    // for both. B goes first; then A still costs 10 each, which they have.
    let e = election(60, &[20, 10], &[&[0, 1], &[0, 1], &[], &[]]);
    let ctx = Context::new(&e);
    let run = Engine::new(&ctx).run(0);
    assert_eq!(run.selected, vec![1, 0]);
    assert_eq!(run.ties.len(), 1);
    assert_eq!(run.ties[0].tied, vec![1, 0]);
}

#[test]
fn add1_raises_the_money_until_the_next_raise_would_overspend() {
    let e = election(100, &[60, 40, 30], &[&[0, 1], &[0, 1], &[0], &[2]]);
    let ctx = Context::new(&e);
    let (run, summary) = equal_shares(&ctx, Stop::FirstExhaustive);
    // With 30 each, C's backer can buy it and {A, C} is exhaustive.
    assert_eq!((run.selected.clone(), summary.raises), (vec![0, 2], 5));
    assert_eq!(summary.per_voter_budget, r(30, 1));
    let (run, summary) = equal_shares(&ctx, Stop::OverBudget);
    // With 40 each, B would be bought too and the cost would pass 100.
    assert_eq!((run.selected, summary.raises), (vec![0, 2], 14));
}

#[test]
fn zero_cost_projects_are_taken_first_and_no_voters_means_no_winners() {
    let e = election(10, &[0, 5], &[&[0, 1]]);
    let ctx = Context::new(&e);
    assert_eq!(Engine::new(&ctx).run(0).selected, vec![0, 1]);
    let empty = election(10, &[5], &[]);
    let ctx = Context::new(&empty);
    assert!(equal_shares(&ctx, Stop::OverBudget).0.selected.is_empty());
}

#[test]
fn points_utilities_make_voters_pay_in_proportion_to_their_points() {
    // Two voters with 10 each; A costs 12: v1 gave 3 points, v2 gave 1.
    // ρ = 12 / 4 = 3 per point: v1 would owe 9, v2 3.
    let mut e = Election::new(20, VoteType::Cumulative);
    e.add_project(Project::new("a", 12));
    e.add_ballot(Ballot::with_points("1", vec![0], vec![3]));
    e.add_ballot(Ballot::with_points("2", vec![0], vec![1]));
    let ctx = Context::new(&e);
    let run = Engine::new(&ctx).run(0);
    assert_eq!(run.selected, vec![0]);
    assert_eq!(run.wins[0].price.to_ratio(), r(3, 1));
    assert_eq!(
        (run.wins[0].paid_in_full, run.wins[0].paid_all_they_had),
        (2, 0)
    );
}

fn arb_election() -> impl Strategy<Value = Election> {
    (1usize..7, 0usize..25).prop_flat_map(|(p, v)| {
        (
            0u64..300,
            proptest::collection::vec(0u64..120, p),
            proptest::collection::vec(proptest::collection::btree_set(0..p, 0..=p), v),
        )
            .prop_map(|(budget, costs, ballots)| {
                let ballots: Vec<Vec<usize>> = ballots
                    .into_iter()
                    .map(|b| b.into_iter().collect())
                    .collect();
                let refs: Vec<&[usize]> = ballots.iter().map(Vec::as_slice).collect();
                election(budget, &costs, &refs)
            })
    })
}

/// The same elections with cumulative ballots: each approval gets 1 to 4 points.
fn arb_cumulative() -> impl Strategy<Value = Election> {
    (arb_election(), proptest::collection::vec(1i64..5, 200)).prop_map(|(mut e, points)| {
        e.vote_type = VoteType::Cumulative;
        let mut next = points.into_iter().cycle();
        for b in &mut e.ballots {
            b.points = b
                .projects
                .iter()
                .map(|_| next.next().unwrap_or(1))
                .collect();
        }
        e
    })
}

fn same_runs(fast: &Run, plain: &Run) -> Result<(), TestCaseError> {
    prop_assert_eq!(&fast.selected, &plain.selected);
    for (a, b) in fast.wins.iter().zip(&plain.wins) {
        prop_assert_eq!(a.price.to_ratio(), b.price.to_ratio());
        let counts = |w: &Win| (w.paid_in_full, w.paid_all_they_had, w.had_nothing);
        prop_assert_eq!(counts(a), counts(b));
    }
    for (a, b) in fast.losses.iter().zip(&plain.losses) {
        let a = a
            .as_ref()
            .map(|l| (l.round, l.outbid_by, l.money_left.to_ratio()));
        let b = b
            .as_ref()
            .map(|l| (l.round, l.outbid_by, l.money_left.to_ratio()));
        prop_assert_eq!(a, b);
    }
    prop_assert_eq!(&fast.ties, &plain.ties);
    Ok(())
}

proptest! {
    #[test]
    fn the_fast_engine_agrees_with_plain_rational_arithmetic_on_points(e in arb_cumulative(), extra in 0u64..40) {
        let ctx = Context::new(&e);
        same_runs(&Engine::new(&ctx).run(extra), &plain::run(&ctx, extra, Utility::Points))?;
    }

    #[test]
    fn the_fast_engine_agrees_with_plain_rational_arithmetic_on_approvals(e in arb_election(), extra in 0u64..40) {
        let ctx = Context::new(&e);
        same_runs(&Engine::new(&ctx).run(extra), &plain::run(&ctx, extra, Utility::Cost))?;
    }
}

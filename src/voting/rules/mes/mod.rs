//! The Method of Equal Shares (MES; equalshares.net, pabutools
//! `method_of_equal_shares`), with the "add1" completions that raise every
//! voter's money by one currency unit at a time.

mod engine;
#[cfg(test)]
mod plain;
mod slots;

use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::Zero;

use super::context::{Context, Tie};
use super::outcome::MesSummary;

/// An exact non-negative fraction, kept unreduced until it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frac {
    pub num: BigUint,
    pub den: BigUint,
}

impl Frac {
    pub fn new(num: BigUint, den: BigUint) -> Frac {
        Frac { num, den }
    }

    #[cfg(test)]
    pub fn from_ratio(r: &BigRational) -> Frac {
        let part = |x: &BigInt| x.magnitude().clone();
        Frac::new(part(r.numer()), part(r.denom()))
    }

    pub fn to_ratio(&self) -> BigRational {
        if self.den.is_zero() {
            return BigRational::zero();
        }
        BigRational::new(
            BigInt::from(self.num.clone()),
            BigInt::from(self.den.clone()),
        )
    }
}

/// A project bought in some round.
#[derive(Clone, Debug)]
pub(crate) struct Win {
    pub project: usize,
    pub round: usize,
    /// The price in minor units, per supporter (approval) or per point.
    pub price: Frac,
    pub paid_in_full: u64,
    pub paid_all_they_had: u64,
    pub had_nothing: u64,
}

impl Win {
    pub fn new(project: usize, round: usize) -> Win {
        Win {
            project,
            round,
            price: Frac::new(BigUint::zero(), BigUint::from(1u32)),
            paid_in_full: 0,
            paid_all_they_had: 0,
            had_nothing: 0,
        }
    }
}

/// When a project's supporters' money fell below its cost.
#[derive(Clone, Debug)]
pub(crate) struct Loss {
    pub round: usize,
    pub outbid_by: Option<usize>,
    /// Minor units.
    pub money_left: Frac,
}

/// One run of MES from one starting budget.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub selected: Vec<usize>,
    pub cost: u64,
    pub wins: Vec<Win>,
    pub losses: Vec<Option<Loss>>,
    pub ties: Vec<Tie>,
}

impl Run {
    pub fn new(p_count: usize) -> Run {
        Run {
            selected: Vec::new(),
            cost: 0,
            wins: Vec::new(),
            losses: vec![None; p_count],
            ties: Vec::new(),
        }
    }

    pub fn add_win(&mut self, ctx: &Context, win: Win) {
        self.selected.push(win.project);
        self.cost = self.cost.saturating_add(ctx.cost(win.project));
        self.wins.push(win);
    }

    /// Supported projects that cost nothing are selected before round 1
    /// (pabutools does the same).
    pub fn select_free_projects(&mut self, ctx: &Context) {
        let mut free: Vec<usize> = (0..ctx.e.projects.len())
            .filter(|&p| ctx.support[p] > 0 && ctx.cost(p) == 0)
            .collect();
        free.sort_by(|&a, &b| ctx.tie_cmp(a, b));
        for p in free {
            self.add_win(ctx, Win::new(p, 0));
        }
    }
}

/// When the add1 completion stops raising the voters' money.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Plain MES: no raise.
    Once,
    /// `mes-add1e`: stop at the first exhaustive outcome, or keep the last
    /// one within budget (pabutools `voter_budget_increment=1`).
    FirstExhaustive,
    /// `mes-add1`: keep raising while the outcome stays within budget
    /// (pabutools `exhaustion_by_budget_increase` with
    /// `exhaustive_stop=False, budget_step=n_voters`).
    OverBudget,
}

/// Runs MES, raising each voter's money by one currency unit at a time as
/// `stop` says. Returns the run kept and the money it started with.
pub(crate) fn equal_shares(ctx: &Context, stop: Stop) -> (Run, MesSummary) {
    let unit = 10u64.pow(ctx.e.decimals);
    let budget = ctx.e.budget;
    let candidates: Vec<usize> = (0..ctx.e.projects.len())
        .filter(|&p| ctx.support[p] > 0 && ctx.cost(p) > 0)
        .collect();
    let engine = engine::Engine::new(ctx);
    let mut kept: Option<(u64, Run)> = None;
    let mut raises = 0u64;
    let (raises, run) = loop {
        let run = engine.run(raises * unit);
        if stop == Stop::Once {
            break (raises, run);
        }
        if run.cost > budget {
            // Plain MES never overspends, so a previous run exists.
            break kept.unwrap_or((raises, run));
        }
        let chosen = |p: &usize| run.selected.contains(p);
        let everything = candidates.iter().all(chosen);
        let exhaustive = candidates
            .iter()
            .all(|p| chosen(p) || run.cost + ctx.cost(*p) > budget);
        // Once every supported project is bought there is nothing left to
        // gain. This also bounds the loop: with as much money as all the
        // candidates cost together, every supporter can pay for everything.
        if everything || (stop == Stop::FirstExhaustive && exhaustive) {
            break (raises, run);
        }
        kept = Some((raises, run));
        raises += 1;
    };
    let per_voter_budget = if ctx.n == 0 {
        BigRational::zero()
    } else {
        BigRational::new(
            BigInt::from(budget) + BigInt::from(raises * unit) * ctx.n,
            BigInt::from(ctx.n),
        )
    };
    (
        run,
        MesSummary {
            per_voter_budget,
            raises,
        },
    )
}

#[cfg(test)]
mod tests;

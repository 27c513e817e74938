//! The Method of Equal Shares with additive utilities, written plainly in
//! `BigRational` arithmetic: the tests check the fast engine against it.
//!
//! A supporter `i` of project `p` pays `min(money_i, ρ·u_i(p))`; each round
//! buys the project whose supporters can raise its cost at the smallest `ρ`.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::{Frac, Loss, Run, Win};
use crate::voting::rules::context::{Context, Stage};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Utility {
    /// The points the voter gave.
    Points,
    /// The project's cost, for every supporter (approval ballots).
    Cost,
}

fn rational(v: u64) -> BigRational {
    BigRational::from_integer(BigInt::from(v))
}

fn utility(ctx: &Context, utility: Utility, g: usize, p: usize) -> BigRational {
    match utility {
        Utility::Cost => rational(ctx.cost(p)),
        Utility::Points => {
            let group = &ctx.groups[g];
            let i = group.projects.binary_search(&p).unwrap_or(0);
            BigRational::from_integer(BigInt::from(group.points.get(i).copied().unwrap_or(0)))
        }
    }
}

struct State<'c, 'e> {
    ctx: &'c Context<'e>,
    utility: Utility,
    money: Vec<BigRational>,
    alive: Vec<bool>,
    run: Run,
}

/// Runs MES with each voter starting with `budget/n + extra` minor units.
pub(crate) fn run(ctx: &Context, extra: u64, utility: Utility) -> Run {
    let p_count = ctx.e.projects.len();
    let start = if ctx.n == 0 {
        BigRational::zero()
    } else {
        BigRational::new(
            BigInt::from(ctx.e.budget) + BigInt::from(extra) * ctx.n,
            BigInt::from(ctx.n),
        )
    };
    let mut run = Run::new(p_count);
    run.select_free_projects(ctx);
    let mut s = State {
        ctx,
        utility,
        money: vec![start; ctx.groups.len()],
        alive: (0..p_count)
            .map(|p| ctx.support[p] > 0 && ctx.cost(p) > 0)
            .collect(),
        run,
    };
    s.check_affordable(0, None);
    let mut round = 1;
    loop {
        let mut best: Option<BigRational> = None;
        let mut tied = Vec::new();
        for p in (0..p_count).filter(|&p| s.alive[p]) {
            let Some(rho) = s.price(p) else { continue };
            match best.as_ref().map(|b| rho.cmp(b)) {
                None | Some(std::cmp::Ordering::Less) => {
                    best = Some(rho);
                    tied = vec![p];
                }
                Some(std::cmp::Ordering::Equal) => tied.push(p),
                Some(std::cmp::Ordering::Greater) => {}
            }
        }
        let Some(rho) = best else { break };
        let (p, tie) = ctx.break_tie(tied, round, Stage::Rule);
        s.run.ties.extend(tie);
        s.pay(p, &rho, round);
        s.check_affordable(round, Some(p));
        round += 1;
    }
    s.run
}

impl State<'_, '_> {
    fn supporters_money(&self, p: usize) -> BigRational {
        self.ctx.supporters[p]
            .iter()
            .map(|&g| &self.money[g as usize] * rational(self.ctx.groups[g as usize].weight))
            .sum()
    }

    fn check_affordable(&mut self, round: usize, after: Option<usize>) {
        for p in 0..self.alive.len() {
            if !self.alive[p] {
                continue;
            }
            let money = self.supporters_money(p);
            if money < rational(self.ctx.cost(p)) {
                self.alive[p] = false;
                self.run.losses[p] = Some(Loss {
                    round,
                    outbid_by: after,
                    money_left: Frac::from_ratio(&money),
                });
            }
        }
    }

    /// The smallest ρ at which `p`'s supporters raise its cost.
    fn price(&self, p: usize) -> Option<BigRational> {
        let mut sup: Vec<(BigRational, usize, BigRational)> = self.ctx.supporters[p]
            .iter()
            .map(|&g| {
                let g = g as usize;
                let u = utility(self.ctx, self.utility, g, p);
                (&self.money[g] / &u, g, u)
            })
            .collect();
        sup.sort_by(|a, b| a.0.cmp(&b.0));
        let mut rest: BigRational = sup
            .iter()
            .map(|(_, g, u)| u * rational(self.ctx.groups[*g].weight))
            .sum();
        let mut paid_by_poor = BigRational::zero();
        let cost = rational(self.ctx.cost(p));
        for (ratio, g, u) in sup {
            let rho = (&cost - &paid_by_poor) / &rest;
            if rho <= ratio {
                return Some(rho);
            }
            let w = rational(self.ctx.groups[g].weight);
            paid_by_poor += &self.money[g] * &w;
            rest -= u * w;
        }
        None
    }

    fn pay(&mut self, p: usize, rho: &BigRational, round: usize) {
        let mut win = Win::new(p, round);
        let mut total = BigRational::zero();
        for &g in &self.ctx.supporters[p] {
            let g = g as usize;
            let weight = self.ctx.groups[g].weight;
            let due = rho * utility(self.ctx, self.utility, g, p);
            let money = &mut self.money[g];
            if money.is_zero() {
                win.had_nothing += weight;
            } else if *money >= due {
                win.paid_in_full += weight;
            } else {
                win.paid_all_they_had += weight;
            }
            let pay = if *money < due { money.clone() } else { due };
            total += &pay * rational(weight);
            *money -= pay;
            debug_assert!(!money.is_negative());
        }
        debug_assert_eq!(total, rational(self.ctx.cost(p)));
        self.alive[p] = false;
        win.price = Frac::from_ratio(&match self.utility {
            Utility::Points => rho.clone(),
            Utility::Cost => rho * rational(self.ctx.cost(p)),
        });
        self.run.add_win(self.ctx, win);
    }
}

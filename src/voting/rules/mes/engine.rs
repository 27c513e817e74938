//! The Method of Equal Shares in exact integer arithmetic, fast enough to
//! rerun hundreds of times for the add1 completions.
//!
//! Definitions follow equalshares.net and pabutools' `method_of_equal_shares`:
//! every voter starts with the same money; a supporter `i` of project `p`
//! pays `min(money_i, ρ·u_i(p))`, where `u` is the utility (see `slots`);
//! each round buys the project whose supporters raise its cost at the
//! smallest `ρ`, and stops when no project can be paid for.
//!
//! # Exactness
//! All money is multiplied by the number of voters `n`, so a voter starts
//! with the integer `E = B + extra·n` and a project costs `c·n`. Amounts are
//! integer numerators over one common denominator `D` (a `BigUint`, first
//! 1). A price is `ρ = num / (rich·D)` with integers `num` and `rich`.
//! Before a project is paid for, `D` and every stored numerator are
//! multiplied by `m = rich / gcd(num·G, rich)`, `G` being the gcd of the
//! project's utilities; each payment `ρ·u·D = num·u·m / rich` is then an
//! integer. No value is ever rounded.
//!
//! # Speed
//! Voters holding equal money are kept together in *classes*, which record,
//! per slot, the weight of their members in it. A project's `ρ` only grows
//! from round to round, so a stale `ρ` is a lower bound and only candidates
//! that could still be the best are priced again (lazy evaluation, as in
//! pabutools). Prices are compared by an exact integer floor of `ρ·2^k`
//! first, and by cross-multiplication only when the floors are equal. When
//! all payers of a project pay the same price, the classes stay sorted
//! after one merge; otherwise they are sorted again.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_traits::Zero;

use super::slots::{Price, Slots};
use super::{Frac, Loss, Run};
use crate::voting::rules::context::{Context, Stage};

const NONE: usize = usize::MAX;

struct Class {
    /// Each member's money, over the common denominator.
    value: BigUint,
    /// Total weight of the members.
    total: u64,
}

pub(crate) struct Engine<'c, 'e> {
    ctx: &'c Context<'e>,
    slots: Slots,
}

impl<'c, 'e> Engine<'c, 'e> {
    pub fn new(ctx: &'c Context<'e>) -> Engine<'c, 'e> {
        Engine {
            ctx,
            slots: Slots::new(ctx),
        }
    }

    /// Runs MES with each voter starting with `budget/n + extra` minor units.
    pub fn run(&self, extra: u64) -> Run {
        let mut state = State::new(self, extra);
        let mut round = 1;
        while let Some(p) = state.best(round) {
            state.pay(p, round);
            round += 1;
        }
        state.run
    }
}

struct State<'a, 'c, 'e> {
    ctx: &'c Context<'e>,
    sl: &'a Slots,
    s_count: usize,
    d: BigUint,
    classes: Vec<Class>,
    free: Vec<usize>,
    /// Live classes, by increasing value. Class 0, first, holds voters with
    /// no money left (other classes may reach zero too).
    order: Vec<usize>,
    class_of: Vec<usize>,
    /// `weights[c * s_count + s]`: weight of class `c`'s members in slot `s`.
    weights: Vec<u64>,
    /// Each project's supporters' total money, over the common denominator.
    money: Vec<BigUint>,
    price: Vec<Option<Price>>,
    dirty: Vec<bool>,
    alive: Vec<bool>,
    run: Run,
}

impl<'a, 'c, 'e> State<'a, 'c, 'e> {
    fn new(engine: &'a Engine<'c, 'e>, extra: u64) -> Self {
        let (ctx, sl) = (engine.ctx, &engine.slots);
        let p_count = ctx.e.projects.len();
        let s_count = sl.utility.len();
        let start = BigUint::from(ctx.e.budget) + BigUint::from(extra) * ctx.n;
        let mut run = Run::new(p_count);
        run.select_free_projects(ctx);
        let everyone = Class {
            value: start.clone(),
            total: ctx.groups.iter().map(|g| g.weight).sum(),
        };
        let mut weights = vec![0; 2 * s_count];
        weights[s_count..].copy_from_slice(&sl.weight);
        let mut state = State {
            ctx,
            sl,
            s_count,
            d: BigUint::from(1u32),
            classes: vec![
                Class {
                    value: BigUint::zero(),
                    total: 0,
                },
                everyone,
            ],
            free: Vec::new(),
            order: vec![0, 1],
            class_of: vec![1; ctx.groups.len()],
            weights,
            money: ctx.support.iter().map(|&s| &start * s).collect(),
            price: vec![None; p_count],
            dirty: vec![true; p_count],
            alive: (0..p_count)
                .map(|p| ctx.support[p] > 0 && ctx.cost(p) > 0)
                .collect(),
            run,
        };
        for p in 0..p_count {
            state.check_affordable(p, 0, None);
        }
        state
    }

    fn cost_scaled(&self, p: usize) -> u128 {
        u128::from(self.ctx.cost(p)) * u128::from(self.ctx.n)
    }

    /// Marks `p` lost if its supporters cannot pay for it any more.
    fn check_affordable(&mut self, p: usize, round: usize, after: Option<usize>) {
        if self.alive[p] && self.money[p] < &self.d * self.cost_scaled(p) {
            self.alive[p] = false;
            self.run.losses[p] = Some(Loss {
                round,
                outbid_by: after,
                money_left: Frac::new(self.money[p].clone(), &self.d * self.ctx.n),
            });
        }
    }

    fn weight(&self, c: usize, s: usize) -> u64 {
        self.weights[c * self.s_count + s]
    }

    /// The smallest `ρ` at which `p`'s supporters pay its cost, if any.
    /// Supporters are taken by increasing `money / u`: while those below
    /// cannot pay `ρ·u`, they pay all they have and the rest share the cost.
    fn compute_price(&self, p: usize) -> Option<Price> {
        let cost_d = &self.d * self.cost_scaled(p);
        let range = self.sl.range[p].clone();
        if range.len() == 1 {
            return self.price_in_one_slot(range.start, cost_d);
        }
        let utility = &self.sl.utility[range.clone()];
        let mut rich: u128 = range
            .clone()
            .map(|s| u128::from(self.sl.weight[s]) * u128::from(self.sl.utility[s]))
            .sum();
        let mut paid_by_poor = BigUint::zero();
        // One cursor into `order` per slot; take the smallest money / u next.
        let mut cursor = vec![0usize; range.len()];
        loop {
            let mut next: Option<(usize, usize)> = None;
            for (j, s) in range.clone().enumerate() {
                while cursor[j] < self.order.len() && self.weight(self.order[cursor[j]], s) == 0 {
                    cursor[j] += 1;
                }
                let Some(&c) = self.order.get(cursor[j]) else {
                    continue;
                };
                let better = next.is_none_or(|(k, ck)| {
                    let (a, b) = (&self.classes[c].value, &self.classes[ck].value);
                    a * utility[k] < b * utility[j]
                });
                if better {
                    next = Some((j, c));
                }
            }
            let (j, c) = next?;
            cursor[j] += 1;
            let (w, u) = (self.weight(c, range.start + j), utility[j]);
            let value = &self.classes[c].value;
            if !value.is_zero() {
                // Can this class pay ρ·u with ρ = (cost - paid_by_poor) / rich?
                let num = &cost_d - &paid_by_poor;
                if &num * u <= value * rich {
                    return Some(Price::new(num, rich, &self.d, self.sl.shift));
                }
                paid_by_poor += value * w;
            }
            rich -= u128::from(w) * u128::from(u);
        }
    }

    /// `compute_price` when all supporters have the same utility (always
    /// the case for approval ballots): they all pay at most the same amount.
    fn price_in_one_slot(&self, s: usize, cost_d: BigUint) -> Option<Price> {
        let mut paid_by_poor = BigUint::zero();
        let mut rich = self.sl.weight[s];
        for &c in &self.order {
            let w = self.weight(c, s);
            if w == 0 {
                continue;
            }
            let value = &self.classes[c].value;
            if !value.is_zero() {
                let num = &cost_d - &paid_by_poor;
                if num <= value * rich {
                    let rich = u128::from(rich) * u128::from(self.sl.utility[s]);
                    return Some(Price::new(num, rich, &self.d, self.sl.shift));
                }
                paid_by_poor += value * w;
            }
            rich -= w;
        }
        None
    }

    /// Chooses the project to buy in this round, if any is affordable.
    fn best(&mut self, round: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut tied = Vec::new();
        let consider =
            |state: &Self, p: usize, best: &mut Option<usize>, tied: &mut Vec<usize>| match best
                .map_or(Ordering::Less, |b| state.price_cmp(p, b))
            {
                Ordering::Less => {
                    *best = Some(p);
                    tied.clear();
                    tied.push(p);
                }
                Ordering::Equal => tied.push(p),
                Ordering::Greater => {}
            };
        let mut stale = Vec::new();
        for p in (0..self.alive.len()).filter(|&p| self.alive[p]) {
            if self.dirty[p] {
                stale.push(p);
            } else {
                consider(self, p, &mut best, &mut tied);
            }
        }
        stale.sort_by_key(|&p| self.price[p].as_ref().map_or(0, |pr| pr.key));
        for p in stale {
            if let (Some(b), Some(old)) = (best, &self.price[p]) {
                // key(old) > key(best) proves ρ(p) ≥ old > ρ(best), and the
                // remaining candidates have larger keys still.
                if old.key > self.price[b].as_ref().map_or(u128::MAX, |pr| pr.key) {
                    break;
                }
            }
            self.dirty[p] = false;
            self.price[p] = self.compute_price(p);
            if self.price[p].is_some() {
                consider(self, p, &mut best, &mut tied);
            } else {
                self.check_affordable(p, round - 1, self.run.selected.last().copied());
                self.alive[p] = false;
            }
        }
        best?;
        let (chosen, tie) = self.ctx.break_tie(tied, round, Stage::Rule);
        self.run.ties.extend(tie);
        Some(chosen)
    }

    fn price_cmp(&self, a: usize, b: usize) -> Ordering {
        match (&self.price[a], &self.price[b]) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => Ordering::Equal,
        }
    }

    /// Multiplies the common denominator, and every numerator, by `m`.
    fn rescale(&mut self, m: u128) {
        if m == 1 {
            return;
        }
        self.d *= m;
        for &c in &self.order {
            self.classes[c].value *= m;
        }
        for p in (0..self.alive.len()).filter(|&p| self.alive[p]) {
            self.money[p] *= m;
            if let Some(price) = &mut self.price[p] {
                price.num *= m;
            }
        }
    }

    fn new_class(&mut self, value: BigUint) -> usize {
        if let Some(c) = self.free.pop() {
            self.classes[c] = Class { value, total: 0 };
            return c;
        }
        self.classes.push(Class { value, total: 0 });
        self.weights.resize(self.weights.len() + self.s_count, 0);
        self.classes.len() - 1
    }
}

mod pay;

//! The Method of Equal Shares for approval ballots with cost utilities, in
//! exact integer arithmetic, fast enough to rerun hundreds of times.
//!
//! Definitions follow equalshares.net and pabutools' `method_of_equal_shares`
//! with `Cost_Sat`: every voter starts with the same money; a project of
//! cost `c` can be bought at price `q` if its supporters, each paying
//! `min(money, q)`, raise exactly `c`; each round buys the project with the
//! smallest `ρ = q / c`.
//!
//! # Exactness
//! All money is multiplied by the number of voters `n`, so a voter starts
//! with the integer `E = B + k·unit·n` and a project costs `c·n`. Amounts are
//! then kept as integer numerators over one common denominator `D` (a
//! `BigUint`, starting at 1). A price is `num / (rich·D)` with integer `num`
//! and `rich` (the weight of voters who pay it in full); before paying it,
//! `D` and every stored numerator are multiplied by `m = rich / gcd(num,
//! rich)`, after which the price is the integer `num / gcd(num, rich)`
//! over the new `D`. No value is ever rounded.
//!
//! # Speed
//! Voters with equal money are kept together in *classes*; a class holds,
//! for each project, the weight of its members who support it. Paying for a
//! project lowers every paying class by the same price (or empties the
//! poor ones), so the classes stay sorted with one merge. A project's `ρ`
//! only grows from round to round, so a stale `ρ` is a lower bound and only
//! the candidates that could still be best are recomputed (lazy evaluation,
//! as pabutools also does). Candidates are compared first by `⌊ρ·2^127⌋`,
//! an exact integer floor, and by cross-multiplication only when the floors
//! are equal.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

use super::{Frac, Loss, Run, Win};
use crate::voting::rules::context::{Context, Stage};

/// A project's price: `ρ = num / (den · n · D)`, where `den = rich · cost`.
#[derive(Clone, Debug)]
struct Price {
    num: BigUint,
    rich: u64,
    den: u128,
    /// `⌊ρ · 2^127⌋`; `ρ ≤ 1` because the price never exceeds the cost.
    key: u128,
}

impl Price {
    fn cmp(&self, other: &Price) -> Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| (&self.num * other.den).cmp(&(&other.num * self.den)))
    }
}

struct Class {
    /// Each member's money, over the common denominator.
    value: BigUint,
    /// Total weight of the members.
    total: u64,
}

/// One run of MES from a given starting budget.
pub(crate) struct ApprovalRun<'c, 'e> {
    ctx: &'c Context<'e>,
    p_count: usize,
    d: BigUint,
    classes: Vec<Class>,
    free: Vec<usize>,
    /// Live classes, by increasing value.
    order: Vec<usize>,
    class_of: Vec<usize>,
    /// `weights[c * p_count + p]`: weight of class `c`'s supporters of `p`.
    weights: Vec<u64>,
    /// Each project's supporters' total money, over the common denominator.
    money: Vec<BigUint>,
    price: Vec<Option<Price>>,
    dirty: Vec<bool>,
    alive: Vec<bool>,
    run: Run,
}

impl<'c, 'e> ApprovalRun<'c, 'e> {
    /// Runs MES with each voter starting with `budget/n + extra` minor units.
    pub fn run(ctx: &'c Context<'e>, extra: u64) -> Run {
        let mut state = ApprovalRun::new(ctx, extra);
        let mut round = 1;
        while let Some(p) = state.best(round) {
            state.pay(p, round);
            round += 1;
        }
        state.run
    }

    fn new(ctx: &'c Context<'e>, extra: u64) -> ApprovalRun<'c, 'e> {
        let p_count = ctx.e.projects.len();
        let start = BigUint::from(ctx.e.budget) + BigUint::from(extra) * ctx.n;
        let mut run = Run::new(p_count);
        let alive: Vec<bool> = (0..p_count).map(|p| ctx.support[p] > 0 && ctx.cost(p) > 0).collect();
        run.select_free_projects(ctx);
        let zero = Class {
            value: BigUint::zero(),
            total: 0,
        };
        let everyone = Class {
            value: start.clone(),
            total: ctx.groups.iter().map(|g| g.weight).sum(),
        };
        let mut weights = vec![0; 2 * p_count];
        weights[p_count..].copy_from_slice(&ctx.support);
        let mut state = ApprovalRun {
            ctx,
            p_count,
            d: BigUint::from(1u32),
            classes: vec![zero, everyone],
            free: Vec::new(),
            order: vec![0, 1],
            class_of: vec![1; ctx.groups.len()],
            weights,
            money: ctx.support.iter().map(|&s| &start * s).collect(),
            price: vec![None; p_count],
            dirty: vec![true; p_count],
            alive,
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

    /// The smallest `ρ` at which `p`'s supporters can pay its cost, if any.
    fn compute_price(&self, p: usize) -> Option<Price> {
        let cost_d = &self.d * self.cost_scaled(p);
        let mut paid_by_poor = BigUint::zero();
        let mut rich = self.ctx.support[p];
        for &c in &self.order {
            let w = self.weights[c * self.p_count + p];
            if w == 0 {
                continue;
            }
            let value = &self.classes[c].value;
            if !value.is_zero() {
                // Everyone from this class up pays `q = (cost - paid_by_poor) / rich`
                // if this class can afford it; classes below pay all they have.
                let num = &cost_d - &paid_by_poor;
                if num <= value * rich {
                    return Some(self.make_price(p, num, rich));
                }
                paid_by_poor += value * w;
            }
            rich -= w;
        }
        None
    }

    fn make_price(&self, p: usize, num: BigUint, rich: u64) -> Price {
        let den = u128::from(rich) * u128::from(self.ctx.cost(p));
        let full = &self.d * self.cost_scaled(p) * rich;
        let key = ((&num << 127u32) / full).to_u128().unwrap_or(u128::MAX);
        Price {
            num,
            rich,
            den,
            key,
        }
    }

    /// Chooses the project to buy in this round, if any is affordable.
    fn best(&mut self, round: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut tied = Vec::new();
        let consider = |state: &Self, p: usize, best: &mut Option<usize>, tied: &mut Vec<usize>| {
            let ord = best.map_or(Ordering::Less, |b| state.price_cmp(p, b));
            match ord {
                Ordering::Less => {
                    *best = Some(p);
                    tied.clear();
                    tied.push(p);
                }
                Ordering::Equal => tied.push(p),
                Ordering::Greater => {}
            }
        };
        let mut stale = Vec::new();
        for p in 0..self.p_count {
            if !self.alive[p] {
                continue;
            }
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
            match self.compute_price(p) {
                Some(price) => {
                    self.price[p] = Some(price);
                    consider(self, p, &mut best, &mut tied);
                }
                None => {
                    self.price[p] = None;
                    self.check_affordable(p, round - 1, self.run.selected.last().copied());
                    self.alive[p] = false;
                }
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
    fn rescale(&mut self, m: u64) {
        if m == 1 {
            return;
        }
        self.d *= m;
        for &c in &self.order {
            self.classes[c].value *= m;
        }
        for p in 0..self.p_count {
            if self.alive[p] {
                self.money[p] *= m;
                if let Some(price) = &mut self.price[p] {
                    price.num *= m;
                }
            }
        }
    }

    fn new_class(&mut self, value: BigUint) -> usize {
        if let Some(c) = self.free.pop() {
            self.classes[c] = Class { value, total: 0 };
            return c;
        }
        self.classes.push(Class { value, total: 0 });
        self.weights.resize(self.weights.len() + self.p_count, 0);
        self.classes.len() - 1
    }

    /// Buys `p` at its price: each supporter pays `min(money, q)`.
    fn pay(&mut self, p: usize, round: usize) {
        let price = self.price[p]
            .clone()
            .expect("the chosen project has a price");
        let rem = (&price.num % price.rich).to_u64().unwrap_or(0);
        let g = price.rich.gcd(&rem);
        let q = &price.num / g;
        self.rescale(price.rich / g);
        self.alive[p] = false;

        let pc = self.p_count;
        // Per project: weight of voters paying q, and money paid by the poorer.
        let mut rich_weight = vec![0u64; pc];
        let mut poor_paid = vec![BigUint::zero(); pc];
        let mut win = Win::new(p, round);
        let mut target = vec![usize::MAX; self.classes.len()];
        let mut shifted = Vec::new();
        let mut kept = Vec::with_capacity(self.order.len());
        let old_order = std::mem::take(&mut self.order);
        for &c in &old_order {
            let w = self.weights[c * pc + p];
            let value = &self.classes[c].value;
            if w == 0 || value.is_zero() {
                win.had_nothing += w;
                kept.push(c);
                continue;
            }
            // Members with no more than the price pay all they have.
            let poor = *value <= q;
            if *value < q {
                win.paid_all_they_had += w;
            } else {
                win.paid_in_full += w;
            }
            if self.classes[c].total == w {
                // The whole class pays: lower its value in place.
                for (x, &wx) in self.weights[c * pc..(c + 1) * pc].iter().enumerate() {
                    if wx > 0 {
                        if poor {
                            poor_paid[x] += value * wx;
                        } else {
                            rich_weight[x] += wx;
                        }
                    }
                }
                let class = &mut self.classes[c];
                if poor {
                    class.value = BigUint::zero();
                } else {
                    class.value -= &q;
                }
                shifted.push(c);
            } else {
                let t = if poor {
                    0
                } else {
                    self.new_class(&self.classes[c].value - &q)
                };
                if target.len() < self.classes.len() {
                    target.resize(self.classes.len(), usize::MAX);
                }
                target[c] = t;
                kept.push(c);
                if t != 0 {
                    shifted.push(t);
                }
            }
        }
        // Move the paying members of split classes.
        for &g in &self.ctx.supporters[p] {
            let g = g as usize;
            let c = self.class_of[g];
            let t = target.get(c).copied().unwrap_or(usize::MAX);
            if t == usize::MAX {
                continue;
            }
            let group = &self.ctx.groups[g];
            let poor = t == 0;
            for &x in &group.projects {
                self.weights[c * pc + x] -= group.weight;
                self.weights[t * pc + x] += group.weight;
                if poor {
                    poor_paid[x] += &self.classes[c].value * group.weight;
                } else {
                    rich_weight[x] += group.weight;
                }
            }
            self.classes[c].total -= group.weight;
            self.classes[t].total += group.weight;
            self.class_of[g] = t;
        }
        // Money left to each project's supporters.
        for x in 0..pc {
            if rich_weight[x] == 0 && poor_paid[x].is_zero() {
                continue;
            }
            self.dirty[x] = true;
            if self.alive[x] {
                self.money[x] -= &q * rich_weight[x] + &poor_paid[x];
                self.check_affordable(x, round, Some(p));
            }
        }
        self.merge_order(kept, shifted);
        let n_d = &self.d * self.ctx.n;
        win.price = Frac::new(q, n_d);
        self.run.add_win(self.ctx, win);
    }

    /// Rebuilds the sorted class order from the classes whose value did not
    /// change and those lowered by the same price (each list is sorted).
    fn merge_order(&mut self, kept: Vec<usize>, shifted: Vec<usize>) {
        let mut kept: Vec<usize> = kept
            .into_iter()
            .filter(|&c| c == 0 || self.retain(c))
            .collect();
        let shifted: Vec<usize> = shifted.into_iter().filter(|&c| self.retain(c)).collect();
        // Classes emptied to zero sort first among the shifted ones.
        let (zeroed, lowered): (Vec<usize>, Vec<usize>) = shifted
            .into_iter()
            .partition(|&c| self.classes[c].value.is_zero());
        let mut order = Vec::with_capacity(kept.len() + zeroed.len() + lowered.len());
        let mut b = zeroed.into_iter().chain(lowered).peekable();
        kept.reverse();
        while let Some(&a) = kept.last() {
            match b.peek() {
                Some(&c) if self.classes[c].value < self.classes[a].value => {
                    order.push(c);
                    b.next();
                }
                _ => {
                    order.push(a);
                    kept.pop();
                }
            }
        }
        order.extend(b);
        self.order = order;
    }

    /// Keeps a class that still has members; frees an empty one.
    fn retain(&mut self, c: usize) -> bool {
        if self.classes[c].total > 0 {
            return true;
        }
        self.classes[c].value = BigUint::zero();
        self.free.push(c);
        false
    }
}

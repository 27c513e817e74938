//! Paying for the project chosen in a round.

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

use super::{State, NONE};
use crate::voting::rules::mes::{Frac, Win};

impl State<'_, '_, '_> {
    /// Buys `p` at its price: each supporter pays `min(money, ρ·u)`.
    pub(super) fn pay(&mut self, p: usize, round: usize) {
        let (ctx, sl) = (self.ctx, self.sl);
        let price = self.price[p]
            .clone()
            .expect("the chosen project has a price");
        let range = sl.range[p].clone();
        let k = range.len();
        // Make every payment an integer over the new denominator.
        let rem = ((&price.num * sl.gcd[p]) % price.rich)
            .to_u128()
            .unwrap_or(0);
        let g = price.rich.gcd(&rem);
        let dues: Vec<BigUint> = range
            .clone()
            .map(|s| &price.num * sl.utility[s] / g)
            .collect();
        let shown = if sl.per_point {
            (price.num.clone(), g)
        } else {
            (dues[0].clone(), 1)
        };
        self.rescale(price.rich / g);
        self.alive[p] = false;

        let (pc, sc) = (ctx.e.projects.len(), self.s_count);
        // Per project: weight paying each due in full, and money paid by the poorer.
        let mut rich_paid = vec![0u64; pc * k];
        let mut poor_paid = vec![BigUint::zero(); pc];
        let n_classes = self.classes.len();
        let mut target = vec![NONE; n_classes * k];
        let mut shifted = Vec::new();
        let mut kept = Vec::with_capacity(self.order.len());
        let mut win = Win::new(p, round);
        let mut paying: Vec<(usize, u64)> = Vec::with_capacity(k);
        for c in std::mem::take(&mut self.order) {
            paying.clear();
            paying.extend(
                (0..k)
                    .map(|j| (j, self.weight(c, range.start + j)))
                    .filter(|&(_, w)| w > 0),
            );
            let total: u64 = paying.iter().map(|&(_, w)| w).sum();
            if total == 0 || self.classes[c].value.is_zero() {
                win.had_nothing += total;
                kept.push(c);
                continue;
            }
            for &(j, w) in &paying {
                if self.classes[c].value >= dues[j] {
                    win.paid_in_full += w;
                } else {
                    win.paid_all_they_had += w;
                }
            }
            if paying.len() == 1 && self.classes[c].total == total {
                // The whole class pays the same: lower its value in place.
                let j = paying[0].0;
                let poor = self.classes[c].value <= dues[j];
                for s in 0..sc {
                    let w = self.weights[c * sc + s];
                    if w > 0 {
                        let x = sl.project[s];
                        if poor {
                            poor_paid[x] += &self.classes[c].value * w;
                        } else {
                            rich_paid[x * k + j] += w;
                        }
                    }
                }
                let class = &mut self.classes[c];
                class.value = if poor {
                    BigUint::zero()
                } else {
                    &class.value - &dues[j]
                };
                shifted.push(c);
            } else {
                // Its payers move to new classes (or to class 0 when they pay all).
                for &(j, _) in &paying {
                    let t = if self.classes[c].value <= dues[j] {
                        0
                    } else {
                        let value = &self.classes[c].value - &dues[j];
                        let t = self.new_class(value);
                        shifted.push(t);
                        t
                    };
                    target[c * k + j] = t;
                }
                kept.push(c);
            }
        }
        for (i, &g) in ctx.supporters[p].iter().enumerate() {
            let g = g as usize;
            let c = self.class_of[g];
            let j = sl.of_supporter[p][i] as usize;
            let t = if c < n_classes {
                target[c * k + j]
            } else {
                NONE
            };
            if t == NONE {
                continue;
            }
            let group = &ctx.groups[g];
            for (&x, &s) in group.projects.iter().zip(&sl.of_group[g]) {
                self.weights[c * sc + s] -= group.weight;
                self.weights[t * sc + s] += group.weight;
                if t == 0 {
                    poor_paid[x] += &self.classes[c].value * group.weight;
                } else {
                    rich_paid[x * k + j] += group.weight;
                }
            }
            self.classes[c].total -= group.weight;
            self.classes[t].total += group.weight;
            self.class_of[g] = t;
        }
        for (x, poor) in poor_paid.into_iter().enumerate() {
            let mut paid = poor;
            for (j, due) in dues.iter().enumerate() {
                let w = rich_paid[x * k + j];
                if w > 0 {
                    paid += due * w;
                }
            }
            if paid.is_zero() {
                continue;
            }
            self.dirty[x] = true;
            if self.alive[x] {
                self.money[x] -= paid;
                self.check_affordable(x, round, Some(p));
            }
        }
        if k == 1 {
            self.merge_order(kept, shifted);
        } else {
            let mut order: Vec<usize> = kept
                .into_iter()
                .chain(shifted)
                .filter(|&c| c == 0 || self.retain(c))
                .collect();
            order.sort_by(|&a, &b| self.classes[a].value.cmp(&self.classes[b].value));
            self.order = order;
        }
        win.price = Frac::new(shown.0, &self.d * shown.1 * ctx.n);
        self.run.add_win(ctx, win);
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

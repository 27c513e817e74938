//! Utilities for the Method of Equal Shares, arranged for the fast engine.
//!
//! A voter's utility for a project is the project's cost for approval
//! ballots (pabutools `Cost_Sat`) or the points they gave it (pabutools
//! `Additive_Cardinal_Sat`). A *slot* is one project together with one
//! utility value: the supporters in a slot pay the same price. An approval
//! project has one slot; a cumulative project has one per distinct number
//! of points it received.

use std::cmp::Ordering;
use std::ops::Range;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::ToPrimitive;

use crate::voting::rules::context::Context;

pub(crate) struct Slots {
    /// Utility of each slot.
    pub utility: Vec<u64>,
    /// Project of each slot.
    pub project: Vec<usize>,
    /// Each project's slots.
    pub range: Vec<Range<usize>>,
    /// Greatest common divisor of each project's slot utilities.
    pub gcd: Vec<u64>,
    /// Total weight of each slot's supporters.
    pub weight: Vec<u64>,
    /// For each group, the slot of each project it supports (aligned with
    /// `Group::projects`).
    pub of_group: Vec<Vec<usize>>,
    /// For each project, the slot of each supporting group (aligned with
    /// `Context::supporters`), as an offset in the project's range.
    pub of_supporter: Vec<Vec<u32>>,
    /// Utilities are points (ρ is a price per point), not costs.
    pub per_point: bool,
    /// Prices are compared first by `⌊ρ·2^shift⌋`, which fits in a `u128`.
    pub shift: u32,
}

impl Slots {
    pub fn new(ctx: &Context) -> Slots {
        let per_point = ctx.e.vote_type.has_points();
        let p_count = ctx.e.projects.len();
        let utility_of = |g: usize, i: usize, p: usize| -> u64 {
            if per_point {
                u64::try_from(ctx.groups[g].points[i]).unwrap_or(0)
            } else {
                ctx.cost(p)
            }
        };
        let mut values: Vec<Vec<u64>> = vec![Vec::new(); p_count];
        for (g, group) in ctx.groups.iter().enumerate() {
            for (i, &p) in group.projects.iter().enumerate() {
                values[p].push(utility_of(g, i, p));
            }
        }
        let mut s = Slots {
            utility: Vec::new(),
            project: Vec::new(),
            range: Vec::with_capacity(p_count),
            gcd: Vec::with_capacity(p_count),
            weight: Vec::new(),
            of_group: Vec::with_capacity(ctx.groups.len()),
            of_supporter: vec![Vec::new(); p_count],
            per_point,
            shift: 0,
        };
        for (p, v) in values.iter_mut().enumerate() {
            v.sort_unstable();
            v.dedup();
            let start = s.utility.len();
            s.utility.extend(v.iter().copied());
            s.project.extend(v.iter().map(|_| p));
            s.range.push(start..s.utility.len());
            s.gcd.push(v.iter().fold(0, |a, &b| a.gcd(&b)));
        }
        s.weight = vec![0; s.utility.len()];
        for (g, group) in ctx.groups.iter().enumerate() {
            let slots: Vec<usize> = group
                .projects
                .iter()
                .enumerate()
                .map(|(i, &p)| {
                    let r = s.range[p].clone();
                    let u = utility_of(g, i, p);
                    r.start + s.utility[r].binary_search(&u).unwrap_or(0)
                })
                .collect();
            for (&p, &slot) in group.projects.iter().zip(&slots) {
                s.weight[slot] += group.weight;
                s.of_supporter[p].push((slot - s.range[p].start) as u32);
            }
            s.of_group.push(slots);
        }
        // ρ·u never exceeds the cost (times n), so ρ < cost·n / min u.
        let bound = (0..p_count)
            .filter(|&p| !s.range[p].is_empty() && ctx.cost(p) > 0)
            .map(|p| {
                u128::from(ctx.cost(p)) * u128::from(ctx.n)
                    / u128::from(s.utility[s.range[p].start].max(1))
            })
            .max()
            .unwrap_or(1);
        s.shift = 127u32.saturating_sub(128 - bound.leading_zeros());
        s
    }
}

/// A project's price per unit of utility: `ρ = num / (rich · D)`, where
/// `rich` is the total utility of the supporters who pay in full and `D`
/// the engine's common denominator.
#[derive(Clone, Debug)]
pub(crate) struct Price {
    pub num: BigUint,
    pub rich: u128,
    /// `⌊ρ · 2^shift⌋`, saturated: a smaller key proves a smaller price.
    pub key: u128,
}

impl Price {
    pub fn new(num: BigUint, rich: u128, d: &BigUint, shift: u32) -> Price {
        let key = ((&num << shift) / (d * rich))
            .to_u128()
            .unwrap_or(u128::MAX);
        Price { num, rich, key }
    }

    /// Exact comparison; both prices must share the same `D`.
    pub fn cmp(&self, other: &Price) -> Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| (&self.num * other.rich).cmp(&(&other.num * self.rich)))
    }
}

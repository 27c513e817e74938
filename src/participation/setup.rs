//! Creating a round: its settings, its phases' dates, and its ballot areas with their
//! envelopes, fixed or tied to the revenue the commune collected.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use super::{BallotScope, Phase};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::schema::{round_areas, round_phases, rounds as r};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{DistrictId, RoundId};
use crate::money::Xof;
use crate::voting::Rule;

/// The ballot a citizen fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotKind {
    /// Tick between `min` and `max` projects.
    Approval { min: i64, max: Option<i64> },
    /// Tick projects whose total cost fits the area's envelope.
    Knapsack,
    /// Share `points` points among the projects.
    Cumulative { points: i64 },
}

/// An area's envelope: an amount, or a share (in basis points) of the own-source revenue
/// collected in the fiscal year before the round's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    Fixed(Xof),
    Share(i64),
}

impl Envelope {
    /// Reads what an officer types: `8 000 000` (francs) or `10 %` (`12,5 %` allowed).
    pub fn parse(text: &str) -> Option<Envelope> {
        let t = text.trim();
        if let Some(number) = t.strip_suffix('%') {
            let number = number.trim().replace(',', ".");
            let (whole, frac) = number.split_once('.').unwrap_or((&number, ""));
            if whole.is_empty()
                || frac.len() > 2
                || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit())
            {
                return None;
            }
            let bp =
                whole.parse::<i64>().ok()? * 100 + format!("{frac:0<2}").parse::<i64>().ok()?;
            return (1..=10_000).contains(&bp).then_some(Envelope::Share(bp));
        }
        Xof::parse(t)
            .filter(|x| x.0 >= 0 && *x <= Xof::MAX_ENTRY)
            .map(Envelope::Fixed)
    }
}

/// One area of a new round: a district, or the whole commune (`None`).
#[derive(Debug, Clone)]
pub struct NewArea {
    pub district: Option<DistrictId>,
    pub name: String,
    pub envelope: Envelope,
}

#[derive(Debug, Clone)]
pub struct NewRound {
    pub title: String,
    pub summary: String,
    pub fiscal_year: i64,
    pub ballot: BallotKind,
    pub rule: Rule,
    pub complete_greedy: bool,
    pub score_threshold: Option<i64>,
    pub scope: BallotScope,
    pub min_age: Option<i64>,
    pub supports: bool,
    pub max_proposal_cost: Option<Xof>,
    /// The planned start of each phase, in order (a phase may have none).
    pub dates: Vec<(Phase, Option<NaiveDate>)>,
    pub areas: Vec<NewArea>,
}

fn check(new: &NewRound) -> Result<(), Refusal> {
    let title = new.title.trim().chars().count();
    if !(3..=200).contains(&title) {
        return Err(Refusal::new("round.setup.title").on("title"));
    }
    if new.summary.chars().count() > 2_000 {
        return Err(Refusal::new("round.setup.summary").on("summary"));
    }
    if !(2000..=2100).contains(&new.fiscal_year) {
        return Err(Refusal::new("round.setup.year").on("fiscal_year"));
    }
    match new.ballot {
        BallotKind::Approval { min, max } if min < 0 || max.is_some_and(|m| m < min.max(1)) => {
            return Err(Refusal::new("round.setup.approval_limits").on("max_projects"));
        }
        BallotKind::Cumulative { points } if !(1..=1_000).contains(&points) => {
            return Err(Refusal::new("round.setup.points").on("points"));
        }
        _ => {}
    }
    if new.rule == Rule::GreedyThreshold && new.score_threshold.is_none_or(|t| t < 1) {
        return Err(Refusal::new("round.setup.threshold").on("score_threshold"));
    }
    if new.min_age.is_some_and(|a| !(0..=120).contains(&a)) {
        return Err(Refusal::new("round.setup.min_age").on("min_age"));
    }
    let planned: Vec<NaiveDate> = new.dates.iter().filter_map(|(_, d)| *d).collect();
    if planned.windows(2).any(|w| w[1] < w[0]) {
        return Err(Refusal::new("round.setup.dates_order").on("dates"));
    }
    if new.areas.is_empty() {
        return Err(Refusal::new("round.setup.no_area").on("areas"));
    }
    Ok(())
}

/// What a share of revenue was computed from: the share in basis points, the year,
/// and what was collected that year.
type Basis = (i64, i64, Xof);

/// An area's envelope in francs, and what it was computed from.
fn envelope(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    area: &NewArea,
) -> DomainResult<(Xof, Option<Basis>)> {
    match area.envelope {
        Envelope::Fixed(x) => Ok((x, None)),
        Envelope::Share(bp) => {
            let collected =
                crate::revenue::collected::own_source(conn, commune.id, year - 1, area.district)?;
            let budget = collected
                .mul_ratio(bp, 10_000)
                .ok_or_else(|| Refusal::new("ledger.too_large"))?;
            Ok((budget, Some((bp, year - 1, collected))))
        }
    }
}

/// Creates a round in its proposals phase. Runs in the caller's write transaction.
pub fn create(
    conn: &mut DbConn,
    commune: &Commune,
    new: &NewRound,
    actor: &Actor,
) -> DomainResult<RoundId> {
    check(new)?;
    let now = crate::db::now();
    let (vote_type, knapsack, min_length, max_length, max_sum_points) = match new.ballot {
        BallotKind::Approval { min, max } => {
            ("approval", false, (min > 0).then_some(min), max, None)
        }
        BallotKind::Knapsack => ("approval", true, None, None, None),
        BallotKind::Cumulative { points } => ("cumulative", false, None, None, Some(points)),
    };
    let round: RoundId = diesel::insert_into(r::table)
        .values((
            r::commune_id.eq(commune.id),
            r::title.eq(new.title.trim()),
            r::summary.eq(new.summary.trim()),
            r::fiscal_year.eq(new.fiscal_year),
            r::phase.eq(Phase::Proposals),
            r::vote_type.eq(vote_type),
            r::knapsack.eq(knapsack),
            r::min_length.eq(min_length),
            r::max_length.eq(max_length),
            r::min_points.eq(max_sum_points.map(|_| 1i64)),
            r::max_sum_points.eq(max_sum_points),
            r::rule.eq(new.rule.name()),
            r::complete_greedy.eq(new.complete_greedy),
            r::score_threshold.eq(new.score_threshold),
            r::ballot_scope.eq(new.scope),
            r::min_age.eq(new.min_age),
            r::supports.eq(new.supports),
            r::max_proposal_cost.eq(new.max_proposal_cost.map(|x| x.0)),
            r::currency.eq("XOF"),
            r::decimals.eq(0i64),
            r::created_at.eq(now),
        ))
        .returning(r::id)
        .get_result(conn)?;
    for p in Phase::ALL {
        let starts_on = new.dates.iter().find(|(q, _)| q == p).and_then(|(_, d)| *d);
        diesel::insert_into(round_phases::table)
            .values((
                round_phases::round_id.eq(round),
                round_phases::phase.eq(*p),
                round_phases::starts_on.eq(starts_on),
                round_phases::started_at.eq((*p == Phase::Proposals).then_some(now)),
            ))
            .execute(conn)?;
    }
    let mut shown = Vec::new();
    for area in &new.areas {
        let (budget, basis) = envelope(conn, commune, new.fiscal_year, area)?;
        diesel::insert_into(round_areas::table)
            .values((
                round_areas::round_id.eq(round),
                round_areas::district_id.eq(area.district),
                round_areas::name.eq(&area.name),
                round_areas::budget.eq(budget.0),
                round_areas::revenue_share.eq(basis.map(|b| b.0)),
                round_areas::revenue_year.eq(basis.map(|b| b.1)),
                round_areas::revenue_collected.eq(basis.map(|b| b.2 .0)),
            ))
            .execute(conn)?;
        shown
            .push(json!({ "area": area.name, "budget": budget.0, "share_bp": basis.map(|b| b.0) }));
    }
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("round.create", "round", round).details(json!({
            "title": new.title.trim(),
            "fiscal_year": new.fiscal_year,
            "rule": new.rule.name(),
            "areas": shown,
        })),
    )?;
    Ok(round)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_an_amount_or_a_share_of_revenue() {
        assert_eq!(
            Envelope::parse("8 000 000"),
            Some(Envelope::Fixed(Xof(8_000_000)))
        );
        assert_eq!(Envelope::parse("10 %"), Some(Envelope::Share(1_000)));
        assert_eq!(Envelope::parse("12,5%"), Some(Envelope::Share(1_250)));
        assert_eq!(Envelope::parse("0.25 %"), Some(Envelope::Share(25)));
        assert_eq!(Envelope::parse("100 %"), Some(Envelope::Share(10_000)));
        for bad in ["101 %", "0 %", "%", "1,234 %", "-5", "abc", "12,50"] {
            assert_eq!(Envelope::parse(bad), None, "{bad}");
        }
    }
}

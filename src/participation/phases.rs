//! A round's phases follow in order, and each action belongs to one of them: the
//! server refuses an action outside its phase, whatever the page showed. A `councillor`
//! or an `admin` moves a round to its next phase; opening the vote fixes the envelopes
//! tied to revenue, closing it counts the ballots, and moving on from the results makes
//! the winners projects.

use diesel::prelude::*;
use serde_json::json;

use super::{projects, results, rounds, Phase, ProposalStatus, Round};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{proposals, round_areas, round_phases, rounds as r};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::RoundId;

/// Refuses an action that belongs to `phase` when the round is in another.
pub fn require(round: &Round, phase: Phase) -> Result<(), Refusal> {
    if round.phase == phase {
        return Ok(());
    }
    let key = match phase {
        Phase::Proposals => "round.closed.proposals",
        Phase::Review => "round.closed.review",
        Phase::Vote => "round.closed.vote",
        Phase::Results => "round.closed.results",
        Phase::Implementation => "round.closed.implementation",
    };
    Err(Refusal::new(key))
}

/// What moving a round on will do, for the confirmation page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub from: Phase,
    pub to: Phase,
    /// Proposals that would reach the ballot (opening the vote).
    pub on_ballot: i64,
}

fn feasible(conn: &mut DbConn, round: RoundId) -> QueryResult<i64> {
    proposals::table
        .filter(proposals::round_id.eq(round))
        .filter(proposals::status.eq(ProposalStatus::Feasible))
        .filter(proposals::hidden_reason.is_null())
        .count()
        .get_result(conn)
}

/// The next step of a round, or why there is none.
pub fn next_step(conn: &mut DbConn, round: &Round) -> DomainResult<Step> {
    let to = round
        .phase
        .next()
        .ok_or_else(|| Refusal::new("round.advance.last"))?;
    let on_ballot = feasible(conn, round.id)?;
    if to == Phase::Vote {
        let waiting: i64 = proposals::table
            .filter(proposals::round_id.eq(round.id))
            .filter(proposals::status.eq(ProposalStatus::Submitted))
            .filter(proposals::hidden_reason.is_null())
            .count()
            .get_result(conn)?;
        if waiting > 0 {
            return Err(Refusal::new("round.advance.unreviewed")
                .arg("count", waiting)
                .into());
        }
        if on_ballot == 0 {
            return Err(Refusal::new("round.advance.no_projects").into());
        }
    }
    Ok(Step {
        from: round.phase,
        to,
        on_ballot,
    })
}

/// Moves the round from `seen` (the phase the officer saw) to the next phase. Runs in
/// the caller's write transaction, under the commune's lock.
pub fn advance(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    seen: Phase,
    actor: &Actor,
) -> DomainResult<Step> {
    communes::lock(conn, commune.id)?;
    let current = rounds::get(conn, commune.id, round)?;
    if current.phase != seen {
        return Err(Refusal::new("round.advance.stale").into());
    }
    let step = next_step(conn, &current)?;
    let now = crate::db::now();
    if step.to == Phase::Vote {
        refresh_envelopes(conn, commune, &current)?;
    }
    diesel::update(r::table.find(round))
        .set(r::phase.eq(step.to))
        .execute(conn)?;
    diesel::update(round_phases::table.find((round, step.to)))
        .set(round_phases::started_at.eq(Some(now)))
        .execute(conn)?;
    if step.to == Phase::Results {
        let closed = rounds::get(conn, commune.id, round)?;
        results::count(conn, &closed)?;
    }
    if step.to == Phase::Implementation {
        projects::create_from_winners(conn, &current, commune.today())?;
    }
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("round.advance", "round", round)
            .details(json!({ "from": step.from, "to": step.to })),
    )?;
    Ok(step)
}

/// Envelopes tied to revenue are computed again when the vote opens, from the payments
/// recorded by then, and fixed for the vote.
fn refresh_envelopes(conn: &mut DbConn, commune: &Commune, round: &Round) -> DomainResult<()> {
    for area in rounds::areas(conn, round.id)? {
        let (Some(bp), Some(year)) = (area.revenue_share, area.revenue_year) else {
            continue;
        };
        let collected =
            crate::revenue::collected::own_source(conn, commune.id, year, area.district_id)?;
        let budget = collected
            .mul_ratio(bp, 10_000)
            .ok_or_else(|| Refusal::new("ledger.too_large"))?;
        diesel::update(round_areas::table.find(area.id))
            .set((
                round_areas::budget.eq(budget.0),
                round_areas::revenue_collected.eq(Some(collected.0)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

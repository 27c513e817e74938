//! Paper ballots, from neighbourhood assemblies and polling stations. Each numbered
//! paper is typed in twice, by two different people; two entries that agree make a
//! ballot (channel `paper`), two that differ are flagged and count only once a third
//! person has resolved them from the paper. The people who vote on paper are signed
//! in on the register separately, so that one person votes once whatever the channel,
//! and nothing links their name to the paper they filled in.

use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::ballots::{self, Choice};
use super::{election, phases, rounds, Channel, Phase};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{paper_entries as e, participations};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AreaId, RoundId, UserId};

/// Where a paper ballot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Typed once; waiting for the second person.
    Once,
    /// Two entries agree: it is a ballot.
    Matched,
    /// Two entries differ: it waits for a resolution.
    Mismatch,
    /// A third person resolved it from the paper: it is a ballot.
    Resolved,
}

/// A paper ballot's entries, by number.
#[derive(Debug, Clone, Serialize)]
pub struct Paper {
    pub number: String,
    pub area: AreaId,
    pub state: State,
    pub entries: Vec<String>,
}

type Entry = (String, AreaId, String, Option<String>, UserId, bool);

fn entries(conn: &mut DbConn, round: RoundId, number: Option<&str>) -> QueryResult<Vec<Entry>> {
    let mut q = e::table
        .filter(e::round_id.eq(round))
        .order((e::number, e::id))
        .select((
            e::number,
            e::area_id,
            e::choices,
            e::points,
            e::entered_by,
            e::resolution,
        ))
        .into_boxed();
    if let Some(n) = number {
        q = q.filter(e::number.eq(n));
    }
    q.load(conn)
}

fn state_of(list: &[&Entry]) -> State {
    match list {
        _ if list.iter().any(|x| x.5) => State::Resolved,
        [a, b, ..] if (&a.1, &a.2, &a.3) == (&b.1, &b.2, &b.3) => State::Matched,
        [_, _, ..] => State::Mismatch,
        _ => State::Once,
    }
}

/// Every paper ballot of a round, with its state.
pub fn list(conn: &mut DbConn, round: RoundId) -> QueryResult<Vec<Paper>> {
    let all = entries(conn, round, None)?;
    let mut out: Vec<Paper> = Vec::new();
    for group in all.chunk_by(|a, b| a.0 == b.0) {
        let refs: Vec<&Entry> = group.iter().collect();
        out.push(Paper {
            number: group[0].0.clone(),
            area: group[0].1,
            state: state_of(&refs),
            entries: group.iter().map(|x| x.2.clone()).collect(),
        });
    }
    Ok(out)
}

fn public_id(round: RoundId, number: &str) -> String {
    ballots::public_id(&format!("paper-{round}-{number}"))
}

/// Types in a paper ballot: the first or second entry, or (`resolve`) the resolution of
/// a mismatch by a third person. Gives the paper's state afterwards. Runs in the caller's
/// write transaction, under the commune's lock.
#[allow(clippy::too_many_arguments)]
pub fn enter(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    area: AreaId,
    number: &str,
    choice: &Choice,
    resolve: bool,
    actor: &Actor,
) -> DomainResult<State> {
    let user = actor.id.ok_or_else(|| Refusal::new("paper.person"))?;
    communes::lock(conn, commune.id)?;
    let round = rounds::get(conn, commune.id, round)?;
    phases::require(&round, Phase::Vote)?;
    let number = number.trim();
    if number.is_empty() || number.chars().count() > 40 {
        return Err(Refusal::new("paper.number_error").on("number").into());
    }
    let area = rounds::areas(conn, round.id)?
        .into_iter()
        .find(|a| a.id == area)
        .ok_or_else(|| Refusal::new("paper.area_error").on("area"))?;
    let on_ballot = election::on_ballot(conn, &area)?;
    ballots::check(&round, &on_ballot, &area, choice)?;
    let before = entries(conn, round.id, Some(number))?;
    let refs: Vec<&Entry> = before.iter().collect();
    let state = state_of(&refs);
    if before.iter().any(|x| x.4 == user) {
        return Err(Refusal::new("paper.same_person").into());
    }
    match (state, resolve) {
        (State::Matched | State::Resolved, _) => return Err(Refusal::new("paper.done").into()),
        (State::Mismatch, false) => return Err(Refusal::new("paper.needs_resolution").into()),
        (State::Once, true) => return Err(Refusal::new("paper.nothing_to_resolve").into()),
        _ => {}
    }
    if before.first().is_some_and(|x| x.1 != area.id) && !resolve {
        return Err(Refusal::new("paper.other_area").on("area").into());
    }
    let points = if round.vote_type().has_points() {
        election::encode_points(&choice.points)
    } else {
        None
    };
    diesel::insert_into(e::table)
        .values((
            e::round_id.eq(round.id),
            e::area_id.eq(area.id),
            e::number.eq(number),
            e::choices.eq(election::encode_choices(
                choice.codes.iter().map(String::as_str),
            )),
            e::points.eq(&points),
            e::entered_by.eq(user),
            e::resolution.eq(resolve),
        ))
        .execute(conn)?;
    let after = entries(conn, round.id, Some(number))?;
    let refs: Vec<&Entry> = after.iter().collect();
    let state = state_of(&refs);
    if matches!(state, State::Matched | State::Resolved) {
        ballots::store(
            conn,
            round.id,
            area.id,
            &public_id(round.id, number),
            Channel::Paper,
            choice,
            round.vote_type().has_points(),
        )?;
    }
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("paper.enter", "round", round.id)
            .details(json!({ "number": number, "state": state, "resolution": resolve })),
    )?;
    Ok(state)
}

/// Signs a voter in at a station: they vote on paper, so they may no longer vote
/// online or by SMS (and cannot if they already have).
pub fn sign_in(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    who: &str,
) -> DomainResult<String> {
    communes::lock(conn, commune.id)?;
    let round = rounds::get(conn, commune.id, round)?;
    phases::require(&round, Phase::Vote)?;
    let voter = super::voters::find(conn, commune, &round, who)?
        .ok_or_else(|| Refusal::new("paper.unknown_voter").on("who"))?;
    if ballots::has_voted(conn, round.id, voter.id)? {
        return Err(Refusal::new("vote.already").into());
    }
    diesel::insert_into(participations::table)
        .values((
            participations::round_id.eq(round.id),
            participations::voter_id.eq(voter.id),
            participations::channel.eq(Channel::Paper),
        ))
        .execute(conn)?;
    Ok(voter.name)
}

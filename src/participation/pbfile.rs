//! Rounds in and out of pabulib's `.pb` files. Importing a file creates a finished round
//! with its projects, its ballots and its result, counted under the file's rule, so that
//! any real election can be replayed and shown in Commune. Exporting gives an area's
//! anonymised ballots as a file that pabutools and `commune tally` read.

use std::collections::HashSet;

use diesel::prelude::*;
use serde_json::json;

use super::{election, results, rounds, BallotScope, Channel, Phase, ProposalStatus, Round};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::schema::{ballots, proposals, round_areas, round_phases, rounds as r};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AreaId, RoundId};
use crate::voting::{write_pb, Election, Rule};

/// Rows per multi-row insert: 6 values each stays far below SQLite's 32 766 parameters.
const CHUNK: usize = 1_000;

/// What an import created.
#[derive(Debug, Clone)]
pub struct Imported {
    pub round: RoundId,
    pub area: AreaId,
    pub projects: usize,
    pub ballots: usize,
    pub rule: Rule,
}

/// The fiscal year of an election: the year its file is named after (pabulib names files
/// by the budget's year), else the year its vote ended, else `fallback`.
pub fn fiscal_year(file_name: &str, e: &Election, fallback: i64) -> i64 {
    let year_in = |text: &str| -> Option<i64> {
        let b = text.as_bytes();
        (0..b.len().saturating_sub(3)).find_map(|i| {
            let edge = |j: Option<&u8>| j.is_none_or(|c| !c.is_ascii_digit());
            let digits = &b[i..i + 4];
            (digits.iter().all(u8::is_ascii_digit)
                && edge(i.checked_sub(1).and_then(|j| b.get(j)))
                && edge(b.get(i + 4)))
            .then(|| std::str::from_utf8(digits).ok()?.parse().ok())
            .flatten()
            .filter(|y| (1990..=2100).contains(y))
        })
    };
    year_in(file_name)
        .or_else(|| e.meta("date_end").and_then(year_in))
        .or_else(|| e.meta("date_begin").and_then(year_in))
        .unwrap_or(fallback)
}

fn area_name(e: &Election) -> String {
    ["subunit", "district", "unit"]
        .iter()
        .find_map(|k| e.meta(k).filter(|v| !v.trim().is_empty() && *v != "none"))
        .unwrap_or("—")
        .trim()
        .to_string()
}

fn amount(v: u64, what: &'static str) -> Result<i64, Refusal> {
    i64::try_from(v)
        .ok()
        .filter(|v| *v <= crate::money::Xof::MAX_ENTRY.0)
        .ok_or_else(|| Refusal::new("round.import.too_large").arg("what", what))
}

/// Checks the election before anything is written.
fn check(e: &Election) -> Result<Rule, Refusal> {
    let named = e.rule.as_deref().unwrap_or("").trim();
    let rule = Rule::from_pabulib(named).ok_or_else(|| {
        Refusal::new("round.import.unknown_rule")
            .arg("rule", named)
            .arg("rules", Rule::names())
    })?;
    if e.decimals > 6 {
        return Err(Refusal::new("round.import.too_many_decimals"));
    }
    if let Some((i, violation)) = e.invalid_ballots().into_iter().next() {
        return Err(Refusal::new("round.import.bad_ballot")
            .arg("voter", e.ballots[i].voter_id.clone())
            .arg("reason", violation.to_string()));
    }
    let mut seen = HashSet::with_capacity(e.ballots.len());
    if let Some(b) = e.ballots.iter().find(|b| !seen.insert(b.voter_id.as_str())) {
        return Err(Refusal::new("round.import.duplicate_voter").arg("voter", b.voter_id.clone()));
    }
    if e.projects.is_empty() {
        return Err(Refusal::new("round.import.no_projects"));
    }
    Ok(rule)
}

#[derive(Insertable)]
#[diesel(table_name = ballots)]
struct NewBallot<'a> {
    round_id: RoundId,
    public_id: &'a str,
    area_id: AreaId,
    channel: Channel,
    choices: String,
    points: Option<String>,
}

/// Creates a finished round from a pabulib election, counts it under the file's rule,
/// and stores the result. All or nothing: run it in a write transaction.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    e: &Election,
    file_name: &str,
    actor: &Actor,
) -> DomainResult<Imported> {
    let rule = check(e)?;
    let now = crate::db::now();
    let year = fiscal_year(
        file_name,
        e,
        commune
            .today()
            .format("%Y")
            .to_string()
            .parse()
            .unwrap_or(2026),
    );
    let title = e
        .meta("description")
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| area_name(e));
    let rules = &e.ballot_rules;
    let i = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
    let round: RoundId = diesel::insert_into(r::table)
        .values((
            r::commune_id.eq(commune.id),
            r::title.eq(&title),
            r::fiscal_year.eq(year),
            r::phase.eq(Phase::Results),
            r::vote_type.eq(e.vote_type.name()),
            r::min_length.eq(i(rules.min_length)),
            r::max_length.eq(i(rules.max_length)),
            r::min_sum_cost.eq(i(rules.min_sum_cost)),
            r::max_sum_cost.eq(i(rules.max_sum_cost)),
            r::min_points.eq(rules.min_points),
            r::max_points.eq(rules.max_points),
            r::min_sum_points.eq(rules.min_sum_points),
            r::max_sum_points.eq(rules.max_sum_points),
            r::rule.eq(rule.name()),
            r::score_threshold.eq(e.score_threshold),
            r::ballot_scope.eq(BallotScope::Commune),
            r::currency.eq(e.meta("currency").unwrap_or("XOF").trim()),
            r::decimals.eq(e.decimals as i64),
            r::source.eq(file_name),
            r::created_at.eq(now),
        ))
        .returning(r::id)
        .get_result(conn)?;
    let phases: Vec<_> = Phase::ALL
        .iter()
        .map(|p| {
            (
                round_phases::round_id.eq(round),
                round_phases::phase.eq(*p),
                round_phases::started_at.eq((*p == Phase::Results).then_some(now)),
            )
        })
        .collect();
    crate::on_inner!(conn, c => diesel::insert_into(round_phases::table).values(&phases).execute(c))?;
    let area: AreaId = diesel::insert_into(round_areas::table)
        .values((
            round_areas::round_id.eq(round),
            round_areas::name.eq(area_name(e)),
            round_areas::budget.eq(amount(e.budget, "budget")?),
        ))
        .returning(round_areas::id)
        .get_result(conn)?;
    insert_projects(conn, round, area, e, now)?;
    insert_ballots(conn, round, area, e)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("round.import", "round", round).details(json!({
            "file": file_name,
            "projects": e.projects.len(),
            "ballots": e.ballots.len(),
            "rule": rule.name(),
        })),
    )?;
    let stored = rounds::get(conn, commune.id, round)?;
    results::count(conn, &stored)?;
    Ok(Imported {
        round,
        area,
        projects: e.projects.len(),
        ballots: e.ballots.len(),
        rule,
    })
}

fn insert_projects(
    conn: &mut DbConn,
    round: RoundId,
    area: AreaId,
    e: &Election,
    now: chrono::NaiveDateTime,
) -> DomainResult<()> {
    let mut rows = Vec::with_capacity(e.projects.len());
    for p in &e.projects {
        let cost = amount(p.cost, "cost")?;
        rows.push((
            proposals::round_id.eq(round),
            proposals::area_id.eq(area),
            proposals::code.eq(p.id.clone()),
            proposals::title.eq(p.name.clone().unwrap_or_else(|| p.id.clone())),
            proposals::category.eq(p.category.clone()),
            proposals::estimated_cost.eq(cost),
            proposals::cost.eq(Some(cost)),
            proposals::status.eq(ProposalStatus::Feasible),
            proposals::created_at.eq(now),
        ));
    }
    for chunk in rows.chunks(CHUNK) {
        crate::on_inner!(conn, c => diesel::insert_into(proposals::table).values(chunk).execute(c))?;
    }
    Ok(())
}

fn insert_ballots(
    conn: &mut DbConn,
    round: RoundId,
    area: AreaId,
    e: &Election,
) -> DomainResult<()> {
    let codes: Vec<&str> = e.projects.iter().map(|p| p.id.as_str()).collect();
    let mut rows = Vec::with_capacity(CHUNK);
    for chunk in e.ballots.chunks(CHUNK) {
        rows.clear();
        rows.extend(chunk.iter().map(|b| NewBallot {
            round_id: round,
            public_id: &b.voter_id,
            area_id: area,
            channel: Channel::File,
            choices: election::encode_choices(b.projects.iter().map(|&p| codes[p])),
            points: if e.vote_type.has_points() {
                election::encode_points(&b.points)
            } else {
                None
            },
        }));
        crate::on_inner!(conn, c => diesel::insert_into(ballots::table).values(&rows).execute(c))?;
    }
    Ok(())
}

/// The `.pb` text of an area: its projects on the ballot and its anonymised ballots.
pub fn export(conn: &mut DbConn, round: &Round, area: AreaId) -> QueryResult<String> {
    let area = rounds::areas(conn, round.id)?
        .into_iter()
        .find(|a| a.id == area)
        .ok_or(diesel::NotFound)?;
    Ok(write_pb(&election::load(conn, round, &area)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voting::VoteType;

    #[test]
    fn the_fiscal_year_comes_from_the_file_name_then_the_dates() {
        let mut e = Election::new(10, VoteType::Approval);
        assert_eq!(fiscal_year("Poland_Lodz_2022.pb", &e, 1999), 2022);
        assert_eq!(fiscal_year("Poland_Lodz_12345.pb", &e, 1999), 1999);
        e.meta.push(("date_end".into(), "21.09.2023".into()));
        assert_eq!(fiscal_year("vote.pb", &e, 1999), 2023);
    }

    #[test]
    fn a_file_with_an_unknown_rule_or_a_bad_ballot_is_refused_with_the_reason() {
        let mut e = Election::new(100, VoteType::Approval);
        let a = e.add_project(crate::voting::Project::new("a", 60));
        e.add_ballot(crate::voting::Ballot::approval("v1", vec![a]));
        e.rule = Some("borda".into());
        assert_eq!(check(&e).unwrap_err().key, "round.import.unknown_rule");
        e.rule = Some("greedy".into());
        assert_eq!(check(&e), Ok(Rule::Greedy));
        e.add_ballot(crate::voting::Ballot::approval("v1", vec![a]));
        assert_eq!(check(&e).unwrap_err().key, "round.import.duplicate_voter");
        e.ballots.pop();
        e.ballot_rules.max_length = Some(0);
        assert_eq!(check(&e).unwrap_err().key, "round.import.bad_ballot");
    }
}

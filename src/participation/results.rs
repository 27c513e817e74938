//! Counting a round: each area's ballots go through the engine under the round's rule,
//! and the outcome is stored with every project's explanation. For the Method of Equal
//! Shares, what greedy would have chosen is stored beside it, so that the results page
//! can show the difference the fair rule made.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::{election, rounds, Area, Round};
use crate::db::schema::round_results;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AreaId, RoundId};
use crate::voting::{tally, Rule, TallyError};

/// An area's stored result.
#[derive(Debug, Clone)]
pub struct Counted {
    pub area: AreaId,
    pub rule: String,
    /// The engine's outcome (`Outcome::to_json`): `selected`, `budget`, `cost`,
    /// `voters`, `voters_with_some`, and each project with its explanation; with
    /// `hands` (`assemblies`, `votes`, `for_winners`) when shows of hands were counted,
    /// each hand being one of the `voters`.
    pub outcome: Value,
    /// For MES rounds: the projects greedy would have chosen, by id.
    pub greedy_selected: Option<Vec<String>>,
    pub counted_at: NaiveDateTime,
}

impl Counted {
    /// The winning projects' ids, in the order they were chosen.
    pub fn selected(&self) -> Vec<String> {
        Counted::selected_of(&self.outcome)
    }

    fn selected_of(outcome: &Value) -> Vec<String> {
        outcome["selected"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn is_mes(rule: Rule) -> bool {
    matches!(rule, Rule::Mes | Rule::MesAdd1e | Rule::MesAdd1)
}

/// Counts every area of the round and stores the outcomes, replacing any earlier count.
/// Runs inside the caller's write transaction.
pub fn count(conn: &mut DbConn, round: &Round) -> DomainResult<Vec<Counted>> {
    let at = crate::db::now();
    let mut out = Vec::new();
    for area in rounds::areas(conn, round.id)? {
        let counted = count_area(conn, round, &area, at)?;
        diesel::delete(round_results::table.find(area.id)).execute(conn)?;
        diesel::insert_into(round_results::table)
            .values((
                round_results::area_id.eq(area.id),
                round_results::round_id.eq(round.id),
                round_results::rule.eq(&counted.rule),
                round_results::outcome.eq(counted.outcome.to_string()),
                round_results::greedy_selected.eq(counted
                    .greedy_selected
                    .as_ref()
                    .map(|g| serde_json::json!(g).to_string())),
                round_results::counted_at.eq(at),
            ))
            .execute(conn)?;
        out.push(counted);
    }
    Ok(out)
}

fn count_area(
    conn: &mut DbConn,
    round: &Round,
    area: &Area,
    at: NaiveDateTime,
) -> DomainResult<Counted> {
    let e = election::load(conn, round, area)?;
    let rule = round.rule();
    let outcome = tally(&e, rule, round.complete_greedy).map_err(|err| refusal(err, area))?;
    let greedy_selected = if is_mes(rule) {
        let greedy = tally(&e, Rule::Greedy, false).map_err(|err| refusal(err, area))?;
        Some(
            greedy
                .selected
                .iter()
                .map(|&p| e.projects[p].id.clone())
                .collect(),
        )
    } else {
        None
    };
    let mut outcome = outcome.to_json(&e);
    let hands = election::hands(conn, area.id)?;
    if !hands.is_empty() {
        let selected = Counted::selected_of(&outcome);
        let sum = |rows: &mut dyn Iterator<Item = &(String, String, i64)>| -> i64 {
            rows.map(|(_, _, v)| *v).sum()
        };
        outcome["hands"] = serde_json::json!({
            "assemblies": super::hands::assemblies(&hands),
            "votes": sum(&mut hands.iter()),
            "for_winners": sum(&mut hands.iter().filter(|(_, c, _)| selected.contains(c))),
        });
    }
    Ok(Counted {
        area: area.id,
        rule: rule.name().to_string(),
        outcome,
        greedy_selected,
        counted_at: at,
    })
}

fn refusal(err: TallyError, area: &Area) -> Refusal {
    let r = match err {
        TallyError::MissingThreshold => Refusal::new("round.count.no_threshold"),
        TallyError::BadBallot { ballot, violation } => Refusal::new("round.count.bad_ballot")
            .arg("ballot", ballot as i64 + 1)
            .arg("reason", violation.to_string()),
        other => Refusal::new("round.count.failed").arg("reason", other.to_string()),
    };
    r.arg("area", area.name.clone())
}

/// The results the public may see: none before the vote is closed, whatever is stored.
pub fn published(conn: &mut DbConn, round: &Round) -> QueryResult<Vec<Counted>> {
    if round.phase < super::Phase::Results {
        return Ok(Vec::new());
    }
    of_round(conn, round.id)
}

/// The stored results of a round, one per counted area.
pub fn of_round(conn: &mut DbConn, round: RoundId) -> QueryResult<Vec<Counted>> {
    let rows: Vec<(AreaId, String, String, Option<String>, NaiveDateTime)> = round_results::table
        .filter(round_results::round_id.eq(round))
        .order(round_results::area_id)
        .select((
            round_results::area_id,
            round_results::rule,
            round_results::outcome,
            round_results::greedy_selected,
            round_results::counted_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(area, rule, outcome, greedy, counted_at)| {
            let bad = |e: serde_json::Error| diesel::result::Error::DeserializationError(e.into());
            Ok(Counted {
                area,
                rule,
                outcome: serde_json::from_str(&outcome).map_err(bad)?,
                greedy_selected: greedy
                    .map(|g| serde_json::from_str(&g))
                    .transpose()
                    .map_err(bad)?,
                counted_at,
            })
        })
        .collect()
}

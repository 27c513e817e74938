//! Shows of hands. Some neighbourhood assemblies vote by raising hands, project by
//! project: what is left is a count of hands per project, not ballots. Such totals
//! say how many people support each project, and nothing of who supported which
//! set, so they can only be counted by a rule that looks at nothing else: greedy
//! (with or without its threshold) on approval ballots. Each hand then counts as a
//! ballot for that one project (in the count and in the published `.pb` file, under
//! ids that say so), which gives every project exactly its hands as extra votes; the
//! results say how many hands, from how many assemblies.

use diesel::prelude::*;
use serde_json::json;

use super::{election, phases, rounds, Phase, Round};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::hand_counts as h;
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{AreaId, RoundId};
use crate::voting::{Rule, VoteType};

/// More hands than this for one project in one assembly is a typing error.
pub const MAX_HANDS: i64 = 100_000;

/// Whether the round's rule can count totals of hands; the reason if not.
pub fn allowed(round: &Round) -> Result<(), Refusal> {
    let greedy = matches!(round.rule(), Rule::Greedy | Rule::GreedyThreshold);
    let approval = matches!(round.vote_type(), VoteType::Approval | VoteType::Choose1);
    let one_is_enough = round.min_length.unwrap_or(0) <= 1;
    if greedy && approval && one_is_enough {
        Ok(())
    } else {
        Err(Refusal::new("hands.not_greedy"))
    }
}

/// One assembly's totals for one area, as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembly {
    pub area: AreaId,
    pub name: String,
    /// `(project code, hands)`, in the ballot's order.
    pub hands: Vec<(String, i64)>,
}

/// Records an assembly's totals during the vote. Runs in the caller's write
/// transaction, under the commune's lock.
pub fn enter(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    new: &Assembly,
    actor: &Actor,
) -> DomainResult<()> {
    communes::lock(conn, commune.id)?;
    let round = rounds::get(conn, commune.id, round)?;
    phases::require(&round, Phase::Vote)?;
    allowed(&round)?;
    let area = rounds::areas(conn, round.id)?
        .into_iter()
        .find(|a| a.id == new.area)
        .ok_or_else(|| Refusal::new("hands.area").on("area"))?;
    let name = new.name.trim();
    let mut errors = Vec::new();
    if !(3..=100).contains(&name.chars().count()) {
        errors.push(Refusal::new("hands.name").on("assembly"));
    }
    let taken: i64 = h::table
        .filter(h::area_id.eq(area.id))
        .filter(h::assembly.eq(name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        errors.push(Refusal::new("hands.duplicate").on("assembly"));
    }
    let on_ballot: Vec<String> = election::on_ballot(conn, &area)?
        .into_iter()
        .map(|p| p.code)
        .collect();
    for (code, votes) in &new.hands {
        if !on_ballot.contains(code) {
            errors.push(Refusal::new("hands.unknown").arg("project", code.clone()));
        } else if !(0..=MAX_HANDS).contains(votes) {
            errors.push(Refusal::new("hands.count").arg("project", code.clone()));
        }
    }
    let total: i64 = new
        .hands
        .iter()
        .map(|(_, v)| (*v).clamp(0, MAX_HANDS))
        .sum();
    if total == 0 && errors.is_empty() {
        errors.push(Refusal::new("hands.empty"));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    for (code, votes) in new.hands.iter().filter(|(_, v)| *v > 0) {
        diesel::insert_into(h::table)
            .values((
                h::round_id.eq(round.id),
                h::area_id.eq(area.id),
                h::assembly.eq(name),
                h::code.eq(code),
                h::votes.eq(votes),
                h::entered_by.eq(actor.id.ok_or_else(|| Refusal::new("hands.anonymous"))?),
            ))
            .execute(conn)?;
    }
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("hands.enter", "round", round.id).details(json!({
            "area": area.id, "assembly": name, "hands": total,
        })),
    )?;
    Ok(())
}

/// A round's totals, area by area: `(area, assembly, project code, hands)`.
pub fn of_round(
    conn: &mut DbConn,
    round: RoundId,
) -> QueryResult<Vec<(AreaId, String, String, i64)>> {
    h::table
        .filter(h::round_id.eq(round))
        .order((h::area_id, h::assembly, h::code))
        .select((h::area_id, h::assembly, h::code, h::votes))
        .load(conn)
}

/// The number of distinct assemblies among totals.
pub fn assemblies(rows: &[(String, String, i64)]) -> usize {
    let mut names: Vec<&str> = rows.iter().map(|(a, _, _)| a.as_str()).collect();
    names.dedup();
    names.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assemblies_are_counted_once_each() {
        let rows = vec![
            ("Kermel".to_string(), "1".to_string(), 40),
            ("Kermel".to_string(), "2".to_string(), 12),
            ("Médina".to_string(), "1".to_string(), 7),
        ];
        assert_eq!(assemblies(&rows), 2);
        assert_eq!(assemblies(&[]), 0);
    }
}

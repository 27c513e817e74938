//! An area's election as the engine sees it: the envelope, the feasible proposals that
//! are on its ballot, and its ballots (with the hands of assemblies, one ballot each). Counting, checking a ballot and exporting the
//! `.pb` file all start from here, so they all see the same election.

use diesel::prelude::*;

use super::{Area, ProposalStatus, Round};
use crate::db::schema::{ballots, hand_counts, proposals};
use crate::db::DbConn;
use crate::ids::{AreaId, ProposalId};
use crate::voting::{Ballot, Election, Project};

/// A proposal as it stands on the ballot.
#[derive(Debug, Clone, Queryable)]
pub struct OnBallot {
    pub id: ProposalId,
    pub code: String,
    pub title: String,
    pub category: Option<String>,
    pub cost: Option<i64>,
}

/// The proposals on an area's ballot: feasible, not hidden, in the order they were
/// entered.
pub fn on_ballot(conn: &mut DbConn, area: &Area) -> QueryResult<Vec<OnBallot>> {
    proposals::table
        .filter(proposals::area_id.eq(area.id))
        .filter(proposals::status.eq(ProposalStatus::Feasible))
        .filter(proposals::hidden_reason.is_null())
        .order(proposals::id)
        .select((
            proposals::id,
            proposals::code,
            proposals::title,
            proposals::category,
            proposals::cost,
        ))
        .load(conn)
}

/// The election of an area without its ballots: what a ballot is checked against.
pub fn instance(round: &Round, area: &Area, on_ballot: &[OnBallot]) -> Election {
    let mut e = Election::new(area.budget.max(0) as u64, round.vote_type());
    e.decimals = round.decimals as u32;
    e.rule = Some(round.rule().pabulib_name().to_string());
    e.ballot_rules = round.ballot_rules(area);
    e.score_threshold = round.score_threshold;
    e.meta = vec![
        ("description".into(), round.title.clone()),
        ("unit".into(), area.name.clone()),
        ("num_projects".into(), on_ballot.len().to_string()),
        ("num_votes".into(), "0".into()),
        ("budget".into(), String::new()),
        ("vote_type".into(), String::new()),
        ("rule".into(), String::new()),
        ("currency".into(), round.currency.clone()),
        ("fiscal_year".into(), round.fiscal_year.to_string()),
    ];
    if round.complete_greedy {
        e.meta.push(("completion".into(), "greedy".into()));
    }
    e.project_columns = vec!["project_id".into(), "cost".into(), "name".into()];
    if on_ballot.iter().any(|p| p.category.is_some()) {
        e.project_columns.push("category".into());
    }
    for p in on_ballot {
        let mut project = Project::new(p.code.clone(), p.cost.unwrap_or(0).max(0) as u64);
        project.name = Some(p.title.clone());
        project.category = p.category.clone();
        e.add_project(project);
    }
    e
}

/// The whole election of an area, with every ballot cast in it, in the order of their
/// public ids (which says nothing of when they were cast).
pub fn load(conn: &mut DbConn, round: &Round, area: &Area) -> QueryResult<Election> {
    let on_ballot = on_ballot(conn, area)?;
    let mut e = instance(round, area, &on_ballot);
    let index: std::collections::HashMap<&str, usize> = on_ballot
        .iter()
        .enumerate()
        .map(|(i, p)| (p.code.as_str(), i))
        .collect();
    let rows: Vec<(String, String, Option<String>)> = ballots::table
        .filter(ballots::area_id.eq(area.id))
        .order(ballots::public_id)
        .select((ballots::public_id, ballots::choices, ballots::points))
        .load(conn)?;
    e.ballots.reserve(rows.len());
    for (public_id, choices, points) in rows {
        let projects = decode_choices(&choices, &index).ok_or_else(|| corrupt(&public_id))?;
        let points = match points {
            Some(p) => decode_points(&p).ok_or_else(|| corrupt(&public_id))?,
            None => Vec::new(),
        };
        e.add_ballot(Ballot::with_points(public_id, projects, points));
    }
    // Each hand raised at an assembly, as a ballot for its one project (see `hands`).
    let hands = hands(conn, area.id)?;
    let mut assembly = 0;
    for (i, (name, code, votes)) in hands.iter().enumerate() {
        if i == 0 || hands[i - 1].0 != *name {
            assembly += 1;
        }
        let project = *index.get(code.as_str()).ok_or_else(|| corrupt(name))?;
        for k in 0..*votes {
            e.add_ballot(Ballot::approval(
                format!("hands-{assembly}-{code}-{k}"),
                vec![project],
            ));
        }
    }
    if let Some(n) = e.meta.iter_mut().find(|(k, _)| k == "num_votes") {
        n.1 = e.ballots.len().to_string();
    }
    Ok(e)
}

/// An area's totals from shows of hands: `(assembly, project code, hands)`, assembly
/// by assembly.
pub fn hands(conn: &mut DbConn, area: AreaId) -> QueryResult<Vec<(String, String, i64)>> {
    hand_counts::table
        .filter(hand_counts::area_id.eq(area))
        .order((hand_counts::assembly, hand_counts::code))
        .select((hand_counts::assembly, hand_counts::code, hand_counts::votes))
        .load(conn)
}

fn corrupt(public_id: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(
        format!("ballot {public_id} names a project that is not on its ballot").into(),
    )
}

/// `choices` as stored: the proposals' codes, comma-separated, in the voter's order.
pub fn encode_choices<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes.into_iter().collect::<Vec<_>>().join(",")
}

/// `points` as stored: the points of each choice, comma-separated.
pub fn encode_points(points: &[i64]) -> Option<String> {
    (!points.is_empty()).then(|| {
        points
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

fn decode_choices(
    text: &str,
    index: &std::collections::HashMap<&str, usize>,
) -> Option<Vec<usize>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(|c| index.get(c).copied()).collect()
}

pub(super) fn decode_points(text: &str) -> Option<Vec<i64>> {
    text.split(',').map(|p| p.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_and_points_read_back_as_written() {
        let index: std::collections::HashMap<&str, usize> =
            [("12", 0), ("7", 1), ("a b", 2)].into_iter().collect();
        let text = encode_choices(["7", "a b", "12"]);
        assert_eq!(decode_choices(&text, &index), Some(vec![1, 2, 0]));
        assert_eq!(decode_choices("", &index), Some(vec![]));
        assert_eq!(decode_choices("7,99", &index), None);
        assert_eq!(
            decode_points(&encode_points(&[3, 0, -1]).unwrap()),
            Some(vec![3, 0, -1])
        );
        assert_eq!(encode_points(&[]), None);
    }
}

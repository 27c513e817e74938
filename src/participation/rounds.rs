//! Rounds and their ballot areas: reading them, and the ballot rules an area's ballots
//! must respect.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::{BallotScope, Phase};
use crate::db::schema::{round_areas, round_phases, rounds};
use crate::db::DbConn;
use crate::ids::{AreaId, CommuneId, DistrictId, RoundId};
use crate::voting::{BallotRules, Rule, VoteType};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rounds)]
pub struct Round {
    pub id: RoundId,
    pub commune_id: CommuneId,
    pub title: String,
    pub summary: String,
    pub fiscal_year: i64,
    pub phase: Phase,
    pub vote_type: String,
    pub knapsack: bool,
    pub min_length: Option<i64>,
    pub max_length: Option<i64>,
    pub min_sum_cost: Option<i64>,
    pub max_sum_cost: Option<i64>,
    pub min_points: Option<i64>,
    pub max_points: Option<i64>,
    pub min_sum_points: Option<i64>,
    pub max_sum_points: Option<i64>,
    pub rule: String,
    pub complete_greedy: bool,
    pub score_threshold: Option<i64>,
    pub ballot_scope: BallotScope,
    pub min_age: Option<i64>,
    pub supports: bool,
    pub max_proposal_cost: Option<i64>,
    pub currency: String,
    pub decimals: i64,
    pub source: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Round {
    /// The engine's vote type. The database allows only the engine's names.
    pub fn vote_type(&self) -> VoteType {
        VoteType::from_name(&self.vote_type).unwrap_or(VoteType::Approval)
    }

    /// The engine's rule. Rounds are written with the engine's names only.
    pub fn rule(&self) -> Rule {
        Rule::from_name(&self.rule).unwrap_or(Rule::Greedy)
    }

    /// What a ballot of `area` must respect: the round's limits, and for a knapsack
    /// ballot a total cost within the area's envelope.
    pub fn ballot_rules(&self, area: &Area) -> BallotRules {
        let u = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
        let max_sum_cost = match (self.knapsack, u(self.max_sum_cost)) {
            (true, Some(m)) => Some(m.min(area.budget.max(0) as u64)),
            (true, None) => Some(area.budget.max(0) as u64),
            (false, m) => m,
        };
        BallotRules {
            min_length: u(self.min_length),
            max_length: u(self.max_length),
            min_sum_cost: u(self.min_sum_cost),
            max_sum_cost,
            min_points: self.min_points,
            max_points: self.max_points,
            min_sum_points: self.min_sum_points,
            max_sum_points: self.max_sum_points,
        }
    }

    /// An amount of this round's minor units, written for people ("8 425 000 FCFA").
    pub fn money(&self, minor: i64, locale: &str) -> String {
        crate::money::display_in(minor, self.decimals as u32, &self.currency, locale)
    }
}

/// Where ballots are cast: a district, or the whole commune (no district).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = round_areas)]
pub struct Area {
    pub id: AreaId,
    pub round_id: RoundId,
    pub district_id: Option<DistrictId>,
    pub name: String,
    /// The envelope, in the round's minor units.
    pub budget: i64,
    /// A share of the own-source revenue of `revenue_year`, in basis points.
    pub revenue_share: Option<i64>,
    pub revenue_year: Option<i64>,
    pub revenue_collected: Option<i64>,
}

/// A phase's planned start, and when the round entered it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = round_phases)]
pub struct PhaseDates {
    pub phase: Phase,
    pub starts_on: Option<NaiveDate>,
    pub started_at: Option<NaiveDateTime>,
}

/// A round of the commune, or `NotFound`.
pub fn get(conn: &mut DbConn, commune: CommuneId, id: RoundId) -> QueryResult<Round> {
    rounds::table
        .filter(rounds::commune_id.eq(commune))
        .filter(rounds::id.eq(id))
        .select(Round::as_select())
        .get_result(conn)
}

/// The commune's rounds, newest fiscal year first.
pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::commune_id.eq(commune))
        .order((rounds::fiscal_year.desc(), rounds::id.desc()))
        .select(Round::as_select())
        .load(conn)
}

/// A round's ballot areas, in name order with the whole commune first.
pub fn areas(conn: &mut DbConn, round: RoundId) -> QueryResult<Vec<Area>> {
    let mut list: Vec<Area> = round_areas::table
        .filter(round_areas::round_id.eq(round))
        .order(round_areas::id)
        .select(Area::as_select())
        .load(conn)?;
    list.sort_by_key(|a| (a.district_id.is_some(), crate::text::search_key(&a.name)));
    Ok(list)
}

/// A round's phases, in order.
pub fn phases(conn: &mut DbConn, round: RoundId) -> QueryResult<Vec<PhaseDates>> {
    let mut list: Vec<PhaseDates> = round_phases::table
        .filter(round_phases::round_id.eq(round))
        .select(PhaseDates::as_select())
        .load(conn)?;
    list.sort_by_key(|p| p.phase);
    Ok(list)
}

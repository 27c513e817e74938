//! Proposals: a citizen submits one during the proposals phase; anyone reads them,
//! filtered by area and category or searched; citizens support them when the round
//! allows it. A proposal is never deleted (see `review` for moderation and merges).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::{phases, rounds, ProposalStatus, Round};
use crate::accounts::users;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{proposal_authors, proposal_supports, proposals as p};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AreaId, ProposalId, RoundId, UserId};
use crate::money::Xof;
use crate::text::search_key;

crate::text_enum!(
    /// What a proposal is about (the list a commune's residents choose from).
    pub Category {
        Water = "water",
        Schools = "schools",
        Health = "health",
        Lighting = "lighting",
        Roads = "roads",
        Markets = "markets",
        Environment = "environment",
        Sport = "sport",
        Culture = "culture",
        Other = "other",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = p)]
pub struct Proposal {
    pub id: ProposalId,
    pub round_id: RoundId,
    pub area_id: AreaId,
    pub code: String,
    pub title: String,
    pub description: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub estimated_cost: i64,
    pub cost: Option<i64>,
    pub status: ProposalStatus,
    pub review_note: Option<String>,
    pub reviewed_by: Option<UserId>,
    pub merged_into: Option<ProposalId>,
    pub hidden_reason: Option<String>,
    pub author_id: Option<UserId>,
    pub created_at: NaiveDateTime,
}

/// What a citizen writes.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub area: AreaId,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub place: String,
    pub estimated_cost: Xof,
}

fn check(round: &Round, new: &NewProposal, area_budget: i64) -> Result<(), Vec<Refusal>> {
    let mut errors = Vec::new();
    let title = new.title.trim().chars().count();
    if !(5..=120).contains(&title) {
        errors.push(Refusal::new("proposal.error.title").on("title"));
    }
    let description = new.description.trim().chars().count();
    if !(20..=4_000).contains(&description) {
        errors.push(Refusal::new("proposal.error.description").on("description"));
    }
    if new.place.trim().chars().count() > 200 {
        errors.push(Refusal::new("proposal.error.place").on("place"));
    }
    let cost = new.estimated_cost;
    let limit = round.max_proposal_cost.unwrap_or(i64::MAX).min(area_budget);
    if cost.0 <= 0 {
        errors.push(Refusal::new("proposal.error.cost").on("estimated_cost"));
    } else if cost.0 > limit {
        errors.push(
            Refusal::new("proposal.error.cost_above")
                .arg("limit", Xof(limit))
                .on("estimated_cost"),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Records a citizen's proposal, numbered in its round. Runs in the caller's write
/// transaction, under the commune's lock (the number is the round's next).
pub fn submit(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    author: UserId,
    new: &NewProposal,
    actor: &Actor,
) -> DomainResult<ProposalId> {
    communes::lock(conn, commune.id)?;
    let round = rounds::get(conn, commune.id, round)?;
    phases::require(&round, super::Phase::Proposals)?;
    let area = rounds::areas(conn, round.id)?
        .into_iter()
        .find(|a| a.id == new.area)
        .ok_or_else(|| Refusal::new("proposal.error.area").on("area"))?;
    check(&round, new, area.budget).map_err(crate::error::DomainError::Invalid)?;
    let count: i64 = p::table
        .filter(p::round_id.eq(round.id))
        .count()
        .get_result(conn)?;
    let code = (count + 1).to_string();
    let now = crate::db::now();
    let place = Some(new.place.trim()).filter(|s| !s.is_empty());
    let id: ProposalId = diesel::insert_into(p::table)
        .values((
            p::round_id.eq(round.id),
            p::area_id.eq(area.id),
            p::code.eq(&code),
            p::title.eq(new.title.trim()),
            p::description.eq(new.description.trim()),
            p::category.eq(new.category.as_str()),
            p::place.eq(place),
            p::estimated_cost.eq(new.estimated_cost.0),
            p::status.eq(ProposalStatus::Submitted),
            p::author_id.eq(Some(author)),
            p::created_at.eq(now),
        ))
        .returning(p::id)
        .get_result(conn)?;
    diesel::insert_into(proposal_authors::table)
        .values((
            proposal_authors::proposal_id.eq(id),
            proposal_authors::user_id.eq(author),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("proposal.submit", "proposal", id).details(json!({
            "round": round.id, "code": code, "title": new.title.trim(),
            "estimated_cost": new.estimated_cost.0,
        })),
    )?;
    Ok(id)
}

/// How a list of proposals is narrowed.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub area: Option<AreaId>,
    pub category: Option<Category>,
    pub text: String,
}

/// A proposal in a list, with its supports.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub supports: i64,
}

/// A round's proposals, in the order they were submitted, narrowed by `filter`. Hidden
/// proposals stay listed (with their reason), as do merged ones.
pub fn list(conn: &mut DbConn, round: RoundId, filter: &Filter) -> QueryResult<Vec<Listed>> {
    let mut q = p::table
        .filter(p::round_id.eq(round))
        .select(Proposal::as_select())
        .order(p::id)
        .into_boxed();
    if let Some(a) = filter.area {
        q = q.filter(p::area_id.eq(a));
    }
    if let Some(c) = filter.category {
        q = q.filter(p::category.eq(c.as_str()));
    }
    let rows: Vec<Proposal> = q.load(conn)?;
    let words: Vec<String> = search_key(&filter.text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let rows: Vec<Proposal> = rows
        .into_iter()
        .filter(|r| {
            let hay = search_key(&format!(
                "{} {} {} {}",
                r.code,
                r.title,
                r.description,
                r.place.as_deref().unwrap_or("")
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    let ids: Vec<ProposalId> = rows.iter().map(|r| r.id).collect();
    let counts: std::collections::HashMap<ProposalId, i64> = proposal_supports::table
        .filter(proposal_supports::proposal_id.eq_any(&ids))
        .group_by(proposal_supports::proposal_id)
        .select((proposal_supports::proposal_id, diesel::dsl::count_star()))
        .load::<(ProposalId, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|proposal| Listed {
            supports: counts.get(&proposal.id).copied().unwrap_or(0),
            proposal,
        })
        .collect())
}

/// One proposal of a round, or `NotFound`.
pub fn get(conn: &mut DbConn, round: RoundId, id: ProposalId) -> QueryResult<Proposal> {
    p::table
        .filter(p::round_id.eq(round))
        .filter(p::id.eq(id))
        .select(Proposal::as_select())
        .get_result(conn)
}

/// The proposal of a round with ballot code `code`, if any.
pub fn by_code(conn: &mut DbConn, round: RoundId, code: &str) -> QueryResult<Option<Proposal>> {
    p::table
        .filter(p::round_id.eq(round))
        .filter(p::code.eq(code))
        .select(Proposal::as_select())
        .get_result(conn)
        .optional()
}

/// The names of a proposal's authors (two or more after a merge).
pub fn authors(conn: &mut DbConn, id: ProposalId) -> QueryResult<Vec<String>> {
    let ids: Vec<UserId> = proposal_authors::table
        .filter(proposal_authors::proposal_id.eq(id))
        .select(proposal_authors::user_id)
        .load(conn)?;
    let names = users::names(conn, &ids)?;
    let mut out: Vec<String> = ids.iter().filter_map(|i| names.get(i).cloned()).collect();
    out.sort();
    Ok(out)
}

/// How many citizens support a proposal, and whether `user` is one of them.
pub fn supports(
    conn: &mut DbConn,
    id: ProposalId,
    user: Option<UserId>,
) -> QueryResult<(i64, bool)> {
    let count = proposal_supports::table
        .filter(proposal_supports::proposal_id.eq(id))
        .count()
        .get_result(conn)?;
    let mine = match user {
        Some(u) => diesel::select(diesel::dsl::exists(
            proposal_supports::table
                .filter(proposal_supports::proposal_id.eq(id))
                .filter(proposal_supports::user_id.eq(u)),
        ))
        .get_result(conn)?,
        None => false,
    };
    Ok((count, mine))
}

/// A citizen supports a proposal, once, while proposals are open and if the round
/// allows supports. Supporting again changes nothing.
pub fn support(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    id: ProposalId,
    user: UserId,
) -> DomainResult<()> {
    let round = rounds::get(conn, commune.id, round)?;
    if !round.supports {
        return Err(Refusal::new("proposal.no_supports").into());
    }
    phases::require(&round, super::Phase::Proposals)?;
    let proposal = get(conn, round.id, id)?;
    if proposal.hidden_reason.is_some() || proposal.status == ProposalStatus::Merged {
        return Err(Refusal::new("proposal.not_supportable").into());
    }
    let (_, mine) = supports(conn, id, Some(user))?;
    if !mine {
        diesel::insert_into(proposal_supports::table)
            .values((
                proposal_supports::proposal_id.eq(id),
                proposal_supports::user_id.eq(user),
            ))
            .execute(conn)?;
    }
    Ok(())
}

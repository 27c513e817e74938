//! The technical review, and moderation. A `reviewer` finds each proposal feasible
//! (with its official cost) or not, always with a reason the public reads; two
//! proposals that say the same thing are merged, and the one kept credits both authors.
//! Moderation hides a proposal with a public reason; nothing is ever deleted.

use diesel::prelude::*;
use serde_json::json;

use super::proposals::{self, Proposal};
use super::{phases, rounds, Phase, ProposalStatus};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{proposal_authors, proposals as p};
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{ProposalId, RoundId, UserId};
use crate::money::Xof;

/// A reviewer's verdict.
#[derive(Debug, Clone)]
pub enum Verdict {
    Feasible { cost: Xof },
    Unfeasible,
}

fn reason_ok(text: &str, field: &'static str) -> Result<(), Refusal> {
    let n = text.trim().chars().count();
    if (10..=2_000).contains(&n) {
        Ok(())
    } else {
        Err(Refusal::new("review.reason").on(field))
    }
}

fn open_proposal(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    id: ProposalId,
) -> DomainResult<(super::Round, Proposal)> {
    communes::lock(conn, commune.id)?;
    let round = rounds::get(conn, commune.id, round)?;
    let proposal = proposals::get(conn, round.id, id)?;
    Ok((round, proposal))
}

/// Records the review of a proposal (again, if the reviewer changes their mind before
/// the vote opens).
pub fn review(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    id: ProposalId,
    verdict: &Verdict,
    note: &str,
    actor: &Actor,
) -> DomainResult<()> {
    let (round, proposal) = open_proposal(conn, commune, round, id)?;
    phases::require(&round, Phase::Review)?;
    if proposal.status == ProposalStatus::Merged || proposal.hidden_reason.is_some() {
        return Err(Refusal::new("review.closed_proposal").into());
    }
    let mut errors = Vec::new();
    if let Err(r) = reason_ok(note, "note") {
        errors.push(r);
    }
    let (status, cost) = match verdict {
        Verdict::Feasible { cost } => {
            if cost.0 <= 0 || *cost > Xof::MAX_ENTRY {
                errors.push(Refusal::new("review.cost").on("cost"));
            }
            (ProposalStatus::Feasible, Some(cost.0))
        }
        Verdict::Unfeasible => (ProposalStatus::Unfeasible, None),
    };
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    diesel::update(p::table.find(id))
        .set((
            p::status.eq(status),
            p::cost.eq(cost),
            p::review_note.eq(Some(note.trim())),
            p::reviewed_by.eq(actor.id),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("proposal.review", "proposal", id).details(json!({
            "status": status, "cost": cost, "note": note.trim(),
        })),
    )?;
    Ok(())
}

/// Merges proposal `from` into `into`: `from` leaves the ballot and points at `into`,
/// whose authors now include `from`'s.
pub fn merge(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    from: ProposalId,
    into: ProposalId,
    actor: &Actor,
) -> DomainResult<()> {
    let (round, source) = open_proposal(conn, commune, round, from)?;
    phases::require(&round, Phase::Review)?;
    let target = proposals::get(conn, round.id, into)
        .optional()?
        .ok_or_else(|| Refusal::new("review.merge_target").on("into"))?;
    if from == into
        || source.area_id != target.area_id
        || [source.status, target.status].contains(&ProposalStatus::Merged)
        || source.hidden_reason.is_some()
        || target.hidden_reason.is_some()
    {
        return Err(Refusal::new("review.merge_target").on("into").into());
    }
    diesel::update(p::table.find(from))
        .set((
            p::status.eq(ProposalStatus::Merged),
            p::merged_into.eq(Some(into)),
        ))
        .execute(conn)?;
    let authors: Vec<UserId> = proposal_authors::table
        .filter(proposal_authors::proposal_id.eq(from))
        .select(proposal_authors::user_id)
        .load(conn)?;
    let existing: Vec<UserId> = proposal_authors::table
        .filter(proposal_authors::proposal_id.eq(into))
        .select(proposal_authors::user_id)
        .load(conn)?;
    for a in authors.into_iter().filter(|a| !existing.contains(a)) {
        diesel::insert_into(proposal_authors::table)
            .values((
                proposal_authors::proposal_id.eq(into),
                proposal_authors::user_id.eq(a),
            ))
            .execute(conn)?;
    }
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("proposal.merge", "proposal", from)
            .details(json!({ "into": into, "code": source.code, "into_code": target.code })),
    )?;
    Ok(())
}

/// Hides a proposal with a reason the public reads. It stays listed, never deleted,
/// and leaves the ballot.
pub fn hide(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    id: ProposalId,
    reason: &str,
    actor: &Actor,
) -> DomainResult<()> {
    let (round, proposal) = open_proposal(conn, commune, round, id)?;
    if round.phase >= Phase::Vote {
        return Err(Refusal::new("review.hide_after_vote").into());
    }
    if proposal.hidden_reason.is_some() {
        return Err(Refusal::new("review.already_hidden").into());
    }
    reason_ok(reason, "reason")?;
    diesel::update(p::table.find(id))
        .set(p::hidden_reason.eq(Some(reason.trim())))
        .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("proposal.hide", "proposal", id).details(json!({ "reason": reason.trim() })),
    )?;
    Ok(())
}

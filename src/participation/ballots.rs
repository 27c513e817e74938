//! Casting a ballot, secretly, with a receipt. The vote is written in two places that
//! nothing links: `participations` says that a voter voted (and by which channel), and
//! `ballots` says what was voted, under a public id derived from a random receipt code
//! that only the voter sees, once. No voter, no time, and no order of insertion is kept
//! with a ballot (see the README on what this protects against, and what it does not).

use diesel::prelude::*;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::election::{self, OnBallot};
use super::{phases, rounds, Channel, Phase, Round};
use crate::communes::{self, Commune};
use crate::db::schema::{ballots, participations};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AreaId, RoundId, VoterId};
use crate::voting::{Ballot, BallotViolation};

/// What a voter chose: the proposals' codes, with points for a points ballot.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Choice {
    pub codes: Vec<String>,
    pub points: Vec<i64>,
}

/// Crockford's base 32, without the letters people confuse (I, L, O, U).
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A random receipt code, `XXXX-XXXX-XXXX` (60 bits).
pub fn new_receipt() -> String {
    let mut rng = rand::thread_rng();
    let raw: String = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..])
}

/// The public id of the ballot a receipt code belongs to: what the published ballot file
/// lists. Case, spaces and dashes do not matter when a voter types the code back.
pub fn public_id(receipt: &str) -> String {
    let clean: String = receipt
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(&Sha256::digest(format!("commune-ballot:{clean}").as_bytes())[..10])
}

/// Why a ballot breaks its round's rules, in the catalogue's words.
fn violation(v: &BallotViolation, on_ballot: &[OnBallot]) -> Refusal {
    use BallotViolation::*;
    let title = |p: &usize| {
        on_ballot
            .get(*p)
            .map(|o| o.title.clone())
            .unwrap_or_default()
    };
    match v {
        UnknownProject(_) => Refusal::new("vote.unknown_project"),
        Duplicate(p) => Refusal::new("vote.duplicate").arg("project", title(p)),
        PointsMismatch { .. } => Refusal::new("vote.points_mismatch"),
        TooFew { min, got } => Refusal::new("vote.too_few")
            .arg("min", *min)
            .arg("count", *got),
        TooMany { max, got } => Refusal::new("vote.too_many")
            .arg("max", *max)
            .arg("count", *got),
        CostTooLow { min, got } => Refusal::new("vote.cost_too_low")
            .arg("min", crate::money::Xof(*min as i64))
            .arg("total", crate::money::Xof(*got as i64)),
        CostTooHigh { max, got } => Refusal::new("vote.cost_too_high")
            .arg("max", crate::money::Xof(*max as i64))
            .arg("total", crate::money::Xof(*got as i64)),
        PointsTooLow { project, min, .. } => Refusal::new("vote.points_too_low")
            .arg("project", title(project))
            .arg("min", *min),
        PointsTooHigh { project, max, .. } => Refusal::new("vote.points_too_high")
            .arg("project", title(project))
            .arg("max", *max),
        SumPointsTooLow { min, got } => Refusal::new("vote.sum_too_low")
            .arg("min", *min)
            .arg("count", *got),
        SumPointsTooHigh { max, got } => Refusal::new("vote.sum_too_high")
            .arg("max", *max)
            .arg("count", *got),
    }
}

/// Checks a choice against the round's rules for the area, and gives it as the engine's
/// ballot (indexes into the area's ballot).
pub fn check(
    round: &Round,
    on_ballot: &[OnBallot],
    area: &super::Area,
    choice: &Choice,
) -> Result<Ballot, Refusal> {
    let e = election::instance(round, area, on_ballot);
    let projects: Vec<usize> = choice
        .codes
        .iter()
        .map(|c| on_ballot.iter().position(|o| &o.code == c))
        .collect::<Option<_>>()
        .ok_or_else(|| Refusal::new("vote.unknown_project"))?;
    let ballot = Ballot::with_points("", projects, choice.points.clone());
    e.ballot_rules
        .check(&ballot, &e.projects, e.vote_type)
        .map_err(|v| violation(&v, on_ballot))?;
    Ok(ballot)
}

/// Records a voter's ballot, once per round whatever the channel, and gives back the
/// receipt code to show the voter (once; it is stored nowhere). Runs in the caller's
/// write transaction, under the commune's lock.
pub fn cast(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    voter: VoterId,
    choice: &Choice,
    channel: Channel,
) -> DomainResult<String> {
    communes::lock(conn, commune.id)?;
    let round = rounds::get(conn, commune.id, round)?;
    phases::require(&round, Phase::Vote)?;
    let voter = super::voters::get(conn, round.id, voter)?;
    if has_voted(conn, round.id, voter.id)? {
        return Err(Refusal::new("vote.already").into());
    }
    // The age reached this calendar year: a register gives birth years, not dates.
    let age = i64::from(chrono::Datelike::year(&commune.today())) - voter.birth_year;
    if let Some(min_age) = round.min_age.filter(|m| age < *m) {
        return Err(Refusal::new("vote.too_young").arg("age", min_age).into());
    }
    let area = rounds::areas(conn, round.id)?
        .into_iter()
        .find(|a| a.id == voter.area_id)
        .ok_or(diesel::NotFound)?;
    let on_ballot = election::on_ballot(conn, &area)?;
    check(&round, &on_ballot, &area, choice)?;
    diesel::insert_into(participations::table)
        .values((
            participations::round_id.eq(round.id),
            participations::voter_id.eq(voter.id),
            participations::channel.eq(channel),
        ))
        .execute(conn)?;
    let receipt = new_receipt();
    store(
        conn,
        round.id,
        area.id,
        &public_id(&receipt),
        channel,
        choice,
        round.vote_type().has_points(),
    )?;
    Ok(receipt)
}

pub(super) fn store(
    conn: &mut DbConn,
    round: RoundId,
    area: AreaId,
    public_id: &str,
    channel: Channel,
    choice: &Choice,
    points: bool,
) -> QueryResult<()> {
    diesel::insert_into(ballots::table)
        .values((
            ballots::round_id.eq(round),
            ballots::public_id.eq(public_id),
            ballots::area_id.eq(area),
            ballots::channel.eq(channel),
            ballots::choices.eq(election::encode_choices(
                choice.codes.iter().map(String::as_str),
            )),
            ballots::points.eq(if points {
                election::encode_points(&choice.points)
            } else {
                None
            }),
        ))
        .execute(conn)?;
    Ok(())
}

/// The ballot a receipt code belongs to: its area, the codes chosen and their points.
pub fn by_receipt(
    conn: &mut DbConn,
    round: RoundId,
    receipt: &str,
) -> QueryResult<Option<(AreaId, Choice)>> {
    let row: Option<(AreaId, String, Option<String>)> = ballots::table
        .filter(ballots::round_id.eq(round))
        .filter(ballots::public_id.eq(public_id(receipt)))
        .select((ballots::area_id, ballots::choices, ballots::points))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|(area, choices, points)| {
        let codes = choices
            .split(',')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        let points = points
            .and_then(|p| election::decode_points(&p))
            .unwrap_or_default();
        (area, Choice { codes, points })
    }))
}

/// Whether a voter has voted in a round.
pub fn has_voted(conn: &mut DbConn, round: RoundId, voter: VoterId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        participations::table
            .filter(participations::round_id.eq(round))
            .filter(participations::voter_id.eq(voter)),
    ))
    .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_codes_are_random_and_typed_back_in_any_case() {
        let a = new_receipt();
        assert_eq!(a.len(), 14);
        assert_ne!(a, new_receipt());
        assert!(a.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
        assert_eq!(
            public_id(&a),
            public_id(&a.to_lowercase().replace('-', " "))
        );
        assert_ne!(public_id(&a), public_id(&new_receipt()));
        assert_eq!(public_id(&a).len(), 20);
    }
}

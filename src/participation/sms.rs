//! Voting by SMS: `VOTE 12 3 7` from a phone on the round's register votes, in round 12,
//! for projects 3 and 7 (points ballots: `VOTE 12 3:5 7:5`). The message is a ballot
//! like any other: checked against the round's rules, one per person whatever the
//! channel, answered with a receipt code or with what is wrong.

use diesel::prelude::*;

use super::ballots::{self, Choice};
use super::{rounds, voters, Channel};
use crate::communes::Commune;
use crate::db::schema::sms_messages;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::RoundId;

/// A vote as written in a text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsVote {
    pub round: RoundId,
    pub choice: Choice,
}

/// Reads `VOTE <round> <project> <project> …` (any case, spaces or commas), with
/// `<project>:<points>` for points ballots.
pub fn parse(text: &str) -> Result<SmsVote, Refusal> {
    let bad = || Refusal::new("sms.format");
    let mut words = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty());
    if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("vote")) {
        return Err(bad());
    }
    let round: i64 = words.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
    let mut choice = Choice::default();
    for w in words {
        match w.split_once(':') {
            Some((code, points)) => {
                choice.codes.push(code.to_string());
                choice.points.push(points.parse().map_err(|_| bad())?);
            }
            None => choice.codes.push(w.to_string()),
        }
        if choice.codes.len() > 100 {
            return Err(bad());
        }
    }
    if !choice.points.is_empty() && choice.points.len() != choice.codes.len() {
        return Err(bad());
    }
    Ok(SmsVote {
        round: RoundId(round),
        choice,
    })
}

/// Records that the gateway's message `id` is being processed; `false` when it was
/// already (a message sent twice votes once). Takes the commune's lock first, so that
/// the same message arriving twice at once is seen once, not refused by the key.
pub fn first_time(conn: &mut DbConn, commune: &Commune, id: &str) -> QueryResult<bool> {
    crate::communes::lock(conn, commune.id)?;
    let seen: bool =
        diesel::select(diesel::dsl::exists(sms_messages::table.find(id))).get_result(conn)?;
    if seen {
        return Ok(false);
    }
    diesel::insert_into(sms_messages::table)
        .values((
            sms_messages::id.eq(id),
            sms_messages::received_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Votes as the phone `from` asks; gives the receipt code. Runs in the caller's write
/// transaction.
pub fn vote(conn: &mut DbConn, commune: &Commune, from: &str, text: &str) -> DomainResult<String> {
    let asked = parse(text)?;
    let round = rounds::get(conn, commune.id, asked.round)
        .optional()?
        .ok_or_else(|| Refusal::new("sms.no_round").arg("round", asked.round.0))?;
    let voter = crate::fields::phone(from, commune.country)
        .ok()
        .map(|phone| voters::find(conn, commune, &round, &phone))
        .transpose()?
        .flatten()
        .ok_or_else(|| Refusal::new("sms.unknown_phone"))?;
    ballots::cast(
        conn,
        commune,
        round.id,
        voter.id,
        &asked.choice,
        Channel::Sms,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vote_by_sms_reads_in_any_case_with_spaces_or_commas() {
        let v = parse("vote 4821 3 7,12").unwrap();
        assert_eq!(v.round, RoundId(4821));
        assert_eq!(v.choice.codes, ["3", "7", "12"]);
        assert!(v.choice.points.is_empty());
        let v = parse("VOTE 5 3:4 7:6").unwrap();
        assert_eq!(
            (v.choice.codes.clone(), v.choice.points),
            (vec!["3".to_string(), "7".into()], vec![4, 6])
        );
        for bad in [
            "",
            "bonjour",
            "VOTE",
            "VOTE x 3",
            "VOTE 5 3:x",
            "VOTE 5 3:4 7",
        ] {
            assert_eq!(parse(bad).unwrap_err().key, "sms.format", "{bad}");
        }
    }
}

//! One-time codes that prove a voter is who they say: six digits, sent by e-mail or SMS,
//! stored hashed, valid for ten minutes, used once, dead after five wrong tries, and at
//! most three an hour for one voter (the web layer also limits requests per address).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::db::schema::voter_codes as c;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::VoterId;

pub const TTL_MINUTES: i64 = 10;
pub const PER_HOUR: i64 = 3;
pub const MAX_FAILURES: i64 = 5;

fn hash(voter: VoterId, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("voter-code:{voter}:{code}").as_bytes(),
    ))
}

/// A new code for the voter, or a refusal when three were sent in the last hour.
pub fn issue(conn: &mut DbConn, voter: VoterId, now: NaiveDateTime) -> DomainResult<String> {
    let recent: i64 = c::table
        .filter(c::voter_id.eq(voter))
        .filter(c::created_at.gt(now - Duration::hours(1)))
        .count()
        .get_result(conn)?;
    if recent >= PER_HOUR {
        return Err(Refusal::new("vote.code.too_many").into());
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    diesel::insert_into(c::table)
        .values((
            c::voter_id.eq(voter),
            c::code_hash.eq(hash(voter, &code)),
            c::created_at.eq(now),
            c::expires_at.eq(now + Duration::minutes(TTL_MINUTES)),
        ))
        .execute(conn)?;
    Ok(code)
}

/// Uses the voter's code: it must be the latest, unexpired, unused, with fewer than five
/// wrong tries. A wrong code counts as a try, and is recorded even though the answer is
/// a refusal: run it in a transaction of its own, or commit the try before refusing.
pub fn check(
    conn: &mut DbConn,
    voter: VoterId,
    code: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<(), Refusal>> {
    let latest: Option<(
        crate::ids::VoterId,
        i64,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        i64,
    )> = c::table
        .filter(c::voter_id.eq(voter))
        .order(c::id.desc())
        .select((
            c::voter_id,
            c::id,
            c::code_hash,
            c::expires_at,
            c::used_at,
            c::failures,
        ))
        .limit(1)
        .get_result(conn)
        .optional()?;
    let Some((_, id, stored, expires_at, used_at, failures)) = latest else {
        return Ok(Err(Refusal::new("vote.code.wrong")));
    };
    if used_at.is_some() || expires_at <= now || failures >= MAX_FAILURES {
        return Ok(Err(Refusal::new("vote.code.expired")));
    }
    let given: String = code.chars().filter(char::is_ascii_digit).collect();
    if hash(voter, &given) != stored {
        diesel::update(c::table.find(id))
            .set(c::failures.eq(failures + 1))
            .execute(conn)?;
        return Ok(Err(Refusal::new("vote.code.wrong")));
    }
    diesel::update(c::table.find(id))
        .set(c::used_at.eq(Some(now)))
        .execute(conn)?;
    Ok(Ok(()))
}

//! A round's voter register: imported from CSV through the shared all-or-nothing import
//! (`identifier,name,district,birth_year[,phone,email]`, a phone or an e-mail on each
//! row), and looked up when a citizen asks for a code.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;

use super::{rounds, Area, Round};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::schema::voters as v;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::fields;
use crate::ids::{AreaId, RoundId, VoterId};
use crate::tabular::import::{self, Batch, Journal, Kind, Run, Sink, Spec};
use crate::tabular::{keep, Columns, CsvSource, Issue, Report, Row};
use crate::text::search_key;

pub const VOTER_COLUMNS: &[&str] = &["identifier", "name", "district", "birth_year"];
pub const VOTER_OPTIONAL: &[&str] = &["phone", "email"];

const SPEC: Spec = Spec {
    kind: "voters",
    required: VOTER_COLUMNS,
    optional: VOTER_OPTIONAL,
};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = v)]
pub struct Voter {
    pub id: VoterId,
    pub round_id: RoundId,
    pub area_id: AreaId,
    pub identifier: String,
    pub name: String,
    pub birth_year: i64,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = v)]
struct NewVoter {
    round_id: RoundId,
    area_id: AreaId,
    identifier: String,
    name: String,
    birth_year: i64,
    phone: Option<String>,
    email: Option<String>,
}

/// The areas a row's `district` may name: a district's name (accents and case do not
/// matter), or, in a round with one area for the whole commune, anything.
struct Areas {
    by_name: HashMap<String, AreaId>,
    single: Option<AreaId>,
}

impl Areas {
    fn new(areas: &[Area]) -> Areas {
        Areas {
            by_name: areas.iter().map(|a| (search_key(&a.name), a.id)).collect(),
            single: (areas.len() == 1).then(|| areas[0].id),
        }
    }

    fn of(&self, text: &str) -> Result<AreaId, Refusal> {
        self.by_name
            .get(&search_key(text))
            .copied()
            .or(self.single)
            .ok_or_else(|| Refusal::new("voters.unknown_district"))
    }
}

struct Check {
    cols: Columns,
    areas: Areas,
    country: crate::communes::Country,
    this_year: i64,
}

impl Kind for Check {
    type Parsed = NewVoter;

    fn parse(&self, row: &Row, report: &mut Report) -> Option<NewVoter> {
        let col = |name| self.cols.col(name);
        let identifier = keep(
            row.parse(col("identifier"), |x| fields::text(x, 40)),
            report,
        );
        let name = keep(row.parse(col("name"), |x| fields::text(x, 120)), report);
        let area = keep(row.parse(col("district"), |x| self.areas.of(x)), report);
        let year = self.this_year;
        let birth_year = keep(
            row.parse(col("birth_year"), |x| {
                fields::year(x)
                    .map(i64::from)
                    .and_then(|y| match (1900..=year).contains(&y) {
                        true => Ok(y),
                        false => Err(Refusal::new("voters.birth_year")),
                    })
            }),
            report,
        );
        let phone = keep(
            row.parse(col("phone"), |x| {
                fields::optional(x, |x| fields::phone(x, self.country))
            }),
            report,
        );
        let email = keep(
            row.parse(col("email"), |x| fields::optional(x, fields::email)),
            report,
        );
        if let (Some(None), Some(None)) = (&phone, &email) {
            report.push(Issue::new(row.line, "voters.no_contact"));
            return None;
        }
        Some(NewVoter {
            round_id: RoundId(0),
            area_id: area?,
            identifier: identifier?.to_string(),
            name: name?.to_string(),
            birth_year: birth_year?,
            phone: phone?,
            email: email?,
        })
    }
}

struct Write {
    round: RoundId,
    seen: HashSet<String>,
}

impl Sink<NewVoter> for Write {
    fn write(
        &mut self,
        conn: &mut DbConn,
        batch: Batch<NewVoter>,
        run: &mut Run,
    ) -> DomainResult<()> {
        let ids: Vec<&str> = batch
            .iter()
            .filter_map(|(_, p)| p.as_ref().map(|p| p.identifier.as_str()))
            .collect();
        let known: HashSet<String> = v::table
            .filter(v::round_id.eq(self.round))
            .filter(v::identifier.eq_any(&ids))
            .select(v::identifier)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let mut rows = Vec::new();
        for (row, parsed) in batch {
            let Some(mut voter) = parsed else { continue };
            if known.contains(&voter.identifier) || !self.seen.insert(voter.identifier.clone()) {
                run.report.push(
                    Issue::new(row.line, "voters.duplicate")
                        .column("identifier")
                        .value(&voter.identifier),
                );
                continue;
            }
            voter.round_id = self.round;
            rows.push(voter);
        }
        run.applied.created += rows.len() as u64;
        for chunk in rows.chunks(1_000) {
            crate::on_inner!(conn, c => diesel::insert_into(v::table).values(chunk).execute(c))?;
        }
        Ok(())
    }
}

/// Imports a round's voter register, all or nothing.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    round: RoundId,
    source: CsvSource,
    opts: &import::Options,
    actor: &Actor,
) -> DomainResult<import::Outcome> {
    let round = rounds::get(conn, commune.id, round)?;
    if round.phase >= super::Phase::Results {
        return Err(Refusal::new("voters.closed").into());
    }
    let areas = rounds::areas(conn, round.id)?;
    let journal = Journal::new(commune.id, actor, opts);
    let this_year = i64::from(chrono::Datelike::year(&commune.today()));
    import::run(conn, source, &SPEC, &journal, |_, cols: &Columns, _| {
        let check = Check {
            cols: cols.clone(),
            areas: Areas::new(&areas),
            country: commune.country,
            this_year,
        };
        Ok((
            check,
            Write {
                round: round.id,
                seen: HashSet::new(),
            },
        ))
    })
}

/// The voter a citizen names by their identifier, phone or e-mail, if registered.
pub fn find(
    conn: &mut DbConn,
    commune: &Commune,
    round: &Round,
    who: &str,
) -> QueryResult<Option<Voter>> {
    let who = who.trim();
    if who.is_empty() {
        return Ok(None);
    }
    let phone = fields::phone(who, commune.country).ok();
    let email = fields::email(who).ok();
    let mut q = v::table
        .filter(v::round_id.eq(round.id))
        .select(Voter::as_select())
        .into_boxed();
    q = match (phone, email) {
        (Some(p), _) => q.filter(v::identifier.eq(who).or(v::phone.eq(p))),
        (None, Some(e)) => q.filter(v::identifier.eq(who).or(v::email.eq(e))),
        (None, None) => q.filter(v::identifier.eq(who)),
    };
    q.get_result(conn).optional()
}

/// A voter of a round by id.
pub fn get(conn: &mut DbConn, round: RoundId, id: VoterId) -> QueryResult<Voter> {
    v::table
        .filter(v::round_id.eq(round))
        .filter(v::id.eq(id))
        .select(Voter::as_select())
        .get_result(conn)
}

/// How many people are on a round's register.
pub fn count(conn: &mut DbConn, round: RoundId) -> QueryResult<i64> {
    v::table
        .filter(v::round_id.eq(round))
        .count()
        .get_result(conn)
}

/// One person on a round's register (the demo's; a commune imports its register).
#[allow(clippy::too_many_arguments)]
pub fn add(
    conn: &mut DbConn,
    round: RoundId,
    area: AreaId,
    identifier: &str,
    name: &str,
    birth_year: i64,
    phone: Option<&str>,
    email: Option<&str>,
) -> QueryResult<VoterId> {
    diesel::insert_into(v::table)
        .values((
            v::round_id.eq(round),
            v::area_id.eq(area),
            v::identifier.eq(identifier),
            v::name.eq(name),
            v::birth_year.eq(birth_year),
            v::phone.eq(phone),
            v::email.eq(email),
        ))
        .returning(v::id)
        .get_result(conn)
}

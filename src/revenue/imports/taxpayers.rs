//! The taxpayer file: `ref,name,kind,district,phone,email,id_number[,address,gps]`.
//! New references are created; with `update`, known references are updated (each
//! changed value in the audit log); without it they are refused.

use std::collections::HashMap;

use diesel::prelude::*;

use super::sqlite_rows::NewRows;
use super::{keep, Districts};
use crate::audit::Actor;
use crate::communes::{Commune, Country};
use crate::db::schema::taxpayers as tp;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::fields;
use crate::ids::{CommuneId, ImportId, TaxpayerId};
use crate::revenue::taxpayers::{self, search, Taxpayer, TaxpayerFields, TaxpayerKind};
use crate::tabular::import::{self, Batch, Decision, Journal, Kind, References, Run, Sink, Spec};
use crate::tabular::{Col, Columns, CsvSource, Report, Row};
use crate::text::search_key;

/// The columns of the file, as documented in the README.
pub const TAXPAYER_COLUMNS: &[&str] = &[
    "ref",
    "name",
    "kind",
    "district",
    "phone",
    "email",
    "id_number",
];
pub const TAXPAYER_OPTIONAL: &[&str] = &["address", "gps"];

const SPEC: Spec = Spec {
    kind: "taxpayers",
    required: TAXPAYER_COLUMNS,
    optional: TAXPAYER_OPTIONAL,
};

/// A row once checked, with its name's search key (computed on the reading thread).
pub struct Parsed {
    fields: TaxpayerFields,
    search: String,
}

/// `person` or `organisation`, with the words a French spreadsheet may use.
fn kind(v: &str) -> Result<TaxpayerKind, Refusal> {
    match search_key(v).as_str() {
        "person" | "personne" | "personne physique" | "physique" | "individu" => {
            Ok(TaxpayerKind::Person)
        }
        "organisation" | "organization" | "personne morale" | "morale" | "entreprise"
        | "societe" => Ok(TaxpayerKind::Organisation),
        // Anything else is refused, with the allowed values in the message.
        _ => fields::enum_value(v, &["person", "organisation"])
            .map(|k| TaxpayerKind::parse(k).unwrap_or(TaxpayerKind::Person)),
    }
}

/// The reading thread's side: the columns and what rows are checked against.
struct Check {
    reference: Col,
    name: Col,
    kind: Col,
    district: Col,
    phone: Col,
    email: Col,
    id_number: Col,
    address: Col,
    gps: Col,
    districts: Districts,
    country: Country,
}

impl Kind for Check {
    type Parsed = Parsed;

    fn parse(&self, row: &Row, report: &mut Report) -> Option<Parsed> {
        let country = self.country;
        let reference = keep(row.parse(self.reference, |v| fields::text(v, 40)), report);
        let name = keep(row.parse(self.name, |v| fields::text(v, 200)), report);
        let kind = keep(row.parse(self.kind, kind), report);
        let district = keep(self.districts.of(row, self.district), report);
        let phone = keep(
            row.parse(self.phone, |v| {
                fields::optional(v, |v| fields::phone(v, country))
            }),
            report,
        );
        let email = keep(
            row.parse(self.email, |v| fields::optional(v, fields::email)),
            report,
        );
        let id_number = keep(
            row.parse(self.id_number, |v| {
                fields::optional(v, |v| fields::national_id(v, country))
            }),
            report,
        );
        let address = keep(
            row.parse(self.address, |v| {
                fields::optional(v, |v| fields::text(v, 200))
            }),
            report,
        );
        let gps = keep(
            row.parse(self.gps, |v| {
                fields::optional(v, |v| fields::gps_in(v, country))
            }),
            report,
        );
        let name = name?;
        Some(Parsed {
            search: search_key(name),
            fields: TaxpayerFields {
                reference: reference?.to_string(),
                kind: kind?,
                name: name.to_string(),
                district_id: Some(district?),
                phone: phone?,
                email: email?,
                id_number: id_number?,
                address: address?.map(str::to_string),
                gps: gps?.map(|p| (p.lat_e6, p.lon_e6)),
            },
        })
    }
}

/// Imports the taxpayer file.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    source: CsvSource,
    opts: &import::Options,
    actor: &Actor,
) -> DomainResult<import::Outcome> {
    let journal = Journal::new(commune.id, actor, opts);
    import::run(conn, source, &SPEC, &journal, |conn, cols: &Columns, _| {
        let check = Check {
            reference: cols.col("ref"),
            name: cols.col("name"),
            kind: cols.col("kind"),
            district: cols.col("district"),
            phone: cols.col("phone"),
            email: cols.col("email"),
            id_number: cols.col("id_number"),
            address: cols.col("address"),
            gps: cols.col("gps"),
            districts: Districts::load(conn, commune.id)?,
            country: commune.country,
        };
        let write = Write {
            commune: commune.id,
            c_ref: check.reference,
            references: References::default(),
            actor,
            last_before: search::last_id(conn)?,
        };
        Ok((check, write))
    })
}

/// The writing thread's side.
struct Write<'a> {
    commune: CommuneId,
    c_ref: Col,
    references: References,
    actor: &'a Actor,
    /// The highest taxpayer id before the import: the rows it creates come after.
    last_before: TaxpayerId,
}

impl Sink<Parsed> for Write<'_> {
    fn write(
        &mut self,
        conn: &mut DbConn,
        batch: Batch<Parsed>,
        run: &mut Run,
    ) -> DomainResult<()> {
        // Without `update`, a reference already in the register is found by the insert
        // itself ([`insert_new`]); with it, the batch's references are looked up.
        let existing: HashMap<String, (TaxpayerId, Option<ImportId>)> = if run.update {
            let refs: Vec<&str> = batch.iter().map(|(row, _)| row.at(self.c_ref)).collect();
            taxpayers::by_refs(conn, self.commune, &refs)?
                .into_iter()
                .map(|t| (t.reference.clone(), (t.id, t.import_batch)))
                .collect()
        } else {
            HashMap::new()
        };
        let rows = batch
            .iter()
            .map(|(row, p)| (row, row.at(self.c_ref), p.is_some()));
        let decisions = self.references.decide(rows, &existing, run, self.c_ref);
        let mut new_rows = Vec::new();
        let mut updates = Vec::new();
        for ((row, parsed), decision) in batch.iter().zip(decisions) {
            let Some(p) = parsed else { continue };
            match decision {
                Decision::Skip => {}
                Decision::Insert => new_rows.push((row, p)),
                Decision::Update(id) => updates.push((id, p)),
            }
        }
        self.update(conn, &updates, run)?;
        let import = run.applied.import;
        for chunk in new_rows.chunks(CHUNK) {
            if insert_chunk(conn, self.commune, import, chunk)? {
                run.applied.created += chunk.len() as u64;
                continue;
            }
            for &(row, p) in chunk {
                self.insert_or_report(conn, row, p, run)?;
            }
        }
        Ok(())
    }

    /// Indexes the taxpayers created for search, in one statement at the end.
    fn finish(&mut self, conn: &mut DbConn, run: &mut Run) -> DomainResult<()> {
        search::index_import(conn, self.last_before, run.applied.import)?;
        Ok(())
    }
}

impl Write<'_> {
    /// Updates the rows whose reference exists, each change in the audit log.
    fn update(
        &self,
        conn: &mut DbConn,
        updates: &[(TaxpayerId, &Parsed)],
        run: &mut Run,
    ) -> DomainResult<()> {
        if updates.is_empty() {
            return Ok(());
        }
        let ids: Vec<TaxpayerId> = updates.iter().map(|(id, _)| *id).collect();
        let before: HashMap<TaxpayerId, Taxpayer> = tp::table
            .filter(tp::id.eq_any(&ids))
            .select(Taxpayer::as_select())
            .load::<Taxpayer>(conn)?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        for (id, p) in updates {
            if let Some(old) = before.get(id) {
                let import = run.applied.import;
                taxpayers::update_from_import(conn, old, &p.fields, &p.search, import, self.actor)?;
                run.applied.updated += 1;
            }
        }
        Ok(())
    }

    /// Inserts one new taxpayer, or reports its reference as already in the register.
    fn insert_or_report(
        &self,
        conn: &mut DbConn,
        row: &Row,
        p: &Parsed,
        run: &mut Run,
    ) -> DomainResult<()> {
        let import = run.applied.import;
        if insert_new(conn, self.commune, import, p)? {
            run.applied.created += 1;
            return Ok(());
        }
        // Already there: written earlier by this import, or before it.
        let written_by: Option<ImportId> = tp::table
            .filter(tp::commune_id.eq(self.commune))
            .filter(tp::reference.eq(&p.fields.reference))
            .select(tp::import_batch)
            .get_result(conn)?;
        let key = if written_by == Some(import) {
            import::keys::REF_TWICE
        } else {
            import::keys::REF_EXISTS
        };
        run.report.push(row.issue(self.c_ref, Refusal::new(key)));
        Ok(())
    }
}

/// New taxpayers written by one statement: a multi-row insert costs far less per row
/// than single-row ones (one statement to run, one savepoint, binds in one pass).
const CHUNK: usize = 100;

/// Inserts a chunk of new taxpayers in one statement, all or none. `false`, with nothing
/// written, when a reference of the chunk is already in the register (rare: the import
/// is then refused), for the caller to go row by row and name it.
fn insert_chunk(
    conn: &mut DbConn,
    commune: CommuneId,
    import: ImportId,
    chunk: &[(&Row, &Parsed)],
) -> QueryResult<bool> {
    use diesel::result::{DatabaseErrorKind, Error};
    let values: Vec<_> = chunk
        .iter()
        .map(|(_, p)| p.fields.row(commune, Some(import), &p.search))
        .collect();
    let all = values.len();
    match conn {
        // One plain statement, undone alone by SQLite if a reference is already there.
        DbConn::Sqlite(c) => {
            let written = if all == CHUNK {
                NewRows::<true>(&values).execute(c)
            } else {
                NewRows::<false>(&values).execute(c)
            };
            match written {
                Ok(_) => Ok(true),
                Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
                Err(e) => Err(e),
            }
        }
        // A failed statement would abort PostgreSQL's whole transaction: the chunk skips
        // what conflicts, in a savepoint it rolls back unless every row went in. A full
        // chunk goes in as an array: its statement has a fixed shape, so it is prepared
        // once and cached; the last, shorter chunk of a file is prepared for itself.
        DbConn::Pg(c) => {
            let full: Result<Box<[_; CHUNK]>, _> = values.into_boxed_slice().try_into();
            let written = c.transaction(|c| {
                let n = match &full {
                    Ok(array) => diesel::insert_into(tp::table)
                        .values(array.as_ref())
                        .on_conflict_do_nothing()
                        .execute(c)?,
                    Err(rest) => diesel::insert_into(tp::table)
                        .values(rest.as_ref())
                        .on_conflict_do_nothing()
                        .execute(c)?,
                };
                if n == all {
                    Ok(())
                } else {
                    Err(Error::RollbackTransaction)
                }
            });
            match written {
                Ok(()) => Ok(true),
                Err(Error::RollbackTransaction) => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}

/// Inserts one new taxpayer; `false` when its reference is already in the register.
///
/// SQLite: a plain single-row insert; a duplicate reference fails that one statement and
/// leaves the transaction as it was. PostgreSQL: a failed statement would abort the
/// whole transaction, so the insert says `ON CONFLICT DO NOTHING`.
fn insert_new(
    conn: &mut DbConn,
    commune: CommuneId,
    import: ImportId,
    p: &Parsed,
) -> QueryResult<bool> {
    use diesel::result::{DatabaseErrorKind, Error};
    let values = p.fields.row(commune, Some(import), &p.search);
    match conn {
        DbConn::Sqlite(c) => match diesel::insert_into(tp::table).values(values).execute(c) {
            Ok(_) => Ok(true),
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(e),
        },
        DbConn::Pg(c) => diesel::insert_into(tp::table)
            .values(values)
            .on_conflict((tp::commune_id, tp::reference))
            .do_nothing()
            .execute(c)
            .map(|n| n == 1),
    }
}

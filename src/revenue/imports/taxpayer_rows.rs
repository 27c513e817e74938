//! The taxpayer file: `ref,name,kind,district,phone,email,id_number[,address,gps]`.

use super::*;

struct Parsed {
    reference: String,
    kind: &'static str,
    name: String,
    /// The name's search key, computed on the reading thread.
    search: String,
    district: DistrictId,
    phone: Option<String>,
    email: Option<String>,
    id_number: Option<String>,
    address: Option<String>,
    gps: Option<fields::GeoPoint>,
}

/// `person` or `organisation`, with the words a French spreadsheet may use.
fn kind(v: &str) -> Result<&'static str, Reason> {
    match search_key(v).as_str() {
        "person" | "personne" | "personne physique" | "physique" | "individu" => Ok("person"),
        "organisation" | "organization" | "personne morale" | "morale" | "entreprise"
        | "societe" => Ok("organisation"),
        // Anything else is refused, with the allowed values in the message.
        _ => fields::enum_value(v, &["person", "organisation"]),
    }
}

struct Cols {
    reference: Col,
    name: Col,
    kind: Col,
    district: Col,
    phone: Col,
    email: Col,
    id_number: Col,
    address: Col,
    gps: Col,
}

struct Context<'a> {
    districts: &'a HashMap<String, DistrictId>,
    district_names: String,
    country: Country,
}

fn parse(row: &Row, c: &Cols, cx: &Context<'_>, report: &mut Report) -> Option<Parsed> {
    let country = cx.country;
    let reference = keep(row.parse(c.reference, |v| fields::text(v, 40)), report);
    let name = keep(row.parse(c.name, |v| fields::text(v, 200)), report);
    let kind = keep(row.parse(c.kind, kind), report);
    let district = keep(
        district_of(row, c.district, cx.districts, &cx.district_names),
        report,
    );
    let phone = keep(
        row.parse(c.phone, |v| {
            fields::optional(v, |v| fields::phone(v, country))
        }),
        report,
    );
    let email = keep(
        row.parse(c.email, |v| fields::optional(v, fields::email)),
        report,
    );
    let id_number = keep(
        row.parse(c.id_number, |v| {
            fields::optional(v, |v| fields::national_id(v, country))
        }),
        report,
    );
    let address = keep(
        row.parse(c.address, |v| fields::optional(v, |v| fields::text(v, 200))),
        report,
    );
    let gps = keep(
        row.parse(c.gps, |v| {
            fields::optional(v, |v| fields::gps_in(v, country))
        }),
        report,
    );
    let name = name?;
    Some(Parsed {
        reference: reference?.to_string(),
        kind: kind?,
        search: search_key(name),
        name: name.to_string(),
        district: district?,
        phone: phone?,
        email: email?,
        id_number: id_number?,
        address: address?.map(str::to_string),
        gps: gps?,
    })
}

/// Imports the taxpayer file: new references are created; with `update`, known
/// references are updated; without it they are refused.
pub fn taxpayers(
    conn: &mut DbConn,
    commune: &Commune,
    source: CsvSource,
    opts: &Options,
    actor: &Actor,
) -> QueryResult<Outcome> {
    let result = db::bulk(conn, |conn| {
        db::write_tx(conn, |conn| -> Result<(Applied, Report), Abort> {
            let mut report = Report::new();
            let Some(cols) = columns(&source, TAXPAYER_COLUMNS, TAXPAYER_OPTIONAL, &mut report)
            else {
                return Err(Abort::Rejected(report));
            };
            let districts = district_index(conn, commune.id)?;
            let mut names: Vec<String> = districts::list(conn, commune.id)?
                .into_iter()
                .map(|d| d.name)
                .collect();
            names.sort();
            let cx = Context {
                districts: &districts,
                district_names: names.join(", "),
                country: country_of(commune),
            };
            let c = Cols {
                reference: cols.col("ref"),
                name: cols.col("name"),
                kind: cols.col("kind"),
                district: cols.col("district"),
                phone: cols.col("phone"),
                email: cols.col("email"),
                id_number: cols.col("id_number"),
                address: cols.col("address"),
                gps: cols.col("gps"),
            };
            let import = start_import(conn, commune.id, "taxpayers", opts, actor)?;
            let mut applied = Applied {
                import,
                rows: 0,
                created: 0,
                updated: 0,
            };
            let mut refused = Refused::default();
            let check = |row: &Row, issues: &mut Report| parse(row, &c, &cx, issues);
            read_ahead(
                source,
                c.reference,
                &check,
                |mut batch| -> Result<(), Abort> {
                    applied.rows += batch.read;
                    absorb(&mut report, batch.issues);
                    flush(
                        conn,
                        commune.id,
                        &mut batch.rows,
                        c.reference,
                        opts.update,
                        &mut applied,
                        &mut refused,
                        &mut report,
                    )?;
                    Ok(())
                },
            )?;
            if !report.is_clean() {
                return Err(Abort::Rejected(report));
            }
            close_import(conn, commune.id, "taxpayers", &applied, opts, actor)?;
            Ok((applied, report))
        })
    })?;
    finish(result)
}

/// Writes a batch, row by row inside the import's transaction.
#[allow(clippy::too_many_arguments)]
fn flush(
    conn: &mut DbConn,
    commune: CommuneId,
    batch: &mut Vec<(Row, String, Option<Parsed>)>,
    c_ref: Col,
    update: bool,
    applied: &mut Applied,
    refused: &mut Refused,
    report: &mut Report,
) -> QueryResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    // Without `update`, a reference already in the register is found by the insert
    // itself ([`insert_new`]); with it, the batch's references are looked up.
    let existing = if update {
        existing_refs(conn, commune, batch)?
    } else {
        HashMap::new()
    };
    let rows = batch
        .iter()
        .map(|(row, r, p)| (row, r.as_str(), p.is_some()));
    let decisions = decide(
        rows,
        &existing,
        applied.import,
        update,
        c_ref,
        refused,
        report,
    );
    let at = crate::db::now();
    let mut new_rows = Vec::new();
    for ((row, _, parsed), decision) in batch.iter().zip(decisions) {
        let Some(p) = parsed else { continue };
        match decision {
            Decision::Skip => {}
            Decision::Insert => new_rows.push((row, p)),
            Decision::Update(id) => {
                diesel::update(taxpayers::table.find(TaxpayerId(id)))
                    .set((
                        taxpayers::kind.eq(p.kind),
                        taxpayers::name.eq(&p.name),
                        taxpayers::search_name.eq(&p.search),
                        taxpayers::district_id.eq(Some(p.district)),
                        taxpayers::phone.eq(&p.phone),
                        taxpayers::email.eq(&p.email),
                        taxpayers::id_number.eq(&p.id_number),
                        taxpayers::address.eq(&p.address),
                        taxpayers::lat_e6.eq(p.gps.map(|g| g.lat_e6)),
                        taxpayers::lon_e6.eq(p.gps.map(|g| g.lon_e6)),
                        taxpayers::import_batch.eq(Some(applied.import.0)),
                        taxpayers::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                applied.updated += 1;
            }
        }
    }
    for chunk in new_rows.chunks(CHUNK) {
        if insert_chunk(conn, commune, applied.import, chunk)? {
            applied.created += chunk.len() as u64;
            continue;
        }
        for &(row, p) in chunk {
            insert_or_report(conn, commune, row, p, c_ref, applied, report)?;
        }
    }
    batch.clear();
    Ok(())
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
    use diesel::result::Error;
    let values: Vec<_> = chunk
        .iter()
        .map(|(_, p)| new_values(commune, import, p))
        .collect();
    let all = values.len();
    // A full chunk goes in as an array: its statement has a fixed shape, so it is
    // prepared once and cached; the last, shorter chunk of a file is prepared for itself.
    let full: Result<Box<[_; CHUNK]>, _> = values.into_boxed_slice().try_into();
    let written = conn.transaction(|conn| {
        let n = match &full {
            Ok(array) => crate::on_inner!(conn, c => diesel::insert_into(taxpayers::table)
                .values(array.as_ref())
                .on_conflict_do_nothing()
                .execute(c))?,
            Err(rest) => crate::on_inner!(conn, c => diesel::insert_into(taxpayers::table)
                .values(rest.as_ref())
                .on_conflict_do_nothing()
                .execute(c))?,
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

/// Inserts one new taxpayer, or reports its reference as already in the register.
fn insert_or_report(
    conn: &mut DbConn,
    commune: CommuneId,
    row: &Row,
    p: &Parsed,
    c_ref: Col,
    applied: &mut Applied,
    report: &mut Report,
) -> QueryResult<()> {
    if insert_new(conn, commune, applied.import, p)? {
        applied.created += 1;
        return Ok(());
    }
    // Already there: written earlier by this import, or before it.
    let batch_of: Option<i64> = taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq(&p.reference))
        .select(taxpayers::import_batch)
        .first(conn)?;
    let key = if batch_of == Some(applied.import.0) {
        keys::REF_TWICE
    } else {
        keys::REF_EXISTS
    };
    report.push(row.issue(c_ref, Reason::new(key)));
    Ok(())
}

/// Inserts one new taxpayer; `false` when its reference is already in the register.
///
/// SQLite: a plain single-row insert, prepared once and reused for every row (no SQL to
/// build or parse again, no statement journal); a duplicate reference fails that one
/// statement and leaves the transaction as it was. PostgreSQL: a failed statement
/// would abort the whole transaction, so the insert says `ON CONFLICT DO NOTHING`.
/// The timestamps are the columns' defaults.
fn insert_new(
    conn: &mut DbConn,
    commune: CommuneId,
    import: ImportId,
    p: &Parsed,
) -> QueryResult<bool> {
    use diesel::result::{DatabaseErrorKind, Error};
    let values = new_values(commune, import, p);
    match conn {
        DbConn::Sqlite(c) => match diesel::insert_into(taxpayers::table)
            .values(values)
            .execute(c)
        {
            Ok(_) => Ok(true),
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(e),
        },
        DbConn::Pg(c) => diesel::insert_into(taxpayers::table)
            .values(values)
            .on_conflict((taxpayers::commune_id, taxpayers::reference))
            .do_nothing()
            .execute(c)
            .map(|n| n == 1),
    }
}

/// The columns of a new taxpayer; the timestamps are the columns' defaults.
#[allow(clippy::type_complexity)]
fn new_values(
    commune: CommuneId,
    import: ImportId,
    p: &Parsed,
) -> (
    diesel::dsl::Eq<taxpayers::commune_id, CommuneId>,
    diesel::dsl::Eq<taxpayers::reference, &'_ String>,
    diesel::dsl::Eq<taxpayers::kind, &'static str>,
    diesel::dsl::Eq<taxpayers::name, &'_ String>,
    diesel::dsl::Eq<taxpayers::search_name, &'_ String>,
    diesel::dsl::Eq<taxpayers::id_number, &'_ Option<String>>,
    diesel::dsl::Eq<taxpayers::phone, &'_ Option<String>>,
    diesel::dsl::Eq<taxpayers::email, &'_ Option<String>>,
    diesel::dsl::Eq<taxpayers::district_id, Option<DistrictId>>,
    diesel::dsl::Eq<taxpayers::address, &'_ Option<String>>,
    diesel::dsl::Eq<taxpayers::lat_e6, Option<i64>>,
    diesel::dsl::Eq<taxpayers::lon_e6, Option<i64>>,
    diesel::dsl::Eq<taxpayers::import_batch, Option<i64>>,
) {
    (
        taxpayers::commune_id.eq(commune),
        taxpayers::reference.eq(&p.reference),
        taxpayers::kind.eq(p.kind),
        taxpayers::name.eq(&p.name),
        taxpayers::search_name.eq(&p.search),
        taxpayers::id_number.eq(&p.id_number),
        taxpayers::phone.eq(&p.phone),
        taxpayers::email.eq(&p.email),
        taxpayers::district_id.eq(Some(p.district)),
        taxpayers::address.eq(&p.address),
        taxpayers::lat_e6.eq(p.gps.map(|g| g.lat_e6)),
        taxpayers::lon_e6.eq(p.gps.map(|g| g.lon_e6)),
        taxpayers::import_batch.eq(Some(import.0)),
    )
}

fn existing_refs(
    conn: &mut DbConn,
    commune: CommuneId,
    batch: &[(Row, String, Option<Parsed>)],
) -> QueryResult<HashMap<String, (i64, Option<i64>)>> {
    let refs: Vec<&str> = batch.iter().map(|(_, r, _)| r.as_str()).collect();
    Ok(taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq_any(&refs))
        .select((taxpayers::reference, taxpayers::id, taxpayers::import_batch))
        .load::<(String, TaxpayerId, Option<i64>)>(conn)?
        .into_iter()
        .map(|(r, id, b)| (r, (id.0, b)))
        .collect())
}

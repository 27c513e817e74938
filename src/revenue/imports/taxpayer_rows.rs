//! The taxpayer file: `ref,name,kind,district,phone,email,id_number[,address,gps]`.

use super::*;

struct Parsed {
    reference: String,
    kind: &'static str,
    name: String,
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
        _ => fields::enum_value(v, &["person", "organisation"]).map(|_| "person"),
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
    Some(Parsed {
        reference: reference?.to_string(),
        kind: kind?,
        name: name?.to_string(),
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
    let result = db::write_tx(conn, |conn| -> Result<(Applied, Report), Abort> {
        let mut report = Report::new();
        let Some(cols) = columns(&source, TAXPAYER_COLUMNS, TAXPAYER_OPTIONAL, &mut report) else {
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
        let mut batch: Vec<(Row, String, Option<Parsed>)> = Vec::with_capacity(BATCH);
        let mut refused = Refused::default();
        for row in source.rows() {
            let Some(row) = keep(row, &mut report) else {
                continue;
            };
            applied.rows += 1;
            let parsed = parse(&row, &c, &cx, &mut report);
            let reference = row.at(c.reference).to_string();
            if !reference.is_empty() {
                batch.push((row, reference, parsed));
            }
            if batch.len() >= BATCH {
                flush(
                    conn,
                    commune.id,
                    &mut batch,
                    c.reference,
                    opts.update,
                    &mut applied,
                    &mut refused,
                    &mut report,
                )?;
            }
        }
        flush(
            conn,
            commune.id,
            &mut batch,
            c.reference,
            opts.update,
            &mut applied,
            &mut refused,
            &mut report,
        )?;
        if !report.is_clean() {
            return Err(Abort::Rejected(report));
        }
        close_import(conn, commune.id, "taxpayers", &applied, opts, actor)?;
        Ok((applied, report))
    });
    finish(result)
}

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
    let refs: Vec<&str> = batch.iter().map(|(_, r, _)| r.as_str()).collect();
    let existing: HashMap<String, (i64, Option<i64>)> = taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq_any(&refs))
        .select((taxpayers::reference, taxpayers::id, taxpayers::import_batch))
        .load::<(String, TaxpayerId, Option<i64>)>(conn)?
        .into_iter()
        .map(|(r, id, b)| (r, (id.0, b)))
        .collect();
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
    let at = now();
    let mut inserts = Vec::new();
    for ((_, _, parsed), decision) in batch.iter().zip(decisions) {
        let Some(p) = parsed else { continue };
        let search = search_key(&p.name);
        match decision {
            Decision::Skip => {}
            Decision::Update(id) => {
                diesel::update(taxpayers::table.find(TaxpayerId(id)))
                    .set((
                        taxpayers::kind.eq(p.kind),
                        taxpayers::name.eq(&p.name),
                        taxpayers::search_name.eq(&search),
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
            Decision::Insert => inserts.push((
                taxpayers::commune_id.eq(commune),
                taxpayers::reference.eq(&p.reference),
                taxpayers::kind.eq(p.kind),
                taxpayers::name.eq(&p.name),
                taxpayers::search_name.eq(search),
                taxpayers::id_number.eq(&p.id_number),
                taxpayers::phone.eq(&p.phone),
                taxpayers::email.eq(&p.email),
                taxpayers::district_id.eq(Some(p.district)),
                taxpayers::address.eq(&p.address),
                taxpayers::lat_e6.eq(p.gps.map(|g| g.lat_e6)),
                taxpayers::lon_e6.eq(p.gps.map(|g| g.lon_e6)),
                taxpayers::import_batch.eq(Some(applied.import.0)),
                (taxpayers::created_at.eq(at), taxpayers::updated_at.eq(at)),
            )),
        }
    }
    if !inserts.is_empty() {
        applied.created += inserts.len() as u64;
        crate::on_inner!(conn, c => diesel::insert_into(taxpayers::table).values(&inserts).execute(c))?;
    }
    batch.clear();
    Ok(())
}

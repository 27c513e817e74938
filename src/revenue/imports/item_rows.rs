//! The item file: `ref,taxpayer_ref,kind,district[,address,rental_value,market_value,
//! area,category,market,stall_number]`.

use super::*;

struct Parsed {
    reference: String,
    taxpayer_ref: String,
    kind: &'static str,
    district: DistrictId,
    address: Option<String>,
    rental_value: Option<i64>,
    market_value: Option<i64>,
    area: Option<i64>,
    category: Option<String>,
    market: Option<String>,
    stall_number: Option<String>,
}

const KINDS: &[&str] = &["property", "stall", "business", "vehicle", "other"];

fn text(v: &str) -> Result<Option<String>, Reason> {
    fields::optional(v, |v| fields::text(v, 120).map(str::to_string))
}

fn parse(
    row: &Row,
    cols: &super::super::csvin::Columns,
    cx: &(HashMap<String, DistrictId>, String),
    report: &mut Report,
) -> Option<Parsed> {
    let reference = keep(row.parse(cols.col("ref"), |v| fields::text(v, 40)), report);
    let taxpayer_ref = keep(
        row.parse(cols.col("taxpayer_ref"), |v| fields::text(v, 40)),
        report,
    );
    let kind = keep(
        row.parse(cols.col("kind"), |v| fields::enum_value(v, KINDS)),
        report,
    );
    let district = keep(district_of(row, cols.col("district"), &cx.0, &cx.1), report);
    let address = keep(row.parse(cols.col("address"), text), report);
    let money = |name: &'static str, report: &mut Report| {
        keep(
            row.parse(cols.col(name), |v| {
                fields::optional(v, fields::amount).map(|a| a.map(|x| x.0))
            }),
            report,
        )
    };
    let rental_value = money("rental_value", report);
    let market_value = money("market_value", report);
    let area = keep(
        row.parse(cols.col("area"), |v| fields::optional(v, fields::area)),
        report,
    );
    let category = keep(row.parse(cols.col("category"), text), report);
    let market = keep(row.parse(cols.col("market"), text), report);
    let stall_number = keep(row.parse(cols.col("stall_number"), text), report);
    Some(Parsed {
        reference: reference?.to_string(),
        taxpayer_ref: taxpayer_ref?.to_string(),
        kind: KINDS.iter().find(|k| Some(**k) == kind).copied()?,
        district: district?,
        address: address?,
        rental_value: rental_value?,
        market_value: market_value?,
        area: area?,
        category: category?,
        market: market?,
        stall_number: stall_number?,
    })
}

/// Imports the item file; each item's taxpayer must be in the register.
pub fn items(
    conn: &mut DbConn,
    commune: &Commune,
    source: CsvSource,
    opts: &Options,
    actor: &Actor,
) -> QueryResult<Outcome> {
    let result = db::bulk(conn, |conn| {
        db::write_tx(conn, |conn| -> Result<(Applied, Report), Abort> {
            let mut report = Report::new();
            let Some(cols) = columns(&source, ITEM_COLUMNS, ITEM_OPTIONAL, &mut report) else {
                return Err(Abort::Rejected(report));
            };
            let districts = district_index(conn, commune.id)?;
            let mut names: Vec<String> = districts::list(conn, commune.id)?
                .into_iter()
                .map(|d| d.name)
                .collect();
            names.sort();
            let cx = (districts, names.join(", "));
            let import = start_import(conn, commune.id, "items", opts, actor)?;
            let mut applied = Applied {
                import,
                rows: 0,
                created: 0,
                updated: 0,
            };
            let cols_ref = (cols.col("ref"), cols.col("taxpayer_ref"));
            let mut refused = Refused::default();
            let check = |row: &Row, issues: &mut Report| parse(row, &cols, &cx, issues);
            read_ahead(
                source,
                cols_ref.0,
                &check,
                |mut batch| -> Result<(), Abort> {
                    applied.rows += batch.read;
                    absorb(&mut report, batch.issues);
                    flush(
                        conn,
                        commune.id,
                        &mut batch.rows,
                        cols_ref,
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
            close_import(conn, commune.id, "items", &applied, opts, actor)?;
            Ok((applied, report))
        })
    })?;
    finish(result)
}

#[allow(clippy::too_many_arguments)]
fn flush(
    conn: &mut DbConn,
    commune: CommuneId,
    batch: &mut Vec<(Row, String, Option<Parsed>)>,
    (c_ref, c_owner): (Col, Col),
    update: bool,
    applied: &mut Applied,
    refused: &mut Refused,
    report: &mut Report,
) -> QueryResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let owner_refs: Vec<&str> = batch
        .iter()
        .filter_map(|(_, _, p)| p.as_ref())
        .map(|p| p.taxpayer_ref.as_str())
        .collect();
    let owners: HashMap<String, (TaxpayerId, Option<TaxpayerId>)> = taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq_any(&owner_refs))
        .select((taxpayers::reference, taxpayers::id, taxpayers::merged_into))
        .load::<(String, TaxpayerId, Option<TaxpayerId>)>(conn)?
        .into_iter()
        .map(|(r, id, m)| (r, (id, m)))
        .collect();
    // An item whose taxpayer is unknown or merged is a bad row too.
    let owner_of: Vec<Option<TaxpayerId>> = batch
        .iter()
        .map(|(row, _, p)| {
            let p = p.as_ref()?;
            match owners.get(&p.taxpayer_ref) {
                None => {
                    report.push(row.issue(c_owner, Reason::new(keys::UNKNOWN_TAXPAYER)));
                    None
                }
                Some((_, Some(_))) => {
                    report.push(row.issue(c_owner, Reason::new(keys::MERGED_TAXPAYER)));
                    None
                }
                Some((id, None)) => Some(*id),
            }
        })
        .collect();
    let refs: Vec<&str> = batch.iter().map(|(_, r, _)| r.as_str()).collect();
    let existing: HashMap<String, (i64, Option<i64>)> = taxable_items::table
        .filter(taxable_items::commune_id.eq(commune))
        .filter(taxable_items::reference.eq_any(&refs))
        .select((
            taxable_items::reference,
            taxable_items::id,
            taxable_items::import_batch,
        ))
        .load::<(String, ItemId, Option<i64>)>(conn)?
        .into_iter()
        .map(|(r, id, b)| (r, (id.0, b)))
        .collect();
    let rows = batch
        .iter()
        .zip(&owner_of)
        .map(|((row, r, _), owner)| (row, r.as_str(), owner.is_some()));
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
    let mut inserts = Vec::new();
    for (((_, _, parsed), owner), decision) in batch.iter().zip(owner_of).zip(decisions) {
        let (Some(p), Some(owner)) = (parsed, owner) else {
            continue;
        };
        let values = (
            taxable_items::taxpayer_id.eq(owner),
            taxable_items::kind.eq(p.kind),
            taxable_items::district_id.eq(Some(p.district)),
            taxable_items::address.eq(&p.address),
            taxable_items::rental_value.eq(p.rental_value),
            taxable_items::market_value.eq(p.market_value),
            taxable_items::area_m2.eq(p.area),
            taxable_items::category.eq(&p.category),
            taxable_items::market.eq(&p.market),
            taxable_items::stall_number.eq(&p.stall_number),
            taxable_items::import_batch.eq(Some(applied.import.0)),
            taxable_items::updated_at.eq(at),
        );
        match decision {
            Decision::Skip => {}
            Decision::Update(id) => {
                diesel::update(taxable_items::table.find(ItemId(id)))
                    .set(values)
                    .execute(conn)?;
                applied.updated += 1;
            }
            Decision::Insert => inserts.push((
                taxable_items::commune_id.eq(commune),
                taxable_items::reference.eq(&p.reference),
                taxable_items::active.eq(true),
                taxable_items::created_at.eq(at),
                values,
            )),
        }
    }
    if !inserts.is_empty() {
        applied.created += inserts.len() as u64;
        crate::on_inner!(conn, c => diesel::insert_into(taxable_items::table).values(&inserts).execute(c))?;
    }
    batch.clear();
    Ok(())
}

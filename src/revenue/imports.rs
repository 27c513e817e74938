//! Imports a finance officer can trust: taxpayers, taxable items and State-issued rolls
//! from CSV, all or nothing.
//!
//! Rows stream from [`CsvSource`] into one write transaction, in multi-row batches. Every
//! bad row becomes an issue of the [`Report`] (line, column, value, reason) and the import
//! goes on to find the others; if the report is not clean at the end, the transaction
//! rolls back and nothing is written. A reference seen twice is caught by the database
//! (each row records the import that wrote it), so memory stays flat on a million rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::assess;
use super::csvin::{Col, CsvSource, Issue, Report, Row};
use super::fields::{self, Reason};
use super::rolls::{self, LineWriter, NewLine, RollError};
use super::tax_types::TaxType;
use super::taxpayers::search_key;
use crate::audit::{self, Actor, Event};
use crate::communes::{districts, Commune, Country};
use crate::db::schema::{imports, taxable_items, taxpayers};
use crate::db::{self, DbConn};
use crate::ids::{CommuneId, DistrictId, ImportId, ItemId, TaxpayerId};

/// The columns of each file, as documented in the README.
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
pub const ITEM_COLUMNS: &[&str] = &["ref", "taxpayer_ref", "kind", "district"];
pub const ITEM_OPTIONAL: &[&str] = &[
    "address",
    "rental_value",
    "market_value",
    "area",
    "category",
    "market",
    "stall_number",
];
pub const ROLL_COLUMNS: &[&str] = &["taxpayer_ref", "amount"];
pub const ROLL_OPTIONAL: &[&str] = &["item_ref", "base", "due_date"];

/// Messages of this module (the parsers' own are under `import.`).
mod keys {
    pub const UNKNOWN_DISTRICT: &str = "register.unknown_district";
    pub const REF_EXISTS: &str = "register.ref_exists";
    pub const REF_TWICE: &str = "register.ref_twice";
    pub const UNKNOWN_TAXPAYER: &str = "register.unknown_taxpayer";
    pub const UNKNOWN_ITEM: &str = "register.unknown_item";
    pub const ITEM_NOT_OWNED: &str = "register.item_not_owned";
    pub const MERGED_TAXPAYER: &str = "register.merged_taxpayer";
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rows whose reference exists are updated instead of refused.
    pub update: bool,
    pub file_name: String,
    pub file_sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub import: ImportId,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
}

/// What an import did: applied, or refused with the report of every bad row.
#[derive(Debug)]
pub enum Outcome {
    Applied(Applied, Report),
    Rejected(Report),
}

enum Abort {
    Rejected(Report),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Db(e)
    }
}

fn finish(result: Result<(Applied, Report), Abort>) -> QueryResult<Outcome> {
    match result {
        Ok((applied, notes)) => Ok(Outcome::Applied(applied, notes)),
        Err(Abort::Rejected(report)) => Ok(Outcome::Rejected(report)),
        Err(Abort::Db(e)) => Err(e),
    }
}

/// SHA-256 of a file, for the import's record.
pub fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut file, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// Opens the file's columns, or the report of what is wrong with its header.
fn columns(
    source: &CsvSource,
    required: &[&'static str],
    optional: &[&'static str],
    report: &mut Report,
) -> Option<super::csvin::Columns> {
    match source.columns(required, optional) {
        Ok(cols) => {
            cols.notes().into_iter().for_each(|n| report.note(n));
            Some(cols)
        }
        Err(issues) => {
            issues.into_iter().for_each(|i| report.push(i));
            None
        }
    }
}

fn start_import(
    conn: &mut DbConn,
    commune: CommuneId,
    kind: &str,
    opts: &Options,
    actor: &Actor,
) -> QueryResult<ImportId> {
    crate::communes::lock(conn, commune)?;
    diesel::insert_into(imports::table)
        .values((
            imports::commune_id.eq(commune),
            imports::kind.eq(kind),
            imports::file_name.eq(&opts.file_name),
            imports::file_sha256.eq(&opts.file_sha256),
            imports::rows.eq(0),
            imports::created.eq(0),
            imports::updated.eq(0),
            imports::user_id.eq(actor.id),
            imports::created_at.eq(crate::db::now()),
        ))
        .returning(imports::id)
        .get_result(conn)
}

fn close_import(
    conn: &mut DbConn,
    commune: CommuneId,
    kind: &str,
    applied: &Applied,
    opts: &Options,
    actor: &Actor,
) -> QueryResult<()> {
    diesel::update(imports::table.find(applied.import))
        .set((
            imports::rows.eq(applied.rows as i64),
            imports::created.eq(applied.created as i64),
            imports::updated.eq(applied.updated as i64),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new(&format!("import.{kind}"), "import", applied.import).details(
            serde_json::json!({
                "file": opts.file_name, "sha256": opts.file_sha256, "rows": applied.rows,
                "created": applied.created, "updated": applied.updated, "update_mode": opts.update,
            }),
        ),
    )
    .map(|_| ())
}

/// Districts by their search key, so that "Médina", "medina" and "MEDINA" match.
fn district_index(
    conn: &mut DbConn,
    commune: CommuneId,
) -> QueryResult<HashMap<String, DistrictId>> {
    Ok(districts::list(conn, commune)?
        .into_iter()
        .map(|d| (search_key(&d.name), d.id))
        .collect())
}

fn district_of(
    row: &Row,
    col: Col,
    index: &HashMap<String, DistrictId>,
    names: &str,
) -> Result<DistrictId, Issue> {
    let value = row.parse(col, fields::required)?;
    index.get(&search_key(value)).copied().ok_or_else(|| {
        row.issue(
            col,
            Reason::new(keys::UNKNOWN_DISTRICT).arg("allowed", names),
        )
    })
}

fn keep<T>(result: Result<T, Issue>, report: &mut Report) -> Option<T> {
    result.map_err(|i| report.push(i)).ok()
}

const BATCH: usize = 500;

/// What to do with one row of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Insert,
    Update(i64),
    Skip,
}

/// Remembers the references of rows refused for another reason, so that a later row
/// with the same reference is still reported (bounded by the number of bad rows).
#[derive(Default)]
struct Refused(HashMap<String, u64>);

/// Decides each row of a batch from its reference: new, an update (with `update`), or
/// refused because the register already has it, or because the file has it twice
/// (earlier in the batch, refused earlier, or written earlier by this same import).
/// `rows` gives each row, its reference, and whether its other fields are valid.
fn decide<'a>(
    rows: impl Iterator<Item = (&'a Row, &'a str, bool)>,
    existing: &HashMap<String, (i64, Option<i64>)>,
    import: ImportId,
    update: bool,
    c_ref: Col,
    refused: &mut Refused,
    report: &mut Report,
) -> Vec<Decision> {
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    rows.map(|(row, reference, valid)| {
        let earlier = first_line
            .get(reference)
            .or_else(|| refused.0.get(reference))
            .copied();
        let decision = if let Some(first) = earlier {
            report.push(
                row.issue(
                    c_ref,
                    Reason::new(super::csvin::keys::DUPLICATE_VALUE)
                        .arg("first_line", first.to_string()),
                ),
            );
            Decision::Skip
        } else {
            match existing.get(reference) {
                Some((_, Some(b))) if *b == import.0 => {
                    report.push(row.issue(c_ref, Reason::new(keys::REF_TWICE)));
                    Decision::Skip
                }
                Some(_) if !update => {
                    report.push(row.issue(c_ref, Reason::new(keys::REF_EXISTS)));
                    Decision::Skip
                }
                Some((id, _)) if valid => Decision::Update(*id),
                None if valid => Decision::Insert,
                _ => Decision::Skip,
            }
        };
        first_line.entry(reference).or_insert(row.line);
        if !valid {
            refused.0.entry(reference.to_string()).or_insert(row.line);
        }
        decision
    })
    .collect()
}

/// Rows read and checked, ready to write: each row with its reference (empty rows have
/// none and are left out) and its parsed fields (`None` when a field is bad), with the
/// issues found while reading them.
struct Batch<P> {
    rows: Vec<(Row, String, Option<P>)>,
    issues: Report,
    read: u64,
}

/// Reads and checks the rows on a second thread while this one writes the previous
/// batch: the machine's two cores share the work. The queue holds a few batches, so
/// memory stays flat. `write` gets each batch in file order; when it fails, reading
/// stops and the error is returned.
fn read_ahead<P: Send, E>(
    source: CsvSource,
    reference: Col,
    parse: &(dyn Fn(&Row, &mut Report) -> Option<P> + Sync),
    mut write: impl FnMut(Batch<P>) -> Result<(), E>,
) -> Result<(), E> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<P>>(4);
        scope.spawn(move || {
            let fresh = || Batch {
                rows: Vec::with_capacity(BATCH),
                issues: Report::new(),
                read: 0,
            };
            let mut batch = fresh();
            for row in source.rows() {
                let Some(row) = keep(row, &mut batch.issues) else {
                    continue;
                };
                batch.read += 1;
                let parsed = parse(&row, &mut batch.issues);
                let key = row.at(reference).to_string();
                if !key.is_empty() {
                    batch.rows.push((row, key, parsed));
                }
                if batch.rows.len() >= BATCH
                    && tx.send(std::mem::replace(&mut batch, fresh())).is_err()
                {
                    return; // the writer stopped
                }
            }
            let _ = tx.send(batch);
        });
        for batch in rx {
            write(batch)?;
        }
        Ok(())
    })
}

/// Moves a batch's issues into the import's report.
fn absorb(report: &mut Report, issues: Report) {
    for issue in issues.issues() {
        report.push(issue.clone());
    }
}

mod taxpayer_rows;
pub use taxpayer_rows::taxpayers;

mod item_rows;
pub use item_rows::items;

/// Imports the State's roll of `tax` for `year` as a draft: one line per row.
pub fn roll(
    conn: &mut DbConn,
    commune: &Commune,
    tax: &TaxType,
    year: i32,
    source: CsvSource,
    opts: &Options,
    actor: &Actor,
) -> Result<Outcome, RollError> {
    if !tax.assessed_by_state() {
        return Err(RollError::CommuneAssessed);
    }
    let result = db::write_tx(conn, |conn| -> Result<(Applied, Report), RollAbort> {
        let mut report = Report::new();
        let Some(cols) = columns(&source, ROLL_COLUMNS, ROLL_OPTIONAL, &mut report) else {
            return Err(RollAbort::Rejected(report));
        };
        let import = start_import(conn, commune.id, "roll", opts, actor)?;
        let roll = rolls::fresh_draft(conn, commune.id, tax, year, "imported", actor)?;
        let default_due = assess::clamp_date(year, tax.due_month as u32, tax.due_day as u32);
        let (c_tp, c_item, c_base, c_amount, c_due) = (
            cols.col("taxpayer_ref"),
            cols.col("item_ref"),
            cols.col("base"),
            cols.col("amount"),
            cols.col("due_date"),
        );
        let mut writer = LineWriter::new(commune, tax, roll, year);
        let mut batch: Vec<(Row, Option<i64>, i64, NaiveDate)> = Vec::with_capacity(BATCH);
        let mut rows = 0u64;
        for row in source.rows() {
            let Some(row) = keep(row, &mut report) else {
                continue;
            };
            rows += 1;
            let tp = keep(row.parse(c_tp, fields::required), &mut report).is_some();
            let base = keep(
                row.parse(c_base, |v| fields::optional(v, fields::amount)),
                &mut report,
            );
            let amount = keep(row.parse(c_amount, fields::amount), &mut report);
            let due = keep(
                row.parse(c_due, |v| fields::optional(v, fields::date)),
                &mut report,
            );
            if let (true, Some(base), Some(amount), Some(due)) = (tp, base, amount, due) {
                batch.push((row, base.map(|b| b.0), amount.0, due.unwrap_or(default_due)));
            }
            if batch.len() >= BATCH {
                roll_batch(
                    conn,
                    commune.id,
                    &mut batch,
                    (c_tp, c_item),
                    year,
                    &mut writer,
                    &mut report,
                )?;
            }
        }
        roll_batch(
            conn,
            commune.id,
            &mut batch,
            (c_tp, c_item),
            year,
            &mut writer,
            &mut report,
        )?;
        let (lines, total) = writer.finish(conn)?;
        if !report.is_clean() {
            return Err(RollAbort::Rejected(report));
        }
        let applied = Applied {
            import,
            rows,
            created: lines as u64,
            updated: 0,
        };
        close_import(conn, commune.id, "roll", &applied, opts, actor)?;
        audit::append(
            conn,
            commune.id,
            actor,
            Event::new("roll.import", "roll", roll).details(serde_json::json!({
                "tax": tax.code, "year": year, "lines": lines, "total": total, "file": opts.file_name,
            })),
        )?;
        Ok((applied, report))
    });
    match result {
        Ok((applied, notes)) => Ok(Outcome::Applied(applied, notes)),
        Err(RollAbort::Rejected(report)) => Ok(Outcome::Rejected(report)),
        Err(RollAbort::Roll(e)) => Err(e),
    }
}

enum RollAbort {
    Rejected(Report),
    Roll(RollError),
}

impl From<diesel::result::Error> for RollAbort {
    fn from(e: diesel::result::Error) -> Self {
        RollAbort::Roll(RollError::Db(e))
    }
}

impl From<RollError> for RollAbort {
    fn from(e: RollError) -> Self {
        RollAbort::Roll(e)
    }
}

fn roll_batch(
    conn: &mut DbConn,
    commune: CommuneId,
    batch: &mut Vec<(Row, Option<i64>, i64, NaiveDate)>,
    (c_tp, c_item): (Col, Col),
    year: i32,
    writer: &mut LineWriter<'_>,
    report: &mut Report,
) -> QueryResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let tp_refs: Vec<String> = batch.iter().map(|(r, ..)| r.at(c_tp).to_string()).collect();
    let owners: HashMap<String, (TaxpayerId, Option<TaxpayerId>)> = taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq_any(&tp_refs))
        .select((taxpayers::reference, taxpayers::id, taxpayers::merged_into))
        .load::<(String, TaxpayerId, Option<TaxpayerId>)>(conn)?
        .into_iter()
        .map(|(r, id, m)| (r, (id, m)))
        .collect();
    let item_refs: Vec<String> = batch
        .iter()
        .map(|(r, ..)| r.at(c_item).to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let items: HashMap<String, (ItemId, TaxpayerId)> = taxable_items::table
        .filter(taxable_items::commune_id.eq(commune))
        .filter(taxable_items::reference.eq_any(&item_refs))
        .select((
            taxable_items::reference,
            taxable_items::id,
            taxable_items::taxpayer_id,
        ))
        .load::<(String, ItemId, TaxpayerId)>(conn)?
        .into_iter()
        .map(|(r, id, t)| (r, (id, t)))
        .collect();
    for (row, base, amount, due) in batch.drain(..) {
        let taxpayer = match owners.get(row.at(c_tp)) {
            None => {
                report.push(row.issue(c_tp, Reason::new(keys::UNKNOWN_TAXPAYER)));
                continue;
            }
            Some((_, Some(_))) => {
                report.push(row.issue(c_tp, Reason::new(keys::MERGED_TAXPAYER)));
                continue;
            }
            Some((id, None)) => *id,
        };
        let item = match row.at(c_item) {
            "" => None,
            r => match items.get(r) {
                None => {
                    report.push(row.issue(c_item, Reason::new(keys::UNKNOWN_ITEM)));
                    continue;
                }
                Some((_, owner)) if *owner != taxpayer => {
                    report.push(row.issue(
                        c_item,
                        Reason::new(keys::ITEM_NOT_OWNED).arg("taxpayer", row.at(c_tp)),
                    ));
                    continue;
                }
                Some((id, _)) => Some(*id),
            },
        };
        writer.push(
            conn,
            NewLine {
                taxpayer,
                item,
                period: year.to_string(),
                base,
                rate_bp: None,
                amount,
                due_date: due,
            },
        )?;
    }
    Ok(())
}

/// The country of a commune, for phone numbers and identifiers.
pub fn country_of(commune: &Commune) -> Country {
    Country::parse(&commune.country).unwrap_or(Country::Senegal)
}

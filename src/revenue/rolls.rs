//! Tax rolls (*rôles*): one per tax type and fiscal year, generated from the register
//! for a tax the commune assesses, or imported from the State's file. A roll is a draft
//! until a finance officer issues it; then neither it nor its lines can change.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::assess::{self, Skip};
use super::items::Item;
use super::tax_types::{self, TaxType};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::schema::{assessments, rolls, tax_types as tt, taxable_items, taxpayers};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, ItemId, RollId, TaxTypeId, TaxpayerId};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rolls)]
pub struct Roll {
    pub id: RollId,
    pub commune_id: CommuneId,
    pub tax_type_id: TaxTypeId,
    pub fiscal_year: i64,
    pub source: String,
    pub status: String,
    pub line_count: i64,
    pub total: i64,
    pub created_by: Option<crate::ids::UserId>,
    pub created_at: NaiveDateTime,
    pub issued_by: Option<crate::ids::UserId>,
    pub issued_at: Option<NaiveDateTime>,
}

impl Roll {
    pub fn is_issued(&self) -> bool {
        self.status == "issued"
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RollError {
    #[error("this tax is assessed by the State: import its roll instead of generating it")]
    StateAssessed,
    #[error("this tax is assessed by the commune: generate its roll instead of importing it")]
    CommuneAssessed,
    #[error("a daily fee is collected against a ticket, not assessed in a roll")]
    Daily,
    #[error("the roll for this tax and year is issued: it can only change through adjustments")]
    Issued,
    #[error("the roll has no lines: there is nothing to issue")]
    Empty,
    #[error("the year {0} is out of range")]
    BadYear(i64),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl RollError {
    pub fn message_key(&self) -> &'static str {
        match self {
            RollError::StateAssessed => "roll.state_assessed",
            RollError::CommuneAssessed => "roll.commune_assessed",
            RollError::Daily => "roll.daily",
            RollError::Issued => "roll.issued_immutable",
            RollError::Empty => "roll.empty",
            RollError::BadYear(_) => "roll.bad_year",
            RollError::Db(_) => "error.internal",
        }
    }
}

pub fn check_year(year: i64) -> Result<i32, RollError> {
    if (2000..=2100).contains(&year) {
        Ok(year as i32)
    } else {
        Err(RollError::BadYear(year))
    }
}

pub fn find(
    conn: &mut DbConn,
    commune: CommuneId,
    tax: TaxTypeId,
    year: i64,
) -> QueryResult<Option<Roll>> {
    rolls::table
        .filter(rolls::commune_id.eq(commune))
        .filter(rolls::tax_type_id.eq(tax))
        .filter(rolls::fiscal_year.eq(year))
        .select(Roll::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, commune: CommuneId, id: RollId) -> QueryResult<Roll> {
    rolls::table
        .filter(rolls::commune_id.eq(commune))
        .find(id)
        .select(Roll::as_select())
        .first(conn)
}

/// The draft roll to fill: a new one, or the existing draft emptied. An issued roll
/// is refused.
pub fn fresh_draft(
    conn: &mut DbConn,
    commune: CommuneId,
    tax: &TaxType,
    year: i32,
    source: &str,
    actor: &Actor,
) -> Result<RollId, RollError> {
    crate::communes::lock(conn, commune)?;
    match find(conn, commune, tax.id, year.into())? {
        Some(r) if r.is_issued() => Err(RollError::Issued),
        Some(r) => {
            diesel::delete(assessments::table.filter(assessments::roll_id.eq(r.id)))
                .execute(conn)?;
            diesel::update(rolls::table.find(r.id))
                .set((
                    rolls::source.eq(source),
                    rolls::line_count.eq(0),
                    rolls::total.eq(0),
                ))
                .execute(conn)?;
            Ok(r.id)
        }
        None => Ok(diesel::insert_into(rolls::table)
            .values((
                rolls::commune_id.eq(commune),
                rolls::tax_type_id.eq(tax.id),
                rolls::fiscal_year.eq(i64::from(year)),
                rolls::source.eq(source),
                rolls::status.eq("draft"),
                rolls::line_count.eq(0),
                rolls::total.eq(0),
                rolls::created_by.eq(actor.id),
                rolls::created_at.eq(crate::db::now()),
            ))
            .returning(rolls::id)
            .get_result(conn)?),
    }
}

/// One line to write into a roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub taxpayer: TaxpayerId,
    pub item: Option<ItemId>,
    pub period: String,
    pub base: Option<i64>,
    pub rate_bp: Option<i64>,
    pub amount: i64,
    pub due_date: NaiveDate,
}

/// Writes lines in multi-row inserts; `next_number` numbers the references
/// (`CODE/YEAR/TAX/000001`, gap-free within the roll).
pub struct LineWriter<'a> {
    roll: RollId,
    commune: CommuneId,
    tax: TaxTypeId,
    year: i64,
    prefix: String,
    pub next_number: i64,
    pending: Vec<NewLine>,
    pub written: i64,
    pub total: i64,
    _c: std::marker::PhantomData<&'a ()>,
}

const BATCH: usize = 500;

impl LineWriter<'_> {
    pub fn new(commune: &Commune, tax: &TaxType, roll: RollId, year: i32) -> Self {
        LineWriter {
            roll,
            commune: commune.id,
            tax: tax.id,
            year: year.into(),
            prefix: format!("{}/{year}/{}/", commune.code, tax.code),
            next_number: 1,
            pending: Vec::with_capacity(BATCH),
            written: 0,
            total: 0,
            _c: std::marker::PhantomData,
        }
    }

    pub fn push(&mut self, conn: &mut DbConn, line: NewLine) -> QueryResult<()> {
        self.total = self.total.saturating_add(line.amount);
        self.pending.push(line);
        if self.pending.len() >= BATCH {
            self.flush(conn)?;
        }
        Ok(())
    }

    pub fn flush(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let at = crate::db::now();
        let rows: Vec<_> = self
            .pending
            .drain(..)
            .map(|l| {
                let reference = format!("{}{:06}", self.prefix, self.next_number);
                self.next_number += 1;
                (
                    assessments::commune_id.eq(self.commune),
                    assessments::roll_id.eq(self.roll),
                    assessments::taxpayer_id.eq(l.taxpayer),
                    assessments::item_id.eq(l.item),
                    assessments::tax_type_id.eq(self.tax),
                    assessments::kind.eq("principal"),
                    assessments::fiscal_year.eq(self.year),
                    assessments::period.eq(l.period),
                    assessments::base.eq(l.base),
                    assessments::rate_bp.eq(l.rate_bp),
                    assessments::amount.eq(l.amount),
                    assessments::due_date.eq(l.due_date),
                    assessments::reference.eq(reference),
                    assessments::created_at.eq(at),
                )
            })
            .collect();
        self.written += rows.len() as i64;
        crate::on_inner!(conn, c => diesel::insert_into(assessments::table).values(&rows).execute(c))?;
        Ok(())
    }

    /// Flushes and records the roll's totals.
    pub fn finish(mut self, conn: &mut DbConn) -> QueryResult<(i64, i64)> {
        self.flush(conn)?;
        diesel::update(rolls::table.find(self.roll))
            .set((
                rolls::line_count.eq(self.written),
                rolls::total.eq(self.total),
            ))
            .execute(conn)?;
        Ok((self.written, self.total))
    }
}

/// An item that got no line, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub item_ref: String,
    pub reason_key: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub roll: RollId,
    pub lines: i64,
    pub total: i64,
    pub skipped: Vec<Skipped>,
    pub skipped_count: i64,
}

const SKIPPED_SHOWN: usize = 200;
const ITEM_BATCH: i64 = 2_000;

/// Generates the draft roll of a commune-assessed tax for `year`: one line per active
/// item of the tax's kind and per period, computed by [`assess::amount_for`].
pub fn generate(
    conn: &mut DbConn,
    commune: &Commune,
    tax: &TaxType,
    year: i32,
    actor: &Actor,
) -> Result<Generated, RollError> {
    if tax.assessed_by_state() {
        return Err(RollError::StateAssessed);
    }
    crate::communes::lock(conn, commune.id)?;
    let periods = assess::periods(tax.period(), year, tax.due_month as u32, tax.due_day as u32);
    if periods.is_empty() {
        return Err(RollError::Daily);
    }
    let rule = tax.rule(tax_types::tariffs(conn, tax.id)?);
    let roll = fresh_draft(conn, commune.id, tax, year, "generated", actor)?;
    let mut writer = LineWriter::new(commune, tax, roll, year);
    let mut skipped = Vec::new();
    let mut skipped_count = 0;
    // Items in reference order, through the unique index on (commune, reference).
    let mut after = String::new();
    loop {
        let batch: Vec<Item> = taxable_items::table
            .filter(taxable_items::commune_id.eq(commune.id))
            .filter(taxable_items::reference.gt(&after))
            .filter(taxable_items::kind.eq(&tax.item_kind))
            .filter(taxable_items::active.eq(true))
            .order(taxable_items::reference.asc())
            .limit(ITEM_BATCH)
            .select(Item::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.reference.clone();
        for item in &batch {
            match assess::amount_for(&rule, &item.facts()) {
                Ok((base, amount)) => {
                    for (period, due) in &periods {
                        writer.push(
                            conn,
                            NewLine {
                                taxpayer: item.taxpayer_id,
                                item: Some(item.id),
                                period: period.clone(),
                                base,
                                rate_bp: base.and(rule.rate_bp),
                                amount: amount.0,
                                due_date: *due,
                            },
                        )?;
                    }
                }
                Err(reason) => {
                    skipped_count += 1;
                    if skipped.len() < SKIPPED_SHOWN {
                        skipped.push(Skipped {
                            item_ref: item.reference.clone(),
                            reason_key: reason_key(reason),
                        });
                    }
                }
            }
        }
    }
    let (lines, total) = writer.finish(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("roll.generate", "roll", roll).details(serde_json::json!({
            "tax": tax.code, "year": year, "lines": lines, "total": total, "skipped": skipped_count,
        })),
    )?;
    Ok(Generated {
        roll,
        lines,
        total,
        skipped,
        skipped_count,
    })
}

fn reason_key(s: Skip) -> &'static str {
    s.key()
}

/// Issues a draft roll: from now on it is the legal basis of collection, and it
/// cannot change. The log records a digest of every line.
pub fn issue(
    conn: &mut DbConn,
    commune: CommuneId,
    roll: RollId,
    actor: &Actor,
) -> Result<Roll, RollError> {
    crate::communes::lock(conn, commune)?;
    let r = by_id(conn, commune, roll)?;
    if r.is_issued() {
        return Err(RollError::Issued);
    }
    if r.line_count == 0 {
        return Err(RollError::Empty);
    }
    let digest = lines_digest(conn, roll)?;
    diesel::update(rolls::table.find(roll))
        .set((
            rolls::status.eq("issued"),
            rolls::issued_by.eq(actor.id),
            rolls::issued_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    let code: String = tt::table.find(r.tax_type_id).select(tt::code).first(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("roll.issue", "roll", roll).details(serde_json::json!({
            "tax": code, "year": r.fiscal_year, "lines": r.line_count, "total": r.total,
            "lines_sha256": digest,
        })),
    )?;
    Ok(by_id(conn, commune, roll)?)
}

/// SHA-256 over `reference;taxpayer;amount;due_date` of every line, in reference order:
/// an auditor can recompute it from the exported roll.
pub fn lines_digest(conn: &mut DbConn, roll: RollId) -> QueryResult<String> {
    let mut h = Sha256::new();
    let mut after = String::new();
    loop {
        let batch: Vec<(String, TaxpayerId, i64, NaiveDate)> = assessments::table
            .filter(assessments::roll_id.eq(roll))
            .filter(assessments::kind.eq("principal"))
            .filter(assessments::reference.gt(&after))
            .order(assessments::reference.asc())
            .limit(5_000)
            .select((
                assessments::reference,
                assessments::taxpayer_id,
                assessments::amount,
                assessments::due_date,
            ))
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.0.clone();
        for (reference, taxpayer, amount, due) in &batch {
            h.update(format!("{reference};{taxpayer};{amount};{due}\n").as_bytes());
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// A roll in the list, with its tax.
#[derive(Debug, Clone, Serialize)]
pub struct RollSummary {
    #[serde(flatten)]
    pub roll: Roll,
    pub tax_code: String,
    pub tax_name_fr: String,
    pub tax_name_en: String,
}

pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<RollSummary>> {
    let rows: Vec<(Roll, String, String, String)> = rolls::table
        .inner_join(tt::table)
        .filter(rolls::commune_id.eq(commune))
        .order((rolls::fiscal_year.desc(), tt::code.asc()))
        .select((Roll::as_select(), tt::code, tt::name_fr, tt::name_en))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(roll, tax_code, tax_name_fr, tax_name_en)| RollSummary {
            roll,
            tax_code,
            tax_name_fr,
            tax_name_en,
        })
        .collect())
}

/// Lines and amounts of a roll by district of the taxpayer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DistrictTotal {
    pub district: Option<String>,
    pub lines: i64,
    pub total: i64,
}

pub fn totals_by_district(
    conn: &mut DbConn,
    commune: CommuneId,
    roll: RollId,
) -> QueryResult<Vec<DistrictTotal>> {
    let rows: Vec<(Option<DistrictId>, i64, Option<i64>)> = assessments::table
        .inner_join(taxpayers::table)
        .filter(assessments::roll_id.eq(roll))
        .filter(assessments::kind.eq("principal"))
        .group_by(taxpayers::district_id)
        .select((
            taxpayers::district_id,
            diesel::dsl::count_star(),
            sql::<Nullable<BigInt>>("CAST(SUM(assessments.amount) AS BIGINT)"),
        ))
        .load(conn)?;
    let names: std::collections::HashMap<DistrictId, String> =
        crate::communes::districts::list(conn, commune)?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut totals: Vec<DistrictTotal> = rows
        .into_iter()
        .map(|(d, lines, total)| DistrictTotal {
            district: d.and_then(|d| names.get(&d).cloned()),
            lines,
            total: total.unwrap_or(0),
        })
        .collect();
    totals.sort_by(|a, b| a.district.cmp(&b.district));
    Ok(totals)
}

/// A line of a roll as pages and exports show it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct LineRow {
    pub reference: String,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    pub item_ref: Option<String>,
    pub period: String,
    pub base: Option<i64>,
    pub rate_bp: Option<i64>,
    pub amount: i64,
    pub due_date: NaiveDate,
}

/// Lines of a roll in reference order, after `after` (keyset paging).
pub fn lines(
    conn: &mut DbConn,
    roll: RollId,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<LineRow>> {
    assessments::table
        .inner_join(taxpayers::table)
        .left_join(taxable_items::table)
        .filter(assessments::roll_id.eq(roll))
        .filter(assessments::kind.eq("principal"))
        .filter(assessments::reference.gt(after))
        .order(assessments::reference.asc())
        .limit(limit)
        .select((
            assessments::reference,
            taxpayers::reference,
            taxpayers::name,
            taxable_items::reference.nullable(),
            assessments::period,
            assessments::base,
            assessments::rate_bp,
            assessments::amount,
            assessments::due_date,
        ))
        .load(conn)
}

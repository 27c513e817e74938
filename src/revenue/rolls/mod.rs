//! Tax rolls (*rôles*): one per tax type and fiscal year, generated from the register
//! for a tax the commune assesses ([`generate`]), or imported from the State's file
//! ([`crate::revenue::imports`]). A roll is a draft until a finance officer issues it
//! ([`issue`]); then neither it nor its lines can change. [`views`] are what pages and
//! exports read.

mod generate;
mod issue;
mod views;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::tax_types::TaxType;
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::schema::{assessments, rolls};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, ItemId, RollId, TaxTypeId, TaxpayerId, UserId};
use crate::money::Xof;

pub use generate::{generate, Generated, Skipped};
pub use issue::{issue, lines_digest};
pub use views::{lines, list, totals_by_district, DistrictTotal, LineRow, RollSummary};

crate::text_enum!(
    /// A draft can be generated again; an issued roll never changes.
    pub RollStatus { Draft = "draft", Issued = "issued" }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rolls)]
pub struct Roll {
    pub id: RollId,
    pub commune_id: CommuneId,
    pub tax_type_id: TaxTypeId,
    pub fiscal_year: i64,
    pub source: String,
    pub status: RollStatus,
    pub line_count: i64,
    pub total: Xof,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub issued_by: Option<UserId>,
    pub issued_at: Option<NaiveDateTime>,
}

impl Roll {
    pub fn is_issued(&self) -> bool {
        self.status == RollStatus::Issued
    }
}

/// A fiscal year a roll may have.
pub fn check_year(year: i64) -> Result<i32, Refusal> {
    if (2000..=2100).contains(&year) {
        Ok(year as i32)
    } else {
        Err(Refusal::new("roll.bad_year").arg("year", year).on("year"))
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
        .get_result(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, commune: CommuneId, id: RollId) -> QueryResult<Roll> {
    rolls::table
        .filter(rolls::commune_id.eq(commune))
        .find(id)
        .select(Roll::as_select())
        .get_result(conn)
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
) -> DomainResult<RollId> {
    crate::communes::lock(conn, commune)?;
    match find(conn, commune, tax.id, year.into())? {
        Some(r) if r.is_issued() => Err(Refusal::new("roll.issued_immutable").into()),
        Some(r) => {
            diesel::delete(assessments::table.filter(assessments::roll_id.eq(r.id)))
                .execute(conn)?;
            diesel::update(rolls::table.find(r.id))
                .set((
                    rolls::source.eq(source),
                    rolls::line_count.eq(0),
                    rolls::total.eq(Xof::ZERO),
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
                rolls::status.eq(RollStatus::Draft),
                rolls::line_count.eq(0),
                rolls::total.eq(Xof::ZERO),
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
    pub base: Option<Xof>,
    pub rate_bp: Option<i64>,
    pub amount: Xof,
    pub due_date: NaiveDate,
}

/// Writes lines in multi-row inserts, numbering their references
/// (`CODE/YEAR/TAX/000001`, gap-free within the roll) and adding up the total.
pub struct LineWriter {
    roll: RollId,
    commune: CommuneId,
    tax: TaxTypeId,
    year: i64,
    prefix: String,
    next_number: i64,
    pending: Vec<NewLine>,
    written: i64,
    total: Xof,
}

const BATCH: usize = 500;

impl LineWriter {
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
            total: Xof::ZERO,
        }
    }

    /// Adds a line; a total that would overflow is refused (it cannot happen with
    /// amounts bounded by [`Xof::MAX_ENTRY`], but a sum is never left to wrap).
    pub fn push(&mut self, conn: &mut DbConn, line: NewLine) -> DomainResult<()> {
        self.total = self
            .total
            .checked_add(line.amount)
            .ok_or_else(|| Refusal::new("roll.total_too_large"))?;
        self.pending.push(line);
        if self.pending.len() >= BATCH {
            self.flush(conn)?;
        }
        Ok(())
    }

    fn flush(&mut self, conn: &mut DbConn) -> QueryResult<()> {
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

    /// Flushes and records the roll's totals: the lines written and their sum.
    pub fn finish(&mut self, conn: &mut DbConn) -> QueryResult<(i64, Xof)> {
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

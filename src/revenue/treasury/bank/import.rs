//! A statement's lines read, matched and kept, inside the one import's transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::super::State;
use super::{decide, Matched, Target, MAX_LABEL, MAX_REFERENCE, SPEC};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::schema::{bank_lines, cashups, payments};
use crate::db::DbConn;
use crate::error::DomainResult;
use crate::fields;
use crate::ids::{BankLineId, CashupId, CommuneId, PaymentId};
use crate::money::Xof;
use crate::revenue::payments::{Method, Status};
use crate::tabular::import::{self, Batch, Journal, Kind, Run, Sink};
use crate::tabular::{keep, Col, CsvSource, Report, Row};

/// What the deposit or receipt named by `reference` is, if any: a deposit number first,
/// then a transaction reference (the receipt of the same amount when several share it).
fn target(
    conn: &mut DbConn,
    commune: CommuneId,
    reference: &str,
    amount: Xof,
) -> QueryResult<Option<Target>> {
    if reference.is_empty() {
        return Ok(None);
    }
    let deposit: Option<(CashupId, Option<Xof>, State)> = cashups::table
        .filter(cashups::commune_id.eq(commune))
        .filter(cashups::deposit_number.eq(reference.to_uppercase()))
        .select((cashups::id, cashups::cash_received, cashups::status))
        .get_result(conn)
        .optional()?;
    if let Some((id, received, state)) = deposit {
        return Ok(Some(Target::Deposit {
            id,
            received: received.unwrap_or_default(),
            state,
        }));
    }
    let receipts: Vec<(PaymentId, Xof, Status)> = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::method.ne(Method::Cash))
        .filter(payments::method_reference.eq(reference))
        .order(payments::id.asc())
        .select((payments::id, payments::amount, payments::status))
        .load(conn)?;
    let valid = |r: &&(PaymentId, Xof, Status)| r.2 != Status::Cancelled;
    let best = receipts
        .iter()
        .filter(valid)
        .find(|r| r.1 == amount)
        .or_else(|| receipts.iter().find(valid))
        .or(receipts.first());
    Ok(best.map(|&(id, amount, status)| Target::Receipt { id, amount, status }))
}

/// A statement line once read.
struct Parsed {
    booked_on: NaiveDate,
    reference: String,
    amount: Xof,
    label: String,
}

struct Check {
    date: Col,
    reference: Col,
    amount: Col,
    label: Col,
}

impl Kind for Check {
    type Parsed = Parsed;

    fn parse(&self, row: &Row, report: &mut Report) -> Option<Parsed> {
        let booked_on = keep(row.parse(self.date, fields::date), report);
        let reference = keep(
            row.parse(self.reference, |v| {
                fields::optional(v, |v| fields::text(v, MAX_REFERENCE))
            }),
            report,
        );
        let amount = keep(row.parse(self.amount, super::bank_amount), report);
        let label = keep(
            row.parse(self.label, |v| {
                fields::optional(v, |v| fields::text(v, MAX_LABEL))
            }),
            report,
        );
        Some(Parsed {
            booked_on: booked_on?,
            reference: reference?.unwrap_or_default().to_string(),
            amount: amount?,
            label: label?.unwrap_or_default().to_string(),
        })
    }
}

struct Write<'a> {
    commune: &'a Commune,
    actor: &'a Actor,
}

impl Write<'_> {
    /// Keeps one line, and reconciles what it matched.
    fn line(&self, conn: &mut DbConn, row: &Row, p: &Parsed, run: &mut Run) -> DomainResult<()> {
        let found = target(conn, self.commune.id, &p.reference, p.amount)?;
        let d = decide(p.amount, found);
        let (cashup, payment) = match found {
            Some(Target::Deposit { id, .. }) => (Some(id), None),
            Some(Target::Receipt { id, .. }) => (None, Some(id)),
            None => (None, None),
        };
        let import = run.applied.import;
        let id: BankLineId = diesel::insert_into(bank_lines::table)
            .values((
                bank_lines::commune_id.eq(self.commune.id),
                bank_lines::import_id.eq(import),
                bank_lines::line.eq(row.line as i64),
                bank_lines::booked_on.eq(p.booked_on),
                bank_lines::reference.eq(&p.reference),
                bank_lines::amount.eq(p.amount),
                bank_lines::label.eq(&p.label),
                bank_lines::outcome.eq(d.matched),
                bank_lines::reason.eq(d.reason),
                bank_lines::expected.eq(d.expected),
                bank_lines::cashup_id.eq(cashup),
                bank_lines::payment_id.eq(payment),
            ))
            .returning(bank_lines::id)
            .get_result(conn)?;
        run.applied.created += 1;
        let details = serde_json::json!({
            "reference": p.reference, "amount": p.amount, "booked_on": p.booked_on,
            "statement": import, "line": row.line, "bank_line": id,
        });
        let event = match (d.matched, cashup, payment) {
            (Matched::Deposit, Some(c), _) => {
                diesel::update(cashups::table.find(c))
                    .set(cashups::status.eq(State::Reconciled))
                    .execute(conn)?;
                diesel::update(
                    payments::table
                        .filter(payments::cashup_id.eq(c))
                        .filter(payments::method.eq(Method::Cash))
                        .filter(payments::status.eq(Status::Deposited)),
                )
                .set(payments::status.eq(Status::Reconciled))
                .execute(conn)?;
                Event::new("deposit.reconcile", "cashup", c)
            }
            (Matched::Payment, _, Some(pay)) => {
                diesel::update(payments::table.find(pay))
                    .set(payments::status.eq(Status::Reconciled))
                    .execute(conn)?;
                Event::new("payment.reconcile", "payment", pay)
            }
            _ => return Ok(()),
        };
        run.applied.updated += 1;
        audit::append(conn, self.commune.id, self.actor, event.details(details))?;
        Ok(())
    }
}

impl Sink<Parsed> for Write<'_> {
    fn write(
        &mut self,
        conn: &mut DbConn,
        batch: Batch<Parsed>,
        run: &mut Run,
    ) -> DomainResult<()> {
        // A refused file writes nothing: matching would be rolled back anyway.
        if !run.report.is_clean() {
            return Ok(());
        }
        for (row, parsed) in &batch {
            if let Some(p) = parsed {
                self.line(conn, row, p, run)?;
            }
        }
        Ok(())
    }
}

/// Imports a bank statement of `commune`: every line kept, what it matches reconciled.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    source: CsvSource,
    opts: &import::Options,
    actor: &Actor,
) -> DomainResult<import::Outcome> {
    let journal = Journal::new(commune.id, actor, opts);
    import::run(conn, source, &SPEC, &journal, |_, cols, _| {
        let check = Check {
            date: cols.col("date"),
            reference: cols.col("reference"),
            amount: cols.col("amount"),
            label: cols.col("label"),
        };
        Ok((check, Write { commune, actor }))
    })
}

//! Execution records from CSV, all or nothing, through the one import driver
//! ([`crate::tabular::import`]): `type,reference,date,amount` and, as the type needs,
//! `article,label,commitment`. The type is `engagement`, `mandat` or `titre`; a mandat
//! names its commitment's reference, which may be a commitment earlier in the same
//! file. Each row goes through the same rules as the forms ([`spending::record`]), so a
//! file and a form refuse the same things with the same messages.

use serde_json::json;

use super::spending::{self, Record, RecordKind};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::fields;
use crate::tabular::import::{self, Batch, Journal, Kind, Run, Sink, Spec};
use crate::tabular::{keep, Col, Columns, CsvSource, Report, Row};

pub const COLUMNS: &[&str] = &["type", "reference", "date", "amount"];
pub const OPTIONAL: &[&str] = &["article", "label", "commitment"];

/// A small file the page shows as an example.
pub const EXAMPLE: &str = "type,reference,date,article,amount,label,commitment\n\
engagement,ENG-2026-014,2026-03-02,6111,450000,Papeterie Ndiaye,\n\
mandat,M-2026-031,2026-03-20,,300000,,ENG-2026-014\n\
titre,TR-2026-002,2026-02-15,7411,12000000,Fonds de dotation de la décentralisation,\n";

const SPEC: Spec = Spec {
    kind: "spending",
    required: COLUMNS,
    optional: OPTIONAL,
};

struct Parsed {
    kind: RecordKind,
    record: Record,
}

struct Check {
    kind: Col,
    reference: Col,
    date: Col,
    article: Col,
    amount: Col,
    label: Col,
    commitment: Col,
}

impl Check {
    fn col(&self, field: &str) -> Col {
        match field {
            "date" => self.date,
            "article" => self.article,
            "amount" => self.amount,
            "label" => self.label,
            "commitment" => self.commitment,
            _ => self.reference,
        }
    }
}

fn kind_of(v: &str) -> Result<RecordKind, Refusal> {
    let names: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
    let chosen = fields::enum_value(v, &names)?;
    RecordKind::parse(chosen).ok_or_else(|| Refusal::new(fields::keys::NOT_IN_LIST))
}

impl Kind for Check {
    type Parsed = Parsed;

    fn parse(&self, row: &Row, report: &mut Report) -> Option<Parsed> {
        let kind = keep(row.parse(self.kind, kind_of), report);
        let reference = keep(row.parse(self.reference, fields::required), report);
        let on = keep(row.parse(self.date, fields::date), report);
        let amount = keep(row.parse(self.amount, fields::amount), report);
        Some(Parsed {
            kind: kind?,
            record: Record {
                reference: reference?.to_string(),
                on: Some(on?),
                article: row.at(self.article).to_string(),
                amount: amount?,
                label: row.at(self.label).to_string(),
                commitment: row.at(self.commitment).to_string(),
            },
        })
    }
}

struct Write<'a> {
    commune: &'a Commune,
    year: i64,
    actor: &'a Actor,
    cols: Check,
    file: &'a str,
}

impl Sink<Parsed> for Write<'_> {
    fn write(
        &mut self,
        conn: &mut DbConn,
        batch: Batch<Parsed>,
        run: &mut Run,
    ) -> DomainResult<()> {
        for (row, parsed) in &batch {
            let Some(p) = parsed else { continue };
            let refusals = match spending::record(
                conn,
                self.commune,
                self.year,
                p.kind,
                &p.record,
                self.actor,
            ) {
                Ok(()) => {
                    run.applied.created += 1;
                    continue;
                }
                Err(DomainError::Refused(r)) => vec![r],
                Err(DomainError::Invalid(list)) => list,
                Err(e @ DomainError::Db(_)) => return Err(e),
            };
            for r in refusals {
                let col = self.cols.col(r.field.unwrap_or("reference"));
                run.report.push(row.issue(col, r));
            }
        }
        Ok(())
    }

    fn finish(&mut self, conn: &mut DbConn, run: &mut Run) -> DomainResult<()> {
        if !run.report.is_clean() {
            return Ok(());
        }
        audit::append(
            conn,
            self.commune.id,
            self.actor,
            Event::new("budget.import", "import", run.applied.import).details(json!({
                "year": self.year, "records": run.applied.created, "file": self.file,
            })),
        )?;
        Ok(())
    }
}

/// Imports a file of execution records of `year`.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    source: CsvSource,
    opts: &import::Options,
    actor: &Actor,
) -> DomainResult<import::Outcome> {
    let journal = Journal::new(commune.id, actor, opts);
    import::run(conn, source, &SPEC, &journal, |_, cols: &Columns, _| {
        let check = || Check {
            kind: cols.col("type"),
            reference: cols.col("reference"),
            date: cols.col("date"),
            article: cols.col("article"),
            amount: cols.col("amount"),
            label: cols.col("label"),
            commitment: cols.col("commitment"),
        };
        let write = Write {
            commune,
            year,
            actor,
            cols: check(),
            file: &opts.file_name,
        };
        Ok((check(), write))
    })
}

//! The one all-or-nothing import: every kind of row (taxpayers, items, roll lines, and
//! next voters, paper ballots and budget lines) plugs into [`run`].
//!
//! 1. The header is checked before anything is written: a file with a missing column is
//!    refused without opening a transaction.
//! 2. One write transaction opens; the import is recorded in the journal (the `imports`
//!    table), under the commune's lock.
//! 3. Rows are read and checked on a second thread (the kind's [`Kind::parse`]) while this
//!    one writes the previous batch (the kind's [`Kind::write`]): the machine's two cores
//!    share the work, and a queue of a few batches keeps memory flat.
//! 4. Every bad row becomes an issue of the [`Report`] and the import goes on to find the
//!    others. If the report is not clean at the end, the transaction rolls back and
//!    nothing is written; otherwise the journal records the counts and the audit log one
//!    entry `import.<kind>` with the file's SHA-256.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use super::{Col, Columns, CsvSource, Issue, Report, Row};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{imports, users};
use crate::db::{self, DbConn};
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{CommuneId, ImportId};

/// Rows handed from the reading thread to the writing one at a time.
pub const BATCH: usize = 500;

/// What the person asked for, and the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rows whose reference exists are updated instead of refused.
    pub update: bool,
    pub file_name: String,
    pub file_sha256: String,
}

impl Options {
    /// The options for a file on disk: its name and SHA-256.
    pub fn for_file(path: &std::path::Path, update: bool) -> std::io::Result<Options> {
        Ok(Options {
            update,
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            file_sha256: file_sha256(path)?,
        })
    }
}

/// What an applied import did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub import: ImportId,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
}

/// What an import did: applied (with its notes, such as ignored columns), or refused
/// with the report of every bad row.
#[derive(Debug)]
pub enum Outcome {
    Applied(Applied, Report),
    Rejected(Report),
}

impl Outcome {
    pub fn rejected(issue: Issue) -> Outcome {
        let mut report = Report::new();
        report.push(issue);
        Outcome::Rejected(report)
    }
}

/// The columns of a kind of file and its name in the journal.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// `taxpayers`, `items`, `roll`: the journal's kind, and the audit action
    /// `import.<kind>`.
    pub kind: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

/// Where an import is recorded: the commune, who, and the file.
pub struct Journal<'a> {
    pub commune: CommuneId,
    pub actor: &'a Actor,
    pub options: &'a Options,
}

impl<'a> Journal<'a> {
    pub fn new(commune: CommuneId, actor: &'a Actor, options: &'a Options) -> Journal<'a> {
        Journal {
            commune,
            actor,
            options,
        }
    }
}

/// A kind of row, for the reading thread: it checks one row.
pub trait Kind: Sync {
    /// A row once checked, sent to the writing thread.
    type Parsed: Send;

    /// The row's value, or `None` with its issues pushed to `issues`.
    fn parse(&self, row: &Row, issues: &mut Report) -> Option<Self::Parsed>;
}

/// A batch of rows, in file order, each with its value (`None` when it was refused).
pub type Batch<P> = Vec<(Row, Option<P>)>;

/// A kind of row, for the writing thread: it writes a batch inside the import's
/// transaction, counting into `tally` and reporting into `report`.
pub trait Sink<P> {
    fn write(&mut self, conn: &mut DbConn, batch: Batch<P>, run: &mut Run) -> DomainResult<()>;

    /// After the last batch: what is left to write.
    fn finish(&mut self, _conn: &mut DbConn, _run: &mut Run) -> DomainResult<()> {
        Ok(())
    }
}

/// An import under way: its journal entry, its counts and its report.
pub struct Run {
    pub applied: Applied,
    pub report: Report,
    pub update: bool,
}

/// Runs an import: `setup` reads what the rows are checked against and gives the kind's
/// checker and writer. See the module documentation for the steps.
pub fn run<K, S>(
    conn: &mut DbConn,
    source: CsvSource,
    spec: &Spec,
    journal: &Journal<'_>,
    setup: impl FnOnce(&mut DbConn, &Columns, &Run) -> DomainResult<(K, S)>,
) -> DomainResult<Outcome>
where
    K: Kind,
    S: Sink<K::Parsed>,
{
    // The header first, outside any transaction.
    let mut notes = Report::new();
    let cols = match source.columns(spec.required, spec.optional) {
        Ok(cols) => cols,
        Err(issues) => {
            issues.into_iter().for_each(|i| notes.push(i));
            return Ok(Outcome::Rejected(notes));
        }
    };
    cols.notes().into_iter().for_each(|n| notes.note(n));
    let result = db::bulk(conn, |conn| {
        db::write_tx(conn, |conn| -> Result<(Applied, Report), Abort> {
            let import = open(conn, spec, journal)?;
            let mut run = Run {
                applied: Applied {
                    import,
                    rows: 0,
                    created: 0,
                    updated: 0,
                },
                report: notes,
                update: journal.options.update,
            };
            let (kind, mut sink) = setup(conn, &cols, &run)?;
            read_ahead(source, &kind, |batch, read, issues| -> Result<(), Abort> {
                run.applied.rows += read;
                for issue in issues.issues() {
                    run.report.push(issue.clone());
                }
                sink.write(conn, batch, &mut run)?;
                Ok(())
            })?;
            sink.finish(conn, &mut run)?;
            if !run.report.is_clean() {
                return Err(Abort::Rejected(run.report));
            }
            close(conn, spec, journal, &run.applied)?;
            Ok((run.applied, run.report))
        })
    })?;
    match result {
        Ok((applied, notes)) => Ok(Outcome::Applied(applied, notes)),
        Err(Abort::Rejected(report)) => Ok(Outcome::Rejected(report)),
        Err(Abort::Failed(e)) => Err(e),
    }
}

/// Why the import's transaction rolls back.
enum Abort {
    Rejected(Report),
    Failed(DomainError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Failed(e.into())
    }
}

impl From<DomainError> for Abort {
    fn from(e: DomainError) -> Self {
        Abort::Failed(e)
    }
}

impl From<Refusal> for Abort {
    fn from(e: Refusal) -> Self {
        Abort::Failed(e.into())
    }
}

/// Reads and checks the rows on a second thread while this one writes the previous
/// batch. `write` gets each batch in file order, with the number of data rows read and
/// the issues found while reading; when it fails, reading stops and the error is
/// returned.
fn read_ahead<K: Kind, E>(
    source: CsvSource,
    kind: &K,
    mut write: impl FnMut(Batch<K::Parsed>, u64, Report) -> Result<(), E>,
) -> Result<(), E> {
    struct Chunk<P> {
        rows: Batch<P>,
        read: u64,
        issues: Report,
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk<K::Parsed>>(4);
        scope.spawn(move || {
            let fresh = || Chunk {
                rows: Vec::with_capacity(BATCH),
                read: 0,
                issues: Report::new(),
            };
            let mut chunk = fresh();
            for row in source.rows() {
                let row = match row {
                    Ok(row) => row,
                    Err(issue) => {
                        chunk.issues.push(issue);
                        continue;
                    }
                };
                chunk.read += 1;
                let parsed = kind.parse(&row, &mut chunk.issues);
                chunk.rows.push((row, parsed));
                if chunk.rows.len() >= BATCH
                    && tx.send(std::mem::replace(&mut chunk, fresh())).is_err()
                {
                    return; // the writer stopped
                }
            }
            let _ = tx.send(chunk);
        });
        for chunk in rx {
            write(chunk.rows, chunk.read, chunk.issues)?;
        }
        Ok(())
    })
}

/// Records the import in the journal, under the commune's lock.
fn open(conn: &mut DbConn, spec: &Spec, j: &Journal<'_>) -> QueryResult<ImportId> {
    crate::communes::lock(conn, j.commune)?;
    diesel::insert_into(imports::table)
        .values((
            imports::commune_id.eq(j.commune),
            imports::kind.eq(spec.kind),
            imports::file_name.eq(&j.options.file_name),
            imports::file_sha256.eq(&j.options.file_sha256),
            imports::rows.eq(0),
            imports::created.eq(0),
            imports::updated.eq(0),
            imports::user_id.eq(j.actor.id),
            imports::created_at.eq(db::now()),
        ))
        .returning(imports::id)
        .get_result(conn)
}

/// Records the counts, and the import in the audit log.
fn close(conn: &mut DbConn, spec: &Spec, j: &Journal<'_>, applied: &Applied) -> QueryResult<()> {
    diesel::update(imports::table.find(applied.import))
        .set((
            imports::rows.eq(applied.rows as i64),
            imports::created.eq(applied.created as i64),
            imports::updated.eq(applied.updated as i64),
        ))
        .execute(conn)?;
    let opts = j.options;
    audit::append(
        conn,
        j.commune,
        j.actor,
        Event::new(&format!("import.{}", spec.kind), "import", applied.import).details(
            serde_json::json!({
                "file": opts.file_name, "sha256": opts.file_sha256, "rows": applied.rows,
                "created": applied.created, "updated": applied.updated, "update_mode": opts.update,
            }),
        ),
    )
    .map(|_| ())
}

/// One import of the journal, as the imports page lists it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct PastImport {
    pub kind: String,
    pub file_name: String,
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub user: Option<String>,
    pub at: chrono::NaiveDateTime,
}

/// The commune's last `limit` imports, newest first.
pub fn recent(conn: &mut DbConn, commune: CommuneId, limit: i64) -> QueryResult<Vec<PastImport>> {
    imports::table
        .left_join(users::table)
        .filter(imports::commune_id.eq(commune))
        .order(imports::id.desc())
        .limit(limit)
        .select((
            imports::kind,
            imports::file_name,
            imports::rows,
            imports::created,
            imports::updated,
            users::name.nullable(),
            imports::created_at,
        ))
        .load(conn)
}

/// SHA-256 of a file, for the journal.
pub fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut file, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// The message keys of the reference checks.
pub mod keys {
    pub const REF_EXISTS: &str = "register.ref_exists";
    pub const REF_TWICE: &str = "register.ref_twice";
}

/// What to do with one row of a batch keyed by a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<Id> {
    Insert,
    Update(Id),
    Skip,
}

/// The reference checks of a file whose rows each carry a reference (a taxpayer's, an
/// item's, next a voter's): a reference given twice in the file is refused, one already
/// in the database is updated (with `update`) or refused. A reference seen twice is
/// caught through the database (each row records the import that wrote it), so memory
/// stays flat on a million rows; only the references of rows refused for another
/// reason are kept here (bounded by the number of bad rows).
#[derive(Debug, Default)]
pub struct References {
    refused: HashMap<String, u64>,
}

impl References {
    /// Decides each row of a batch. `rows` gives each row, its reference, and whether
    /// its other fields are valid; `existing` maps the batch's references already in the
    /// database to their id and the import that wrote them.
    pub fn decide<'a, Id: Copy>(
        &mut self,
        rows: impl Iterator<Item = (&'a Row, &'a str, bool)>,
        existing: &HashMap<String, (Id, Option<ImportId>)>,
        run: &mut Run,
        c_ref: Col,
    ) -> Vec<Decision<Id>> {
        let mut first_line: HashMap<&str, u64> = HashMap::new();
        let (import, update) = (run.applied.import, run.update);
        rows.map(|(row, reference, valid)| {
            let earlier = first_line
                .get(reference)
                .or_else(|| self.refused.get(reference))
                .copied();
            let decision = if reference.is_empty() {
                Decision::Skip
            } else if let Some(first) = earlier {
                run.report.push(row.issue(
                    c_ref,
                    Refusal::new(super::keys::DUPLICATE_VALUE).arg("first_line", first),
                ));
                Decision::Skip
            } else {
                match existing.get(reference) {
                    Some((_, Some(by))) if *by == import => {
                        run.report
                            .push(row.issue(c_ref, Refusal::new(keys::REF_TWICE)));
                        Decision::Skip
                    }
                    Some(_) if !update => {
                        run.report
                            .push(row.issue(c_ref, Refusal::new(keys::REF_EXISTS)));
                        Decision::Skip
                    }
                    Some((id, _)) if valid => Decision::Update(*id),
                    None if valid => Decision::Insert,
                    _ => Decision::Skip,
                }
            };
            if !reference.is_empty() {
                first_line.entry(reference).or_insert(row.line);
                if !valid {
                    self.refused
                        .entry(reference.to_string())
                        .or_insert(row.line);
                }
            }
            decision
        })
        .collect()
    }
}

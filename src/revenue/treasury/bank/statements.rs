//! The statements imported and their lines, as the pages list them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::{Matched, Reason, KIND};
use crate::db::schema::{bank_lines, cashups, imports, payments, users};
use crate::db::DbConn;
use crate::ids::{CashupId, CommuneId, ImportId};
use crate::money::Xof;

/// An imported statement, with how its lines came out.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub import: ImportId,
    pub file_name: String,
    pub at: NaiveDateTime,
    pub by: Option<String>,
    pub lines: i64,
    pub reconciled: i64,
    pub already: i64,
    pub unmatched: i64,
}

/// The commune's statements, newest first (`only`: just that one).
pub fn statements(
    conn: &mut DbConn,
    commune: CommuneId,
    only: Option<ImportId>,
    limit: i64,
) -> QueryResult<Vec<Statement>> {
    let mut q = imports::table
        .left_join(users::table)
        .filter(imports::commune_id.eq(commune))
        .filter(imports::kind.eq(KIND))
        .order(imports::id.desc())
        .limit(limit)
        .select((
            imports::id,
            imports::file_name,
            imports::created_at,
            users::name.nullable(),
        ))
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(imports::id.eq(id));
    }
    let found: Vec<(ImportId, String, NaiveDateTime, Option<String>)> = q.load(conn)?;
    let ids: Vec<ImportId> = found.iter().map(|s| s.0).collect();
    let counts: Vec<(ImportId, Matched, i64)> = bank_lines::table
        .filter(bank_lines::import_id.eq_any(&ids))
        .group_by((bank_lines::import_id, bank_lines::outcome))
        .select((
            bank_lines::import_id,
            bank_lines::outcome,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut by: HashMap<(ImportId, Matched), i64> = HashMap::new();
    for (id, m, n) in counts {
        by.insert((id, m), n);
    }
    let n = |id, m| by.get(&(id, m)).copied().unwrap_or(0);
    Ok(found
        .into_iter()
        .map(|(import, file_name, at, user)| Statement {
            reconciled: n(import, Matched::Deposit) + n(import, Matched::Payment),
            already: n(import, Matched::Already),
            unmatched: n(import, Matched::Unmatched),
            lines: Matched::ALL.iter().map(|m| n(import, *m)).sum(),
            import,
            file_name,
            at,
            by: user,
        })
        .collect())
}

/// A statement line as the pages show it, with the deposit or receipt it names.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Line {
    pub import: ImportId,
    pub line: i64,
    pub booked_on: NaiveDate,
    pub reference: String,
    pub amount: Xof,
    pub label: String,
    pub matched: Matched,
    pub reason: Option<Reason>,
    pub expected: Option<Xof>,
    pub cashup: Option<CashupId>,
    pub deposit_number: Option<String>,
    pub receipt_number: Option<String>,
}

/// The lines of one statement in file order, or the commune's unmatched lines, newest
/// first.
pub fn lines(
    conn: &mut DbConn,
    commune: CommuneId,
    of: Option<ImportId>,
    limit: i64,
) -> QueryResult<Vec<Line>> {
    let q = bank_lines::table
        .left_join(cashups::table)
        .left_join(payments::table)
        .filter(bank_lines::commune_id.eq(commune))
        .select((
            bank_lines::import_id,
            bank_lines::line,
            bank_lines::booked_on,
            bank_lines::reference,
            bank_lines::amount,
            bank_lines::label,
            bank_lines::outcome,
            bank_lines::reason,
            bank_lines::expected,
            bank_lines::cashup_id,
            cashups::deposit_number.nullable(),
            payments::receipt_number.nullable(),
        ))
        .limit(limit)
        .into_boxed();
    match of {
        Some(import) => q
            .filter(bank_lines::import_id.eq(import))
            .order(bank_lines::line.asc())
            .load(conn),
        None => q
            .filter(bank_lines::outcome.eq(Matched::Unmatched))
            .order(bank_lines::id.desc())
            .load(conn),
    }
}

//! The database: both backends' migrated schemas match `src/db/schema.rs`, every
//! migration reverts, and SQLite connections carry their pragmas.

use std::collections::BTreeMap;

use commune::db::{self, Create, DbConn};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::helpers::{manifest_dir, TestDb};

/// table → [(column, type as written in schema.rs)]
type Schema = BTreeMap<String, Vec<(String, String)>>;

/// Reads the `diesel::table!` blocks of `src/db/schema.rs`.
fn declared_schema() -> Schema {
    let text = std::fs::read_to_string(manifest_dir().join("src/db/schema.rs")).unwrap();
    let mut schema = Schema::new();
    let mut current: Option<String> = None;
    let mut sql_name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line
            .strip_prefix("#[sql_name = \"")
            .and_then(|l| l.strip_suffix("\"]"))
        {
            sql_name = Some(name.to_string());
            continue;
        }
        if current.is_none() {
            if let Some(head) = line.strip_suffix('{').filter(|h| h.contains('(')) {
                let name = head.split('(').next().unwrap().trim().to_string();
                schema.insert(name.clone(), Vec::new());
                current = Some(name);
            }
        } else if line.starts_with('}') {
            current = None;
        } else if let Some((col, ty)) = line.trim_end_matches(',').split_once("->") {
            let col = sql_name.take().unwrap_or_else(|| col.trim().to_string());
            schema
                .get_mut(current.as_ref().unwrap())
                .unwrap()
                .push((col, ty.trim().to_string()));
        }
    }
    schema
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    nullable: i64,
}

/// What the live database says, in schema.rs's vocabulary.
fn live_schema(conn: &mut DbConn) -> Schema {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, upper(p.type) AS data_type, \
             CAST(CASE WHEN p.\"notnull\" = 0 AND p.pk = 0 THEN 1 ELSE 0 END AS BIGINT) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             JOIN pragma_table_list l ON l.schema = 'main' AND l.name = m.name \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
             AND l.type = 'table' \
             ORDER BY m.name, p.cid"
        }
        DbConn::Pg(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, \
             CAST(CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS BIGINT) AS nullable \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
             ORDER BY table_name, ordinal_position"
        }
    };
    let rows: Vec<Column> = diesel::sql_query(sql).load(conn).unwrap();
    let mut schema = Schema::new();
    for r in rows {
        let base = match r.data_type.as_str() {
            // SQLite's INTEGER PRIMARY KEY is the 64-bit rowid.
            "INTEGER" | "BIGINT" | "bigint" => "BigInt",
            "TEXT" | "text" => "Text",
            "BOOLEAN" | "boolean" => "Bool",
            "TIMESTAMP" | "timestamp without time zone" => "Timestamp",
            "DATE" | "date" => "Date",
            other => panic!(
                "{}.{} has type {other}, which schema.rs cannot express portably",
                r.table_name, r.column_name
            ),
        };
        let ty = if r.nullable == 1 {
            format!("Nullable<{base}>")
        } else {
            base.to_string()
        };
        schema
            .entry(r.table_name)
            .or_default()
            .push((r.column_name, ty));
    }
    schema
}

/// Compares table by table, so that a failure names the table that differs.
fn assert_same(live: &Schema, declared: &Schema) {
    let live_tables: Vec<_> = live.keys().collect();
    let declared_tables: Vec<_> = declared.keys().collect();
    assert_eq!(live_tables, declared_tables, "tables differ");
    for (table, columns) in declared {
        assert_eq!(
            &live[table], columns,
            "table {table} differs from schema.rs"
        );
    }
}

fn fresh() -> (TestDb, db::DbPool) {
    let test_db = TestDb::new();
    let pool = db::open(&test_db.url(), Create::Allowed).unwrap();
    (test_db, pool)
}

#[test]
fn the_migrated_schema_is_exactly_the_one_in_schema_rs() {
    let (_db, pool) = fresh();
    let mut conn = pool.get().unwrap();
    db::migrate(&mut conn).unwrap();
    let declared = declared_schema();
    assert!(declared.len() >= 7, "schema.rs parsed: {declared:?}");
    assert_same(&live_schema(&mut conn), &declared);
}

#[test]
fn every_migration_reverts_and_applies_again() {
    let (_db, pool) = fresh();
    let mut conn = pool.get().unwrap();
    let applied = db::migrate(&mut conn).unwrap();
    assert!(applied >= 1);
    assert_eq!(db::revert_all(&mut conn).unwrap(), applied);
    assert!(
        live_schema(&mut conn).is_empty(),
        "down migrations leave tables behind"
    );
    assert_eq!(db::migrate(&mut conn).unwrap(), applied);
    assert_same(&live_schema(&mut conn), &declared_schema());
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

#[test]
fn sqlite_connections_use_wal_foreign_keys_a_busy_timeout_and_normal_sync() {
    let dir = tempfile::tempdir().unwrap();
    let pool = db::open(
        &format!("sqlite://{}/p.db", dir.path().display()),
        Create::Allowed,
    )
    .unwrap();
    let mut conn = pool.get().unwrap();
    let mut read = |name: &str| -> String {
        let column = if name == "busy_timeout" {
            "timeout"
        } else {
            name
        };
        diesel::sql_query(format!(
            "SELECT CAST({column} AS TEXT) AS value FROM pragma_{name}"
        ))
        .get_result::<Pragma>(&mut conn)
        .unwrap()
        .value
    };
    assert_eq!(read("journal_mode"), "wal");
    assert_eq!(read("foreign_keys"), "1");
    assert_eq!(read("busy_timeout"), "30000");
    assert_eq!(read("synchronous"), "1");
}

#[test]
fn a_missing_sqlite_file_is_never_created_where_it_is_not_expected() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/typo.db", dir.path().display());
    let err = db::open(&url, Create::Refused).err().unwrap().to_string();
    assert!(err.contains("does not exist"), "{err}");
    assert!(!dir.path().join("typo.db").exists());
}

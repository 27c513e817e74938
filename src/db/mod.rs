//! The database: one connection type over SQLite and PostgreSQL, chosen from the URL.
//!
//! Everything above this module sees [`DbConn`] and [`DbPool`]; backend-specific SQL
//! stays inside a small `match` on the inner connection, here or next to its caller.

pub mod checkpoints;
pub mod schema;
mod url;
mod writers;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use self::url::{Backend, DbUrl, DbUrlError};
pub use self::writers::{Failed, WriteGate, Writers};

/// A connection to either backend. Queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<DbManager>;
pub type PooledConn = r2d2::PooledConnection<DbManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Pragmas set on every SQLite connection (see `../shared/design/CRATES.md`). SQLite has
/// one writer at a time: the 30 s busy timeout lets a page's write wait behind the
/// largest upload's import (a million rows take under 10 s) instead of failing. The
/// server copies the log back into the database beside its writers ([`checkpoints`]);
/// a writer does it only once the log passes 10,000 pages (40 MB).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; \
     PRAGMA wal_autocheckpoint = 10000;";

/// Opens connections for the pool, on the backend the URL names.
#[derive(Debug, Clone)]
pub struct DbManager {
    url: DbUrl,
}

impl DbManager {
    pub fn connect(&self) -> Result<DbConn, diesel::ConnectionError> {
        match &self.url {
            DbUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
            DbUrl::Postgres(url) => Ok(DbConn::Pg(PgConnection::establish(url)?)),
        }
    }
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        DbManager::connect(self).map_err(r2d2::Error::ConnectionError)
    }

    /// Run at every check-out. On SQLite it also turns foreign keys back on, should a
    /// bulk write ([`bulk`]) have ended in a panic before doing so itself. Only then:
    /// setting the pragma, even to its value, expires every statement the connection
    /// has prepared.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        match conn {
            DbConn::Sqlite(c) => {
                if foreign_keys_on(c).map_err(r2d2::Error::QueryError)? {
                    return Ok(());
                }
                c.batch_execute("PRAGMA foreign_keys = ON")
            }
            DbConn::Pg(c) => c.batch_execute("SELECT 1"),
        }
        .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        DbConn::is_broken_transaction_manager(conn)
    }
}

#[derive(diesel::QueryableByName)]
struct ForeignKeys {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    foreign_keys: i64,
}

/// Whether SQLite checks foreign keys on this connection.
fn foreign_keys_on(conn: &mut SqliteConnection) -> diesel::QueryResult<bool> {
    use diesel::RunQueryDsl;
    let pragma: ForeignKeys = diesel::sql_query("PRAGMA foreign_keys").get_result(conn)?;
    Ok(pragma.foreign_keys == 1)
}

/// Why the database could not be opened, in one line fit for a terminal.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Url(#[from] DbUrlError),
    #[error("cannot open database {url}: {reason}")]
    Connect { url: String, reason: String },
}

/// How [`open`] treats a SQLite file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// `serve`, `migrate`, `seed`: create the file (its folder must exist).
    Allowed,
    /// Every other command: a missing file is an error, never a new empty database.
    Refused,
}

/// How much of a savepoint's journal (the pages it changed, as they were before) SQLite
/// keeps in memory before it writes it to a temporary file: 4 MiB, against SQLite's
/// 64 KiB. A grouped write ([`Writers::grouped`]) runs each payment in a savepoint of its
/// own, and a payment changes more than sixteen pages (the payment, its allocations, its
/// audit entry, their indexes): past 64 KiB the journal went to a file, written again
/// for every payment. Kept in memory, it is emptied when the savepoint ends.
const SAVEPOINT_JOURNAL_IN_MEMORY: usize = 4 << 20;

/// SQLite's library-wide settings, made once before the first connection opens:
/// multi-thread mode (a connection is only ever used by one thread at a time, which r2d2
/// guarantees, so SQLite needs no mutex of its own around each call), no memory
/// statistics (they take a global mutex on every allocation), and savepoints journalled
/// in memory ([`SAVEPOINT_JOURNAL_IN_MEMORY`]).
fn configure_sqlite_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use libsqlite3_sys as ffi;
        // SAFETY: sqlite3_config must run before the library is initialised, that is
        // before any connection exists; `open` is the only place connections come from,
        // and this runs first, once. A failure (library already initialised) only leaves
        // SQLite's defaults in place.
        unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD);
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_STMTJRNL_SPILL,
                SAVEPOINT_JOURNAL_IN_MEMORY as std::ffi::c_int,
            );
        }
    });
}

/// Parses the URL, checks that the database answers, and builds a pool (the server).
pub fn open(url: &str, create: Create) -> Result<DbPool, OpenError> {
    let (manager, shown) = manager(url, create)?;
    // Connect once first, so that a bad URL fails fast with the server's own reason.
    manager.connect().map_err(|e| OpenError::Connect {
        url: shown.clone(),
        reason: first_line(&e.to_string()),
    })?;
    let size = match manager.url.backend() {
        Backend::Sqlite => 8,
        Backend::Postgres => 10,
    };
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| OpenError::Connect {
            url: shown,
            reason: first_line(&e.to_string()),
        })
}

/// One connection, no pool (the command line): nothing runs in the background, so
/// nothing is still talking to the database when the process exits.
pub fn open_one(url: &str, create: Create) -> Result<DbConn, OpenError> {
    let (manager, shown) = manager(url, create)?;
    manager.connect().map_err(|e| OpenError::Connect {
        url: shown,
        reason: first_line(&e.to_string()),
    })
}

fn manager(url: &str, create: Create) -> Result<(DbManager, String), OpenError> {
    configure_sqlite_library();
    let parsed = DbUrl::parse(url)?;
    if let (DbUrl::Sqlite(path), Create::Refused) = (&parsed, create) {
        if !path.exists() {
            return Err(DbUrlError::Missing(path.display().to_string()).into());
        }
    }
    let shown = parsed.redacted();
    Ok((DbManager { url: parsed }, shown))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

/// Runs every pending migration of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConn) -> anyhow::Result<usize> {
    let ran = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
    };
    ran.map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

/// Reverts every migration (used by the migration round-trip test).
pub fn revert_all(conn: &mut DbConn) -> anyhow::Result<usize> {
    let ran = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Pg(c) => c.revert_all_migrations(PG_MIGRATIONS).map(|v| v.len()),
    };
    ran.map_err(|e| anyhow::anyhow!("migration revert failed: {e}"))
}

/// Runs `f` with the connection tuned for a bulk write (an import): on SQLite a page
/// cache of `BULK_CACHE_KIB` (an index insert then rarely spills or re-reads a page),
/// statement journals in memory, and foreign keys unchecked. An import resolves every
/// reference it writes from rows it read in its own transaction (its commune, the
/// commune's districts, taxpayers, items, tax types), so SQLite's check would look each
/// parent up a second time, row after row (about 0.3 s of a million-row import). The
/// same imports run on PostgreSQL, which checks every reference, in every test. The
/// defaults come back afterwards, and at the pool's next check-out in any case
/// ([`DbManager`]'s `is_valid`). PostgreSQL needs nothing of the kind.
pub fn bulk<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> T) -> diesel::QueryResult<T> {
    let sqlite = matches!(conn, DbConn::Sqlite(_));
    if sqlite {
        let kib: i64 = std::env::var("COMMUNE_BULK_CACHE_KIB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(BULK_CACHE_KIB);
        conn.batch_execute(&format!(
            "PRAGMA cache_size = -{kib}; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;"
        ))?;
    }
    let out = f(conn);
    if sqlite {
        conn.batch_execute(
            "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA foreign_keys = ON;",
        )?;
    }
    Ok(out)
}

/// The page cache of a bulk write on SQLite, in KiB (the default is 2 000).
pub const BULK_CACHE_KIB: i64 = 65_536;

/// Runs the same diesel code on the inner connection of either backend: for the few
/// statements the `MultiConnection` enum cannot express (multi-row inserts, upserts).
#[macro_export]
macro_rules! on_inner {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

/// The backend of a live connection.
pub fn backend(conn: &DbConn) -> Backend {
    match conn {
        DbConn::Sqlite(_) => Backend::Sqlite,
        DbConn::Pg(_) => Backend::Postgres,
    }
}

/// The current UTC time to the microsecond: what both backends store exactly, so that a
/// value read back equals the value written (the audit chain hashes it).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// Runs `f` in a read-only transaction that sees one snapshot of the database from its
/// first read to its end, so that a long export read page by page is consistent even if
/// someone writes meanwhile (PostgreSQL `REPEATABLE READ`; an SQLite read transaction
/// in WAL mode is a snapshot already).
pub fn snapshot<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let DbConn::Pg(_) = conn {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        f(conn)
    })
}

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so that two
/// writers queue on the lock instead of failing when one upgrades from reading.
/// Nested `conn.transaction(..)` calls inside `f` become savepoints as usual.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Pg(_) => conn.transaction(f),
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    DbConn::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    DbConn::rollback_transaction(conn)?;
                    Err(e)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn foreign_keys(conn: &mut DbConn) -> i64 {
        match conn {
            DbConn::Sqlite(c) => foreign_keys_on(c).unwrap() as i64,
            DbConn::Pg(_) => unreachable!("a SQLite file"),
        }
    }

    #[test]
    fn a_bulk_write_checks_no_foreign_key_and_every_other_write_does() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fk.db").display());
        let pool = open(&url, Create::Allowed).unwrap();
        let mut conn = pool.get().unwrap();
        assert_eq!(foreign_keys(&mut conn), 1);
        let inside = bulk(&mut conn, foreign_keys).unwrap();
        assert_eq!((inside, foreign_keys(&mut conn)), (0, 1));
        // Left off (a bulk write that panicked): on again at the next check-out.
        conn.batch_execute("PRAGMA foreign_keys = OFF").unwrap();
        drop(conn);
        let mut conns: Vec<_> = (0..8).map(|_| pool.get().unwrap()).collect();
        assert!(conns.iter_mut().all(|c| foreign_keys(c) == 1));
    }

    std::thread_local! {
        /// The last SQLite connection opened on this thread.
        static OPENED: std::cell::Cell<*mut libsqlite3_sys::sqlite3> =
            const { std::cell::Cell::new(std::ptr::null_mut()) };
    }

    unsafe extern "C" fn remember(
        db: *mut libsqlite3_sys::sqlite3,
        _error: *mut *mut std::ffi::c_char,
        _api: *const libsqlite3_sys::sqlite3_api_routines,
    ) -> std::ffi::c_int {
        OPENED.with(|o| o.set(db));
        0
    }

    /// How many times the connection's statements were compiled again.
    fn recompiled(db: *mut libsqlite3_sys::sqlite3) -> i32 {
        use libsqlite3_sys as ffi;
        let (mut stmt, mut n) = (std::ptr::null_mut(), 0);
        // SAFETY: `db` is open (its connection is alive) and used by this thread only.
        unsafe {
            loop {
                stmt = ffi::sqlite3_next_stmt(db, stmt);
                if stmt.is_null() {
                    return n;
                }
                n += ffi::sqlite3_stmt_status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
            }
        }
    }

    /// Twenty look-ups of a payment by its form token, each with other values, written
    /// as the code writes them (`get_result`) or with a bound `LIMIT` (the control).
    fn look_ups(conn: &mut DbConn, limited: bool) {
        use crate::db::schema::payments;
        use crate::ids::CommuneId;
        use diesel::prelude::*;
        for i in 0..20 {
            let found = payments::table
                .filter(payments::commune_id.eq(CommuneId(i)))
                .filter(payments::form_token.eq(format!("jeton-{i}")))
                .select(payments::receipt_number);
            let found: Option<String> = if limited {
                found.limit(1).get_result(conn)
            } else {
                found.get_result(conn)
            }
            .optional()
            .unwrap();
            assert_eq!(found, None);
        }
    }

    /// A cached look-up is compiled once, whatever values it runs with. The control: a
    /// statement whose `LIMIT` is bound is compiled again at each use, as SQLite plans
    /// with that value (why `clippy.toml` forbids diesel's `first`).
    #[test]
    fn a_cached_look_up_is_compiled_once_whatever_its_values() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plans.db").display());
        migrate(&mut open_one(&url, Create::Allowed).unwrap()).unwrap();
        // SAFETY: `remember` has the signature SQLite calls.
        unsafe { libsqlite3_sys::sqlite3_auto_extension(Some(remember)) };
        let mut conn = open_one(&url, Create::Refused).unwrap();
        let db = OPENED.with(std::cell::Cell::get);
        assert!(!db.is_null());
        look_ups(&mut conn, false);
        assert_eq!(recompiled(db), 0);
        look_ups(&mut conn, true);
        assert!(recompiled(db) >= 10, "{} recompilations", recompiled(db));
    }
}

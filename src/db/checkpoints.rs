//! SQLite's write-ahead log, copied back into the database file beside the writers.

use std::io;
use std::sync::Weak;
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::DbPool;

/// How often the server copies SQLite's log back into the database file.
pub const EVERY: Duration = Duration::from_millis(100);

/// Copies SQLite's write-ahead log back into the database file every [`EVERY`], on a
/// thread of its own, for as long as `alive` (the server's state) lives.
///
/// SQLite does it itself once the log passes 1,000 pages, in the writer whose commit
/// took it there: that writer copies the pages and waits for two syncs to disk, and every
/// other writer waits for it. Here a checkpoint runs beside the writers (a passive one
/// takes no lock a writer needs), so the log seldom grows to the size at which a writer
/// would have to do it. SQLite's own stays as the safety net, for commands run without
/// the server too.
pub fn spawn<T: Send + Sync + 'static>(alive: Weak<T>, pool: DbPool) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || loop {
            std::thread::sleep(EVERY);
            if alive.strong_count() == 0 {
                return;
            }
            let done = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
                    .map_err(|e| e.to_string())
            });
            if let Err(error) = done {
                tracing::warn!(%error, "copying SQLite's log into the database failed");
            }
        })
}

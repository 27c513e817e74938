//! The server's writers: the turn to write on SQLite ([`WriteGate`]), and group commit
//! ([`Writers::grouped`]) for streams of small writes of one commune.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::{write_tx, Backend, DbConn, DbPool};
use diesel::Connection;

/// The server's writers, one at a time on SQLite.
///
/// SQLite has one writer at a time. A writer that finds the database locked waits in
/// SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries: under a stream of
/// short writes a waiter sleeps on past the moment the lock is free, the queue grows,
/// and so does the slowest wait. The server's writers queue here instead, on a mutex
/// that hands the turn to the next one as soon as the last has committed. Take the turn
/// before the connection ([`WriteGate::hold`], then `pool.get()`), never while holding
/// one, so that a writer holding the turn never waits for a connection that a writer
/// waiting for the turn holds. PostgreSQL locks rows, not the database: no gate.
#[derive(Debug, Clone, Default)]
pub struct WriteGate(Option<Arc<Mutex<()>>>);

impl WriteGate {
    /// The gate for a database: a mutex on SQLite, nothing on PostgreSQL.
    pub fn new(backend: Backend) -> WriteGate {
        match backend {
            Backend::Sqlite => WriteGate(Some(Arc::new(Mutex::new(())))),
            Backend::Postgres => WriteGate(None),
        }
    }

    /// Waits for the turn to write; it passes on when the guard is dropped.
    pub fn hold(&self) -> Option<MutexGuard<'_, ()>> {
        // A writer that panicked held nothing but the turn: the lock stays usable.
        self.0
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Why a grouped write's transaction did not commit: no connection, or the commit (or
/// the transaction's start) failed. Nothing of the group was written.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the grouped write did not commit: {0}")]
pub struct Failed(pub String);

/// A job's result, handed over once its group's transaction has ended.
type Deliver = Box<dyn FnOnce(Result<(), Failed>) + Send>;
/// A job: it runs in its savepoint and returns how to deliver its result; or, when the
/// group could not start, it is told why.
struct Job {
    run: Box<dyn FnOnce(&mut DbConn) -> Deliver + Send>,
    unrun: Box<dyn FnOnce(Failed) + Send>,
}

/// The most jobs one transaction runs. PostgreSQL keeps the subtransactions of up to 64
/// savepoints of a transaction in shared memory; past that, every other session's
/// snapshot has to look them up on disk, and all of them slow down.
pub const MOST_PER_COMMIT: usize = 60;

/// One key's queue of jobs, and the signal that a round of them has been written.
#[derive(Default)]
struct Group {
    queue: Mutex<Queue>,
    ended: Condvar,
}

/// The jobs waiting, and whether a writer is writing a round of them.
#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    running: bool,
}

/// One of a call's items, until it is settled: its result delivered, or its job dropped
/// (a round that panicked). Counts down the call's items still pending.
struct Settles(Arc<AtomicUsize>);

impl Drop for Settles {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A round being written: when it ends, even in a panic, the queue is free for the next
/// writer, and every waiting writer looks again.
struct Round<'a>(&'a Group);

impl Drop for Round<'_> {
    fn drop(&mut self) {
        let mut queue = self.0.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.running = false;
        self.0.ended.notify_all();
    }
}

/// The turn to write, and group commit.
///
/// A commit costs more than a payment: SQLite appends every page the transaction
/// touched to its log, and PostgreSQL flushes its log to disk while the commune's row
/// stays locked. When collectors' phones send payments one by one, one commit each caps
/// the rate at the commit's. [`Writers::grouped`] shares a commit among the writes of a
/// commune that queued while the last group was being written:
/// - a writer puts its jobs in the commune's queue;
/// - when no one is writing the commune's queue, one waiting writer takes the whole
///   queue (its own jobs and any that came since) and runs each job in a savepoint of
///   its own inside one write transaction, so that a job refused rolls back alone;
/// - only once the transaction has committed does each job get its result. If it did
///   not commit, every job of the group gets [`Failed`], and none was written;
/// - a writer whose jobs were written returns at once. It does not wait for the next
///   group, which one of the writers still waiting writes.
///
/// So a writer's answer never says "recorded" before the commit, and a group is as large
/// as the queue that formed while the previous one was written, in transactions of at
/// most [`MOST_PER_COMMIT`] jobs.
#[derive(Clone)]
pub struct Writers {
    gate: WriteGate,
    pool: DbPool,
    groups: Arc<Mutex<HashMap<i64, Arc<Group>>>>,
}

impl Writers {
    pub fn new(pool: DbPool, backend: Backend) -> Writers {
        Writers {
            gate: WriteGate::new(backend),
            pool,
            groups: Arc::default(),
        }
    }

    /// The turn to write on SQLite ([`WriteGate::hold`]).
    pub fn hold(&self) -> Option<MutexGuard<'_, ()>> {
        self.gate.hold()
    }

    /// Runs `f` on each item, grouped with the other writes of `key` (a commune) in one
    /// transaction, each item in a savepoint of its own. Each item's result comes back in
    /// order, once its transaction has committed; `Err(Failed)` when it did not.
    /// Blocking: call it off the async threads.
    pub fn grouped<I, T, E, F>(
        &self,
        key: i64,
        items: Vec<I>,
        f: F,
    ) -> Result<Vec<Result<T, E>>, Failed>
    where
        I: Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
        F: Fn(&mut DbConn, I) -> Result<T, E> + Send + Sync + 'static,
    {
        let group = self.group(key);
        let f = Arc::new(f);
        let pending = Arc::new(AtomicUsize::new(items.len()));
        let mut answers = Vec::with_capacity(items.len());
        {
            let mut queue = group.queue.lock().unwrap_or_else(PoisonError::into_inner);
            for item in items {
                let (tx, rx) = mpsc::sync_channel(1);
                let (f, unrun) = (f.clone(), tx.clone());
                let settles = Arc::new(Settles(pending.clone()));
                let settled = settles.clone();
                // A send fails only when the writer has gone: nothing to tell.
                queue.jobs.push(Job {
                    run: Box::new(move |conn: &mut DbConn| -> Deliver {
                        let result = conn.transaction(|c| f(c, item));
                        Box::new(move |committed| {
                            let _ = tx.send(committed.map(|()| result));
                            drop(settles);
                        })
                    }),
                    unrun: Box::new(move |failed| {
                        let _ = unrun.send(Err(failed));
                        drop(settled);
                    }),
                });
                answers.push(rx);
            }
        }
        self.settle(&group, &pending);
        answers
            .into_iter()
            .map(|rx| {
                // Delivered before `settle` returned, unless its round panicked.
                rx.try_recv()
                    .unwrap_or_else(|_| Err(Failed("the group stopped".into())))
            })
            .collect()
    }

    /// The queue of `key`, made on first use.
    fn group(&self, key: i64) -> Arc<Group> {
        let mut groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        groups.entry(key).or_default().clone()
    }

    /// Returns once none of the call's items is `pending`. Meanwhile, whenever no one is
    /// writing and jobs are queued, this writer writes them, as one round: the whole
    /// queue, [`MOST_PER_COMMIT`] jobs per transaction. A writer whose items another
    /// round wrote returns as soon as that round ends; it never waits for the next one.
    fn settle(&self, group: &Group, pending: &AtomicUsize) {
        let mut queue = group.queue.lock().unwrap_or_else(PoisonError::into_inner);
        while pending.load(Ordering::Acquire) > 0 {
            if queue.running || queue.jobs.is_empty() {
                queue = group
                    .ended
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            queue.running = true;
            let jobs = std::mem::take(&mut queue.jobs);
            drop(queue);
            {
                // Declared after the round, the jobs are dropped before it ends: the
                // items of a round that panicked are settled before anyone looks.
                let _round = Round(group);
                let mut jobs = jobs;
                while !jobs.is_empty() {
                    let rest = jobs.split_off(jobs.len().min(MOST_PER_COMMIT));
                    self.commit(jobs);
                    jobs = rest;
                }
            }
            queue = group.queue.lock().unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Runs `jobs` in one write transaction, then hands each its result.
    fn commit(&self, jobs: Vec<Job>) {
        let _gate = self.gate.hold();
        let mut delivers = Vec::with_capacity(jobs.len());
        let mut conn = match self.pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                let failed = Failed(e.to_string());
                for job in jobs {
                    (job.unrun)(failed.clone());
                }
                return;
            }
        };
        let mut pending = jobs;
        let committed = write_tx(&mut conn, |c| -> Result<(), diesel::result::Error> {
            delivers.extend(pending.drain(..).map(|job| (job.run)(c)));
            Ok(())
        })
        .map_err(|e| Failed(e.to_string()));
        // Left only when the transaction could not begin.
        for job in pending {
            (job.unrun)(
                committed
                    .clone()
                    .err()
                    .unwrap_or_else(|| Failed("not run".into())),
            );
        }
        for deliver in delivers {
            deliver(committed.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{open, Create};
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// A fresh SQLite file with one table `t (n)`, and its pool.
    fn table() -> (tempfile::TempDir, DbPool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let pool = open(&url, Create::Allowed).unwrap();
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .unwrap();
        (dir, pool)
    }

    fn count(pool: &DbPool) -> i64 {
        let mut conn = pool.get().unwrap();
        diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    /// Writers of many threads at once: each item gets its own result, a refused item
    /// leaves nothing and takes nothing of the others with it, and every item kept is
    /// written once; groups larger than one commit's share are split.
    #[test]
    fn grouped_writes_keep_each_item_alone_and_answer_after_the_commit() {
        let (_dir, pool) = table();
        let writers = Writers::new(pool.clone(), Backend::Sqlite);
        let threads: Vec<_> = (0..8_i64)
            .map(|k| {
                let writers = writers.clone();
                std::thread::spawn(move || {
                    let items: Vec<i64> = (0..(MOST_PER_COMMIT as i64 + 10))
                        .map(|i| k * 1000 + i)
                        .collect();
                    writers
                        .grouped(1, items, |conn, n| -> Result<i64, diesel::result::Error> {
                            diesel::sql_query(format!("INSERT INTO t (n) VALUES ({n})"))
                                .execute(conn)?;
                            // Every seventh is refused after it wrote: its row must go.
                            if n % 7 == 0 {
                                return Err(diesel::result::Error::RollbackTransaction);
                            }
                            Ok(n)
                        })
                        .unwrap()
                })
            })
            .collect();
        let mut kept = 0;
        for (k, t) in threads.into_iter().enumerate() {
            let results = t.join().unwrap();
            assert_eq!(results.len(), MOST_PER_COMMIT + 10);
            for (i, r) in results.into_iter().enumerate() {
                let n = k as i64 * 1000 + i as i64;
                match r {
                    Ok(got) => {
                        assert_eq!(got, n);
                        kept += 1;
                    }
                    Err(_) => assert_eq!(n % 7, 0),
                }
            }
        }
        assert_eq!(count(&pool), kept);
    }

    /// A job that panics takes its own round down, and leaves no writer waiting: every
    /// call returns, and the commune's queue goes on taking writes.
    #[test]
    fn a_round_that_panics_leaves_no_writer_waiting() {
        let (_dir, pool) = table();
        let writers = Writers::new(pool.clone(), Backend::Sqlite);
        let insert = |conn: &mut DbConn, n: i64| -> Result<i64, diesel::result::Error> {
            assert_ne!(n, 305, "a job that panics");
            diesel::sql_query(format!("INSERT INTO t (n) VALUES ({n})")).execute(conn)?;
            Ok(n)
        };
        let threads: Vec<_> = (0..8_i64)
            .map(|k| {
                let writers = writers.clone();
                std::thread::spawn(move || {
                    writers.grouped(1, (0..20).map(|i| k * 100 + i).collect(), insert)
                })
            })
            .collect();
        let mut returned = 0;
        for t in threads {
            // A thread whose own round panicked panics too; every one returns.
            let _ = t.join();
            returned += 1;
        }
        assert_eq!(returned, 8);
        let later = writers.grouped(1, vec![999_i64], insert).unwrap();
        assert_eq!(later.into_iter().next().unwrap().unwrap(), 999);
    }

    /// A group whose transaction cannot begin tells every writer, and writes nothing.
    #[test]
    fn a_group_that_cannot_commit_says_so_to_each_writer() {
        let (_dir, pool) = table();
        // Another connection holds the write lock; the others wait for it only briefly,
        // so that the group's BEGIN IMMEDIATE fails.
        let mut holder = pool.get().unwrap();
        holder.batch_execute("BEGIN IMMEDIATE").unwrap();
        let others: Vec<_> = (1..pool.max_size()).map(|_| pool.get().unwrap()).collect();
        for mut conn in others {
            conn.batch_execute("PRAGMA busy_timeout = 10").unwrap();
        }
        let writers = Writers::new(pool.clone(), Backend::Sqlite);
        let results = writers.grouped(
            2,
            vec![1_i64, 2],
            |conn, n| -> Result<(), diesel::result::Error> {
                diesel::sql_query(format!("INSERT INTO t (n) VALUES ({n})")).execute(conn)?;
                Ok(())
            },
        );
        holder.batch_execute("ROLLBACK").unwrap();
        drop(holder);
        assert!(results.is_err());
        assert_eq!(count(&pool), 0);
    }
}

//! Asking the providers where pending payments stand: MoMo calls back once, without
//! retry, and a callback may never come; a webhook may be lost. [`run_once`] checks
//! every pending intent with its provider and applies the answer; an intent still
//! pending after [`EXPIRE_AFTER_HOURS`] expires. [`spawn`] runs it in the background
//! with the server; `commune mobile-money poll` runs it once.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde::Serialize;

use super::settle::{self, Applied};
use super::{Intent, IntentStatus, Providers};
use crate::audit::Actor;
use crate::communes::{self, Commune};
use crate::db::schema::payment_intents;
use crate::db::{self, DbConn, DbPool};
use crate::ids::{CommuneId, PaymentIntentId};

/// A pending intent nobody paid expires after this many hours.
pub const EXPIRE_AFTER_HOURS: i64 = 24;

/// How many intents one round checks at most.
const BATCH: i64 = 500;

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Intents whose provider was asked.
    pub checked: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub disputed: usize,
    pub expired: usize,
    /// Providers that could not be asked, or answered nonsense.
    pub errors: usize,
}

impl Report {
    fn count(&mut self, outcome: &str) {
        match outcome {
            "succeeded" => self.succeeded += 1,
            "failed" => self.failed += 1,
            "disputed" => self.disputed += 1,
            "expired" => self.expired += 1,
            _ => {}
        }
    }
}

/// Runs `f` on a pooled connection on the blocking threads (the poller, a worker and a
/// test all run it the same way).
async fn blocking<T, F>(pool: &DbPool, f: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut DbConn) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Asks the intent's provider where its payment stands and applies the answer; says
/// what it did (`succeeded`, `unchanged`, …). A provider that cannot be asked is an
/// error (the intent is noted as checked all the same).
pub async fn check(
    pool: &DbPool,
    providers: &Providers,
    commune: &Commune,
    intent: &Intent,
) -> anyhow::Result<&'static str> {
    let provider = providers
        .get(&commune.slug, intent.provider)
        .ok_or_else(|| anyhow::anyhow!("{} uses no {} account", commune.slug, intent.provider))?;
    let reported = provider.status(intent).await;
    let (commune, id) = (commune.clone(), intent.id);
    let applied = match reported {
        Ok(reported) => Some(reported),
        Err(e) => {
            tracing::warn!(reference = %intent.reference, error = %e, "a provider could not be asked");
            None
        }
    };
    let done = applied.is_some();
    let outcome = blocking(pool, move |conn| {
        db::write_tx(conn, |conn| {
            // The commune first, as every writer of intents takes it (a webhook of the
            // same intent waits, instead of deadlocking on the intent's row).
            communes::lock(conn, commune.id)?;
            touch(conn, id)?;
            match &applied {
                Some(r) => settle::apply(conn, &commune, id, r, commune.today())
                    .map(|a: Applied| a.outcome()),
                None => Ok("unreachable"),
            }
        })
        .map_err(anyhow::Error::from)
    })
    .await?;
    anyhow::ensure!(
        done,
        "the provider of {} could not be asked",
        intent.reference
    );
    Ok(outcome)
}

/// Notes that an intent's provider was asked.
fn touch(conn: &mut DbConn, id: PaymentIntentId) -> QueryResult<()> {
    diesel::update(payment_intents::table.find(id))
        .set((
            payment_intents::last_polled_at.eq(Some(db::now())),
            payment_intents::polls.eq(payment_intents::polls + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// One round: every pending intent not asked about for `min_gap` is checked with its
/// provider (oldest news first), then the pending intents older than a day expire.
pub async fn run_once(
    pool: &DbPool,
    providers: &Providers,
    min_gap: Duration,
) -> anyhow::Result<Report> {
    let gap = chrono::Duration::from_std(min_gap)?;
    let (due, communes) = blocking(pool, move |conn| {
        let before = db::now() - gap;
        let due: Vec<Intent> = payment_intents::table
            .filter(payment_intents::status.eq(IntentStatus::Pending))
            .filter(
                payment_intents::last_polled_at
                    .is_null()
                    .or(payment_intents::last_polled_at.le(before)),
            )
            .order((
                payment_intents::last_polled_at.asc(),
                payment_intents::id.asc(),
            ))
            .limit(BATCH)
            .select(Intent::as_select())
            .load(conn)?;
        let communes: HashMap<CommuneId, Commune> = communes::list(conn)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok((due, communes))
    })
    .await?;
    let mut report = Report::default();
    for intent in &due {
        let Some(commune) = communes.get(&intent.commune_id) else {
            continue;
        };
        if providers.get(&commune.slug, intent.provider).is_none() {
            continue;
        }
        report.checked += 1;
        match check(pool, providers, commune, intent).await {
            Ok(outcome) => report.count(outcome),
            Err(_) => report.errors += 1,
        }
    }
    report.expired += expire_old(pool).await?;
    Ok(report)
}

/// Expires the pending intents older than [`EXPIRE_AFTER_HOURS`]; says how many.
async fn expire_old(pool: &DbPool) -> anyhow::Result<usize> {
    blocking(pool, |conn| {
        let before = db::now() - chrono::Duration::hours(EXPIRE_AFTER_HOURS);
        let old: Vec<(PaymentIntentId, CommuneId, String)> = payment_intents::table
            .filter(payment_intents::status.eq(IntentStatus::Pending))
            .filter(payment_intents::created_at.lt(before))
            .select((
                payment_intents::id,
                payment_intents::commune_id,
                payment_intents::reference,
            ))
            .load(conn)?;
        let actor = Actor::system("mobile_money");
        for (id, commune, reference) in &old {
            db::write_tx(conn, |conn| {
                communes::lock(conn, *commune)?;
                settle::expire(conn, *commune, reference, *id, &actor)
            })?;
        }
        Ok(old.len())
    })
    .await
}

/// Runs [`run_once`] every `every` on a thread of its own, for as long as `alive` (the
/// server's state) lives.
pub fn spawn<T: Send + Sync + 'static>(
    alive: Weak<T>,
    pool: DbPool,
    providers: Arc<Providers>,
    every: Duration,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("mobile-money-poll".into())
        .spawn(move || {
            let mut due = Instant::now() + every;
            loop {
                std::thread::sleep(every.min(Duration::from_millis(250)));
                if alive.strong_count() == 0 {
                    return;
                }
                if Instant::now() < due {
                    continue;
                }
                match runtime.block_on(run_once(&pool, &providers, every / 2)) {
                    Ok(r) if r != Report::default() => {
                        tracing::info!(?r, "mobile-money payments checked")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "checking mobile-money payments failed"),
                }
                due = Instant::now() + every;
            }
        })
}

//! A reminder run, for the command line and the finance officer's button alike: the
//! overdue balances and the contacts of those not reminded yet read once (a few
//! queries, whatever the register's size), then batch by batch the reminders claimed (committed),
//! sent, and confirmed or released; one audit entry at the end. The database work runs
//! on blocking threads, the mail on the async runtime.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use handlebars::Handlebars;

use super::{text, Medium, Person, Reminder, Summary, BATCH};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::{self, DbConn, DbPool};
use crate::i18n::Catalog;
use crate::ids::TaxpayerId;
use crate::notify::{Mailer, SmsGateway};
use crate::revenue::channels;

/// Mails sent at once to the SMTP server.
const MAILS_AT_ONCE: usize = 8;

/// Where messages go, and what writes them.
pub struct Senders<'a> {
    pub mailer: &'a Mailer,
    pub hb: &'a Handlebars<'static>,
    pub catalog: &'a Catalog,
    pub sms: Arc<dyn SmsGateway>,
}

/// Runs `f` on a connection from the pool, on a blocking thread.
async fn on_db<T, F>(pool: &DbPool, f: F) -> Result<T>
where
    F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().context("no database connection")?;
        f(&mut conn)
    })
    .await
    .context("the database task stopped")?
}

/// Sends each taxpayer with an overdue balance today one reminder, unless they had one
/// today already. `progress(done, total)` follows the taxpayers as they are handled.
pub async fn run(
    pool: &DbPool,
    senders: &Senders<'_>,
    commune: &Commune,
    actor: &Actor,
    progress: &dyn Fn(u64, u64),
) -> Result<Summary> {
    let (cid, day) = (commune.id, commune.today());
    let (balances, reminded, contacts, channels) = on_db(pool, move |c| {
        let balances = super::overdue(c, cid, day)?;
        let reminded = super::reminded_on(c, cid, day)?;
        let done: HashSet<TaxpayerId> = reminded.keys().copied().collect();
        let contacts = super::contacts_due(c, cid, &balances, &done)?;
        Ok((balances, reminded, contacts, channels::list(c, cid)?))
    })
    .await?;
    let mut summary = Summary {
        day: Some(day),
        overdue: balances.len() as u64,
        unconfirmed: reminded.values().filter(|sent| !**sent).count() as u64,
        ..Summary::default()
    };
    let done_before: Arc<HashSet<TaxpayerId>> = Arc::new(reminded.into_keys().collect());
    let contacts = Arc::new(contacts);
    let total = balances.len() as u64;
    progress(0, total);
    let mut handled = 0;
    for chunk in balances.chunks(BATCH) {
        let size = chunk.len() as u64;
        let mut plan = super::plan(chunk, &contacts, &done_before);
        let due = plan.send.clone();
        let claimed = if due.is_empty() {
            Vec::new()
        } else {
            on_db(pool, move |c| {
                db::write_tx(c, |c| super::claim(c, cid, day, &due)).map_err(Into::into)
            })
            .await?
        };
        // Claimed meanwhile by another run: reminded already.
        plan.already += (plan.send.len() - claimed.len()) as u64;
        let outcome = send(senders, commune, &channels, &claimed).await;
        let sent: Vec<&Reminder> = claimed
            .iter()
            .filter(|r| !outcome.failed.contains(&r.taxpayer))
            .filter(|r| !outcome.unknown.contains(&r.taxpayer))
            .collect();
        summary.add(&plan, &sent);
        summary.unconfirmed += outcome.unknown.len() as u64;
        summary.failed.extend(
            claimed
                .iter()
                .filter(|r| outcome.failed.contains(&r.taxpayer))
                .map(|r| Person {
                    reference: r.reference.clone(),
                    name: r.name.clone(),
                    amount: r.amount,
                }),
        );
        let sent_ids: Vec<TaxpayerId> = sent.iter().map(|r| r.taxpayer).collect();
        let failed_ids: Vec<TaxpayerId> = outcome.failed.into_iter().collect();
        on_db(pool, move |c| {
            db::write_tx(c, |c| super::settle(c, cid, day, &sent_ids, &failed_ids))
                .map_err(Into::into)
        })
        .await?;
        handled += size;
        progress(handled, total);
    }
    let (s, actor) = (summary.clone(), actor.clone());
    on_db(pool, move |c| {
        db::write_tx(c, |c| super::record_run(c, cid, &s, &actor)).map_err(Into::into)
    })
    .await?;
    Ok(summary)
}

/// What became of a batch's messages.
struct Outcome {
    /// Refused by the mail server or the gateway: not sent.
    failed: HashSet<TaxpayerId>,
    /// Perhaps sent (the gateway stopped midway): left claimed, never sent again today.
    unknown: HashSet<TaxpayerId>,
}

/// Sends the claimed reminders.
async fn send(
    senders: &Senders<'_>,
    commune: &Commune,
    channels: &[channels::Channel],
    claimed: &[Reminder],
) -> Outcome {
    let mut outcome = Outcome {
        failed: send_mails(senders, commune, channels, claimed).await,
        unknown: HashSet::new(),
    };
    let locale = text::locale(commune);
    let texts: Vec<(TaxpayerId, String, String, String)> = claimed
        .iter()
        .filter(|r| r.medium == Medium::Sms)
        .map(|r| {
            let body = text::sms(senders.catalog, locale, r, commune, channels);
            (r.taxpayer, r.reference.clone(), r.to.clone(), body)
        })
        .collect();
    if texts.is_empty() {
        return outcome;
    }
    let ids: Vec<TaxpayerId> = texts.iter().map(|t| t.0).collect();
    let gateway = senders.sms.clone();
    let refused = tokio::task::spawn_blocking(move || {
        texts
            .into_iter()
            .filter_map(|(id, reference, to, body)| match gateway.send(&to, &body) {
                Ok(()) => None,
                Err(e) => {
                    tracing::error!(taxpayer = %reference, error = format!("{e:#}"), "reminder not texted");
                    Some(id)
                }
            })
            .collect::<Vec<_>>()
    })
    .await;
    match refused {
        Ok(failed) => outcome.failed.extend(failed),
        // The gateway's thread stopped midway: which messages left is unknown.
        Err(_) => outcome.unknown.extend(ids),
    }
    outcome
}

/// Mails the reminders that go by mail, a few at a time; returns those refused.
async fn send_mails(
    senders: &Senders<'_>,
    commune: &Commune,
    channels: &[channels::Channel],
    claimed: &[Reminder],
) -> HashSet<TaxpayerId> {
    let locale = text::locale(commune);
    let mails = claimed.iter().filter(|r| r.medium == Medium::Email);
    futures_util::stream::iter(mails)
        .map(|r| async move {
            let mail = text::mail(r, commune, channels, locale);
            match senders.mailer.send(senders.hb, &mail).await {
                Ok(()) => None,
                Err(e) => {
                    tracing::error!(taxpayer = %r.reference, error = format!("{e:#}"), "reminder not mailed");
                    Some(r.taxpayer)
                }
            }
        })
        .buffer_unordered(MAILS_AT_ONCE)
        .filter_map(|f| async move { f })
        .collect()
        .await
}

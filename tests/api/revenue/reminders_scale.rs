//! Reminders on a large commune: 100,000 taxpayers whose sign tax of last year is
//! overdue (eight in ten reachable by SMS, one in ten by e-mail, one in ten not at all).
//! A measure, not a timed test: `cargo test --test api reminders_scale -- --ignored
//! --nocapture` prints how long reading the balances and contacts takes, and the whole
//! run with its messages written to the outbox (on PostgreSQL too with
//! `COMMUNE_TEST_DATABASE_URL`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::Datelike;
use diesel::prelude::*;

use commune::audit::Actor;
use commune::communes;
use commune::db;
use commune::i18n::Catalog;
use commune::notify::{Mailer, SmsOutbox};
use commune::revenue::reminders::{self, run};

use super::collection_scale::{signs_register, TAXPAYERS};
use crate::helpers::{TestApp, DAKAR};

fn seconds(t: Instant) -> String {
    format!("{:>7.2} s", t.elapsed().as_secs_f64())
}

#[actix_web::test]
#[ignore = "a measure on 100,000 taxpayers: run with --ignored --nocapture"]
async fn a_run_on_100_000_overdue_taxpayers_reminds_each_once_and_a_second_run_nobody() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let commune = {
        let mut conn = app.conn();
        let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
        let started = Instant::now();
        signs_register(&mut conn, &commune, &[commune.today().year() - 1]);
        if db::backend(&conn) == db::Backend::Postgres {
            diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
        }
        println!("data: {TAXPAYERS} taxpayers, made in {}", seconds(started));
        commune
    };
    let (cid, day) = (commune.id, commune.today());
    {
        let mut conn = app.conn();
        let t = Instant::now();
        let due = reminders::overdue(&mut conn, cid, day).unwrap();
        println!("{:<34} {}", "overdue balances", seconds(t));
        let t = Instant::now();
        let contacts = reminders::contacts_due(&mut conn, cid, &due, &Default::default()).unwrap();
        println!("{:<34} {}", "their contacts", seconds(t));
        assert_eq!(
            (due.len(), contacts.len()),
            (TAXPAYERS as usize, TAXPAYERS as usize)
        );
        let t = Instant::now();
        let preview = reminders::preview(&mut conn, cid, day).unwrap();
        println!("{:<34} {}", "the page's preview", seconds(t));
        assert_eq!(preview.sms, 80_000);
    }
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let hb = commune::web::templates::build(catalog.clone()).unwrap();
    let mailer = Mailer::new(None, app.outbox.path().join("mail"), "mairie@example.sn").unwrap();
    let senders = run::Senders {
        mailer: &mailer,
        hb: &hb,
        catalog: &catalog,
        sms: Arc::new(SmsOutbox::new(app.outbox.path().join("sms")).unwrap()),
    };
    let (calls, last) = (AtomicU64::new(0), AtomicU64::new(0));
    let progress = |done: u64, total: u64| {
        assert_eq!(total, TAXPAYERS as u64);
        calls.fetch_add(1, Ordering::Relaxed);
        last.store(done, Ordering::Relaxed);
    };
    let actor = Actor::system("bench");

    // Act
    let t = Instant::now();
    let first = run::run(&app.pool, &senders, &commune, &actor, &progress)
        .await
        .unwrap();
    println!("{:<34} {}", "the run (90,000 messages written)", seconds(t));
    let t = Instant::now();
    let second = run::run(&app.pool, &senders, &commune, &actor, &|_, _| {})
        .await
        .unwrap();
    println!("{:<34} {}", "a second run the same day", seconds(t));

    // Assert
    assert_eq!((first.sms, first.email), (80_000, 10_000));
    assert_eq!(first.unreachable_count, 10_000);
    assert!(first.failed.is_empty());
    assert_eq!((second.sms, second.email, second.already), (0, 0, 90_000));
    let texts = std::fs::read_dir(app.outbox.path().join("sms"))
        .unwrap()
        .count();
    assert_eq!(texts, 80_000, "one text each");
    // The progress bar moved batch by batch to the end.
    assert_eq!(last.load(Ordering::Relaxed), TAXPAYERS as u64);
    assert!(calls.load(Ordering::Relaxed) > 10);
}

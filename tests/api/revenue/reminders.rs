//! Reminders of overdue balances: by the finance officer's button and by
//! `commune remind`, each overdue taxpayer gets one mail (received by a real SMTP
//! server on loopback) or one SMS (in the gateway's outbox) a day, whatever the number
//! of runs; the amounts are the ledger's.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use commune::communes;
use commune::db::schema::audit_log;
use commune::money::Xof;
use commune::revenue::{ledger, reminders, taxpayers};
use diesel::prelude::*;
use reqwest::StatusCode;
use scraper::Html;

use super::payments::{collector, pay};
use super::support::{
    charge_penalties, fcfa, generated_and_issued, new_item, new_taxpayer, officer, page,
    second_officer, text,
};
use crate::cli::run_cli_with;
use crate::helpers::{demo_email, Client, TestApp, DAKAR};
use crate::mail::decoded_body;
use crate::smtp::SmtpSink;

/// A register of six, each with a 2 m² sign (TAXPUB: 10 000 a year, due 30 June):
/// last year's roll is overdue for R1 (e-mail), R2 (phone only), R3 (neither) and R4
/// (who paid it); R5 registered after it was issued owes next year's line only.
async fn register(app: &TestApp) -> (Client, i32) {
    let year = chrono::Utc::now().year();
    let c = officer(app, DAKAR).await;
    let people: [(&str, &str, &str, &str); 4] = [
        ("DKP-R1", "Awa Diop", "awa.diop@example.sn", ""),
        ("DKP-R2", "Moussa Fall", "", "77 123 45 67"),
        ("DKP-R3", "Omar Sy", "", ""),
        ("DKP-R4", "Fatou Sow", "fatou.sow@example.sn", ""),
    ];
    for (reference, name, email, phone) in people {
        sign_holder(&c, reference, name, email, phone).await;
    }
    generated_and_issued(&c, DAKAR, "TAXPUB", year - 1).await;
    sign_holder(&c, "DKP-R5", "Ibou Ba", "ibou.ba@example.sn", "").await;
    generated_and_issued(&c, DAKAR, "TAXPUB", year + 1).await;
    let res = pay(
        &collector(app).await,
        "DKP-R4",
        &[("amount", "10 000"), ("method", "cash")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "R4 pays last year");
    (c, year)
}

async fn sign_holder(c: &Client, reference: &str, name: &str, email: &str, phone: &str) {
    let t = new_taxpayer(
        c,
        DAKAR,
        &[
            ("ref", reference),
            ("name", name),
            ("email", email),
            ("phone", phone),
        ],
    )
    .await;
    let item = format!("SIGN-{reference}");
    new_item(
        c,
        DAKAR,
        t,
        &[("ref", &item), ("kind", "other"), ("area_m2", "2")],
    )
    .await;
}

/// The register above, on a site that mails through a real SMTP server on loopback.
async fn with_smtp() -> (SmtpSink, TestApp, Client, i32) {
    let smtp = SmtpSink::start().await;
    let app = TestApp::builder()
        .without_register()
        .smtp(smtp.url())
        .spawn()
        .await;
    let (c, year) = register(&app).await;
    (smtp, app, c, year)
}

/// The day the reminders page offers to send for (it has a button when someone is due).
async fn day_shown(c: &Client) -> String {
    let shown = page(c, &format!("/{DAKAR}/finance/reminders")).await;
    super::support::attr(&shown, "form input[name=day]", "value")
}

/// Presses the button of a page shown for `day` (pressing it again, or from a second
/// tab, sends the same form).
async fn press(c: &Client, day: &str) -> Html {
    let res = c
        .post_form(&format!("/{DAKAR}/finance/reminders"), &[("day", day)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    Html::parse_document(&res.text().await.unwrap())
}

fn figure(page: &Html, name: &str) -> String {
    text(page, &format!("[data-figure={name}]"))
}

/// The text messages in the gateway's outbox.
fn texts(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.outbox.path().join("sms"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn runs_audited(app: &TestApp) -> Vec<serde_json::Value> {
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    audit_log::table
        .filter(audit_log::commune_id.eq(cid))
        .filter(audit_log::action.eq("reminder.run"))
        .order(audit_log::seq)
        .select(audit_log::details)
        .load::<String>(&mut conn)
        .unwrap()
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

#[actix_web::test]
async fn the_button_pressed_twice_reminds_each_overdue_taxpayer_once_by_mail_or_sms() {
    // Arrange
    let (smtp, app, c, year) = with_smtp().await;
    let last = year - 1;

    // The page says who would be reminded, and sends nothing.
    let shown = page(&c, &format!("/{DAKAR}/finance/reminders")).await;
    assert_eq!(figure(&shown, "overdue"), "3");
    assert_eq!(
        (figure(&shown, "email"), figure(&shown, "sms")),
        ("1".into(), "1".into())
    );
    assert_eq!(figure(&shown, "unreachable"), "1");
    assert!(smtp.wait_for(1).await.is_empty() && texts(&app).is_empty());

    // Act
    let day = day_shown(&c).await;
    let first = press(&c, &day).await;

    // Assert: R1 by mail, R2 by SMS, R3 listed as unreachable; R4 (paid) and R5 (not
    // yet due) get nothing.
    assert_eq!(
        (figure(&first, "email"), figure(&first, "sms")),
        ("1".into(), "1".into())
    );
    assert_eq!(figure(&first, "total"), fcfa(20_000));
    assert_eq!(figure(&first, "already"), "0");
    assert!(text(&first, "tr[data-unreachable=\"DKP-R3\"]").contains("Omar Sy"));
    let inbox = smtp.wait_for(1).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].to, ["awa.diop@example.sn"]);
    // Amounts are written with no-break spaces.
    let body = decoded_body(&inbox[0].data).replace(['\u{202F}', '\u{A0}'], " ");
    for part in [
        "Awa Diop",
        &fcfa(10_000),
        &format!("30/06/{last}"),
        "DKP-R1",
        "Wave",
        "+221 70 000 00 00",
        "hôtel de ville",
    ] {
        assert!(body.contains(part), "{part} missing from the mail: {body}");
    }
    let sms = texts(&app);
    assert_eq!(sms.len(), 1);
    assert!(sms[0].starts_with("To: +221771234567\n"), "{}", sms[0]);
    for part in ["10 000 FCFA", &format!("30/06/{last}"), "DKP-R2", "Wave"] {
        assert!(sms[0].contains(part), "{part} missing from {}", sms[0]);
    }

    // Act again, the same day.
    let second = press(&c, &day).await;

    // Assert: nothing sent twice; both runs are in the audit log, with their counts.
    assert_eq!(
        (figure(&second, "email"), figure(&second, "sms")),
        ("0".into(), "0".into())
    );
    assert_eq!(figure(&second, "already"), "2");
    assert_eq!(smtp.wait_for(2).await.len(), 1);
    assert_eq!(texts(&app).len(), 1);
    let runs = runs_audited(&app);
    assert_eq!(runs.len(), 2);
    assert_eq!((&runs[0]["email"], &runs[0]["sms"]), (&1.into(), &1.into()));
    assert_eq!(runs[0]["unreachable"], 1);
    assert_eq!(
        (&runs[1]["email"], &runs[1]["already"]),
        (&0.into(), &2.into())
    );
}

#[actix_web::test]
async fn the_command_line_run_twice_sends_once_and_the_button_after_it_sends_nothing() {
    // Arrange
    let (smtp, app, c, _) = with_smtp().await;
    let day = day_shown(&c).await;
    let (db, outbox, smtp_url) = (
        app.db.url(),
        app.outbox.path().display().to_string(),
        smtp.url(),
    );
    // The command runs off the test's thread, which serves the SMTP server meanwhile.
    let remind = |commune: &'static str| {
        let (db, outbox, smtp_url) = (db.clone(), outbox.clone(), smtp_url.clone());
        actix_web::rt::task::spawn_blocking(move || {
            let env = [
                ("COMMUNE_SMTP_URL", smtp_url.as_str()),
                ("COMMUNE_OUTBOX_DIR", outbox.as_str()),
            ];
            run_cli_with(&db, &["remind", "--commune", commune, "--json"], &env)
        })
    };
    let summary = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };

    // Act
    let first = summary(remind(DAKAR).await.unwrap());
    let second = summary(remind(DAKAR).await.unwrap());

    // Assert
    assert_eq!((&first["email"], &first["sms"]), (&1.into(), &1.into()));
    assert_eq!(first["total"], 20_000);
    assert_eq!(first["unreachable"][0]["reference"], "DKP-R3");
    assert_eq!((&second["email"], &second["sms"]), (&0.into(), &0.into()));
    assert_eq!(second["already"], 2);
    assert_eq!(smtp.wait_for(2).await.len(), 1);
    assert_eq!(texts(&app).len(), 1);
    let after = press(&c, &day).await;
    assert_eq!(
        (figure(&after, "email"), figure(&after, "sms")),
        ("0".into(), "0".into())
    );
    assert_eq!(smtp.wait_for(2).await.len(), 1);
    assert_eq!(runs_audited(&app).len(), 3);
    // An unknown commune is refused.
    let bad = remind("nowhere").await.unwrap();
    assert!(!bad.status.success());
}

#[actix_web::test]
async fn a_reminder_claimed_by_an_interrupted_run_is_not_sent_again_that_day() {
    // Arrange: a run that wrote R1's claim, then stopped before sending.
    let app = TestApp::builder().without_register().spawn().await;
    let (c, _) = register(&app).await;
    {
        let mut conn = app.conn();
        let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
        let day = commune.today();
        let r1 = taxpayers::by_ref(&mut conn, commune.id, "DKP-R1")
            .unwrap()
            .unwrap();
        let due = reminders::overdue(&mut conn, commune.id, day).unwrap();
        let contacts = reminders::contacts(&mut conn, commune.id, &[r1.id]).unwrap();
        let plan = reminders::plan(&due, &contacts, &Default::default());
        commune::db::write_tx(&mut conn, |conn| {
            reminders::claim(conn, commune.id, day, &plan.send)
        })
        .unwrap();
    }

    // Act
    let day = day_shown(&c).await;
    let run = press(&c, &day).await;

    // Assert: only R2's SMS leaves; R1's claim is counted as unconfirmed.
    assert_eq!(
        (figure(&run, "email"), figure(&run, "sms")),
        ("0".into(), "1".into())
    );
    assert_eq!(figure(&run, "already"), "1");
    assert!(text(&run, "dl.facts").contains("envoi interrompu"));
    assert!(app.outbox_mails().is_empty());
}

#[actix_web::test]
async fn a_claim_takes_the_taxpayers_of_its_batch_not_claimed_yet_and_settling_confirms_or_releases_them(
) {
    // Arrange: R1, R2 and R3 overdue; another run claimed R2 (between the others).
    let app = TestApp::builder().without_register().spawn().await;
    register(&app).await;
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let day = commune.today();
    let due = reminders::overdue(&mut conn, commune.id, day).unwrap();
    let ids: Vec<_> = due.iter().map(|b| b.taxpayer).collect();
    let contacts = reminders::contacts(&mut conn, commune.id, &ids).unwrap();
    let plan = reminders::plan(&due, &contacts, &Default::default());
    let [r1, r2] = [&plan.send[0], &plan.send[1]];
    let r3 = reminders::Reminder {
        taxpayer: taxpayers::by_ref(&mut conn, commune.id, "DKP-R3")
            .unwrap()
            .unwrap()
            .id,
        reference: "DKP-R3".into(),
        medium: reminders::Medium::Sms,
        to: "77 000 00 03".into(),
        ..r2.clone()
    };
    assert!(r1.taxpayer < r2.taxpayer && r2.taxpayer < r3.taxpayer);
    let mut claim = |batch: &[&reminders::Reminder]| {
        let batch: Vec<_> = batch.iter().map(|r| (*r).clone()).collect();
        commune::db::write_tx(&mut conn, |c| reminders::claim(c, commune.id, day, &batch))
            .unwrap()
            .into_iter()
            .map(|r| r.reference)
            .collect::<Vec<_>>()
    };
    assert_eq!(claim(&[r2]), ["DKP-R2"]);

    // Act
    let first = claim(&[r1, &r3]);
    let again = claim(&[r1, r2, &r3]);
    commune::db::write_tx(&mut conn, |c| {
        reminders::settle(
            c,
            commune.id,
            day,
            &[r1.taxpayer, r3.taxpayer],
            &[r2.taxpayer],
        )
    })
    .unwrap();

    // Assert: R2's claim, in the batch's range, neither blocked R1 and R3 nor was
    // taken again; R1 and R3 confirmed, R2 released.
    assert_eq!(first, ["DKP-R1", "DKP-R3"]);
    assert!(again.is_empty());
    let reminded = reminders::reminded_on(&mut conn, commune.id, day).unwrap();
    assert_eq!(
        reminded,
        [(r1.taxpayer, true), (r3.taxpayer, true)]
            .into_iter()
            .collect()
    );
}

#[actix_web::test]
async fn only_a_finance_officer_may_send_reminders() {
    let app = TestApp::builder().without_register().spawn().await;
    let (officer, _) = register(&app).await;
    let overdue = text(
        &page(&officer, &format!("/{DAKAR}/finance/reminders")).await,
        "[data-figure=overdue]",
    );
    assert_eq!(overdue, "3");
    for role in ["collector", "citizen", "treasurer"] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        let shown = c.get(&format!("/{DAKAR}/finance/reminders")).await;
        assert_eq!(shown.status(), StatusCode::FORBIDDEN, "{role} sees");
        let today = chrono::Utc::now().date_naive().to_string();
        let sent = c
            .post_form(&format!("/{DAKAR}/finance/reminders"), &[("day", &today)])
            .await;
        assert_eq!(sent.status(), StatusCode::FORBIDDEN, "{role} sends");
    }
    assert!(texts(&app).is_empty() && app.outbox_mails().is_empty());
    assert!(runs_audited(&app).is_empty());
    // A page left open since another day sends nothing.
    let stale = officer
        .post_form(
            &format!("/{DAKAR}/finance/reminders"),
            &[("day", "2020-01-01")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&app).is_empty() && runs_audited(&app).is_empty());
}

/// Each account's overdue lines, by the ledger: (sum still owed, oldest due date).
fn by_ledger(
    conn: &mut commune::db::DbConn,
    commune: &communes::Commune,
    today: NaiveDate,
) -> BTreeMap<i64, (Xof, NaiveDate)> {
    use commune::db::schema::taxpayers as t;
    let ids: Vec<i64> = t::table
        .filter(t::commune_id.eq(commune.id))
        .filter(t::merged_into.is_null())
        .select(t::id)
        .load(conn)
        .unwrap();
    let mut out = BTreeMap::new();
    for id in ids {
        let account = ledger::of(conn, commune::ids::TaxpayerId(id), today).unwrap();
        let overdue: Vec<&ledger::Line> = account.lines.iter().filter(|l| l.overdue).collect();
        if let Some(oldest) = overdue.iter().map(|l| l.row.due_date).min() {
            out.insert(id, (overdue.iter().map(|l| l.outstanding).sum(), oldest));
        }
    }
    out
}

#[actix_web::test]
async fn the_overdue_balances_read_at_once_are_the_ledgers_taxpayer_by_taxpayer() {
    // Arrange: the demo's rolls, plus payments, an approved adjustment, a penalty and
    // a merged record.
    let app = TestApp::spawn().await;
    let (c, year) = register(&app).await;
    let counter = collector(&app).await;
    for (reference, amount) in [("DKP-T0001", "30 000"), ("DKP-R2", "4 000")] {
        let res = pay(
            &counter,
            reference,
            &[("amount", amount), ("method", "cash")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{reference} pays");
    }
    let res = charge_penalties(&c, DAKAR, &format!("{}-12-31", year - 1)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (second, _) = second_officer(&app, DAKAR).await;
    let r1 = {
        let mut conn = app.conn();
        let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
        taxpayers::by_ref(&mut conn, cid, "DKP-R1")
            .unwrap()
            .unwrap()
            .id
            .0
    };
    let account = page(&c, &format!("/{DAKAR}/finance/taxpayers/{r1}")).await;
    let line = super::support::attr(&account, "table.lines input[name=line]", "value");
    let res = c
        .post_form(
            &format!("/{DAKAR}/finance/adjustments"),
            &[
                ("line", &line),
                ("kind", "reduction"),
                ("amount", "2 500"),
                ("reason", "Panneau réduit"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pending = page(&second, &format!("/{DAKAR}/finance/adjustments")).await;
    let adjustment = super::support::attr(&pending, "tr[data-adjustment]", "data-adjustment");
    let res = second
        .post_form(
            &format!("/{DAKAR}/finance/adjustments/{adjustment}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let r3 = {
        let mut conn = app.conn();
        let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
        taxpayers::by_ref(&mut conn, cid, "DKP-R3")
            .unwrap()
            .unwrap()
            .id
            .0
    };
    let res = c
        .post_form(
            &format!("/{DAKAR}/finance/taxpayers/{r1}/merge"),
            &[("duplicate", &r3.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Act and assert, on several days.
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let days = [
        commune.today(),
        NaiveDate::from_ymd_opt(year, 7, 1).unwrap(),
        NaiveDate::from_ymd_opt(year + 2, 1, 1).unwrap(),
    ];
    for day in days {
        let read: BTreeMap<i64, (Xof, NaiveDate)> = reminders::overdue(&mut conn, commune.id, day)
            .unwrap()
            .into_iter()
            .map(|b| (b.taxpayer.0, (b.amount, b.oldest_due)))
            .collect();
        let expected = by_ledger(&mut conn, &commune, day);
        assert_eq!(read, expected, "on {day}");
        assert!(!read.is_empty(), "something is overdue on {day}");
    }
    // The merged record's line counts on the kept one: R1 owes its own line less the
    // reduction, R3's line, and both penalties (TAXPUB: a flat 5 000).
    let read = reminders::overdue(&mut conn, commune.id, commune.today()).unwrap();
    let kept = read.iter().find(|b| b.taxpayer.0 == r1).unwrap();
    assert_eq!(kept.amount, Xof(7_500 + 10_000 + 5_000 + 5_000));
    assert!(read.iter().all(|b| b.taxpayer.0 != r3));
}

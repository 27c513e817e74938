//! The collectors' API, as a phone uses it: personal tokens, payments and tickets sent
//! once or again, alone or in batches, receipts numbered without gaps under load, and
//! each collector's own day.

use chrono::Datelike;
use commune::accounts::{password, users, Role};
use commune::audit::Actor;
use commune::communes;
use commune::db;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cli::run_cli;
use crate::helpers::{demo_email, Client, TestApp, DAKAR, DEMO_PASSWORD};
use crate::revenue::account::two_years;
use crate::revenue::support::{audit_entries, page, text};

const PAYMENTS: &str = "/api/v1/dakar-plateau/payments";
const BATCH: &str = "/api/v1/dakar-plateau/payments/batch";

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The demo collector's phone, with a fresh token.
fn phone(app: &TestApp) -> Client {
    app.phone(&app.token(DAKAR, &demo_email(DAKAR, "collector")))
}

/// 25 000 owed by DKP-C1 (see `two_years`), and the collector's phone.
async fn owing(app: &TestApp) -> Client {
    two_years(app).await;
    phone(app)
}

fn cash(id: &str, taxpayer: &str, amount: i64) -> Value {
    json!({ "id": id, "taxpayer": taxpayer, "amount": amount, "mode": "cash",
            "date": today().to_string() })
}

fn ticket(id: &str, stall: &str, amount: i64) -> Value {
    json!({ "id": id, "tax": "DPLACE", "category": "etal", "payer": stall,
            "amount": amount, "mode": "cash" })
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Posts a payment, asking for the messages in `language` (`Accept-Language`).
async fn post_in(c: &Client, language: &str, body: &Value) -> reqwest::Response {
    c.http
        .post(format!("{}{PAYMENTS}", c.base))
        .header("Accept-Language", language)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Sends one payment; the answer's status and JSON.
async fn send(c: &Client, body: &Value) -> (StatusCode, Value) {
    json_of(c.post_json(PAYMENTS, body).await).await
}

async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.expect("a JSON body"))
}

/// The receipts of the commune for a year: (sequence number, receipt number, amount).
fn receipts(app: &TestApp, year: i32) -> Vec<(i64, String, i64)> {
    use commune::db::schema::payments as p;
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    p::table
        .filter(p::commune_id.eq(cid))
        .filter(p::receipt_year.eq(i64::from(year)))
        .order(p::receipt_seq.asc())
        .select((p::receipt_seq, p::receipt_number, p::amount))
        .load::<(i64, String, commune::money::Xof)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(s, n, a)| (s, n, a.0))
        .collect()
}

/// A second collector in Dakar; returns their address.
fn second_collector(app: &TestApp) -> String {
    let email = "second-collector@dakar-plateau.demo".to_string();
    let hash = password::hash(DEMO_PASSWORD).unwrap();
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    let actor = Actor::system("test");
    db::write_tx(&mut conn, |conn| {
        let id = users::create(conn, cid, &email, "Ousmane Second", &hash, &actor)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
        users::grant(conn, id, cid, Role::Collector, &actor)
    })
    .unwrap();
    email
}

#[actix_web::test]
async fn fifty_payments_sent_at_once_get_receipt_numbers_without_gap_or_duplicate() {
    // Arrange: 25 000 owed by DKP-C1, and a market.
    let app = TestApp::spawn_without_register().await;
    let c = owing(&app).await;
    let year = today().year();

    // Act: 50 requests at the same time, from as many tasks: 25 payments of 1 000 on
    // the balance and 25 tickets of 100.
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (http, base) = (c.http.clone(), c.base.clone());
            let body = if i % 2 == 0 {
                cash(&uuid(), "DKP-C1", 1_000)
            } else {
                ticket(&uuid(), &format!("Étal {i}"), 100)
            };
            tokio::spawn(async move {
                let res = http
                    .post(format!("{base}{PAYMENTS}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut answered = Vec::new();
    for t in tasks {
        answered.push(t.await.unwrap());
    }

    // Assert: every one recorded, numbered 1 to 50, no gap, no number twice.
    for (status, body) in &answered {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let stored = receipts(&app, year);
    let seqs: Vec<i64> = stored.iter().map(|r| r.0).collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    let mut numbers: Vec<String> = answered
        .iter()
        .map(|(_, b)| b["receipt"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("DKP-{year}-{n:06}")).collect();
    assert_eq!(numbers, expected);
    // The money adds up: the balance is paid off, the tickets are counted.
    let total: i64 = stored.iter().map(|r| r.2).sum();
    assert_eq!(total, 25 * 1_000 + 25 * 100);
    let (_, day) = json_of(c.get(PAYMENTS).await).await;
    assert_eq!(day["totals"]["count"], 50);
    assert_eq!(day["totals"]["cash"], 27_500);
    let (status, more) = send(&c, &cash(&uuid(), "DKP-C1", 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(more["error"]["code"], "payment.nothing_owed");
}

#[actix_web::test]
async fn a_payment_sent_again_returns_the_same_receipt_and_other_content_under_its_id_is_refused() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = owing(&app).await;
    let id = uuid();

    // Act: sent, sent again (the answer was lost), then the same id with another amount.
    let (first, one) = send(&c, &cash(&id, "DKP-C1", 5_000)).await;
    let entries = audit_entries(&app, DAKAR);
    let (again, two) = send(&c, &cash(&id, "DKP-C1", 5_000)).await;
    let (other, three) = send(&c, &cash(&id, "DKP-C1", 4_000)).await;

    // Assert: 201 then 200 with the same receipt; 409 for the other content; one payment.
    assert_eq!(first, StatusCode::CREATED, "{one}");
    assert_eq!(again, StatusCode::OK, "{two}");
    for key in [
        "id",
        "receipt",
        "verification_code",
        "amount",
        "date",
        "status",
    ] {
        assert_eq!(one[key], two[key], "{key}");
    }
    let year = today().year();
    assert_eq!(one["receipt"], format!("DKP-{year}-000001"));
    assert_eq!(one["id"], id);
    assert_eq!(one["status"], "recorded");
    let code = one["verification_code"].as_str().unwrap();
    assert_eq!(code.len(), 14, "{code}");
    assert_eq!(code.matches('-').count(), 2);
    assert_eq!(other, StatusCode::CONFLICT, "{three}");
    assert_eq!(three["error"]["code"], "api.id_reused");
    assert_eq!(three["error"]["field"], "id");
    assert_eq!(three["id"], id);
    assert_eq!(receipts(&app, year).len(), 1);
    assert_eq!(
        audit_entries(&app, DAKAR),
        entries,
        "nothing more was logged"
    );
    // Another collector sending the same id is refused too, and sees nothing of it.
    let other_phone = app.phone(&app.token(DAKAR, &second_collector(&app)));
    let (status, body) = json_of(
        other_phone
            .post_json(PAYMENTS, &cash(&id, "DKP-C1", 5_000))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.get("receipt").is_none());
    assert_eq!(receipts(&app, year).len(), 1);
}

#[actix_web::test]
async fn a_batch_sent_twice_records_each_payment_once_and_answers_each_in_order() {
    // Arrange: a day of five payments, one of them above what is left to pay, one with
    // a date that is not one, and a ticket.
    let app = TestApp::spawn_without_register().await;
    let c = owing(&app).await;
    let ids: Vec<String> = (0..5).map(|_| uuid()).collect();
    let mut bad_date = cash(&ids[3], "DKP-C1", 1_000);
    bad_date["date"] = json!("28/11/2026");
    let day = json!({ "payments": [
        cash(&ids[0], "DKP-C1", 10_000),
        cash(&ids[1], "dkp-c1", 10_000),
        cash(&ids[2], "DKP-C1", 10_000),
        bad_date,
        ticket(&ids[4], "Étal 7, marché Kermel", 300),
    ]});

    // Act: sent, then sent again whole after a lost connection.
    let (first, one) = json_of(c.post_json(BATCH, &day).await).await;
    let (second, two) = json_of(c.post_json(BATCH, &day).await).await;

    // Assert
    assert_eq!(first, StatusCode::OK, "{one}");
    assert_eq!(second, StatusCode::OK, "{two}");
    let statuses = |b: &Value| -> Vec<i64> {
        b["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(statuses(&one), [201, 201, 422, 422, 201]);
    assert_eq!(statuses(&two), [200, 200, 422, 422, 200]);
    assert_eq!(one["recorded"], 3);
    assert_eq!(one["refused"], 2);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(one["results"][i]["id"], *id, "{i}");
    }
    assert_eq!(one["results"][2]["error"]["code"], "payment.above_balance");
    assert_eq!(one["results"][2]["error"]["field"], "amount");
    assert_eq!(one["results"][3]["error"]["code"], "api.bad_date");
    for i in [0, 1, 4] {
        assert_eq!(one["results"][i]["receipt"], two["results"][i]["receipt"]);
    }
    let year = today().year();
    assert_eq!(receipts(&app, year).len(), 3);
    // One item under a used id with other content: refused alone, the rest recorded.
    let mut changed = cash(&ids[0], "DKP-C1", 2_000);
    changed["mode"] = json!("cash");
    let mixed = json!({ "payments": [changed, cash(&uuid(), "DKP-C1", 5_000)] });
    let (_, three) = json_of(c.post_json(BATCH, &mixed).await).await;
    assert_eq!(statuses(&three), [409, 201]);
    assert_eq!(three["results"][0]["error"]["code"], "api.id_reused");
    assert_eq!(receipts(&app, year).len(), 4);
    // A batch too large records nothing.
    let many: Vec<Value> = (0..501).map(|_| ticket(&uuid(), "Étal", 100)).collect();
    let (status, body) = json_of(c.post_json(BATCH, &json!({ "payments": many })).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "api.batch_too_large");
    assert_eq!(receipts(&app, year).len(), 4);
}

#[actix_web::test]
async fn a_reference_typed_in_another_case_finds_its_taxpayer() {
    // Arrange: DKP-C1 owes 25 000; Dkp-m7, stored with small letters, owes nothing.
    let app = TestApp::spawn_without_register().await;
    let (officer, _, _) = two_years(&app).await;
    crate::revenue::support::new_taxpayer(
        &officer,
        DAKAR,
        &[("ref", "Dkp-m7"), ("name", "Awa Sarr")],
    )
    .await;
    let c = phone(&app);

    // Act
    let (paid, body) = send(&c, &cash(&uuid(), " dkp-c1 ", 1_000)).await;
    let mut found = Vec::new();
    for typed in ["DKP-M7", "dkp-m7", "Dkp-m7", "DKP-M8"] {
        let (_, body) = send(&c, &cash(&uuid(), typed, 100)).await;
        found.push(body["error"]["code"].clone());
    }

    // Assert: the capitals' reference through its own index, the other through upper(ref).
    assert_eq!(paid, StatusCode::CREATED, "{body}");
    let (_, day) = json_of(c.get(PAYMENTS).await).await;
    assert_eq!(day["payments"][0]["taxpayer"], "DKP-C1");
    assert_eq!(
        found,
        [
            "payment.nothing_owed",
            "payment.nothing_owed",
            "payment.nothing_owed",
            "api.unknown_taxpayer"
        ]
    );
}

#[actix_web::test]
async fn a_ticket_is_sold_through_the_api_without_roll_or_register_entry() {
    // Arrange: the demo's fees, no register, no roll.
    let app = TestApp::spawn_without_register().await;
    let c = phone(&app);

    // Act
    let (status, sold) = send(&c, &ticket(&uuid(), "Étal 14, marché Sandaga", 300)).await;

    // Assert: numbered like any receipt, verifiable, listed in the collector's day.
    assert_eq!(status, StatusCode::CREATED, "{sold}");
    let year = today().year();
    assert_eq!(sold["receipt"], format!("DKP-{year}-000001"));
    assert_eq!(sold["tax"], "DPLACE");
    assert_eq!(sold["amount"], 300);
    let (_, day) = json_of(c.get(PAYMENTS).await).await;
    assert_eq!(day["payments"][0]["payer"], "Étal 14, marché Sandaga");
    assert_eq!(day["payments"][0]["tax"], "DPLACE");
    assert_eq!(day["payments"][0]["channel"], "api");
    // The tariff holds: 150 is not a whole number of days at 100, said in each language.
    let wrong = ticket(&uuid(), "Étal 15", 150);
    let (status, fr) = json_of(post_in(&c, "fr-SN,fr;q=0.9", &wrong).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fr["error"]["code"], "ticket.not_tariff");
    assert_eq!(fr["error"]["field"], "amount");
    assert!(fr["error"]["message"].as_str().unwrap().contains("100"));
    let (_, en) = json_of(post_in(&c, "en-GB,en;q=0.8", &wrong).await).await;
    assert_ne!(fr["error"]["message"], en["error"]["message"]);
    // A payment on a balance needs a taxpayer; an unknown one is named.
    let (status, body) = send(&c, &json!({ "id": uuid(), "amount": 100, "mode": "cash" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "api.taxpayer_needed");
    let (_, body) = send(&c, &cash(&uuid(), "DKP-NOPE", 100)).await;
    assert_eq!(body["error"]["code"], "api.unknown_taxpayer");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("DKP-NOPE"));
    assert_eq!(receipts(&app, year).len(), 1);
}

#[actix_web::test]
async fn a_body_that_is_not_the_json_described_is_a_400_in_json() {
    let app = TestApp::spawn_without_register().await;
    let c = phone(&app);
    let res = c
        .http
        .post(format!("{}{PAYMENTS}", c.base))
        .header("Content-Type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(body["error"]["detail"].as_str().is_some());
    let (status, body) = send(&c, &json!({ "id": uuid(), "mode": "cash" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["detail"].as_str().unwrap().contains("amount"));
    let (status, body) = send(&c, &json!({ "id": "42", "amount": 100, "mode": "cash" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "api.bad_id");
    let (_, body) = send(&c, &json!({ "id": uuid(), "amount": 100, "mode": "gold" })).await;
    assert_eq!(body["error"]["code"], "api.bad_mode");
}

#[actix_web::test]
async fn no_token_a_made_up_one_a_revoked_one_or_a_lost_role_is_a_401() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let email = demo_email(DAKAR, "collector");
    let token = app.token(DAKAR, &email);
    let good = app.phone(&token);
    assert_eq!(good.get(PAYMENTS).await.status(), StatusCode::OK);

    // No token; a made-up one; another scheme.
    let anonymous = app.visitor().get(PAYMENTS).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Bearer realm=\"commune\""
    );
    let (_, body) = json_of(anonymous).await;
    assert_eq!(body["error"]["code"], "unauthenticated");
    let forged = app.phone("cmn_forged").get(PAYMENTS).await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert!(forged.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    let basic = app
        .visitor()
        .http
        .get(format!("{}{PAYMENTS}", app.base))
        .header("Authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    // A logged-in collector's session is not a token; and without a token, a post with
    // the session cookie is a form like any other, which needs its CSRF token.
    let session = app.login(&email).await;
    assert_eq!(
        session.get(PAYMENTS).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let forged_form = session
        .http
        .post(format!("{}{PAYMENTS}", app.base))
        .json(&cash(&uuid(), "X", 100))
        .send()
        .await
        .unwrap();
    assert_eq!(forged_form.status(), StatusCode::FORBIDDEN);
    // Another commune's URL: 403; no such commune: 404.
    let other = good.get("/api/v1/abomey-calavi/payments").await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        good.get("/api/v1/nowhere/payments").await.status(),
        StatusCode::NOT_FOUND
    );

    // A collector who loses the role: the token stops working.
    let second = second_collector(&app);
    let theirs = app.phone(&app.token(DAKAR, &second));
    assert_eq!(theirs.get(PAYMENTS).await.status(), StatusCode::OK);
    {
        let mut conn = app.conn();
        let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
        let user = users::by_email(&mut conn, &second).unwrap().unwrap();
        db::write_tx(&mut conn, |conn| {
            users::revoke(conn, user.id, cid, Role::Collector, &Actor::system("test"))
        })
        .unwrap();
    }
    assert_eq!(
        theirs.get(PAYMENTS).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A disabled account: the same.
    {
        use commune::db::schema::users as u;
        let mut conn = app.conn();
        diesel::update(u::table.filter(u::email.eq(&email)))
            .set(u::disabled.eq(true))
            .execute(&mut conn)
            .unwrap();
    }
    assert_eq!(good.get(PAYMENTS).await.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_collector_makes_a_token_on_the_web_sees_it_once_uses_it_and_revokes_it() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let web = app.login(&demo_email(DAKAR, "collector")).await;
    let before = audit_entries(&app, DAKAR);

    // Act: the token is made from the collector's page, linked from their account.
    let account = page(&web, "/account").await;
    let link = crate::revenue::support::attr(&account, "a[href$=\"/tokens\"]", "href");
    assert_eq!(link, format!("/{DAKAR}/tokens"));
    let res = web
        .post_form(
            &format!("/{DAKAR}/tokens"),
            &[("label", "Téléphone Sandaga")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let made = scraper::Html::parse_document(&res.text().await.unwrap());
    let secret = text(&made, "[data-token]");

    // Assert: shown once, never again; it works; revoked, it does not.
    assert!(secret.starts_with("cmn_"), "{secret}");
    let listed = page(&web, &format!("/{DAKAR}/tokens")).await;
    let html = listed.html();
    assert!(!html.contains(&secret));
    assert!(html.contains("Téléphone Sandaga"));
    assert!(html.contains(&secret[secret.len() - 4..]));
    let c = app.phone(&secret);
    let (status, sold) = send(&c, &ticket(&uuid(), "Étal 1", 100)).await;
    assert_eq!(status, StatusCode::CREATED, "{sold}");
    let id = crate::revenue::support::attr(&listed, "tr[data-token-id]", "data-token-id");
    let res = web
        .post_form(&format!("/{DAKAR}/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.get(PAYMENTS).await.status(), StatusCode::UNAUTHORIZED);
    // Made, used (a ticket) and revoked: three entries in the log.
    assert_eq!(audit_entries(&app, DAKAR), before + 3);
    // A finance officer may not hold one; nor revoke someone else's.
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    assert_eq!(
        officer.get(&format!("/{DAKAR}/tokens")).await.status(),
        StatusCode::FORBIDDEN
    );
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let res = admin
        .post_form(&format!("/{DAKAR}/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn a_collector_sees_only_their_own_payments_of_the_day_with_cash_apart() {
    // Arrange: two collectors, each with a phone.
    let app = TestApp::spawn_without_register().await;
    let mine = owing(&app).await;
    let theirs = app.phone(&app.token(DAKAR, &second_collector(&app)));
    let mut momo = cash(&uuid(), "DKP-C1", 3_000);
    momo["mode"] = json!("mobile_money");
    momo["reference"] = json!("MP261128.1042.A12345");
    for body in [
        cash(&uuid(), "DKP-C1", 2_000),
        momo,
        ticket(&uuid(), "Étal 2", 200),
    ] {
        assert_eq!(
            mine.post_json(PAYMENTS, &body).await.status(),
            StatusCode::CREATED
        );
    }
    let (status, _) = json_of(
        theirs
            .post_json(PAYMENTS, &cash(&uuid(), "DKP-C1", 7_000))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // Act
    let (_, day) = json_of(mine.get(&format!("{PAYMENTS}?date={}", today())).await).await;
    let (_, other) = json_of(theirs.get(PAYMENTS).await).await;
    let (_, yesterday) = json_of(
        mine.get(&format!("{PAYMENTS}?date={}", today().pred_opt().unwrap()))
            .await,
    )
    .await;

    // Assert
    assert_eq!(day["payments"].as_array().unwrap().len(), 3);
    assert_eq!(
        day["totals"],
        json!({ "count": 3, "total": 5_200, "cash": 2_200, "mobile_money": 3_000, "other": 0 })
    );
    assert_eq!(other["payments"].as_array().unwrap().len(), 1);
    assert_eq!(other["payments"][0]["amount"], 7_000);
    assert_eq!(other["totals"]["cash"], 7_000);
    assert_eq!(yesterday["payments"].as_array().unwrap().len(), 0);
    assert_eq!(
        mine.get(&format!("{PAYMENTS}?date=yesterday"))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[actix_web::test]
async fn a_token_made_on_the_command_line_is_printed_on_its_last_line_and_works() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let email = demo_email(DAKAR, "collector");

    // Act
    let out = run_cli(
        &app,
        &[
            "token",
            "create",
            "--commune",
            DAKAR,
            "--email",
            &email,
            "--label",
            "Tél. 2",
        ],
    );

    // Assert
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let token = stdout.trim_end().lines().last().unwrap().to_string();
    assert!(token.starts_with("cmn_"), "{stdout}");
    let c = app.phone(&token);
    assert_eq!(
        c.post_json(PAYMENTS, &ticket(&uuid(), "Étal 3", 100))
            .await
            .status(),
        StatusCode::CREATED
    );
    let list = run_cli(&app, &["token", "list", "--commune", DAKAR]);
    let listed = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(
        listed.contains("Tél. 2") && !listed.contains(&token),
        "{listed}"
    );
    let id = listed
        .lines()
        .find(|l| l.contains("Tél. 2"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    let out = run_cli(&app, &["token", "revoke", "--commune", DAKAR, "--id", &id]);
    assert!(out.status.success());
    assert_eq!(c.get(PAYMENTS).await.status(), StatusCode::UNAUTHORIZED);
    // A citizen may not hold one.
    let refused = run_cli(
        &app,
        &[
            "token",
            "create",
            "--commune",
            DAKAR,
            "--email",
            &demo_email(DAKAR, "citizen"),
        ],
    );
    assert!(!refused.status.success());
}

#[actix_web::test]
async fn the_openapi_document_parses_and_describes_every_route_of_the_phones() {
    let app = TestApp::spawn_without_register().await;
    let res = app.visitor().get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    for spec in commune::web::routes::route_specs()
        .into_iter()
        .filter(|s| matches!(s.access, commune::accounts::Access::Bearer(_)))
    {
        let op = &doc["paths"][spec.path][spec.method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not described",
            spec.method,
            spec.path
        );
        for status in ["401", "403", "404"] {
            assert!(
                op["responses"][status].is_object(),
                "{} {status}",
                spec.path
            );
        }
    }
    let post = &doc["paths"]["/api/v1/{commune}/payments"]["post"]["responses"];
    for status in ["200", "201", "400", "409", "422"] {
        assert!(post[status].is_object(), "{status}");
    }
    // Every reference points at a schema the document holds.
    let text = doc.to_string();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
}

//! Mobile money over HTTP, against a fake provider on loopback: a payer starts a
//! payment from the payer's page; Wave's signed webhook or MoMo's status (asked after an
//! unsigned callback, or by polling) settles it once, whatever the order and however
//! often the news comes; nothing is credited for a payment that differs from the one
//! asked; the receipt carries its verification code.

use commune::communes;
use commune::revenue::mobile::{self, poll, statement, Intent, IntentStatus};
use commune::revenue::payments;
use commune::revenue::taxpayers;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::fake_provider::{FakeProvider, WAVE_SECRET};
use crate::helpers::{demo_email, location, Client, TestApp, DAKAR};
use crate::revenue::support::{fcfa, page, text, ABOMEY};

pub(crate) async fn app_with(fake: &FakeProvider, poll_seconds: u64) -> TestApp {
    TestApp::builder()
        .mobile_money(fake.settings(poll_seconds))
        .spawn()
        .await
}

/// A taxpayer of the demo commune who owes something: their reference and balance.
pub(crate) fn owing(app: &TestApp, slug: &str) -> (String, i64) {
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, slug).unwrap().unwrap();
    let (rows, _) = taxpayers::page(&mut conn, commune.id, &Default::default(), None, 50).unwrap();
    rows.iter()
        .find_map(|row| {
            let t = taxpayers::by_id(&mut conn, commune.id, row.id).unwrap();
            let s = statement::of(&mut conn, &commune, &t, commune.today()).unwrap();
            (s.balance.0 >= 10_000).then_some((s.reference, s.balance.0))
        })
        .expect("a demo taxpayer who owes 10 000 or more")
}

/// The balance the payer's page shows for `reference`.
pub(crate) async fn balance_shown(c: &Client, slug: &str, reference: &str) -> String {
    let p = page(c, &format!("/{slug}/pay?ref={reference}")).await;
    text(&p, "[data-figure=balance]")
}

async fn start(
    c: &Client,
    slug: &str,
    reference: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all = vec![("ref", reference)];
    all.extend_from_slice(fields);
    c.post_form(&format!("/{slug}/pay"), &all).await
}

/// The newest intent of a commune.
pub(crate) fn latest(app: &TestApp, slug: &str) -> Intent {
    use commune::db::schema::payment_intents as pi;
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, slug).unwrap().unwrap().id;
    pi::table
        .filter(pi::commune_id.eq(cid))
        .order(pi::id.desc())
        .select(Intent::as_select())
        .limit(1)
        .get_result(&mut *conn)
        .expect("an intent")
}

pub(crate) fn reload(app: &TestApp, intent: &Intent) -> Intent {
    mobile::get(&mut app.conn(), intent.id).unwrap()
}

/// The mobile-money receipts of a commune: (number, amount, reference, received by).
pub(crate) fn mobile_receipts(
    app: &TestApp,
    slug: &str,
) -> Vec<(String, i64, Option<String>, String)> {
    use commune::db::schema::{payments as p, users as u};
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, slug).unwrap().unwrap().id;
    p::table
        .inner_join(u::table)
        .filter(p::commune_id.eq(cid))
        .filter(p::channel.eq("mobile_money"))
        .order(p::id.asc())
        .select((p::receipt_number, p::amount, p::method_reference, u::name))
        .load(&mut *conn)
        .unwrap()
}

fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.to_string().as_bytes());
    mac.update(body.as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Posts a webhook's body as Wave does, with the signature header given (if any).
async fn wave_webhook(app: &TestApp, body: &str, header: Option<String>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/{DAKAR}/webhooks/wave", app.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(h) = header {
        req = req.header("Wave-Signature", h);
    }
    req.send().await.unwrap()
}

/// Sends a webhook event, signed now with the webhook's secret; its JSON answer.
pub(crate) async fn signed_event(app: &TestApp, event: &Value) -> Value {
    let body = event.to_string();
    let res = wave_webhook(app, &body, Some(signature(WAVE_SECRET, now(), &body))).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// An event about a Wave session, as the fake holds it with `changes` on top.
pub(crate) fn event(id: &str, kind: &str, session: &Value, changes: Value) -> Value {
    let mut data = session.clone();
    if let (Value::Object(d), Value::Object(c)) = (&mut data, changes) {
        d.extend(c);
    }
    json!({ "id": id, "type": kind, "data": data })
}

fn paid() -> Value {
    json!({ "checkout_status": "complete", "payment_status": "succeeded", "transaction_id": "T_WAVE_1" })
}

/// A payer starts a 5 000 Wave payment of `reference`: its intent and session.
pub(crate) async fn wave_payment(
    app: &TestApp,
    fake: &FakeProvider,
    reference: &str,
) -> (Intent, Value) {
    let payer = app.visitor();
    let res = start(
        &payer,
        DAKAR,
        reference,
        &[("amount", "5 000"), ("provider", "wave")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let intent = latest(app, DAKAR);
    let session = fake.wave_session(&intent.reference);
    assert_eq!(location(&res), session["wave_launch_url"].as_str().unwrap());
    (intent, session)
}

#[actix_web::test]
async fn a_wave_payment_is_recorded_once_by_its_signed_webhook_and_its_receipt_verifies() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let payer = app.visitor();
    let form = page(
        &payer,
        &format!("/{DAKAR}/pay?ref={}", reference.to_lowercase()),
    )
    .await;
    assert_eq!(text(&form, "[data-figure=balance]"), fcfa(balance));
    assert!(text(&form, "[data-masked-name]").contains('•'));

    // Act: the payer starts, Wave opens a session, then says it is paid.
    let (intent, session) = wave_payment(&app, &fake, &reference).await;
    let status_page = format!("/{DAKAR}/pay/{}", intent.reference);
    assert_eq!(session["amount"], "5000");
    assert_eq!(session["currency"], "XOF");
    assert_eq!(
        session["success_url"].as_str().unwrap(),
        format!("{}{status_page}", app.base)
    );
    let waiting = page(&payer, &status_page).await;
    assert_eq!(
        crate::revenue::support::attr(&waiting, "[data-status]", "data-status"),
        "pending"
    );
    assert_eq!(reload(&app, &intent).status, IntentStatus::Pending);
    let done = signed_event(
        &app,
        &event("AE_1", "checkout.session.completed", &session, paid()),
    )
    .await;

    // Assert: one receipt, of 5 000, referenced by Wave's transaction, received by the
    // commune's mobile-payments account; the balance is 5 000 lower.
    assert_eq!(done["outcome"], "succeeded");
    let receipts = mobile_receipts(&app, DAKAR);
    assert_eq!(receipts.len(), 1);
    let (number, amount, wave_ref, by) = &receipts[0];
    assert_eq!(
        (*amount, wave_ref.as_deref(), by.as_str()),
        (5000, Some("T_WAVE_1"), "Paiements mobiles")
    );
    assert_eq!(
        balance_shown(&payer, DAKAR, &reference).await,
        fcfa(balance - 5000)
    );
    // The status page gives the receipt and its verification code, which verifies.
    let paid_page = page(&payer, &status_page).await;
    assert_eq!(&text(&paid_page, "[data-receipt-number]"), number);
    let code = text(&paid_page, "[data-verification-code]");
    let link = crate::revenue::support::attr(&paid_page, "a[data-receipt-link]", "href");
    assert_eq!(link, format!("/verify/{code}"));
    let payments::code::Typed::Code(code) = payments::code::parse(&code) else {
        panic!("a well-formed code: {code}");
    };
    let verified = payments::verify(&mut app.conn(), &code)
        .unwrap()
        .expect("a receipt");
    assert!(verified.genuine);
    assert_eq!(
        (verified.amount.0, &verified.receipt_number),
        (5000, number)
    );

    // The same event again, the same news under another id, then a late failure: nothing.
    let again = signed_event(
        &app,
        &event("AE_1", "checkout.session.completed", &session, paid()),
    )
    .await;
    assert_eq!(again["replayed"], true);
    let dup = signed_event(
        &app,
        &event("AE_2", "checkout.session.completed", &session, paid()),
    )
    .await;
    assert_eq!(dup["outcome"], "unchanged");
    let late = event(
        "AE_3",
        "checkout.session.payment_failed",
        &session,
        json!({ "payment_status": "cancelled" }),
    );
    assert_eq!(signed_event(&app, &late).await["outcome"], "unchanged");
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    assert_eq!(reload(&app, &intent).status, IntentStatus::Succeeded);
    assert_eq!(
        balance_shown(&payer, DAKAR, &reference).await,
        fcfa(balance - 5000)
    );
}

#[actix_web::test]
async fn a_webhook_badly_signed_old_from_the_future_or_unsigned_is_refused_and_changes_nothing() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, DAKAR);
    let (intent, session) = wave_payment(&app, &fake, &reference).await;
    let body = event("AE_9", "checkout.session.completed", &session, paid()).to_string();

    // Act and assert: each is a 401 that says why, in JSON.
    let t = now();
    for (header, code) in [
        (Some(signature("not-the-secret", t, &body)), "bad_signature"),
        (
            Some(signature(WAVE_SECRET, t, &body.replace("5000", "50"))),
            "bad_signature",
        ),
        (Some(signature(WAVE_SECRET, t - 301, &body)), "too_old"),
        (
            Some(signature(WAVE_SECRET, t + 400, &body)),
            "from_the_future",
        ),
        (Some(format!("t={t}")), "bad_signature"),
        (None, "bad_signature"),
    ] {
        let res = wave_webhook(&app, &body, header.clone()).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{header:?}");
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["error"]["code"], code, "{header:?}");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    assert!(mobile_receipts(&app, DAKAR).is_empty());
    assert_eq!(reload(&app, &intent).status, IntentStatus::Pending);

    // The same body, signed well, still works: the refused ones left no trace.
    let ok = wave_webhook(&app, &body, Some(signature(WAVE_SECRET, now(), &body))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    // A commune that does not use Wave has no Wave webhook.
    let elsewhere = reqwest::Client::new()
        .post(format!("{}/api/v1/{ABOMEY}/webhooks/wave", app.base))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_failure_then_a_late_success_credits_once_and_another_amount_credits_nothing() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let (first, session) = wave_payment(&app, &fake, &reference).await;

    // Act: out of order, the failure of a first try arrives, then the success.
    let failed = event(
        "AE_10",
        "checkout.session.payment_failed",
        &session,
        json!({ "payment_status": "processing" }),
    );
    assert_eq!(signed_event(&app, &failed).await["outcome"], "failed");
    assert_eq!(reload(&app, &first).status, IntentStatus::Failed);
    let success = event("AE_11", "checkout.session.completed", &session, paid());
    assert_eq!(signed_event(&app, &success).await["outcome"], "succeeded");

    // Assert: the money that left the payer's wallet is credited, once.
    assert_eq!(reload(&app, &first).status, IntentStatus::Succeeded);
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);

    // Act: a second payment, which Wave reports at another amount.
    let (second, session) = wave_payment(&app, &fake, &reference).await;
    let short = event(
        "AE_12",
        "checkout.session.completed",
        &session,
        json!({ "checkout_status": "complete", "payment_status": "succeeded",
                "transaction_id": "T_WAVE_2", "amount": "500" }),
    );
    assert_eq!(signed_event(&app, &short).await["outcome"], "disputed");

    // Assert: nothing credited; the intent is disputed, and the audit log says why.
    let second = reload(&app, &second);
    assert_eq!(second.status, IntentStatus::Disputed);
    assert_eq!(second.problem.as_deref(), Some("mobile.problem.amount"));
    assert_eq!(second.transaction_id.as_deref(), Some("T_WAVE_2"));
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    assert_eq!(
        balance_shown(&app.visitor(), DAKAR, &reference).await,
        fcfa(balance - 5000)
    );
    let log = {
        let mut conn = app.conn();
        let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
        commune::audit::page(&mut conn, cid, None, 10).unwrap()
    };
    let dispute = log
        .iter()
        .find(|e| e.action == "mobile_money.dispute")
        .expect("the dispute in the audit log");
    assert!(dispute.details.contains("\"500\""), "{}", dispute.details);
    let shown = page(
        &app.visitor(),
        &format!("/{DAKAR}/pay/{}", second.reference),
    )
    .await;
    assert!(text(&shown, "[data-status]").contains("ne correspond pas"));
    // Even a later success at the right amount does not undo a dispute.
    let right = event("AE_13", "checkout.session.completed", &session, paid());
    assert_eq!(signed_event(&app, &right).await["outcome"], "unchanged");
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    // The treasurer finds the disputed payment, with Wave's transaction to look up.
    let treasurer = app.login(&demo_email(DAKAR, "treasurer")).await;
    let report = page(&treasurer, &format!("/{DAKAR}/treasury/mobile-money")).await;
    let row = text(&report, &format!("[data-intent='{}']", second.reference));
    assert!(row.contains("T_WAVE_2") && row.contains("Wave"), "{row}");
    assert!(row.contains("n’est pas celui qui était demandé"), "{row}");
    assert!(text(&report, "#pending ~ p").contains("Aucune demande"));
}

#[actix_web::test]
async fn a_wave_payment_whose_webhook_is_lost_is_settled_by_asking_wave() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, DAKAR);
    let (intent, session) = wave_payment(&app, &fake, &reference).await;
    let id = session["id"].as_str().unwrap();
    assert_eq!(poll_now(&app).await.succeeded, 0);

    // Act: Wave's session is paid, and its webhook never arrives.
    fake.set_wave(id, paid());
    let report = poll_now(&app).await;

    // Assert
    assert_eq!((report.checked, report.succeeded), (1, 1));
    assert_eq!(reload(&app, &intent).status, IntentStatus::Succeeded);
    assert_eq!(fake.count("GET", &format!("/v1/checkout/sessions/{id}")), 2);
    // The webhook arriving late changes nothing.
    let late = event("AE_30", "checkout.session.completed", &session, paid());
    assert_eq!(signed_event(&app, &late).await["outcome"], "unchanged");
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
}

/// A payer of Abomey-Calavi asks MTN MoMo for 5 000 from their phone: the intent.
async fn momo_payment(app: &TestApp, reference: &str) -> Intent {
    let payer = app.visitor();
    let res = start(
        &payer,
        ABOMEY,
        reference,
        &[
            ("amount", "5000"),
            ("provider", "mtn_momo"),
            ("phone", "01 97 12 34 56"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let intent = latest(app, ABOMEY);
    assert_eq!(
        location(&res),
        format!("/{ABOMEY}/pay/{}", intent.reference)
    );
    intent
}

/// One round of polling, as the background job does it.
pub(crate) async fn poll_now(app: &TestApp) -> poll::Report {
    poll::run_once(&app.pool, &app.state().mobile, std::time::Duration::ZERO)
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_momo_payment_whose_callback_never_comes_is_settled_by_polling() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, ABOMEY);

    // Act: the request to pay, answered 202; the payer is asked to confirm.
    let intent = momo_payment(&app, &reference).await;
    let waiting = page(
        &app.visitor(),
        &format!("/{ABOMEY}/pay/{}", intent.reference),
    )
    .await;
    assert!(text(&waiting, "#pay-state").contains("confirmez sur votre téléphone"));

    // Assert: MoMo got a token, then the request with its headers and the payer's number.
    assert_eq!(fake.count("POST", "/collection/token"), 1);
    let asked = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/collection/v1_0/requesttopay")
        .expect("a request to pay");
    let (id, _) = fake.momo_request(&intent.reference);
    assert_eq!(asked.headers["x-reference-id"], id);
    assert_eq!(intent.provider_ref.as_deref(), Some(id.as_str()));
    assert_eq!(
        asked.headers["x-callback-url"],
        format!("{}/api/v1/{ABOMEY}/webhooks/momo", app.base)
    );
    assert_eq!(asked.body["payer"]["partyId"], "2290197123456");
    assert_eq!(asked.body["externalId"], intent.reference);
    assert_eq!(
        (&asked.body["amount"], &asked.body["currency"]),
        (&json!("5000"), &json!("XOF"))
    );

    // Act: no callback comes. A first round finds it pending; MoMo then says paid.
    let first = poll_now(&app).await;
    assert_eq!((first.checked, first.succeeded), (1, 0));
    assert_eq!(reload(&app, &intent).status, IntentStatus::Pending);
    fake.set_momo(
        &id,
        json!({ "status": "SUCCESSFUL", "financialTransactionId": "363440463" }),
    );
    let second = poll_now(&app).await;

    // Assert: paid once, on the polls alone; a third round has nothing left to ask.
    assert_eq!((second.checked, second.succeeded), (1, 1));
    let intent = reload(&app, &intent);
    assert_eq!((intent.status, intent.polls), (IntentStatus::Succeeded, 2));
    let receipts = mobile_receipts(&app, ABOMEY);
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].2.as_deref(), Some("363440463"));
    assert_eq!(poll_now(&app).await.checked, 0);
    assert_eq!(
        fake.count("POST", "/collection/token"),
        1,
        "the token is kept"
    );
    assert_eq!(
        balance_shown(&app.visitor(), ABOMEY, &reference).await,
        fcfa(balance - 5000)
    );
    let done = page(
        &app.visitor(),
        &format!("/{ABOMEY}/pay/{}", intent.reference),
    )
    .await;
    assert_eq!(text(&done, "[data-receipt-number]"), receipts[0].0);
}

async fn momo_callback(app: &TestApp, body: Value) -> Value {
    let res = reqwest::Client::new()
        .put(format!("{}/api/v1/{ABOMEY}/webhooks/momo", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[actix_web::test]
async fn a_momo_callback_is_never_believed_the_provider_is_asked_instead() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, ABOMEY);
    let intent = momo_payment(&app, &reference).await;
    let (id, _) = fake.momo_request(&intent.reference);
    let lie = json!({
        "financialTransactionId": "999", "externalId": intent.reference, "amount": "5000",
        "currency": "XOF", "status": "SUCCESSFUL",
    });

    // Act: a callback says SUCCESSFUL while MoMo says PENDING.
    let answer = momo_callback(&app, lie.clone()).await;

    // Assert: MoMo was asked, and nothing was credited.
    assert_eq!(answer["outcome"], "unchanged");
    assert_eq!(
        fake.count("GET", &format!("/collection/v1_0/requesttopay/{id}")),
        1
    );
    assert!(mobile_receipts(&app, ABOMEY).is_empty());
    assert_eq!(reload(&app, &intent).status, IntentStatus::Pending);

    // A callback for no intent, or no JSON at all, credits nothing either.
    assert_eq!(
        momo_callback(
            &app,
            json!({ "externalId": "ACV-MM-NOTHING", "status": "SUCCESSFUL" })
        )
        .await["outcome"],
        "unknown"
    );
    let garbage = reqwest::Client::new()
        .post(format!("{}/api/v1/{ABOMEY}/webhooks/momo", app.base))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);

    // Act: MoMo says paid, at another amount, and the callback comes.
    fake.set_momo(
        &id,
        json!({ "status": "SUCCESSFUL", "financialTransactionId": "777", "amount": "50000" }),
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let answer = momo_callback(&app, lie).await;

    // Assert: disputed, nothing credited.
    assert_eq!(answer["outcome"], "disputed");
    assert!(mobile_receipts(&app, ABOMEY).is_empty());
    let intent = reload(&app, &intent);
    assert_eq!(
        (intent.status, intent.problem.as_deref()),
        (IntentStatus::Disputed, Some("mobile.problem.amount"))
    );
    // And polling leaves a disputed intent alone.
    assert_eq!(poll_now(&app).await.checked, 0);
}

#[actix_web::test]
async fn a_momo_callback_makes_commune_ask_and_settle_at_once_and_twice_records_once() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, ABOMEY);
    let intent = momo_payment(&app, &reference).await;
    let (id, request) = fake.momo_request(&intent.reference);
    fake.set_momo(
        &id,
        json!({ "status": "SUCCESSFUL", "financialTransactionId": "5550001" }),
    );
    let mut callback = request.clone();
    callback["status"] = json!("SUCCESSFUL");

    // Act: the callback, then the same callback again (POST this time).
    let answer = momo_callback(&app, callback.clone()).await;
    let again = reqwest::Client::new()
        .post(format!("{}/api/v1/{ABOMEY}/webhooks/momo", app.base))
        .json(&callback)
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(answer["outcome"], "succeeded");
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["outcome"], "unchanged");
    assert_eq!(mobile_receipts(&app, ABOMEY).len(), 1);
    assert_eq!(reload(&app, &intent).status, IntentStatus::Succeeded);
}

#[actix_web::test]
async fn the_background_job_started_with_the_server_settles_a_payment_by_itself() {
    // Arrange: polling every second.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 1).await;
    let (reference, _) = owing(&app, ABOMEY);
    let intent = momo_payment(&app, &reference).await;
    let (id, _) = fake.momo_request(&intent.reference);

    // Act: MoMo says paid; nobody calls back.
    fake.set_momo(
        &id,
        json!({ "status": "SUCCESSFUL", "financialTransactionId": "8080" }),
    );

    // Assert: within a few seconds, the job has recorded it.
    let mut status = IntentStatus::Pending;
    for _ in 0..100 {
        status = reload(&app, &intent).status;
        if status == IntentStatus::Succeeded {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, IntentStatus::Succeeded);
    assert_eq!(mobile_receipts(&app, ABOMEY).len(), 1);
}

#[actix_web::test]
async fn a_payment_left_pending_for_a_day_expires_and_an_unreachable_provider_fails_it() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, ABOMEY);
    let intent = momo_payment(&app, &reference).await;
    {
        use commune::db::schema::payment_intents as pi;
        let yesterday = chrono::Utc::now().naive_utc() - chrono::Duration::hours(25);
        diesel::update(pi::table.find(intent.id))
            .set(pi::created_at.eq(yesterday))
            .execute(&mut *app.conn())
            .unwrap();
    }

    // Act
    let report = poll_now(&app).await;

    // Assert: asked one last time (still pending), then expired.
    assert_eq!((report.checked, report.expired), (1, 1));
    let intent = reload(&app, &intent);
    assert_eq!(intent.status, IntentStatus::Expired);
    let shown = page(
        &app.visitor(),
        &format!("/{ABOMEY}/pay/{}", intent.reference),
    )
    .await;
    assert!(text(&shown, "#pay-state").contains("pas été confirmé"));

    // Arrange: a provider nobody answers at.
    drop(fake);
    let res = start(
        &app.visitor(),
        ABOMEY,
        &reference,
        &[
            ("amount", "1000"),
            ("provider", "mtn_momo"),
            ("phone", "0197123456"),
        ],
    )
    .await;

    // Assert: the payer lands on the status page, which says so; nothing is pending.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let failed = latest(&app, ABOMEY);
    assert_eq!(failed.status, IntentStatus::Failed);
    assert_eq!(
        failed.problem.as_deref(),
        Some("mobile.problem.unreachable")
    );
    let shown = page(&app.visitor(), &location(&res)).await;
    assert!(text(&shown, ".warning").contains("ne répond pas"));
}

#[actix_web::test]
async fn the_payers_page_refuses_what_no_payment_could_be_and_writes_nothing() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, ABOMEY);
    let payer = app.visitor();

    // An unknown reference; an amount above the balance; MoMo without a phone.
    let unknown = page(&payer, &format!("/{ABOMEY}/pay?ref=ACV-NOBODY")).await;
    assert!(text(&unknown, "[role=alert]").contains("ACV-NOBODY"));
    let above = (balance + 1).to_string();
    for (fields, field, says) in [
        (
            vec![
                ("amount", above.as_str()),
                ("provider", "mtn_momo"),
                ("phone", "0197123456"),
            ],
            "amount",
            "dépasse le solde",
        ),
        (
            vec![
                ("amount", "1000"),
                ("provider", "mtn_momo"),
                ("phone", "12"),
            ],
            "phone",
            "béninois",
        ),
        (
            vec![
                ("amount", "1000"),
                ("provider", "wave"),
                ("phone", "0197123456"),
            ],
            "provider",
            "moyens de paiement",
        ),
        (
            vec![
                ("amount", "zéro"),
                ("provider", "mtn_momo"),
                ("phone", "0197123456"),
            ],
            "amount",
            "",
        ),
    ] {
        let res = start(&payer, ABOMEY, &reference, &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let body = scraper::Html::parse_document(&res.text().await.unwrap());
        let message = text(&body, ".field-error");
        assert!(message.contains(says), "{field}: {message}");
    }
    assert_eq!(fake.count("POST", "/collection/v1_0/requesttopay"), 0);
    {
        use commune::db::schema::payment_intents as pi;
        let n: i64 = pi::table.count().get_result(&mut *app.conn()).unwrap();
        assert_eq!(n, 0);
    }
    // A commune without a provider says how else to pay.
    let plain = TestApp::spawn().await;
    let (dakar_ref, _) = owing(&plain, DAKAR);
    let p = page(&plain.visitor(), &format!("/{DAKAR}/pay?ref={dakar_ref}")).await;
    assert!(text(&p, ".warning").contains("pas encore"));
}

#[actix_web::test]
async fn a_citizen_whose_email_is_in_the_register_sees_their_account_and_can_pay_it() {
    // Arrange: the demo citizen's address on a taxpayer who owes; a receipt at the counter.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let email = demo_email(DAKAR, "citizen");
    {
        use commune::db::schema::taxpayers as t;
        diesel::update(t::table.filter(t::reference.eq(&reference)))
            .set(t::email.eq(Some(email.to_uppercase())))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let (intent, session) = wave_payment(&app, &fake, &reference).await;
    signed_event(
        &app,
        &event("AE_20", "checkout.session.completed", &session, paid()),
    )
    .await;

    // Act
    let citizen = app.login(&email).await;
    let me = page(&citizen, &format!("/{DAKAR}/me")).await;

    // Assert: their account, what is left, their receipt with its verify link, and the
    // way to pay the rest.
    let account = format!("[data-taxpayer=\"{reference}\"]");
    assert_eq!(
        text(&me, &format!("{account} [data-figure=balance]")),
        fcfa(balance - 5000)
    );
    assert!(crate::revenue::support::count(&me, &format!("{account} tr[data-line]")) >= 1);
    let receipt = &mobile_receipts(&app, DAKAR)[0].0;
    let link =
        crate::revenue::support::attr(&me, &format!("tr[data-receipt=\"{receipt}\"] a"), "href");
    assert!(link.starts_with("/verify/"), "{link}");
    assert_eq!(
        crate::revenue::support::attr(&me, "a[data-pay]", "href"),
        format!("/{DAKAR}/pay?ref={reference}")
    );
    let paid_link = format!("{account} a[href=\"/{DAKAR}/pay/{}\"]", intent.reference);
    assert!(text(&me, &paid_link).contains(&fcfa(5000)));
    // Someone else's space shows no account.
    let other = app.login(&demo_email(ABOMEY, "citizen")).await;
    let theirs = page(&other, &format!("/{ABOMEY}/me")).await;
    assert_eq!(
        crate::revenue::support::count(&theirs, "[data-taxpayer]"),
        0
    );
    assert!(text(&theirs, "#my-taxes + p").contains("citoyen@abomey-calavi.demo"));
}

#[actix_web::test]
async fn the_command_line_polls_once_and_records_what_was_paid() {
    // Arrange: a MoMo payment paid at the provider, with no callback.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, ABOMEY);
    let intent = momo_payment(&app, &reference).await;
    let (id, _) = fake.momo_request(&intent.reference);
    fake.set_momo(
        &id,
        json!({ "status": "SUCCESSFUL", "financialTransactionId": "1212" }),
    );

    // Act
    let settings = fake.settings(0);
    let out = crate::cli::run_cli_with(
        &app.db.url(),
        &["mobile-money", "poll"],
        &[("COMMUNE_MOBILE_MONEY", settings.as_str())],
    );

    // Assert
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.starts_with("1 checked: 1 paid"), "{said}");
    assert_eq!(reload(&app, &intent).status, IntentStatus::Succeeded);
    assert_eq!(mobile_receipts(&app, ABOMEY).len(), 1);
}

#[actix_web::test]
async fn the_same_success_delivered_many_times_at_once_records_one_receipt() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let (intent, session) = wave_payment(&app, &fake, &reference).await;
    let events: Vec<Value> = (0..8)
        .map(|i| {
            event(
                &format!("AE_{}", 40 + i % 3),
                "checkout.session.completed",
                &session,
                paid(),
            )
        })
        .collect();

    // Act: eight deliveries of three events, all at once.
    let answers =
        futures_util::future::join_all(events.iter().map(|e| signed_event(&app, e))).await;

    // Assert: one succeeded, the others found it done or were replays.
    let outcomes: Vec<&str> = answers
        .iter()
        .map(|a| a["outcome"].as_str().unwrap_or("replayed"))
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "succeeded").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == "replayed").count(),
        5,
        "{outcomes:?}"
    );
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    assert_eq!(reload(&app, &intent).status, IntentStatus::Succeeded);
    assert_eq!(
        balance_shown(&app.visitor(), DAKAR, &reference).await,
        fcfa(balance - 5000)
    );
}

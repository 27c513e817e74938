//! The treasury over HTTP: a collector declares their cash-up, the treasurer counts it
//! (a shortfall is recorded and shown) into a numbered deposit ([`cashups`]), a bank
//! statement reconciles the deposit and a mobile-money receipt and lists what matches
//! nothing, and a bad statement writes nothing ([`bank`]), every separation-of-duties
//! refusal ([`duties`]), and the year's receipts exported from the command line
//! ([`export`]). What they share is here.

mod bank;
mod cashups;
mod duties;
mod export;

use chrono::{Datelike, NaiveDate};
use commune::accounts::{users, Role};
use commune::audit::Actor;
use commune::communes::{self, Commune};
use commune::db::{self, schema, DbConn};
use commune::ids::{CashupId, PaymentId, UserId};
use commune::money::Xof;
use commune::revenue::payments::{self, tickets, Channel, Method, NewPayment, Status};
use diesel::prelude::*;
use reqwest::StatusCode;
use scraper::Html;

use crate::cli::run_cli;
use crate::helpers::{demo_email, location, Client, TestApp, DAKAR};
use crate::revenue::account::two_years;
use crate::revenue::support::{attr, count, fcfa, page, text};

/// The mobile-money reference of the demo's payment (a Wave transaction).
pub const MOMO_REF: &str = "MP261130.0915.B52011";

pub fn dakar(conn: &mut DbConn) -> Commune {
    communes::by_slug(conn, DAKAR).unwrap().unwrap()
}

pub fn user_id(app: &TestApp, email: &str) -> UserId {
    users::by_email(&mut app.conn(), email).unwrap().unwrap().id
}

/// Gives a demo user one more role in Dakar-Plateau.
pub fn grant(app: &TestApp, email: &str, role: Role) {
    let id = user_id(app, email);
    let mut conn = app.conn();
    let cid = dakar(&mut conn).id;
    db::write_tx(&mut conn, |c| {
        users::grant(c, id, cid, role, &Actor::system("test"))
    })
    .unwrap();
}

/// A payment on a taxpayer's balance, received by the demo collector.
pub fn collect(app: &TestApp, taxpayer: &str, amount: i64, method: Method, reference: &str) {
    let who = user_id(app, &demo_email(DAKAR, "collector"));
    let mut conn = app.conn();
    let commune = dakar(&mut conn);
    let t = commune::revenue::taxpayers::by_ref(&mut conn, commune.id, taxpayer)
        .unwrap()
        .unwrap();
    let p = NewPayment {
        taxpayer: t.id,
        amount: Xof(amount),
        method,
        reference: Some(reference.into()),
        token: uuid::Uuid::new_v4().to_string(),
        paid_on: None,
        channel: Channel::Counter,
    };
    db::write_tx(&mut conn, |c| {
        payments::record(
            c,
            &commune,
            &p,
            commune.today(),
            &Actor::system("test"),
            who,
        )
    })
    .unwrap();
}

/// A market ticket (stalls at 100 a day), in cash, sold by the demo collector.
pub fn ticket(app: &TestApp, amount: i64, payer: &str) {
    let who = user_id(app, &demo_email(DAKAR, "collector"));
    let mut conn = app.conn();
    let commune = dakar(&mut conn);
    let t = tickets::NewTicket {
        tax: "DPLACE".into(),
        category: Some("etal".into()),
        taxpayer: None,
        payer: Some(payer.into()),
        amount: Xof(amount),
        method: Method::Cash,
        reference: None,
        token: uuid::Uuid::new_v4().to_string(),
        paid_on: None,
        channel: Channel::Api,
    };
    db::write_tx(&mut conn, |c| {
        tickets::sell(
            c,
            &commune,
            &t,
            commune.today(),
            &Actor::system("test"),
            who,
        )
    })
    .unwrap();
}

/// The collector declares their cash-up with the cash counted, from their page.
pub async fn declare(c: &Client, cash: &str) -> reqwest::Response {
    let mine = page(c, &format!("/{DAKAR}/collect/cashup")).await;
    let through = attr(&mine, "form input[name=through]", "value");
    c.post_form(
        &format!("/{DAKAR}/collect/cashup"),
        &[("through", &through), ("cash", cash)],
    )
    .await
}

/// The newest cash-up of the commune.
pub fn last_cashup(app: &TestApp) -> CashupId {
    use schema::cashups;
    cashups::table
        .select(cashups::id)
        .order(cashups::id.desc())
        .limit(1)
        .get_result(&mut app.conn())
        .unwrap()
}

pub async fn validate(c: &Client, id: CashupId, received: &str, note: &str) -> reqwest::Response {
    c.post_form(
        &format!("/{DAKAR}/treasury/cashups/{}/validate", id.0),
        &[("received", received), ("note", note)],
    )
    .await
}

/// Sends a statement to the bank page, as a browser does.
pub async fn upload_statement(c: &Client, csv: String) -> reqwest::Response {
    let token = c.csrf().await;
    let file = reqwest::multipart::Part::bytes(csv.into_bytes())
        .file_name("releve.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .part("file", file);
    c.http
        .post(format!("{}/{DAKAR}/treasury/bank", c.base))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// Each receipt's number and state, in order.
fn states(app: &TestApp) -> Vec<(String, Status, Option<CashupId>)> {
    use schema::payments as p;
    p::table
        .order(p::id.asc())
        .select((p::receipt_number, p::status, p::cashup_id))
        .load(&mut app.conn())
        .unwrap()
}

fn audited(app: &TestApp, actions: &[&str]) -> i64 {
    use schema::audit_log as a;
    a::table
        .filter(a::action.eq_any(actions))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

async fn refusal(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = Html::parse_document(&res.text().await.unwrap());
    text(&body, "[role=alert]")
}

/// Khady Mbaye (DKP-C1) owes 25 000 on rolls the demo finance officer generated and
/// issued. The collector takes 12 000 in cash and 13 000 by mobile money from her, and
/// sells a 300 market ticket in cash.
async fn a_day_of_collection() -> (TestApp, Client, Client) {
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    collect(&app, "DKP-C1", 12_000, Method::Cash, "");
    collect(&app, "DKP-C1", 13_000, Method::MobileMoney, MOMO_REF);
    ticket(&app, 300, "Étal 14, marché Kermel — Awa Ndiaye");
    let collector = app.login(&demo_email(DAKAR, "collector")).await;
    let treasurer = app.login(&demo_email(DAKAR, "treasurer")).await;
    (app, collector, treasurer)
}

/// The day above, declared with the 12 300 in cash, counted at 11 300 and validated.
async fn a_deposit_short_of_1000() -> (TestApp, Client, Client, String) {
    let (app, collector, treasurer) = a_day_of_collection().await;
    assert_eq!(
        declare(&collector, "12 300").await.status(),
        StatusCode::SEE_OTHER
    );
    let id = last_cashup(&app);
    let res = validate(
        &treasurer,
        id,
        "11 300",
        "Un billet de 1 000 FCFA manquait.",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let year = chrono::Utc::now().year();
    (app, collector, treasurer, format!("VER-DKP-{year}-000001"))
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The statement of the deposit above: the deposit, the mobile-money payment, a
/// transfer nobody knows, a fee, and the deposit again with the wrong amount.
fn statement(deposit: &str) -> String {
    let day = today();
    format!(
        "date,reference,amount,label\n\
         {day},{deposit},11300,VERSEMENT ESPECES REGIE\n\
         {day},{MOMO_REF},\"13 000\",WAVE SENEGAL REGLEMENT\n\
         {day},VIR-INCONNU-778,5000,VIREMENT RECU\n\
         {day},,-2500,FRAIS DE TENUE DE COMPTE\n\
         {day},{deposit},11000,VERSEMENT ESPECES REGIE\n"
    )
}

/// A cash-up and a bank statement for the page walk (`tests/api/pages.rs`): the
/// collector's `receipt` declared, and a statement with one unmatched line.
pub fn walk_ids(
    conn: &mut DbConn,
    commune: &Commune,
    collector: UserId,
    receipt: PaymentId,
) -> (i64, i64) {
    use commune::revenue::treasury::{bank, cashups, When};
    use commune::tabular::{import, CsvSource};
    let actor = Actor::system("test");
    let cashup = db::write_tx(conn, |c| {
        cashups::declare(
            c,
            commune,
            collector,
            receipt,
            Xof(100),
            When::now(commune),
            &actor,
        )
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("releve.csv");
    std::fs::write(
        &path,
        format!(
            "date,reference,amount,label\n{},VIR-1,5000,VIREMENT\n",
            commune.today()
        ),
    )
    .unwrap();
    let opts = import::Options::for_file(&path, false).unwrap();
    let source = CsvSource::open(&path).unwrap();
    let statement = match bank::import(conn, commune, source, &opts, &actor).unwrap() {
        import::Outcome::Applied(applied, _) => applied.import.0,
        import::Outcome::Rejected(report) => panic!("{report:?}"),
    };
    (cashup.0, statement)
}

/// A 5 000 Wave payment of the taxpayer `reference` that Wave reports paid at `paid`
/// francs under `transaction`: disputed, as the provider's word would leave it. The
/// intent's reference.
pub fn disputed_wave_payment(
    app: &TestApp,
    reference: &str,
    paid: i64,
    transaction: &str,
) -> String {
    use commune::revenue::mobile::{self, settle, Ask, ProviderKind, Reported};
    let mut conn = app.conn();
    let commune = dakar(&mut conn);
    let t = commune::revenue::taxpayers::by_ref(&mut conn, commune.id, reference)
        .unwrap()
        .unwrap();
    let ask = Ask {
        taxpayer: t.id,
        amount: Xof(5000),
        provider: ProviderKind::Wave,
        currency: "XOF".into(),
        phone: None,
    };
    let today = commune.today();
    let intent = db::write_tx(&mut conn, |c| mobile::open(c, &commune, &ask, today)).unwrap();
    let reported = Reported::Succeeded {
        transaction: transaction.into(),
        amount: paid.to_string(),
        currency: "XOF".into(),
    };
    let applied = db::write_tx(&mut conn, |c| {
        settle::apply(c, &commune, intent.id, &reported, today)
    })
    .unwrap();
    assert_eq!(applied.outcome(), "disputed");
    intent.reference
}

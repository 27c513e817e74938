//! Setting up a round over HTTP: who may, what is refused and why, the envelope tied to
//! the revenue recorded at the counter, and the phases that follow only in order.

use commune::communes;
use commune::db;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use reqwest::StatusCode;

use crate::helpers::{demo_email, location, TestApp, DAKAR};

/// What the counter recorded in a year, read straight from the table.
fn collected(app: &TestApp, year: i64, district: Option<&str>) -> i64 {
    #[derive(QueryableByName)]
    struct Sum {
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    let mut conn = app.conn();
    let sql = match district {
        None => format!(
            "SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS total FROM payments p \
             JOIN communes c ON c.id = p.commune_id WHERE c.slug = '{DAKAR}' AND p.receipt_year = {year}"
        ),
        Some(d) => format!(
            "SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS total FROM payments p \
             JOIN communes c ON c.id = p.commune_id JOIN taxpayers t ON t.id = p.taxpayer_id \
             JOIN districts d ON d.id = t.district_id \
             WHERE c.slug = '{DAKAR}' AND p.receipt_year = {year} AND d.name = '{d}'"
        ),
    };
    diesel::sql_query(sql)
        .get_result::<Sum>(&mut *conn)
        .unwrap()
        .total
}

/// Records payments at the counter this year, so that there is revenue to share.
async fn pay_something(app: &TestApp) {
    use commune::audit::Actor;
    use commune::revenue::{payments, rolls, taxpayers};
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let collector = commune::accounts::users::by_email(&mut conn, &demo_email(DAKAR, "collector"))
        .unwrap()
        .unwrap();
    let lines: Vec<_> = rolls::list(&mut conn, commune.id)
        .unwrap()
        .into_iter()
        .filter(|r| r.roll.is_issued())
        .flat_map(|r| rolls::lines(&mut conn, r.roll.id, "", 3).unwrap())
        .collect();
    for (i, line) in lines.iter().take(3).enumerate() {
        let payer = taxpayers::by_ref(&mut conn, commune.id, &line.taxpayer_ref)
            .unwrap()
            .unwrap();
        db::write_tx(&mut conn, |conn| {
            payments::record(
                conn,
                &commune,
                &payments::NewPayment {
                    taxpayer: payer.id,
                    amount: commune::money::Xof(1_000 + 333 * i as i64),
                    method: payments::Method::Cash,
                    reference: None,
                    token: format!("setup-{i}"),
                    paid_on: None,
                    channel: payments::Channel::Counter,
                },
                commune.today(),
                &Actor::system("test"),
                collector.id,
            )
        })
        .unwrap();
    }
}

fn round_form<'a>(
    year: &'a str,
    envelope: &'a str,
    plateau: &'a str,
    plateau_id: &'a str,
) -> Vec<(String, &'a str)> {
    vec![
        ("title".into(), "Budget participatif 2027"),
        (
            "summary".into(),
            "Des puits, des classes et de l’éclairage.",
        ),
        ("fiscal_year".into(), year),
        ("ballot".into(), "approval"),
        ("min_projects".into(), "1"),
        ("max_projects".into(), "3"),
        ("points".into(), "10"),
        ("rule".into(), "mes-add1e"),
        ("complete_greedy".into(), "on"),
        ("scope".into(), "district"),
        ("date_proposals".into(), "2027-01-05"),
        ("date_vote".into(), "2027-03-01"),
        ("envelope_commune".into(), envelope),
        (format!("envelope_{plateau_id}"), plateau),
    ]
}

fn plateau_id(app: &TestApp) -> String {
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    communes::districts::list(&mut conn, commune.id)
        .unwrap()
        .into_iter()
        .find(|d| d.name == "Plateau")
        .unwrap()
        .id
        .to_string()
}

#[actix_web::test]
async fn a_councillor_creates_a_round_whose_envelope_is_a_share_of_last_years_revenue() {
    let app = TestApp::spawn().await;
    pay_something(&app).await;
    let year = {
        let mut conn = app.conn();
        let c = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
        chrono::Datelike::year(&c.today()) as i64
    };
    let whole = collected(&app, year, None);
    let plateau = collected(&app, year, Some("Plateau"));
    assert!(whole > 0, "the payments above give revenue");
    let pid = plateau_id(&app);
    let next = (year + 1).to_string();

    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    c.get("/lang/fr").await;
    let form = round_form(&next, "10 %", "12,5 %", &pid);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let res = c.post_form(&format!("/{DAKAR}/rounds"), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let round_url = location(&res);
    let page = c.text(&round_url).await;
    assert!(page.contains("Budget participatif créé."));
    // 10 % of the whole commune's revenue, rounded half away from zero; 12.5 % of the
    // revenue from Plateau's taxpayers.
    let money = |x: i64| commune::money::Xof(x).display("fr");
    let share = |x: i64, bp: i64| commune::money::Xof(x).mul_ratio(bp, 10_000).unwrap().0;
    let expect_whole = format!(
        "10\u{A0}% des {} encaissés en {year} &#x3D; {}",
        money(whole),
        money(share(whole, 1_000))
    );
    let expect_plateau = format!(
        "12,5\u{A0}% des {} encaissés en {year} &#x3D; {}",
        money(plateau),
        money(share(plateau, 1_250))
    );
    assert!(page.contains(&expect_whole), "{expect_whole} in {page}");
    assert!(page.contains(&expect_plateau), "{expect_plateau}");
    assert!(page.contains("aria-current=\"step\">Propositions"));
}

#[actix_web::test]
async fn a_round_form_that_makes_no_sense_is_refused_with_each_reason_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let pid = plateau_id(&app);
    let c = app.login(&demo_email(DAKAR, "admin")).await;
    c.get("/lang/fr").await;
    let mut form = round_form("1999", "beaucoup", "", &pid);
    form[0].1 = "x";
    form[5].1 = "0";
    form.push(("date_review".into(), "2026-12-01"));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let res = c.post_form(&format!("/{DAKAR}/rounds"), &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page
        .contains("Écrivez un montant en FCFA (8 000 000) ou un pourcentage des recettes (10 %)."));
    // Once the envelope reads, the domain names the next problem.
    let mut form = round_form("1999", "5 000 000", "", &pid);
    form[0].1 = "x";
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let page = c
        .post_form(&format!("/{DAKAR}/rounds"), &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Le titre doit compter de 3 à 200 caractères."),
        "{page}"
    );
    let list = c.text(&format!("/{DAKAR}/rounds")).await;
    assert_eq!(
        list.matches("data-round=").count(),
        2,
        "the demo's two only"
    );
    // A citizen may not create one.
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let res = citizen
        .post_form(&format!("/{DAKAR}/rounds"), &fields)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn phases_move_forward_one_at_a_time_and_the_vote_never_opens_on_an_empty_ballot() {
    let app = TestApp::spawn().await;
    let pid = plateau_id(&app);
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    c.get("/lang/fr").await;
    let form = round_form("2027", "5 000 000", "", &pid);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let round_url = location(&c.post_form(&format!("/{DAKAR}/rounds"), &fields).await);

    let confirm = c.text(&format!("{round_url}/advance")).await;
    assert!(confirm.contains("Passer de l’étape « Propositions » à l’étape « Étude technique » ?"));
    let res = c
        .post_form(&format!("{round_url}/advance"), &[("seen", "proposals")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(c
        .text(&round_url)
        .await
        .contains("aria-current=\"step\">Étude technique"));

    // The same form sent again is stale: the round is no longer where it was.
    let res = c
        .post_form(&format!("{round_url}/advance"), &[("seen", "proposals")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("L’étape a changé depuis l’affichage de la page."));

    // No feasible project: the vote cannot open, and the confirmation page says why.
    let confirm = c.text(&format!("{round_url}/advance")).await;
    assert!(confirm.contains("le vote ne peut pas s’ouvrir sans projet sur le bulletin"));
    let res = c
        .post_form(&format!("{round_url}/advance"), &[("seen", "review")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(c
        .text(&round_url)
        .await
        .contains("aria-current=\"step\">Étude technique"));

    // Every move is in the audit log.
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let (entries, _) = communes::journal_head(&mut conn, commune.id).unwrap();
    assert!(entries > 0);
    let round_id = round_url.rsplit('/').next().unwrap().to_string();
    let actions: Vec<String> = commune::db::schema::audit_log::table
        .filter(commune::db::schema::audit_log::commune_id.eq(commune.id))
        .filter(commune::db::schema::audit_log::entity.eq("round"))
        .filter(commune::db::schema::audit_log::entity_id.eq(&round_id))
        .order(commune::db::schema::audit_log::seq)
        .select(commune::db::schema::audit_log::action)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(actions, ["round.create", "round.advance"]);
}

//! Late-payment penalties: charged by each tax's rule once the due date and the grace
//! days have passed, and never twice.

use commune::audit::Actor;
use commune::communes;
use commune::revenue::tax_types::{self, TaxTypeSpec};
use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{Client, TestApp, DAKAR};
use crate::revenue::support::{
    charge_penalties, count, fcfa, generated_and_issued, new_item, new_taxpayer, officer, page,
    text,
};

/// A yearly fee whose penalty is mostly its minimum: 3 000 a taxi, due 31 January,
/// 10 % late with at least 1 000, no grace.
fn taxi_fee(app: &TestApp) {
    let spec = TaxTypeSpec {
        code: "TAXI".into(),
        name_fr: "Droit de stationnement des taxis".into(),
        name_en: "Taxi rank fee".into(),
        legal_ref: "Délibération (test)".into(),
        category: "fee".into(),
        assessed_by: "commune".into(),
        method: "fixed".into(),
        base: None,
        item_kind: "vehicle".into(),
        rate_percent: None,
        amount: Some(3_000),
        tariffs: Default::default(),
        period: "yearly".into(),
        due_month: Some(1),
        due_day: Some(31),
        penalty_rate_percent: 10.0,
        penalty_min: 1_000,
        penalty_flat: 0,
        penalty_grace_days: 0,
        budget_line: "7099 Test".into(),
        gfsm_code: "1422".into(),
    };
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    tax_types::create(&mut conn, cid, &spec, &Actor::system("test")).unwrap();
}

async fn apply(c: &Client, date: &str) -> (StatusCode, Option<Html>) {
    let res = charge_penalties(c, DAKAR, date).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    (
        status,
        (status == StatusCode::OK).then(|| Html::parse_document(&body)),
    )
}

#[actix_web::test]
async fn penalties_follow_each_rule_after_the_grace_days_and_are_never_charged_twice() {
    // Arrange: one trader with a category-A stall (LOCCANT: 15 000 a month, due on the
    // 10th, 10 % late with at least 500, after 15 days), a 4 m² sign (TAXPUB: 20 000,
    // due 30 June, a flat 5 000 after 30 days) and a taxi (3 000, due 31 January,
    // 10 % with at least 1 000). All three 2025 rolls are issued.
    let app = TestApp::spawn_without_register().await;
    taxi_fee(&app);
    let c = officer(&app, DAKAR).await;
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-P1"), ("name", "Ibrahima Ndiaye")]).await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "KERMEL-A9"), ("kind", "stall"), ("category", "A")],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "SIGN-P1"), ("kind", "other"), ("area_m2", "4")],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "TAXI-DK-1234"), ("kind", "vehicle")],
    )
    .await;
    for tax in ["LOCCANT", "TAXPUB", "TAXI"] {
        generated_and_issued(&c, DAKAR, tax, 2025).await;
    }

    // Act 1: on 29 July 2025.
    let (status, first) = apply(&c, "2025-07-29").await;

    // Assert 1: the stall's January to July rents are past due + 15 days (10 July + 15 =
    // 25 July): 7 × max(10 % × 15 000, 500) = 7 × 1 500 = 10 500. The taxi fee:
    // max(10 % × 3 000 = 300, 1 000) = 1 000. The sign is still in grace (30 June + 30 =
    // 30 July). 8 lines, 10 500 + 1 000 = 11 500.
    assert_eq!(status, StatusCode::OK);
    let first = first.unwrap();
    assert_eq!(text(&first, "[data-figure=total]"), fcfa(11_500));
    assert!(text(&first, "p.flash").contains("8 lignes pénalisées"));
    // The result names each line charged, with its penalty.
    assert_eq!(count(&first, "tr[data-line]"), 8);

    // Act 2: on 31 July, then again on the same day.
    let (_, second) = apply(&c, "31/07/2025").await;
    let (_, third) = apply(&c, "2025-07-31").await;

    // Assert 2: only the sign's flat 5 000 is new (max(0, 0) + 5 000); then nothing.
    let second = second.unwrap();
    assert_eq!(text(&second, "[data-figure=total]"), fcfa(5_000));
    assert!(text(&second, "p.flash").contains("1 ligne pénalisée"));
    assert!(third
        .unwrap()
        .root_element()
        .html()
        .contains("Aucune nouvelle pénalité"));
    // The account: 15 000 × 12 + 20 000 + 3 000 = 203 000 assessed, 11 500 + 5 000 =
    // 16 500 of penalties, 219 500 to pay.
    let account = page(&c, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=assessed]"), fcfa(203_000));
    assert_eq!(text(&account, "[data-figure=penalties]"), fcfa(16_500));
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(219_500));
}

#[actix_web::test]
async fn penalties_are_not_charged_ahead_of_time_nor_for_an_unreadable_date() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();

    // Act and assert
    let (status, _) = apply(&c, &tomorrow).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = apply(&c, "31/02/2025").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = charge_penalties(&c, DAKAR, "demain").await;
    assert!(res.text().await.unwrap().contains("Date illisible"));
}

#[actix_web::test]
async fn the_preview_says_what_would_be_charged_and_charges_nothing_until_confirmed() {
    // Arrange: a taxi fee of 3 000 due 31 January 2025, unpaid.
    let app = TestApp::spawn_without_register().await;
    taxi_fee(&app);
    let c = officer(&app, DAKAR).await;
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-P2"), ("name", "Moussa Diallo")]).await;
    new_item(&c, DAKAR, t, &[("ref", "TAXI-DK-9"), ("kind", "vehicle")]).await;
    generated_and_issued(&c, DAKAR, "TAXI", 2025).await;

    // Act: the preview on 1 March 2025.
    let res = c
        .post_form(
            &format!("/{DAKAR}/finance/penalties/preview"),
            &[("date", "2025-03-01")],
        )
        .await;

    // Assert: it names the line and its 1 000 penalty; the account has no penalty yet.
    assert_eq!(res.status(), StatusCode::OK);
    let preview = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(count(&preview, "tr[data-line]"), 1);
    assert_eq!(text(&preview, "[data-figure=total]"), fcfa(1_000));
    assert!(text(&preview, "tr[data-line]").contains("Moussa Diallo"));
    let account = page(&c, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=penalties]"), fcfa(0));

    // A confirmation that no longer matches what is due charges nothing.
    let stale = c
        .post_form(
            &format!("/{DAKAR}/finance/penalties"),
            &[("date", "2025-03-01"), ("lines", "2"), ("total", "2000")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let account = page(&c, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=penalties]"), fcfa(0));
}

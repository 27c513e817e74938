//! One taxpayer's account across two fiscal years, and the printable notice.

use chrono::Datelike;
use reqwest::StatusCode;

use crate::helpers::{Client, TestApp, DAKAR};
use crate::revenue::support::{
    cells, charge_penalties, count, district, fcfa, generated_and_issued, new_item, new_taxpayer,
    officer, page, text,
};

/// A 2 m² sign (TAXPUB: 2 × 5 000 = 10 000 a year, due 30 June) assessed last year and
/// this year, with last year's penalty charged on 31 December: a flat 5 000.
pub async fn two_years(app: &TestApp) -> (Client, i64, i32) {
    let year = chrono::Utc::now().year();
    let c = officer(app, DAKAR).await;
    let plateau = district(app, DAKAR, "Plateau");
    let t = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-C1"),
            ("name", "Khady Mbaye"),
            ("address", "12, avenue Léopold Sédar Senghor"),
            ("district", &plateau),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "SIGN-C1"), ("kind", "other"), ("area_m2", "2")],
    )
    .await;
    generated_and_issued(&c, DAKAR, "TAXPUB", year - 1).await;
    generated_and_issued(&c, DAKAR, "TAXPUB", year).await;
    let as_of = format!("{}-12-31", year - 1);
    let res = charge_penalties(&c, DAKAR, &as_of).await;
    assert_eq!(res.status(), StatusCode::OK);
    (c, t, year)
}

#[actix_web::test]
async fn the_account_shows_the_balance_penalties_and_arrears_year_by_year() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let (c, t, year) = two_years(&app).await;

    // Act
    let account = page(&c, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;

    // Assert: 10 000 + 10 000 assessed, 5 000 of penalty, 25 000 to pay, of which last
    // year's 10 000 + 5 000 = 15 000 are arrears.
    assert_eq!(text(&account, "[data-figure=assessed]"), fcfa(20_000));
    assert_eq!(text(&account, "[data-figure=penalties]"), fcfa(5_000));
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(25_000));
    assert_eq!(text(&account, "[data-figure=arrears]"), fcfa(15_000));
    let last = year - 1;
    assert_eq!(
        cells(&account, &format!("tr[data-year=\"{last}\"]")),
        [
            last.to_string(),
            fcfa(10_000),
            fcfa(5_000),
            fcfa(0),
            fcfa(0),
            fcfa(15_000),
            "arriérés".into()
        ]
    );
    assert_eq!(
        cells(&account, &format!("tr[data-year=\"{year}\"]")),
        [
            year.to_string(),
            fcfa(10_000),
            fcfa(0),
            fcfa(0),
            fcfa(0),
            fcfa(10_000),
            String::new()
        ]
    );
    // Three lines: two years of principal and last year's penalty.
    assert_eq!(count(&account, "table.lines tbody tr"), 3);
    let penalty = cells(
        &account,
        &format!("tr[data-line=\"DKP/{last}/TAXPUB/000001-P\"]"),
    );
    assert_eq!(penalty[4], fcfa(5_000));
}

#[actix_web::test]
async fn the_notice_shows_what_is_owed_by_when_and_how_to_pay_in_french_and_in_english() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let (c, t, year) = two_years(&app).await;
    let last = year - 1;

    // Act
    let fr = page(
        &c,
        &format!("/{DAKAR}/finance/taxpayers/{t}/notice?year={last}"),
    )
    .await;
    c.get("/lang/en").await;
    let en = page(
        &c,
        &format!("/{DAKAR}/finance/taxpayers/{t}/notice?year={year}"),
    )
    .await;

    // Assert: last year, 10 000 + the 5 000 penalty; this year, 10 000 due on 30 June.
    assert_eq!(text(&fr, "h1"), format!("Avis d’imposition {last}"));
    assert_eq!(
        text(&fr, "[data-notice-number]"),
        format!("DKP/{last}/AV/DKP-C1")
    );
    assert_eq!(text(&fr, "[data-figure=total_due]"), fcfa(15_000));
    let to = text(&fr, "section.notice-to");
    assert!(
        to.contains("Khady Mbaye")
            && to.contains("DKP-C1")
            && to.contains("Senghor")
            && to.contains("Plateau"),
        "{to}"
    );
    assert_eq!(count(&fr, "table.lines tbody tr"), 2);
    let pay = text(&fr, "section.notice-pay");
    assert!(
        pay.contains("hôtel de ville") && pay.contains(&format!("DKP/{last}/AV/DKP-C1")),
        "{pay}"
    );
    assert_eq!(text(&en, "h1"), format!("Tax notice {year}"));
    assert_eq!(text(&en, "[data-figure=total_due]"), "XOF 10,000");
    assert!(text(&en, "p.notice-total")
        .contains(&format!("To be paid by 30 Jun {year} at the latest.")));
    assert!(text(&en, "section.notice-pay").contains("mobile money (Wave, Orange Money)"));
    // Printed, it has no navigation: the finance menu is not on the page, and the print
    // stylesheet hides the header's.
    assert_eq!(count(&fr, "nav.subnav"), 0);
    let css = c.text("/static/commune.css").await;
    let print = &css[css.find("@media print").unwrap()..];
    assert!(print.contains("header.top nav") && print.contains("body:has(.notice) header.top"));
}

#[actix_web::test]
async fn a_notice_for_an_unreadable_year_or_an_unknown_taxpayer_is_refused() {
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-C2"), ("name", "Omar Sy")]).await;
    let bad = c
        .get(&format!("/{DAKAR}/finance/taxpayers/{t}/notice?year=20x5"))
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let empty = page(&c, &format!("/{DAKAR}/finance/taxpayers/{t}/notice")).await;
    assert_eq!(text(&empty, "[data-figure=total_due]"), fcfa(0));
    let unknown = c
        .get(&format!(
            "/{DAKAR}/finance/taxpayers/999999/notice?year=2025"
        ))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

//! One taxpayer's account across two fiscal years, and the printable notice.

use chrono::Datelike;
use reqwest::StatusCode;

use crate::helpers::{Client, TestApp, DAKAR};
use crate::revenue::support::{
    cells, charge_penalties, count, district, fcfa, generated_and_issued, new_item, new_taxpayer,
    notice, officer, page, text,
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

/// The cells of the notice's row for the line `reference`.
fn line_cells(page: &scraper::Html, reference: &str) -> Vec<String> {
    cells(page, &format!("tr[data-line=\"{reference}\"]"))
}

/// A day as the French pages write it.
fn fr_date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[actix_web::test]
async fn the_notice_shows_each_lines_computation_and_never_asks_to_pay_by_a_past_date() {
    // Arrange: last year's line and its penalty (overdue), next year's (to come).
    let app = TestApp::spawn_without_register().await;
    let (c, t, year) = two_years(&app).await;
    generated_and_issued(&c, DAKAR, "TAXPUB", year + 1).await;
    let (last, next) = (year - 1, year + 1);
    let today = fr_date(chrono::Utc::now().date_naive());

    // Act
    let fr = notice(&c, DAKAR, t, last).await;
    c.get("/lang/en").await;
    let en = notice(&c, DAKAR, t, next).await;

    // Assert: the notice was established when the roll was issued, and printed today.
    assert_eq!(text(&fr, "h1"), format!("Avis d’imposition {last}"));
    assert_eq!(
        text(&fr, "[data-notice-number]"),
        format!("DKP/{last}/AV/DKP-C1")
    );
    assert!(text(&fr, "[data-established]").starts_with(&format!("Établi le {today}")));
    assert!(text(&fr, "[data-printed]").starts_with(&format!("Imprimé le {today}")));
    let to = text(&fr, "section.notice-to");
    assert!(
        to.contains("Khady Mbaye")
            && to.contains("DKP-C1")
            && to.contains("Senghor")
            && to.contains("Plateau"),
        "{to}"
    );
    // Last year's line is overdue since its due date, computed as area × tariff, and
    // its penalty comes right after it, with its rule.
    let line = format!("DKP/{last}/TAXPUB/000001");
    let rows: Vec<String> = {
        let sel = scraper::Selector::parse("table.lines tbody tr").unwrap();
        fr.select(&sel)
            .map(|r| r.value().attr("data-line").unwrap().to_string())
            .collect()
    };
    assert_eq!(rows, [line.clone(), format!("{line}-P")]);
    let principal = line_cells(&fr, &line);
    assert_eq!(principal[2], format!("2 m² × {} le m²", fcfa(5_000)));
    assert_eq!(principal[5], format!("En retard depuis le 30/06/{last}"));
    let penalty = line_cells(&fr, &format!("{line}-P"));
    assert_eq!(
        penalty[2],
        format!(
            "Pénalité de retard sur la ligne {line} : forfait de {}",
            fcfa(5_000)
        )
    );
    assert_eq!(penalty[5], format!("En retard depuis le 31/12/{last}"));
    assert_eq!(text(&fr, "[data-figure=total_due]"), fcfa(15_000));
    let total = text(&fr, "p.notice-total");
    assert!(
        total.contains(&format!(
            "Dont {} en retard, échus depuis le 30/06/{last}",
            fcfa(15_000)
        )),
        "{total}"
    );
    assert!(!fr.html().contains("au plus tard"), "a past date to pay by");
    // How to pay: the commune's merchant number, and the reference to quote.
    assert_eq!(text(&fr, "[data-reference]"), "DKP-C1");
    let wave = text(&fr, "li[data-channel=wave]");
    assert!(
        wave.contains("Wave") && wave.contains("+221 70 000 00 00") && wave.contains("DKP-C1"),
        "{wave}"
    );
    assert!(text(&fr, "section.notice-pay").contains("hôtel de ville"));
    // Next year's line is to be paid by its due date.
    assert_eq!(text(&en, "h1"), format!("Tax notice {next}"));
    assert_eq!(text(&en, "[data-figure=total_due]"), "XOF 10,000");
    let line = format!("DKP/{next}/TAXPUB/000001");
    assert_eq!(
        line_cells(&en, &line)[5],
        format!("To be paid by 30 Jun {next}")
    );
    assert_eq!(
        text(&en, "[data-upcoming]"),
        format!("XOF 10,000 to be paid by 30 Jun {next} at the latest.")
    );
    assert_eq!(count(&en, "[data-overdue]"), 0);
    assert!(text(&en, "li[data-channel=wave]").contains("merchant number +221 70 000 00 00"));
    // Printed, it has no navigation: the finance menu is not on the page, and the print
    // stylesheet hides the header's.
    assert_eq!(count(&fr, "nav.subnav"), 0);
    let css = c.text("/static/commune.css").await;
    let print = &css[css.find("@media print").unwrap()..];
    assert!(print.contains("header.top nav") && print.contains("body:has(.notice) header.top"));
}

#[actix_web::test]
async fn the_notice_of_a_state_roll_and_of_a_tariff_shows_their_computation_and_standing() {
    // Arrange: the demo's CFPB (imported from the State, 5 % of the rental value) and
    // monthly stall rent (category tariffs) of 2026.
    let app = TestApp::spawn().await;
    let c = officer(&app, DAKAR).await;
    let (t1, t9) = {
        let mut conn = app.conn();
        let cid = commune::communes::by_slug(&mut conn, DAKAR)
            .unwrap()
            .unwrap()
            .id;
        let mut id = |r: &str| {
            commune::revenue::taxpayers::by_ref(&mut conn, cid, r)
                .unwrap()
                .unwrap()
                .id
                .0
        };
        (id("DKP-T0001"), id("DKP-T0009"))
    };

    // Act
    let property = notice(&c, DAKAR, t1, 2026).await;
    let stall = notice(&c, DAKAR, t9, 2026).await;

    // Assert
    let cfpb = line_cells(&property, "DKP/2026/CFPB/000001");
    assert_eq!(
        cfpb[2],
        format!("valeur locative {} × 5 %", fcfa(1_800_000))
    );
    assert_eq!(cfpb[3], fcfa(90_000));
    // The stall's twelve months make one row (see `notices` for how it reads).
    assert_eq!(count(&stall, "table.lines tbody tr[data-line]"), 1);
    assert_eq!(
        cells(&stall, "tr[data-months=\"12\"]")[2],
        format!("{} × 12", fcfa(15_000))
    );
    assert!(text(&stall, "tr[data-months-of]").starts_with("Tarif de la catégorie A"));
    let january = chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
    let expected = if january < chrono::Utc::now().date_naive() {
        "overdue"
    } else {
        "due"
    };
    assert_eq!(
        super::support::attr(&stall, "tr[data-months]", "data-standing"),
        expected
    );
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

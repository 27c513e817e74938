//! Tax notices printed by Chromium: a Dakar stall holder's, whose year of monthly rent
//! and its penalties print as two rows, and an Abomey-Calavi shop tenant's, with Benin's
//! header and MTN MoMo. Each must fit one A4 page; the PDFs and a screenshot of the
//! page as printed are kept under `target/tmp/browser/` for a person to look at.

use chrono::Datelike;

use super::harness::*;
use super::FINANCES;
use crate::helpers::{demo_email, TestApp, DEMO_PASSWORD};

/// The id of the demo taxpayer `reference` of `commune`.
fn taxpayer(app: &TestApp, commune: &str, reference: &str) -> i64 {
    let mut conn = app.conn();
    let cid = commune::communes::by_slug(&mut conn, commune)
        .unwrap()
        .unwrap()
        .id;
    commune::revenue::taxpayers::by_ref(&mut conn, cid, reference)
        .unwrap()
        .unwrap()
        .id
        .0
}

/// Charges the penalties due today in `commune`, as the finance officer's page would.
fn charge_penalties(app: &TestApp, commune: &str) {
    use commune::revenue::{penalties, Seen};
    let mut conn = app.conn();
    let c = commune::communes::by_slug(&mut conn, commune)
        .unwrap()
        .unwrap();
    let due = penalties::due(&mut conn, &c, c.today()).unwrap();
    if due.lines == 0 {
        return;
    }
    let seen = Seen {
        lines: due.lines,
        total: due.total,
    };
    let actor = commune::audit::Actor::system("test");
    commune::db::write_tx(&mut conn, |conn| {
        penalties::apply(conn, &c, c.today(), seen, &actor)
    })
    .unwrap();
}

/// The notice printed on A4, kept as a PDF, and as the printer lays it out (794 px wide
/// at 96 dpi) as a PNG.
async fn keep_as_printed(b: &Browser, name: &str) {
    let config = fantoccini::wd::PrintConfiguration::builder()
        .size(fantoccini::wd::PrintSize::A4)
        .build()
        .unwrap();
    let pdf = b.client.print(config).await.expect("Print Page");
    save_artifact(&format!("{name}.pdf"), &pdf);
    b.emulate_media("print").await;
    b.viewport(794, 1123).await;
    let png = b.client.screenshot().await.expect("a screenshot");
    save_artifact(&format!("{name}.png"), &png);
    b.emulate_media("").await;
    b.cdp(
        "Emulation.clearDeviceMetricsOverride",
        serde_json::json!({}),
    )
    .await;
}

#[actix_web::test]
async fn a_monthly_payers_notice_prints_on_one_a4_page_in_dakar_and_in_abomey_calavi() {
    let Some((app, b)) = app_and_browser().await else {
        return;
    };
    // The demo's 2026 rent of a Sandaga stall (LOCCANT) and of an Akassato shop
    // (LOCBOUT), with the penalties due today on the months past.
    charge_penalties(&app, "dakar-plateau");
    charge_penalties(&app, "abomey-calavi");
    let year = 2026;
    let late = chrono::Utc::now().year() > year
        || chrono::Utc::now().date_naive() > chrono::NaiveDate::from_ymd_opt(year, 1, 25).unwrap();

    b.log_in(FINANCES, DEMO_PASSWORD).await;
    let stall = taxpayer(&app, "dakar-plateau", "DKP-T0009");
    let path = format!("/dakar-plateau/finance/taxpayers/{stall}/notice?year={year}");
    b.goto(&path).await;
    let rows = b.all("main table.lines tbody tr[data-line]").await;
    assert_eq!(
        rows.len(),
        if late { 2 } else { 1 },
        "the rent, then its penalties"
    );
    keep_as_printed(&b, "notice-monthly-dakar").await;
    b.check_printed_page(&path, &format!("Avis d’imposition {year}"))
        .await;
    b.shoot_both("notice-monthly").await;
    b.log_out().await;

    b.log_in(
        &demo_email("abomey-calavi", "finance_officer"),
        DEMO_PASSWORD,
    )
    .await;
    let shop = taxpayer(&app, "abomey-calavi", "ACV-T0003");
    let path = format!("/abomey-calavi/finance/taxpayers/{shop}/notice?year={year}");
    b.goto(&path).await;
    assert!(b
        .text("main [data-state]")
        .await
        .starts_with("République du Bénin"));
    let mtn = b.text("main li[data-channel=mtn_momo]").await;
    assert!(
        mtn.contains("+229 01 00 00 00 00") && mtn.contains("ACV-T0003"),
        "{mtn}"
    );
    keep_as_printed(&b, "notice-monthly-abomey").await;
    b.check_printed_page(&path, &format!("Avis d’imposition {year}"))
        .await;
}

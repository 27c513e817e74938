//! The pages in a real browser: headless Chromium driven over WebDriver (chromedriver),
//! with JavaScript turned off, as a visitor on a cheap phone or a locked-down office PC
//! sees them.
//!
//! Each test has its own `TestApp`, its own chromedriver on a free port and its own
//! Chromium with a fresh profile; both are ended when the test ends, even when it fails.
//! Without `chromedriver` on the `PATH` these tests print one notice and pass, unless
//! `COMMUNE_BROWSER_TESTS=1` (as in CI), where they fail and say what to install.
//! `COMMUNE_CHROMEDRIVER` and `COMMUNE_CHROMIUM` name other binaries.

mod budget;
mod collection;
pub(crate) mod harness;
mod mobile;
mod notices;
mod participation;
mod receipts;
mod treasury;

use harness::*;
use serde_json::json;

use crate::helpers::{DAKAR, DEMO_PASSWORD};

const FINANCES: &str = "finances@dakar-plateau.demo";

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[actix_web::test]
async fn a_visitor_goes_from_the_commune_list_to_the_finance_space_and_logs_out() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    b.goto("/").await;
    assert_eq!(b.lang().await, "fr");
    b.click_link("main", "Dakar-Plateau").await;
    b.wait_for_path("/dakar-plateau").await;
    assert_eq!(b.text("main h1").await, "Dakar-Plateau");
    let districts = b.text("main ul.columns").await;
    for district in first_districts(DAKAR, 3) {
        assert!(districts.contains(&district), "{district} in {districts:?}");
    }

    b.click_link("main", "Espace des agents et des élus").await;
    b.wait_for_path("/login").await;
    b.fill("main input[name=email]", FINANCES).await;
    b.fill("main input[name=password]", DEMO_PASSWORD).await;
    b.click("main form button[type=submit]").await;
    // One role: the officer lands on their own space, marked in the menu.
    b.wait_for_path("/dakar-plateau/finance").await;
    assert!(b.text("header.top").await.contains("Se déconnecter"));
    b.find("main h1[data-role=finance_officer]").await;
    b.find("header.top nav a[aria-current=page]").await;

    b.click("header.top form[action='/logout'] button[type=submit]")
        .await;
    b.wait_for_path("/").await;
    let header = b.text("header.top").await;
    assert!(
        header.contains("Se connecter") && !header.contains("Se déconnecter"),
        "{header:?}"
    );
    // The session is gone: the finance space is closed to this browser again.
    b.goto("/dakar-plateau/finance").await;
    assert!(b.all("h1[data-role]").await.is_empty());
}

#[actix_web::test]
async fn the_language_link_turns_the_page_to_english_and_back() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    b.goto("/dakar-plateau").await;
    assert_eq!(b.lang().await, "fr");
    assert_eq!(b.text("main h2").await, "Budget de la commune");

    b.click_link("header.top", "English").await;
    b.wait_for_lang("en").await;
    assert_eq!(b.path().await, "/dakar-plateau");
    assert_eq!(b.text("main h2").await, "The commune’s budget");
    assert!(b.text("header.top").await.contains("Log in"));

    // The choice is kept from page to page.
    b.goto("/login").await;
    assert_eq!(b.lang().await, "en");

    b.click_link("header.top", "Français").await;
    b.wait_for_lang("fr").await;
    assert_eq!(b.path().await, "/login");
    assert_eq!(b.text("main h1").await, "Connexion");
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_account_show_the_same_message_on_the_login_page() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    let expected = "Adresse e-mail ou mot de passe incorrect.";
    for email in [FINANCES, "nobody@dakar-plateau.demo"] {
        b.goto("/login").await;
        b.fill("main input[name=email]", email).await;
        b.fill("main input[name=password]", "not-the-password")
            .await;
        b.click("main form button[type=submit]").await;
        // The answer comes back to /login, where the form already was: wait for the
        // message itself, not for the address.
        b.wait_until("the refusal to show", |b| async move {
            !b.all("main [role=alert]").await.is_empty()
        })
        .await;
        assert_eq!(b.path().await, "/login");
        assert_eq!(b.text("main [role=alert]").await, expected, "{email}");
        let email_field = b.find("main input[name=email]").await;
        assert_eq!(
            email_field.prop("value").await.unwrap().as_deref(),
            Some(email)
        );
        let password_field = b.find("main input[name=password]").await;
        assert_eq!(
            password_field.prop("value").await.unwrap().as_deref(),
            Some("")
        );
    }
}

#[actix_web::test]
async fn the_commune_page_and_the_account_page_print_on_one_a4_page_without_the_navigation() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    b.goto("/dakar-plateau").await;
    b.check_printed_page("/dakar-plateau", "Dakar-Plateau")
        .await;

    b.log_in(FINANCES, DEMO_PASSWORD).await;
    b.goto("/account").await;
    b.check_printed_page("/account", "Mon compte").await;
    // The password form is for the screen only.
    b.emulate_media("print").await;
    assert_eq!(
        b.find("main form")
            .await
            .css_value("display")
            .await
            .unwrap(),
        "none"
    );
    b.emulate_media("").await;
}

#[actix_web::test]
async fn a_collector_finds_a_taxpayer_records_a_payment_and_prints_the_receipt_on_one_a4_page() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    b.log_in("collecteur@dakar-plateau.demo", DEMO_PASSWORD)
        .await;
    b.goto("/dakar-plateau/collect").await;
    b.fill("main input[name=ref]", "DKP-T0001").await;
    b.click("main form[role=search] button[type=submit]").await;
    b.wait_until("the taxpayer's account", |b| async move {
        !b.all("main [data-figure=balance]").await.is_empty()
    })
    .await;
    // The amount proposed is the whole balance; the collector types what was handed over.
    let balance = b.text("main [data-figure=balance]").await;
    assert!(balance.ends_with("FCFA"), "{balance}");
    b.fill("main input[name=amount]", "25 000").await;
    b.click("main form.stack button[type=submit]").await;
    // Nothing is recorded before the collector has read what will be.
    b.wait_until("the question", |b| async move {
        !b.all("main #confirm-question").await.is_empty()
    })
    .await;
    let question = b
        .text("main #confirm-question")
        .await
        .replace('\u{202F}', " ");
    assert!(
        question.starts_with("Enregistrer 25 000") && question.ends_with('?'),
        "{question}"
    );
    b.click("main form.actions button[type=submit]").await;
    b.wait_until("the receipt", |b| async move {
        b.path()
            .await
            .starts_with("/dakar-plateau/collect/receipts/")
    })
    .await;
    let number = b.text("main [data-receipt-number]").await;
    assert!(
        number.starts_with("DKP-") && number.ends_with("-000001"),
        "{number}"
    );
    assert_eq!(
        b.text("main [data-figure=amount]")
            .await
            .replace('\u{202F}', " "),
        "25 000 FCFA"
    );
    let path = b.path().await;
    b.check_printed_page(&path, "Quittance").await;
    // The screen's "recorded" message is not on the paper.
    b.emulate_media("print").await;
    assert!(!b.find("main .flash").await.is_displayed().await.unwrap());
    b.emulate_media("").await;
}

#[actix_web::test]
async fn the_public_pages_fit_a_360_by_640_phone_screen() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": true }),
    )
    .await;
    b.goto("/dakar-plateau").await;
    let png = b.client.screenshot().await.expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(png_size(&png), (360, 640));
    save_artifact("commune-360x640.png", &png);

    // WebDriver's own scripts still run when the page's JavaScript is off.
    for path in ["/", "/dakar-plateau", "/abomey-calavi", "/login"] {
        b.goto(path).await;
        let widths = b
            .client
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                vec![],
            )
            .await
            .expect("measure the page");
        let (scroll, client) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
        assert_eq!(
            client, 360,
            "{path}: the layout viewport is the phone's width"
        );
        assert!(
            scroll <= client,
            "{path} scrolls sideways on a phone: {scroll} px wide in {client} px"
        );
    }
}

/// The pages a finance officer, a collector and an administrator use most, at 360 px
/// (a cheap phone) and 1280 px (an office screen), in French: nothing scrolls sideways
/// on the phone, no amount breaks across two lines, and each screenshot is kept under
/// `target/tmp/browser/` for a person to look at.
#[actix_web::test]
async fn the_revenue_pages_fit_a_phone_and_an_office_screen_with_no_amount_broken() {
    let Some((app, b)) = app_and_browser().await else {
        return;
    };
    // The collector: the counter, the question before recording, the receipt, the sheet.
    b.log_in("collecteur@dakar-plateau.demo", DEMO_PASSWORD)
        .await;
    b.goto("/dakar-plateau/collect?ref=DKP-T0001").await;
    b.shoot_both("counter").await;
    b.fill("main input[name=amount]", "25000").await;
    b.click("main form.stack button[type=submit]").await;
    b.wait_until("the question", |b| async move {
        !b.all("main #confirm-question").await.is_empty()
    })
    .await;
    b.shoot_both("payment-confirm").await;
    b.click("main form.actions button[type=submit]").await;
    b.wait_until("the receipt", |b| async move {
        b.path()
            .await
            .starts_with("/dakar-plateau/collect/receipts/")
    })
    .await;
    b.shoot_both("receipt").await;
    b.goto("/dakar-plateau/collect?ref=DKP-T0001").await;
    b.shoot_both("counter-with-sheet").await;
    b.log_out().await;

    // The finance officer: an account, the rolls, a roll and the question before issuing
    // it, the penalties' preview, the imports.
    let (taxpayer, draft) = {
        use commune::revenue::{rolls, taxpayers};
        let mut conn = app.conn();
        let commune = commune::communes::by_slug(&mut conn, DAKAR)
            .unwrap()
            .unwrap();
        let t = taxpayers::by_ref(&mut conn, commune.id, "DKP-T0001")
            .unwrap()
            .unwrap();
        // The demo's draft roll (TAXPUB), not issued yet.
        let draft = rolls::list(&mut conn, commune.id)
            .unwrap()
            .into_iter()
            .find(|r| !r.roll.is_issued())
            .expect("a draft roll in the demo");
        (t.id.0, draft.roll.id.0)
    };
    b.log_in(FINANCES, DEMO_PASSWORD).await;
    for (name, path) in [
        (
            "account",
            format!("/dakar-plateau/finance/taxpayers/{taxpayer}"),
        ),
        ("rolls", "/dakar-plateau/finance/rolls".to_string()),
        ("roll", format!("/dakar-plateau/finance/rolls/{draft}")),
        (
            "roll-issue-confirm",
            format!("/dakar-plateau/finance/rolls/{draft}/issue"),
        ),
        ("imports", "/dakar-plateau/finance/imports".to_string()),
    ] {
        b.goto(&path).await;
        b.shoot_both(name).await;
    }
    b.goto("/dakar-plateau/finance").await;
    b.click("main form[action$='/penalties/preview'] button[type=submit]")
        .await;
    b.wait_until("the penalties' preview", |b| async move {
        b.path().await.ends_with("/penalties/preview")
    })
    .await;
    b.shoot_both("penalties-preview").await;
    b.log_out().await;

    // The administrator: the audit log, each operation named in words.
    b.log_in("admin@dakar-plateau.demo", DEMO_PASSWORD).await;
    b.goto("/dakar-plateau/admin/audit").await;
    b.shoot_both("audit").await;
    let log = b.text("main table.audit").await;
    assert!(log.contains("Paiement enregistré"), "{log}");
    assert!(!log.contains("payment.record"), "{log}");
}

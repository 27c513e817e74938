//! A day of receipts in the browser, in French: a collector on a phone (360 px) finds a
//! taxpayer, records a payment after the question, sells a market ticket and prints it
//! on a 58 mm roll; an anonymous visitor checks its code; a treasurer asks to cancel
//! it, a second treasurer approves, and the verify page then says it is cancelled.
//! Each page is measured and kept at 360 px and at 1280 px.

use serde_json::json;

use super::harness::*;
use crate::helpers::{demo_email, DAKAR, DEMO_PASSWORD};

/// A 58 mm roll, in points (1 mm = 72 / 25.4 pt).
const ROLL_WIDTH_PT: f64 = 58.0 * 72.0 / 25.4;

async fn phone(b: &Browser) {
    b.viewport(360, 740).await;
}

/// The page as the printer lays it out, `width_px` wide (A4 at 96 dpi: 794 px; a 58 mm
/// roll: 219 px), kept as `<name>.png` for a person to look at.
async fn print_preview(b: &Browser, name: &str, width_px: u32, height_px: u32) {
    b.emulate_media("print").await;
    b.viewport(width_px, height_px).await;
    let png = b.client.screenshot().await.expect("a screenshot");
    save_artifact(&format!("{name}.png"), &png);
    b.emulate_media("").await;
    b.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
        .await;
}

#[actix_web::test]
async fn a_collector_sells_a_ticket_that_anyone_checks_and_two_treasurers_cancel() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };

    // The collector, on a phone: the taxpayer by part of her name (as the payer says
    // it), chosen among the matches by her reference, then the payment.
    phone(&b).await;
    b.log_in(&demo_email(DAKAR, "collector"), DEMO_PASSWORD)
        .await;
    b.goto(&format!("/{DAKAR}/collect")).await;
    b.fill("main input[name=ref]", "awa ndia").await;
    b.click("main form[role=search] button[type=submit]").await;
    b.wait_until(
        "her account, or the matches to choose from",
        |b| async move {
            !b.all("main [data-figure=balance], main [data-choice]")
                .await
                .is_empty()
        },
    )
    .await;
    if b.all("main [data-figure=balance]").await.is_empty() {
        b.shoot_both("counter-choices").await;
        phone(&b).await;
        b.click("main li[data-choice='DKP-T0001'] a").await;
        b.wait_until("her account", |b| async move {
            !b.all("main [data-figure=balance]").await.is_empty()
        })
        .await;
    }
    assert_eq!(b.text("main h2 .muted").await, "DKP-T0001");
    let question = b.ask_to_pay("5 000").await;
    assert!(question.starts_with("Enregistrer 5 000"), "{question}");
    b.confirm_payment().await;
    assert_eq!(b.text("main [data-words]").await, "cinq mille francs CFA");
    assert!(b.find("main svg.qr").await.is_displayed().await.unwrap());
    b.shoot_both("quittance").await;
    // The A4 print: the half-page receipt and its counterfoil, on one page.
    let receipt = b.path().await;
    b.check_printed_page(&receipt, "Quittance").await;
    b.emulate_media("print").await;
    for printed in [
        "main [data-counterfoil]",
        "main svg.qr",
        "main [data-signature]",
        "main [data-code]",
    ] {
        assert!(
            b.find(printed).await.is_displayed().await.unwrap(),
            "{printed} is printed"
        );
    }
    assert!(!b
        .find("main .receipt-nav")
        .await
        .is_displayed()
        .await
        .unwrap());
    b.emulate_media("").await;
    print_preview(&b, "print-preview-quittance-a4", 794, 1123).await;

    // Then a market ticket, from the counter's link.
    phone(&b).await;
    b.click_link("main", "Retour au guichet").await;
    b.wait_until("the counter", |b| async move {
        b.path().await == "/dakar-plateau/collect"
    })
    .await;
    b.click_link("main nav", "Vendre un ticket de marché").await;
    b.wait_for_path("/dakar-plateau/collect/tickets").await;
    b.shoot_both("ticket-form").await;
    phone(&b).await;
    b.click("main select[name=tariff] option[value='DPLACE:cantine']")
        .await;
    b.fill("main input[name=days]", "2").await;
    let stall = "Cantine 3, marché Kermel — Awa Ndiaye";
    b.fill("main input[name=payer]", stall).await;
    b.click("main form[data-form=ticket] button[type=submit]")
        .await;
    let question = b.question().await;
    assert_eq!(
        question,
        format!("Vendre un ticket de 400 FCFA à {stall} ?")
    );
    b.shoot_both("ticket-confirm").await;
    phone(&b).await;
    b.click("main form.actions button[type=submit]").await;
    b.wait_until("the ticket's receipt", |b| async move {
        b.client
            .current_url()
            .await
            .is_ok_and(|u| u.query() == Some("format=58mm"))
    })
    .await;
    let ticket = b.path().await;
    let number = b.text("main [data-receipt-number]").await;
    let code = b.text("main [data-code]").await;
    assert_eq!(b.text("main [data-words]").await, "quatre cents francs CFA");
    b.shoot_both("ticket-58mm").await;

    // Printed on the thermal roll: 58 mm wide, one ticket, the QR code on it.
    b.emulate_media("print").await;
    assert!(b.find("main svg.qr").await.is_displayed().await.unwrap());
    assert!(!b.find("header.top").await.is_displayed().await.unwrap());
    b.emulate_media("").await;
    let printed = b
        .cdp("Page.printToPDF", json!({ "preferCSSPageSize": true }))
        .await;
    let pdf = base64_decode(printed["data"].as_str().expect("printToPDF data"));
    let pages = media_boxes(&pdf);
    assert_eq!(
        pdf_page_count(&pdf),
        1,
        "the ticket fits one length of roll"
    );
    for (w, _) in &pages {
        assert!((w - ROLL_WIDTH_PT).abs() < 1.5, "{w} pt wide, not 58 mm");
    }
    save_artifact("print-ticket-58mm.pdf", &pdf);
    print_preview(&b, "print-preview-ticket-58mm", 219, 794).await;
    b.log_out().await;

    // Anyone checks the ticket: the QR code's page, and the form typed by hand.
    phone(&b).await;
    b.goto(&format!("/verify/{code}")).await;
    assert_eq!(
        b.text("main [data-verdict] h2").await,
        "Quittance authentique et valable"
    );
    assert_eq!(b.text("main [data-receipt-number]").await, number);
    b.shoot_both("verify-valid").await;
    b.goto("/verify").await;
    b.fill(
        "main input[name=code]",
        &code.to_lowercase().replace('-', " "),
    )
    .await;
    b.click("main form.verify-form button[type=submit]").await;
    b.wait_until("the verdict", |b| async move {
        !b.all("main [data-verdict]").await.is_empty()
    })
    .await;
    assert_eq!(b.text("main [data-status]").await, "Valable");

    // The treasurer finds the ticket by its number and asks to cancel it.
    b.log_in(&demo_email(DAKAR, "treasurer"), DEMO_PASSWORD)
        .await;
    b.wait_for_path("/dakar-plateau/treasury").await;
    b.click_link("main", "Annulations de quittances").await;
    b.wait_for_path("/dakar-plateau/treasury/cancellations")
        .await;
    b.fill("main input[name=receipt]", &number).await;
    b.click("main form[role=search] button[type=submit]").await;
    b.wait_for_path(ticket.as_str()).await;
    b.fill(
        "main textarea[name=reason]",
        "Ticket vendu deux fois pour la même cantine le même jour",
    )
    .await;
    b.click("main [data-cancellation=form] button[type=submit]")
        .await;
    b.wait_until("the request to be recorded", |b| async move {
        !b.all("main [data-cancellation=pending]").await.is_empty()
    })
    .await;
    b.shoot_both("cancellation-asked").await;
    b.log_out().await;

    // A second treasurer approves it.
    phone(&b).await;
    b.log_in(&format!("tresor2@{DAKAR}.demo"), DEMO_PASSWORD)
        .await;
    b.goto("/dakar-plateau/treasury/cancellations").await;
    let row = format!("main tr[data-receipt='{number}']");
    assert!(b.text(&row).await.contains("Ticket vendu deux fois"));
    b.shoot_both("cancellations").await;
    b.click(&format!("{row} button[value=approve]")).await;
    b.wait_for_path(ticket.as_str()).await;
    assert!(b.text("main [data-void]").await.starts_with("ANNULÉE"));
    b.shoot_both("quittance-cancelled").await;
    b.log_out().await;

    // The verify page now says so.
    phone(&b).await;
    b.goto(&format!("/verify/{code}")).await;
    assert_eq!(b.text("main [data-verdict] h2").await, "Quittance ANNULÉE");
    assert_eq!(b.text("main [data-status]").await, "ANNULÉE");
    b.shoot_both("verify-cancelled").await;
}

//! Paying by mobile money in a real browser, on a phone, in French: a payer opens the
//! payer's page from the reference on their notice, chooses MTN MoMo, is asked to
//! confirm on their phone, and once the payment is settled (by polling: no callback
//! comes) the status page gives the receipt.

use serde_json::json;

use super::harness::*;
use crate::fake_provider::FakeProvider;
use crate::helpers::{demo_email, TestApp, DEMO_PASSWORD};
use crate::revenue::mobile::{latest, owing, poll_now};
use crate::revenue::support::ABOMEY;

#[actix_web::test]
async fn a_payer_pays_by_momo_on_a_phone_and_the_status_page_gives_the_receipt_once_polled() {
    let fake = FakeProvider::start();
    let builder = TestApp::builder().mobile_money(fake.settings(0));
    let Some((app, b)) = app_and_browser_with(builder).await else {
        return;
    };
    let (reference, _) = owing(&app, ABOMEY);
    b.viewport(360, 740).await;

    // The payer's page: the commune, the reference, the name partly masked, the balance.
    b.goto(&format!("/{ABOMEY}/pay?ref={reference}")).await;
    assert_eq!(b.lang().await, "fr");
    assert_eq!(b.text("main [data-reference]").await, reference);
    assert!(b.text("main [data-masked-name]").await.contains('•'));
    assert!(b.text("main [data-figure=balance]").await.ends_with("FCFA"));
    b.shoot_both("pay-form").await;
    b.viewport(360, 740).await;

    // MTN MoMo, 5 000 francs, from this number.
    b.click("main input[name=provider][value=mtn_momo]").await;
    b.fill("main input[name=amount]", "5000").await;
    b.fill("main input[name=phone]", "01 97 12 34 56").await;
    b.click("main form.stack button[type=submit]").await;
    b.wait_until("the status page", |b| async move {
        b.path()
            .await
            .starts_with(&format!("/{ABOMEY}/pay/ACV-MM-"))
    })
    .await;
    let asked = b.text("main #pay-state").await;
    assert!(asked.contains("confirmez sur votre téléphone"), "{asked}");
    assert!(asked.contains("01 97 12 34 56"), "{asked}");
    b.shoot_both("pay-pending").await;
    b.viewport(360, 740).await;

    // The payer confirms; MoMo never calls back; the poll settles it.
    let intent = latest(&app, ABOMEY);
    let (id, _) = fake.momo_request(&intent.reference);
    fake.set_momo(
        &id,
        json!({ "status": "SUCCESSFUL", "financialTransactionId": "424242" }),
    );
    assert_eq!(poll_now(&app).await.succeeded, 1);

    // The refresh link (no JavaScript) shows the receipt and its verification link.
    b.click("main a[data-refresh]").await;
    b.wait_until("the receipt", |b| async move {
        !b.all("main a[data-receipt-link]").await.is_empty()
    })
    .await;
    assert!(b.text("main #pay-state").await.starts_with("Paiement reçu"));
    let number = b.text("main [data-receipt-number]").await;
    assert!(
        number.starts_with("ACV-") && number.ends_with("-000001"),
        "{number}"
    );
    let code = b.text("main [data-verification-code]").await;
    let link = b
        .find("main a[data-receipt-link]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link, format!("/verify/{code}"));
    b.shoot_both("pay-paid").await;

    // The taxpayer has an account with the same address: their space shows what is
    // left, the receipt, the payment, and the button to pay the rest.
    let email = demo_email(ABOMEY, "citizen");
    {
        use commune::db::schema::taxpayers as t;
        use diesel::prelude::*;
        diesel::update(t::table.filter(t::reference.eq(&reference)))
            .set(t::email.eq(Some(&email)))
            .execute(&mut *app.conn())
            .unwrap();
    }
    b.log_in(&email, DEMO_PASSWORD).await;
    b.goto(&format!("/{ABOMEY}/me")).await;
    let receipts = b.text("main table.lines:last-of-type").await;
    assert!(receipts.contains(&number), "{receipts}");
    b.find("main a[data-pay]").await;
    b.shoot_both("citizen-taxes").await;
}

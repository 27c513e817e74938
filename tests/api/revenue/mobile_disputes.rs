//! The treasurer resolves a disputed mobile-money payment over HTTP: credited, it becomes
//! a receipt of what the provider reported paid (the balance goes down, the code
//! verifies); refunded, with a required note, nothing is credited. Either way it leaves
//! the disputed list for the resolved one, once, whoever clicks first; no other role may.

use commune::communes;
use commune::revenue::mobile::{Intent, IntentStatus};
use reqwest::StatusCode;
use scraper::Html;
use serde_json::json;

use crate::fake_provider::FakeProvider;
use crate::helpers::{demo_email, location, Client, TestApp, DAKAR};
use crate::revenue::mobile::{
    app_with, balance_shown, event, mobile_receipts, owing, reload, signed_event, wave_payment,
};
use crate::revenue::support::{attr, count, fcfa, page, text};

/// A 5 000 Wave payment of `reference` that Wave reports paid at `amount` in `currency`
/// under transaction `transaction`: disputed.
async fn disputed(
    app: &TestApp,
    fake: &FakeProvider,
    reference: &str,
    (amount, currency, transaction): (&str, &str, &str),
) -> Intent {
    let (intent, session) = wave_payment(app, fake, reference).await;
    let paid = event(
        &format!("AE_{transaction}"),
        "checkout.session.completed",
        &session,
        json!({ "checkout_status": "complete", "payment_status": "succeeded",
                "transaction_id": transaction, "amount": amount, "currency": currency }),
    );
    assert_eq!(signed_event(app, &paid).await["outcome"], "disputed");
    let intent = reload(app, &intent);
    assert_eq!(intent.status, IntentStatus::Disputed);
    intent
}

fn action(intent: &Intent, what: &str) -> String {
    format!("/{DAKAR}/treasury/mobile-money/{}/{what}", intent.id.0)
}

async fn treasurer(app: &TestApp) -> Client {
    app.login(&demo_email(DAKAR, "treasurer")).await
}

async fn report(c: &Client) -> Html {
    page(c, &format!("/{DAKAR}/treasury/mobile-money")).await
}

async fn refused(res: reqwest::Response) -> Html {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    Html::parse_document(&res.text().await.unwrap())
}

fn audited(app: &TestApp, what: &str) -> Vec<String> {
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    commune::audit::page(&mut conn, cid, None, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == what)
        .map(|e| e.details)
        .collect()
}

#[actix_web::test]
async fn a_treasurer_credits_a_payment_reported_at_another_amount_and_its_receipt_verifies() {
    // Arrange: Wave reports 4 000 paid on a 5 000 request.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let intent = disputed(&app, &fake, &reference, ("4000", "XOF", "T_SHORT")).await;
    let t = treasurer(&app).await;
    let before = report(&t).await;
    let row = format!("[data-intent='{}']", intent.reference);
    assert_eq!(
        text(&before, &format!("{row} [data-reported]")).replace('\u{202F}', " "),
        format!("Payé selon l’opérateur : {}", fcfa(4000))
    );
    assert_eq!(
        text(&before, &format!("{row} form[data-action=credit] button")).replace('\u{202F}', " "),
        format!("Imputer {}", fcfa(4000))
    );

    // Act: with the note the form offers (optional).
    let note = "Relevé Wave du 1er décembre, ligne T_SHORT";
    let res = t
        .post_form(&action(&intent, "credit"), &[("note", note)])
        .await;

    // Assert: a receipt of 4 000 by Wave's transaction, received by the system account.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/{DAKAR}/treasury/mobile-money"));
    let receipts = mobile_receipts(&app, DAKAR);
    assert_eq!(receipts.len(), 1);
    let (number, amount, wave_ref, by) = &receipts[0];
    assert_eq!(
        (*amount, wave_ref.as_deref(), by.as_str()),
        (4000, Some("T_SHORT"), "Paiements mobiles")
    );
    let now = reload(&app, &intent);
    assert_eq!(now.status, IntentStatus::Succeeded);
    assert!(now.payment_id.is_some() && now.resolved_by.is_some());
    assert_eq!(
        balance_shown(&app.visitor(), DAKAR, &reference).await,
        fcfa(balance - 4000)
    );
    // Listed as resolved, no longer as disputed, with its receipt.
    let after = report(&t).await;
    assert!(text(&after, "[role=status], .flash").contains("quittance est émise"));
    assert_eq!(count(&after, &row), 0);
    assert!(text(&after, "#disputed + p").contains("Aucun paiement en litige"));
    let resolved = format!("[data-resolved='{}']", intent.reference);
    assert_eq!(attr(&after, &resolved, "data-outcome"), "succeeded");
    assert_eq!(&text(&after, &format!("{resolved} [data-receipt]")), number);
    assert_eq!(text(&after, &format!("{resolved} [data-note]")), note);
    // The payer's page gives the receipt; its code verifies on the public page.
    let status = page(
        &app.visitor(),
        &format!("/{DAKAR}/pay/{}", intent.reference),
    )
    .await;
    assert_eq!(&text(&status, "[data-receipt-number]"), number);
    let code = text(&status, "[data-verification-code]");
    let verified = page(&app.visitor(), &format!("/verify/{code}")).await;
    assert_eq!(attr(&verified, "[data-verdict]", "data-verdict"), "valid");
    assert_eq!(&text(&verified, "[data-receipt-number]"), number);
    assert_eq!(text(&verified, "[data-figure=amount]"), fcfa(4000));
    // Audited, by the treasurer.
    let credit = audited(&app, "mobile_money.credit");
    assert_eq!(credit.len(), 1);
    assert!(
        credit[0].contains(number) && credit[0].contains("\"credited\":4000"),
        "{}",
        credit[0]
    );

    // Act: clicked again (a second tab), then refunded: both refused, nothing changes.
    let again = refused(t.post_form(&action(&intent, "credit"), &[]).await).await;
    assert!(text(&again, "[role=alert]").contains("vient d’être imputé"));
    let refund = t
        .post_form(&action(&intent, "refund"), &[("note", "Remboursé")])
        .await;
    assert_eq!(refund.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    assert_eq!(reload(&app, &intent).status, IntentStatus::Succeeded);
}

#[actix_web::test]
async fn a_refund_needs_a_note_credits_nothing_and_is_listed_as_resolved() {
    // Arrange: Wave reports the payment in euros.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let intent = disputed(&app, &fake, &reference, ("5000", "EUR", "T_EURO")).await;
    let t = treasurer(&app).await;
    let row = format!("[data-intent='{}']", intent.reference);
    let before = report(&t).await;
    assert_eq!(
        count(&before, &format!("{row} form[data-action=credit]")),
        0
    );
    assert!(text(&before, &format!("{row} [data-not-creditable]")).contains("autre devise"));

    // Act: without a note (spaces only), then crediting anyway.
    let empty = refused(
        t.post_form(&action(&intent, "refund"), &[("note", "   ")])
            .await,
    )
    .await;
    let credit = refused(t.post_form(&action(&intent, "credit"), &[]).await).await;

    // Assert: both refused, with their reasons; still disputed.
    assert!(text(&empty, &format!("{row} [role=alert]")).contains("Dites dans la note"));
    assert!(text(&credit, "[role=alert]").contains("autre devise (EUR)"));
    assert_eq!(reload(&app, &intent).status, IntentStatus::Disputed);

    // Act: with a note.
    let note = "Wave rembourse le payeur le 2 décembre (remboursement RB-7781).";
    let res = t
        .post_form(&action(&intent, "refund"), &[("note", note)])
        .await;

    // Assert: refunded, nothing credited, listed as resolved with the note.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let now = reload(&app, &intent);
    assert_eq!(now.status, IntentStatus::Refunded);
    assert_eq!(now.resolution_note.as_deref(), Some(note));
    assert!(now.payment_id.is_none());
    assert!(mobile_receipts(&app, DAKAR).is_empty());
    assert_eq!(
        balance_shown(&app.visitor(), DAKAR, &reference).await,
        fcfa(balance)
    );
    let after = report(&t).await;
    assert_eq!(count(&after, &row), 0);
    let resolved = format!("[data-resolved='{}']", intent.reference);
    assert_eq!(attr(&after, &resolved, "data-outcome"), "refunded");
    assert_eq!(text(&after, &format!("{resolved} [data-note]")), note);
    assert!(text(&after, &resolved).contains("Remboursé au payeur"));
    let status = page(
        &app.visitor(),
        &format!("/{DAKAR}/pay/{}", intent.reference),
    )
    .await;
    assert!(text(&status, "#pay-state").contains("rembourser"));
    let logged = audited(&app, "mobile_money.refund");
    assert_eq!(logged.len(), 1);
    assert!(logged[0].contains("RB-7781"), "{}", logged[0]);
    // Crediting it afterwards is refused.
    let late = refused(t.post_form(&action(&intent, "credit"), &[]).await).await;
    assert!(text(&late, "[role=alert]").contains("marqué remboursé"));
}

#[actix_web::test]
async fn a_payment_above_what_is_owed_now_is_not_credited_even_in_part() {
    // Arrange: Wave reports 1 000 more than the whole balance.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, balance) = owing(&app, DAKAR);
    let above = (balance + 1000).to_string();
    let intent = disputed(&app, &fake, &reference, (&above, "XOF", "T_OVER")).await;
    let t = treasurer(&app).await;

    // Act
    let answer = refused(t.post_form(&action(&intent, "credit"), &[]).await).await;

    // Assert: the reason, with both figures, and the way out; nothing written.
    let alert = text(&answer, "[role=alert]").replace('\u{202F}', " ");
    assert!(
        alert.contains(&fcfa(balance + 1000)) && alert.contains(&fcfa(balance)),
        "{alert}"
    );
    assert!(alert.contains("Faites rembourser le payeur"), "{alert}");
    assert_eq!(reload(&app, &intent).status, IntentStatus::Disputed);
    assert!(mobile_receipts(&app, DAKAR).is_empty());
    assert!(audited(&app, "mobile_money.credit").is_empty());
}

#[actix_web::test]
async fn two_treasurers_clicking_at_once_resolve_a_dispute_once() {
    // Arrange: two sessions of treasurers on the same disputed payment.
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, DAKAR);
    let intent = disputed(&app, &fake, &reference, ("4000", "XOF", "T_TWICE")).await;
    let (a, b) = (treasurer(&app).await, treasurer(&app).await);

    // Act: one credits while the other marks it refunded.
    let (credit, refund) = futures_util::future::join(
        a.post_form(&action(&intent, "credit"), &[]),
        b.post_form(
            &action(&intent, "refund"),
            &[("note", "Remboursé par Wave")],
        ),
    )
    .await;

    // Assert: exactly one succeeded; the intent ended as that one said.
    let statuses = [credit.status(), refund.status()];
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY));
    let now = reload(&app, &intent);
    if credit.status() == StatusCode::SEE_OTHER {
        assert_eq!(now.status, IntentStatus::Succeeded);
        assert_eq!(mobile_receipts(&app, DAKAR).len(), 1);
    } else {
        assert_eq!(now.status, IntentStatus::Refunded);
        assert!(mobile_receipts(&app, DAKAR).is_empty());
    }
    let logged =
        audited(&app, "mobile_money.credit").len() + audited(&app, "mobile_money.refund").len();
    assert_eq!(logged, 1);
}

#[actix_web::test]
async fn only_the_treasurer_resolves_a_dispute() {
    // Arrange
    let fake = FakeProvider::start();
    let app = app_with(&fake, 0).await;
    let (reference, _) = owing(&app, DAKAR);
    let intent = disputed(&app, &fake, &reference, ("4000", "XOF", "T_ROLE")).await;

    for role in ["finance_officer", "collector", "admin"] {
        // Act
        let c = app.login(&demo_email(DAKAR, role)).await;
        let credit = c.post_form(&action(&intent, "credit"), &[]).await;
        let refund = c
            .post_form(&action(&intent, "refund"), &[("note", "Remboursé")])
            .await;

        // Assert
        assert_eq!(credit.status(), StatusCode::FORBIDDEN, "{role}");
        assert_eq!(refund.status(), StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(reload(&app, &intent).status, IntentStatus::Disputed);
    assert!(mobile_receipts(&app, DAKAR).is_empty());
}

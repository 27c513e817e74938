//! Payments at the collector's counter: the amount is spread over the oldest lines
//! first, a numbered receipt is printed, the account and the day's sheet follow, and a
//! refused payment writes nothing.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{demo_email, Client, TestApp, DAKAR};
use crate::revenue::account::two_years;
use crate::revenue::support::{audit_entries, cells, count, fcfa, page, text};

pub async fn collector(app: &TestApp) -> Client {
    app.login(&demo_email(DAKAR, "collector")).await
}

/// Fills in the counter's payment form (a fresh one, with its own one-time token) for
/// the taxpayer whose reference is `reference`, checks it, and confirms the preview, as
/// a collector does. A refused check is returned as it came.
pub async fn pay(c: &Client, reference: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let preview = check(c, reference, fields).await;
    if preview.status() != StatusCode::OK {
        return preview;
    }
    let confirm = Html::parse_document(&preview.text().await.unwrap());
    let form = confirm_form(&confirm);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(&format!("/{DAKAR}/collect/payments"), &fields)
        .await
}

/// Posts the counter's form to the preview: the page that asks to confirm.
async fn check(c: &Client, reference: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let counter = page(c, &format!("/{DAKAR}/collect?ref={reference}")).await;
    let field = |name: &str| {
        crate::revenue::support::attr(&counter, &format!("form input[name={name}]"), "value")
    };
    let (id, token) = (field("taxpayer"), field("token"));
    let mut all = vec![("taxpayer", id.as_str()), ("token", token.as_str())];
    all.extend_from_slice(fields);
    c.post_form(&format!("/{DAKAR}/collect/payments/preview"), &all)
        .await
}

/// The hidden fields of the confirmation form.
fn confirm_form(page: &Html) -> Vec<(String, String)> {
    crate::revenue::support::hidden_fields(page, "form[action$=\"/collect/payments\"]")
}

async fn refused(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = Html::parse_document(&res.text().await.unwrap());
    text(&body, "[role=alert]")
}

#[actix_web::test]
async fn a_payment_settles_the_oldest_lines_first_and_prints_a_numbered_receipt() {
    // Arrange: 25 000 owed (last year 10 000 + 5 000 penalty, this year 10 000).
    let app = TestApp::spawn_without_register().await;
    let (officer, t, year) = two_years(&app).await;
    let c = collector(&app).await;
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(25_000));
    assert_eq!(count(&counter, "ul.lines li[data-line]"), 3);

    // Act: 12 000 in cash.
    let res = pay(&c, "DKP-C1", &[("amount", "12 000"), ("method", "cash")]).await;

    // Assert: the receipt, numbered with the commune's code and the year.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let receipt_path = crate::helpers::location(&res);
    let receipt = page(&c, &receipt_path).await;
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    assert_eq!(
        text(&receipt, "[data-receipt-number]"),
        format!("DKP-{this_year}-000001")
    );
    assert_eq!(text(&receipt, "[data-figure=amount]"), fcfa(12_000));
    // Last year's principal in full, then 2 000 of its penalty.
    let last = year - 1;
    assert_eq!(
        cells(
            &receipt,
            &format!("tr[data-line=\"DKP/{last}/TAXPUB/000001\"]")
        )[3],
        fcfa(10_000)
    );
    assert_eq!(
        cells(
            &receipt,
            &format!("tr[data-line=\"DKP/{last}/TAXPUB/000001-P\"]")
        )[3],
        fcfa(2_000)
    );
    assert_eq!(count(&receipt, "table.lines tbody tr"), 2);
    // The finance officer's view of the account follows.
    let account = page(&officer, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=paid]"), fcfa(12_000));
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(13_000));
    assert_eq!(text(&account, "[data-figure=arrears]"), fcfa(3_000));
    assert_eq!(
        cells(&account, &format!("tr[data-year=\"{last}\"]"))[4..6],
        [fcfa(12_000), fcfa(3_000)]
    );
    assert_eq!(
        cells(
            &account,
            &format!("tr[data-receipt=\"DKP-{this_year}-000001\"]")
        )[2],
        fcfa(12_000)
    );
}

#[actix_web::test]
async fn the_rest_is_paid_by_mobile_money_and_the_day_sheet_adds_up() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let (officer, t, _) = two_years(&app).await;
    let c = collector(&app).await;
    pay(&c, "DKP-C1", &[("amount", "12000"), ("method", "cash")]).await;

    // Act
    let res = pay(
        &c,
        "DKP-C1",
        &[
            ("amount", "13000"),
            ("method", "mobile_money"),
            ("reference", "MP261128.1042.A12345"),
        ],
    )
    .await;

    // Assert
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(0));
    assert_eq!(
        count(&counter, "form input[name=amount]"),
        0,
        "nothing to pay"
    );
    assert_eq!(count(&counter, "table.sheet tbody tr"), 2);
    assert_eq!(text(&counter, "[data-figure=day-total]"), fcfa(25_000));
    // Only the cash is handed over: the counter shows it apart from the mobile money.
    assert_eq!(text(&counter, "[data-figure=cash]"), fcfa(12_000));
    assert_eq!(text(&counter, "[data-figure=mobile-money]"), fcfa(13_000));
    // The second receipt of the year follows the first.
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    for n in ["000001", "000002"] {
        let receipt = format!("tr[data-receipt=\"DKP-{this_year}-{n}\"]");
        assert_eq!(count(&counter, &receipt), 1, "{receipt}");
    }
    let account = page(&officer, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(0));
    assert!(text(&account, "table.payments").contains("MP261128.1042.A12345"));
    // This year's line was due on 30 June (30 days' grace): paid today, it was paid late,
    // and the flat 5 000 penalty for lateness is still charged on it.
    let today = chrono::Utc::now().date_naive().to_string();
    let res = crate::revenue::support::charge_penalties(&officer, DAKAR, &today).await;
    assert_eq!(res.status(), StatusCode::OK);
    let account = page(&officer, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=penalties]"), fcfa(10_000));
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(5_000));
}

#[actix_web::test]
async fn a_refused_payment_says_why_and_writes_nothing() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let before = audit_entries(&app, DAKAR);

    // Act and assert: each refusal, in the collector's language.
    let above = refused(pay(&c, "DKP-C1", &[("amount", "25001"), ("method", "cash")]).await).await;
    assert_eq!(
        above,
        format!(
            "Le montant dépasse le solde à payer ({}) : encaissez au plus le solde.",
            fcfa(25_000)
        )
    );
    let no_reference =
        refused(pay(&c, "DKP-C1", &[("amount", "5000"), ("method", "cheque")]).await).await;
    assert!(
        no_reference.contains("référence de la transaction"),
        "{no_reference}"
    );
    let zero = refused(pay(&c, "DKP-C1", &[("amount", "0"), ("method", "cash")]).await).await;
    assert_eq!(zero, "Le montant doit être supérieur à zéro.");
    let cents = refused(pay(&c, "DKP-C1", &[("amount", "500,50"), ("method", "cash")]).await).await;
    assert!(cents.contains("pas de centimes"), "{cents}");
    let bad_method = pay(&c, "DKP-C1", &[("amount", "500"), ("method", "gold")]).await;
    assert_eq!(bad_method.status(), StatusCode::BAD_REQUEST);

    // Nothing was written: the balance, the sheet and the log are as they were.
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(25_000));
    assert_eq!(count(&counter, "table.sheet tbody tr"), 0);
    assert_eq!(audit_entries(&app, DAKAR), before);
    // An unknown reference is said so.
    let unknown = page(&c, &format!("/{DAKAR}/collect?ref=DKP-NOPE")).await;
    assert!(text(&unknown, "[role=alert]").contains("DKP-NOPE"));
}

#[actix_web::test]
async fn the_database_refuses_to_change_or_delete_a_recorded_payment() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let res = pay(&c, "DKP-C1", &[("amount", "1000"), ("method", "cash")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();

    // Act: what someone with a database client would try.
    let attempts = [
        ("raise the amount", "UPDATE payments SET amount = 1"),
        ("delete the payment", "DELETE FROM payments"),
        (
            "move the allocation",
            "UPDATE payment_allocations SET amount = 1",
        ),
        ("delete the allocation", "DELETE FROM payment_allocations"),
    ];

    // Assert
    for (what, sql) in attempts {
        let err = conn.batch_execute(sql).expect_err(what).to_string();
        assert!(
            err.contains("a recorded payment cannot change"),
            "{what}: {err}"
        );
    }
    let receipt = page(&c, &crate::helpers::location(&res)).await;
    assert_eq!(text(&receipt, "[data-figure=amount]"), fcfa(1_000));
}

#[actix_web::test]
async fn a_receipt_of_another_commune_is_not_found() {
    // Arrange: a payment recorded in Dakar.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let res = pay(&c, "DKP-C1", &[("amount", "1000"), ("method", "cash")]).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the payment is recorded"
    );
    let path = crate::helpers::location(&res);
    assert!(
        path.starts_with(&format!("/{DAKAR}/collect/receipts/")),
        "{path}"
    );
    let id = path.rsplit('/').next().unwrap();

    // Act and assert: the Dakar collector opens it; Abomey-Calavi's finds nothing.
    let own = page(&c, &path).await;
    assert_eq!(text(&own, "[data-figure=amount]"), fcfa(1_000));
    let other = app.login(&demo_email("abomey-calavi", "collector")).await;
    let res = other
        .get(&format!("/abomey-calavi/collect/receipts/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_form_sent_again_with_other_content_is_refused_and_records_nothing_more() {
    // Arrange: 5 000 recorded with a form's one-time token.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let preview = check(&c, "DKP-C1", &[("amount", "5000"), ("method", "cash")]).await;
    let confirm = Html::parse_document(&preview.text().await.unwrap());
    let form = confirm_form(&confirm);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let first = c
        .post_form(&format!("/{DAKAR}/collect/payments"), &fields)
        .await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);

    // Act: the same token, with 50 000 instead of 5 000.
    let changed: Vec<(&str, &str)> = fields
        .iter()
        .map(|&(k, v)| if k == "amount" { (k, "50000") } else { (k, v) })
        .collect();
    let again = c
        .post_form(&format!("/{DAKAR}/collect/payments"), &changed)
        .await;

    // Assert: refused, and only the first payment is on the sheet.
    assert!(refused(again).await.contains("déjà servi"));
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(20_000));
    assert_eq!(count(&counter, "table.sheet tbody tr"), 1);
}

#[actix_web::test]
async fn the_preview_names_the_payer_and_the_lines_and_records_nothing() {
    // Arrange: 25 000 owed.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;

    // Act: 12 000 checked, not confirmed.
    let res = check(&c, "DKP-C1", &[("amount", "12 000"), ("method", "cash")]).await;

    // Assert: the question names the amount and the payer, the lines it settles are
    // listed, and nothing is recorded.
    assert_eq!(res.status(), StatusCode::OK);
    let preview = Html::parse_document(&res.text().await.unwrap());
    let question = text(&preview, "#confirm-question");
    assert!(question.contains(&fcfa(12_000)), "{question}");
    assert!(question.contains("?"), "{question}");
    assert_eq!(text(&preview, "[data-figure=after]"), fcfa(13_000));
    assert_eq!(count(&preview, "tr[data-line]"), 2);
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(25_000));
    assert_eq!(count(&counter, "table.sheet tbody tr"), 0);
}

#[actix_web::test]
async fn two_collectors_paying_at_once_cannot_take_more_than_is_owed() {
    // Arrange: 25 000 owed; two counters each try to take 15 000 at the same moment.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let (a, b) = (collector(&app).await, collector(&app).await);
    let form = [("amount", "15000"), ("method", "cash")];

    // Act
    let (ra, rb) = tokio::join!(pay(&a, "DKP-C1", &form), pay(&b, "DKP-C1", &form));

    // Assert: one receipt, one refusal, and 10 000 still owed.
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );
    let counter = page(&a, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(10_000));
}

#[actix_web::test]
async fn what_was_paid_cannot_be_reduced_away_afterwards() {
    // Arrange: 12 000 paid: last year's principal in full, 2 000 of its 5 000 penalty.
    let app = TestApp::spawn_without_register().await;
    let (officer, t, year) = two_years(&app).await;
    let (second, _) = crate::revenue::support::second_officer(&app, DAKAR).await;
    let c = collector(&app).await;
    pay(&c, "DKP-C1", &[("amount", "12000"), ("method", "cash")]).await;
    let last = year - 1;
    let account = page(&officer, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    let line = |reference: String| {
        crate::revenue::support::attr(
            &account,
            &format!("tr[data-line=\"{reference}\"] input[name=line]"),
            "value",
        )
    };
    let principal = line(format!("DKP/{last}/TAXPUB/000001"));
    let penalty = line(format!("DKP/{last}/TAXPUB/000001-P"));
    let ask = |line: String, kind: &'static str, amount: &'static str| {
        let officer = &officer;
        async move {
            officer
                .post_form(
                    &format!("/{DAKAR}/finance/adjustments"),
                    &[
                        ("line", line.as_str()),
                        ("kind", kind),
                        ("amount", amount),
                        ("reason", "Recours"),
                    ],
                )
                .await
        }
    };

    // Act and assert: a paid line has nothing left to cancel; a penalty with 3 000 left
    // cannot be reduced by 4 000.
    let cancel = ask(principal, "cancellation", "").await;
    assert_eq!(cancel.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cancel
        .text()
        .await
        .unwrap()
        .contains("Rien ne reste dû sur cette ligne."));
    let too_much = ask(penalty.clone(), "reduction", "4000").await;
    assert_eq!(too_much.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A reduction of 3 000 is asked for; the taxpayer pays the 13 000 left before it is
    // approved, so the approval would leave the line below zero and is refused.
    assert_eq!(
        ask(penalty, "reduction", "3000").await.status(),
        StatusCode::SEE_OTHER
    );
    pay(&c, "DKP-C1", &[("amount", "13000"), ("method", "cash")]).await;
    let pending = page(&second, &format!("/{DAKAR}/finance/adjustments")).await;
    let adjustment =
        crate::revenue::support::attr(&pending, "tr[data-adjustment]", "data-adjustment");
    let approve = second
        .post_form(
            &format!("/{DAKAR}/finance/adjustments/{adjustment}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(approve.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let account = page(&officer, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(0));
    assert_eq!(text(&account, "[data-figure=adjusted]"), fcfa(0));
}

#[actix_web::test]
async fn a_payment_form_sent_twice_records_one_payment() {
    // Arrange: the counter's form, as the browser holds it.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    let attr = |name: &str| {
        crate::revenue::support::attr(&counter, &format!("form input[name={name}]"), "value")
    };
    let (taxpayer, token) = (attr("taxpayer"), attr("token"));
    let form = [
        ("taxpayer", taxpayer.as_str()),
        ("token", token.as_str()),
        ("amount", "5000"),
        ("method", "cash"),
    ];

    // Act: a double click.
    let first = c
        .post_form(&format!("/{DAKAR}/collect/payments"), &form)
        .await;
    let second = c
        .post_form(&format!("/{DAKAR}/collect/payments"), &form)
        .await;

    // Assert: both land on the same receipt, and 5 000 was taken once.
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        crate::helpers::location(&first),
        crate::helpers::location(&second)
    );
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(20_000));
    assert_eq!(count(&counter, "table.sheet tbody tr"), 1);
}

#[actix_web::test]
async fn a_transaction_reference_pays_once() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let form = [
        ("amount", "5000"),
        ("method", "mobile_money"),
        ("reference", "MP261128.0900.B00042"),
    ];
    let first = pay(&c, "DKP-C1", &form).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let receipt = page(&c, &crate::helpers::location(&first)).await;
    let number = text(&receipt, "[data-receipt-number]");

    // Act: the same reference, on a new form.
    let again = refused(pay(&c, "DKP-C1", &form).await).await;

    // Assert
    assert!(again.contains(&number), "{again}");
    let counter = page(&c, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(20_000));
}

#[actix_web::test]
async fn a_receipt_is_never_kept_by_a_cache() {
    // Arrange: a payment recorded in Dakar.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let c = collector(&app).await;
    let res = pay(&c, "DKP-C1", &[("amount", "1000"), ("method", "cash")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Act
    let receipt = c.get(&crate::helpers::location(&res)).await;

    // Assert: neither the browser nor a proxy keeps it once the collector has left.
    assert_eq!(receipt.status(), StatusCode::OK);
    assert_eq!(receipt.headers()["cache-control"], "no-store");
}

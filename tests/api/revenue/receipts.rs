//! Receipts as the payer and the commune keep them, and what anyone can check of them:
//! the quittance (A4 and 58 mm) names the tax, writes the amount in words, shows the
//! balance and a QR code that opens the public verify page; the verify page tells a
//! good code from a forged, a mistyped, a cancelled and an altered one, and is
//! rate-limited; a cancellation needs two people and puts the amount back on the
//! balance; a market ticket is sold without a roll and counts in its fee's collection.

use chrono::Datelike;
use commune::communes;
use commune::db::schema::payments as p;
use commune::money::Xof;
use commune::revenue::payments::code;
use diesel::prelude::*;
use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{demo_email, location, Client, TestApp, DAKAR};
use crate::revenue::account::two_years;
use crate::revenue::payments::pay;
use crate::revenue::support::{attr, count, fcfa, hidden_fields, page, text, ABOMEY};

/// The verification code of a receipt, as stored (without dashes).
fn stored_code(app: &TestApp, receipt: &str) -> String {
    let mut conn = app.conn();
    p::table
        .filter(p::receipt_number.eq(receipt))
        .select(p::verification_code)
        .get_result::<Option<String>>(&mut conn)
        .unwrap()
        .expect("a verification code")
}

/// The text a receipt's QR code holds, read from the drawing as a phone's camera would
/// (through the modules of its SVG path, four pixels each).
fn qr_text(page: &Html) -> String {
    let svg = page
        .select(&Selector::parse("svg.qr").unwrap())
        .next()
        .expect("a QR code");
    let view_box = svg.value().attr("viewbox").or(svg.value().attr("viewBox"));
    let side: usize = view_box
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let path = svg
        .select(&Selector::parse("path").unwrap())
        .next()
        .unwrap();
    let mut dark = vec![false; side * side];
    for run in path.value().attr("d").unwrap().split('M').skip(1) {
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let len: usize = rest.split('v').next().unwrap().parse().unwrap();
        dark[y * side + x..y * side + x + len].fill(true);
    }
    let px = 4;
    let mut img = rqrr::PreparedImage::prepare_from_bitmap(side * px, side * px, |x, y| {
        dark[(y / px) * side + x / px]
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("a readable QR code").1
}

/// The collector pays 12 000 of the 25 000 owed by DKP-C1 and returns the receipt's
/// address and number.
async fn a_payment(app: &TestApp) -> (String, String) {
    let collector = app.login(&demo_email(DAKAR, "collector")).await;
    let res = pay(
        &collector,
        "DKP-C1",
        &[("amount", "12000"), ("method", "cash")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let path = location(&res);
    let receipt = page(&collector, &path).await;
    (path, text(&receipt, "[data-receipt-number]"))
}

#[actix_web::test]
async fn a_receipt_names_the_tax_writes_the_amount_in_words_and_carries_its_verify_code() {
    // Arrange: 25 000 owed; 12 000 paid.
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let (path, number) = a_payment(&app).await;
    let collector = app.login(&demo_email(DAKAR, "collector")).await;
    let shown = code::display(&stored_code(&app, &number));

    // Act
    let a4 = page(&collector, &path).await;
    let roll = page(&collector, &format!("{path}?format=58mm")).await;

    // Assert: the state's header, the tax by its name, figures and words, the balance
    // left, the signature box, the code and its QR code, and the counterfoil.
    for receipt in [&a4, &roll] {
        let state = text(receipt, ".q-state, .r-state");
        assert!(
            state.contains("République du Sénégal") && state.contains("Un Peuple, Un But, Une Foi"),
            "{state}"
        );
        assert!(state.contains("Commune de Dakar-Plateau"), "{state}");
        assert_eq!(text(receipt, "[data-receipt-number]"), number);
        assert_eq!(text(receipt, "[data-taxes]"), "Taxe sur la publicité");
        assert_eq!(text(receipt, "[data-figure=amount]"), fcfa(12_000));
        assert_eq!(text(receipt, "[data-words]"), "douze mille francs CFA");
        assert_eq!(text(receipt, "[data-figure=balance]"), fcfa(13_000));
        assert!(text(receipt, "[data-payer]").contains("Khady Mbaye"));
        assert_eq!(text(receipt, "[data-code]"), shown);
        assert_eq!(qr_text(receipt), format!("{}/verify/{shown}", app.base));
    }
    assert!(text(&a4, "[data-signature]").contains("Signature et cachet"));
    assert!(text(&a4, "[data-counterfoil]").contains(&number));
    assert!(text(&a4, "tr[data-line]").starts_with("Taxe sur la publicité"));
    assert_eq!(
        attr(&a4, "link[href^='/static/receipt']", "href"),
        "/static/receipt.css"
    );
    assert_eq!(
        attr(&roll, "link[href^='/static/receipt']", "href"),
        "/static/receipt-58mm.css"
    );
    // Both stylesheets are served, each with its own print rules.
    for (css, paper) in [
        ("receipt.css", "size: A4"),
        ("receipt-58mm.css", "size: 58mm"),
    ] {
        let sheet = app.visitor().text(&format!("/static/{css}")).await;
        assert!(
            sheet.contains("@media print") && sheet.contains(paper),
            "{css}"
        );
    }

    // In English, the words are English and the state's name too.
    collector.get("/lang/en").await;
    let en = page(&collector, &path).await;
    assert_eq!(text(&en, "[data-words]"), "twelve thousand CFA francs");
    assert!(text(&en, ".q-state").contains("Republic of Senegal"));
}

#[actix_web::test]
async fn the_verify_page_tells_a_good_code_from_a_forged_a_mistyped_and_a_malformed_one() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let (_, number) = a_payment(&app).await;
    let good = stored_code(&app, &number);
    let v = app.visitor();

    // A good code, typed by hand (lower case, no dashes) or opened from the QR code.
    for path in [
        format!("/verify/{}", code::display(&good)),
        format!("/verify?code={}", good.to_lowercase()),
    ] {
        let res = v.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let found = Html::parse_document(&res.text().await.unwrap());
        assert_eq!(attr(&found, "[data-verdict]", "data-verdict"), "valid");
        assert_eq!(
            text(&found, "[data-verdict] h2"),
            "Quittance authentique et valable"
        );
        assert!(text(&found, "[data-commune]").starts_with("Dakar-Plateau"));
        assert_eq!(text(&found, "[data-receipt-number]"), number);
        assert_eq!(text(&found, "[data-figure=amount]"), fcfa(12_000));
        assert_eq!(text(&found, "[data-taxes]"), "Taxe sur la publicité");
        // The payer's name, partly masked.
        assert_eq!(text(&found, "[data-payer]"), "K•••y M••••");
        assert_eq!(text(&found, "[data-status]"), "Valable");
    }

    // A code of the right shape, signed with another key: no receipt has it.
    let forged = code::sign(
        "not the commune's key",
        &code::Content {
            commune: DAKAR,
            receipt: &number,
            amount: 120_000,
            paid_on: chrono::Utc::now().date_naive(),
            payer: "DKP-C1",
        },
    );
    let res = v.get(&format!("/verify/{}", code::display(&forged))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let unknown = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(attr(&unknown, "[data-verdict]", "data-verdict"), "unknown");
    assert!(text(&unknown, "[data-verdict]").contains("peut-être fausse"));
    assert_eq!(count(&unknown, "[data-receipt-number]"), 0);

    // One character typed wrong: the check character says so.
    let mut typo: Vec<char> = good.chars().collect();
    typo[3] = if typo[3] == '7' { '8' } else { '7' };
    let typo: String = typo.into_iter().collect();
    let res = v.get(&format!("/verify/{typo}")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mistyped = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(
        attr(&mistyped, "[data-verdict]", "data-verdict"),
        "mistyped"
    );
    assert!(text(&mistyped, "[data-verdict]").contains("faute de frappe"));

    // Not a code at all; the page shows what was typed, escaped.
    let res = v.get("/verify?code=%3Cscript%3E").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script>"));
    let malformed = Html::parse_document(&body);
    assert_eq!(
        attr(&malformed, "[data-verdict]", "data-verdict"),
        "malformed"
    );

    // The bare form, in English, light and without script.
    v.get("/lang/en").await;
    let form = v.text("/verify").await;
    assert!(form.contains("Check a receipt") && !form.contains("data-verdict"));
    assert!(!form.contains("<script") && form.len() < 20_000);
}

#[actix_web::test]
async fn a_stored_receipt_that_no_longer_matches_its_code_is_called_altered() {
    // Arrange: a row written behind Commune's back, its code made with another key.
    let app = TestApp::spawn_without_register().await;
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let collector = commune::accounts::users::by_email(&mut conn, &demo_email(DAKAR, "collector"))
        .unwrap()
        .unwrap();
    let fee = commune::revenue::tax_types::by_code(&mut conn, commune.id, "DPLACE")
        .unwrap()
        .unwrap();
    let today = commune.today();
    let receipt = format!("DKP-{}-900001", today.year());
    let content = code::Content {
        commune: DAKAR,
        receipt: &receipt,
        amount: 50_000,
        paid_on: today,
        payer: "Étal 99",
    };
    let forged = code::sign("a key that is not the commune's", &content);
    diesel::insert_into(p::table)
        .values((
            p::commune_id.eq(commune.id),
            p::receipt_number.eq(&receipt),
            p::receipt_year.eq(i64::from(today.year())),
            p::receipt_seq.eq(900_001i64),
            p::amount.eq(Xof(50_000)),
            p::method.eq("cash"),
            p::received_by.eq(collector.id),
            p::received_at.eq(chrono::Utc::now().naive_utc()),
            p::form_token.eq("written-behind-communes-back"),
            p::paid_on.eq(today),
            p::channel.eq("counter"),
            p::tax_type_id.eq(fee.id),
            p::payer.eq("Étal 99"),
            p::verification_code.eq(&forged),
            p::status.eq("recorded"),
        ))
        .execute(&mut conn)
        .unwrap();
    // The same row signed with the commune's own key would have been genuine.
    let key = communes::receipt_key(&mut conn, commune.id).unwrap();
    assert_ne!(code::sign(&key, &content), forged);

    // Act
    let res = app.visitor().get(&format!("/verify/{forged}")).await;

    // Assert
    assert_eq!(res.status(), StatusCode::OK);
    let altered = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(attr(&altered, "[data-verdict]", "data-verdict"), "altered");
    assert_eq!(text(&altered, "[data-verdict] h2"), "Quittance ALTÉRÉE");
    assert!(text(&altered, "[data-verdict]").contains("modifiée après son émission"));
}

#[actix_web::test]
async fn the_verify_page_answers_thirty_look_ups_a_minute_per_address_then_429() {
    let app = TestApp::spawn_without_register().await;
    let v = app.visitor();
    // The bare form is not a look-up.
    for _ in 0..5 {
        assert_eq!(v.get("/verify").await.status(), StatusCode::OK);
    }
    for i in 0..30 {
        let res = v.get(&format!("/verify/AAAA-BBBB-{i:04}")).await;
        assert_ne!(res.status(), StatusCode::TOO_MANY_REQUESTS, "look-up {i}");
    }
    let res = v.get("/verify/AAAA-BBBB-CCCC").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let limited = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(attr(&limited, "[data-verdict]", "data-verdict"), "limited");
    assert!(text(&limited, "[data-verdict]").contains("Réessayez dans"));
    // The form stays on the page, to try again later.
    assert_eq!(
        count(&limited, "form[action='/verify'] input[name=code]"),
        1
    );
}

/// The pending cancellation of a receipt, as the treasurers' list shows it: its id.
fn pending_request(list: &Html, number: &str) -> String {
    attr(
        list,
        &format!("tr[data-receipt=\"{number}\"]"),
        "data-request",
    )
}

#[actix_web::test]
async fn a_cancellation_needs_a_second_person_and_puts_the_amount_back_on_the_balance() {
    // Arrange: 25 000 owed, 12 000 paid: 13 000 left.
    let app = TestApp::spawn_without_register().await;
    let (officer, taxpayer, _) = two_years(&app).await;
    let (path, number) = a_payment(&app).await;
    let account = format!("/{DAKAR}/finance/taxpayers/{taxpayer}");
    assert_eq!(
        text(&page(&officer, &account).await, "[data-figure=balance]"),
        fcfa(13_000)
    );
    let treasurer = app.login(&demo_email(DAKAR, "treasurer")).await;
    let second = app.login(&format!("tresor2@{DAKAR}.demo")).await;
    let collector = app.login(&demo_email(DAKAR, "collector")).await;
    let cancel = format!("{path}/cancel");

    // A reason too short is refused beside the form; the collector may not even ask.
    let res = treasurer.post_form(&cancel, &[("reason", "erreur")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&refused, "[data-cancellation=form] [role=alert]").contains("10 caractères"));
    assert_eq!(text(&refused, "textarea[name=reason]"), "erreur");
    let reason = "Erreur de saisie : 1 200 FCFA reçus, 12 000 saisis";
    assert_eq!(
        collector
            .post_form(&cancel, &[("reason", reason)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Act 1: the treasurer asks.
    let res = treasurer.post_form(&cancel, &[("reason", reason)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), path);
    let asked = page(&treasurer, &path).await;
    assert!(text(&asked, "[data-cancellation=pending]").contains(reason));
    assert_eq!(count(&asked, "[data-cancellation=form]"), 0);
    // Nothing changes before a second person decides.
    assert_eq!(
        text(&page(&officer, &account).await, "[data-figure=balance]"),
        fcfa(13_000)
    );

    // The one who asked cannot approve: the refusal shows beside the request (422).
    let list_path = format!("/{DAKAR}/treasury/cancellations");
    let list = page(&treasurer, &list_path).await;
    let request = pending_request(&list, &number);
    let row = text(&list, &format!("tr[data-request=\"{request}\"]"));
    assert!(row.contains("Vous avez demandé"), "{row}");
    assert!(row.contains("Khady Mbaye"), "the payer is shown: {row}");
    let decide = format!("{list_path}/{request}");
    let res = treasurer
        .post_form(&decide, &[("decision", "approve")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = Html::parse_document(&res.text().await.unwrap());
    assert!(text(
        &refused,
        &format!("tr[data-request=\"{request}\"] [role=alert]")
    )
    .contains("une seconde personne doit décider"));
    assert_eq!(
        collector
            .post_form(&decide, &[("decision", "approve")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Act 2: a second treasurer approves.
    let res = second.post_form(&decide, &[("decision", "approve")]).await;

    // Assert: the receipt stays, marked cancelled; its 12 000 are owed again.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), path);
    let cancelled = page(&second, &path).await;
    assert_eq!(
        attr(&cancelled, "article.quittance", "data-status"),
        "cancelled"
    );
    assert!(text(&cancelled, "[data-void]").starts_with("ANNULÉE"));
    assert!(text(&cancelled, "[data-counterfoil]").contains("ANNULÉE"));
    assert_eq!(text(&cancelled, "[data-figure=balance]"), fcfa(25_000));
    let acct = page(&officer, &account).await;
    assert_eq!(text(&acct, "[data-figure=balance]"), fcfa(25_000));
    assert_eq!(text(&acct, "[data-figure=paid]"), fcfa(0));
    let counter = page(&collector, &format!("/{DAKAR}/collect?ref=DKP-C1")).await;
    assert_eq!(text(&counter, "[data-figure=balance]"), fcfa(25_000));
    // Decided once: the list is empty, a second decision is refused.
    assert_eq!(
        count(&page(&second, &list_path).await, "tr[data-request]"),
        0
    );
    let again = second.post_form(&decide, &[("decision", "approve")]).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("déjà été tranchée"));
    // Anyone checking the code reads "annulée".
    let shown = code::display(&stored_code(&app, &number));
    let verify = Html::parse_document(&app.visitor().text(&format!("/verify/{shown}")).await);
    assert_eq!(attr(&verify, "[data-verdict]", "data-verdict"), "cancelled");
    assert_eq!(text(&verify, "[data-status]"), "ANNULÉE");
    // Both steps are in the audit log, with who did them.
    let actions = audit_actions(&app);
    assert!(
        actions.contains(&"receipt.cancel_request".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"receipt.cancel".to_string()),
        "{actions:?}"
    );
}

fn audit_actions(app: &TestApp) -> Vec<String> {
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    commune::audit::page(&mut conn, cid, None, 1_000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[actix_web::test]
async fn a_refused_cancellation_leaves_the_receipt_valid_and_a_receipt_is_found_by_its_number() {
    let app = TestApp::spawn_without_register().await;
    two_years(&app).await;
    let (path, number) = a_payment(&app).await;
    let treasurer = app.login(&demo_email(DAKAR, "treasurer")).await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;

    // The treasurer opens the receipt from its number, as printed, in any case.
    let list_path = format!("/{DAKAR}/treasury/cancellations");
    let res = treasurer
        .get(&format!("{list_path}?receipt={}", number.to_lowercase()))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), path);
    let res = treasurer
        .get(&format!("{list_path}?receipt=DKP-1999-000001"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Aucune quittance de la commune"));

    let reason = "Le contribuable conteste le montant saisi";
    let res = treasurer
        .post_form(&format!("{path}/cancel"), &[("reason", reason)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let request = pending_request(&page(&admin, &list_path).await, &number);

    // Act: an admin refuses.
    let res = admin
        .post_form(&format!("{list_path}/{request}"), &[("decision", "refuse")])
        .await;

    // Assert
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let receipt = page(&admin, &path).await;
    assert_eq!(
        attr(&receipt, "article.quittance", "data-status"),
        "recorded"
    );
    assert_eq!(count(&receipt, "[data-void]"), 0);
    assert_eq!(text(&receipt, "[data-figure=balance]"), fcfa(13_000));
    // Refused, it may be asked again.
    assert_eq!(
        count(&page(&treasurer, &path).await, "[data-cancellation=form]"),
        1
    );
    assert!(audit_actions(&app).contains(&"receipt.cancel_refuse".to_string()));
}

/// Fills in the ticket form as a collector does (a fresh form, with its own token) and
/// sends it to the preview.
async fn preview_ticket(c: &Client, commune: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let form = page(c, &format!("/{commune}/collect/tickets")).await;
    let token = attr(&form, "form[data-form=ticket] input[name=token]", "value");
    let mut all = vec![("token", token.as_str()), ("method", "cash")];
    all.extend_from_slice(fields);
    c.post_form(&format!("/{commune}/collect/tickets/preview"), &all)
        .await
}

/// The hidden fields of the ticket's confirmation form.
fn confirmation(page: &Html) -> Vec<(String, String)> {
    hidden_fields(page, "form[action$=\"/collect/tickets\"]")
}

async fn sell(c: &Client, commune: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let res = preview_ticket(c, commune, fields).await;
    assert_eq!(res.status(), StatusCode::OK, "the ticket's preview");
    let confirm = Html::parse_document(&res.text().await.unwrap());
    let form = confirmation(&confirm);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(&format!("/{commune}/collect/tickets"), &fields)
        .await
}

fn receipts_count(app: &TestApp) -> i64 {
    let mut conn = app.conn();
    p::table.count().get_result(&mut conn).unwrap()
}

#[actix_web::test]
async fn a_market_ticket_is_sold_without_a_roll_and_counts_in_its_fees_collection() {
    // Arrange: no roll at all.
    let app = TestApp::spawn_without_register().await;
    let c = app.login(&demo_email(DAKAR, "collector")).await;
    let counter = page(&c, &format!("/{DAKAR}/collect")).await;
    assert_eq!(
        attr(&counter, "nav a[href$='/collect/tickets']", "href"),
        format!("/{DAKAR}/collect/tickets")
    );

    // Act: three days of a stall (100 FCFA a day), after the question.
    let stall = "Étal 14, marché Kermel";
    let res = preview_ticket(
        &c,
        DAKAR,
        &[("tariff", "DPLACE:etal"), ("days", "3"), ("payer", stall)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirm = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(
        text(&confirm, "#confirm-question"),
        format!("Vendre un ticket de {} à {stall} ?", fcfa(300))
    );
    assert!(text(&confirm, "[data-figure=computation]").starts_with("3 ×"));
    assert_eq!(
        receipts_count(&app),
        0,
        "nothing is written before the confirmation"
    );
    let res = sell(
        &c,
        DAKAR,
        &[("tariff", "DPLACE:etal"), ("days", "3"), ("payer", stall)],
    )
    .await;

    // Assert: its receipt, on the 58 mm roll, in words and with its QR code.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let path = location(&res);
    assert!(path.ends_with("?format=58mm"), "{path}");
    let ticket = page(&c, &path).await;
    assert_eq!(count(&ticket, "article.roll58"), 1);
    assert_eq!(
        text(&ticket, "[data-taxes]"),
        "Droits de place sur les marchés"
    );
    assert_eq!(text(&ticket, "[data-figure=amount]"), fcfa(300));
    assert_eq!(text(&ticket, "[data-words]"), "trois cents francs CFA");
    assert_eq!(text(&ticket, "[data-payer]"), stall);
    assert_eq!(
        count(&ticket, "[data-figure=balance]"),
        0,
        "a ticket is no part of a balance"
    );
    let number = text(&ticket, "[data-receipt-number]");
    let shown = code::display(&stored_code(&app, &number));
    assert_eq!(qr_text(&ticket), format!("{}/verify/{shown}", app.base));
    // The A4 receipt of the same ticket.
    let a4 = page(&c, path.trim_end_matches("?format=58mm")).await;
    assert_eq!(text(&a4, "[data-words]"), "trois cents francs CFA");
    assert_eq!(count(&a4, "[data-counterfoil]"), 1);
    // Counted in the fee's budget line (7032) and in the own-source revenue.
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let year = i64::from(commune.today().year());
    let lines = commune::revenue::collected::by_budget_line(&mut conn, commune.id, year).unwrap();
    assert_eq!(lines, vec![("7032".to_string(), Xof(300))]);
    let own = commune::revenue::collected::own_source(&mut conn, commune.id, year, None).unwrap();
    assert_eq!(own, Xof(300));
    // The verify page knows it.
    let verify = Html::parse_document(&app.visitor().text(&format!("/verify/{shown}")).await);
    assert_eq!(
        text(&verify, "[data-taxes]"),
        "Droits de place sur les marchés"
    );
}

#[actix_web::test]
async fn a_ticket_is_refused_for_a_fee_that_is_not_daily_a_wrong_amount_or_an_unknown_trader() {
    let app = TestApp::spawn_without_register().await;
    let c = app.login(&demo_email(DAKAR, "collector")).await;
    let refusal = |res: reqwest::Response| async move {
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = Html::parse_document(&res.text().await.unwrap());
        text(&body, "[role=alert]")
    };

    let cases: [(&[(&str, &str)], &str); 4] = [
        // A yearly tax is not sold as a ticket.
        (
            &[("tariff", "TAXPUB:"), ("days", "1"), ("payer", "Étal 3")],
            "n’est pas un droit journalier",
        ),
        // No day, or no payer.
        (
            &[
                ("tariff", "DPLACE:etal"),
                ("days", "0"),
                ("payer", "Étal 3"),
            ],
            "nombre de jours",
        ),
        (
            &[("tariff", "DPLACE:etal"), ("days", "1"), ("payer", " ")],
            "Indiquez l’étal",
        ),
        // A register reference that names nobody.
        (
            &[
                ("tariff", "DPLACE:etal"),
                ("days", "1"),
                ("taxpayer_ref", "DKP-NOBODY"),
            ],
            "DKP-NOBODY",
        ),
    ];
    for (fields, reason) in cases {
        let res = preview_ticket(&c, DAKAR, fields).await;
        let said = refusal(res).await;
        assert!(said.contains(reason), "{fields:?}: {said}");
    }

    // A confirmation whose amount is not a whole number of days at the tariff (150 for
    // a 100 FCFA stall): the sale itself refuses it, and the form comes back as typed.
    let res = preview_ticket(
        &c,
        DAKAR,
        &[
            ("tariff", "DPLACE:etal"),
            ("days", "1"),
            ("payer", "Étal 3"),
        ],
    )
    .await;
    let confirm = Html::parse_document(&res.text().await.unwrap());
    let mut form = confirmation(&confirm);
    for (k, v) in form.iter_mut() {
        if k == "amount" {
            *v = "150".into();
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = c
        .post_form(&format!("/{DAKAR}/collect/tickets"), &fields)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let back = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&back, "[role=alert]").contains("nombre entier de journées"));
    assert_eq!(attr(&back, "input[name=payer]", "value"), "Étal 3");

    assert_eq!(receipts_count(&app), 0, "nothing was sold");
}

#[actix_web::test]
async fn a_beninese_ticket_carries_the_republic_of_benins_header_and_motto() {
    let app = TestApp::spawn_without_register().await;
    let c = app.login(&demo_email(ABOMEY, "collector")).await;
    let res = sell(
        &c,
        ABOMEY,
        &[
            ("tariff", "DPLACE:etal"),
            ("days", "1"),
            ("payer", "Étal 2, marché de Calavi"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ticket = page(&c, &location(&res)).await;
    let state = text(&ticket, ".r-state");
    assert!(
        state.contains("République du Bénin") && state.contains("Fraternité, Justice, Travail"),
        "{state}"
    );
    assert!(state.contains("Commune d’Abomey-Calavi"), "{state}");
}

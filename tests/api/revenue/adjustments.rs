//! Adjustments under four eyes: one finance officer asks, a second one decides, and
//! the audit log names both.

use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{demo_email, Client, TestApp, DAKAR};
use crate::revenue::support::{
    attr, cells, count, district, fcfa, generated, generated_and_issued, new_item, new_taxpayer,
    officer, page, second_officer, text,
};

/// A taxpayer with one issued line: a sign of 10 m², TAXPUB 2025 = 10 × 5 000 = 50 000.
async fn issued_line(app: &TestApp, c: &Client) -> (i64, String) {
    let plateau = district(app, DAKAR, "Plateau");
    let t = new_taxpayer(
        c,
        DAKAR,
        &[
            ("ref", "DKP-A1"),
            ("name", "Fatou Sow"),
            ("district", &plateau),
        ],
    )
    .await;
    new_item(
        c,
        DAKAR,
        t,
        &[("ref", "SIGN-A1"), ("kind", "other"), ("area_m2", "10")],
    )
    .await;
    generated_and_issued(c, DAKAR, "TAXPUB", 2025).await;
    let account = taxpayer_page(c, t).await;
    let line = attr(&account, "table.lines input[name=line]", "value");
    (t, line)
}

async fn taxpayer_page(c: &Client, id: i64) -> Html {
    page(c, &format!("/{DAKAR}/finance/taxpayers/{id}")).await
}

async fn request(
    c: &Client,
    line: &str,
    kind: &str,
    amount: &str,
    reason: &str,
) -> reqwest::Response {
    let fields = [
        ("line", line),
        ("kind", kind),
        ("amount", amount),
        ("reason", reason),
    ];
    c.post_form(&format!("/{DAKAR}/finance/adjustments"), &fields)
        .await
}

async fn decide(c: &Client, adjustment: &str, decision: &str) -> reqwest::Response {
    c.post_form(
        &format!("/{DAKAR}/finance/adjustments/{adjustment}/decide"),
        &[("decision", decision)],
    )
    .await
}

#[actix_web::test]
async fn an_adjustment_approved_by_a_second_officer_changes_the_balance_and_both_are_logged() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let first = officer(&app, DAKAR).await;
    let (second, second_email) = second_officer(&app, DAKAR).await;
    let (taxpayer, line) = issued_line(&app, &first).await;
    let res = request(
        &first,
        &line,
        "reduction",
        "20 000",
        "Panneau réduit à 6 m² (constat du 12 mars)",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pending = page(&second, &format!("/{DAKAR}/finance/adjustments")).await;
    let adjustment = attr(&pending, "tr[data-adjustment]", "data-adjustment");

    // Act
    let res = decide(&second, &adjustment, "approve").await;

    // Assert: 50 000 − 20 000 = 30 000.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let account = taxpayer_page(&first, taxpayer).await;
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(30_000));
    assert_eq!(text(&account, "[data-figure=adjusted]"), fcfa(-20_000));
    let row = cells(&account, &format!("tr[data-adjustment=\"{adjustment}\"]"));
    assert_eq!(
        (row[1].as_str(), row[3].as_str()),
        ("Réduction", "approuvé")
    );
    // Nothing is pending any more.
    let pending = page(&first, &format!("/{DAKAR}/finance/adjustments")).await;
    assert_eq!(count(&pending, "tr[data-adjustment]"), 0);
    // The audit log names the requester and the approver.
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let audit = admin.text(&format!("/{DAKAR}/admin/audit")).await;
    let entry = |action: &str| {
        audit
            .split("<tr>")
            .find(|row| row.contains(action))
            .unwrap_or_else(|| panic!("no {action} in the audit log"))
            .to_string()
    };
    assert!(entry("Demande de dégrèvement").contains(&demo_email(DAKAR, "finance_officer")));
    assert!(entry("Dégrèvement ou majoration approuvé").contains(&second_email));
}

#[actix_web::test]
async fn the_officer_who_asked_for_an_adjustment_cannot_approve_it_and_nothing_changes() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let first = officer(&app, DAKAR).await;
    let (taxpayer, line) = issued_line(&app, &first).await;
    let res = request(
        &first,
        &line,
        "exemption",
        "",
        "Association reconnue d’utilité publique",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pending = page(&first, &format!("/{DAKAR}/finance/adjustments")).await;
    let adjustment = attr(&pending, "tr[data-adjustment]", "data-adjustment");
    // The page offers the requester no button to decide their own request.
    assert_eq!(count(&pending, "button[name=decision]"), 0);
    assert!(text(&pending, "tr[data-adjustment]").contains("une autre personne doit la décider"));

    // Act: the same person posts the approval anyway.
    let res = decide(&first, &adjustment, "approve").await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("La personne qui a demandé un ajustement ne peut pas le décider"));
    let account = taxpayer_page(&first, taxpayer).await;
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(50_000));
    let row = cells(&account, &format!("tr[data-adjustment=\"{adjustment}\"]"));
    assert_eq!(row[3], "en attente");
    let pending = page(&first, &format!("/{DAKAR}/finance/adjustments")).await;
    assert_eq!(count(&pending, "tr[data-adjustment]"), 1);
}

#[actix_web::test]
async fn a_rejected_adjustment_leaves_the_balance_and_cannot_be_decided_twice() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let first = officer(&app, DAKAR).await;
    let (second, _) = second_officer(&app, DAKAR).await;
    let (taxpayer, line) = issued_line(&app, &first).await;
    request(
        &first,
        &line,
        "cancellation",
        "",
        "Panneau déposé avant le 1er janvier",
    )
    .await;
    let pending = page(&second, &format!("/{DAKAR}/finance/adjustments")).await;
    let adjustment = attr(&pending, "tr[data-adjustment]", "data-adjustment");

    // Act
    let rejected = decide(&second, &adjustment, "reject").await;
    let again = decide(&second, &adjustment, "approve").await;

    // Assert
    assert_eq!(rejected.status(), StatusCode::SEE_OTHER);
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("déjà été décidé"));
    let account = taxpayer_page(&first, taxpayer).await;
    assert_eq!(text(&account, "[data-figure=balance]"), fcfa(50_000));
}

#[actix_web::test]
async fn adjustment_requests_that_make_no_sense_are_refused_with_a_reason() {
    // Arrange: an issued line of 50 000, and a draft roll's line.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let (_, line) = issued_line(&app, &c).await;
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-A2"), ("name", "Kiosque Thiong")]).await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "STALL-A2"), ("kind", "stall"), ("category", "A")],
    )
    .await;
    generated(&c, DAKAR, "LOCCANT", 2025).await;
    let draft_line = {
        let mut conn = app.conn();
        use commune::db::schema::{assessments, rolls};
        use diesel::prelude::*;
        let id: commune::ids::AssessmentId = assessments::table
            .inner_join(rolls::table)
            .filter(rolls::status.eq("draft"))
            .select(assessments::id)
            .get_result(&mut conn)
            .unwrap();
        id.0.to_string()
    };

    // Act and assert
    let long_reason = "Le contribuable a déménagé. ".repeat(40);
    for (line, kind, amount, reason, message) in [
        (
            line.as_str(),
            "reduction",
            "1000",
            long_reason.as_str(),
            "Le motif dépasse 500 caractères",
        ),
        (
            line.as_str(),
            "reduction",
            "60000",
            "Trop",
            "ne peut pas dépasser ce qui reste dû",
        ),
        (
            line.as_str(),
            "reduction",
            "12,50",
            "Centimes",
            "n’a pas de centimes",
        ),
        (
            line.as_str(),
            "increase",
            "",
            "Oubli",
            "nombre entier de francs, supérieur à zéro",
        ),
        (
            line.as_str(),
            "reduction",
            "1000",
            "  ",
            "Le motif est obligatoire",
        ),
        (
            draft_line.as_str(),
            "reduction",
            "1000",
            "Brouillon",
            "rôle en brouillon",
        ),
    ] {
        let res = request(&c, line, kind, amount, reason).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind} {amount} {reason}"
        );
        let body = res.text().await.unwrap();
        assert!(body.contains(message), "{message}: {body}");
    }
    let pending = page(&c, &format!("/{DAKAR}/finance/adjustments")).await;
    assert_eq!(count(&pending, "tr[data-adjustment]"), 0);
}

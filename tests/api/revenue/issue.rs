//! Issuing a roll, and what cannot happen to it afterwards.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::helpers::{TestApp, DAKAR};
use crate::revenue::support::{
    cells, district, fcfa, generate, generated, issue, new_item, new_taxpayer, officer, page, text,
};

/// One advertising sign of 10 m²: TAXPUB 2025 is one line of 10 × 5 000 = 50 000.
async fn one_sign(app: &TestApp) -> crate::helpers::Client {
    let c = officer(app, DAKAR).await;
    let plateau = district(app, DAKAR, "Plateau");
    let t = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-S1"),
            ("name", "Sonatel Boutique"),
            ("district", &plateau),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "SIGN-1"), ("kind", "other"), ("area_m2", "10")],
    )
    .await;
    c
}

#[actix_web::test]
async fn an_issued_roll_records_who_issued_it_and_can_no_longer_be_generated_or_issued_again() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = one_sign(&app).await;
    let (roll, _) = generated(&c, DAKAR, "TAXPUB", 2025).await;

    // Act
    let res = issue(&c, DAKAR, roll).await;

    // Assert
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    assert_eq!(text(&shown, "[data-status]"), "Émis");
    assert!(text(&shown, "dl.facts").contains("Émis par"));
    assert_eq!(text(&shown, "[data-figure=total]"), fcfa(50_000));
    // Generating the same tax and year again is refused, and so is a second issue.
    let again = generate(&c, DAKAR, "TAXPUB", 2025).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("il ne peut plus changer que par des ajustements"));
    let twice = c
        .post_form(
            &format!("/{DAKAR}/finance/rolls/{roll}/issue"),
            &[("lines", "1"), ("total", "50000")],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The list shows it issued, with its total.
    let list = page(&c, &format!("/{DAKAR}/finance/rolls")).await;
    let row = cells(&list, &format!("tr[data-roll=\"{roll}\"]"));
    assert_eq!(row[3], "Émis");
    assert_eq!(row[5], fcfa(50_000));
}

#[actix_web::test]
async fn the_database_refuses_to_change_the_lines_of_an_issued_roll() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = one_sign(&app).await;
    let (roll, _) = generated(&c, DAKAR, "TAXPUB", 2025).await;
    assert_eq!(issue(&c, DAKAR, roll).await.status(), StatusCode::SEE_OTHER);
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();

    // Act: what someone with a database client would try.
    let line = conn.batch_execute(&format!(
        "UPDATE assessments SET amount = 1 WHERE roll_id = {roll}"
    ));
    let delete = conn.batch_execute(&format!("DELETE FROM assessments WHERE roll_id = {roll}"));
    let total = conn.batch_execute(&format!("UPDATE rolls SET total = 1 WHERE id = {roll}"));
    let added = conn.batch_execute(&format!(
        "INSERT INTO assessments (commune_id, roll_id, taxpayer_id, item_id, tax_type_id, kind, \
         parent_id, fiscal_year, period, base, rate_bp, amount, due_date, reference, created_at) \
         SELECT commune_id, roll_id, taxpayer_id, item_id, tax_type_id, 'principal', NULL, \
         fiscal_year, period, base, rate_bp, 1, due_date, 'EXTRA-1', created_at \
         FROM assessments WHERE roll_id = {roll}"
    ));

    // Assert
    for (what, result) in [
        ("update line", line),
        ("delete line", delete),
        ("update roll", total),
        ("add a line", added),
    ] {
        let err = result.expect_err(what).to_string();
        assert!(
            err.contains("an issued roll cannot change"),
            "{what}: {err}"
        );
    }
    let shown = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    assert_eq!(cells(&shown, "table.lines tbody tr")[6], fcfa(50_000));
}

#[actix_web::test]
async fn an_empty_roll_cannot_be_issued() {
    // Arrange: no advertising sign in the register.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let (roll, report) = generated(&c, DAKAR, "TAXPUB", 2025).await;
    assert_eq!(text(&report, "[data-figure=total]"), fcfa(0));

    // Act
    let res = issue(&c, DAKAR, roll).await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Le rôle n’a aucune ligne"));
    let shown = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    assert_eq!(text(&shown, "[data-status]"), "Brouillon");
}

#[actix_web::test]
async fn a_draft_generated_again_after_it_was_displayed_is_not_issued_unseen() {
    // Arrange: the officer displays the draft (one sign, 50 000)…
    let app = TestApp::spawn_without_register().await;
    let c = one_sign(&app).await;
    let (roll, _) = generated(&c, DAKAR, "TAXPUB", 2025).await;
    // …then a second sign is registered and the draft generated again (now 100 000).
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-S2"), ("name", "Orange Kiosque")]).await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "SIGN-2"), ("kind", "other"), ("area_m2", "10")],
    )
    .await;
    let (same, _) = generated(&c, DAKAR, "TAXPUB", 2025).await;
    assert_eq!(same, roll, "a draft is refilled, not duplicated");

    // Act: the form still carries what was displayed the first time.
    let res = c
        .post_form(
            &format!("/{DAKAR}/finance/rolls/{roll}/issue"),
            &[("lines", "1"), ("total", "50000")],
        )
        .await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Le rôle a changé depuis que vous l’avez affiché"));
    let shown = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    assert_eq!(text(&shown, "[data-status]"), "Brouillon");
    assert_eq!(text(&shown, "[data-figure=total]"), fcfa(100_000));
}

//! The finance officer's pages as a whole: the dashboard, the tax types, every page in
//! both languages, and forms posted empty.

use commune::web::routes::route_specs;
use reqwest::StatusCode;

use crate::helpers::{Client, TestApp, DAKAR};
use crate::revenue::support::{
    attr, audit_entries, cells, count, generated, generated_and_issued, new_item, new_taxpayer,
    officer, page, text,
};

/// Some of everything: two taxpayers sharing a phone, a sign on an issued roll with an
/// adjustment waiting for a decision, and an empty draft roll. Returns the first
/// taxpayer, the draft roll and the adjustment.
async fn some_of_everything(c: &Client) -> (i64, i64, String) {
    let t = new_taxpayer(
        c,
        DAKAR,
        &[
            ("ref", "DKP-1"),
            ("name", "Aïssatou Faye"),
            ("phone", "76 111 22 33"),
        ],
    )
    .await;
    new_taxpayer(
        c,
        DAKAR,
        &[
            ("ref", "DKP-2"),
            ("name", "Aissatou Faye"),
            ("phone", "761112233"),
        ],
    )
    .await;
    new_item(
        c,
        DAKAR,
        t,
        &[("ref", "SIGN-1"), ("kind", "other"), ("area_m2", "6")],
    )
    .await;
    generated_and_issued(c, DAKAR, "TAXPUB", 2025).await;
    let (draft, _) = generated(c, DAKAR, "LOCCANT", 2025).await;
    let account = page(c, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    let line = attr(&account, "table.lines input[name=line]", "value");
    let fields = [
        ("line", line.as_str()),
        ("kind", "reduction"),
        ("amount", "5000"),
        ("reason", "Erreur de surface"),
    ];
    let res = c
        .post_form(&format!("/{DAKAR}/finance/adjustments"), &fields)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pending = page(c, &format!("/{DAKAR}/finance/adjustments")).await;
    (
        t,
        draft,
        attr(&pending, "tr[data-adjustment]", "data-adjustment"),
    )
}

#[actix_web::test]
async fn the_dashboard_counts_taxpayers_rolls_by_status_and_adjustments_to_decide() {
    // Arrange: TAXPUB 2025 issued (6 m² × 5 000 = 30 000), LOCCANT 2025 an empty draft.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    some_of_everything(&c).await;

    // Act
    let home = page(&c, &format!("/{DAKAR}/finance")).await;

    // Assert
    assert_eq!(attr(&home, "h1", "data-role"), "finance_officer");
    assert_eq!(text(&home, "[data-figure=taxpayers]"), "2");
    assert_eq!(text(&home, "[data-figure=pending]"), "1");
    // The officer asked for the only adjustment: none is theirs to decide.
    assert!(text(&home, "dl.facts").contains("dont 0 à décider par vous"));
    assert_eq!(
        cells(&home, "tr[data-status=issued]"),
        ["Émis", "1", "1", &crate::revenue::support::fcfa(30_000)]
    );
    assert_eq!(
        cells(&home, "tr[data-status=draft]"),
        ["Brouillon", "1", "0", &crate::revenue::support::fcfa(0)]
    );
    for link in [
        "taxpayers",
        "taxpayers/new",
        "duplicates",
        "taxes",
        "rolls",
        "adjustments",
    ] {
        assert_eq!(
            count(
                &home,
                &format!("ul.cards a[href=\"/{DAKAR}/finance/{link}\"]")
            ),
            1,
            "{link}"
        );
    }
}

#[actix_web::test]
async fn the_tax_types_show_how_each_is_computed_with_rates_as_percents_and_amounts_in_francs() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;

    // Act
    let fr = page(&c, &format!("/{DAKAR}/finance/taxes")).await;
    c.get("/lang/en").await;
    let en = page(&c, &format!("/{DAKAR}/finance/taxes")).await;

    // Assert
    let teom = cells(&fr, "tr[data-tax=TEOM]");
    assert!(teom[1].contains("Liquidé par l’État"), "{teom:?}");
    // Each language shows its own name of the tax.
    assert!(
        teom[1].contains("ordures ménagères") && !teom[1].contains("Household"),
        "{teom:?}"
    );
    assert!(teom[2].contains("3,6 % de la valeur locative"), "{teom:?}");
    assert!(teom[3].contains("le 31 mars"), "{teom:?}");
    assert!(
        teom[4].contains("10 % du reste dû") && teom[4].contains("après 30 jours de grâce"),
        "{teom:?}"
    );
    assert!(teom[5].contains("GFSM 1131"), "{teom:?}");
    let loccant = cells(&fr, "tr[data-tax=LOCCANT]");
    assert!(
        loccant[2].contains("A : 15 000 FCFA") && loccant[2].contains("C : 5 000 FCFA"),
        "{loccant:?}"
    );
    assert!(loccant[3].contains("le 10 de chaque mois"), "{loccant:?}");
    assert!(loccant[4].contains("minimum 500 FCFA"), "{loccant:?}");
    let taxpub = cells(&fr, "tr[data-tax=TAXPUB]");
    assert!(taxpub[2].contains("5 000 FCFA par m²"), "{taxpub:?}");
    assert!(
        taxpub[4].contains("plus un forfait de 5 000 FCFA"),
        "{taxpub:?}"
    );
    assert!(cells(&fr, "tr[data-tax=DPLACE]")[4].contains("aucune"));
    assert!(cells(&en, "tr[data-tax=TEOM]")[2].contains("3.6% of the rental value"));
    assert!(cells(&en, "tr[data-tax=TAXPUB]")[2].contains("XOF 5,000 per m²"));
}

#[actix_web::test]
async fn every_finance_page_renders_in_french_and_in_english() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let (t, draft, _) = some_of_everything(&c).await;
    let paths = [
        String::new(),
        "/taxpayers".into(),
        "/taxpayers?q=faye".into(),
        "/taxpayers/new".into(),
        format!("/taxpayers/{t}"),
        format!("/taxpayers/{t}/notice?year=2025"),
        "/duplicates".into(),
        "/taxes".into(),
        "/rolls".into(),
        format!("/rolls/{draft}"),
        format!("/rolls/{}", draft - 1),
        "/adjustments".into(),
        "/reminders".into(),
    ];

    for (lang, marker) in [("fr", "Se déconnecter"), ("en", "Log out")] {
        // Act
        c.get(&format!("/lang/{lang}")).await;
        for path in &paths {
            let res = c.get(&format!("/{DAKAR}/finance{path}")).await;

            // Assert: strict templates fail on any missing value or message.
            assert_eq!(res.status(), StatusCode::OK, "{lang} {path}");
            let body = res.text().await.unwrap();
            assert!(
                body.contains(&format!("<html lang=\"{lang}\">")),
                "{lang} {path}"
            );
            assert!(body.contains(marker), "{lang} {path}");
            assert!(!body.contains("<script"), "{lang} {path}");
        }
        let report = c
            .post_form(
                &format!("/{DAKAR}/finance/rolls"),
                &[("tax", "LOCCANT"), ("year", "2025")],
            )
            .await;
        assert_eq!(report.status(), StatusCode::OK, "{lang} roll report");
        let penalties = crate::revenue::support::charge_penalties(&c, DAKAR, "2025-01-01").await;
        assert_eq!(penalties.status(), StatusCode::OK, "{lang} penalties");
    }
}

#[actix_web::test]
async fn every_finance_form_posted_empty_is_refused_with_400_and_changes_nothing() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let (t, draft, adjustment) = some_of_everything(&c).await;
    let before = audit_entries(&app, DAKAR);
    let posts: Vec<String> = route_specs()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/{commune}/finance"))
        .map(|r| {
            let id = if r.path.contains("/taxpayers/") {
                t.to_string()
            } else if r.path.contains("/rolls/") {
                draft.to_string()
            } else {
                adjustment.clone()
            };
            r.path.replace("{commune}", DAKAR).replace("{id}", &id)
        })
        .collect();
    assert_eq!(posts.len(), 11);

    for path in &posts {
        // Act
        let res = c.post_form(path, &[]).await;

        // Assert
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    assert_eq!(audit_entries(&app, DAKAR), before);
    let pending = page(&c, &format!("/{DAKAR}/finance/adjustments")).await;
    assert_eq!(count(&pending, "tr[data-adjustment]"), 1);
}

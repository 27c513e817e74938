//! Roll generation, for each way a tax is computed, with the amounts worked out by hand;
//! and the taxes that have no roll to generate.

use commune::audit::Actor;
use commune::communes;
use commune::revenue::tax_types::{self, TaxTypeSpec};
use reqwest::StatusCode;

use crate::helpers::{TestApp, DAKAR};
use crate::revenue::support::{
    cells, count, district, fcfa, generate, generated, new_item, new_taxpayer, officer, page, text,
    ABOMEY,
};

#[actix_web::test]
async fn a_fixed_monthly_tariff_charges_each_shop_twelve_times_and_totals_by_district() {
    // Arrange: Abomey-Calavi rents its market shops (LOCBOUT) at 12 000 a month.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, ABOMEY).await;
    let godomey = district(&app, ABOMEY, "Godomey");
    let akassato = district(&app, ABOMEY, "Akassato");
    let gisele = new_taxpayer(
        &c,
        ABOMEY,
        &[
            ("ref", "ACV-001"),
            ("name", "Gisèle Houngbédji"),
            ("district", &godomey),
        ],
    )
    .await;
    let coop = new_taxpayer(
        &c,
        ABOMEY,
        &[
            ("ref", "ACV-002"),
            ("name", "Coopérative Akassato"),
            ("kind", "organisation"),
            ("district", &akassato),
        ],
    )
    .await;
    new_item(&c, ABOMEY, gisele, &[("ref", "BOUT-01"), ("kind", "stall")]).await;
    new_item(&c, ABOMEY, gisele, &[("ref", "BOUT-02"), ("kind", "stall")]).await;
    new_item(&c, ABOMEY, coop, &[("ref", "BOUT-03"), ("kind", "stall")]).await;

    // Act
    let (roll, report) = generated(&c, ABOMEY, "LOCBOUT", 2025).await;

    // Assert: 3 shops × 12 months = 36 lines; 36 × 12 000 = 432 000.
    assert_eq!(text(&report, "[data-figure=total]"), fcfa(432_000));
    let page = page(&c, &format!("/{ABOMEY}/finance/rolls/{roll}")).await;
    assert_eq!(text(&page, "[data-figure=total]"), fcfa(432_000));
    // Godomey: 2 shops × 12 = 24 lines, 24 × 12 000 = 288 000; Akassato: 12 lines, 144 000.
    assert_eq!(
        cells(&page, "tr[data-district=Godomey]"),
        ["Godomey", "24", &fcfa(288_000)]
    );
    assert_eq!(
        cells(&page, "tr[data-district=Akassato]"),
        ["Akassato", "12", &fcfa(144_000)]
    );
    assert_eq!(count(&page, "table.lines tbody tr"), 36);
    // January's rent is due on the 5th (the tax type's due day).
    let first = cells(&page, "table.lines tbody tr");
    assert_eq!(first[0], "ACV/2025/LOCBOUT/000001");
    assert_eq!(first[4], "2025-01");
    assert_eq!(first[6], fcfa(12_000));
    assert_eq!(first[7], "05/01/2025");
}

#[actix_web::test]
async fn a_tariff_per_square_metre_multiplies_the_area_and_skips_an_item_without_one() {
    // Arrange: Dakar's advertising tax (TAXPUB) is 5 000 per m² and per year.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let plateau = district(&app, DAKAR, "Plateau");
    let rebeuss = district(&app, DAKAR, "Rebeuss");
    let agency = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-PUB-1"),
            ("name", "Agence Téranga Pub"),
            ("kind", "organisation"),
            ("district", &plateau),
        ],
    )
    .await;
    let shop = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-PUB-2"),
            ("name", "Boutique Ndiaye"),
            ("district", &rebeuss),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        agency,
        &[("ref", "PANNEAU-1"), ("kind", "other"), ("area_m2", "12")],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        agency,
        &[("ref", "PANNEAU-2"), ("kind", "other")],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        shop,
        &[
            ("ref", "ENSEIGNE-1"),
            ("kind", "other"),
            ("area_m2", "3 m²"),
        ],
    )
    .await;

    // Act
    let (roll, report) = generated(&c, DAKAR, "TAXPUB", 2025).await;

    // Assert: 12 m² × 5 000 = 60 000; 3 m² × 5 000 = 15 000; total 75 000.
    assert_eq!(text(&report, "[data-figure=total]"), fcfa(75_000));
    // The sign without an area gets no line, and the report says why.
    let skipped = cells(&report, "tr[data-skipped=PANNEAU-2]");
    assert_eq!(
        skipped[1],
        "La base de calcul (valeur ou surface) n’est pas renseignée."
    );
    let page = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    assert_eq!(
        cells(&page, "tr[data-district=Plateau]"),
        ["Plateau", "1", &fcfa(60_000)]
    );
    assert_eq!(
        cells(&page, "tr[data-district=Rebeuss]"),
        ["Rebeuss", "1", &fcfa(15_000)]
    );
    // The base is the area; the line is due on 30 June.
    let line = cells(&page, "table.lines tr[data-item=PANNEAU-1]");
    assert_eq!(
        (line[5].as_str(), line[7].as_str()),
        ("12 m²", "30/06/2025")
    );
}

#[actix_web::test]
async fn a_tariff_table_charges_each_market_stall_by_its_category_every_month() {
    // Arrange: Dakar's stall rent (LOCCANT): A 15 000, B 10 000, C 5 000 a month.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let plateau = district(&app, DAKAR, "Plateau");
    let sandaga = district(&app, DAKAR, "Sandaga");
    let awa = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-001"),
            ("name", "Awa Diop"),
            ("district", &plateau),
        ],
    )
    .await;
    let moussa = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-002"),
            ("name", "Moussa Fall"),
            ("district", &sandaga),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        awa,
        &[
            ("ref", "KERMEL-A1"),
            ("kind", "stall"),
            ("category", "A"),
            ("market", "Kermel"),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        awa,
        &[
            ("ref", "KERMEL-B7"),
            ("kind", "stall"),
            ("category", "B"),
            ("market", "Kermel"),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        moussa,
        &[
            ("ref", "SANDAGA-C3"),
            ("kind", "stall"),
            ("category", "C"),
            ("market", "Sandaga"),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        moussa,
        &[("ref", "SANDAGA-Z1"), ("kind", "stall"), ("category", "Z")],
    )
    .await;

    // Act
    let (roll, report) = generated(&c, DAKAR, "LOCCANT", 2025).await;

    // Assert: (15 000 + 10 000 + 5 000) × 12 months = 360 000, in 3 × 12 = 36 lines.
    assert_eq!(text(&report, "[data-figure=total]"), fcfa(360_000));
    let skipped = cells(&report, "tr[data-skipped=SANDAGA-Z1]");
    assert_eq!(skipped[1], "La catégorie du bien ne figure pas au barème.");
    let page = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    // Plateau: (15 000 + 10 000) × 12 = 300 000 in 24 lines; Sandaga: 5 000 × 12 = 60 000.
    assert_eq!(
        cells(&page, "tr[data-district=Plateau]"),
        ["Plateau", "24", &fcfa(300_000)]
    );
    assert_eq!(
        cells(&page, "tr[data-district=Sandaga]"),
        ["Sandaga", "12", &fcfa(60_000)]
    );
}

#[actix_web::test]
async fn a_yearly_tariff_table_charges_unbuilt_land_by_zone() {
    // Arrange: Abomey-Calavi's TFU on unbuilt land (TFUNB): zone-A 40 000, zone-B 20 000,
    // zone-C 4 000 a year.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, ABOMEY).await;
    let glo = district(&app, ABOMEY, "Glo-Djigbé");
    let owner = new_taxpayer(
        &c,
        ABOMEY,
        &[
            ("ref", "ACV-T1"),
            ("name", "Hêvié Investissements"),
            ("kind", "organisation"),
            ("district", &glo),
        ],
    )
    .await;
    for (r, zone) in [
        ("PARC-1", "zone-A"),
        ("PARC-2", "zone-B"),
        ("PARC-3", "zone-C"),
        ("PARC-4", ""),
    ] {
        new_item(
            &c,
            ABOMEY,
            owner,
            &[("ref", r), ("kind", "property"), ("category", zone)],
        )
        .await;
    }

    // Act
    let (roll, report) = generated(&c, ABOMEY, "TFUNB", 2025).await;

    // Assert: 40 000 + 20 000 + 4 000 = 64 000; the parcel without a zone is reported.
    assert_eq!(text(&report, "[data-figure=total]"), fcfa(64_000));
    let skipped = cells(&report, "tr[data-skipped=PARC-4]");
    assert_eq!(skipped[1], "La catégorie du bien n’est pas renseignée.");
    let page = page(&c, &format!("/{ABOMEY}/finance/rolls/{roll}")).await;
    assert_eq!(
        cells(&page, "tr[data-district=Glo-Djigbé]"),
        ["Glo-Djigbé", "3", &fcfa(64_000)]
    );
    assert_eq!(cells(&page, "table.lines tbody tr")[7], "31/03/2025");
}

/// A rate on the rental value that the commune assesses itself (the demo's rate taxes
/// are all the State's): 7.5 % of business premises' rental value.
fn local_rate_tax(app: &TestApp) {
    let spec = TaxTypeSpec {
        code: "TLOC".into(),
        name_fr: "Taxe locale sur les locaux professionnels".into(),
        name_en: "Local tax on business premises".into(),
        legal_ref: "Délibération (test)".into(),
        category: "tax".into(),
        assessed_by: "commune".into(),
        method: "rate".into(),
        base: Some("rental_value".into()),
        item_kind: "business".into(),
        rate_percent: Some(7.5),
        amount: None,
        tariffs: Default::default(),
        period: "yearly".into(),
        due_month: Some(4),
        due_day: Some(30),
        penalty_rate_percent: 0.0,
        penalty_min: 0,
        penalty_flat: 0,
        penalty_grace_days: 0,
        budget_line: "7099 Test".into(),
        gfsm_code: "1145".into(),
    };
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap().id;
    tax_types::create(&mut conn, cid, &spec, &Actor::system("test")).unwrap();
}

#[actix_web::test]
async fn a_rate_on_the_rental_value_is_rounded_to_the_nearest_franc() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    local_rate_tax(&app);
    let c = officer(&app, DAKAR).await;
    let kermel = district(&app, DAKAR, "Kermel");
    let port = district(&app, DAKAR, "Port");
    let bank = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-B1"),
            ("name", "Banque du Plateau"),
            ("kind", "organisation"),
            ("district", &kermel),
        ],
    )
    .await;
    let cafe = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-B2"),
            ("name", "Café du Port"),
            ("district", &port),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        bank,
        &[
            ("ref", "LOCAL-1"),
            ("kind", "business"),
            ("rental_value", "1 234 567"),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        cafe,
        &[
            ("ref", "LOCAL-2"),
            ("kind", "business"),
            ("rental_value", "100000"),
        ],
    )
    .await;
    new_item(&c, DAKAR, cafe, &[("ref", "LOCAL-3"), ("kind", "business")]).await;

    // Act
    let (roll, report) = generated(&c, DAKAR, "TLOC", 2025).await;

    // Assert: 7.5 % × 1 234 567 = 92 592.525 → 92 593; 7.5 % × 100 000 = 7 500;
    // 92 593 + 7 500 = 100 093. LOCAL-3 has no rental value.
    assert_eq!(text(&report, "[data-figure=total]"), fcfa(100_093));
    assert_eq!(count(&report, "tr[data-skipped]"), 1);
    let page = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    assert_eq!(
        cells(&page, "tr[data-district=Kermel]"),
        ["Kermel", "1", &fcfa(92_593)]
    );
    assert_eq!(
        cells(&page, "tr[data-district=Port]"),
        ["Port", "1", &fcfa(7_500)]
    );
    // The line shows its base and rate.
    let line = cells(&page, "table.lines tbody tr");
    assert_eq!(line[5], format!("{} × 7,5 %", fcfa(1_234_567)));
}

#[actix_web::test]
async fn state_assessed_and_daily_taxes_have_no_roll_to_generate_and_say_why() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;

    // Act and assert: CFPB and TEOM come from the State's tax office.
    for tax in ["CFPB", "TEOM"] {
        let res = generate(&c, DAKAR, tax, 2025).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{tax}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(
                "Cet impôt est liquidé par l’État : importez son rôle au lieu de le générer."
            ),
            "{body}"
        );
    }
    // Market place fees are collected daily against a ticket.
    let res = generate(&c, DAKAR, "DPLACE", 2025).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("se perçoit contre ticket"));
    // A year out of range, and a tax the commune does not have.
    let res = generate(&c, DAKAR, "TAXPUB", 1999).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Exercice invalide"));
    assert_eq!(
        generate(&c, DAKAR, "TFUNB", 2025).await.status(),
        StatusCode::BAD_REQUEST
    );
    // Nothing was created.
    let rolls = page(&c, &format!("/{DAKAR}/finance/rolls")).await;
    assert_eq!(count(&rolls, "tr[data-roll]"), 0);
    // The generation form offers only the taxes that can be generated.
    let offered: Vec<String> = ["CFPB", "TEOM", "DPLACE", "LOCCANT", "TAXPUB"]
        .iter()
        .filter(|t| count(&rolls, &format!("select[name=tax] option[value={t}]")) == 1)
        .map(|t| t.to_string())
        .collect();
    assert_eq!(offered, ["LOCCANT", "TAXPUB"]);
}

#[actix_web::test]
async fn a_long_roll_shows_its_lines_a_hundred_at_a_time() {
    // Arrange: 9 category-B stalls × 12 months = 108 lines of 10 000.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let t = new_taxpayer(
        &c,
        DAKAR,
        &[("ref", "DKP-M1"), ("name", "GIE des commerçantes")],
    )
    .await;
    for i in 1..=9 {
        let r = format!("SANDAGA-B{i}");
        new_item(
            &c,
            DAKAR,
            t,
            &[("ref", &r), ("kind", "stall"), ("category", "B")],
        )
        .await;
    }
    let (roll, _) = generated(&c, DAKAR, "LOCCANT", 2025).await;

    // Act
    let first = page(&c, &format!("/{DAKAR}/finance/rolls/{roll}")).await;
    let next = crate::revenue::support::attr(&first, "a[rel=next]", "href");
    let second = page(&c, &next).await;

    // Assert: 9 × 12 × 10 000 = 1 080 000 in all; 100 lines, then 8.
    assert_eq!(text(&first, "[data-figure=total]"), fcfa(1_080_000));
    assert_eq!(count(&first, "table.lines tbody tr"), 100);
    assert_eq!(count(&second, "table.lines tbody tr"), 8);
    assert_eq!(
        cells(&second, "table.lines tbody tr")[0],
        "DKP/2025/LOCCANT/000101"
    );
    assert_eq!(count(&second, "a[rel=next]"), 0);
}

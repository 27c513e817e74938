//! The taxpayer register through its pages: registering with checked fields, finding,
//! paging, taxable items, duplicates and merging.

use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{TestApp, DAKAR};
use crate::revenue::support::{
    attr, count, district, generated_and_issued, new_item, new_taxpayer, officer, page, post_item,
    post_taxpayer, text, ABOMEY,
};

async fn find(c: &crate::helpers::Client, query: &str) -> Html {
    page(c, &format!("/{DAKAR}/finance/taxpayers?{query}")).await
}

fn names(page: &Html) -> Vec<String> {
    let sel = scraper::Selector::parse("table tbody tr td:nth-child(2)").unwrap();
    page.select(&sel)
        .map(|c| c.text().collect::<String>().trim().to_string())
        .collect()
}

#[actix_web::test]
async fn a_taxpayer_registered_with_the_form_is_found_by_name_reference_phone_and_district() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let plateau = district(&app, DAKAR, "Plateau");
    let rebeuss = district(&app, DAKAR, "Rebeuss");
    let ndeye = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-100"),
            ("name", "Ndèye Fatou Diop"),
            ("phone", "77 123 45 67"),
            ("id_number", "3067221"),
            ("email", "ndeye@example.sn"),
            ("gps", "14,6937; -17,4441"),
            ("district", &plateau),
        ],
    )
    .await;
    new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-101"),
            ("name", "Mamadou Ba"),
            ("phone", "+221 70 000 00 01"),
            ("district", &rebeuss),
        ],
    )
    .await;

    // Act
    let shown = page(&c, &format!("/{DAKAR}/finance/taxpayers/{ndeye}")).await;

    // Assert: the fields are stored in their standard form, and the phone number shows
    // as its owner writes it.
    let facts = text(&shown, "dl.facts");
    for stored in [
        "77 123 45 67",
        "003067221",
        "ndeye@example.sn",
        "Plateau",
        "14.693700, -17.444100",
    ] {
        assert!(facts.contains(stored), "{stored} in {facts}");
    }
    assert_eq!(names(&find(&c, "q=ndeye").await), ["Ndèye Fatou Diop"]);
    assert_eq!(names(&find(&c, "q=DIOP").await), ["Ndèye Fatou Diop"]);
    assert_eq!(names(&find(&c, "q=DKP-101").await), ["Mamadou Ba"]);
    assert_eq!(
        names(&find(&c, "q=77+123+45+67").await),
        ["Ndèye Fatou Diop"]
    );
    assert_eq!(names(&find(&c, "q=003067221").await), ["Ndèye Fatou Diop"]);
    assert_eq!(
        names(&find(&c, &format!("district={rebeuss}")).await),
        ["Mamadou Ba"]
    );
    // The register is in reference order, like a roll's articles.
    assert_eq!(
        names(&find(&c, "").await),
        ["Ndèye Fatou Diop", "Mamadou Ba"]
    );
    assert!(names(&find(&c, "q=personne").await).is_empty());
}

#[actix_web::test]
async fn the_register_is_paged_with_a_link_to_the_next_page() {
    // Arrange: 55 taxpayers, 50 to a page.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    for i in 1..=55 {
        let (r, n) = (format!("DKP-{i:03}"), format!("Contribuable {i:02}"));
        assert_eq!(
            post_taxpayer(&c, DAKAR, &[("ref", &r), ("name", &n)])
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
    }

    // Act
    let first = page(&c, &format!("/{DAKAR}/finance/taxpayers")).await;
    let next = attr(&first, "a[rel=next]", "href");
    let second = page(&c, &next).await;

    // Assert
    let (one, two) = (names(&first), names(&second));
    assert_eq!((one.len(), two.len()), (50, 5));
    assert_eq!(
        (one[0].as_str(), one[49].as_str()),
        ("Contribuable 01", "Contribuable 50")
    );
    assert_eq!(
        (two[0].as_str(), two[4].as_str()),
        ("Contribuable 51", "Contribuable 55")
    );
    assert_eq!(count(&second, "a[rel=next]"), 0);
}

#[actix_web::test]
async fn a_bad_field_shows_its_message_beside_it_and_keeps_what_was_typed() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;

    // Act
    let res = post_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-200"),
            ("name", "Awa Ndiaye"),
            ("phone", "12345"),
            ("email", "awa@"),
            ("gps", "-17.4441, 14.6937"),
            ("id_number", "12345"),
        ],
    )
    .await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = Html::parse_document(&res.text().await.unwrap());
    let error = |field: &str| text(&form, &format!("input[name={field}] + .field-error"));
    assert!(error("phone").starts_with("Numéro sénégalais attendu"));
    assert!(error("email").starts_with("Adresse e-mail invalide"));
    assert!(error("gps").starts_with("Ce point GPS est hors du pays"));
    assert!(error("id_number").starts_with("NINEA invalide"));
    assert_eq!(count(&form, ".field-error"), 4);
    assert_eq!(attr(&form, "input[name=name]", "value"), "Awa Ndiaye");
    assert_eq!(attr(&form, "input[name=phone]", "value"), "12345");
    // Nothing was registered.
    let list = page(&c, &format!("/{DAKAR}/finance/taxpayers")).await;
    assert!(names(&list).is_empty());
}

#[actix_web::test]
async fn fields_are_checked_for_the_country_of_the_commune() {
    // Arrange: in Benin, the identifier is a 13-digit IFU and phones have 10 digits.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, ABOMEY).await;

    // Act
    let refused = post_taxpayer(
        &c,
        ABOMEY,
        &[
            ("ref", "ACV-9"),
            ("name", ""),
            ("phone", "197123456"),
            ("id_number", "3067221"),
        ],
    )
    .await;
    let accepted = new_taxpayer(
        &c,
        ABOMEY,
        &[
            ("ref", "ACV-9"),
            ("name", "Rodrigue Agossou"),
            ("phone", "97 12 34 56"),
            ("id_number", "3 2009 013535 1 0"),
        ],
    )
    .await;

    // Assert
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = Html::parse_document(&refused.text().await.unwrap());
    let error = |field: &str| text(&form, &format!("input[name={field}] + .field-error"));
    assert!(error("name").contains("Valeur obligatoire"));
    assert!(error("phone").contains("Le 0 du début semble avoir été supprimé par Excel"));
    assert!(error("id_number").starts_with("IFU invalide"));
    let shown = page(&c, &format!("/{ABOMEY}/finance/taxpayers/{accepted}")).await;
    let facts = text(&shown, "dl.facts");
    assert!(
        facts.contains("01 97 12 34 56") && facts.contains("3200901353510"),
        "{facts}"
    );
}

#[actix_web::test]
async fn a_reference_already_in_the_register_is_refused_clearly() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    new_taxpayer(&c, DAKAR, &[("ref", "DKP-300"), ("name", "Cheikh Gueye")]).await;

    // Act
    let res = post_taxpayer(&c, DAKAR, &[("ref", "DKP-300"), ("name", "Cheikh Guèye")]).await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(
        text(&form, "input[name=ref] + .field-error"),
        "Cette référence est déjà celle d’un autre contribuable de la commune."
    );
    assert_eq!(
        names(&page(&c, &format!("/{DAKAR}/finance/taxpayers")).await),
        ["Cheikh Gueye"]
    );
}

#[actix_web::test]
async fn an_item_with_a_bad_value_is_refused_beside_its_field_on_the_taxpayers_page() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-400"), ("name", "Société Kermel")]).await;
    new_item(
        &c,
        DAKAR,
        t,
        &[
            ("ref", "LOC-400"),
            ("kind", "business"),
            ("rental_value", "2 400 000"),
        ],
    )
    .await;

    // Act
    let decimals = post_item(
        &c,
        DAKAR,
        t,
        &[
            ("ref", "LOC-401"),
            ("kind", "business"),
            ("rental_value", "12,50"),
        ],
    )
    .await;
    let taken = post_item(&c, DAKAR, t, &[("ref", "LOC-400"), ("kind", "business")]).await;
    let nobody = post_item(
        &c,
        DAKAR,
        999_999,
        &[("ref", "LOC-402"), ("kind", "business")],
    )
    .await;

    // Assert
    assert_eq!(decimals.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let shown = Html::parse_document(&decimals.text().await.unwrap());
    assert!(text(&shown, "input[name=rental_value] + .field-error")
        .starts_with("Le franc CFA n’a pas de centimes"));
    assert_eq!(attr(&shown, "form input[name=ref]", "value"), "LOC-401");
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken
        .text()
        .await
        .unwrap()
        .contains("Cette référence est déjà celle d’un autre bien imposable"));
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
    let items = page(&c, &format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(count(&items, "#items + table tbody tr"), 1);
    assert!(text(&items, "#items + table").contains("2 400 000"));
}

#[actix_web::test]
async fn a_taxpayer_of_another_commune_is_not_found_here() {
    let app = TestApp::spawn_without_register().await;
    let abomey = officer(&app, ABOMEY).await;
    let t = new_taxpayer(
        &abomey,
        ABOMEY,
        &[("ref", "ACV-1"), ("name", "Sèna Dossou")],
    )
    .await;
    let dakar = officer(&app, DAKAR).await;
    let res = dakar.get(&format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = abomey.get(&format!("/{DAKAR}/finance/taxpayers/{t}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn duplicates_found_by_phone_or_identifier_are_merged_and_keep_their_history() {
    // Arrange: Awa Diop was registered twice with the same phone; the second record has
    // a sign (TAXPUB 2025: 3 × 5 000 = 15 000) on an issued roll.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let kept = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-500"),
            ("name", "Awa Diop"),
            ("phone", "77 555 00 11"),
        ],
    )
    .await;
    let twin = new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-501"),
            ("name", "Awa Diop (marché)"),
            ("phone", "+221775550011"),
        ],
    )
    .await;
    new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-502"),
            ("name", "Garage Moderne"),
            ("id_number", "006123456 2V2"),
        ],
    )
    .await;
    new_taxpayer(
        &c,
        DAKAR,
        &[
            ("ref", "DKP-503"),
            ("name", "Garage Moderne SARL"),
            ("id_number", "0061234562V2"),
        ],
    )
    .await;
    new_item(
        &c,
        DAKAR,
        twin,
        &[("ref", "SIGN-501"), ("kind", "other"), ("area_m2", "3")],
    )
    .await;
    generated_and_issued(&c, DAKAR, "TAXPUB", 2025).await;
    let groups = page(&c, &format!("/{DAKAR}/finance/duplicates")).await;
    assert_eq!(count(&groups, "section.group"), 2);

    // Act: the page that asks first names both records and what moves; then the merge.
    let twin_id = twin.to_string();
    let logged = crate::revenue::support::audit_entries(&app, DAKAR);
    let ask = page(
        &c,
        &format!("/{DAKAR}/finance/taxpayers/{kept}/merge?duplicate={twin_id}"),
    )
    .await;
    let question = text(&ask, "#confirm-question");
    assert!(
        question.contains("DKP-501") && question.contains("DKP-500"),
        "{question}"
    );
    assert!(text(&ask, "section.confirm").contains("Son bien imposable passe à la fiche conservée"));
    assert_eq!(crate::revenue::support::audit_entries(&app, DAKAR), logged);
    let res = c
        .post_form(
            &format!("/{DAKAR}/finance/taxpayers/{kept}/merge"),
            &[("duplicate", &twin_id)],
        )
        .await;

    // Assert: the kept record has the item and the account of the merged one.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = page(&c, &format!("/{DAKAR}/finance/taxpayers/{kept}")).await;
    assert!(text(&shown, "#items + table").contains("SIGN-501"));
    assert_eq!(
        text(&shown, "[data-figure=balance]"),
        crate::revenue::support::fcfa(15_000)
    );
    let merged = page(&c, &format!("/{DAKAR}/finance/taxpayers/{twin}")).await;
    assert!(text(&merged, "p.flash.error").contains("fusionnée"));
    let groups = page(&c, &format!("/{DAKAR}/finance/duplicates")).await;
    assert_eq!(count(&groups, "section.group"), 1);
    // Merging into itself, or a record already merged, is refused.
    let kept_id = kept.to_string();
    let itself = c
        .post_form(
            &format!("/{DAKAR}/finance/taxpayers/{kept}/merge"),
            &[("duplicate", &kept_id)],
        )
        .await;
    assert_eq!(itself.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(itself
        .text()
        .await
        .unwrap()
        .contains("ne peut pas être fusionnée avec elle-même"));
    let again = c
        .post_form(
            &format!("/{DAKAR}/finance/taxpayers/{kept}/merge"),
            &[("duplicate", &twin_id)],
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("déjà été fusionnée"));
}

//! Finding a taxpayer as people type: at the collector's counter and on the register's
//! page, by reference (with or without the commune's prefix, in any case), by name (its
//! words in any order, accents and case forgiven) and by phone (in any usual spelling).

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{demo_email, Client, TestApp, DAKAR};
use crate::revenue::imports::upload;
use crate::revenue::support::{attr, count, new_taxpayer, officer, page, text};

async fn collector(app: &TestApp) -> Client {
    app.login(&demo_email(DAKAR, "collector")).await
}

/// The counter after searching `typed`.
async fn counter(c: &Client, typed: &str) -> Html {
    let q = url::form_urlencoded::byte_serialize(typed.as_bytes()).collect::<String>();
    page(c, &format!("/{DAKAR}/collect?ref={q}")).await
}

/// The reference of the account the counter opened, if it opened one.
fn opened(counter: &Html) -> Option<String> {
    let sel = Selector::parse("section.counter[data-taxpayer]").unwrap();
    let found = counter.select(&sel).next()?;
    found.value().attr("data-taxpayer").map(str::to_string)
}

/// The references offered to choose from.
fn choices(counter: &Html) -> Vec<String> {
    let sel = Selector::parse("ul.choices li[data-choice]").unwrap();
    counter
        .select(&sel)
        .filter_map(|li| li.value().attr("data-choice").map(str::to_string))
        .collect()
}

/// The names the register's page lists for `q`.
async fn register(c: &Client, q: &str) -> Vec<String> {
    let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
    names(&page(c, &format!("/{DAKAR}/finance/taxpayers?q={q}")).await)
}

/// The names a page of the register lists, in order.
fn names(found: &Html) -> Vec<String> {
    let sel = Selector::parse("table tbody tr td:nth-child(2)").unwrap();
    found
        .select(&sel)
        .map(|td| td.text().collect::<String>().trim().to_string())
        .collect()
}

#[actix_web::test]
async fn the_counter_opens_an_account_from_its_reference_in_any_case_with_or_without_the_prefix() {
    // Arrange: the demo register, where Moussa Diallo is DKP-T0003.
    let app = TestApp::spawn().await;
    let c = collector(&app).await;

    for typed in ["DKP-T0003", "dkp-t0003", "T0003", " t0003 "] {
        // Act
        let found = counter(&c, typed).await;

        // Assert: his account opens, with what he owes.
        assert_eq!(opened(&found).as_deref(), Some("DKP-T0003"), "{typed}");
        assert!(text(&found, "section.counter h2").contains("Moussa Diallo"));
        assert_eq!(count(&found, "[data-figure=balance]"), 1, "{typed}");
    }
}

#[actix_web::test]
async fn the_counter_finds_a_taxpayer_by_name_in_any_order_without_accents_or_case() {
    // Arrange
    let app = TestApp::spawn().await;
    let c = collector(&app).await;

    for (typed, reference) in [
        ("Moussa Diallo", "DKP-T0003"),
        ("diallo MOUSSA", "DKP-T0003"),
        ("mous dial", "DKP-T0003"),
        ("ndeye faye", "DKP-T0010"),
        ("Aïssatou Ba", "DKP-T0007"),
    ] {
        // Act
        let found = counter(&c, typed).await;

        // Assert: the account opens, or, if others share the name, it is offered.
        let here = opened(&found).as_deref() == Some(reference)
            || choices(&found).iter().any(|r| r == reference);
        assert!(here, "{typed} finds {reference}");
    }
}

#[actix_web::test]
async fn the_counter_finds_a_taxpayer_by_phone_in_any_usual_spelling() {
    // Arrange: Moussa Diallo's phone is +221 76 210 55 81.
    let app = TestApp::spawn().await;
    let c = collector(&app).await;

    for typed in [
        "76 210 55 81",
        "+221 76 210 55 81",
        "00221762105581",
        "762105581",
        "76.210.55.81",
    ] {
        // Act
        let found = counter(&c, typed).await;

        // Assert
        assert_eq!(opened(&found).as_deref(), Some("DKP-T0003"), "{typed}");
    }
}

#[actix_web::test]
async fn a_search_that_finds_nobody_says_so() {
    // Arrange
    let app = TestApp::spawn().await;
    let c = collector(&app).await;

    for typed in ["Zorglub", "DKP-X9999", "77 000 00 00", "Zorglub Houessou"] {
        // Act
        let found = counter(&c, typed).await;

        // Assert: a message that repeats what was typed, no account, nothing to choose.
        assert!(text(&found, "[role=alert]").contains(typed), "{typed}");
        assert_eq!(opened(&found), None, "{typed}");
        assert!(choices(&found).is_empty(), "{typed}");
    }
}

#[actix_web::test]
async fn a_name_several_taxpayers_share_lists_them_and_each_card_opens_its_account() {
    // Arrange: three Diops, two of them Awa.
    let app = TestApp::spawn_without_register().await;
    let fo = officer(&app, DAKAR).await;
    for (reference, name, phone) in [
        ("DKP-1", "Awa Diop", "77 123 45 67"),
        ("DKP-2", "Awa Diop Fall", "78 222 33 44"),
        ("DKP-3", "Mamadou Diop", ""),
        ("DKP-4", "Awa Ndiaye", ""),
    ] {
        new_taxpayer(
            &fo,
            DAKAR,
            &[("ref", reference), ("name", name), ("phone", phone)],
        )
        .await;
    }
    let c = collector(&app).await;

    // Act
    let awa_diop = counter(&c, "awa diop").await;
    let diop = counter(&c, "DIOP").await;
    let one = counter(&c, "Fall Awa").await;

    // Assert: several are cards to choose from, each with its phone; one opens directly.
    assert_eq!(opened(&awa_diop), None);
    assert_eq!(choices(&awa_diop), ["DKP-1", "DKP-2"]);
    assert!(text(&awa_diop, "li[data-choice=DKP-1]").contains("77 123 45 67"));
    assert!(text(&awa_diop, "h2#choose-title").contains("awa diop"));
    assert_eq!(choices(&diop), ["DKP-1", "DKP-2", "DKP-3"]);
    assert_eq!(opened(&one).as_deref(), Some("DKP-2"));
    // A card leads to its account.
    let link = attr(&awa_diop, "li[data-choice=DKP-2] a", "href");
    let chosen = page(&c, &link).await;
    assert_eq!(opened(&chosen).as_deref(), Some("DKP-2"));
}

#[actix_web::test]
async fn the_register_page_searches_the_same_way() {
    // Arrange
    let app = TestApp::spawn().await;
    let fo = officer(&app, DAKAR).await;

    // Act and assert
    for typed in ["dkp-t0003", "T0003", "+221 76 210 55 81", "76 210 55 81"] {
        assert_eq!(register(&fo, typed).await, ["Moussa Diallo"], "{typed}");
    }
    assert!(register(&fo, "diallo moussa")
        .await
        .contains(&"Moussa Diallo".to_string()));
    assert!(register(&fo, "sandaga textiles")
        .await
        .contains(&"Société Sandaga Textiles SARL".to_string()));
    assert_eq!(
        register(&fo, "004512378 2G3").await,
        ["Société Sandaga Textiles SARL"],
        "an identifier as written"
    );
    assert!(register(&fo, "Zorglub").await.is_empty());
}

#[actix_web::test]
async fn a_long_name_search_on_the_register_is_paged() {
    // Arrange: 55 Diops and one Fall, 50 to a page.
    let app = TestApp::spawn_without_register().await;
    let fo = officer(&app, DAKAR).await;
    let mut file = String::from("ref,name,kind,district,phone,email,id_number\n");
    for i in 1..=55 {
        file.push_str(&format!("DKP-{i:03},Diop {i:02},person,Plateau,,,\n"));
    }
    file.push_str("DKP-900,Awa Fall,person,Plateau,,,\n");
    let res = upload(&fo, "taxpayers", "diops.csv", file.into_bytes(), false).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Act
    let first = page(&fo, &format!("/{DAKAR}/finance/taxpayers?q=diop")).await;
    let next = attr(&first, "a[rel=next]", "href");
    let second = page(&fo, &next).await;

    // Assert
    assert_eq!(count(&first, "table tbody tr"), 50);
    assert_eq!(count(&second, "table tbody tr"), 5);
    assert_eq!(count(&second, "a[rel=next]"), 0);
    assert!(text(&second, "table tbody").contains("Diop 55"));
    assert!(!text(&second, "table tbody").contains("Fall"));
}

#[actix_web::test]
async fn a_name_found_only_far_into_the_register_is_listed_in_order_page_by_page() {
    // Arrange: 2,100 Falls, then 60 Zinsous, so that the search does not meet them in
    // the first taxpayers it reads in order and goes through its index (PostgreSQL).
    let app = TestApp::spawn_without_register().await;
    let fo = officer(&app, DAKAR).await;
    let mut file = String::from("ref,name,kind,district,phone,email,id_number\n");
    for i in 1..=2100 {
        file.push_str(&format!("DKP-F{i:04},Awa Fall,person,Plateau,,,\n"));
    }
    for i in 1..=60 {
        file.push_str(&format!(
            "DKP-Z{i:02},Koffi Zinsou {i:02},person,Plateau,,,\n"
        ));
    }
    let res = upload(&fo, "taxpayers", "far.csv", file.into_bytes(), false).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Act
    let first = page(&fo, &format!("/{DAKAR}/finance/taxpayers?q=zinsou+kof")).await;
    let next = attr(&first, "a[rel=next]", "href");
    let second = page(&fo, &next).await;

    // Assert
    let zinsous = |from: usize, to: usize| -> Vec<String> {
        (from..=to)
            .map(|i| format!("Koffi Zinsou {i:02}"))
            .collect()
    };
    assert_eq!(names(&first), zinsous(1, 50));
    assert_eq!(names(&second), zinsous(51, 60));
    assert_eq!(count(&second, "a[rel=next]"), 0);
}

#[actix_web::test]
async fn a_taxpayer_an_import_renames_is_found_by_the_new_name_and_phone_only() {
    // Arrange: Awa Diop, registered with the form.
    let app = TestApp::spawn_without_register().await;
    let fo = officer(&app, DAKAR).await;
    new_taxpayer(
        &fo,
        DAKAR,
        &[
            ("ref", "DKP-1"),
            ("name", "Awa Diop"),
            ("phone", "77 123 45 67"),
        ],
    )
    .await;

    // Act: an import renames her and changes her phone, and adds a taxpayer.
    let file = "ref,name,kind,district,phone,email,id_number\n\
                DKP-1,Khady Sow,person,Plateau,78 000 00 01,,\n\
                DKP-2,Awa Diop,person,Plateau,,,\n";
    let res = upload(&fo, "taxpayers", "update.csv", file.into(), true).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Assert: the old name and phone find nobody; the new ones and the new row are found.
    assert_eq!(register(&fo, "khady").await, ["Khady Sow"]);
    assert_eq!(register(&fo, "78 000 00 01").await, ["Khady Sow"]);
    assert!(register(&fo, "77 123 45 67").await.is_empty());
    assert_eq!(register(&fo, "awa diop").await, ["Awa Diop"]);
    assert_eq!(register(&fo, "DKP-2").await, ["Awa Diop"]);
    // SQLite's search index is whole after the changes.
    let mut conn = app.conn();
    if let commune::db::DbConn::Sqlite(_) = &mut *conn {
        conn.batch_execute(
            "INSERT INTO taxpayer_search (taxpayer_search) VALUES ('integrity-check')",
        )
        .expect("the index is whole");
    }
}

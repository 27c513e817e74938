//! The budget desk through HTTP, as its users work: a finance officer drafts next
//! year's budget, brings in the participatory winners, sees the balance errors line by
//! line and fixes them, and proposes it; a councillor records the council's vote, the
//! tutelle's approval and publishes; the portal shows it at once, the CSV's SHA-256 is
//! the one published, subscribers hear of it, and nothing changes the document after.
//! Those who may not touch a budget are refused at each step.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::{demo_email, location, Client, TestApp, DAKAR};
use crate::mail::decoded_body;

const ARTICLES: &[(&str, &str)] = &[
    ("a-7011", "100000000"),
    ("a-7411", "20000000"),
    ("a-6011", "40000000"),
    ("a-6111", "30000000"),
    ("a-6911", "50000000"),
    ("a-1011", "50000000"),
];

async fn post(c: &Client, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let res = c.post_form(path, fields).await;
    let status = res.status();
    let to = if status == StatusCode::SEE_OTHER {
        location(&res)
    } else {
        String::new()
    };
    let body = res.text().await.unwrap();
    if to.is_empty() {
        (status, body)
    } else {
        (status, to)
    }
}

/// The id of the demo's round in implementation, from the desk's winners form.
fn round_option(page: &str) -> String {
    let at = page
        .find("name=\"round\"")
        .expect("the winners form lists the rounds");
    let rest = &page[at..];
    let at = rest.find("value=\"").unwrap() + 7;
    rest[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[actix_web::test]
async fn a_draft_goes_from_the_officer_to_the_council_and_the_portal_with_each_role_in_its_place() {
    let app = TestApp::spawn().await;
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let year = (chrono::Datelike::year(&chrono::Utc::now().date_naive()) + 1).to_string();

    // Someone follows the budget from the portal, and confirms.
    let fan = app.visitor();
    fan.get("/lang/fr").await;
    let (status, _) = post(
        &fan,
        &format!("/{DAKAR}/budget/subscribe"),
        &[("email", "budget@example.sn")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mail = decoded_body(&app.mails_to("budget@example.sn", 1).await[0]);
    assert!(mail.contains("chaque publication du budget"), "{mail}");
    let at = mail.find("/subscriptions/").unwrap();
    let token: String = mail[at + 15..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    let link = format!("/{DAKAR}/subscriptions/{token}");
    fan.post_form(&link, &[("action", "confirm")]).await;

    // The officer creates the draft: a bad title is refused beside its field.
    let (status, page) = post(
        &officer,
        &format!("/{DAKAR}/budgets"),
        &[("kind", "primitif"), ("year", &year), ("title", "B")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("de 3 à 200 caractères"), "{page}");
    let (status, doc) = post(
        &officer,
        &format!("/{DAKAR}/budgets"),
        &[
            ("kind", "primitif"),
            ("year", &year),
            ("title", &format!("Budget primitif {year}")),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(doc.starts_with(&format!("/{DAKAR}/budgets/")), "{doc}");

    // The winners of the demo's round come in, tagged, on capital lines.
    let page = officer.text(&doc).await;
    let round = round_option(&page);
    let (status, _) = post(&officer, &format!("{doc}/winners"), &[("round", &round)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = officer.text(&doc).await;
    assert!(page.matches("class=\"tag win\"").count() >= 2, "{page}");

    // The operating lines, typed in: the capital section now lacks the projects' money,
    // and the page says so line by line; proposing is refused with the same reasons.
    let (status, _) = post(&officer, &format!("{doc}/lines"), ARTICLES).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = officer.text(&doc).await;
    assert!(
        page.contains("La section d’investissement n’est pas équilibrée"),
        "{page}"
    );
    let (status, page) = post(&officer, &format!("{doc}/propose"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("L’action n’a pas abouti"), "{page}");

    // A mistyped amount is refused on its line, and nothing is saved.
    let mut typo = ARTICLES.to_vec();
    typo.push(("a-1311", "douze"));
    let (status, page) = post(&officer, &format!("{doc}/lines"), &typo).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Ligne 1311"), "{page}");
    assert!(page.contains("value=\"douze\""), "what was typed stays");

    // The officer fixes the section from the figures the error gives: the capital
    // revenue left over goes to a school building (2111), or a grant (1311) covers the gap.
    let page = officer.text(&doc).await;
    let (revenue, spending) = capital_figures(&page);
    let mut fixed = ARTICLES.to_vec();
    let gap_text = (revenue - spending).abs().to_string();
    fixed.push((
        if revenue > spending {
            "a-2111"
        } else {
            "a-1311"
        },
        &gap_text,
    ));
    let (status, _) = post(&officer, &format!("{doc}/lines"), &fixed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = officer.text(&doc).await;
    assert!(!page.contains("n’est pas équilibrée"), "{page}");

    // Those who may not change a budget are refused, whatever they send.
    for role in [
        "citizen",
        "collector",
        "reviewer",
        "councillor",
        "treasurer",
    ] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        let res = c.post_form(&format!("{doc}/lines"), ARTICLES).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} edits lines");
        let res = c.post_form(&format!("{doc}/propose"), &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} proposes");
    }
    let (status, _) = post(&officer, &format!("{doc}/propose"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Proposed, it no longer changes.
    let (status, page) = post(&officer, &format!("{doc}/lines"), ARTICLES).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("n’est plus un projet"), "{page}");

    // The officer does not vote; the councillor does, the errors beside their fields.
    let today = chrono::Utc::now().date_naive().to_string();
    let vote = [
        ("on", today.as_str()),
        ("deliberation", "2026-041"),
        ("votes_for", "27"),
        ("against", "4"),
        ("abstentions", "2"),
    ];
    let res = officer.post_form(&format!("{doc}/vote"), &vote).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let councillor = app.login(&demo_email(DAKAR, "councillor")).await;
    let (status, page) = post(
        &councillor,
        &format!("{doc}/vote"),
        &[
            ("on", &today),
            ("deliberation", ""),
            ("votes_for", "x"),
            ("against", "4"),
            ("abstentions", "2"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("nombres entiers positifs"), "{page}");
    let (status, _) = post(&councillor, &format!("{doc}/vote"), &vote).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Publishing before the tutelle's approval is refused.
    let (status, page) = post(&councillor, &format!("{doc}/publish"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("pas à l’étape"), "{page}");
    let (status, _) = post(
        &councillor,
        &format!("{doc}/approve"),
        &[("on", &today), ("reference", "Arrêté n° 2026-77")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = post(&councillor, &format!("{doc}/publish"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The portal shows it at once; the CSV is the one whose SHA-256 the page shows.
    let visitor = app.visitor();
    visitor.get("/lang/fr").await;
    let portal = visitor.text(&format!("/{DAKAR}/budget/{year}")).await;
    assert!(
        portal.contains(&format!("Budget primitif {year}")),
        "{portal}"
    );
    let csv = visitor
        .get(&format!("/{DAKAR}/budget/{year}.csv"))
        .await
        .bytes()
        .await
        .unwrap();
    let sha = hex::encode(Sha256::digest(&csv));
    assert!(portal.contains(&sha), "the page shows the CSV's SHA-256");
    assert!(councillor.text(&doc).await.contains(&sha));

    // The subscriber hears of it, with the fingerprint.
    let mails = app.mails_to("budget@example.sn", 2).await;
    let news = decoded_body(&mails[1]);
    assert!(news.contains(&sha) && news.contains(&year), "{news}");

    // Published, the document is frozen for everyone.
    let (status, page) = post(&officer, &format!("{doc}/lines"), ARTICLES).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("n’est plus un projet"));
    let (status, _) = post(&councillor, &format!("{doc}/publish"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The capital section's revenue and spending, read from the balance message
/// (`… : 78 800 000 FCFA de recettes pour 21 200 000 FCFA de dépenses`).
fn capital_figures(page: &str) -> (i64, i64) {
    let at = page
        .find("La section d’investissement n’est pas équilibrée : ")
        .expect("the capital error");
    let rest = &page[at..];
    let number = |text: &str| -> i64 {
        text.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '\u{202F}' || *c == '\u{A0}' || *c == ' ')
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let revenue = number(&rest[rest.find(" : ").unwrap() + 3..]);
    let spending = number(&rest[rest.find(" pour ").unwrap() + 6..]);
    (revenue, spending)
}

#[actix_web::test]
async fn a_council_that_rejects_the_draft_sends_it_back_to_the_officer() {
    let app = TestApp::spawn().await;
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let (_, doc) = post(
        &officer,
        &format!("/{DAKAR}/budgets"),
        &[
            ("kind", "supplementaire"),
            ("year", "2026"),
            ("title", "Budget supplémentaire 2026"),
        ],
    )
    .await;
    let mut lines = ARTICLES.to_vec();
    lines.push(("a-2131", "50000000"));
    post(&officer, &format!("{doc}/lines"), &lines).await;
    let (status, _) = post(&officer, &format!("{doc}/propose"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, _) = post(
        &admin,
        &format!("{doc}/vote"),
        &[
            ("on", &today),
            ("deliberation", "2026-050"),
            ("votes_for", "10"),
            ("against", "20"),
            ("abstentions", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = officer.text(&doc).await;
    assert!(
        page.contains("Enregistrer les montants"),
        "back to draft: {page}"
    );
    // The desk lists it; a treasurer reads it but has no form.
    let treasurer = app.login(&demo_email(DAKAR, "treasurer")).await;
    let list = treasurer.text(&format!("/{DAKAR}/budgets")).await;
    assert!(list.contains("Budget supplémentaire 2026"), "{list}");
    assert!(!list.contains("Créer le projet"));
    let page = treasurer.text(&doc).await;
    assert!(!page.contains("Enregistrer les montants"));
}

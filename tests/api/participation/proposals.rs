//! Proposals over HTTP: a citizen submits, the public reads, lists, filters and
//! searches; supports count once; the reviewer finds proposals feasible or not and
//! merges two, crediting both authors; moderation hides with a public reason; and each
//! action is refused outside its phase.

use reqwest::StatusCode;

use crate::cli::run_cli_with;
use crate::helpers::{demo_email, location, Client, TestApp, DAKAR, DEMO_PASSWORD};

/// A round in its proposals phase, with supports and a 5 000 000 FCFA limit; returns
/// its address.
async fn open_round(app: &TestApp) -> String {
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    let res = c
        .post_form(
            &format!("/{DAKAR}/rounds"),
            &[
                ("title", "Budget participatif 2027"),
                ("fiscal_year", "2027"),
                ("ballot", "approval"),
                ("min_projects", "1"),
                ("max_projects", "3"),
                ("rule", "greedy"),
                ("scope", "commune"),
                ("supports", "on"),
                ("max_proposal_cost", "5 000 000"),
                ("envelope_commune", "20 000 000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
}

fn area_of(page: &str) -> String {
    let at = page.find("<option value=\"").unwrap();
    let rest = &page[at..];
    let start = rest[15..].find('"').unwrap();
    rest[15..15 + start].to_string()
}

async fn propose(c: &Client, round: &str, title: &str, cost: &str) -> reqwest::Response {
    let list = c.text(&format!("{round}/proposals")).await;
    let select = &list[list.find("name=\"area\"").unwrap()..];
    let area = area_of(&select.replace("<option value=\"\">", ""));
    c.post_form(
        &format!("{round}/proposals"),
        &[
            ("title", title),
            (
                "description",
                "Un forage et une pompe pour le quartier, qui manque d’eau potable.",
            ),
            ("area", &area),
            ("category", "water"),
            ("place", "Près du marché Kermel"),
            ("estimated_cost", cost),
        ],
    )
    .await
}

async fn advance(app: &TestApp, round: &str, seen: &str) {
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    let res = c
        .post_form(&format!("{round}/advance"), &[("seen", seen)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "advance from {seen}");
}

/// A second citizen of Dakar-Plateau, logged in.
async fn second_citizen(app: &TestApp) -> Client {
    let out = run_cli_with(
        &app.db.url(),
        &[
            "user",
            "add",
            "--commune",
            DAKAR,
            "--email",
            "awa@example.sn",
            "--name",
            "Awa Ndiaye",
            "--role",
            "citizen",
        ],
        &[("COMMUNE_PASSWORD", DEMO_PASSWORD)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.login("awa@example.sn").await
}

#[actix_web::test]
async fn a_citizen_submits_a_proposal_that_anyone_reads_finds_and_supports_once() {
    let app = TestApp::spawn().await;
    let round = open_round(&app).await;
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    citizen.get("/lang/fr").await;

    // Refused with every reason at once, and nothing is written.
    let res = propose(&citizen, &round, "Puit", "9 000 000").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("Le titre doit compter de 5 à 120 caractères."));
    assert!(page.contains("Le coût estimé dépasse la limite de ce budget participatif (5\u{202F}000\u{202F}000\u{A0}FCFA)."));

    let res = propose(&citizen, &round, "Un forage à Kermel", "2 500 000").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let url = location(&res);
    let page = citizen.text(&url).await;
    assert!(page.contains("Merci ! Votre proposition est déposée"));
    assert!(page.contains("En attente d’étude"));
    assert!(page.contains("2\u{202F}500\u{202F}000\u{A0}FCFA"));

    // Supporting twice counts once.
    for _ in 0..2 {
        citizen.post_form(&format!("{url}/support"), &[]).await;
    }
    let anonymous = app.visitor();
    anonymous.get("/lang/fr").await;
    let page = anonymous.text(&url).await;
    assert!(page.contains("data-figure=\"supports\">1<"), "one support");
    assert!(page.contains("Un forage à Kermel"));

    // Listed, filtered and searched by anyone.
    let list = anonymous.text(&format!("{round}/proposals")).await;
    assert!(list.contains("data-proposal=\"1\""));
    let none = anonymous
        .text(&format!("{round}/proposals?category=schools"))
        .await;
    assert!(none.contains("Aucune proposition ne correspond."));
    let found = anonymous.text(&format!("{round}/proposals?q=kermel")).await;
    assert!(found.contains("data-proposal=\"1\""));
    let missed = anonymous
        .text(&format!("{round}/proposals?q=dispensaire"))
        .await;
    assert!(!missed.contains("data-proposal=\"1\""));
}

#[actix_web::test]
async fn each_action_is_refused_outside_its_phase_and_the_review_decides_the_ballot() {
    let app = TestApp::spawn().await;
    let round = open_round(&app).await;
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let awa = second_citizen(&app).await;
    let first = location(&propose(&citizen, &round, "Un forage à Kermel", "2 500 000").await);
    let second = location(&propose(&awa, &round, "Un puits pour Kermel", "1 800 000").await);
    let third = location(&propose(&awa, &round, "Éclairage de la corniche", "3 000 000").await);

    let reviewer = app.login(&demo_email(DAKAR, "reviewer")).await;
    reviewer.get("/lang/fr").await;
    // Too early for the review.
    let res = reviewer
        .post_form(
            &format!("{first}/review"),
            &[
                ("verdict", "feasible"),
                ("cost", "2 700 000"),
                ("note", "Forage possible, nappe à 40 m."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("L’étude technique n’est possible qu’à l’étape « Étude technique »."));

    advance(&app, &round, "proposals").await;
    // Too late for proposals and supports.
    let res = propose(&citizen, &round, "Une classe de plus", "4 000 000").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = citizen.post_form(&format!("{first}/support"), &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The opening of the vote waits for every proposal's review.
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    c.get("/lang/fr").await;
    assert!(c
        .text(&format!("{round}/advance"))
        .await
        .contains("3 propositions attendent encore l’étude technique."));

    // A reason is required; the cost becomes official.
    let res = reviewer
        .post_form(
            &format!("{first}/review"),
            &[("verdict", "unfeasible"), ("note", "non")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = reviewer
        .post_form(
            &format!("{first}/review"),
            &[
                ("verdict", "feasible"),
                ("cost", "2 700 000"),
                ("note", "Forage possible, nappe à 40 m."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = reviewer
        .post_form(
            &format!("{third}/review"),
            &[
                ("verdict", "unfeasible"),
                ("note", "La corniche relève de l’État, pas de la commune."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The second proposal says the same as the first: merged, both authors credited.
    let first_id = first.rsplit('/').next().unwrap();
    let res = reviewer
        .post_form(&format!("{second}/merge"), &[("into", first_id)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visitor().text(&first).await;
    assert!(page.contains("Awa Ndiaye"), "the merged author is credited");
    assert!(page.contains("2\u{202F}700\u{202F}000\u{A0}FCFA"));
    assert!(page.contains("Forage possible, nappe à 40 m."));
    let page = app.visitor().text(&third).await;
    assert!(page.contains("La corniche relève de l’État, pas de la commune."));

    // Now the vote opens, with one project on the ballot.
    let confirm = c.text(&format!("{round}/advance")).await;
    assert!(
        confirm.contains("Passer de l’étape « Étude technique » à l’étape « Vote » ?"),
        "{confirm}"
    );
    advance(&app, &round, "review").await;
    let res = reviewer
        .post_form(
            &format!("{third}/review"),
            &[
                ("verdict", "feasible"),
                ("cost", "1"),
                ("note", "Revu trop tard, après l’ouverture."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn moderation_hides_a_proposal_with_a_public_reason_and_never_deletes_it() {
    let app = TestApp::spawn().await;
    let round = open_round(&app).await;
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let url = location(&propose(&citizen, &round, "Un forage à Kermel", "2 500 000").await);
    // A citizen may not moderate.
    let res = citizen
        .post_form(
            &format!("{url}/hide"),
            &[("reason", "Propos injurieux envers un voisin.")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let res = admin
        .post_form(
            &format!("{url}/hide"),
            &[("reason", "Propos injurieux envers un voisin.")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let v = app.visitor();
    v.get("/lang/fr").await;
    let page = v.text(&url).await;
    assert!(page.contains(
        "Cette proposition a été masquée par la modération : Propos injurieux envers un voisin."
    ));
    assert!(!page.contains("Un forage à Kermel"));
    let list = v.text(&format!("{round}/proposals")).await;
    assert!(list.contains("data-proposal=\"1\"") && list.contains("Masquée"));
}

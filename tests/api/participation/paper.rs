//! Paper ballots over HTTP: typed in twice by two people, counted when they agree,
//! flagged when they differ and counted once a third person settles them; voters signed
//! in at a station vote once whatever the channel.

use reqwest::StatusCode;

use super::voting::open_vote_in;
use crate::helpers::{demo_email, Client, TestApp, DAKAR};

async fn enter(
    c: &Client,
    round: i64,
    area: &str,
    number: &str,
    choices: &str,
    resolve: bool,
) -> (StatusCode, String) {
    let mut fields = vec![("number", number), ("area", area), ("choices", choices)];
    if resolve {
        fields.push(("resolve", "1"));
    }
    let res = c
        .post_form(&format!("/{DAKAR}/rounds/{round}/paper"), &fields)
        .await;
    let status = res.status();
    (status, res.text().await.unwrap())
}

/// The id of the round's Plateau area, as the forms send it.
fn plateau_area(app: &TestApp, round: i64) -> String {
    commune::participation::rounds::areas(&mut app.conn(), commune::ids::RoundId(round))
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Plateau")
        .unwrap()
        .id
        .to_string()
}

fn ballots(app: &TestApp, round: i64) -> i64 {
    use commune::db::schema::ballots;
    use diesel::prelude::*;
    ballots::table
        .filter(ballots::round_id.eq(round))
        .filter(ballots::channel.eq("paper"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_paper_ballot_counts_once_two_people_agree_or_a_third_settles_their_disagreement() {
    let app = TestApp::spawn().await;
    let round = open_vote_in(&mut app.conn(), &app.db.url());
    let plateau = plateau_area(&app, round);
    let [first, second, third] = [
        app.login(&demo_email(DAKAR, "councillor")).await,
        app.login(&demo_email(DAKAR, "admin")).await,
        app.login(&demo_email(DAKAR, "reviewer")).await,
    ];
    for c in [&first, &second, &third] {
        c.get("/lang/fr").await;
    }

    // Two people agree: counted.
    let (_, page) = enter(&first, round, &plateau, "A-001", "1 2", false).await;
    assert!(page.contains("Bulletin A-001 saisi une fois"));
    assert_eq!(ballots(&app, round), 0);
    let (status, page) = enter(&first, round, &plateau, "A-001", "1 2", false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("la seconde saisie doit être faite par une autre personne"));
    let (_, page) = enter(&second, round, &plateau, "A-001", "1,2", false).await;
    assert!(page.contains("Bulletin A-001 : les deux saisies concordent, il est compté."));
    assert_eq!(ballots(&app, round), 1);

    // They differ: flagged, not counted, until a third person settles it.
    enter(&first, round, &plateau, "A-002", "1", false).await;
    let (_, page) = enter(&second, round, &plateau, "A-002", "2", false).await;
    assert!(page.contains("Bulletin A-002 : les deux saisies diffèrent."));
    assert!(page.contains("data-paper=\"A-002\" data-state=\"mismatch\""));
    assert_eq!(ballots(&app, round), 1);
    let (status, _) = enter(&second, round, &plateau, "A-002", "2", true).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an entrant cannot settle"
    );
    let (_, page) = enter(&third, round, &plateau, "A-002", "2", true).await;
    assert!(
        page.contains("Bulletin A-002 tranché : il est compté."),
        "{page}"
    );
    assert_eq!(ballots(&app, round), 2);

    // A paper that breaks the ballot's rules is refused with the reason.
    let (status, page) = enter(&first, round, &plateau, "A-003", "1 2 3", false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Vous avez choisi 3 projets ; c’est au plus 2."));

    // A citizen may not type in ballots.
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let res = citizen
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/paper"),
            &[("number", "X"), ("area", &plateau), ("choices", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // After the close, the paper ballots are in the count.
    let res = first
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/advance"),
            &[("seen", "vote")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let results: serde_json::Value = app
        .visitor()
        .get(&format!("/api/v1/{DAKAR}/rounds/{round}/results"))
        .await
        .json()
        .await
        .unwrap();
    let plateau = results["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Plateau")
        .unwrap();
    assert_eq!(plateau["voters"], 2);
}

#[actix_web::test]
async fn a_voter_signed_in_at_a_station_cannot_vote_again_online() {
    let app = TestApp::spawn().await;
    let round = open_vote_in(&mut app.conn(), &app.db.url());
    let staff = app.login(&demo_email(DAKAR, "admin")).await;
    staff.get("/lang/fr").await;
    let sign = |who: &'static str| {
        let staff = &staff;
        async move {
            let res = staff
                .post_form(
                    &format!("/{DAKAR}/rounds/{round}/paper/sign-in"),
                    &[("who", who)],
                )
                .await;
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, page) = sign("V001").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Aminata Fall a émargé"));
    let (status, page) = sign("aminata@example.sn").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Vous avez déjà voté"));
    let (_, page) = sign("V999").await;
    assert!(page.contains("Cette personne n’est pas sur la liste des votants."));

    // Online, the same person is told they have voted.
    let c = app.visitor();
    c.get("/lang/fr").await;
    let vote = format!("/{DAKAR}/rounds/{round}/vote");
    c.post_form(&format!("{vote}/code"), &[("who", "V001")])
        .await;
    let mails = app.mails_to("aminata@example.sn", 1).await;
    let code = super::voting::digits(&mails[0]);
    c.post_form(
        &format!("{vote}/verify"),
        &[("who", "V001"), ("code", &code)],
    )
    .await;
    assert!(c.text(&vote).await.contains("Vous avez déjà voté"));
}

/// A district's result in the results' JSON.
async fn district_result(app: &TestApp, round: i64, district: &str) -> serde_json::Value {
    let results: serde_json::Value = app
        .visitor()
        .get(&format!("/api/v1/{DAKAR}/rounds/{round}/results"))
        .await
        .json()
        .await
        .unwrap();
    results["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == district)
        .unwrap()
        .clone()
}

#[actix_web::test]
async fn hands_raised_at_an_assembly_count_under_greedy_only_and_the_results_say_so() {
    let app = TestApp::spawn().await;
    let round = open_vote_in(&mut app.conn(), &app.db.url());
    let plateau = plateau_area(&app, round);
    let staff = app.login(&demo_email(DAKAR, "councillor")).await;
    staff.get("/lang/fr").await;
    let hands = |fields: Vec<(&'static str, &'static str)>| {
        let (staff, plateau) = (&staff, plateau.clone());
        async move {
            let mut all = vec![("area", plateau.as_str())];
            all.extend(fields);
            let res = staff
                .post_form(&format!("/{DAKAR}/rounds/{round}/hands"), &all)
                .await;
            (res.status(), res.text().await.unwrap())
        }
    };
    // One paper ballot for the well and the lamps, typed in by two people.
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    enter(&staff, round, &plateau, "A-001", "1 2", false).await;
    enter(&admin, round, &plateau, "A-001", "1 2", false).await;

    // An assembly raised five hands for the classroom, none for the others.
    let (status, page) = hands(vec![
        ("assembly", "Kermel, 12 mars"),
        ("hands_1", ""),
        ("hands_2", "0"),
        ("hands_3", "5"),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Les mains levées de l’assemblée « Kermel, 12 mars » sont enregistrées."));
    assert!(page.contains("Kermel, 12 mars : 5"), "{page}");

    // The same assembly twice, a project not on the ballot, a count that is no number.
    let (status, page) = hands(vec![("assembly", "Kermel, 12 mars"), ("hands_1", "3")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Cette assemblée est déjà saisie pour cette zone."));
    let (_, page) = hands(vec![("assembly", "Médina"), ("hands_99", "3")]).await;
    assert!(page.contains("Le projet 99 n’est pas sur le bulletin de cette zone."));
    let (_, page) = hands(vec![("assembly", "Médina"), ("hands_1", "trois")]).await;
    assert!(page.contains("Le nombre de mains pour le projet 1 doit être un nombre entier"));
    let (_, page) = hands(vec![("assembly", "Médina"), ("hands_1", "")]).await;
    assert!(page.contains("Aucune main levée"));

    // Closed: greedy takes the classroom (5 hands), then of the well and the lamps (one
    // ballot each) the cheaper lamps; the well no longer fits in the 10 000 000 francs.
    let res = staff
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/advance"),
            &[("seen", "vote")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let district = district_result(&app, round, "Plateau").await;
    assert_eq!(district["selected"], serde_json::json!(["3", "2"]));
    assert_eq!(district["voters"], 6, "one ballot and five hands");
    assert_eq!(
        district["hands"],
        serde_json::json!({ "assemblies": 1, "votes": 5, "for_winners": 5 })
    );
    let page = app
        .visitor()
        .text(&format!("/{DAKAR}/rounds/{round}"))
        .await;
    assert!(
        page.contains("(assemblées : 1 ; mains levées : 5)"),
        "{page}"
    );
    assert!(
        page.contains("data-figure=\"voters\">1<"),
        "the voters are the ballots"
    );

    // The published file holds each hand as a one-project ballot, and counts to the result.
    let area = district["area"].as_i64().unwrap();
    let file = app
        .visitor()
        .text(&format!("/{DAKAR}/rounds/{round}/ballots/{area}.pb"))
        .await;
    assert!(file.contains("hands-1-3-4;3"), "{file}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plateau.pb");
    std::fs::write(&path, file).unwrap();
    let out = crate::cli::run_cli(&app, &["tally", path.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tally: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tally["selected"], district["selected"]);
}

#[actix_web::test]
async fn hands_are_refused_on_a_round_counted_by_equal_shares() {
    let app = TestApp::spawn().await;
    let (round, area) = {
        use commune::participation::{rounds, Phase};
        let mut conn = app.conn();
        let commune = commune::communes::by_slug(&mut conn, DAKAR)
            .unwrap()
            .unwrap();
        let open = rounds::list(&mut conn, commune.id)
            .unwrap()
            .into_iter()
            .find(|r| r.phase == Phase::Vote)
            .expect("the demo's open round");
        assert_eq!(open.rule, "mes");
        let area = rounds::areas(&mut conn, open.id).unwrap()[0].id;
        (open.id.0, area.0.to_string())
    };
    let staff = app.login(&demo_email(DAKAR, "reviewer")).await;
    staff.get("/lang/fr").await;
    let page = staff.text(&format!("/{DAKAR}/rounds/{round}/paper")).await;
    assert!(page.contains("data-hands-closed"), "no form, and why");
    let res = staff
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/hands"),
            &[("area", &area), ("assembly", "Kermel"), ("hands_1", "4")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("ne comptent qu’avec la règle gloutonne"));
}

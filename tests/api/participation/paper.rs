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
    let plateau = {
        let mut conn = app.conn();
        commune::participation::rounds::areas(&mut conn, commune::ids::RoundId(round))
            .unwrap()
            .into_iter()
            .find(|a| a.name == "Plateau")
            .unwrap()
            .id
            .to_string()
    };
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

//! Implementation over HTTP: the winners become projects when the round moves on from
//! its results; a councillor gives dated news, which only moves forward; anyone follows
//! a project by e-mail once they confirm, and hears of each change of status until they
//! leave.

use commune::communes;
use commune::db;
use commune::ids::RoundId;
use commune::participation::ballots::{self, Choice};
use commune::participation::{election, rounds, voters, Channel};
use reqwest::StatusCode;

use super::voting::open_vote_in;
use crate::helpers::{demo_email, location, TestApp, DAKAR};
use crate::mail::decoded_body;

/// Two ballots in Plateau (the forage twice, the lamps once), then the round is closed
/// and moved to its implementation by a councillor. Returns the round's path.
async fn round_built(app: &TestApp) -> String {
    let round = open_vote_in(&mut app.conn(), &app.db.url());
    {
        let conn = &mut app.conn();
        let commune = communes::by_slug(conn, DAKAR).unwrap().unwrap();
        let r = rounds::get(conn, commune.id, RoundId(round)).unwrap();
        let plateau = rounds::areas(conn, r.id)
            .unwrap()
            .into_iter()
            .find(|a| a.name == "Plateau")
            .unwrap();
        let codes: Vec<String> = election::on_ballot(conn, &plateau)
            .unwrap()
            .into_iter()
            .map(|p| p.code)
            .collect();
        for (who, picks) in [("V001", vec![0, 1]), ("V002", vec![0])] {
            let voter = voters::find(conn, &commune, &r, who).unwrap().unwrap();
            let choice = Choice {
                codes: picks.iter().map(|&i| codes[i].clone()).collect(),
                points: Vec::new(),
            };
            db::write_tx(conn, |c| {
                ballots::cast(c, &commune, r.id, voter.id, &choice, Channel::Online)
            })
            .unwrap();
        }
    }
    let path = format!("/{DAKAR}/rounds/{round}");
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    for seen in ["vote", "results"] {
        let res = c
            .post_form(&format!("{path}/advance"), &[("seen", seen)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "advance from {seen}");
    }
    path
}

/// The project pages a page links to.
fn project_links(page: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .match_indices(&format!("href=\"/{DAKAR}/projects/"))
        .map(|(at, m)| {
            let rest = &page[at + m.len()..];
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            format!("/{DAKAR}/projects/{id}")
        })
        .collect();
    out.dedup();
    out
}

/// The subscription link in a mail.
fn subscription_link(mail: &str) -> String {
    let body = decoded_body(mail);
    let at = body.find("/subscriptions/").expect("a subscription link");
    let token: String = body[at + 15..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    format!("/{DAKAR}/subscriptions/{token}")
}

#[actix_web::test]
async fn winners_become_projects_followed_by_dated_news_that_subscribers_receive() {
    let app = TestApp::spawn().await;
    let round = round_built(&app).await;

    // The two winners of Plateau are projects, listed on the round's page.
    let page = app.visitor().text(&round).await;
    assert!(page.contains("Projets en réalisation"), "{page}");
    let links = project_links(&page);
    assert_eq!(links.len(), 2, "{links:?}");
    let project = &links[0];
    let page = app.visitor().text(project).await;
    assert!(page.contains("Un forage à Kermel"), "{page}");
    assert!(
        page.contains("Prévu") && page.contains("4\u{202F}000\u{202F}000\u{A0}FCFA"),
        "{page}"
    );

    // Two people ask to follow it; one confirms.
    let awa = app.visitor();
    awa.get("/lang/fr").await;
    let res = awa
        .post_form(
            &format!("{project}/subscribe"),
            &[("email", "awa@example.sn")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ask = app.visitor();
    let res = ask
        .post_form(
            &format!("{project}/subscribe"),
            &[("email", "pas-une-adresse")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    ask.post_form(
        &format!("{project}/subscribe"),
        &[("email", "idy@example.sn")],
    )
    .await;
    let link = subscription_link(&app.mails_to("awa@example.sn", 1).await[0]);
    app.mails_to("idy@example.sn", 1).await;
    let page = awa.text(&link).await;
    assert!(page.contains("Confirmer l’abonnement"), "{page}");
    let res = awa.post_form(&link, &[("action", "confirm")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(awa.text(&link).await.contains("L’abonnement est actif"));

    // A councillor gives news: works have started.
    let councillor = app.login(&demo_email(DAKAR, "councillor")).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let update =
        |status: &'static str, progress: &'static str, spent: &'static str, note: &'static str| {
            let today = today.clone();
            vec![
                ("on", today),
                ("status", status.to_string()),
                ("progress", progress.to_string()),
                ("spent", spent.to_string()),
                ("note", note.to_string()),
                ("caption", "Le chantier vu de la rue".to_string()),
            ]
        };
    let post = |fields: Vec<(&'static str, String)>| {
        let c = &councillor;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.post_form(&format!("{project}/updates"), &f).await
        }
    };
    let res = post(update(
        "works",
        "30",
        "1 200 000",
        "Le marché est attribué.",
    ))
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), *project);
    let page = app.visitor().text(project).await;
    assert!(page.contains("data-figure=\"progress\">30 %"), "{page}");
    assert!(
        page.contains("1\u{202F}200\u{202F}000\u{A0}FCFA")
            && page.contains("Le marché est attribué.")
    );
    assert!(page.contains("Le chantier vu de la rue"));

    // Awa, who confirmed, hears of it, with a link to leave; Idy, who did not, hears nothing.
    let mails = app.mails_to("awa@example.sn", 2).await;
    let news = mails
        .iter()
        .map(|m| decoded_body(m))
        .find(|m| m.contains("Travaux"))
        .expect("a mail about the new status");
    assert!(
        news.contains("passe de l’état « Prévu » à l’état « Travaux »"),
        "{news}"
    );
    assert!(news.contains("/subscriptions/"), "{news}");

    // News without a change of status is published, and mailed to no one.
    let res = post(update("works", "55", "2 000 000", "La dalle est coulée.")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Refused, each with its reason: going back, abandoning without a reason, a date to come.
    let res = post(update("planned", "55", "2 000 000", "")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Un projet ne revient pas à un état passé."));
    let res = post(update("abandoned", "55", "2 000 000", "")).await;
    assert!(res.text().await.unwrap().contains("dites pourquoi"));
    let mut later = update("works", "60", "2 000 000", "");
    later[0].1 = "2099-01-01".into();
    let res = post(later).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("La date ne peut pas être dans le futur."));
    let mut same = update("works", "55", "2 000 000", "");
    same[5].1 = String::new();
    let res = post(same).await;
    let refused = res.text().await.unwrap();
    assert!(refused.contains("Rien n’a changé"), "{refused}");

    // A citizen cannot give news.
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let res = citizen
        .post_form(&format!("{project}/updates"), &[("status", "done")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The project is finished: wholly done, and closed to news.
    let res = post(update("done", "90", "3 900 000", "Inauguré par le maire.")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visitor().text(project).await;
    assert!(page.contains("data-figure=\"progress\">100 %"), "{page}");
    assert!(
        !page.contains("Publier la nouvelle"),
        "no form for a closed project"
    );
    let res = post(update("done", "100", "4 000 000", "Encore")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Ce projet est clos"));
    let mails = app.mails_to("awa@example.sn", 3).await;
    assert_eq!(
        mails.len(),
        3,
        "one mail per change of status, none for the rest"
    );
    assert!(mails
        .iter()
        .any(|m| decoded_body(m).contains("« Terminé »")));
    assert_eq!(app.mails_to("idy@example.sn", 1).await.len(), 1);

    // The history lists each news item, the latest first.
    let page = app.visitor().text(project).await;
    let news: Vec<usize> = ["Inauguré", "La dalle", "Le marché"]
        .iter()
        .map(|n| page.find(n).unwrap_or_else(|| panic!("{n} in {page}")))
        .collect();
    assert!(news.windows(2).all(|w| w[0] < w[1]), "{news:?}");

    // Awa leaves: her address is gone.
    let res = awa.post_form(&link, &[("action", "cancel")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(awa.get(&link).await.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_abandoned_project_says_why_and_its_subscribers_are_told() {
    let app = TestApp::spawn().await;
    let round = round_built(&app).await;
    let page = app.visitor().text(&round).await;
    let project = project_links(&page).pop().unwrap();
    let fan = app.visitor();
    fan.post_form(
        &format!("{project}/subscribe"),
        &[("email", "fan@example.sn")],
    )
    .await;
    let link = subscription_link(&app.mails_to("fan@example.sn", 1).await[0]);
    fan.post_form(&link, &[("action", "confirm")]).await;

    let c = app.login(&demo_email(DAKAR, "admin")).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let reason = "Le terrain prévu a été repris par l’État pour une route.";
    let res = c
        .post_form(
            &format!("{project}/updates"),
            &[
                ("on", &today),
                ("status", "abandoned"),
                ("progress", "0"),
                ("spent", "0"),
                ("note", reason),
                ("caption", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visitor().text(&project).await;
    assert!(
        page.contains(&format!("Projet abandonné : {reason}")),
        "{page}"
    );
    let list = app.visitor().text(&format!("/{DAKAR}/projects")).await;
    assert!(list.contains("Abandonné"), "{list}");
    let mails = app.mails_to("fan@example.sn", 2).await;
    assert!(mails
        .iter()
        .any(|m| decoded_body(m).contains("« Abandonné »")));
}

#[actix_web::test]
async fn each_demo_commune_has_two_projects_under_way_with_their_news() {
    let app = TestApp::spawn().await;
    for slug in [DAKAR, "abomey-calavi"] {
        let page = app.visitor().text(&format!("/{slug}/projects")).await;
        assert!(
            page.contains("data-figure=\"under-way\">2<"),
            "{slug}: {page}"
        );
        assert!(page.contains("Travaux") && page.contains("Appel d’offres"));
    }
    let page = app.visitor().text(&format!("/{DAKAR}/projects")).await;
    let first = project_links(&page).remove(0);
    let page = app.visitor().text(&first).await;
    assert_eq!(page.matches("data-update").count(), 3, "{page}");
    assert!(page.contains("Fondations coulées"));
}

//! Participatory budgeting in the browser, in French: a citizen finds the commune's
//! rounds, reads a finished round's results with their explanations, and submits a
//! proposal to an open round; a councillor sees the form that creates a round. Every
//! page is measured and kept at 360 px and at 1280 px.

use super::harness::*;
use crate::helpers::{demo_email, manifest_dir, DAKAR, DEMO_PASSWORD};

#[actix_web::test]
async fn a_citizen_reads_a_rounds_results_and_submits_a_proposal_to_an_open_round() {
    let Some((app, b)) = app_and_browser().await else {
        return;
    };
    let (finished, open) = {
        use commune::participation::{pbfile, setup};
        let mut conn = app.conn();
        let commune = commune::communes::by_slug(&mut conn, DAKAR)
            .unwrap()
            .unwrap();
        let actor = commune::audit::Actor::system("test");
        let e = commune::voting::read_pb_file(
            &manifest_dir().join("tests/data/Poland_Wieliczka_2023_Green_Budget.pb"),
        )
        .unwrap();
        let finished = commune::db::write_tx(&mut conn, |conn| {
            pbfile::import(
                conn,
                &commune,
                &e,
                "Poland_Wieliczka_2023_Green_Budget.pb",
                &actor,
            )
        })
        .unwrap()
        .round;
        let districts = commune::communes::districts::list(&mut conn, commune.id).unwrap();
        let new = setup::NewRound {
            title: "Budget participatif 2027 de Dakar-Plateau".into(),
            summary: "Des forages, des classes et de l’éclairage : à vous de proposer.".into(),
            fiscal_year: 2027,
            ballot: setup::BallotKind::Approval {
                min: 1,
                max: Some(3),
            },
            rule: commune::voting::Rule::MesAdd1e,
            complete_greedy: true,
            score_threshold: None,
            scope: commune::participation::BallotScope::District,
            min_age: Some(16),
            supports: true,
            max_proposal_cost: Some(commune::money::Xof(10_000_000)),
            dates: vec![],
            areas: districts
                .iter()
                .take(2)
                .map(|d| setup::NewArea {
                    district: Some(d.id),
                    name: d.name.clone(),
                    envelope: setup::Envelope::Fixed(commune::money::Xof(15_000_000)),
                })
                .collect(),
        };
        let open = commune::db::write_tx(&mut conn, |conn| {
            setup::create(conn, &commune, &new, &actor)
        })
        .unwrap();
        (finished.0, open.0)
    };

    // From the commune's page to its participatory budgets.
    b.goto(&format!("/{DAKAR}")).await;
    b.click_link("main", "Budgets participatifs").await;
    b.wait_for_path(&format!("/{DAKAR}/rounds")).await;
    b.shoot_both("rounds").await;

    // A finished round: the winners, the explanation of each project, the chart.
    b.goto(&format!("/{DAKAR}/rounds/{finished}")).await;
    let winners = b.all("main table.winners tbody tr").await;
    assert_eq!(winners.len(), 30, "Wieliczka chose 30 projects");
    let why = b.text("main table.projects td.why").await;
    assert!(why.starts_with("Retenu au tour 1"), "{why}");
    assert!(!b.all("main figure.chart svg").await.is_empty());
    b.shoot_both("round-results").await;

    // An open round: the citizen logs in and proposes a project.
    b.log_in(&demo_email(DAKAR, "citizen"), DEMO_PASSWORD).await;
    b.goto(&format!("/{DAKAR}/rounds/{open}")).await;
    b.shoot_both("round-open").await;
    b.click_link("main", "Voir les propositions").await;
    b.wait_for_path(&format!("/{DAKAR}/rounds/{open}/proposals"))
        .await;
    b.click_link("main", "Proposer un projet").await;
    b.wait_for_path(&format!("/{DAKAR}/rounds/{open}/proposals/new"))
        .await;
    b.fill("main input[name=title]", "Un forage au marché Kermel")
        .await;
    b.fill(
        "main textarea[name=description]",
        "Les commerçantes du marché Kermel portent l’eau depuis la rue voisine. Un forage et deux robinets leur suffiraient.",
    )
    .await;
    b.click("main select[name=area] option:nth-child(2)").await;
    b.fill("main input[name=place]", "Marché Kermel, entrée nord")
        .await;
    b.fill("main input[name=estimated_cost]", "4 500 000").await;
    b.shoot_both("proposal-form").await;
    b.click("main form.stack button[type=submit]").await;
    b.wait_until("the proposal's page", |b| async move {
        !b.all("main [data-figure=supports]").await.is_empty()
    })
    .await;
    assert_eq!(b.text("main h1").await, "Un forage au marché Kermel");
    assert!(b.text("main .flash").await.starts_with("Merci !"));
    b.shoot_both("proposal").await;
    b.goto(&format!("/{DAKAR}/rounds/{open}/proposals")).await;
    b.shoot_both("proposals").await;
    b.log_out().await;

    // A councillor's form for a new round.
    b.log_in(&demo_email(DAKAR, "councillor"), DEMO_PASSWORD)
        .await;
    b.goto(&format!("/{DAKAR}/rounds/new")).await;
    b.shoot_both("round-new").await;
}

/// The whole journey of a voter, in the language of `lang`: the commune's page, a
/// proposal, a one-time code from the real SMTP server, the ballot, the receipt code,
/// and after the close the ballot found with it and the results with their reasons.
async fn a_voter_journey(lang: &str) {
    let smtp = crate::smtp::SmtpSink::start().await;
    let Some((app, b)) =
        app_and_browser_with(crate::helpers::TestApp::builder().smtp(smtp.url())).await
    else {
        return;
    };
    let round = crate::participation::voting::open_vote_in(&mut app.conn(), &app.db.url());
    let t = |fr: &'static str, en: &'static str| if lang == "fr" { fr } else { en };
    b.goto(&format!("/{DAKAR}")).await;
    if lang == "en" {
        b.click_link("header.top", "English").await;
        b.wait_for_lang("en").await;
    }
    b.click_link("main", t("Budgets participatifs", "Participatory budgets"))
        .await;
    b.click_link("main", "Budget participatif 2027").await;
    b.click_link("main", t("Voir les propositions", "See the proposals"))
        .await;
    b.click_link("main", "Un forage à Kermel").await;
    assert_eq!(b.text("main h1").await, "Un forage à Kermel");
    b.goto(&format!("/{DAKAR}/rounds/{round}")).await;
    b.click_link("main", t("Voter", "Vote")).await;
    b.fill("main input[name=who]", "aminata@example.sn").await;
    b.shoot_both(&format!("vote-identify-{lang}")).await;
    b.click("main form.stack button[type=submit]").await;
    b.wait_until("the code form", |b| async move {
        !b.all("main input[name=code]").await.is_empty()
    })
    .await;
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.to, vec!["aminata@example.sn".to_string()]);
    let code = crate::participation::voting::digits(&mail.data);
    b.fill("main input[name=code]", &code).await;
    b.click("main form.stack button[type=submit]").await;
    b.wait_until("the ballot", |b| async move {
        !b.all("main form.ballot").await.is_empty()
    })
    .await;
    b.click("main li[data-project='1'] input").await;
    b.click("main li[data-project='2'] input").await;
    b.shoot_both(&format!("vote-ballot-{lang}")).await;
    b.click("main form.ballot button[type=submit]").await;
    b.wait_until("the receipt", |b| async move {
        !b.all("main [data-receipt]").await.is_empty()
    })
    .await;
    let receipt = b.text("main [data-receipt]").await;
    assert_eq!(receipt.len(), 14, "{receipt}");
    b.shoot_both(&format!("vote-receipt-{lang}")).await;

    // The vote closes; the voter finds their ballot counted, and the results explained.
    {
        use commune::participation::{phases, Phase};
        let mut conn = app.conn();
        let commune = commune::communes::by_slug(&mut conn, DAKAR)
            .unwrap()
            .unwrap();
        let actor = commune::audit::Actor::system("test");
        commune::db::write_tx(&mut conn, |c| {
            phases::advance(
                c,
                &commune,
                commune::ids::RoundId(round),
                Phase::Vote,
                &actor,
            )
        })
        .unwrap();
    }
    b.goto(&format!("/{DAKAR}/rounds/{round}/receipt")).await;
    b.fill("main input[name=code]", &receipt).await;
    b.click("main form.search button[type=submit]").await;
    b.wait_until("the ballot found", |b| async move {
        !b.all("main [data-found]").await.is_empty()
    })
    .await;
    let found = b.text("main [data-found]").await;
    assert!(
        found.contains(t("Il a été compté", "It was counted")),
        "{found}"
    );
    b.shoot_both(&format!("vote-found-{lang}")).await;
    b.goto(&format!("/{DAKAR}/rounds/{round}")).await;
    let why = b.text("main table.projects td.why").await;
    assert!(why.starts_with(t("Retenu", "Chosen")), "{why}");
    b.shoot_both(&format!("vote-results-{lang}")).await;
}

#[actix_web::test]
async fn a_citizen_votes_with_a_mailed_code_and_finds_the_ballot_counted_in_french() {
    a_voter_journey("fr").await;
}

#[actix_web::test]
async fn a_citizen_votes_with_a_mailed_code_and_finds_the_ballot_counted_in_english() {
    a_voter_journey("en").await;
}

/// A resident follows a project under way: the commune's projects, one project's news,
/// a subscription confirmed through the link mailed by the real SMTP server; then a
/// councillor reports the works finished, and the resident hears of it by mail.
#[actix_web::test]
async fn a_resident_follows_a_project_and_hears_by_mail_when_its_works_are_finished() {
    let smtp = crate::smtp::SmtpSink::start().await;
    let Some((_app, b)) =
        app_and_browser_with(crate::helpers::TestApp::builder().smtp(smtp.url())).await
    else {
        return;
    };
    b.goto(&format!("/{DAKAR}")).await;
    b.click_link("main", "Projets réalisés avec les habitants")
        .await;
    b.wait_for_path(&format!("/{DAKAR}/projects")).await;
    assert_eq!(b.text("main [data-figure=under-way]").await, "2");
    b.shoot_both("projects").await;

    // The project in works: its figures and its news, the latest first.
    b.click("main table.project-list td.head a").await;
    b.wait_until("a project page", |b| async move {
        !b.all("main ol.timeline").await.is_empty()
    })
    .await;
    let project = b.path().await;
    assert_eq!(b.text("main [data-figure=status]").await, "Travaux");
    assert_eq!(b.text("main [data-figure=progress]").await, "45 %");
    assert_eq!(b.all("main ol.timeline li").await.len(), 3);
    let title = b.text("main h1").await;
    b.shoot_both("project").await;
    b.check_printed_page(&project, &title).await;

    // Following it by mail: a link to confirm, then an active subscription.
    b.fill("main input[name=email]", "awa.ndiaye@example.sn")
        .await;
    b.click("main section.follow button[type=submit]").await;
    b.wait_until("the notice that a mail left", |b| async move {
        !b.all("p.flash").await.is_empty()
    })
    .await;
    assert!(b
        .text("p.flash")
        .await
        .contains("un courriel vient de partir"));
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.to, vec!["awa.ndiaye@example.sn".to_string()]);
    let body = crate::mail::decoded_body(&mail.data);
    let at = body.find("/subscriptions/").expect("a link to confirm");
    let token: String = body[at + 15..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    b.goto(&format!("/{DAKAR}/subscriptions/{token}")).await;
    b.shoot_both("subscription-confirm").await;
    b.click("main button[value=confirm]").await;
    b.wait_until("the subscription confirmed", |b| async move {
        !b.all("main p.good").await.is_empty()
    })
    .await;
    assert!(b
        .text("main p.good")
        .await
        .contains("L’abonnement est actif"));

    // A councillor reports the works finished.
    b.log_in(&demo_email(DAKAR, "councillor"), DEMO_PASSWORD)
        .await;
    b.goto(&project).await;
    b.click("main select[name=status] option[value=done]").await;
    b.fill("main input[name=spent]", "3350000").await;
    b.fill(
        "main textarea[name=note]",
        "Les vingt lampadaires éclairent la rue depuis hier soir.",
    )
    .await;
    b.shoot_both("project-update").await;
    b.click("main section.staff button[type=submit]").await;
    b.wait_until("the project finished", |b| async move {
        // Read through `all`: while the page changes there is no element to read.
        match b.all("main [data-figure=status]").await.first() {
            Some(e) => e.text().await.is_ok_and(|t| t == "Terminé"),
            None => false,
        }
    })
    .await;
    assert_eq!(b.text("main [data-figure=progress]").await, "100 %");
    assert!(
        b.all("main section.staff").await.is_empty(),
        "closed to news"
    );

    let mail = smtp.wait_for(2).await.remove(1);
    assert_eq!(mail.to, vec!["awa.ndiaye@example.sn".to_string()]);
    let body = crate::mail::decoded_body(&mail.data);
    assert!(body.contains("à l’état « Terminé »"), "{body}");
    assert!(body.contains("Les vingt lampadaires"), "{body}");
}

//! Voting over HTTP: a one-time code by e-mail or SMS, the ballot checked against the
//! round's rules in the voter's language, a receipt code shown once, one ballot per
//! person whatever happens, and the ballot found again with the receipt after the close.

use std::collections::BTreeSet;

use commune::audit::Actor;
use commune::communes;
use commune::db;
use commune::money::Xof;
use commune::participation::{phases, proposals, review, setup, BallotScope, Phase};
use reqwest::StatusCode;

use crate::cli::run_cli_with;
use crate::helpers::{demo_email, Client, TestApp, DAKAR};

/// A round open for voting in Plateau and Rebeuss (approval, 1 to 2 projects), with
/// three feasible projects in Plateau and a register of four voters. Returns its id.
fn open_vote(app: &TestApp) -> i64 {
    open_vote_in(&mut app.conn(), &app.db.url())
}

/// [`open_vote`] on any database with the demo.
pub(crate) fn open_vote_in(conn: &mut db::DbConn, db_url: &str) -> i64 {
    let commune = communes::by_slug(conn, DAKAR).unwrap().unwrap();
    let actor = Actor::system("test");
    let districts = communes::districts::list(conn, commune.id).unwrap();
    let pick = |name: &str| districts.iter().find(|d| d.name == name).unwrap();
    let new = setup::NewRound {
        title: "Budget participatif 2027".into(),
        summary: String::new(),
        fiscal_year: 2027,
        ballot: setup::BallotKind::Approval {
            min: 1,
            max: Some(2),
        },
        rule: commune::voting::Rule::Greedy,
        complete_greedy: false,
        score_threshold: None,
        scope: BallotScope::District,
        min_age: Some(16),
        supports: false,
        max_proposal_cost: None,
        dates: vec![],
        areas: ["Plateau", "Rebeuss"]
            .iter()
            .map(|n| setup::NewArea {
                district: Some(pick(n).id),
                name: n.to_string(),
                envelope: setup::Envelope::Fixed(Xof(10_000_000)),
            })
            .collect(),
    };
    let round = db::write_tx(conn, |c| setup::create(c, &commune, &new, &actor)).unwrap();
    let plateau = commune::participation::rounds::areas(conn, round)
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Plateau")
        .unwrap()
        .id;
    let author = commune::accounts::users::by_email(conn, &demo_email(DAKAR, "citizen"))
        .unwrap()
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for (title, cost) in [
        ("Un forage à Kermel", 4_000_000),
        ("Des lampadaires rue Carnot", 3_000_000),
        ("Une classe de plus", 6_000_000),
    ] {
        let p = proposals::NewProposal {
            area: plateau,
            title: title.into(),
            description: "Une description assez longue pour être acceptée.".into(),
            category: proposals::Category::Other,
            place: String::new(),
            estimated_cost: Xof(cost),
        };
        ids.push(
            db::write_tx(conn, |c| {
                proposals::submit(c, &commune, round, author, &p, &actor)
            })
            .unwrap(),
        );
    }
    db::write_tx(conn, |c| {
        phases::advance(c, &commune, round, Phase::Proposals, &actor)
    })
    .unwrap();
    for (id, cost) in ids.iter().zip([4_000_000, 3_000_000, 6_000_000]) {
        let verdict = review::Verdict::Feasible { cost: Xof(cost) };
        db::write_tx(conn, |c| {
            review::review(
                c,
                &commune,
                round,
                *id,
                &verdict,
                "Faisable selon les services techniques.",
                &actor,
            )
        })
        .unwrap();
    }
    db::write_tx(conn, |c| {
        phases::advance(c, &commune, round, Phase::Review, &actor)
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("votants.csv");
    std::fs::write(
        &csv,
        "identifier,name,district,birth_year,phone,email\n\
         V001,Aminata Fall,Plateau,1980,,aminata@example.sn\n\
         V002,Ousmane Sarr,plateau,1975,77 645 12 30,\n\
         V003,Fatou Diop,Rebeuss,1990,,fatou@example.sn\n\
         V004,Moussa Ba,Plateau,2015,,moussa@example.sn\n",
    )
    .unwrap();
    let out = run_cli_with(
        db_url,
        &[
            "import",
            "voters",
            "--commune",
            DAKAR,
            "--round",
            &round.to_string(),
            csv.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    round.0
}

/// The six-digit codes mailed to `to` so far.
fn codes_to(app: &TestApp, to: &str) -> BTreeSet<String> {
    app.outbox_mails()
        .iter()
        .filter(|m| m.contains(&format!("To: {to}")))
        .map(|m| digits(m))
        .collect()
}

/// The code mailed to `to` that is not in `known`, once it has arrived (mail leaves
/// after the answer).
async fn new_code(app: &TestApp, to: &str, known: &BTreeSet<String>) -> String {
    for _ in 0..50 {
        if let Some(code) = codes_to(app, to).difference(known).next() {
            return code.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no new code mailed to {to}");
}

/// The code in the only mail to `to` among `mails`.
pub(super) fn mailed_code_in(mails: Vec<String>, to: &str) -> String {
    let mail = mails
        .into_iter()
        .find(|m| m.contains(&format!("To: {to}")))
        .unwrap_or_else(|| panic!("no mail to {to}"));
    digits(&mail)
}

/// The six-digit code of a mail (a line of its own) or of a text message (the only
/// six-digit word: a phone number is longer).
pub(crate) fn digits(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()));
    let word = || {
        text.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
    };
    line.or_else(word).expect("a six-digit code").to_string()
}

async fn verified(app: &TestApp, round: i64, who: &str, to: &str) -> Client {
    let c = app.visitor();
    c.get("/lang/fr").await;
    let known = codes_to(app, to);
    let res = c
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/vote/code"),
            &[("who", who)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let code = new_code(app, to, &known).await;
    let res = c
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/vote/verify"),
            &[("who", who), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the code works");
    c
}

pub(super) fn receipt_of(page: &str) -> String {
    let at = page.find("data-receipt=\"").expect("a receipt code") + 14;
    page[at..at + 14].to_string()
}

#[actix_web::test]
async fn a_voter_proves_who_they_are_votes_once_and_finds_their_ballot_with_the_receipt() {
    let app = TestApp::spawn().await;
    let round = open_vote(&app);
    let vote = format!("/{DAKAR}/rounds/{round}/vote");

    // A wrong code first: refused, and it counts as a try.
    let c = app.visitor();
    c.get("/lang/fr").await;
    c.post_form(&format!("{vote}/code"), &[("who", "aminata@example.sn")])
        .await;
    let code = new_code(&app, "aminata@example.sn", &BTreeSet::new()).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = c
        .post_form(
            &format!("{vote}/verify"),
            &[("who", "V001"), ("code", wrong)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ce code n’est pas le bon."));
    let res = c
        .post_form(
            &format!("{vote}/verify"),
            &[("who", "V001"), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The ballot: its rules are checked and named, and the choices are kept.
    let ballot = c.text(&vote).await;
    assert!(ballot.contains("Cochez de 1 à 2 projets."));
    let codes: Vec<String> = ["1", "2", "3"].iter().map(|s| s.to_string()).collect();
    let res = c
        .post_form(
            &vote,
            &[("p", &codes[0]), ("p", &codes[1]), ("p", &codes[2])],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Vous avez choisi 3 projets ; c’est au plus 2."),
        "{page}"
    );
    assert_eq!(page.matches(" checked>").count(), 3, "the choices are kept");
    let res = c.post_form(&vote, &[]).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Vous avez choisi 0 projet ; il en faut au moins 1."));

    let res = c
        .post_form(&vote, &[("p", &codes[0]), ("p", &codes[1])])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let page = res.text().await.unwrap();
    assert!(page.contains("Merci, votre vote est enregistré."));
    let receipt = receipt_of(&page);

    // The same person again, with a new code: already voted.
    let again = verified(&app, round, "V001", "aminata@example.sn").await;
    assert!(again.text(&vote).await.contains("Vous avez déjà voté"));
    let res = again.post_form(&vote, &[("p", &codes[2])]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The receipt finds the ballot, before and after the close.
    let v = app.visitor();
    v.get("/lang/fr").await;
    let found = v
        .text(&format!(
            "/{DAKAR}/rounds/{round}/receipt?code={}",
            receipt.to_lowercase()
        ))
        .await;
    assert!(
        found.contains("Ce bulletin est dans l’urne.")
            && found.contains("Il sera compté à la clôture du vote.")
    );
    assert!(found.contains("Un forage à Kermel") && found.contains("Des lampadaires rue Carnot"));
    assert!(!found.contains("Une classe de plus"));
    let unknown = v
        .text(&format!(
            "/{DAKAR}/rounds/{round}/receipt?code=0000-0000-0000"
        ))
        .await;
    assert!(unknown.contains("Aucun bulletin ne correspond à ce code."));

    let councillor = app.login(&demo_email(DAKAR, "councillor")).await;
    let res = councillor
        .post_form(
            &format!("/{DAKAR}/rounds/{round}/advance"),
            &[("seen", "vote")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let found = v
        .text(&format!("/{DAKAR}/rounds/{round}/receipt?code={receipt}"))
        .await;
    assert!(found.contains("Il a été compté dans les résultats publiés"));
    let results: serde_json::Value = v
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
    assert_eq!(plateau["voters"], 1);
    let selected: BTreeSet<&str> = plateau["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(selected, BTreeSet::from(["1", "2"]));
    // The published file lists the ballot under the id the receipt gives.
    let area = plateau["area"].as_i64().unwrap();
    let file = v
        .text(&format!("/{DAKAR}/rounds/{round}/ballots/{area}.pb"))
        .await;
    let public_id = commune::participation::ballots::public_id(&receipt);
    assert!(file.contains(&format!("{public_id};1,2")), "{file}");
}

#[actix_web::test]
async fn codes_go_by_sms_expire_work_once_and_are_limited_to_three_an_hour() {
    let app = TestApp::spawn().await;
    let round = open_vote(&app);
    let vote = format!("/{DAKAR}/rounds/{round}/vote");
    let c = app.visitor();
    c.get("/lang/fr").await;
    // Ousmane has a phone and no e-mail: the code goes by SMS, as he writes his number.
    c.post_form(&format!("{vote}/code"), &[("who", "77 645 12 30")])
        .await;
    let sms_dir = app.outbox.path().join("sms");
    let sms: Vec<String> = std::fs::read_dir(&sms_dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(sms.len(), 1);
    assert!(sms[0].starts_with("To: +221776451230\n"), "{}", sms[0]);
    assert!(sms[0].contains("Votre code pour voter"));
    let code = digits(&sms[0]);

    // Expired codes do not work.
    {
        use commune::db::schema::voter_codes;
        use diesel::prelude::*;
        diesel::update(voter_codes::table)
            .set(
                voter_codes::expires_at.eq(chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()),
            )
            .execute(&mut app.conn())
            .unwrap();
    }
    let res = c
        .post_form(
            &format!("{vote}/verify"),
            &[("who", "V002"), ("code", &code)],
        )
        .await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ce code n’est plus valable."));

    // A fresh one works once.
    c.post_form(&format!("{vote}/code"), &[("who", "V002")])
        .await;
    let newest = std::fs::read_dir(&sms_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let code = digits(&std::fs::read_to_string(newest).unwrap());
    let res = c
        .post_form(
            &format!("{vote}/verify"),
            &[("who", "V002"), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let other = app.visitor();
    other.get("/lang/fr").await;
    let res = other
        .post_form(
            &format!("{vote}/verify"),
            &[("who", "V002"), ("code", &code)],
        )
        .await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ce code n’est plus valable."));

    // A third code in the hour is sent; a fourth is refused.
    let res = other
        .post_form(&format!("{vote}/code"), &[("who", "V002")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = other
        .post_form(&format!("{vote}/code"), &[("who", "V002")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Trois codes ont déjà été envoyés dans l’heure."));

    // Someone not on the register gets the same answer as a voter, and no code.
    let before = app.outbox_mails().len();
    let res = other
        .post_form(&format!("{vote}/code"), &[("who", "inconnu@example.sn")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Si vous êtes sur la liste des votants"));
    assert_eq!(app.outbox_mails().len(), before);

    // Moussa, born in 2015, is too young for this round.
    let young = verified(&app, round, "V004", "moussa@example.sn").await;
    let res = young.post_form(&vote, &[("p", "1")]).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ce vote est ouvert à partir de 16 ans."));
}

#[actix_web::test]
async fn a_hundred_attempts_at_once_by_one_voter_leave_exactly_one_ballot() {
    let app = TestApp::spawn().await;
    let round = open_vote(&app);
    let vote = format!("/{DAKAR}/rounds/{round}/vote");
    let c = verified(&app, round, "V001", "aminata@example.sn").await;
    let c = &c;
    let (vote, token) = (&vote, &c.csrf().await);
    let attempts = (0..100).map(|_| async move {
        c.post_raw(vote, &[("_csrf", token.as_str()), ("p", "1")])
            .await
            .status()
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK
        || *s == StatusCode::UNPROCESSABLE_ENTITY
        || *s == StatusCode::SEE_OTHER));
    use commune::db::schema::{ballots, participations};
    use diesel::prelude::*;
    let mut conn = app.conn();
    let n_ballots: i64 = ballots::table
        .filter(ballots::round_id.eq(round))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let n_votes: i64 = participations::table
        .filter(participations::round_id.eq(round))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!((n_ballots, n_votes), (1, 1));
}

#[actix_web::test]
async fn a_voter_register_with_a_bad_row_is_refused_whole_on_the_web_and_a_good_one_is_imported() {
    let app = TestApp::spawn().await;
    let round = open_vote(&app);
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    c.get("/lang/fr").await;
    let page = format!("/{DAKAR}/rounds/{round}/voters");
    assert!(c.text(&page).await.contains("4 personnes inscrites"));
    let token = c.csrf().await;
    let send = |csv: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.as_bytes()).file_name("votants.csv"),
            );
        c.http
            .post(format!("{}{page}", c.base))
            .multipart(form)
            .send()
    };
    let res = send(
        "identifier,name,district,birth_year,phone,email\n\
         V010,Awa Ndiaye,Plateau,1988,,awa@example.sn\n\
         V011,Ibrahima Faye,Nulle-Part,1970,,ibou@example.sn\n\
         V001,Aminata Fall,Plateau,1980,,aminata@example.sn\n\
         V012,Khady Sow,Plateau,1992,,\n",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report = res.text().await.unwrap();
    assert!(report.contains("Ce quartier n’est pas une zone de vote de ce budget participatif."));
    assert!(report.contains("Ce numéro d’inscription figure déjà sur la liste."));
    assert!(report.contains("Chaque votant a besoin d’un téléphone ou d’une adresse e-mail"));
    assert!(
        c.text(&page).await.contains("4 personnes inscrites"),
        "nothing was written"
    );
    let res = send("identifier;name;district;birth_year;phone;email\nV010;Awa Ndiaye;Plateau;1988;;awa@example.sn\n")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("1 votant importé depuis votants.csv."));
    assert!(c.text(&page).await.contains("5 personnes inscrites"));
}

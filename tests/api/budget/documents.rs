//! A budget document's life through the domain's functions, on the test database:
//! drafted, the participatory winners brought in on the capital articles of their
//! topics, refused while a section does not balance, proposed, voted, approved and
//! published as a snapshot whose SHA-256 is the hash of its CSV; nothing changes after.

use commune::audit::Actor;
use commune::budget::documents::{self, Kind, Status, Vote};
use commune::communes;
use commune::db;
use commune::error::DomainError;
use commune::money::Xof;
use commune::participation::{rounds, Phase};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, DAKAR};

fn keys(e: DomainError) -> Vec<&'static str> {
    match e {
        DomainError::Invalid(v) => v.iter().map(|r| r.key).collect(),
        DomainError::Refused(r) => vec![r.key],
        DomainError::Db(e) => panic!("database error: {e}"),
    }
}

#[actix_web::test]
async fn a_budget_with_the_citizens_projects_is_proposed_once_balanced_then_voted_approved_and_published(
) {
    let app = TestApp::spawn().await;
    let conn = &mut app.conn();
    let commune = communes::by_slug(conn, DAKAR).unwrap().unwrap();
    let actor = Actor::system("test");
    let round = rounds::list(conn, commune.id)
        .unwrap()
        .into_iter()
        .find(|r| r.phase == Phase::Implementation)
        .expect("the demo's round in implementation")
        .id;
    let year = i64::from(chrono::Datelike::year(&commune.today())) + 1;
    let doc = db::write_tx(conn, |c| {
        documents::create(c, &commune, year, Kind::Primitif, "Budget primitif", &actor)
    })
    .unwrap();

    // The winners come in once, on the capital articles of their topics.
    let added = db::write_tx(conn, |c| {
        documents::bring_winners(c, &commune, doc, round, &actor)
    })
    .unwrap();
    assert!(added >= 2, "{added}");
    let again = db::write_tx(conn, |c| {
        documents::bring_winners(c, &commune, doc, round, &actor)
    })
    .unwrap();
    assert_eq!(again, 0, "a winner comes in once");
    let lines = documents::lines(conn, doc).unwrap();
    let projects: i64 = lines
        .iter()
        .filter(|l| l.project_id.is_some())
        .map(|l| l.amount)
        .sum();
    assert!(lines
        .iter()
        .all(|l| l.round_id == Some(round) && l.article.starts_with("21")));

    // Operating: 120 of revenue for 70 of spending and 50 transferred.
    for (article, amount) in [
        ("7011", 100_000_000),
        ("7411", 20_000_000),
        ("6011", 40_000_000),
        ("6111", 30_000_000),
        ("6911", 50_000_000),
        ("1011", 50_000_000),
    ] {
        db::write_tx(conn, |c| {
            documents::set_line(c, &commune, doc, article, Xof(amount), &actor)
        })
        .unwrap();
    }
    // The capital section lacks the money for the projects beyond the transfer.
    let refused = db::write_tx(conn, |c| documents::propose(c, &commune, doc, &actor)).unwrap_err();
    assert_eq!(keys(refused), ["budget.balance.capital"]);
    db::write_tx(conn, |c| {
        documents::set_line(c, &commune, doc, "2191", Xof(50_000_000), &actor)?;
        documents::set_line(c, &commune, doc, "1311", Xof(projects), &actor)
    })
    .unwrap();
    db::write_tx(conn, |c| documents::propose(c, &commune, doc, &actor)).unwrap();

    // Proposed: the lines are closed.
    let late = db::write_tx(conn, |c| {
        documents::set_line(c, &commune, doc, "7011", Xof(1), &actor)
    })
    .unwrap_err();
    assert_eq!(keys(late), ["budget.doc.not_draft"]);

    // The council votes it; the tutelle approves it; it is published.
    let vote = Vote {
        on: commune.today(),
        deliberation: "2026-045".into(),
        votes_for: 31,
        against: 4,
        abstentions: 2,
    };
    let status = db::write_tx(conn, |c| {
        documents::record_vote(c, &commune, doc, &vote, &actor)
    })
    .unwrap();
    assert_eq!(status, Status::Voted);
    let early = db::write_tx(conn, |c| documents::publish(c, &commune, doc, &actor)).unwrap_err();
    assert_eq!(
        keys(early),
        ["budget.doc.wrong_step"],
        "published before approval"
    );
    db::write_tx(conn, |c| {
        documents::approve(
            c,
            &commune,
            doc,
            commune.today(),
            "Arrêté préfectoral n° 112",
            &actor,
        )
    })
    .unwrap();
    let published = db::write_tx(conn, |c| documents::publish(c, &commune, doc, &actor)).unwrap();
    assert_eq!(published.status, Status::Published);
    let csv = published.published_csv.clone().unwrap();
    assert_eq!(
        published.csv_sha256.as_deref().unwrap(),
        hex::encode(Sha256::digest(csv.as_bytes()))
    );
    let (seq, head) = communes::journal_head(conn, commune.id).unwrap();
    assert_eq!(
        (published.audit_seq, published.audit_head.as_deref()),
        (Some(seq), Some(head.as_str()))
    );
    assert_eq!(
        csv.lines().count(),
        1 + documents::lines(conn, doc).unwrap().len()
    );
    assert!(csv.contains(",investissement,depense,21,2131,"), "{csv}");

    // A published document never changes.
    let again = db::write_tx(conn, |c| documents::publish(c, &commune, doc, &actor)).unwrap_err();
    assert_eq!(keys(again), ["budget.doc.wrong_step"]);
    let changed = db::write_tx(conn, |c| {
        documents::set_line(c, &commune, doc, "6011", Xof(1), &actor)
    })
    .unwrap_err();
    assert_eq!(keys(changed), ["budget.doc.not_draft"]);
}

#[actix_web::test]
async fn a_budget_the_council_rejects_goes_back_to_draft() {
    let app = TestApp::spawn().await;
    let conn = &mut app.conn();
    let commune = communes::by_slug(conn, DAKAR).unwrap().unwrap();
    let actor = Actor::system("test");
    let doc = db::write_tx(conn, |c| -> commune::error::DomainResult<_> {
        let doc = documents::create(
            c,
            &commune,
            2030,
            Kind::Primitif,
            "Budget primitif 2030",
            &actor,
        )?;
        for (article, amount) in [("7011", 10), ("6011", 10)] {
            documents::set_line(c, &commune, doc, article, Xof(amount), &actor)?;
        }
        documents::propose(c, &commune, doc, &actor)?;
        Ok(doc)
    })
    .unwrap();
    let mut vote = Vote {
        on: commune.today() + chrono::Days::new(3),
        deliberation: String::new(),
        votes_for: 5,
        against: 20,
        abstentions: -1,
    };
    let refused = db::write_tx(conn, |c| {
        documents::record_vote(c, &commune, doc, &vote, &actor)
    })
    .unwrap_err();
    assert_eq!(
        keys(refused),
        [
            "budget.vote.future",
            "budget.vote.deliberation",
            "budget.vote.counts"
        ]
    );
    vote.on = commune.today();
    vote.deliberation = "2030-001".into();
    vote.abstentions = 0;
    let status = db::write_tx(conn, |c| {
        documents::record_vote(c, &commune, doc, &vote, &actor)
    })
    .unwrap();
    assert_eq!(
        status,
        Status::Draft,
        "rejected: back to the finance officer"
    );
    db::write_tx(conn, |c| {
        documents::set_line(c, &commune, doc, "7011", Xof(12), &actor)
    })
    .unwrap();
}

/// Each demo commune: the two past years voted and published, the earlier with its
/// compte administratif equal to its execution records; this year published and in
/// execution; next year's draft holding the winners of its round in implementation.
/// Their portals answer in French and in English.
#[actix_web::test]
async fn each_demo_commune_has_past_budgets_an_account_a_year_in_execution_and_a_draft() {
    use commune::budget::{execution, spending};
    let app = TestApp::spawn().await;
    let conn = &mut app.conn();
    for slug in [DAKAR, "abomey-calavi"] {
        let commune = communes::by_slug(conn, slug).unwrap().unwrap();
        let year = i64::from(chrono::Datelike::year(&commune.today()));
        let docs = documents::list(conn, commune.id).unwrap();
        let find = |y: i64, kind: Kind| {
            docs.iter()
                .find(|d| d.fiscal_year == y && d.kind == kind)
                .unwrap_or_else(|| panic!("{slug}: no {kind:?} for {y}"))
        };
        for y in [year - 2, year - 1, year] {
            let d = find(y, Kind::Primitif);
            assert_eq!(d.status, Status::Published, "{slug} {y}");
            assert!(d.deliberation.is_some() && d.approval_ref.is_some());
        }
        // The earlier year's account is the sum of its records.
        let account = find(year - 2, Kind::CompteAdministratif);
        assert_eq!(account.status, Status::Published);
        let lines = documents::lines(conn, account.id).unwrap();
        let ordered = spending::ordered_by_article(conn, commune.id, year - 2).unwrap();
        for (article, amount) in &ordered {
            let line: i64 = lines
                .iter()
                .filter(|l| &l.article == article)
                .map(|l| l.amount)
                .sum();
            assert_eq!(line, *amount, "{slug}: account line {article}");
        }
        let titles = spending::titles_by_article(conn, commune.id, year - 2).unwrap();
        let collected = execution::collected(conn, commune.id, year - 2).unwrap();
        let revenue: i64 = titles.iter().chain(&collected).map(|(_, v)| v.0).sum();
        let spent: i64 = ordered.iter().map(|(_, v)| v).sum();
        let total: i64 = lines.iter().map(|l| l.amount).sum();
        assert_eq!(
            total,
            revenue + spent,
            "{slug}: nothing retyped, nothing left out"
        );
        // This year is in execution: commitments, mandats, some paid, some not.
        let rows = spending::by_article(conn, &commune, year).unwrap();
        let sum = |f: fn(&spending::Execution) -> i64| rows.iter().map(f).sum::<i64>();
        assert!(sum(|e| e.committed) > 0 && sum(|e| e.committed) <= sum(|e| e.credit));
        assert!(sum(|e| e.paid) > 0 && sum(|e| e.paid) < sum(|e| e.ordered));
        // Next year's draft holds the winners.
        let draft = find(year + 1, Kind::Primitif);
        assert_eq!(draft.status, Status::Draft);
        let lines = documents::lines(conn, draft.id).unwrap();
        assert!(lines.iter().filter(|l| l.project_id.is_some()).count() >= 2);

        let v = app.visitor();
        let page = v.text(&format!("/{slug}/budget")).await;
        assert!(page.contains(&format!("Budget {year}")), "{slug}: {page}");
        assert!(page.contains("spending-execution"), "{slug}");
        let en = v
            .get_with_language(&format!("/{slug}/budget/{}", year - 2), "en")
            .await
            .text()
            .await
            .unwrap();
        assert!(en.contains("Compte administratif"), "{slug}: {en}");
    }
}

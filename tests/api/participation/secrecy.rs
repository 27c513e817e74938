//! The secret ballot, checked from outside: the schema, the published ballot file and
//! the server's whole log (at debug level) of a voting session hold no link between a
//! voter and their ballot.

use commune::db;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::voting::{mailed_code_in, open_vote_in, receipt_of};
use crate::cli::Serve;
use crate::helpers::{Client, TestDb, DAKAR};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

fn columns(conn: &mut db::DbConn, table: &str) -> Vec<String> {
    let sql = match conn {
        db::DbConn::Sqlite(_) => {
            format!("SELECT name FROM pragma_table_info('{table}') ORDER BY name")
        }
        db::DbConn::Pg(_) => format!(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_name = '{table}' ORDER BY column_name"
        ),
    };
    diesel::sql_query(sql)
        .load::<Column>(conn)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[actix_web::test]
async fn no_table_no_export_and_no_log_line_links_a_voter_to_a_ballot() {
    // A real server, logging everything at debug level, on a database of this test's.
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new();
    let url = test_db.url();
    let log = dir.path().join("serve.log");
    let mut serve = Serve::start_with(
        dir.path(),
        &["--demo"],
        &[
            ("COMMUNE_DATABASE_URL", url.clone()),
            ("RUST_LOG", "debug".into()),
        ],
        Some(std::fs::File::create(&log).unwrap()),
    );
    serve.until("citoyen@dakar-plateau.demo");
    let mut conn = db::open_one(&url, db::Create::Refused).unwrap();
    let round = open_vote_in(&mut conn, &url);

    // Two voters vote through the web, as anyone would.
    let base = format!("http://127.0.0.1:{}", serve.port);
    // A voter votes through the web, as anyone would, and checks the receipt.
    let c = Client::new(&base);
    let vote = format!("/{DAKAR}/rounds/{round}/vote");
    c.post_form(&format!("{vote}/code"), &[("who", "V001")])
        .await;
    // The mail leaves after the answer: wait for it.
    let mut mails = Vec::new();
    for _ in 0..50 {
        mails = std::fs::read_dir(dir.path().join("outbox"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let code = mailed_code_in(mails, "aminata@example.sn");
    c.post_form(
        &format!("{vote}/verify"),
        &[("who", "V001"), ("code", &code)],
    )
    .await;
    let page = c
        .post_form(&vote, &[("p", "1")])
        .await
        .text()
        .await
        .unwrap();
    let receipts = [receipt_of(&page)];
    c.get(&format!(
        "/{DAKAR}/rounds/{round}/receipt?code={}",
        receipts[0]
    ))
    .await;
    // Close the vote and publish.
    {
        use commune::participation::{phases, Phase};
        let commune = commune::communes::by_slug(&mut conn, DAKAR)
            .unwrap()
            .unwrap();
        let actor = commune::audit::Actor::system("test");
        db::write_tx(&mut conn, |c| {
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
    let c = Client::new(&base);
    let results = c
        .text(&format!("/api/v1/{DAKAR}/rounds/{round}/results"))
        .await;
    let area = results
        .split("\"area\":")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .trim()
        .to_string();
    let file = c
        .text(&format!("/{DAKAR}/rounds/{round}/ballots/{area}.pb"))
        .await;
    serve.stop();

    // The schema: a ballot has no voter, no time and no sequence; a participation has no
    // ballot and no time.
    assert_eq!(
        columns(&mut conn, "ballots"),
        [
            "area_id",
            "channel",
            "choices",
            "points",
            "public_id",
            "round_id"
        ]
    );
    assert_eq!(
        columns(&mut conn, "participations"),
        ["channel", "round_id", "voter_id"]
    );
    if !test_db.is_postgres() {
        assert!(
            diesel::sql_query("SELECT rowid FROM ballots")
                .execute(&mut conn)
                .is_err(),
            "a rowid would keep the order in which ballots were cast"
        );
    }

    // The published file: ballots under their public ids, in the order of those ids,
    // with nothing of the voters.
    let public_id = commune::participation::ballots::public_id(&receipts[0]);
    assert!(file.contains(&format!("{public_id};1")), "{file}");
    for secret in [
        "V001",
        "Aminata",
        "aminata@example.sn",
        "Ousmane",
        "+221776451230",
        &receipts[0],
    ] {
        assert!(!file.contains(secret), "the ballot file holds {secret}");
    }

    // The log of the whole session: neither the receipt nor the ballot's public id.
    let log = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).to_string();
    assert!(log.contains("/vote/verify"), "the session is in the log");
    assert!(
        log.contains("/receipt?code=[redacted]"),
        "the receipt lookup is, redacted"
    );
    for secret in [receipts[0].as_str(), public_id.as_str()] {
        let leaks: Vec<&str> = log.lines().filter(|l| l.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "{} log lines hold {secret}: {:?}",
            leaks.len(),
            leaks.first()
        );
    }
}

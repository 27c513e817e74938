//! Rounds imported from real pabulib elections: the published result is the official
//! one, the downloaded ballots count to it again, and a round shows its ballots only
//! once its vote is closed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use commune::voting::read_pb_file;
use reqwest::StatusCode;
use serde_json::Value;

use crate::cli::run_cli;
use crate::helpers::{manifest_dir, TestApp, DAKAR};

const FILES: [&str; 10] = [
    "Netherlands_Assen_2024.pb",
    "Poland_Czestochowa_2024_Dzbow.pb",
    "Poland_Czestochowa_2025_Gnaszyn_-_Kawodrza.pb",
    "Poland_Gdynia_2020_Grabowek__large.pb",
    "Poland_Lodz_2020_Gorniak.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Warszawa_2017_Stara_Milosna.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Wroclaw_2018_Rejon_nr_8_250.pb",
];

fn data(file: &str) -> PathBuf {
    manifest_dir().join("tests/data").join(file)
}

/// Imports a file with the command line; returns the round id and its printed address.
fn import(app: &TestApp, file: &str) -> (i64, String) {
    let path = data(file);
    let out = run_cli(
        app,
        &[
            "import",
            "round",
            "--commune",
            DAKAR,
            path.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    let id: i64 = lines
        .next()
        .and_then(|l| l.strip_prefix("round "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no round id in {stdout:?}"));
    let url = lines.next().unwrap_or_default().to_string();
    (id, url)
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

async fn results(app: &TestApp, round: i64) -> Value {
    let res = app
        .visitor()
        .get(&format!("/api/v1/{DAKAR}/rounds/{round}/results"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[actix_web::test]
async fn each_of_the_ten_elections_imports_as_a_finished_round_that_publishes_its_official_outcome()
{
    let app = TestApp::spawn().await;
    for file in FILES {
        let e = read_pb_file(&data(file)).unwrap();
        let official: BTreeSet<String> = e
            .official_selection()
            .unwrap()
            .into_iter()
            .map(|p| e.projects[p].id.clone())
            .collect();
        let (round, url) = import(&app, file);
        assert!(url.ends_with(&format!("/{DAKAR}/rounds/{round}")), "{url}");

        let body = results(&app, round).await;
        let district = &body["districts"][0];
        assert_eq!(body["districts"].as_array().unwrap().len(), 1, "{file}");
        assert_eq!(ids(&district["selected"]), official, "{file}");
        assert_eq!(district["voters"], e.ballots.len(), "{file}");
        assert_eq!(district["budget"], e.budget, "{file}");
        let cost: u64 = official
            .iter()
            .map(|id| e.projects[e.project_index(id).unwrap()].cost)
            .sum();
        assert_eq!(district["cost"], cost, "{file}");

        // The public page names every winner and explains every project.
        let page = app
            .visitor()
            .text(&format!("/{DAKAR}/rounds/{round}"))
            .await;
        for id in &official {
            assert!(
                page.contains(&format!("data-project=\"{id}\"")),
                "{file}: {id}"
            );
        }
        let explained = page.matches("class=\"why\"").count();
        assert_eq!(explained, e.projects.len(), "{file}");
    }
    let list = app.visitor().text(&format!("/{DAKAR}/rounds")).await;
    assert_eq!(
        list.matches("data-round=").count(),
        FILES.len() + 2,
        "the ten, and the demo's two"
    );
}

#[actix_web::test]
async fn the_downloaded_ballots_count_again_to_the_published_result_with_commune_tally() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "Poland_Wieliczka_2023_Green_Budget.pb",
        "Poland_Czestochowa_2025_Gnaszyn_-_Kawodrza.pb",
        "Poland_Wroclaw_2018_Rejon_nr_8_250.pb",
    ] {
        let (round, _) = import(&app, file);
        let body = results(&app, round).await;
        let district = &body["districts"][0];
        let area = district["area"].as_i64().unwrap();

        // The public download, as anyone would fetch it.
        let res = app
            .visitor()
            .get(&format!("/{DAKAR}/rounds/{round}/ballots/{area}.pb"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let downloaded = res.text().await.unwrap();
        let path = dir.path().join(format!("{round}.pb"));
        std::fs::write(&path, &downloaded).unwrap();
        let out = run_cli(&app, &["tally", path.to_str().unwrap(), "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tally: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            ids(&tally["selected"]),
            ids(&district["selected"]),
            "{file}"
        );
        assert_eq!(tally["rule"], district["rule"], "{file}");
        assert_eq!(tally["voters"], district["voters"], "{file}");

        // The command line writes the same file.
        let exported = dir.path().join(format!("{round}-cli.pb"));
        let out = run_cli(
            &app,
            &[
                "export",
                "ballots",
                "--commune",
                DAKAR,
                "--round",
                &round.to_string(),
                "--out",
                exported.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read_to_string(&exported).unwrap(), downloaded);
    }
}

#[actix_web::test]
async fn a_round_whose_vote_is_not_closed_publishes_neither_ballots_nor_results() {
    let app = TestApp::spawn().await;
    let (round, _) = import(&app, "Netherlands_Assen_2024.pb");
    let area = results(&app, round).await["districts"][0]["area"]
        .as_i64()
        .unwrap();
    {
        use commune::db::schema::rounds;
        use diesel::prelude::*;
        diesel::update(rounds::table.find(round))
            .set(rounds::phase.eq("vote"))
            .execute(&mut app.conn())
            .unwrap();
    }
    let c = app.visitor();
    let ballots = c
        .get(&format!("/{DAKAR}/rounds/{round}/ballots/{area}.pb"))
        .await;
    assert_eq!(ballots.status(), StatusCode::NOT_FOUND);
    let api = c
        .get(&format!("/api/v1/{DAKAR}/rounds/{round}/results"))
        .await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    c.get("/lang/fr").await;
    let page = c.text(&format!("/{DAKAR}/rounds/{round}")).await;
    assert!(page.contains("Les résultats seront publiés à la clôture du vote."));
    assert!(!page.contains("class=\"why\""));
    let out = run_cli(
        &app,
        &[
            "export",
            "ballots",
            "--commune",
            DAKAR,
            "--round",
            &round.to_string(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("once the vote is closed"));
}

#[actix_web::test]
async fn a_file_the_engine_cannot_count_is_refused_with_its_reason_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("Netherlands_Assen_2024.pb"))
        .unwrap()
        .replace("rule;equalshares/add1", "rule;borda");
    let path = dir.path().join("borda.pb");
    std::fs::write(&path, text).unwrap();
    let out = run_cli(
        &app,
        &[
            "import",
            "round",
            "--commune",
            DAKAR,
            path.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Règle « borda » inconnue"), "{err}");
    let c = app.visitor();
    c.get("/lang/fr").await;
    let list = c.text(&format!("/{DAKAR}/rounds")).await;
    assert_eq!(
        list.matches("data-round=").count(),
        2,
        "the demo's two only"
    );
}

#[actix_web::test]
async fn a_round_page_explains_each_result_in_french_and_in_english() {
    let app = TestApp::spawn().await;
    let (round, _) = import(&app, "Poland_Wieliczka_2023_Green_Budget.pb");
    let c = app.visitor();
    c.get("/lang/fr").await;
    let fr = c.text(&format!("/{DAKAR}/rounds/{round}")).await;
    assert!(
        fr.contains("Retenu au tour 1 : chaque soutien a payé au plus"),
        "{fr}"
    );
    assert!(fr.contains("Ce qu’aurait choisi la règle gloutonne"));
    assert!(fr.contains("<svg class=\"chart\""));
    assert!(
        fr.contains("5414 (82,2\u{A0}%)"),
        "voters with a project chosen"
    );
    // An exact price is written with the language's decimal mark and the currency.
    assert!(fr.contains("chaque soutien a payé au plus 6,94\u{A0}PLN (le prix ρ)"));
    c.get("/lang/en").await;
    let en = c.text(&format!("/{DAKAR}/rounds/{round}")).await;
    assert!(en.contains("Chosen in round 1: each supporter paid at most"));
    assert!(en.contains("PLN\u{A0}995,079"));
    assert!(en.contains("each supporter paid at most PLN\u{A0}6.94 (the price ρ)"));
}

//! The `commune tally` command, run as a real process.

use std::process::{Command, Output};

use serde_json::Value;

use crate::data_path;

fn commune(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commune"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn tally(file: &str, extra: &[&str]) -> Output {
    let path = data_path(file);
    let mut args = vec!["tally", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    commune(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn tally_json_prints_one_object_with_the_outcome_and_every_explanation() {
    let out = tally("Netherlands_Assen_2024.pb", &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["rule"], "mes-add1e",
        "the file's META rule is the default"
    );
    assert_eq!(
        v["selected"],
        serde_json::json!(["3", "9", "2", "11", "13", "14", "5", "6", "12"])
    );
    assert_eq!(
        (v["cost"].as_u64(), v["budget"].as_u64()),
        (Some(76_700), Some(100_000))
    );
    assert_eq!(
        (v["voters"].as_u64(), v["voters_with_none"].as_u64()),
        (Some(84), Some(5))
    );
    assert_eq!(v["left_over"], 23_300);
    let projects = v["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 14);
    let p3 = projects.iter().find(|p| p["id"] == "3").unwrap();
    assert_eq!(p3["explanation"]["kind"], "mes_won");
    assert_eq!(p3["explanation"]["round"], 1);
    assert_eq!(p3["explanation"]["price_per_supporter"]["exact"], "7200/43");
    let p8 = projects.iter().find(|p| p["id"] == "8").unwrap();
    assert_eq!(p8["explanation"]["kind"], "mes_lost");
    assert_eq!(p8["explanation"]["outbid_by"], "11");
    assert!(p8["text"].as_str().unwrap().contains("outbid"));
    assert_eq!(v["ties"][0]["decided_by"], "lower_cost");
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert_eq!(stderr(&out), "");
}

#[test]
fn tally_prints_a_readable_table_by_default() {
    let out = tally("Poland_Warszawa_2017_Stara_Milosna.pb", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Rule: greedy (the file says greedy)"),
        "{text}"
    );
    assert!(
        text.contains("Budget 309914 PLN; selected 10 projects"),
        "{text}"
    );
    assert!(
        text.contains("Selected: ranked #1 with 455 votes; 309914 was left when its turn came."),
        "{text}"
    );
    assert!(
        text.contains("got at least one project they voted for"),
        "{text}"
    );
}

#[test]
fn tally_accepts_another_rule_and_a_greedy_completion() {
    let out = tally(
        "Poland_Wieliczka_2023_Green_Budget.pb",
        &["--rule", "mes", "--complete", "greedy", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (v["rule"].as_str(), v["completion"].as_str()),
        (Some("mes"), Some("greedy"))
    );
    let completed = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["completion"]["verdict"] == "selected")
        .count();
    assert!(completed > 0);
    assert_eq!(v["selected"].as_array().unwrap().len(), 21 + completed);
}

#[test]
fn tally_of_a_malformed_file_fails_with_the_line_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.pb");
    std::fs::write(&path, "META\nkey;value\nbudget;100\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost\na;ten\n").unwrap();
    let out = commune(&["tally", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("line 8: cost: \"ten\" is not a non-negative number"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn tally_of_a_missing_file_fails_clearly() {
    let out = commune(&["tally", "/nonexistent/election.pb"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot read /nonexistent/election.pb"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tally_with_an_unknown_rule_fails_and_lists_the_rules() {
    let out = tally("Netherlands_Assen_2024.pb", &["--rule", "borda"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("unknown rule \"borda\"") && err.contains("mes-add1e"),
        "{err}"
    );
    let out = tally("Netherlands_Assen_2024.pb", &["--complete", "phragmen"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("the only completion is greedy"));
}

#[test]
fn tally_of_a_file_whose_rule_commune_does_not_know_asks_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unknown-rule.pb");
    let text = std::fs::read_to_string(data_path("Poland_Lodz_2020_Gorniak.pb")).unwrap();
    std::fs::write(&path, text.replace("rule;greedy-threshold", "rule;unknown")).unwrap();
    let out = commune(&["tally", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "the file's rule \"unknown\" is not one Commune knows; choose one with --rule"
        ),
        "{}",
        stderr(&out)
    );
    let out = commune(&["tally", path.to_str().unwrap(), "--rule", "greedy"]);
    assert!(out.status.success());
}

/// An excerpt of Warsaw 2022 Wola, whose voter 37051 voted `147,1040,1040`
/// (see its META `excerpt`).
const WOLA: &str = "Poland_Warszawa_2022_Wola_excerpt.pb";

fn tally_json_of(path: &std::path::Path) -> Value {
    let out = commune(&["tally", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn tally_json_of_a_real_vote_naming_a_project_twice_counts_it_once_and_says_so() {
    let mut v = tally_json_of(&data_path(WOLA));
    assert_eq!(
        v["warnings"],
        serde_json::json!([{
            "line": 183,
            "voter_id": "37051",
            "project": "1040",
            "times": 2,
            "counted": "once",
            "message": "line 183: voter \"37051\"'s vote names project \"1040\" twice; counted once",
        }])
    );
    let project = |v: &Value, id: &str| {
        v["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    // 50 votes for 1040, as pabutools 1.2.3 counts them, not 51.
    assert_eq!(project(&v, "1040")["votes"], 50);

    let text = std::fs::read_to_string(data_path(WOLA)).unwrap();
    let by_hand = text.replace("\n37051;147,1040,1040;", "\n37051;147,1040;");
    assert_ne!(by_hand, text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(WOLA);
    std::fs::write(&path, by_hand).unwrap();
    let mut w = tally_json_of(&path);
    assert_eq!(w["warnings"], serde_json::json!([]));
    for key in ["file", "warnings"] {
        v[key] = Value::Null;
        w[key] = Value::Null;
    }
    assert_eq!(v, w, "the same tally as the file de-duplicated by hand");
}

#[test]
fn tally_prints_a_warning_line_on_stderr_for_a_vote_naming_a_project_twice() {
    let out = tally(WOLA, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = data_path(WOLA);
    assert_eq!(
        stderr(&out),
        format!(
            "warning: {}: line 183: voter \"37051\"'s vote names project \"1040\" twice; counted once\n",
            path.display()
        )
    );
    assert!(stdout(&out).contains("Rule: greedy"), "{}", stdout(&out));
}

#[test]
fn tally_shows_the_first_few_of_many_warnings_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.pb");
    let votes: String = (1..=7).map(|i| format!("{i};a,b,a\n")).collect();
    std::fs::write(&path, format!("META\nkey;value\nbudget;100\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost\na;60\nb;50\nVOTES\nvoter_id;vote\n{votes}")).unwrap();
    let out = commune(&["tally", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(
        lines[0].ends_with("line 12: voter \"1\"'s vote names project \"a\" twice; counted once")
    );
    assert!(
        lines[3].ends_with(
            "4 more warnings of the same kinds, counted the same way (--json lists them all)"
        ),
        "{err}"
    );
    let v = tally_json_of(&path);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 7);
    assert_eq!(v["projects"][0]["votes"], 7);
}

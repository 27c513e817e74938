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

//! Commune against the official outcomes of real elections (pabulib) and
//! against pabutools 1.2.3 (reference outcomes computed once by
//! scripts/pabutools_reference.py and checked in).

use std::collections::BTreeSet;

use commune::voting::rules::{tally, Rule};

use crate::{ids, load};

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

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn selected_set(file: &str, rule: Rule) -> (BTreeSet<String>, u64) {
    let e = load(file);
    let out = tally(&e, rule, false).unwrap();
    (ids(&e, &out.selected).into_iter().collect(), out.cost)
}

/// Tallies a file under its own META rule and compares with its `selected` column.
fn reproduces_the_official_outcome(file: &str) -> Rule {
    let e = load(file);
    let rule = Rule::from_pabulib(e.rule.as_deref().unwrap_or("")).unwrap();
    let out = tally(&e, rule, false).unwrap();
    let official = e.official_selection().unwrap();
    let got: BTreeSet<usize> = out.selected.iter().copied().collect();
    assert_eq!(got, official.into_iter().collect(), "{file} under {rule}");
    rule
}

#[test]
fn warszawa_2017_greedy_reproduces_the_official_outcome() {
    assert_eq!(
        reproduces_the_official_outcome("Poland_Warszawa_2017_Stara_Milosna.pb"),
        Rule::Greedy
    );
}

#[test]
fn czestochowa_2024_greedy_by_points_reproduces_the_official_outcome() {
    assert_eq!(
        reproduces_the_official_outcome("Poland_Czestochowa_2024_Dzbow.pb"),
        Rule::Greedy
    );
}

#[test]
fn gdynia_2020_greedy_no_skip_reproduces_the_official_outcome() {
    assert_eq!(
        reproduces_the_official_outcome("Poland_Gdynia_2020_Grabowek__large.pb"),
        Rule::GreedyNoSkip
    );
}

#[test]
fn wroclaw_2018_choose_1_greedy_no_skip_reproduces_the_official_outcome() {
    assert_eq!(
        reproduces_the_official_outcome("Poland_Wroclaw_2018_Rejon_nr_8_250.pb"),
        Rule::GreedyNoSkip
    );
}

#[test]
fn lodz_2020_greedy_threshold_reproduces_the_official_outcome() {
    assert_eq!(
        reproduces_the_official_outcome("Poland_Lodz_2020_Gorniak.pb"),
        Rule::GreedyThreshold
    );
}

#[test]
fn czestochowa_2025_greedy_threshold_by_points_reproduces_the_official_outcome() {
    let file = "Poland_Czestochowa_2025_Gnaszyn_-_Kawodrza.pb";
    assert_eq!(reproduces_the_official_outcome(file), Rule::GreedyThreshold);
}

#[test]
fn lodz_2022_greedy_threshold_reproduces_the_official_16_projects() {
    assert_eq!(
        reproduces_the_official_outcome("Poland_Lodz_2022.pb"),
        Rule::GreedyThreshold
    );
}

#[test]
fn assen_2024_mes_add1e_reproduces_the_official_9_projects() {
    let (got, cost) = selected_set("Netherlands_Assen_2024.pb", Rule::MesAdd1e);
    assert_eq!(got, set(&["2", "3", "5", "6", "9", "11", "12", "13", "14"]));
    assert_eq!(cost, 76_700);
    assert_eq!(
        reproduces_the_official_outcome("Netherlands_Assen_2024.pb"),
        Rule::MesAdd1e
    );
}

#[test]
fn swiecie_2023_mes_add1e_reproduces_the_official_17_projects() {
    let (got, cost) = selected_set("Poland_Swiecie_2023.pb", Rule::MesAdd1e);
    assert_eq!((got.len(), cost), (17, 1_040_337));
    assert_eq!(
        reproduces_the_official_outcome("Poland_Swiecie_2023.pb"),
        Rule::MesAdd1e
    );
}

#[test]
fn wieliczka_2023_mes_add1_reproduces_the_official_30_projects() {
    let file = "Poland_Wieliczka_2023_Green_Budget.pb";
    let (got, cost) = selected_set(file, Rule::MesAdd1);
    let official = [
        "6", "7", "9", "17", "19", "20", "24", "25", "26", "29", "32", "33", "34", "36", "39",
        "40", "41", "42", "43", "46", "56", "58", "60", "61", "62", "69", "70", "71", "74", "88",
    ];
    assert_eq!(got, set(&official));
    assert_eq!(cost, 995_079);
    assert_eq!(reproduces_the_official_outcome(file), Rule::MesAdd1);
}

#[test]
fn wieliczka_2023_mes_add1e_stops_at_the_first_exhaustive_outcome_with_31_projects() {
    let (got, cost) = selected_set("Poland_Wieliczka_2023_Green_Budget.pb", Rule::MesAdd1e);
    assert_eq!((got.len(), cost), (31, 984_579));
}

#[test]
fn every_file_gives_the_pabutools_outcomes_for_mes_greedy_phragmen_and_add1e() {
    let text = std::fs::read_to_string(crate::data_path("pabutools_reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for file in FILES {
        let e = load(file);
        let rules = &reference["files"][file]["rules"];
        assert!(rules.is_object(), "{file} has reference outcomes");
        for (name, rule) in [
            ("mes", Rule::Mes),
            ("greedy", Rule::Greedy),
            ("phragmen", Rule::Phragmen),
            ("mes_add1e", Rule::MesAdd1e),
        ] {
            let Some(expected) = rules[name]["selected"].as_array() else {
                continue;
            };
            let expected: Vec<String> = expected
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let out = tally(&e, rule, false).unwrap();
            let got = ids(&e, &out.selected);
            let as_set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
            assert_eq!(as_set(&got), as_set(&expected), "{file} under {rule}");
            // pabutools sorts a Phragmén outcome by name; the others keep the selection order.
            if rule != Rule::Phragmen {
                assert_eq!(
                    got, expected,
                    "{file} under {rule}: same projects, in the same order"
                );
            }
            assert_eq!(
                out.cost.to_string(),
                rules[name]["cost"].as_str().unwrap(),
                "{file} under {rule}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 36);
}

#[test]
fn warszawa_2022_wola_with_a_vote_naming_a_project_twice_gives_the_pabutools_mes_outcome() {
    // pabutools 1.2.3 (parse_pabulib, then method_of_equal_shares with
    // Cost_Sat and Commune's tie-breaking) on this file; voter 37051's
    // `147,1040,1040` approves 1040 once.
    let file = "Poland_Warszawa_2022_Wola_excerpt.pb";
    let e = load(file);
    let out = tally(&e, Rule::Mes, false).unwrap();
    assert_eq!(
        ids(&e, &out.selected),
        [
            "147", "1040", "2093", "234", "268", "1971", "2017", "1956", "1864", "326", "667",
            "538", "1943", "162", "1463", "246", "1869", "403", "1224", "2056"
        ]
    );
    assert_eq!(out.cost, 2_045_180);
}

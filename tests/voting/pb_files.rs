//! The `.pb` reader and writer on the real files and on random elections.

use proptest::prelude::*;

use commune::voting::{parse_pb, write_pb, Ballot, BallotRules, Election, Project, VoteType};

use crate::{data_path, load};

#[test]
fn every_real_file_reads_writes_and_reads_back_to_the_same_election() {
    for entry in std::fs::read_dir(data_path("")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "pb") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let e = load(&name);
        let text = write_pb(&e);
        let again = parse_pb(&text).unwrap_or_else(|err| panic!("{name} written back: {err}"));
        assert_eq!(again, e, "{name}");
        assert_eq!(write_pb(&again), text, "{name}: writing is stable");
    }
}

#[test]
fn a_real_file_keeps_its_unknown_meta_keys_and_extra_columns() {
    let e = load("Poland_Wieliczka_2023_Green_Budget.pb");
    let text = write_pb(&e);
    assert!(text.contains("\nsubunit;Green Budget\n"));
    assert!(text.starts_with("META\nkey;value\ndescription;"));
    assert!(text.contains("project_id;cost;votes;name;selected;latitude;longitude\n"));
    assert!(text.contains("\n24;5000;720;Zakup 10 fotopułapek przeciwko śmieciarzom i dzikim wysypiskom;1;49.9873919;20.0835982\n"));
}

#[test]
fn a_vote_for_an_unknown_project_in_a_real_file_names_its_line() {
    let text = std::fs::read_to_string(data_path("Poland_Lodz_2020_Gorniak.pb")).unwrap();
    let broken = text.replacen("1400796885;G060GO;", "1400796885;G060XX;", 1);
    let err = parse_pb(&broken).unwrap_err().to_string();
    assert_eq!(
        err,
        "line 30: the vote names project \"G060XX\", which is not in PROJECTS"
    );
}

/// Text a reader keeps as is: no surrounding blanks, never `none`.
fn arb_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9ąłś;\"' ,\n]{0,12}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("none is no value", |s| !s.eq_ignore_ascii_case("none"))
}

fn arb_id() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_-]{1,6}".prop_filter("not a section name", |s| {
        !["meta", "projects", "votes", "none"].contains(&s.to_lowercase().as_str())
    })
}

prop_compose! {
    fn arb_election()(
        ids in proptest::collection::btree_set(arb_id(), 1..6),
        decimals in 0u32..3,
        budget in 0u64..10_000_000,
        points in any::<bool>(),
        names in proptest::collection::vec(proptest::option::of(arb_text()), 6),
        districts in proptest::collection::vec(proptest::option::of(arb_text()), 6),
        costs in proptest::collection::vec(0u64..1_000_000, 6),
        extras in proptest::collection::vec(arb_text(), 6),
        ballots in proptest::collection::vec((proptest::collection::btree_map(0usize..6, 1i64..20, 0..4), arb_text()), 0..12),
        description in arb_text(),
        max_length in proptest::option::of(1u64..5),
    ) -> Election {
        let vote_type = if points { VoteType::Cumulative } else { VoteType::Approval };
        let mut e = Election::new(budget, vote_type);
        e.decimals = decimals;
        e.ballot_rules = BallotRules { max_length, ..BallotRules::default() };
        let p_count = ids.len();
        for (i, id) in ids.into_iter().enumerate() {
            let mut p = Project::new(id, costs[i]);
            p.name = names[i].clone();
            p.district = districts[i].clone();
            p.extra.push(("votes".into(), extras[i].clone()));
            e.add_project(p);
        }
        e.project_columns = ["project_id", "cost", "name", "district", "votes"].map(String::from).to_vec();
        e.voter_columns.push("sex".into());
        for (v, (choice, sex)) in ballots.into_iter().enumerate() {
            let (projects, pts): (Vec<usize>, Vec<i64>) = choice.into_iter().filter(|(p, _)| *p < p_count).unzip();
            let mut b = if points { Ballot::with_points(format!("v{v}"), projects, pts) } else { Ballot::approval(format!("v{v}"), projects) };
            b.extra.push(sex);
            e.add_ballot(b);
        }
        e.meta = vec![("description".into(), description), ("budget".into(), e.format_amount(budget)), ("vote_type".into(), vote_type.name().into())];
        if let Some(m) = max_length {
            e.meta.push(("max_length".into(), m.to_string()));
        }
        e
    }
}

/// A small valid file, to be damaged at random.
const SMALL: &str = "META\nkey;value\nbudget;100,5\nvote_type;cumulative\nmax_sum_points;5\n\
PROJECTS\nproject_id;cost;name\na;60;\"A; b\"\nb;40,5;none\nVOTES\nvoter_id;vote;points\n1;a,b;3,2\n2;b;5\n";

proptest! {
    #[test]
    fn reading_any_text_gives_an_election_or_an_error_never_a_panic(text in "[META\\nPROJECTSVOTESkeyvalue;,\"0-9a-z. -]{0,200}") {
        let _ = parse_pb(&text);
    }

    #[test]
    fn a_damaged_file_gives_an_error_naming_a_line_or_an_election(at in 0usize..200, junk in "[;,\"\\n0-9a-z-]{0,4}", cut in any::<bool>()) {
        let at = (0..=at.min(SMALL.len())).rev().find(|&i| SMALL.is_char_boundary(i)).unwrap_or(0);
        let damaged = if cut { format!("{}{}", &SMALL[..at], junk) } else { format!("{}{}{}", &SMALL[..at], junk, &SMALL[at..]) };
        if let Ok(e) = parse_pb(&damaged) {
            // Whatever was read can be counted and written.
            let _ = commune::voting::tally(&e, commune::voting::Rule::MesAdd1e, true);
            let _ = write_pb(&e);
        } else if let Err(commune::voting::PbError::Invalid { line, .. }) = parse_pb(&damaged) {
            prop_assert!(line >= 1 && line <= damaged.lines().count() + 1);
        }
    }

    #[test]
    fn writing_then_reading_a_pb_file_is_the_identity(e in arb_election()) {
        let text = write_pb(&e);
        let back = parse_pb(&text).map_err(|err| TestCaseError::fail(format!("{err}\n{text}")))?;
        prop_assert_eq!(back, e);
    }
}

#[test]
fn an_election_built_from_scratch_has_the_meta_a_reader_needs() {
    let mut e = Election::new(500, VoteType::Ordinal);
    let a = e.add_project(Project::new("a", 200));
    let b = e.add_project(Project::new("b", 300));
    e.add_ballot(Ballot::approval("1", vec![b, a]));
    let back = parse_pb(&write_pb(&e)).unwrap();
    assert_eq!(back.vote_type, VoteType::Ordinal);
    assert_eq!(
        back.ballots[0].projects,
        vec![1, 0],
        "a ranking keeps its order"
    );
}

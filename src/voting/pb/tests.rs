use super::*;
use crate::voting::model::VoteType;

const SAMPLE: &str = "\u{feff}META
key;value
description;\"Sample; with a quoted part\"
budget;1000,50
vote_type;cumulative
max_sum_points;10
unknown_key;kept as is
PROJECTS
project_id;cost;name;category;district;votes;selected
p1;600,25;\"Park; phase \"\"II\"\"\";none;North;2;1
p2;400;Library;culture,education;none;1;0

VOTES
voter_id;vote;points;age;sex
v1;p1,p2;7,3;33;F
v2;p1;10;none;
";

fn sample() -> Election {
    parse_pb(SAMPLE).unwrap()
}

fn err(text: &str) -> String {
    parse_pb(text).unwrap_err().to_string()
}

const HEAD: &str = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\na;60\nb;50\nVOTES\nvoter_id;vote\n";

#[test]
fn reads_decimal_commas_none_quotes_and_extra_columns() {
    let e = sample();
    assert_eq!(e.decimals, 2);
    assert_eq!(e.budget, 100_050);
    assert_eq!(e.vote_type, VoteType::Cumulative);
    assert_eq!(e.ballot_rules.max_sum_points, Some(10));
    assert_eq!(e.meta("unknown_key"), Some("kept as is"));
    assert_eq!(e.meta("description"), Some("Sample; with a quoted part"));
    let p1 = &e.projects[0];
    assert_eq!((p1.id.as_str(), p1.cost), ("p1", 60_025));
    assert_eq!(p1.name.as_deref(), Some("Park; phase \"II\""));
    assert_eq!(p1.category, None);
    assert_eq!(p1.district.as_deref(), Some("North"));
    assert_eq!(p1.extra("votes"), Some("2"));
    assert_eq!(e.projects[1].category.as_deref(), Some("culture,education"));
    assert_eq!(e.official_selection(), Some(vec![0]));
    assert_eq!(e.ballots[0].projects, vec![0, 1]);
    assert_eq!(e.ballots[0].points, vec![7, 3]);
    assert_eq!(e.ballots[1].extra, vec!["none".to_string(), String::new()]);
    assert_eq!(
        e.voter_extra_columns().collect::<Vec<_>>(),
        vec!["age", "sex"]
    );
}

#[test]
fn writing_then_reading_gives_the_same_election() {
    let e = sample();
    let text = write_pb(&e);
    let again = parse_pb(&text).unwrap();
    assert_eq!(again, e);
    assert_eq!(write_pb(&again), text);
    assert!(text.contains("budget;1000.50\n"), "{text}");
    assert!(text.contains("unknown_key;kept as is\n"));
    assert!(
        text.contains("p1;600.25;\"Park; phase \"\"II\"\"\";none;North;2;1\n"),
        "{text}"
    );
    assert!(text.contains("v1;p1,p2;7,3;33;F\n"));
}

#[test]
fn an_election_built_in_memory_can_be_written_and_read() {
    let mut e = Election::new(100, VoteType::Approval);
    let a = e.add_project(crate::voting::model::Project::new("a", 60));
    e.add_ballot(crate::voting::model::Ballot::approval("v1", vec![a]));
    let back = parse_pb(&write_pb(&e)).unwrap();
    assert_eq!(back.projects[0].id, "a");
    assert_eq!(back.ballots, e.ballots);
    assert_eq!(back.budget, 100);
}

#[test]
fn an_unknown_project_in_a_vote_names_the_line() {
    assert_eq!(
        err(&format!("{HEAD}1;a\n2;a,zz\n")),
        "line 12: the vote names project \"zz\", which is not in PROJECTS"
    );
}

/// Three projects and a VOTES header; votes start on line 12.
fn repeats_head(vote_type: &str, columns: &str) -> String {
    format!("META\nkey;value\nbudget;100\nvote_type;{vote_type}\nPROJECTS\nproject_id;cost\na;60\nb;50\nc;10\nVOTES\n{columns}\n")
}

fn read(text: &str) -> (Election, Vec<PbWarning>) {
    parse_pb_with_warnings(text).unwrap()
}

fn messages(warnings: &[PbWarning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn an_approval_vote_that_names_a_project_twice_approves_it_once_with_a_warning() {
    let (e, warnings) = read(&format!("{HEAD}1;a,b,a\n2;a\n"));
    assert_eq!(e.ballots[0].projects, vec![0, 1]);
    assert_eq!(
        e.ballots[1].projects,
        vec![0],
        "the next vote starts afresh"
    );
    assert_eq!(
        warnings,
        vec![PbWarning {
            line: 11,
            voter_id: "1".into(),
            project: "a".into(),
            times: 2,
            counted: Counted::Once,
        }]
    );
    assert_eq!(
        messages(&warnings),
        vec!["line 11: voter \"1\"'s vote names project \"a\" twice; counted once"]
    );
    assert_eq!(e.invalid_ballots(), vec![]);
}

#[test]
fn each_repeated_project_of_a_vote_gets_one_warning_that_says_how_many_times() {
    let (e, warnings) = read(&format!("{HEAD}1;b,a,b,a,b\n"));
    assert_eq!(e.ballots[0].projects, vec![1, 0]);
    assert_eq!(
        messages(&warnings),
        vec![
            "line 11: voter \"1\"'s vote names project \"b\" 3 times; counted once",
            "line 11: voter \"1\"'s vote names project \"a\" twice; counted once",
        ]
    );
}

#[test]
fn a_choose_1_vote_that_names_its_project_twice_is_one_valid_vote() {
    let (e, warnings) = read(&format!(
        "{}1;c,c\n",
        repeats_head("choose-1", "voter_id;vote")
    ));
    assert_eq!(e.ballots[0].projects, vec![2]);
    assert_eq!(e.invalid_ballots(), vec![]);
    assert_eq!(warnings[0].counted, Counted::Once);
}

#[test]
fn a_cumulative_vote_that_repeats_a_project_keeps_the_points_written_last() {
    let head = repeats_head("cumulative", "voter_id;vote;points");
    let (e, warnings) = read(&format!("{head}1;a,b,a;3,4,5\n2;c,a,c,c;1,2,3,4\n"));
    assert_eq!(e.ballots[0].projects, vec![0, 1]);
    assert_eq!(e.ballots[0].points, vec![5, 4], "replaced, not added");
    assert_eq!(e.ballots[1].projects, vec![2, 0]);
    assert_eq!(e.ballots[1].points, vec![4, 2]);
    assert_eq!(
        warnings[1].counted,
        Counted::LastPoints {
            given: vec![1, 3, 4]
        }
    );
    assert_eq!(
        messages(&warnings),
        vec![
            "line 12: voter \"1\"'s vote names project \"a\" twice; given 3 and 5 points, the last (5) count",
            "line 13: voter \"2\"'s vote names project \"c\" 3 times; given 1, 3 and 4 points, the last (4) count",
        ]
    );
}

#[test]
fn a_scoring_vote_that_repeats_a_project_keeps_the_points_written_last() {
    let head = repeats_head("scoring", "voter_id;vote;points");
    let (e, warnings) = read(&format!("{head}1;b,c,b;2,1,0\n"));
    assert_eq!(e.ballots[0].projects, vec![1, 2]);
    assert_eq!(e.ballots[0].points, vec![0, 1]);
    assert_eq!(
        warnings[0].counted,
        Counted::LastPoints { given: vec![2, 0] }
    );
}

#[test]
fn points_beyond_the_last_project_are_ignored_with_a_warning_as_pabutools_does() {
    let head = repeats_head("cumulative", "voter_id;vote;points");
    let (e, warnings) = read(&format!("{head}1;a,b;3,4,5\n"));
    assert_eq!(e.ballots[0].projects, vec![0, 1]);
    assert_eq!(e.ballots[0].points, vec![3, 4]);
    assert_eq!(
        warnings[0].counted,
        Counted::ExtraPointsIgnored {
            projects: 2,
            points: 3
        }
    );
    assert_eq!(
        messages(&warnings),
        vec!["line 12: voter \"1\"'s vote lists 2 projects but 3 points; the points after the last project are ignored"]
    );
}

#[test]
fn the_points_of_a_repeating_vote_must_match_the_projects_as_written() {
    let head = repeats_head("cumulative", "voter_id;vote;points");
    assert_eq!(
        err(&format!("{head}1;a,b,a;3,4\n")),
        "line 12: the vote lists 3 projects but 2 points"
    );
}

#[test]
fn an_ordinal_vote_that_repeats_a_project_ranks_it_where_first_named() {
    let head = repeats_head("ordinal", "voter_id;vote");
    let (e, warnings) = read(&format!("{head}1;a,b,a,c\n2;c,a,c\n"));
    assert_eq!(e.ballots[0].projects, vec![0, 1, 2], "c moves up to third");
    assert_eq!(e.ballots[1].projects, vec![2, 0]);
    assert_eq!(
        messages(&warnings),
        vec![
            "line 12: voter \"1\"'s vote names project \"a\" twice; ranked where first named",
            "line 13: voter \"2\"'s vote names project \"c\" twice; ranked where first named",
        ]
    );
}

#[test]
fn a_repeat_without_a_voter_id_column_names_the_line_alone() {
    let (_, warnings) = read(&format!("{}b,b\n", repeats_head("approval", "vote")));
    assert_eq!(
        messages(&warnings),
        vec!["line 12: the vote names project \"b\" twice; counted once"]
    );
}

#[test]
fn a_file_read_with_repeats_is_written_back_without_them() {
    let head = repeats_head("cumulative", "voter_id;vote;points");
    let (e, _) = read(&format!("{head}1;a,b,a;3,4,5\n"));
    let text = write_pb(&e);
    assert!(text.ends_with("\n1;a,b;5,4\n"), "{text}");
    let (again, warnings) = read(&text);
    assert_eq!((again, warnings), (e, vec![]));
}

#[test]
fn a_file_without_repeats_has_no_warnings() {
    assert_eq!(parse_pb_with_warnings(SAMPLE).unwrap().1, vec![]);
}

#[test]
fn a_bad_cost_names_the_line_and_the_value() {
    let text = HEAD.replace("b;50", "b;fifty");
    assert_eq!(
        err(&text),
        "line 8: cost: \"fifty\" is not a non-negative number"
    );
    let text = HEAD.replace("b;50", "b;-50");
    assert_eq!(
        err(&text),
        "line 8: cost: \"-50\" is not a non-negative number"
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_an_error() {
    assert_eq!(
        err(&format!("{HEAD}1\n")),
        "line 11: expected 2 fields as in the header on line 10, found 1"
    );
    assert_eq!(
        err(&format!("{HEAD}1;a;x\n")),
        "line 11: expected 2 fields as in the header on line 10, found 3"
    );
    assert!(
        parse_pb(&format!("{HEAD}1;a;\n")).is_ok(),
        "a trailing ; is harmless"
    );
}

#[test]
fn missing_sections_and_keys_are_reported() {
    assert_eq!(
        err("META\nkey;value\nbudget;1\nvote_type;approval\n"),
        "the file has no PROJECTS section"
    );
    assert_eq!(
        err("PROJECTS\nproject_id;cost\na;1\n"),
        "the file has no META section"
    );
    assert_eq!(
        err(&HEAD.replace("budget;100\n", "")),
        "line 1: META has no \"budget\""
    );
    assert_eq!(err(&HEAD.replace("approval", "approvals")), "line 4: vote_type \"approvals\" is not one of approval, choose-1, cumulative, scoring, ordinal");
    assert_eq!(
        err("hello;world\n"),
        "line 1: expected a META, PROJECTS or VOTES section"
    );
    assert_eq!(
        err(&HEAD.replace("project_id;cost", "project_id;price")),
        "line 6: the header has no \"cost\" column"
    );
}

#[test]
fn duplicate_projects_and_voters_are_errors() {
    assert_eq!(
        err(&HEAD.replace("b;50", "a;50")),
        "line 8: project \"a\" already appears on line 7"
    );
    assert_eq!(
        err(&format!("{HEAD}1;a\n2;b\n1;b\n")),
        "line 13: voter \"1\" already voted on line 11"
    );
}

#[test]
fn points_must_match_the_projects_and_be_whole_numbers() {
    let text = SAMPLE.replace("v1;p1,p2;7,3", "v1;p1,p2;7");
    assert_eq!(
        err(&text),
        "line 15: the vote lists 2 projects but 1 points"
    );
    let text = SAMPLE.replace("v1;p1,p2;7,3", "v1;p1,p2;7,x");
    assert_eq!(err(&text), "line 15: points: \"x\" is not a whole number");
}

#[test]
fn a_meta_value_with_an_unquoted_semicolon_is_an_error() {
    let text = HEAD.replace("budget;100", "description;a;b\nbudget;100");
    assert_eq!(
        err(&text),
        "line 3: a META line is key;value, found 3 fields (quote a value that holds ';')"
    );
}

#[test]
fn a_bad_meta_number_names_its_line() {
    let text = HEAD.replace(
        "vote_type;approval\n",
        "vote_type;approval\nmax_length;three\n",
    );
    assert_eq!(
        err(&text),
        "line 5: max_length: \"three\" is not a whole number"
    );
}

#[test]
fn an_unreadable_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.pb");
    std::fs::write(&path, b"META\nkey;value\n\xff\xfe\n").unwrap();
    assert_eq!(
        read_pb_file(&path).unwrap_err().to_string(),
        "line 3: the file is not UTF-8 text"
    );
    let missing = dir.path().join("missing.pb");
    assert!(read_pb_file(&missing)
        .unwrap_err()
        .to_string()
        .starts_with("cannot read"));
}

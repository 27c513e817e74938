//! The reader as a whole, on bytes in memory (the files in `tests/data/import/` are
//! read in `fixtures.rs`).

use std::io::Cursor;

use super::fixtures::Duplicates;
use super::*;
use crate::fields;
use crate::i18n::Arg;
use std::sync::atomic::Ordering;

fn open(bytes: &[u8]) -> Result<CsvSource, Issue> {
    CsvSource::from_reader(Cursor::new(bytes.to_vec()))
}

/// A row as its line and fields, or an issue as its line and key.
type ReadRow = Result<(u64, Vec<String>), (u64, &'static str)>;

fn read(bytes: &[u8]) -> Vec<ReadRow> {
    open(bytes)
        .unwrap()
        .rows()
        .map(|r| match r {
            Ok(row) => Ok((
                row.line,
                (0..row.len()).map(|i| row.field(i).to_string()).collect(),
            )),
            Err(i) => Err((i.line, i.key)),
        })
        .collect()
}

fn ok(line: u64, fields: &[&str]) -> ReadRow {
    Ok((line, fields.iter().map(|f| f.to_string()).collect()))
}

#[test]
fn headers_are_trimmed_lowercased_and_freed_of_the_byte_order_mark() {
    let s = open("\u{FEFF} Ref ;NAME; Téléphone \n1;a;b\n".as_bytes()).unwrap();
    assert_eq!(s.headers(), ["ref", "name", "téléphone"]);
    assert_eq!(s.delimiter(), b';');
    assert_eq!(s.encoding(), Encoding::Utf8);
    assert_eq!(s.header_line(), 1);
}

#[test]
fn values_are_trimmed_and_lines_are_numbered_as_in_a_spreadsheet() {
    let rows = read(b"ref,name\n T1 , Awa Diop \n\n\"T2\",\"Gor\xC3\xA9e\nsecond line\"\nT3,x\n");
    assert_eq!(
        rows,
        vec![
            ok(2, &["T1", "Awa Diop"]),
            ok(4, &["T2", "Gorée\nsecond line"]),
            ok(5, &["T3", "x"])
        ]
    );
}

#[test]
fn windows_1252_files_are_decoded() {
    let s = open(b"ref;name;district\r\nT1;Fatou Ndiaye;M\xE9dina\r\nT2;Kok\xE9;H\xEAvi\xE9\r\n")
        .unwrap();
    assert_eq!(s.encoding(), Encoding::Windows1252);
    let rows: Vec<_> = s.rows().map(|r| r.unwrap()).collect();
    assert_eq!((rows[0].line, rows[0].field(2)), (2, "Médina"));
    assert_eq!((rows[1].field(1), rows[1].field(2)), ("Koké", "Hêvié"));
}

#[test]
fn rows_of_blanks_and_delimiters_only_are_skipped_like_blank_lines() {
    let rows = read(b"a;b;c\n1;2;3\n;;\n  ; ;\n4;5;6\n");
    assert_eq!(rows, vec![ok(2, &["1", "2", "3"]), ok(5, &["4", "5", "6"])]);
}

#[test]
fn a_row_with_too_few_fields_is_an_issue_and_the_stream_goes_on() {
    let rows = read(b"a,b,c\n1,2\n4,5,6\n");
    assert_eq!(
        rows,
        vec![Err((2, keys::TOO_FEW_FIELDS)), ok(3, &["4", "5", "6"])]
    );
    let s = open(b"a,b,c\n1,2\n").unwrap();
    let issue = s.rows().next().unwrap().unwrap_err();
    assert_eq!(issue.value.as_deref(), Some("1,2"));
    assert_eq!(
        issue.args,
        vec![("expected", "3".into()), ("found", "2".into())]
    );
}

#[test]
fn a_value_beyond_the_last_column_is_an_issue_but_trailing_empty_fields_are_not() {
    let rows = read(b"a;b\n1;2;;\n1;2;3\n");
    assert_eq!(
        rows,
        vec![ok(2, &["1", "2", "", ""]), Err((3, keys::TOO_MANY_FIELDS))]
    );
}

#[test]
fn unnamed_trailing_columns_need_no_values() {
    // Excel writes `a;b;;` as the header when two formatted columns are empty.
    let rows = read(b"a;b;;\n1;2\n");
    assert_eq!(rows, vec![ok(2, &["1", "2"])]);
}

#[test]
fn a_header_without_data_gives_one_no_rows_issue() {
    assert_eq!(read(b"ref,name\n\n\n"), vec![Err((2, keys::NO_ROWS))]);
}

#[test]
fn an_unclosed_quote_ends_the_stream_with_an_issue_on_its_line() {
    let rows = read(b"ref,name\nT1,ok\nT2,\"oops\nT3,x\n");
    assert_eq!(
        rows,
        vec![ok(2, &["T1", "ok"]), Err((3, keys::UNCLOSED_QUOTE))]
    );
}

#[test]
fn files_with_nothing_but_blank_lines_or_a_bom_are_empty() {
    assert_eq!(open(b"\n\r\n  \n").err().unwrap().key, keys::EMPTY_FILE);
    assert_eq!(open(b"\xEF\xBB\xBF").err().unwrap().key, keys::EMPTY_FILE);
    assert_eq!(open(b"").err().unwrap().key, keys::EMPTY_FILE);
}

#[test]
fn columns_maps_required_and_optional_columns_and_notes_the_others() {
    let s = open(b"name,ref,remarks,gps\n").unwrap();
    let cols = s.columns(&["ref", "name"], &["gps", "email"]).unwrap();
    assert_eq!(cols.col("ref").index, Some(1));
    assert_eq!(cols.col("email").index, None);
    assert!(cols.has("gps") && !cols.has("email"));
    assert_eq!(cols.unknown(), ["remarks"]);
    let notes = cols.notes();
    assert_eq!(
        (notes[0].key, notes[0].column.as_deref()),
        (keys::UNKNOWN_COLUMN, Some("remarks"))
    );
}

#[test]
fn every_missing_required_column_and_every_duplicated_column_is_an_issue() {
    let s = open(b"ref,name,name,kind,kind,kind\n").unwrap();
    let issues = s.columns(&["ref", "phone", "email"], &[]).unwrap_err();
    let got: Vec<(&str, Option<&str>)> = issues
        .iter()
        .map(|i| (i.key, i.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (keys::DUPLICATE_COLUMN, Some("name")),
            (keys::DUPLICATE_COLUMN, Some("kind")),
            (keys::MISSING_COLUMN, Some("phone")),
            (keys::MISSING_COLUMN, Some("email")),
        ]
    );
    assert!(issues.iter().all(|i| i.line == 1));
    assert_eq!(
        issues[2].args[1],
        ("found", Arg::from("ref, name, name, kind, kind, kind"))
    );
}

#[test]
fn row_access_by_name_by_column_and_with_a_parser() {
    let s = open(b"ref;rate;email\nT1; 7,5 % ;\n").unwrap();
    let cols = s.columns(&["ref", "rate"], &["email", "gps"]).unwrap();
    let row = s.rows().next().unwrap().unwrap();
    assert_eq!(row.get(&cols, "ref"), "T1");
    assert_eq!(row.at(cols.col("gps")), "");
    assert_eq!(row.parse(cols.col("rate"), fields::rate), Ok(750));
    assert_eq!(
        row.parse(cols.col("email"), |v| fields::optional(v, fields::email)),
        Ok(None)
    );
    let issue = row.parse(cols.col("ref"), fields::rate).unwrap_err();
    assert_eq!(
        (issue.line, issue.column.as_deref(), issue.value.as_deref()),
        (2, Some("ref"), Some("T1"))
    );
}

#[test]
fn duplicates_name_the_line_where_the_value_first_appeared() {
    let s = open(b"ref\nA\nB\n\nA\n\n").unwrap();
    let cols = s.columns(&["ref"], &[]).unwrap();
    let mut dups = Duplicates::new();
    let results: Vec<Result<(), Issue>> = s
        .rows()
        .map(|r| dups.check(&r.unwrap(), cols.col("ref")))
        .collect();
    assert!(results[0].is_ok() && results[1].is_ok());
    let issue = results[2].clone().unwrap_err();
    assert_eq!((issue.line, issue.key), (5, keys::DUPLICATE_VALUE));
    assert_eq!(issue.args, vec![("first_line", Arg::Number(2))]);
}

#[test]
fn progress_reaches_the_file_size() {
    let bytes = b"\xEF\xBB\xBFref\n1\n2\n";
    let s = open(bytes).unwrap();
    let progress = s.progress();
    let total = s.total_bytes();
    assert_eq!(s.rows().count(), 2);
    assert_eq!(
        (progress.load(Ordering::Relaxed), total),
        (bytes.len() as u64, bytes.len() as u64)
    );
}

mod no_input_makes_the_reader_panic {
    use super::*;
    use proptest::prelude::*;

    /// The bytes that matter to the reader: delimiters, quotes, line breaks, spaces,
    /// Windows-1252 and UTF-8 accents, NUL, undefined and stray bytes.
    const ALPHABET: &[u8] = b"a1;,\"\n\r \t\xE9\xC3\xA9\x00\x81\xFF\xEF\xBB\xBF";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn on_any_bytes(bytes in prop::collection::vec(prop::sample::select(ALPHABET), 0..48)) {
            if let Ok(source) = open(&bytes) {
                let _ = source.headers();
                let cols = source.columns(&["a"], &["1"]);
                let mut report = Report::with_cap(3);
                for row in source.rows() {
                    match row {
                        Ok(row) => {
                            for i in 0..=row.len() {
                                let _ = row.field(i);
                            }
                            if let Ok(c) = &cols {
                                if let Err(issue) = row.parse(c.col("a"), fields::amount) {
                                    report.push(issue);
                                }
                            }
                        }
                        Err(issue) => report.push(issue),
                    }
                }
            }
        }
    }
}

/// Peak resident memory of this process, from `/proc/self/status` (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Reading and field parsing of a million taxpayers, as `commune import taxpayers` does
/// before the database:
/// `cargo test --release --lib tabular -- --ignored --nocapture`.
/// Reads `COMMUNE_BENCH_FILE`, or writes one with `scripts/gen_taxpayers.py` (add
/// `COMMUNE_BENCH_EXCEL=1` for the Windows-1252 `;` variant). `COMMUNE_BENCH_READ_ONLY=1`
/// skips the field parsers.
#[test]
#[ignore]
fn reader_throughput_on_a_million_rows() {
    use crate::communes::Country;
    use std::time::Instant;

    let excel = std::env::var_os("COMMUNE_BENCH_EXCEL").is_some();
    let read_only = std::env::var_os("COMMUNE_BENCH_READ_ONLY").is_some();
    let path = match std::env::var_os("COMMUNE_BENCH_FILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let name = if excel {
                "commune-bench-1m-excel.csv"
            } else {
                "commune-bench-1m.csv"
            };
            let p = std::env::temp_dir().join(name);
            if !p.exists() {
                let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/gen_taxpayers.py");
                let mut cmd = std::process::Command::new("python3");
                cmd.arg(script).arg("1000000").arg(&p);
                if excel {
                    cmd.arg("--excel");
                }
                assert!(cmd.status().expect("python3").success());
            }
            p
        }
    };
    let start = Instant::now();
    let source = CsvSource::open(&path).unwrap();
    let opened = start.elapsed();
    let bytes = source.total_bytes();
    let (encoding, delimiter) = (source.encoding(), source.delimiter());
    let cols = source
        .columns(
            &[
                "ref",
                "name",
                "kind",
                "district",
                "phone",
                "email",
                "id_number",
            ],
            &["address", "gps"],
        )
        .unwrap();
    let [r, name, kind, district, phone, email, id, address, gps] = [
        "ref",
        "name",
        "kind",
        "district",
        "phone",
        "email",
        "id_number",
        "address",
        "gps",
    ]
    .map(|c| cols.col(c));
    let districts = [
        "Plateau", "Rebeuss", "Petersen", "Sandaga", "Kermel", "Thiong", "Tound", "Port",
    ];
    let mut report = Report::new();
    let mut rows = 0u64;
    for row in source.rows() {
        let row = match row {
            Ok(row) => row,
            Err(issue) => {
                report.push(issue);
                continue;
            }
        };
        rows += 1;
        if read_only {
            continue;
        }
        let checks = [
            row.parse(r, |v| fields::text(v, 40).map(drop)),
            row.parse(name, |v| fields::text(v, 200).map(drop)),
            row.parse(kind, |v| {
                fields::enum_value(v, &["person", "organisation"]).map(drop)
            }),
            row.parse(district, |v| fields::enum_value(v, &districts).map(drop)),
            row.parse(phone, |v| fields::phone(v, Country::Senegal).map(drop)),
            row.parse(email, |v| fields::optional(v, fields::email).map(drop)),
            row.parse(id, |v| fields::optional(v, fields::ninea).map(drop)),
            row.parse(address, |v| {
                fields::optional(v, |v| fields::text(v, 300)).map(drop)
            }),
            row.parse(gps, |v| {
                fields::optional(v, |v| fields::gps_in(v, Country::Senegal)).map(drop)
            }),
        ];
        for issue in checks.into_iter().filter_map(Result::err) {
            report.push(issue);
        }
    }
    let total = start.elapsed().as_secs_f64();
    println!(
        "{} rows{}, {:.1} MB ({}, {}) in {:.2} s (detection pass {:.2} s): {:.0} rows/s, {:.0} MB/s, peak RSS {} KiB",
        rows,
        if read_only { " read" } else { " read and parsed" },
        bytes as f64 / 1e6,
        encoding.as_str(),
        delimiter as char,
        total,
        opened.as_secs_f64(),
        rows as f64 / total,
        bytes as f64 / 1e6 / total,
        peak_rss_kib().unwrap_or(0)
    );
    assert!(
        report.is_clean(),
        "{:?}",
        &report.issues()[..report.issues().len().min(5)]
    );
}

//! The files of `tests/data/import/` (see its README), read as the imports will read
//! them: each shows one case a finance officer meets, and what the report says.

use std::collections::HashMap;
use std::path::PathBuf;

use super::*;
use crate::communes::Country;
use crate::fields;
use crate::i18n::Arg;

const DAKAR_PLATEAU: [&str; 8] = [
    "Plateau", "Rebeuss", "Petersen", "Sandaga", "Kermel", "Thiong", "Tound", "Port",
];
const ABOMEY_CALAVI: [&str; 9] = [
    "Abomey-Calavi centre",
    "Akassato",
    "Glo-Djigbé",
    "Godomey",
    "Hêvié",
    "Kpanroun",
    "Ouèdo",
    "Togba",
    "Zinvié",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

/// What an import would keep of a taxpayer row.
#[derive(Debug, PartialEq)]
struct Taxpayer {
    line: u64,
    reference: String,
    name: String,
    district: String,
    phone: String,
    id_number: Option<String>,
    gps: Option<fields::GeoPoint>,
}

/// Checks a taxpayer file the way `commune import taxpayers` will, without a database.
fn taxpayers(name: &str, country: Country, districts: &[&str]) -> (Vec<Taxpayer>, Report) {
    let mut report = Report::new();
    let mut kept = Vec::new();
    let source = match CsvSource::open(&fixture(name)) {
        Ok(s) => s,
        Err(issue) => {
            report.push(issue);
            return (kept, report);
        }
    };
    let required = [
        "ref",
        "name",
        "kind",
        "district",
        "phone",
        "email",
        "id_number",
    ];
    let cols = match source.columns(&required, &["address", "gps"]) {
        Ok(c) => c,
        Err(issues) => {
            issues.into_iter().for_each(|i| report.push(i));
            return (kept, report);
        }
    };
    cols.notes().into_iter().for_each(|n| report.note(n));
    let [r, n, kind, district, phone, email, id, address, gps] = [
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
    let mut refs = Duplicates::new();
    for row in source.rows() {
        let row = match row {
            Ok(row) => row,
            Err(issue) => {
                report.push(issue);
                continue;
            }
        };
        let mut take = |r: Result<(), Issue>| r.map_err(|i| report.push(i)).is_ok();
        let fine = [
            take(refs.check(&row, r)),
            take(row.parse(r, |v| fields::text(v, 40).map(drop))),
            take(row.parse(n, |v| fields::text(v, 200).map(drop))),
            take(row.parse(kind, |v| {
                fields::enum_value(v, &["person", "organisation"]).map(drop)
            })),
            take(row.parse(district, |v| fields::enum_value(v, districts).map(drop))),
            take(row.parse(phone, |v| fields::phone(v, country).map(drop))),
            take(row.parse(email, |v| fields::optional(v, fields::email).map(drop))),
            take(row.parse(id, |v| {
                fields::optional(v, |v| fields::national_id(v, country)).map(drop)
            })),
            take(row.parse(address, |v| {
                fields::optional(v, |v| fields::text(v, 300)).map(drop)
            })),
            take(row.parse(gps, |v| {
                fields::optional(v, |v| fields::gps_in(v, country)).map(drop)
            })),
        ];
        if fine.iter().all(|ok| *ok) {
            kept.push(Taxpayer {
                line: row.line,
                reference: row.at(r).to_string(),
                name: row.at(n).to_string(),
                district: row.at(district).to_string(),
                phone: fields::phone(row.at(phone), country).unwrap(),
                id_number: fields::optional(row.at(id), |v| fields::national_id(v, country))
                    .unwrap(),
                gps: fields::optional(row.at(gps), fields::gps).unwrap(),
            });
        }
    }
    (kept, report)
}

fn keys_and_lines(report: &Report) -> Vec<(u64, Option<&str>, &'static str)> {
    report
        .issues()
        .iter()
        .map(|i| (i.line, i.column.as_deref(), i.key))
        .collect()
}

#[test]
fn a_clean_utf8_comma_file_imports_every_row() {
    let source = CsvSource::open(&fixture("taxpayers_utf8.csv")).unwrap();
    assert_eq!(
        (source.encoding(), source.delimiter()),
        (Encoding::Utf8, b',')
    );
    let (rows, report) = taxpayers("taxpayers_utf8.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert!(report.is_clean(), "{:?}", report.issues());
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1].name, "Pharmacie de Gorée");
    assert_eq!(rows[1].phone, "+221338214567");
    assert_eq!(rows[1].id_number.as_deref(), Some("0045123672V2"));
    assert_eq!(rows[3].id_number.as_deref(), Some("0000712342G3"));
}

#[test]
fn the_same_file_saved_by_french_excel_reads_the_same() {
    let source = CsvSource::open(&fixture("taxpayers_windows1252.csv")).unwrap();
    assert_eq!(
        (source.encoding(), source.delimiter()),
        (Encoding::Windows1252, b';')
    );
    let (excel, report) = taxpayers(
        "taxpayers_windows1252.csv",
        Country::Senegal,
        &DAKAR_PLATEAU,
    );
    assert!(report.is_clean(), "{:?}", report.issues());
    let (utf8, _) = taxpayers("taxpayers_utf8.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(excel, utf8);
    assert_eq!(excel[4].name, "Ndèye Fatou Sène");
}

#[test]
fn a_benin_file_in_windows_1252_reads_its_accented_districts_and_phones() {
    let (rows, report) = taxpayers(
        "taxpayers_calavi_windows1252.csv",
        Country::Benin,
        &ABOMEY_CALAVI,
    );
    assert!(report.is_clean(), "{:?}", report.issues());
    let districts: Vec<&str> = rows.iter().map(|t| t.district.as_str()).collect();
    assert_eq!(districts, ["Hêvié", "Ouèdo", "Godomey", "Glo-Djigbé"]);
    let phones: Vec<&str> = rows.iter().map(|t| t.phone.as_str()).collect();
    assert_eq!(
        phones,
        [
            "+2290197123456",
            "+2290197234567",
            "+2290166778899",
            "+2290195112233"
        ]
    );
    assert_eq!(
        rows[0].gps,
        Some(fields::GeoPoint {
            lat_e6: 6_471_200,
            lon_e6: 2_265_400
        })
    );
}

#[test]
fn a_utf16_file_is_refused_with_what_to_do() {
    let (_, report) = taxpayers("taxpayers_utf16le.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(keys_and_lines(&report), [(1, None, keys::UTF16)]);
    let catalog = crate::i18n::Catalog::embedded().unwrap();
    let fr = report.issues()[0].message(&catalog, crate::i18n::Locale::Fr);
    assert!(fr.contains("CSV UTF-8"), "{fr}");
}

#[test]
fn an_empty_file_is_refused() {
    let (_, report) = taxpayers("empty.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(keys_and_lines(&report), [(0, None, keys::EMPTY_FILE)]);
}

#[test]
fn a_header_without_rows_is_refused() {
    let (_, report) = taxpayers("header_only.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(keys_and_lines(&report), [(2, None, keys::NO_ROWS)]);
}

#[test]
fn a_missing_column_is_named() {
    let (_, report) = taxpayers("missing_column.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(
        keys_and_lines(&report),
        [(1, Some("phone"), keys::MISSING_COLUMN)]
    );
}

#[test]
fn a_duplicate_reference_names_the_first_line() {
    let (rows, report) = taxpayers("duplicate_ref.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(
        keys_and_lines(&report),
        [(5, Some("ref"), keys::DUPLICATE_VALUE)]
    );
    assert_eq!(report.issues()[0].args, [("first_line", Arg::Number(2))]);
    assert_eq!(rows.len(), 3);
}

#[test]
fn a_row_with_too_few_fields_is_reported_and_the_others_are_read() {
    let (rows, report) = taxpayers("too_few_fields.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(keys_and_lines(&report), [(3, None, keys::TOO_FEW_FIELDS)]);
    assert_eq!(rows.iter().map(|t| t.line).collect::<Vec<_>>(), [2, 4]);
}

#[test]
fn a_quoted_field_with_a_comma_and_a_line_break_is_one_value_and_lines_stay_right() {
    let source = CsvSource::open(&fixture("quoted_multiline.csv")).unwrap();
    let cols = source.columns(&["address"], &[]).unwrap();
    let first = source.rows().next().unwrap().unwrap();
    assert_eq!(
        first.at(cols.col("address")),
        "Immeuble Kébé, 3e étage\nporte droite"
    );
    // The bad phone is on the file's 4th text line but the spreadsheet's 3rd row.
    let (_, report) = taxpayers("quoted_multiline.csv", Country::Senegal, &DAKAR_PLATEAU);
    assert_eq!(
        keys_and_lines(&report),
        [(3, Some("phone"), fields::keys::BAD_PHONE_SN)]
    );
}

/// Checks an items file the way `commune import items` will.
fn items(name: &str) -> (u64, Report) {
    let mut report = Report::new();
    let source = CsvSource::open(&fixture(name)).unwrap();
    let required = ["ref", "taxpayer_ref", "kind", "district", "address"];
    let optional = [
        "rental_value",
        "market_value",
        "area",
        "category",
        "market",
        "stall_number",
    ];
    let cols = source.columns(&required, &optional).unwrap();
    let kinds = ["property", "stall", "business", "vehicle", "other"];
    let mut rows = 0;
    for row in source.rows() {
        let row = row.unwrap();
        rows += 1;
        let checks = [
            row.parse(cols.col("kind"), |v| {
                fields::enum_value(v, &kinds).map(drop)
            }),
            row.parse(cols.col("district"), |v| {
                fields::enum_value(v, &DAKAR_PLATEAU).map(drop)
            }),
            row.parse(cols.col("rental_value"), |v| {
                fields::optional(v, fields::amount).map(drop)
            }),
            row.parse(cols.col("market_value"), |v| {
                fields::optional(v, fields::amount).map(drop)
            }),
            row.parse(cols.col("area"), |v| {
                fields::optional(v, fields::area).map(drop)
            }),
        ];
        checks
            .into_iter()
            .filter_map(Result::err)
            .for_each(|i| report.push(i));
    }
    (rows, report)
}

#[test]
fn a_clean_items_file_has_every_kind_of_item() {
    let (rows, report) = items("items.csv");
    assert_eq!(rows, 5);
    assert!(report.is_clean(), "{:?}", report.issues());
}

#[test]
fn bad_numbers_are_reported_with_line_column_value_and_reason() {
    let (_, report) = items("bad_number.csv");
    assert_eq!(
        keys_and_lines(&report),
        [
            (3, Some("rental_value"), fields::keys::AMOUNT_DECIMALS),
            (3, Some("area"), fields::keys::BAD_AREA),
        ]
    );
    let catalog = crate::i18n::Catalog::embedded().unwrap();
    let csv = report.to_csv(&catalog, crate::i18n::Locale::Fr);
    let mut lines = csv.trim_start_matches('\u{FEFF}').lines();
    assert_eq!(lines.next(), Some("ligne;colonne;valeur;motif"));
    assert!(lines
        .next()
        .unwrap()
        .starts_with("3;rental_value;1 500 000,50;Le franc CFA"));
    assert!(lines
        .next()
        .unwrap()
        .starts_with("3;area;12a;Surface illisible"));
}

#[test]
fn a_state_roll_reads_amounts_and_due_dates() {
    let source = CsvSource::open(&fixture("roll.csv")).unwrap();
    let cols = source
        .columns(
            &["taxpayer_ref", "item_ref", "base", "amount", "due_date"],
            &[],
        )
        .unwrap();
    let mut lines = Vec::new();
    for row in source.rows() {
        let row = row.unwrap();
        let base = row.parse(cols.col("base"), fields::amount).unwrap();
        let amount = row.parse(cols.col("amount"), fields::amount).unwrap();
        let due = row.parse(cols.col("due_date"), fields::date).unwrap();
        lines.push((base.0, amount.0, due.to_string()));
    }
    assert_eq!(
        lines,
        [
            (1_800_000, 90_000, "2025-03-31".to_string()),
            (3_600_000, 180_000, "2025-03-31".to_string()),
        ]
    );
    // CFPB at 5% of the rental value.
    for (base, amount, _) in &lines {
        assert_eq!(
            crate::money::Xof(*base).mul_ratio(500, 10_000).unwrap().0,
            *amount
        );
    }
}

/// Finds values seen twice in a column (a reference, an identifier). Keeps each value
/// once in memory: roughly 60 bytes per short value, 60 MB for a million references.
/// (The imports find duplicates in the database instead.)
#[derive(Debug, Default)]
pub struct Duplicates {
    first_line: HashMap<Box<str>, u64>,
}

impl Duplicates {
    pub fn new() -> Duplicates {
        Duplicates::default()
    }

    /// An issue if this row's value was already seen; empty values are not checked.
    pub fn check(&mut self, row: &Row, col: Col) -> Result<(), Issue> {
        let value = row.at(col);
        if value.is_empty() {
            return Ok(());
        }
        match self.first_line.get(value) {
            Some(&first) => Err(Issue::new(row.line, keys::DUPLICATE_VALUE)
                .column(col.name)
                .value(value)
                .arg("first_line", first)),
            None => {
                self.first_line.insert(value.into(), row.line);
                Ok(())
            }
        }
    }
}

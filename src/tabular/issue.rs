//! What is wrong with an imported file, where, and in words a finance officer can act on.
//!
//! An [`Issue`] is a line, an optional column and value, and a message key of the
//! catalogue (`templates/i18n/import.{fr,en}.toml`) with its arguments. A [`Report`]
//! collects the issues of one import in line order, keeps the detail of the first
//! [`Report::DEFAULT_CAP`] and only counts the rest, so a garbage file of a million bad
//! lines cannot exhaust memory.

use super::defuse_formula;
use crate::error::Refusal;
use crate::i18n::{Arg, Catalog, Locale};

/// Every message key an issue of the reader can carry (the field parsers' are in
/// [`crate::fields::keys`]).
pub mod keys {
    pub const UNREADABLE: &str = "import.unreadable";
    pub const EMPTY_FILE: &str = "import.empty_file";
    pub const UTF16: &str = "import.utf16";
    pub const NUL_BYTES: &str = "import.nul_bytes";
    pub const EXCEL_FILE: &str = "import.excel_file";
    pub const UNDEFINED_BYTE: &str = "import.undefined_byte";
    pub const MIXED_ENCODING: &str = "import.mixed_encoding";
    pub const CHANGED_ENCODING: &str = "import.changed_encoding";
    pub const UNCLOSED_QUOTE: &str = "import.unclosed_quote";
    pub const ROW_TOO_LONG: &str = "import.row_too_long";
    pub const TOO_FEW_FIELDS: &str = "import.too_few_fields";
    pub const TOO_MANY_FIELDS: &str = "import.too_many_fields";
    pub const NO_ROWS: &str = "import.no_rows";
    pub const HEADER_TOO_LONG: &str = "import.header_too_long";
    pub const TOO_MANY_COLUMNS: &str = "import.too_many_columns";
    pub const DUPLICATE_COLUMN: &str = "import.duplicate_column";
    pub const MISSING_COLUMN: &str = "import.missing_column";
    pub const UNKNOWN_COLUMN: &str = "import.unknown_column";
    pub const DUPLICATE_VALUE: &str = "import.duplicate_value";
    /// The downloadable report's header and its last line when issues were dropped.
    pub const REPORT_LINE: &str = "import.report.line";
    pub const REPORT_COLUMN: &str = "import.report.column";
    pub const REPORT_VALUE: &str = "import.report.value";
    pub const REPORT_REASON: &str = "import.report.reason";
    pub const REPORT_MORE: &str = "import.report.more";
}

/// Values longer than this are cut in issues (with `…`), to keep reports small.
pub const MAX_VALUE_CHARS: usize = 120;

/// One problem, at a line of the file (as a spreadsheet numbers its rows: the header is
/// line 1; 0 for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Issue {
    pub fn new(line: u64, key: &'static str) -> Issue {
        Issue {
            line,
            column: None,
            value: None,
            key,
            args: Vec::new(),
        }
    }

    pub fn column(mut self, column: &str) -> Issue {
        self.column = Some(column.to_string());
        self
    }

    /// The offending value, cut to [`MAX_VALUE_CHARS`].
    pub fn value(mut self, value: &str) -> Issue {
        self.value = Some(shorten(value));
        self
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Issue {
        self.args.push((name, value.into()));
        self
    }

    /// A refused value, at a line and column, with the value.
    pub fn refused(line: u64, column: &str, value: &str, refusal: Refusal) -> Issue {
        let mut issue = Issue::new(line, refusal.key).column(column).value(value);
        issue.args = refusal.args;
        issue
    }

    /// The reason in the user's language, placeholders filled from the arguments.
    pub fn message(&self, catalog: &Catalog, locale: Locale) -> String {
        catalog.text(locale, self.key, self.args.iter().map(|(k, v)| (*k, v)))
    }
}

impl std::fmt::Display for Issue {
    /// For logs: `line 12, column phone: import.bad_phone_sn (value "12")`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.key)?;
        for (k, v) in &self.args {
            write!(f, " {k}={v:?}")?;
        }
        if let Some(v) = &self.value {
            write!(f, " (value {v:?})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Issue {}

fn shorten(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}

/// Keeps a checked value, or moves its issue to the report (how each kind of row of an
/// import checks its fields and goes on to find the other bad ones).
pub fn keep<T>(result: Result<T, Issue>, report: &mut Report) -> Option<T> {
    result.map_err(|i| report.push(i)).ok()
}

/// The issues of one import, in line order, with the detail capped.
#[derive(Debug, Clone)]
pub struct Report {
    issues: Vec<Issue>,
    notes: Vec<Issue>,
    dropped: u64,
    cap: usize,
}

impl Default for Report {
    fn default() -> Self {
        Report::new()
    }
}

impl Report {
    pub const DEFAULT_CAP: usize = 10_000;

    pub fn new() -> Report {
        Report::with_cap(Report::DEFAULT_CAP)
    }

    /// Keeps the detail of at most `cap` issues (the ones on the lowest lines).
    pub fn with_cap(cap: usize) -> Report {
        Report {
            issues: Vec::new(),
            notes: Vec::new(),
            dropped: 0,
            cap,
        }
    }

    /// Adds an error. Issues may come in any order; they are kept sorted by line (ties
    /// in arrival order). Once `cap` are kept, a new one on a lower line takes the place
    /// of the last; the others are only counted.
    pub fn push(&mut self, issue: Issue) {
        let at = self.issues.partition_point(|i| i.line <= issue.line);
        if self.issues.len() < self.cap {
            self.issues.insert(at, issue);
        } else {
            self.dropped += 1;
            if at < self.issues.len() {
                self.issues.pop();
                self.issues.insert(at, issue);
            }
        }
    }

    /// Adds a note: something worth telling that does not stop the import (an ignored
    /// column). Notes are not capped by line order; at most `cap` are kept.
    pub fn note(&mut self, note: Issue) {
        if self.notes.len() < self.cap {
            self.notes.push(note);
        }
    }

    /// No error (notes do not count).
    pub fn is_clean(&self) -> bool {
        self.issues.is_empty() && self.dropped == 0
    }

    /// Every error found, kept or only counted.
    pub fn len(&self) -> u64 {
        self.issues.len() as u64 + self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The errors kept, by line.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    pub fn notes(&self) -> &[Issue] {
        &self.notes
    }

    /// Errors counted but not kept.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The errors as a CSV file for download: `line,column,value,reason` with the
    /// header in the user's language. French uses `;` and English `,`, as each
    /// locale's spreadsheet expects; the text starts with a UTF-8 byte-order mark so
    /// that Excel reads the accents right. A value that a spreadsheet would run as a
    /// formula (`=`, `+`, `-`, `@` not followed by a number) is prefixed with `'`.
    pub fn to_csv(&self, catalog: &Catalog, locale: Locale) -> String {
        let delimiter = if locale == Locale::Fr { b';' } else { b',' };
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        let header = [
            keys::REPORT_LINE,
            keys::REPORT_COLUMN,
            keys::REPORT_VALUE,
            keys::REPORT_REASON,
        ]
        .map(|k| catalog.t(locale, k));
        // Writing to a Vec cannot fail; errors are ignored rather than unwrapped.
        let _ = w.write_record(&header);
        for i in &self.issues {
            let line = if i.line == 0 {
                String::new()
            } else {
                i.line.to_string()
            };
            let record = [
                line,
                i.column.clone().unwrap_or_default(),
                defuse_formula(i.value.as_deref().unwrap_or("")),
                i.message(catalog, locale),
            ];
            let _ = w.write_record(&record);
        }
        if self.dropped > 0 {
            let count = Arg::from(self.dropped);
            let more = catalog.text(locale, keys::REPORT_MORE, [("count", &count)]);
            let _ = w.write_record(["", "", "", more.as_str()]);
        }
        let bytes = w.into_inner().unwrap_or_default();
        format!("\u{FEFF}{}", String::from_utf8_lossy(&bytes))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::fields::keys as field_keys;

    fn load_catalog() -> anyhow::Result<Catalog> {
        Catalog::embedded()
    }

    fn issue(line: u64) -> Issue {
        Issue::new(line, field_keys::REQUIRED)
    }

    #[test]
    fn a_report_keeps_issues_in_line_order_whatever_the_order_they_come_in() {
        let mut r = Report::new();
        for line in [5, 2, 9, 2, 1] {
            r.push(issue(line));
        }
        let lines: Vec<u64> = r.issues().iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![1, 2, 2, 5, 9]);
        assert!(!r.is_clean());
    }

    #[test]
    fn a_full_report_keeps_the_lowest_lines_and_counts_the_rest() {
        let mut r = Report::with_cap(3);
        for line in [10, 20, 30, 40, 5, 50] {
            r.push(issue(line));
        }
        let lines: Vec<u64> = r.issues().iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![5, 10, 20]);
        assert_eq!((r.len(), r.dropped()), (6, 3));
    }

    #[test]
    fn notes_do_not_make_a_report_unclean() {
        let mut r = Report::new();
        r.note(Issue::new(1, keys::UNKNOWN_COLUMN).column("remarks"));
        assert!(r.is_clean());
        assert_eq!(r.notes().len(), 1);
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = "é".repeat(500);
        let v = Issue::new(2, field_keys::TOO_LONG)
            .value(&long)
            .value
            .unwrap();
        assert_eq!(v.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(v.ends_with('…'));
    }

    #[test]
    fn messages_are_filled_in_each_language() {
        let catalog = load_catalog().unwrap();
        let i = Issue::new(3, keys::MISSING_COLUMN)
            .column("phone")
            .arg("column", "phone")
            .arg("found", "ref, name");
        assert!(i.message(&catalog, Locale::Fr).contains("phone"));
        assert!(i.message(&catalog, Locale::En).contains("ref, name"));
        assert!(!i.message(&catalog, Locale::En).contains('{'));
    }

    #[test]
    fn the_csv_report_is_localised_quoted_and_safe_to_open_in_a_spreadsheet() {
        let catalog = load_catalog().unwrap();
        let mut r = Report::with_cap(1);
        r.push(
            Issue::new(4, field_keys::BAD_AMOUNT)
                .column("base")
                .value("=HYPERLINK(\"x\")"),
        );
        r.push(issue(7));
        let fr = r.to_csv(&catalog, Locale::Fr);
        assert!(fr.starts_with('\u{FEFF}'));
        let mut lines = fr.trim_start_matches('\u{FEFF}').lines();
        assert_eq!(lines.next(), Some("ligne;colonne;valeur;motif"));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("4;base;\"'=HYPERLINK(\"\"x\"\")\";"),
            "{row}"
        );
        assert!(lines.next().unwrap().contains('1'), "the dropped count");
        let en = r.to_csv(&catalog, Locale::En);
        assert!(en.contains("line,column,value,reason"));
        assert_eq!(defuse_formula("-5"), "-5");
        assert_eq!(defuse_formula("-x"), "'-x");
        assert_eq!(defuse_formula("+221 77"), "+221 77");
    }

    #[test]
    fn values_a_spreadsheet_would_run_as_formulas_are_defused_and_numbers_are_not() {
        for (value, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
            ("+A1", "'+A1"),
            ("\t=1", "'\t=1"),
            ("+221771234567", "+221771234567"),
            ("+221 77 123 45 67", "+221 77 123 45 67"),
            ("-2500", "-2500"),
            ("Awa Diop", "Awa Diop"),
            ("", ""),
        ] {
            assert_eq!(defuse_formula(value), out, "{value}");
        }
    }

    /// Every `"import.…"` key written in this module's sources exists in both
    /// languages, every `import.` key of the catalogue is used, and each key has the
    /// same placeholders in French and English.
    #[test]
    fn every_key_in_the_code_is_in_both_catalogues_with_the_same_placeholders() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("reader.rs"),
            include_str!("issue.rs"),
            include_str!("encoding.rs"),
            include_str!("record.rs"),
            include_str!("row.rs"),
        ];
        let mut used = BTreeSet::new();
        for src in sources {
            for piece in src.split("\"import.").skip(1) {
                let key: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                if piece[key.len()..].starts_with('"') && !key.is_empty() && !key.ends_with('.') {
                    used.insert(format!("import.{key}"));
                }
            }
        }
        assert!(used.len() > 15, "found {used:?}");
        let catalog = load_catalog().unwrap();
        for locale in Locale::ALL {
            let defined: BTreeSet<String> = catalog
                .keys(locale)
                .into_iter()
                .filter(|k| k.starts_with("import."))
                .map(str::to_string)
                .collect();
            assert_eq!(defined, used, "{}", locale.as_str());
        }
        for key in &used {
            let holes = |l| -> BTreeSet<String> {
                let text = catalog.get(l, key).unwrap();
                text.split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}'))
                    .map(|p| p.0.to_string())
                    .collect()
            };
            assert_eq!(holes(Locale::Fr), holes(Locale::En), "{key}");
        }
    }
}

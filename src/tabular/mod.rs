//! Everything CSV, for every domain: reading the files people upload, the one
//! all-or-nothing import that each kind of row plugs into, and streamed CSV writing.
//! Pure but for [`import`], which writes through the kind of row it is given.
//!
//! ```no_run
//! use commune::communes::Country;
//! use commune::fields;
//! use commune::tabular::{CsvSource, Issue, Report};
//!
//! # fn run(path: &std::path::Path) -> Result<(), Issue> {
//! let source = CsvSource::open(path)?;           // encoding, delimiter, header
//! let mut report = Report::new();
//! let cols = match source.columns(&["ref", "name", "phone"], &["email"]) {
//!     Ok(cols) => cols,
//!     Err(issues) => { issues.into_iter().for_each(|i| report.push(i)); return Ok(()) }
//! };
//! cols.notes().into_iter().for_each(|n| report.note(n));
//! let (reference, phone) = (cols.col("ref"), cols.col("phone"));
//! for row in source.rows() {
//!     let row = match row { Ok(row) => row, Err(issue) => { report.push(issue); continue } };
//!     let _r = row.parse(reference, fields::required);
//!     match row.parse(phone, |v| fields::phone(v, Country::Senegal)) {
//!         Ok(_e164) => {}
//!         Err(issue) => report.push(issue),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! - **Encoding** ([`encoding`]): UTF-8 or Windows-1252, decided by reading the whole
//!   file once; UTF-16, binary files, Excel workbooks, undefined bytes and mixed
//!   encodings are refused with an [`Issue`] saying what to do.
//! - **Delimiter** ([`delimiter`]): `;`, `,` or tab, from the header line.
//! - **Records** ([`record`]): RFC 4180 quoting; line numbers as a spreadsheet shows
//!   them (the header is line 1, a multi-line quoted field is one line, blank lines
//!   count and are skipped).
//! - **Header**: read before anything is written; at most [`MAX_COLUMNS`] columns, a
//!   column named twice is an issue.
//! - **Shape**: a row with too few fields, or with values beyond the last column, is an
//!   issue for that line and the stream goes on. Trailing empty fields (`a;b;;;`, as
//!   Excel writes after formatted empty columns) are accepted. A file with a header but
//!   no data row gives one [`keys::NO_ROWS`] issue.
//! - **Memory** is flat: a 64 KiB buffer and one row at a time.
//! - **Imports** ([`import`]): rows are read and checked on a second thread while the
//!   first writes them, in batches, inside one transaction; a bad row anywhere and
//!   nothing is written.
//! - **Writing** ([`write`]): exports stream page by page; a value a spreadsheet would
//!   run as a formula is defused, and the reader takes the defusing off again.

pub mod delimiter;
pub mod encoding;
pub mod import;
pub mod issue;
mod reader;
pub mod record;
mod row;
pub mod write;

pub use encoding::Encoding;
pub use issue::{keep, keys, Issue, Report};
pub use reader::{CsvSource, Rows, MAX_COLUMNS};
pub use row::{Col, Columns, Row};
pub use write::defuse_formula;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

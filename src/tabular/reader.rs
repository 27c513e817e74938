//! The reader: a file's encoding and delimiter detected, its header read, then its
//! rows one at a time.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::delimiter;
use super::encoding::{self, unreadable, Encoding, Windows1252Reader};
use super::issue::{keys, Issue};
use super::record::{Parser, RawRecord, Step, MAX_RECORD_BYTES};
use super::row::{Columns, Row};
use crate::text::trimmed_span;

/// The most columns a file may have: every import needs a dozen at most.
pub const MAX_COLUMNS: usize = 200;

/// The longest header line accepted, in bytes. The header is read when the file is
/// opened, before any write, so a huge one costs nothing but this check.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// An opened file: encoding and delimiter detected, header read.
pub struct CsvSource {
    parser: Parser<Box<dyn Read + Send>>,
    encoding: Encoding,
    delimiter: u8,
    headers: Vec<String>,
    header_line: u64,
    progress: Arc<AtomicU64>,
    total_bytes: u64,
}

impl CsvSource {
    /// Opens a file. Errors: unreadable, empty (or only blank lines), wrong encoding.
    pub fn open(path: &Path) -> Result<CsvSource, Issue> {
        CsvSource::from_reader(File::open(path).map_err(unreadable)?)
    }

    /// Opens any seekable input (a file, or a `Cursor` over bytes in tests). The input
    /// is read twice: once to decide the encoding, then as rows are asked for.
    pub fn from_reader<R: Read + Seek + Send + 'static>(mut input: R) -> Result<CsvSource, Issue> {
        let total_bytes = input.seek(SeekFrom::End(0)).map_err(unreadable)?;
        let detected = encoding::detect(&mut input)?;
        input
            .seek(SeekFrom::Start(detected.bom_len))
            .map_err(unreadable)?;
        let mut head = Vec::new();
        (&mut input)
            .take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        let delimiter = delimiter::detect(&head);
        input
            .seek(SeekFrom::Start(detected.bom_len))
            .map_err(unreadable)?;

        let progress = Arc::new(AtomicU64::new(detected.bom_len));
        let counted = Counted {
            inner: input,
            progress: progress.clone(),
        };
        let stream: Box<dyn Read + Send> = match detected.encoding {
            Encoding::Utf8 => Box::new(counted),
            Encoding::Windows1252 => Box::new(Windows1252Reader::new(counted)),
        };
        let mut parser = Parser::new(stream, delimiter);
        let mut rec = RawRecord::default();
        let (header_line, headers) = loop {
            match parser.next_record(&mut rec).map_err(unreadable)? {
                Step::Record => {
                    let text = std::str::from_utf8(&rec.bytes).map_err(|_| changed(rec.row))?;
                    if text.trim().is_empty() {
                        continue;
                    }
                    if rec.bytes.len() > MAX_HEADER_BYTES {
                        return Err(Issue::new(rec.row, keys::HEADER_TOO_LONG)
                            .arg("max", (MAX_HEADER_BYTES / 1024) as i64));
                    }
                    if rec.len() > MAX_COLUMNS {
                        return Err(Issue::new(rec.row, keys::TOO_MANY_COLUMNS)
                            .arg("max", MAX_COLUMNS)
                            .arg("found", rec.len()));
                    }
                    let headers = (0..rec.len())
                        .map(|i| {
                            let name = std::str::from_utf8(rec.field(i)).unwrap_or_default();
                            name.trim()
                                .trim_start_matches('\u{FEFF}')
                                .trim()
                                .to_lowercase()
                        })
                        .collect();
                    break (rec.row, headers);
                }
                Step::End => return Err(Issue::new(0, keys::EMPTY_FILE)),
                Step::Unclosed => return Err(unclosed(rec.row)),
                Step::TooLong => return Err(too_long(rec.row)),
            }
        };
        Ok(CsvSource {
            parser,
            encoding: detected.encoding,
            delimiter,
            headers,
            header_line,
            progress,
            total_bytes,
        })
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// `b','`, `b';'` or `b'\t'`.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The column names: trimmed, lowercased, byte-order mark stripped.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The header's line (1 unless blank lines come first).
    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// Bytes of the file read so far (shared; for a progress bar against [`Self::total_bytes`]).
    pub fn progress(&self) -> Arc<AtomicU64> {
        self.progress.clone()
    }

    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Maps the columns an import needs. Each missing required column and each column
    /// named twice is an issue on the header line. Other columns are allowed and ignored
    /// (see [`Columns::notes`]); columns with an empty name are ignored silently.
    pub fn columns(
        &self,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Columns, Vec<Issue>> {
        let line = self.header_line;
        let mut issues = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut reported = std::collections::HashSet::new();
        for name in self.headers.iter().filter(|h| !h.is_empty()) {
            if !seen.insert(name.as_str()) && reported.insert(name.as_str()) {
                issues.push(
                    Issue::new(line, keys::DUPLICATE_COLUMN)
                        .column(name)
                        .arg("column", name.as_str()),
                );
            }
        }
        let found = |name: &str| self.headers.iter().position(|h| h == name);
        for name in required {
            if found(name).is_none() {
                let present: Vec<&str> = self
                    .headers
                    .iter()
                    .map(String::as_str)
                    .filter(|h| !h.is_empty())
                    .collect();
                issues.push(
                    Issue::new(line, keys::MISSING_COLUMN)
                        .column(name)
                        .arg("column", *name)
                        .arg("found", present.join(", ")),
                );
            }
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        let index = required
            .iter()
            .chain(optional)
            .filter_map(|name| found(name).map(|i| (*name, i)))
            .collect();
        let unknown = self
            .headers
            .iter()
            .filter(|h| {
                !h.is_empty() && !required.contains(&h.as_str()) && !optional.contains(&h.as_str())
            })
            .cloned()
            .collect();
        Ok(Columns {
            index,
            unknown,
            header_line: line,
        })
    }

    /// The data rows, one at a time. See the module documentation for what is an issue.
    pub fn rows(self) -> Rows {
        let width = self
            .headers
            .iter()
            .rposition(|h| !h.is_empty())
            .map_or(0, |i| i + 1);
        Rows {
            parser: self.parser,
            rec: RawRecord::default(),
            width,
            header_len: self.headers.len(),
            delimiter: self.delimiter,
            header_line: self.header_line,
            data_rows: 0,
            done: false,
        }
    }
}

/// Counts the bytes read from the file.
struct Counted<R> {
    inner: R,
    progress: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The data rows of a [`CsvSource`].
pub struct Rows {
    parser: Parser<Box<dyn Read + Send>>,
    rec: RawRecord,
    /// Fields up to the last named column: a row needs at least these.
    width: usize,
    header_len: usize,
    delimiter: u8,
    header_line: u64,
    data_rows: u64,
    done: bool,
}

impl Rows {
    /// The record just read, as a row; blank rows give `None`.
    fn take_row(&mut self) -> Result<Option<Row>, Issue> {
        let capacity = 256.max(self.rec.bytes.len() * 2);
        let bytes = std::mem::replace(&mut self.rec.bytes, Vec::with_capacity(capacity));
        let text = String::from_utf8(bytes).map_err(|_| changed(self.rec.row))?;
        let mut spans = Vec::with_capacity(self.header_len.max(self.rec.len()));
        let mut start = 0;
        let mut blank = true;
        for &end in &self.rec.ends {
            // Always true for input that was valid when its encoding was decided; a file
            // changed since could split a character, which must not panic.
            if !text.is_char_boundary(end) {
                return Err(changed(self.rec.row));
            }
            let (s, e) = trimmed_span(&text[start..end]);
            blank &= s == e;
            spans.push([(start + s) as u32, (start + e) as u32]);
            start = end;
        }
        if blank {
            self.rec.bytes = text.into_bytes();
            return Ok(None);
        }
        Ok(Some(Row {
            line: self.rec.row,
            text,
            spans,
        }))
    }

    /// A row with too few fields, or a value beyond the last column, is an issue.
    fn check_shape(&self, row: &Row) -> Result<(), Issue> {
        let n = row.len();
        if n < self.width {
            return Err(Issue::new(row.line, keys::TOO_FEW_FIELDS)
                .value(&row.joined(self.delimiter))
                .arg("expected", self.width.to_string())
                .arg("found", n.to_string()));
        }
        let last_value = (0..n)
            .rposition(|i| !row.field(i).is_empty())
            .map_or(0, |i| i + 1);
        if last_value > self.header_len {
            return Err(Issue::new(row.line, keys::TOO_MANY_FIELDS)
                .value(&row.joined(self.delimiter))
                .arg("expected", self.header_len.to_string())
                .arg("found", last_value.to_string())
                .arg("delimiter", delimiter_name(self.delimiter)));
        }
        Ok(())
    }
}

impl Iterator for Rows {
    type Item = Result<Row, Issue>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let step = match self.parser.next_record(&mut self.rec) {
                Ok(step) => step,
                Err(e) => {
                    self.done = true;
                    return Some(Err(Issue {
                        line: self.rec.row,
                        ..unreadable(e)
                    }));
                }
            };
            match step {
                Step::Record => match self.take_row() {
                    Ok(None) => continue,
                    Ok(Some(row)) => {
                        self.data_rows += 1;
                        return Some(self.check_shape(&row).map(|()| row));
                    }
                    Err(issue) => return Some(Err(issue)),
                },
                Step::End => {
                    self.done = true;
                    if self.data_rows == 0 {
                        return Some(Err(Issue::new(self.header_line + 1, keys::NO_ROWS)));
                    }
                }
                Step::Unclosed => {
                    self.done = true;
                    return Some(Err(unclosed(self.rec.row)));
                }
                Step::TooLong => {
                    self.done = true;
                    return Some(Err(too_long(self.rec.row)));
                }
            }
        }
        None
    }
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b';' => ";",
        b'\t' => "tab",
        _ => ",",
    }
}

fn unclosed(line: u64) -> Issue {
    Issue::new(line, keys::UNCLOSED_QUOTE)
}

fn too_long(line: u64) -> Issue {
    Issue::new(line, keys::ROW_TOO_LONG).arg("max", MAX_RECORD_BYTES / 1024)
}

fn changed(line: u64) -> Issue {
    Issue::new(line, keys::CHANGED_ENCODING)
}

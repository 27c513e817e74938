//! Columns, rows and the values in them.

use super::issue::{keys, Issue};
use crate::error::Refusal;

/// Where each wanted column is in the file.
#[derive(Debug, Clone)]
pub struct Columns {
    pub(super) index: Vec<(&'static str, usize)>,
    pub(super) unknown: Vec<String>,
    pub(super) header_line: u64,
}

/// A column looked up once, for fast access to it in every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col {
    pub name: &'static str,
    /// `None` when an optional column is absent from the file.
    pub index: Option<usize>,
}

impl Columns {
    /// The column by name; an absent optional column (or an unknown name) reads as empty.
    pub fn col(&self, name: &'static str) -> Col {
        let index = self.index.iter().find(|(n, _)| *n == name).map(|(_, i)| *i);
        Col { name, index }
    }

    pub fn has(&self, name: &str) -> bool {
        self.index.iter().any(|(n, _)| *n == name)
    }

    /// Columns of the file that the import does not use.
    pub fn unknown(&self) -> &[String] {
        &self.unknown
    }

    /// One note per ignored column, for [`Report::note`].
    pub fn notes(&self) -> Vec<Issue> {
        self.unknown
            .iter()
            .map(|c| {
                Issue::new(self.header_line, keys::UNKNOWN_COLUMN)
                    .column(c)
                    .arg("column", c.as_str())
            })
            .collect()
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line as a spreadsheet numbers it (the header is line 1).
    pub line: u64,
    pub(super) text: String,
    /// Each field's trimmed value, as byte offsets into `text` (a record is at most
    /// 1 MiB, so `u32` is enough).
    pub(super) spans: Vec<[u32; 2]>,
}

impl Row {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The `i`th field, trimmed; empty when there is no such field.
    /// A leading `'` that defused a formula in an export ([`super::defuse_formula`])
    /// is taken off.
    pub fn field(&self, i: usize) -> &str {
        let value = match self.spans.get(i) {
            Some(&[start, end]) => &self.text[start as usize..end as usize],
            None => "",
        };
        match value.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '@', '+', '-']) => rest,
            _ => value,
        }
    }

    /// A column's value, trimmed; empty when the column is absent.
    pub fn at(&self, col: Col) -> &str {
        col.index.map_or("", |i| self.field(i))
    }

    /// The value of a column by name (a lookup per call: prefer [`Row::at`] in loops).
    pub fn get(&self, cols: &Columns, name: &'static str) -> &str {
        self.at(cols.col(name))
    }

    /// Parses a column's value; a failure becomes an issue at this line and column,
    /// with the value.
    pub fn parse<'r, T>(
        &'r self,
        col: Col,
        parse: impl FnOnce(&'r str) -> Result<T, Refusal>,
    ) -> Result<T, Issue> {
        let value = self.at(col);
        parse(value).map_err(|refusal| Issue::refused(self.line, col.name, value, refusal))
    }

    /// An issue at this row and column for a reason found elsewhere (say, an unknown
    /// district found by a database lookup).
    pub fn issue(&self, col: Col, refusal: Refusal) -> Issue {
        Issue::refused(self.line, col.name, self.at(col), refusal)
    }

    /// The row as the user typed it, fields joined by `delimiter` (for issues about the
    /// whole row).
    pub(super) fn joined(&self, delimiter: u8) -> String {
        let sep = (delimiter as char).to_string();
        (0..self.len())
            .map(|i| self.field(i))
            .collect::<Vec<_>>()
            .join(&sep)
    }
}

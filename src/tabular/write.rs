//! Writing CSV: every value defused against spreadsheet formulas, rows written as they
//! come (an export reads its rows page by page, so a register of a million taxpayers
//! never sits in memory), and a writer that hands the output over in chunks, for a
//! download that starts before the export ends.

use std::io::{self, Write};

/// A CSV file being written: UTF-8, comma-separated, every value defused.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file with its header.
    pub fn new(out: W, header: &[&str]) -> csv::Result<CsvWriter<W>> {
        let mut inner = csv::Writer::from_writer(out);
        inner.write_record(header)?;
        Ok(CsvWriter { inner, rows: 0 })
    }

    /// Writes one row, each value through [`defuse_formula`].
    pub fn row<I, S>(&mut self, values: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner
            .write_record(values.into_iter().map(|v| defuse_formula(v.as_ref())))?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes what is left; returns the number of rows written.
    pub fn finish(mut self) -> io::Result<u64> {
        self.inner.flush()?;
        Ok(self.rows)
    }
}

/// Prefixes `'` to a value a spreadsheet would take for a formula: one that starts with
/// `=`, `@`, a tab or a carriage return, or with `+` or `-` unless the rest is a plain
/// number (so that phone numbers such as `+221 77 123 45 67` and negative amounts stay
/// as they are). OWASP's "CSV injection" page lists these characters. The reader takes
/// the `'` off again ([`super::Row::field`]), so an export re-imports unchanged.
pub fn defuse_formula(value: &str) -> String {
    let mut chars = value.chars();
    let plain_number = |rest: &str| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.chars().all(|c| c.is_ascii_digit() || c == ' ')
    };
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => format!("'{value}"),
        Some('+' | '-') if !plain_number(chars.as_str()) => format!("'{value}"),
        _ => value.to_string(),
    }
}

/// What one chunk of a streamed file holds before it is handed over.
pub const CHUNK: usize = 64 * 1024;

/// A `Write` that hands full chunks to a channel (the response of a download). When the
/// receiver is gone (the reader hung up), writing fails and the export stops.
pub struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    pub fn new(tx: tokio::sync::mpsc::Sender<io::Result<Vec<u8>>>) -> ChunkWriter {
        ChunkWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader left"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_written_is_defused_and_the_rows_are_counted() {
        let mut out = Vec::new();
        let mut w = CsvWriter::new(&mut out, &["ref", "name"]).unwrap();
        w.row(["TP-1", "=HYPERLINK(\"x\")"]).unwrap();
        w.row(["TP-2", "Awa Diop"]).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "ref,name\nTP-1,\"'=HYPERLINK(\"\"x\"\")\"\nTP-2,Awa Diop\n"
        );
    }

    #[test]
    fn a_chunk_writer_stops_when_the_reader_leaves() {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        drop(rx);
        let mut w = ChunkWriter::new(tx);
        let big = vec![b'x'; CHUNK];
        assert_eq!(w.write(&big).unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}

//! The record reader: RFC 4180 over a stream of UTF-8 bytes, one record at a time,
//! in a fixed 64 KiB buffer.
//!
//! The rules, as a spreadsheet writes and reads them:
//! - fields are separated by the delimiter; a record ends at `\n`, `\r\n` or a lone `\r`;
//! - a field that starts with `"` is quoted: it runs to the next lone `"`, `""` inside it
//!   is one `"`, and it may hold delimiters and line breaks;
//! - blanks (spaces, and tabs unless tab is the delimiter) at the start of a field and
//!   after a closing quote are ignored (values are trimmed anyway), so `a, "b, c"` is
//!   two fields; any other text after a closing quote is kept, as most readers do
//!   (`"ab"c` is `abc`); a `"` inside an unquoted field is an ordinary character.
//!
//! Each record carries its **row number as a spreadsheet shows it**: one row per record
//! and one per blank line, so a quoted field spanning three lines is still one row.
//!
//! Memory stays flat whatever the input: a record longer than [`MAX_RECORD_BYTES`]
//! (typically a quote that is never closed) stops the reader with [`Step::TooLong`].
//!
//! **Why not csv-core.** A reader on `csv_core::Reader` (`read_record`, the detected
//! delimiter, `Terminator::CRLF`) was written to give exactly these records, rows and
//! steps, and checked against this one by a proptest on random bytes, buffer sizes,
//! limits and read pieces (commit 739769c, "a record reader on csv-core beside the
//! hand-written one"). csv-core alone reads otherwise: it decides whether a field is
//! quoted on its first byte, so `a, "b, c"` is three fields (`a`, ` "b`, ` c"`) and a
//! line break after ` "` ends the record; it keeps blanks after a closing quote
//! (`"b" ,d` gives `b `, `"ab" c` gives `ab c`); it skips blank lines, so rows cannot be
//! counted from its records; it closes a quote left open at the end of the input; it
//! has no record limit; it strips a UTF-8 byte-order mark. The wrapper handled record
//! starts, blank lines, rows and the limit itself, and read a record again field by
//! field, blanks taken out, when one of its fields started with a blank or one of its
//! `"` was followed by one. It was slower, so it was dropped. Measured on 2026-11-30, on
//! the 1 M-row file of `scripts/gen_taxpayers.py` (101 MB, UTF-8, `,`), release build,
//! 11 runs of each, alternated, on a shared 2-vCPU Xeon VM (load average 6.8 to 7.0
//! throughout; CPU time from `perf stat`):
//!
//! ```text
//!                                             hand-written      csv-core
//! reader, read only (reader_throughput_on_a_million_rows, detection pass included)
//!   wall, best / median                       0.54 / 0.57 s     0.65 / 0.67 s
//!   rows/s, best / median                     1.84 / 1.75 M     1.54 / 1.49 M
//!   CPU time, median                          385 ms            455 ms
//! records alone (next_record over the file)
//!   wall, best / median                       0.27 / 0.32 s     0.37 / 0.40 s
//!   CPU time, median                          193 ms            262 ms
//! ```
//!
//! Profiled, csv-core's `read_record` alone took about as long as this whole parser
//! (178 ms against 164 ms); checking each record for blanks and copying its fields out
//! came on top.

use std::io::{self, Read};

/// The longest record accepted, in bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

const BUF_BYTES: usize = 64 * 1024;

/// One record: its fields' bytes end to end, where each field ends, and its row.
#[derive(Debug, Default, Clone)]
pub struct RawRecord {
    pub bytes: Vec<u8>,
    pub ends: Vec<usize>,
    pub row: u64,
}

impl RawRecord {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// What [`Parser::next_record`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A record was read into the caller's [`RawRecord`].
    Record,
    /// The input is exhausted.
    End,
    /// The input ended inside a quoted field opened in the record at `RawRecord::row`.
    Unclosed,
    /// The record at `RawRecord::row` is longer than [`MAX_RECORD_BYTES`].
    TooLong,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// Just after a `"` inside a quoted field: either `""` or the closing quote.
    QuoteInQuoted,
}

pub struct Parser<R> {
    src: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    limit: usize,
    delim: u8,
    /// The bytes that end an unquoted run: the delimiter, `\n` and `\r`.
    special: [bool; 256],
    /// The last record ended at a `\r`: a `\n` right after it belongs to it.
    skip_lf: bool,
    next_row: u64,
}

impl<R: Read> Parser<R> {
    pub fn new(src: R, delim: u8) -> Parser<R> {
        Parser::with_sizes(src, delim, BUF_BYTES, MAX_RECORD_BYTES)
    }

    fn with_sizes(src: R, delim: u8, buf: usize, limit: usize) -> Parser<R> {
        Parser {
            src,
            buf: vec![0; buf].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            limit,
            delim,
            special: std::array::from_fn(|b| b == delim as usize || b == 10 || b == 13),
            skip_lf: false,
            next_row: 1,
        }
    }

    /// Makes sure unread bytes are in the buffer; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        while self.pos == self.len && !self.eof {
            self.pos = 0;
            self.len = 0;
            match self.src.read(&mut self.buf) {
                Ok(0) => self.eof = true,
                Ok(n) => self.len = n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.pos < self.len)
    }

    /// Reads the next record into `rec` (cleared first).
    pub fn next_record(&mut self, rec: &mut RawRecord) -> io::Result<Step> {
        rec.bytes.clear();
        rec.ends.clear();
        rec.row = self.next_row;
        if self.skip_lf && self.fill()? && self.buf[self.pos] == b'\n' {
            self.pos += 1;
        }
        self.skip_lf = false;

        let delim = self.delim;
        let mut state = State::FieldStart;
        let mut started = false;
        let mut consumed = 0usize;
        loop {
            if !self.fill()? {
                return Ok(match state {
                    State::Quoted => Step::Unclosed,
                    State::FieldStart if !started => Step::End,
                    _ => {
                        rec.ends.push(rec.bytes.len());
                        self.next_row += 1;
                        Step::Record
                    }
                });
            }
            let buf = &self.buf[..self.len];
            let special = &self.special;
            let chunk_start = self.pos;
            let mut pos = self.pos;
            started = true;
            while pos < buf.len() {
                let b = buf[pos];
                pos += 1;
                match state {
                    State::FieldStart => {
                        if b == b'"' {
                            state = State::Quoted;
                        } else if b == delim {
                            rec.ends.push(rec.bytes.len());
                        } else if b == b'\n' || b == b'\r' {
                            return Ok(self.finish(rec, pos, b));
                        } else if b != b' ' && b != b'\t' {
                            // Unquoted: copy the run up to the next special byte.
                            let run = pos - 1;
                            while pos < buf.len() && !special[buf[pos] as usize] {
                                pos += 1;
                            }
                            rec.bytes.extend_from_slice(&buf[run..pos]);
                            state = State::Unquoted;
                        }
                    }
                    State::Unquoted => {
                        if b == delim {
                            rec.ends.push(rec.bytes.len());
                            state = State::FieldStart;
                        } else if b == b'\n' || b == b'\r' {
                            return Ok(self.finish(rec, pos, b));
                        } else {
                            let run = pos - 1;
                            while pos < buf.len() && !special[buf[pos] as usize] {
                                pos += 1;
                            }
                            rec.bytes.extend_from_slice(&buf[run..pos]);
                        }
                    }
                    State::Quoted => {
                        if b == b'"' {
                            state = State::QuoteInQuoted;
                        } else {
                            let run = pos - 1;
                            let end =
                                memchr::memchr(b'"', &buf[pos..]).map_or(buf.len(), |i| pos + i);
                            rec.bytes.extend_from_slice(&buf[run..end]);
                            pos = end;
                        }
                    }
                    State::QuoteInQuoted => {
                        if b == b'"' {
                            rec.bytes.push(b'"');
                            state = State::Quoted;
                        } else if b == delim {
                            rec.ends.push(rec.bytes.len());
                            state = State::FieldStart;
                        } else if b == b'\n' || b == b'\r' {
                            return Ok(self.finish(rec, pos, b));
                        } else if b != b' ' && b != b'\t' {
                            rec.bytes.push(b);
                            state = State::Unquoted;
                        }
                    }
                }
            }
            self.pos = pos;
            consumed += pos - chunk_start;
            if consumed > self.limit {
                return Ok(Step::TooLong);
            }
        }
    }

    fn finish(&mut self, rec: &mut RawRecord, pos: usize, terminator: u8) -> Step {
        self.pos = pos;
        self.skip_lf = terminator == b'\r';
        rec.ends.push(rec.bytes.len());
        self.next_row += 1;
        Step::Record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that hands out the input in pieces of the given sizes, in turn, to
    /// cross every buffer boundary.
    struct Pieces<'a> {
        data: &'a [u8],
        sizes: Vec<usize>,
        turn: usize,
    }

    impl<'a> Pieces<'a> {
        fn new(data: &'a [u8], sizes: &[usize]) -> Pieces<'a> {
            Pieces {
                data,
                sizes: sizes.to_vec(),
                turn: 0,
            }
        }
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let size = self.sizes[self.turn % self.sizes.len()];
            self.turn += 1;
            let n = size.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Every step until the first that is not a record, with its record.
    type Trace = Vec<(Step, u64, Vec<u8>, Vec<usize>)>;

    fn trace(src: impl Read, delim: u8, buf: usize, limit: usize) -> Trace {
        let mut p = Parser::with_sizes(src, delim, buf, limit);
        let mut rec = RawRecord::default();
        let mut out: Trace = Vec::new();
        loop {
            let step = p.next_record(&mut rec).unwrap();
            if step == Step::Record {
                out.push((step, rec.row, rec.bytes.clone(), rec.ends.clone()));
            } else {
                out.push((step, rec.row, Vec::new(), Vec::new()));
                return out;
            }
        }
    }

    /// Reads every record as (row, fields), with blank lines kept as a single empty field.
    fn records(input: &[u8], delim: u8) -> (Vec<(u64, Vec<String>)>, Step) {
        let mut p = Parser::new(input, delim);
        let mut rec = RawRecord::default();
        let mut out = Vec::new();
        loop {
            match p.next_record(&mut rec).unwrap() {
                Step::Record => out.push((
                    rec.row,
                    (0..rec.len())
                        .map(|i| String::from_utf8(rec.field(i).to_vec()).unwrap())
                        .collect(),
                )),
                other => return (out, other),
            }
        }
    }

    fn fields(input: &str, delim: u8) -> Vec<Vec<String>> {
        records(input.as_bytes(), delim)
            .0
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    #[test]
    fn plain_records_split_on_the_delimiter_and_any_line_ending() {
        assert_eq!(
            fields("a,b\r\nc,d\ne,f\rg,h", b','),
            vec![
                vec!["a", "b"],
                vec!["c", "d"],
                vec!["e", "f"],
                vec!["g", "h"]
            ]
        );
        assert_eq!(fields("a;b,c\n", b';'), vec![vec!["a", "b,c"]]);
        assert_eq!(fields("a\tb\n", b'\t'), vec![vec!["a", "b"]]);
    }

    #[test]
    fn empty_fields_are_kept() {
        assert_eq!(fields(",a,,\n", b','), vec![vec!["", "a", "", ""]]);
    }

    #[test]
    fn quoted_fields_hold_delimiters_quotes_and_line_breaks() {
        assert_eq!(
            fields("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n", b','),
            vec![vec!["a,b", "say \"hi\"", "two\nlines"]]
        );
        assert_eq!(fields("\"\"\n", b','), vec![vec![""]]);
    }

    #[test]
    fn spaces_around_quotes_are_ignored_but_other_text_after_a_quote_is_kept() {
        assert_eq!(
            fields("a, \"b, c\" ,d\n", b','),
            vec![vec!["a", "b, c", "d"]]
        );
        assert_eq!(fields("\"ab\"c,d\n", b','), vec![vec!["abc", "d"]]);
        assert_eq!(fields("12\" pipe,x\n", b','), vec![vec!["12\" pipe", "x"]]);
        assert_eq!(fields("\"ab\" c d,x\n", b','), vec![vec!["abc d", "x"]]);
        assert_eq!(fields("\"a\" \"b\"\n", b','), vec![vec!["a\"b"]]);
        assert_eq!(
            fields("x\t \"a\tb\"\t\n", b'\t'),
            vec![vec!["x", "a\tb", ""]]
        );
    }

    #[test]
    fn a_space_before_a_quote_keeps_line_breaks_inside_the_quotes() {
        let (recs, end) = records(b"x, \"a,\nb\"\ny,z\n", b',');
        assert_eq!(end, Step::End);
        assert_eq!(
            recs,
            vec![
                (1, vec!["x".to_string(), "a,\nb".to_string()]),
                (2, vec!["y".to_string(), "z".to_string()])
            ]
        );
    }

    #[test]
    fn rows_count_records_and_blank_lines_but_not_line_breaks_inside_quotes() {
        let (recs, end) = records(b"h1,h2\n\"a\nb\nc\",1\n\nx,2\r\n\r\ny,3", b',');
        assert_eq!(end, Step::End);
        let rows: Vec<u64> = recs.iter().map(|r| r.0).collect();
        // header 1, the three-line record 2, blank 3, x 4, blank 5, y 6
        assert_eq!(rows, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(recs[2].1, vec![""]);
    }

    #[test]
    fn lines_of_blanks_are_blank_records() {
        let (recs, end) = records(b"a\n  \n\t\r\r\nb\n ", b',');
        assert_eq!(end, Step::End);
        let want: Vec<(u64, Vec<String>)> =
            [(1, "a"), (2, ""), (3, ""), (4, ""), (5, "b"), (6, "")]
                .iter()
                .map(|(r, f)| (*r, vec![f.to_string()]))
                .collect();
        assert_eq!(recs, want);
    }

    #[test]
    fn a_final_line_break_does_not_make_an_extra_record() {
        assert_eq!(records(b"a\n", b',').0.len(), 1);
        assert_eq!(records(b"a\r\n", b',').0.len(), 1);
        assert_eq!(records(b"", b',').0.len(), 0);
    }

    #[test]
    fn a_byte_order_mark_is_an_ordinary_byte_here() {
        // The encoding layer takes the file's mark off; what is left is data.
        assert_eq!(fields("\u{FEFF}a,b\n", b','), vec![vec!["\u{FEFF}a", "b"]]);
    }

    #[test]
    fn an_unclosed_quote_is_reported_at_the_row_where_it_opened() {
        let mut p = Parser::new(&b"h\nok\n\"never closed\nmore\n"[..], b',');
        let mut rec = RawRecord::default();
        assert_eq!(p.next_record(&mut rec).unwrap(), Step::Record);
        assert_eq!(p.next_record(&mut rec).unwrap(), Step::Record);
        assert_eq!(p.next_record(&mut rec).unwrap(), Step::Unclosed);
        assert_eq!(rec.row, 3);
        let (_, end) = records(b"a\nb, \"c\nd", b',');
        assert_eq!(end, Step::Unclosed);
        let (recs, end) = records(b"a\n\"b\" ", b',');
        assert_eq!((recs.len(), end), (2, Step::End));
    }

    #[test]
    fn a_record_longer_than_the_limit_stops_the_reader() {
        let mut input = b"\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + BUF_BYTES * 2));
        let mut p = Parser::new(&input[..], b',');
        let mut rec = RawRecord::default();
        assert_eq!(p.next_record(&mut rec).unwrap(), Step::TooLong);
        assert!(rec.bytes.capacity() <= 2 * (MAX_RECORD_BYTES + BUF_BYTES));
    }

    #[test]
    fn the_limit_is_checked_each_time_the_buffer_runs_out() {
        // Buffers of 4 bytes, records of at most 6: checked after 4 and 8.
        let t = |input: &[u8]| trace(input, b',', 4, 6);
        let steps = |tr: Trace| tr.iter().map(|t| (t.0, t.1)).collect::<Vec<_>>();
        // 7 bytes, ending inside the second buffer: accepted.
        assert_eq!(
            steps(t(b"abcdef\n")),
            vec![(Step::Record, 1), (Step::End, 2)]
        );
        // Still going at the end of the second buffer: too long.
        assert_eq!(
            steps(t(b"ab\nabcdefghij\n")),
            vec![(Step::Record, 1), (Step::TooLong, 2)]
        );
        assert_eq!(steps(t(b"        x\n")), vec![(Step::TooLong, 1)]);
    }

    #[test]
    fn records_read_the_same_when_the_input_arrives_byte_by_byte() {
        let input = b"a,\"b\"\"c\",d\r\n\"x\r\ny\" , z\r\n\r\nlast";
        let whole = records(input, b',').0;
        let mut p = Parser::new(Pieces::new(input, &[1]), b',');
        let mut rec = RawRecord::default();
        let mut trickled = Vec::new();
        while p.next_record(&mut rec).unwrap() == Step::Record {
            let f: Vec<String> = (0..rec.len())
                .map(|i| String::from_utf8(rec.field(i).to_vec()).unwrap())
                .collect();
            trickled.push((rec.row, f));
        }
        assert_eq!(whole, trickled);
        assert_eq!(whole.len(), 4);
    }

    mod agrees_with_the_csv_crate {
        use super::*;

        proptest! {
            /// On well-formed input (fields written by the csv crate's writer, which quotes
            /// whatever needs it), every record reads back exactly.
            #[test]
            fn on_any_well_formed_file(
                rows in prop::collection::vec(
                    prop::collection::vec("[a-c;,\"\r\n é]{0,6}", 1..5), 1..12),
                semicolon in any::<bool>(),
            ) {
                let delim = if semicolon { b';' } else { b',' };
                let mut w = csv::WriterBuilder::new()
                    .delimiter(delim)
                    .flexible(true)
                    .quote_style(csv::QuoteStyle::Necessary)
                    .from_writer(vec![]);
                for r in &rows {
                    w.write_record(r).unwrap();
                }
                let bytes = w.into_inner().unwrap();
                let (got, end) = records(&bytes, delim);
                prop_assert_eq!(end, Step::End);
                // The csv writer writes a lone empty field as `""`, so no row is blank.
                let got: Vec<Vec<String>> = got.into_iter().map(|(_, f)| f).collect();
                let want: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| r.iter().map(|f| {
                        // Unquoted fields lose leading spaces; quoted ones keep them.
                        let quoted = f.is_empty() && r.len() == 1
                            || f.contains([delim as char, '"', '\r', '\n']);
                        if quoted || !f.starts_with([' ', '\t']) {
                            f.clone()
                        } else {
                            f.trim_start_matches([' ', '\t']).to_string()
                        }
                    }).collect())
                    .collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    /// Why the csv crate (on csv-core) is not used: it reads blanks around quotes as
    /// characters, which this reader ignores.
    #[test]
    fn the_csv_crate_reads_blanks_around_quotes_as_characters() {
        let read = |input: &str| -> Vec<Vec<String>> {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(input.as_bytes())
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect()
        };
        assert_eq!(read("a, \"b, c\"\n"), [["a", " \"b", " c\""]]);
        assert_eq!(read("\"b\" ,d\n"), [["b ", "d"]]);
        assert_eq!(read("\"ab\" c\n"), [["ab c"]]);
        assert_eq!(read("x, \"a\nb\"\n"), [vec!["x", " \"a"], vec!["b\""]]);
    }

    /// The bytes that matter to the record reader.
    const ALPHABET: &[u8] = b"ab1 \t,;\"\"\r\n\n\xC3\xA9";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// On any bytes, whatever the buffer size and the pieces the input arrives in,
        /// the records, rows and steps are those read from one buffer.
        #[test]
        fn records_are_the_same_whatever_the_buffer_and_the_pieces(
            bytes in prop::collection::vec(prop::sample::select(ALPHABET), 0..80),
            delim in prop::sample::select(&b",;\t"[..]),
            buf in 1usize..12,
            pieces in prop::collection::vec(1usize..20, 1..4),
        ) {
            let whole = trace(&bytes[..], delim, BUF_BYTES, MAX_RECORD_BYTES);
            let cut = trace(Pieces::new(&bytes, &pieces), delim, buf, MAX_RECORD_BYTES);
            prop_assert_eq!(whole, cut);
        }
    }
}

//! The record reader of [`super::record`] on `csv-core`: the same records, fields and
//! row numbers, the same [`Step`]s.
//!
//! csv-core (`Terminator::CRLF`, `"` quotes doubled, no escape, no comment) reads
//! almost the same grammar. What it does differently, and what is done about it here:
//! - it skips blank lines without a word, so it cannot count them: each record's start
//!   is handled here (a `\n` after a `\r`, blanks, a blank line) before csv-core is
//!   given the record, so every row is counted;
//! - it decides whether a field is quoted on the field's first byte, and keeps blanks
//!   after a closing quote: `a, "b, c"` is three fields for it (`a`, ` "b`, ` c"`),
//!   `"b" ,d` gives `b `, `"ab" c` gives `ab c`. A record is read in one call to
//!   `read_record`; if one of its fields starts with a blank or one of its `"` is
//!   followed by one, it is read again field by field (`read_field`), the blanks that
//!   the hand-written grammar ignores taken out of what csv-core is given;
//! - at the end of the input inside a quoted field it returns the record as if the
//!   quote were closed: the last record is read field by field, which tells;
//! - it has no limit: the bytes of a record are counted here;
//! - it strips a UTF-8 byte-order mark at the start of its first input: a call with no
//!   room for output marks the input as started before any byte is given.

use std::io::{self, Read};

use csv_core::{ReadFieldResult, ReadRecordResult, Terminator};

use super::record::{RawRecord, Step, BUF_BYTES, MAX_RECORD_BYTES};

pub struct CoreParser<R> {
    src: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    /// The offset in the input of `buf[0]`.
    base: u64,
    limit: u64,
    delim: u8,
    core: csv_core::Reader,
    /// The last record ended at a `\r`: a `\n` right after it belongs to it.
    skip_lf: bool,
    next_row: u64,
    /// The offset in the input where the current record starts.
    start: u64,
    /// Bytes to read before `buf[pos..]`: a record being read again.
    replay: Vec<u8>,
    replay_pos: usize,
    /// The current record's bytes from buffers already refilled, kept in case it must
    /// be read again.
    straddle: Vec<u8>,
    /// Where csv-core writes a record's fields (never fuller than the input given), and
    /// their ends.
    out: Box<[u8]>,
    ends: Box<[usize]>,
}

/// What is left to read inside a record.
enum More {
    Input,
    End,
    TooLong,
}

/// Where a field read by [`CoreParser::slow`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// At the opening quote, not yet given to csv-core.
    Open,
    /// Inside the quotes.
    Quoted,
    /// Just after a `"` inside the quotes: `""`, or the closing quote (blanks ignored).
    AfterQuote,
    /// Anything else: csv-core reads to the end of the field.
    Tail,
}

/// The unread bytes: those being read again first, then the buffer's.
macro_rules! input {
    ($p:expr) => {
        if $p.replay_pos < $p.replay.len() {
            &$p.replay[$p.replay_pos..]
        } else {
            &$p.buf[$p.pos..$p.len]
        }
    };
}

impl<R: Read> CoreParser<R> {
    pub fn new(src: R, delim: u8) -> CoreParser<R> {
        CoreParser::with_sizes(src, delim, BUF_BYTES, MAX_RECORD_BYTES)
    }

    pub(crate) fn with_sizes(src: R, delim: u8, buf: usize, limit: usize) -> CoreParser<R> {
        let mut p = CoreParser {
            src,
            buf: vec![0; buf].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            base: 0,
            limit: limit as u64,
            delim,
            core: csv_core::ReaderBuilder::new()
                .delimiter(delim)
                .terminator(Terminator::CRLF)
                .quote(b'"')
                .double_quote(true)
                .escape(None)
                .comment(None)
                .build(),
            skip_lf: false,
            next_row: 1,
            start: 0,
            replay: Vec::new(),
            replay_pos: 0,
            straddle: Vec::new(),
            out: vec![0; buf].into_boxed_slice(),
            ends: vec![0; 64].into_boxed_slice(),
        };
        p.restart_core();
        p
    }

    /// Puts csv-core at the start of a record, its byte-order-mark check spent.
    fn restart_core(&mut self) {
        self.core.reset();
        let _ = self.core.read_field(b"x", &mut []);
    }

    fn is_blank(&self, b: u8) -> bool {
        (b == b' ' || b == b'\t') && b != self.delim
    }

    /// The offset in the input of the next unread byte.
    fn offset(&self) -> u64 {
        self.base + self.pos as u64 - (self.replay.len() - self.replay_pos) as u64
    }

    fn advance(&mut self, n: usize) {
        if self.replay_pos < self.replay.len() {
            self.replay_pos += n;
            if self.replay_pos == self.replay.len() {
                self.replay.clear();
                self.replay_pos = 0;
            }
        } else {
            self.pos += n;
        }
    }

    /// Makes sure unread bytes are at hand; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.replay_pos < self.replay.len() {
            return Ok(true);
        }
        while self.pos == self.len && !self.eof {
            self.base += self.len as u64;
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

    /// [`Self::fill`] inside a record: the record's length is checked each time the
    /// buffer runs out, as the hand-written reader checks it after each buffer.
    fn more(&mut self) -> io::Result<More> {
        if self.replay_pos < self.replay.len() || self.pos < self.len {
            return Ok(More::Input);
        }
        if self.base + self.len as u64 - self.start > self.limit {
            return Ok(More::TooLong);
        }
        Ok(if self.fill()? { More::Input } else { More::End })
    }

    /// Skips blanks inside a record.
    fn skip_blanks(&mut self) -> io::Result<More> {
        loop {
            match self.more()? {
                More::Input => {}
                other => return Ok(other),
            }
            let input = input!(self);
            let n = input.iter().take_while(|&&b| self.is_blank(b)).count();
            let rest = n < input.len();
            self.advance(n);
            if rest {
                return Ok(More::Input);
            }
        }
    }

    fn record(&mut self, rec: &mut RawRecord) -> Step {
        rec.ends.push(rec.bytes.len());
        self.next_row += 1;
        Step::Record
    }

    fn too_long(&mut self) -> Step {
        self.restart_core();
        Step::TooLong
    }

    /// Reads the next record into `rec` (cleared first).
    pub fn next_record(&mut self, rec: &mut RawRecord) -> io::Result<Step> {
        rec.bytes.clear();
        rec.ends.clear();
        rec.row = self.next_row;
        if self.skip_lf && self.fill()? && input!(self)[0] == b'\n' {
            self.advance(1);
        }
        self.skip_lf = false;
        self.start = self.offset();
        if !self.fill()? {
            return Ok(Step::End);
        }
        match self.skip_blanks()? {
            More::Input => {}
            // Blanks, then the end: a blank last line.
            More::End => return Ok(self.record(rec)),
            More::TooLong => return Ok(self.too_long()),
        }
        let b = input!(self)[0];
        if b == b'\n' || b == b'\r' {
            // A blank line: a record of one empty field, as the hand-written reader
            // gives (csv-core would skip it).
            self.advance(1);
            self.skip_lf = b == b'\r';
            return Ok(self.record(rec));
        }
        if self.replay_pos < self.replay.len() {
            return self.slow(rec);
        }
        self.fast(rec)
    }

    /// The record in one call to `read_record`, or read again by [`Self::slow`] when a
    /// blank may have been read otherwise than the hand-written reader reads it.
    fn fast(&mut self, rec: &mut RawRecord) -> io::Result<Step> {
        let mut first = self.pos;
        self.straddle.clear();
        loop {
            let (res, nin, nout, nend) =
                self.core
                    .read_record(&self.buf[self.pos..self.len], &mut self.out, &mut self.ends);
            rec.bytes.extend_from_slice(&self.out[..nout]);
            rec.ends.extend_from_slice(&self.ends[..nend]);
            self.pos += nin;
            match res {
                ReadRecordResult::Record => break,
                ReadRecordResult::InputEmpty => {
                    self.straddle.extend_from_slice(&self.buf[first..self.len]);
                    match self.more()? {
                        // Refilled: the record goes on from the buffer's start.
                        More::Input => first = 0,
                        // The end of the input inside a record, or a record too long:
                        // rare, and the field-by-field reading says which exactly.
                        More::End | More::TooLong => return self.again(rec, self.pos),
                    }
                }
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::End => unreachable!("csv-core was given input"),
            }
        }
        if self.blank_may_differ(rec, first) {
            return self.again(rec, first);
        }
        self.skip_lf = self.buf[self.pos - 1] == b'\r';
        self.next_row += 1;
        Ok(Step::Record)
    }

    /// Whether the record just read holds a blank that the hand-written reader ignores:
    /// one at the start of a field (csv-core keeps it, and reads a quote after it as a
    /// character), or one right after a `"`.
    fn blank_may_differ(&self, rec: &RawRecord, first: usize) -> bool {
        let mut start = 0;
        for &end in &rec.ends {
            if start < end && self.is_blank(rec.bytes[start]) {
                return true;
            }
            start = end;
        }
        let here = &self.buf[first..self.pos];
        let quote_then_blank = |raw: &[u8]| {
            memchr::memchr_iter(b'"', raw)
                .any(|i| raw.get(i + 1).is_some_and(|&b| self.is_blank(b)))
        };
        quote_then_blank(&self.straddle)
            || quote_then_blank(here)
            || self.straddle.last() == Some(&b'"')
                && here.first().is_some_and(|&b| self.is_blank(b))
    }

    /// Reads the current record again, from its first byte, with [`Self::slow`].
    fn again(&mut self, rec: &mut RawRecord, first: usize) -> io::Result<Step> {
        debug_assert!(self.replay.is_empty());
        std::mem::swap(&mut self.replay, &mut self.straddle);
        self.replay_pos = 0;
        self.pos = first;
        self.slow(rec)
    }

    /// The record field by field with `read_field`: blanks at the start of a field and
    /// after a `"` inside quotes are skipped before csv-core sees them, so csv-core reads
    /// exactly what the hand-written reader reads. Starts at the record's first byte,
    /// neither blank nor a line break.
    fn slow(&mut self, rec: &mut RawRecord) -> io::Result<Step> {
        self.restart_core();
        rec.bytes.clear();
        rec.ends.clear();
        loop {
            match self.skip_blanks()? {
                More::Input => {}
                More::End => return Ok(self.record(rec)),
                More::TooLong => return Ok(self.too_long()),
            }
            let mut phase = if input!(self)[0] == b'"' {
                Phase::Open
            } else {
                Phase::Tail
            };
            loop {
                match self.more()? {
                    More::Input => {}
                    More::End if phase == Phase::Quoted => {
                        self.restart_core();
                        return Ok(Step::Unclosed);
                    }
                    More::End => return Ok(self.record(rec)),
                    More::TooLong => return Ok(self.too_long()),
                }
                let input = input!(self);
                // How much csv-core is given, and where the field is once it has read it.
                let (take, next) = match phase {
                    Phase::Open => (1, Phase::Quoted),
                    Phase::Quoted => match memchr::memchr(b'"', input) {
                        Some(i) => (i + 1, Phase::AfterQuote),
                        None => (input.len(), Phase::Quoted),
                    },
                    Phase::AfterQuote => {
                        let b = input[0];
                        if b == b'"' {
                            (1, Phase::Quoted)
                        } else if self.is_blank(b) {
                            self.advance(1);
                            continue;
                        } else {
                            phase = Phase::Tail;
                            continue;
                        }
                    }
                    Phase::Tail => (input.len(), Phase::Tail),
                };
                let piece = &input[..take];
                let (res, nin, nout) = self.core.read_field(piece, &mut self.out);
                rec.bytes.extend_from_slice(&self.out[..nout]);
                let last = if nin > 0 { piece[nin - 1] } else { 0 };
                if nin == take {
                    phase = next;
                }
                self.advance(nin);
                match res {
                    ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
                    ReadFieldResult::Field { record_end: false } => {
                        rec.ends.push(rec.bytes.len());
                        break;
                    }
                    ReadFieldResult::Field { record_end: true } => {
                        self.skip_lf = last == b'\r';
                        return Ok(self.record(rec));
                    }
                    ReadFieldResult::End => unreachable!("csv-core was given input"),
                }
            }
        }
    }
}

#[cfg(test)]
mod bench_tmp {
    use super::*;
    use crate::tabular::record::Parser;

    #[test]
    #[ignore]
    fn record_layer_alone() {
        let path = std::env::var("COMMUNE_BENCH_FILE").unwrap();
        let core = std::env::var("COMMUNE_CSV_RECORDS").as_deref() == Ok("csv-core");
        let start = std::time::Instant::now();
        let f = std::fs::File::open(&path).unwrap();
        let mut rec = RawRecord::default();
        let (mut n, mut bytes) = (0u64, 0usize);
        if core {
            let mut p = CoreParser::new(f, b',');
            while p.next_record(&mut rec).unwrap() == Step::Record {
                n += 1;
                bytes += rec.bytes.len();
            }
        } else {
            let mut p = Parser::new(f, b',');
            while p.next_record(&mut rec).unwrap() == Step::Record {
                n += 1;
                bytes += rec.bytes.len();
            }
        }
        let t = start.elapsed().as_secs_f64();
        println!(
            "records only ({}): {n} records, {bytes} bytes in {t:.3} s: {:.0} records/s",
            if core { "csv-core" } else { "hand-written" },
            n as f64 / t
        );
    }
}

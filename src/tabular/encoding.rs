//! Which encoding a file is in, decided by reading it once, and a streaming
//! Windows-1252 decoder.
//!
//! The rule: a file that is valid UTF-8 from end to end is UTF-8 (a UTF-8 byte-order
//! mark is skipped). Anything else is Windows-1252, which French-locale Excel writes as
//! "CSV (séparateur : point-virgule)", unless the bytes show it is something else:
//! - a UTF-16 byte-order mark, or NUL bytes (UTF-16 text without a mark, or a binary
//!   file): refused;
//! - the start of an Excel workbook (`.xlsx` is a zip, `.xls` an OLE2 file): refused,
//!   with a hint to save as CSV;
//! - a byte that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): refused;
//! - UTF-8 and Windows-1252 mixed in one file (say, two exports pasted together): a
//!   UTF-8 accent such as `é` (bytes C3 A9) reads as `Ã©` in Windows-1252, and `Ã`
//!   followed by a byte from 0x80 to 0xBF is nowhere in French, Wolof or Fon text, so
//!   that pair in a file that is not UTF-8 means a mix: refused, naming both lines.
//!
//! Undefined bytes and mixes are rare, so they are only looked for, in a second pass,
//! when the first pass found the file is not UTF-8.

use std::io::{self, Read, Seek};

use super::issue::{keys, Issue};

const CHUNK: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The two encodings a CSV file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

impl Encoding {
    /// The name shown to a user: `UTF-8` or `Windows-1252`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// What the first pass found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    /// Bytes to skip at the start: 3 for a UTF-8 byte-order mark, else 0.
    pub bom_len: u64,
}

/// Reads the whole input once (from its start) and decides its encoding.
pub fn detect<R: Read + Seek>(r: &mut R) -> Result<Detected, Issue> {
    r.rewind().map_err(unreadable)?;
    let mut chunk = vec![0u8; CHUNK];
    // Up to 3 bytes of a UTF-8 sequence cut by the end of the previous chunk, then the chunk.
    let mut data: Vec<u8> = Vec::with_capacity(CHUNK + 4);
    let mut total = 0u64; // bytes read so far
    let mut invalid_utf8_at: Option<u64> = None;
    let mut bom_len = 0;
    loop {
        let n = read_some(r, &mut chunk).map_err(unreadable)?;
        let chunk_start = total;
        total += n as u64;
        if chunk_start == 0 {
            if n == 0 {
                return Err(Issue::new(0, keys::EMPTY_FILE));
            }
            check_start(&chunk[..n])?;
            if chunk[..n].starts_with(UTF8_BOM) {
                bom_len = UTF8_BOM.len() as u64;
            }
        }
        if n == 0 {
            if !data.is_empty() && invalid_utf8_at.is_none() {
                // The file ends in the middle of a UTF-8 sequence.
                invalid_utf8_at = Some(total - data.len() as u64);
            }
            break;
        }
        if let Some(i) = memchr::memchr(0, &chunk[..n]) {
            let line = line_at(r, chunk_start + i as u64).map_err(unreadable)?;
            return Err(Issue::new(line, keys::NUL_BYTES));
        }
        if invalid_utf8_at.is_some() {
            continue;
        }
        let data_start = chunk_start - data.len() as u64;
        data.extend_from_slice(&chunk[..n]);
        match std::str::from_utf8(&data) {
            Ok(_) => data.clear(),
            // An incomplete sequence at the end: keep it for the next chunk.
            Err(e) if e.error_len().is_none() => data = data.split_off(e.valid_up_to()),
            Err(e) => invalid_utf8_at = Some(data_start + e.valid_up_to() as u64),
        }
    }
    let Some(bad_at) = invalid_utf8_at else {
        return Ok(Detected {
            encoding: Encoding::Utf8,
            bom_len,
        });
    };
    check_windows_1252(r, bad_at)?;
    Ok(Detected {
        encoding: Encoding::Windows1252,
        bom_len,
    })
}

/// Refuses a UTF-16 byte-order mark and Excel workbooks.
fn check_start(start: &[u8]) -> Result<(), Issue> {
    if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        return Err(Issue::new(1, keys::UTF16));
    }
    if start.starts_with(b"PK\x03\x04") || start.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(Issue::new(0, keys::EXCEL_FILE));
    }
    Ok(())
}

/// The second pass over a file that is not UTF-8: undefined bytes and UTF-8 mixed in.
/// Both are rare, so the bytes that may show them are searched for with `memchr`.
fn check_windows_1252<R: Read + Seek>(r: &mut R, first_invalid_utf8: u64) -> Result<(), Issue> {
    r.rewind().map_err(unreadable)?;
    let mut chunk = vec![0u8; CHUNK];
    let mut offset = 0u64;
    let mut prev_was_c3 = false;
    loop {
        let n = read_some(r, &mut chunk).map_err(unreadable)?;
        if n == 0 {
            return Ok(());
        }
        let data = &chunk[..n];
        let undefined = [
            memchr::memchr3(0x81, 0x8D, 0x8F, data),
            memchr::memchr2(0x90, 0x9D, data),
        ]
        .into_iter()
        .flatten()
        .min();
        // `Ã` (C3) then a byte from 0x80 to 0xBF: a UTF-8 accent.
        let starts_with_pair = prev_was_c3 && (0x80..=0xBF).contains(&data[0]);
        let mixed = if starts_with_pair {
            Some(0)
        } else {
            memchr::memchr_iter(0xC3, data)
                .find(|&i| data.get(i + 1).is_some_and(|b| (0x80..=0xBF).contains(b)))
                .map(|i| i + 1)
        };
        match (undefined, mixed) {
            (Some(u), m) if m.is_none_or(|m| u <= m) => {
                let line = line_at(r, offset + u as u64).map_err(unreadable)?;
                let byte = format!("0x{:02X}", data[u]);
                return Err(Issue::new(line, keys::UNDEFINED_BYTE).arg("byte", byte));
            }
            (_, Some(m)) => {
                let utf8_line = line_at(r, offset + m as u64).map_err(unreadable)?;
                let ansi_line = line_at(r, first_invalid_utf8).map_err(unreadable)?;
                return Err(Issue::new(ansi_line, keys::MIXED_ENCODING)
                    .arg("utf8_line", utf8_line)
                    .arg("ansi_line", ansi_line));
            }
            _ => {}
        }
        prev_was_c3 = data[n - 1] == 0xC3;
        offset += n as u64;
    }
}

/// The line (1-based, counting line breaks as a text editor does) of a byte offset.
fn line_at<R: Read + Seek>(r: &mut R, at: u64) -> io::Result<u64> {
    r.rewind()?;
    let mut chunk = vec![0u8; CHUNK];
    let mut line = 1u64;
    let mut offset = 0u64;
    while offset < at {
        let n = read_some(r, &mut chunk)?;
        if n == 0 {
            break;
        }
        let take = n.min((at - offset) as usize);
        line += memchr::memchr_iter(b'\n', &chunk[..take]).count() as u64;
        offset += n as u64;
    }
    Ok(line)
}

/// Reads as much as the reader gives in one call, retrying on interruption.
fn read_some<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

pub fn unreadable(e: io::Error) -> Issue {
    Issue::new(0, keys::UNREADABLE).arg("error", e.to_string())
}

/// Decodes a Windows-1252 byte stream into UTF-8 as it is read.
pub struct Windows1252Reader<R> {
    inner: R,
    raw: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    decoder: encoding_rs::Decoder,
}

impl<R: Read> Windows1252Reader<R> {
    pub fn new(inner: R) -> Self {
        Windows1252Reader {
            inner,
            raw: vec![0; CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            decoder: encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
        }
    }
}

impl<R: Read> Read for Windows1252Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // Every Windows-1252 byte decodes to at most 3 UTF-8 bytes.
        if out.len() < 3 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "buffer under 3 bytes",
            ));
        }
        loop {
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = read_some(&mut self.inner, &mut self.raw)?;
                self.eof = self.end == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[self.start..self.end],
                out,
                self.eof,
            );
            self.start += read;
            if written > 0 || self.eof {
                return Ok(written);
            }
            if let encoding_rs::DecoderResult::Malformed(..) = result {
                // Windows-1252 maps every byte, so this cannot happen; say so if it does.
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "undecodable byte",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::i18n::Arg;

    fn detect_bytes(bytes: &[u8]) -> Result<Detected, Issue> {
        detect(&mut Cursor::new(bytes.to_vec()))
    }

    fn utf8() -> Detected {
        Detected {
            encoding: Encoding::Utf8,
            bom_len: 0,
        }
    }

    #[test]
    fn valid_utf8_is_utf8_and_its_byte_order_mark_is_skipped() {
        assert_eq!(detect_bytes("ref,name\n1,Gorée\n".as_bytes()), Ok(utf8()));
        assert_eq!(
            detect_bytes("\u{FEFF}ref\n".as_bytes()),
            Ok(Detected {
                encoding: Encoding::Utf8,
                bom_len: 3
            })
        );
    }

    #[test]
    fn a_utf8_character_cut_by_a_chunk_boundary_is_still_utf8() {
        for pad in CHUNK - 3..=CHUNK {
            let mut bytes = vec![b'a'; pad];
            bytes.extend_from_slice("é€𝄞\n".as_bytes());
            assert_eq!(detect_bytes(&bytes), Ok(utf8()), "pad {pad}");
        }
    }

    #[test]
    fn a_file_ending_inside_a_utf8_sequence_is_not_utf8() {
        let enc = detect_bytes(b"ref\nM\xC3").unwrap().encoding;
        assert_eq!(enc, Encoding::Windows1252);
    }

    #[test]
    fn accented_windows_1252_is_windows_1252() {
        // "Médina" with é as the single byte 0xE9.
        let d = detect_bytes(b"ref;name\n1;M\xE9dina\n").unwrap();
        assert_eq!(d.encoding, Encoding::Windows1252);
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(detect_bytes(b"").unwrap_err().key, keys::EMPTY_FILE);
    }

    #[test]
    fn utf16_is_refused_with_or_without_a_byte_order_mark() {
        let with_bom = detect_bytes(b"\xFF\xFEr\0e\0f\0").unwrap_err();
        assert_eq!((with_bom.key, with_bom.line), (keys::UTF16, 1));
        let without = detect_bytes(b"r\0e\0f\0").unwrap_err();
        assert_eq!((without.key, without.line), (keys::NUL_BYTES, 1));
    }

    #[test]
    fn a_nul_byte_is_reported_on_its_line() {
        let mut bytes = b"a\nb\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', CHUNK));
        bytes.extend_from_slice(b"\nc\0");
        let issue = detect_bytes(&bytes).unwrap_err();
        assert_eq!((issue.key, issue.line), (keys::NUL_BYTES, 4));
    }

    #[test]
    fn excel_workbooks_are_refused() {
        assert_eq!(
            detect_bytes(b"PK\x03\x04rest").unwrap_err().key,
            keys::EXCEL_FILE
        );
        let xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0";
        assert_eq!(detect_bytes(xls).unwrap_err().key, keys::EXCEL_FILE);
    }

    #[test]
    fn a_byte_undefined_in_windows_1252_is_refused_on_its_line() {
        let issue = detect_bytes(b"ref\nM\xE9dina\nx\x81y\n").unwrap_err();
        assert_eq!((issue.key, issue.line), (keys::UNDEFINED_BYTE, 3));
        assert_eq!(issue.args, vec![("byte", Arg::from("0x81"))]);
    }

    #[test]
    fn utf8_and_windows_1252_mixed_in_one_file_are_refused_naming_both_lines() {
        let issue = detect_bytes(b"ref\nGor\xC3\xA9e\nM\xE9dina\n").unwrap_err();
        assert_eq!(issue.key, keys::MIXED_ENCODING);
        assert_eq!(issue.line, 3);
        assert_eq!(
            issue.args,
            vec![("utf8_line", Arg::Number(2)), ("ansi_line", Arg::Number(3))]
        );
    }

    #[test]
    fn a_utf8_accent_cut_by_a_chunk_boundary_is_still_seen_in_a_mixed_file() {
        let mut bytes = b"M\xE9dina\n".to_vec();
        bytes.resize(CHUNK - 1, b'a');
        bytes.extend_from_slice(b"\xC3\xA9\n");
        let issue = detect_bytes(&bytes).unwrap_err();
        assert_eq!((issue.key, issue.line), (keys::MIXED_ENCODING, 1));
        assert_eq!(issue.args[0], ("utf8_line", Arg::Number(2)));
    }

    #[test]
    fn windows_1252_decodes_to_utf8_across_any_buffer_size() {
        let raw = b"Gor\xE9e, H\xEAvi\xE9, Ou\xE8do, 5 \x80, \x93ok\x94";
        let want = "Gorée, Hêvié, Ouèdo, 5 €, “ok”";
        let mut out = String::new();
        Windows1252Reader::new(&raw[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, want);
        // The smallest buffer the reader accepts.
        let mut r = Windows1252Reader::new(&raw[..]);
        let mut small = [0u8; 3];
        let mut bytes = Vec::new();
        loop {
            let n = r.read(&mut small).unwrap();
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&small[..n]);
        }
        assert_eq!(String::from_utf8(bytes).unwrap(), want);
    }
}

//! The delimiter, guessed from the header line.
//!
//! French-locale spreadsheets write `;` (the comma is their decimal separator), others
//! write `,`, and some tools write tabs. The header is the line to look at: it names
//! the columns, so it holds one delimiter fewer than there are columns and rarely any
//! other punctuation. The rule: count `;`, `,` and tab outside double quotes on the
//! first line (a line break inside quotes does not end it); the most frequent wins; on a
//! tie the order of preference is `;`, `,`, tab; with none at all (a single column) it
//! is `,`. `,`, `;`, tab, `"` and line breaks are ASCII, the same bytes in UTF-8 and in
//! Windows-1252, so this works on the raw bytes before decoding.

/// The candidates, in order of preference on a tie.
const CANDIDATES: [u8; 3] = [b';', b',', b'\t'];

/// The delimiter of a file whose first bytes (after any byte-order mark) are `start`.
pub fn detect(start: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut seen_text = false;
    for &b in start {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => {
                // Leading blank lines are not the header.
                if seen_text {
                    break;
                }
            }
            _ if in_quotes => {}
            _ => {
                seen_text |= !b.is_ascii_whitespace() || b == b'\t';
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_header_gives_a_comma() {
        assert_eq!(detect(b"ref,name,kind\n1;2;3;4;5\n"), b',');
    }

    #[test]
    fn a_semicolon_header_gives_a_semicolon_even_with_commas_in_later_lines() {
        assert_eq!(detect(b"ref;name;gps\r\nT1;Awa;14,69,-17,44\r\n"), b';');
    }

    #[test]
    fn a_tab_header_gives_a_tab() {
        assert_eq!(detect(b"ref\tname\tkind\n"), b'\t');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count_even_across_a_line_break() {
        assert_eq!(detect(b"\"a,b,c\nd,e\";x;y\n"), b';');
    }

    #[test]
    fn a_single_column_gives_a_comma() {
        assert_eq!(detect(b"ref\n1\n"), b',');
        assert_eq!(detect(b""), b',');
    }

    #[test]
    fn a_tie_prefers_the_semicolon() {
        assert_eq!(detect(b"a;b,c\n"), b';');
    }

    #[test]
    fn leading_blank_lines_are_skipped() {
        assert_eq!(detect(b"\r\n\nref;name\n"), b';');
    }
}

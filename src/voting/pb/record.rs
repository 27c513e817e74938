//! Splits `.pb` text into records: `;`-separated fields with optional
//! double quotes (`""` inside quotes is one quote), as Python's csv module
//! reads them, so a quoted field may hold `;` or a line break.

use std::borrow::Cow;

use super::PbError;

/// One record and the line on which it starts (1-based).
#[derive(Debug)]
pub(crate) struct Record<'a> {
    pub line: usize,
    pub fields: Vec<Cow<'a, str>>,
}

impl Record<'_> {
    /// Blank lines carry no data and are skipped.
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

pub(crate) struct Records<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str) -> Records<'a> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Records {
            text,
            pos: 0,
            line: 1,
        }
    }

    fn quoted_field(&mut self, start_line: usize) -> Result<Cow<'a, str>, PbError> {
        let bytes = self.text.as_bytes();
        let mut value = String::new();
        let mut from = self.pos + 1;
        let mut i = from;
        loop {
            match bytes.get(i) {
                None => {
                    return Err(PbError::at(start_line, "a quoted field is not closed"));
                }
                Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                    value.push_str(&self.text[from..=i]);
                    i += 2;
                    from = i;
                }
                Some(b'"') => {
                    value.push_str(&self.text[from..i]);
                    i += 1;
                    break;
                }
                Some(b'\n') => {
                    self.line += 1;
                    i += 1;
                }
                Some(_) => i += 1,
            }
        }
        // Like Python's csv, text after the closing quote belongs to the field.
        let end = self.field_end(i);
        value.push_str(&self.text[i..end]);
        self.pos = end;
        Ok(Cow::Owned(value))
    }

    fn field_end(&self, from: usize) -> usize {
        self.text[from..]
            .find([';', '\n'])
            .map_or(self.text.len(), |k| from + k)
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, PbError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            let field = if self.text.as_bytes()[self.pos..].first() == Some(&b'"') {
                match self.quoted_field(line) {
                    Ok(f) => f,
                    Err(e) => {
                        self.pos = self.text.len();
                        return Some(Err(e));
                    }
                }
            } else {
                let end = self.field_end(self.pos);
                let f = Cow::Borrowed(&self.text[self.pos..end]);
                self.pos = end;
                f
            };
            fields.push(match field {
                Cow::Borrowed(s) => Cow::Borrowed(s.strip_suffix('\r').unwrap_or(s)),
                Cow::Owned(s) => Cow::Owned(s.strip_suffix('\r').map(str::to_owned).unwrap_or(s)),
            });
            match self.text.as_bytes().get(self.pos) {
                Some(b';') => self.pos += 1,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
                _ => break,
            }
        }
        Some(Ok(Record { line, fields }))
    }
}

/// Writes one field, quoting it when a reader would otherwise split it.
pub(crate) fn push_field(out: &mut String, value: &str) {
    if value.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<(usize, Vec<String>)> {
        Records::new(text)
            .map(|r| {
                let r = r.unwrap();
                (r.line, r.fields.into_iter().map(Cow::into_owned).collect())
            })
            .collect()
    }

    #[test]
    fn splits_on_semicolons_and_lines_and_drops_carriage_returns() {
        let got = fields("\u{feff}a;b\r\nc;;d\n");
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["c".into(), "".into(), "d".into()])
            ]
        );
    }

    #[test]
    fn quoted_fields_keep_semicolons_quotes_and_line_breaks() {
        let got = fields("1;\"x;y\";\"say \"\"hi\"\"\"\n2;\"two\nlines\";z\n3;w");
        assert_eq!(
            got[0],
            (1, vec!["1".into(), "x;y".into(), "say \"hi\"".into()])
        );
        assert_eq!(
            got[1],
            (2, vec!["2".into(), "two\nlines".into(), "z".into()])
        );
        assert_eq!(got[2], (4, vec!["3".into(), "w".into()]));
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let err = Records::new("a\nb;\"open\nmore")
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err();
        assert_eq!(err.to_string(), "line 2: a quoted field is not closed");
    }

    #[test]
    fn written_fields_read_back_unchanged() {
        for value in ["plain", "x;y", "say \"hi\"", "two\nlines", ""] {
            let mut line = String::new();
            push_field(&mut line, value);
            line.push_str(";end");
            let got = fields(&line);
            assert_eq!(got[0].1, vec![value.to_string(), "end".to_string()]);
        }
    }
}

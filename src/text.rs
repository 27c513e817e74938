//! Text shared by every domain: the search key that makes "Médina", "MEDINA" and
//! "medina" one name, and [`text_enum!`], the small enums stored as text.

/// Declares an enum whose values are stored, sent and parsed as fixed texts, with
/// `ALL`, `as_str`, `parse`, `names`, `Display`, serde, and diesel's `ToSql`/`FromSql`
/// for `Text` (a value the database holds that is not one of the texts is an error
/// when read, never a silent default).
///
/// ```
/// commune::text_enum!(pub Colour { Red = "red", Green = "green" });
/// assert_eq!(Colour::parse(" red "), Some(Colour::Red));
/// assert_eq!(Colour::Green.to_string(), "green");
/// assert_eq!(Colour::names(), "red, green");
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$m:meta])* $vis:vis $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name { $($(#[$vm])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value written `s` (surrounding spaces ignored).
            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted values, for error messages.
            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!("{:?} is not a {}", text, stringify!($name)).into()
                })
            }
        }
    };
}

/// Lowercase, without accents or repeated spaces: what searches compare.
/// A name as a piece of a file name or an address: its search key with `-` for spaces
/// and nothing but letters and digits (`Górna | Górniak` → `gorna-gorniak`).
pub fn slug(name: &str) -> String {
    let key = search_key(name);
    let kept: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let slug = kept.split_whitespace().collect::<Vec<_>>().join("-");
    if slug.is_empty() {
        "area".to_string()
    } else {
        slug
    }
}

pub fn search_key(text: &str) -> String {
    if text.is_ascii() {
        ascii_search_key(text)
    } else {
        unicode_search_key(text)
    }
}

fn unicode_search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ɛ' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ɔ' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            '’' | '\'' | '-' | '_' | '.' | ',' => " ",
            _ => "",
        };
        let mut one = [0u8; 4];
        let piece = if plain.is_empty() {
            &*c.encode_utf8(&mut one)
        } else {
            plain
        };
        for ch in piece.chars() {
            if ch.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// [`search_key`] for plain ASCII, the common case: one pass over the bytes.
fn ascii_search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for b in text.bytes() {
        let b = match b {
            b'\'' | b'-' | b'_' | b'.' | b',' => b' ',
            b => b.to_ascii_lowercase(),
        };
        if b.is_ascii_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(b as char);
    }
    out
}

/// `s` without leading and trailing whitespace: `str::trim`, faster on ASCII edges.
pub fn trim(s: &str) -> &str {
    let (start, end) = trimmed_span(s);
    &s[start..end]
}

/// The trimmed part of `s`, as offsets into it. ASCII whitespace is trimmed byte by
/// byte; other whitespace at an edge (a no-break space from a spreadsheet) goes through
/// `str::trim`.
pub fn trimmed_span(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let mut start = 0;
    while start < b.len() && b[start].is_ascii_whitespace() {
        start += 1;
    }
    let mut end = b.len();
    while end > start && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if start < end && (b[start] >= 0x80 || b[end - 1] >= 0x80) {
        let inner = &s[start..end];
        let lead = inner.len() - inner.trim_start().len();
        let kept = inner.trim().len();
        return (start + lead, start + lead + kept);
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(search_key("  Ndèye  Fatou DIOP "), "ndeye fatou diop");
        assert_eq!(search_key("Gisèle Houngbédji"), "gisele houngbedji");
        assert_eq!(
            search_key("Société d’Œuvres-Sociales"),
            "societe d oeuvres sociales"
        );
    }
}

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

#[test]
fn accept_language_picks_the_heaviest_of_french_and_english() {
    assert_eq!(
        Locale::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
        Some(Locale::En)
    );
    assert_eq!(
        Locale::from_accept_language("wo-SN, fr-SN;q=0.9, en;q=0.5"),
        Some(Locale::Fr)
    );
    assert_eq!(Locale::from_accept_language("de, es;q=0.5"), None);
    assert_eq!(
        Locale::from_accept_language("fr;q=0, en;q=0.1"),
        Some(Locale::En)
    );
}

#[test]
fn catalogues_flatten_sections_into_dotted_keys() {
    let c = Catalog::from_toml("[nav]\nhome = \"Accueil\"", "[nav]\nhome = \"Home\"").unwrap();
    assert_eq!(c.get(Locale::Fr, "nav.home"), Some("Accueil"));
    assert_eq!(c.get(Locale::En, "nav.home"), Some("Home"));
    assert_eq!(fill("Hello {name}", &[("name", "Awa")]), "Hello Awa");
}

fn votes() -> Catalog {
    Catalog::from_toml(
        "[results.votes]\none = \"{count} vote\"\nother = \"{count} votes\"",
        "[results.votes]\none = \"{count} vote\"\nother = \"{count} votes\"",
    )
    .unwrap()
}

#[test]
fn in_french_zero_and_one_take_the_singular() {
    let c = votes();
    let say = |n: i64| c.text(Locale::Fr, "results.votes", [("count", &Arg::Number(n))]);
    assert_eq!(say(0), "0 vote");
    assert_eq!(say(1), "1 vote");
    assert_eq!(say(2), "2 votes");
    assert_eq!(say(1_000), "1000 votes");
}

#[test]
fn in_english_only_one_takes_the_singular() {
    let c = votes();
    let say = |n: i64| c.text(Locale::En, "results.votes", [("count", &Arg::Number(n))]);
    assert_eq!(say(0), "0 votes");
    assert_eq!(say(1), "1 vote");
    assert_eq!(say(2), "2 votes");
    assert!(c.is_plural(Locale::En, "results.votes"));
}

#[test]
fn a_count_given_as_text_chooses_the_form_too() {
    let c = votes();
    let one = Arg::Text("1".into());
    assert_eq!(
        c.text(Locale::En, "results.votes", [("count", &one)]),
        "1 vote"
    );
}

#[test]
fn amounts_in_a_message_are_written_in_the_readers_language() {
    let c = Catalog::from_toml("m = \"Reste {balance}\"", "m = \"Left {balance}\"").unwrap();
    let balance = Arg::Money(Xof(25_000));
    assert_eq!(
        c.text(Locale::Fr, "m", [("balance", &balance)]),
        "Reste 25\u{202F}000\u{A0}FCFA"
    );
    assert_eq!(
        c.text(Locale::En, "m", [("balance", &balance)]),
        "Left XOF\u{A0}25,000"
    );
}

#[test]
fn french_elides_de_before_a_vowel() {
    assert_eq!(of_name(Locale::Fr, "Abomey-Calavi"), "d’Abomey-Calavi");
    assert_eq!(of_name(Locale::Fr, "Dakar-Plateau"), "de Dakar-Plateau");
    assert_eq!(of_name(Locale::Fr, "Hêvié"), "d’Hêvié");
    assert_eq!(of_name(Locale::En, "Abomey-Calavi"), "of Abomey-Calavi");
}

#[test]
fn a_key_defined_twice_is_an_error() {
    let err = Catalog::from_toml_files(
        &["[a]\nb = \"x\"".to_string(), "[a]\nb = \"y\"".to_string()],
        &[],
    )
    .unwrap_err();
    assert!(err.to_string().contains("a.b"), "{err}");
}

#[test]
fn every_message_exists_in_french_and_in_english_with_the_same_placeholders() {
    let catalog = Catalog::embedded().unwrap();
    let fr = catalog.keys(Locale::Fr);
    let en = catalog.keys(Locale::En);
    let only_fr: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
    let only_en: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
    assert!(
        only_fr.is_empty() && only_en.is_empty(),
        "missing in en: {only_fr:?}; missing in fr: {only_en:?}"
    );
    for key in fr {
        let holes = |l: Locale| -> BTreeSet<String> {
            catalog
                .forms(l, key)
                .iter()
                .flat_map(|text| {
                    text.split('{')
                        .skip(1)
                        .filter_map(|p| p.split_once('}'))
                        .map(|p| p.0.to_string())
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        assert_eq!(holes(Locale::Fr), holes(Locale::En), "{key}");
        for l in Locale::ALL {
            assert!(
                catalog.forms(l, key).iter().all(|t| !t.trim().is_empty()),
                "{key} is empty in {}",
                l.as_str()
            );
        }
        assert_eq!(
            catalog.is_plural(Locale::Fr, key),
            catalog.is_plural(Locale::En, key),
            "{key}: plural in one language only"
        );
    }
}

/// Every file below `dir` whose name ends with `ext`.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

/// The string literals of a Rust source, each with the offset of its opening quote
/// (comments and character literals are skipped, escapes are kept as written).
fn string_literals(src: &str) -> Vec<(&str, usize)> {
    let b = src.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 3,
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                while i + 1 < b.len() && b[i + 1] != b'\'' {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push((&src[start + 1..i.min(b.len())], start));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The literals that look like message keys: lowercase words joined by dots, either
/// the first one a section of the catalogue, or given to `Refusal::new(` or
/// `Event::new(` (a refusal or audit action in a section the catalogue lacks is caught
/// too).
fn literal_keys(src: &str, sections: &BTreeSet<&str>) -> Vec<(String, usize)> {
    string_literals(src)
        .into_iter()
        .filter(|(piece, at)| {
            let before = src[..*at].trim_end();
            let named = before.ends_with("Refusal::new(") || before.ends_with("Event::new(");
            piece.contains('.')
                && piece
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                && piece.split('.').all(|s| !s.is_empty())
                && (named || sections.contains(piece.split('.').next().unwrap_or("")))
        })
        .map(|(piece, at)| (piece.to_string(), at))
        .collect()
}

#[test]
fn the_scanner_finds_literals_past_comments_escapes_and_char_literals() {
    let src =
        "let q = '\"'; // \"nav.gone\"\nlet k = \"nav.home\"; let e = \"a\\\"b\"; x(\"nav.x\")";
    let found: Vec<&str> = string_literals(src).into_iter().map(|(s, _)| s).collect();
    assert_eq!(found, ["nav.home", "a\\\"b", "nav.x"]);
}

/// File names and other dotted literals that are not messages.
fn not_a_message(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or("");
    matches!(
        last,
        "toml"
            | "csv"
            | "db"
            | "hbs"
            | "pb"
            | "json"
            | "sql"
            | "css"
            | "eml"
            | "txt"
            | "html"
            | "subject"
            | "svg"
    )
}

/// Every key written anywhere (templates and mail, domain refusals, import reports, form
/// errors, flash messages, audit actions) exists in French and in English.
#[test]
fn every_key_used_anywhere_exists_in_both_languages() {
    let catalog = Catalog::embedded().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keys = catalog.keys(Locale::Fr);
    let sections: BTreeSet<&str> = keys.iter().filter_map(|k| k.split('.').next()).collect();
    let mut missing = BTreeSet::new();
    let mut checked = 0;
    let mut check = |key: String, place: &Path| {
        checked += 1;
        for l in Locale::ALL {
            if catalog.get(l, &key).is_none() {
                missing.insert(format!("{key} ({}, {})", l.as_str(), place.display()));
            }
        }
    };
    // Templates and mail: `{{t "key"`, `(t "key"`, and dynamic `(concat "prefix." x)`.
    let mut templates = Vec::new();
    files(&root.join("templates"), ".hbs", &mut templates);
    for path in &templates {
        let src = std::fs::read_to_string(path).unwrap();
        let pieces = src
            .split("{{t \"")
            .skip(1)
            .chain(src.split("(t \"").skip(1));
        for piece in pieces {
            if let Some((key, _)) = piece.split_once('"') {
                check(key.to_string(), path);
            }
        }
        for piece in src.split("(concat \"").skip(1) {
            let prefix = piece.split('"').next().unwrap();
            if prefix.ends_with('.') {
                let any = keys.iter().any(|k| k.starts_with(prefix));
                assert!(any, "{}: no message starts with {prefix}", path.display());
            }
        }
    }
    // Rust: every literal that looks like a key; an audit action names its message
    // under `audit.action.`.
    let mut sources = Vec::new();
    files(&root.join("src"), ".rs", &mut sources);
    for path in sources.iter().filter(|p| !p.ends_with("i18n/tests.rs")) {
        let src = std::fs::read_to_string(path).unwrap();
        for (key, at) in literal_keys(&src, &sections) {
            if not_a_message(&key) {
                continue;
            }
            // An audit action (`Event::new("payment.record", …)`) is named in words
            // on the audit page: its message is `audit.action.<action>`.
            let before = &src[..at];
            let action = format!("audit.action.{key}");
            if before.trim_end().ends_with("Event::new(")
                || catalog.get(Locale::Fr, &action).is_some()
            {
                check(action, path);
            } else {
                check(key, path);
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:#?}");
    assert!(
        checked > 300,
        "only {checked} keys found: is the scan broken?"
    );
}

//! An amount written in words, as a receipt states it beside the figures so that
//! nobody can add a digit: "vingt-cinq mille francs CFA", "twenty-five thousand CFA
//! francs".
//!
//! **French** follows the traditional spelling (before the 1990 reform), as official
//! documents in Senegal and Benin still write it:
//! - a hyphen between tens and units below one hundred only ("dix-sept",
//!   "quatre-vingt-dix-neuf"), none around "cent", "mille", "million" ("deux cent
//!   trois mille");
//! - "et" joins a one to a ten ("vingt et un", "soixante et onze"), but not after
//!   eighty ("quatre-vingt-un", "quatre-vingt-onze");
//! - "quatre-vingts" and "deux cents" take an s when they end the number or come before
//!   "million(s)" or "milliard(s)", which are nouns, but not before "mille", which is
//!   an adjective and never varies ("quatre-vingt mille", "deux cent mille", "quatre-vingts
//!   millions");
//! - "mille", never "un mille"; "un million", "deux millions";
//! - a number that ends on "million(s)" or "milliard(s)" takes "de" before the currency
//!   ("un million de francs CFA").
//!
//! **English** is British: "and" before the tens and units of each group of three
//! ("one hundred and five", "two thousand and five").

/// `amount` francs in French words, currency included: `25_000` → "vingt-cinq mille
/// francs CFA", `1` → "un franc CFA", `2_000_000` → "deux millions de francs CFA".
pub fn amount_in_words_fr(amount: i64) -> String {
    let n = amount.unsigned_abs();
    let sign = if amount < 0 { "moins " } else { "" };
    let franc = if n <= 1 { "franc" } else { "francs" };
    let de = if n >= 1_000_000 && n % 1_000_000 == 0 {
        "de "
    } else {
        ""
    };
    format!("{sign}{} {de}{franc} CFA", number_fr(n))
}

/// `amount` francs in English words, currency included: `25_000` → "twenty-five
/// thousand CFA francs", `1` → "one CFA franc".
pub fn amount_in_words_en(amount: i64) -> String {
    let n = amount.unsigned_abs();
    let sign = if amount < 0 { "minus " } else { "" };
    let franc = if n == 1 { "franc" } else { "francs" };
    format!("{sign}{} CFA {franc}", number_en(n))
}

/// The amount in words in the page's language (`"fr"` or `"en"`).
pub fn amount_in_words(amount: i64, locale: &str) -> String {
    match locale {
        "en" => amount_in_words_en(amount),
        _ => amount_in_words_fr(amount),
    }
}

const UNITS_FR: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];
const TENS_FR: [&str; 7] = [
    "",
    "dix",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

/// A whole number in French words.
pub fn number_fr(n: u64) -> String {
    if n == 0 {
        return UNITS_FR[0].to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let milliards = n / 1_000_000_000;
    let millions = (n / 1_000_000) % 1_000;
    let thousands = (n / 1_000) % 1_000;
    let rest = n % 1_000;
    if milliards > 0 {
        // Beyond 999 milliards the count is itself a number ("mille milliards").
        let count = if milliards < 1_000 {
            below_1000_fr(milliards, true)
        } else {
            number_fr(milliards)
        };
        let s = if milliards > 1 { "s" } else { "" };
        parts.push(format!("{count} milliard{s}"));
    }
    if millions > 0 {
        let s = if millions > 1 { "s" } else { "" };
        parts.push(format!("{} million{s}", below_1000_fr(millions, true)));
    }
    if thousands == 1 {
        parts.push("mille".into());
    } else if thousands > 1 {
        parts.push(format!("{} mille", below_1000_fr(thousands, false)));
    }
    if rest > 0 {
        parts.push(below_1000_fr(rest, true));
    }
    parts.join(" ")
}

/// 1 to 999. `plural` says whether "cents" and "quatre-vingts" may take their s: at the
/// end of the number, or before a noun (million, milliard), not before "mille".
fn below_1000_fr(n: u64, plural: bool) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    let head = match hundreds {
        0 => return below_100_fr(rest, plural),
        1 => "cent".to_string(),
        h => {
            let s = if rest == 0 && plural { "s" } else { "" };
            format!("{} cent{s}", UNITS_FR[h as usize])
        }
    };
    if rest == 0 {
        head
    } else {
        format!("{head} {}", below_100_fr(rest, plural))
    }
}

/// 1 to 99.
fn below_100_fr(n: u64, plural: bool) -> String {
    let n = n as usize;
    if n <= 16 {
        return UNITS_FR[n].to_string();
    }
    if n < 20 {
        return format!("dix-{}", UNITS_FR[n - 10]);
    }
    // Seventy and ninety count on from sixty and eighty: soixante-dix, quatre-vingt-dix.
    let (ten, unit) = match n {
        70..=79 => ("soixante", n - 60),
        80..=99 => ("quatre-vingt", n - 80),
        _ => (TENS_FR[n / 10], n % 10),
    };
    match (n, unit) {
        (80, 0) if plural => "quatre-vingts".to_string(),
        (_, 0) => ten.to_string(),
        (80..=99, u) => format!("{ten}-{}", below_100_fr(u as u64, plural)),
        (_, 1) | (_, 11) => format!("{ten} et {}", UNITS_FR[unit]),
        (_, u) => format!("{ten}-{}", below_100_fr(u as u64, plural)),
    }
}

const UNITS_EN: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS_EN: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// A whole number in (British) English words.
pub fn number_en(n: u64) -> String {
    if n == 0 {
        return UNITS_EN[0].to_string();
    }
    let scales = [
        (1_000_000_000_000_000_000, "quintillion"),
        (1_000_000_000_000_000, "quadrillion"),
        (1_000_000_000_000, "trillion"),
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut rest = n;
    for (scale, name) in scales {
        if rest >= scale {
            parts.push(format!("{} {name}", below_1000_en(rest / scale)));
            rest %= scale;
        }
    }
    if rest > 0 {
        // "two thousand and five": the last group below a hundred is joined by "and".
        if !parts.is_empty() && rest < 100 {
            parts.push(format!("and {}", below_100_en(rest)));
        } else {
            parts.push(below_1000_en(rest));
        }
    }
    parts.join(" ")
}

fn below_1000_en(n: u64) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    match (hundreds, rest) {
        (0, r) => below_100_en(r),
        (h, 0) => format!("{} hundred", UNITS_EN[h as usize]),
        (h, r) => format!("{} hundred and {}", UNITS_EN[h as usize], below_100_en(r)),
    }
}

fn below_100_en(n: u64) -> String {
    let n = n as usize;
    match (n / 10, n % 10) {
        _ if n < 20 => UNITS_EN[n].to_string(),
        (t, 0) => TENS_EN[t].to_string(),
        (t, u) => format!("{}-{}", TENS_EN[t], UNITS_EN[u]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_hundred_in_french() {
        let cases = [
            (0, "zéro"),
            (1, "un"),
            (10, "dix"),
            (16, "seize"),
            (17, "dix-sept"),
            (19, "dix-neuf"),
            (20, "vingt"),
            (21, "vingt et un"),
            (22, "vingt-deux"),
            (31, "trente et un"),
            (45, "quarante-cinq"),
            (61, "soixante et un"),
            (69, "soixante-neuf"),
            (70, "soixante-dix"),
            (71, "soixante et onze"),
            (72, "soixante-douze"),
            (77, "soixante-dix-sept"),
            (79, "soixante-dix-neuf"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (88, "quatre-vingt-huit"),
            (90, "quatre-vingt-dix"),
            (91, "quatre-vingt-onze"),
            (97, "quatre-vingt-dix-sept"),
            (99, "quatre-vingt-dix-neuf"),
        ];
        for (n, words) in cases {
            assert_eq!(number_fr(n), words, "{n}");
        }
    }

    #[test]
    fn hundreds_take_their_s_only_at_the_end_or_before_a_noun() {
        let cases = [
            (100, "cent"),
            (101, "cent un"),
            (180, "cent quatre-vingts"),
            (200, "deux cents"),
            (201, "deux cent un"),
            (280, "deux cent quatre-vingts"),
            (999, "neuf cent quatre-vingt-dix-neuf"),
            (1_000, "mille"),
            (1_001, "mille un"),
            (1_100, "mille cent"),
            (2_000, "deux mille"),
            (21_000, "vingt et un mille"),
            (25_000, "vingt-cinq mille"),
            (80_000, "quatre-vingt mille"),
            (81_000, "quatre-vingt-un mille"),
            (200_000, "deux cent mille"),
            (280_080, "deux cent quatre-vingt mille quatre-vingts"),
            (1_000_000, "un million"),
            (1_200_000, "un million deux cent mille"),
            (2_000_000, "deux millions"),
            (80_000_000, "quatre-vingts millions"),
            (200_000_000, "deux cents millions"),
            (1_000_000_000, "un milliard"),
            (3_000_000_200, "trois milliards deux cents"),
            (1_000_000_000_000, "mille milliards"),
        ];
        for (n, words) in cases {
            assert_eq!(number_fr(n), words, "{n}");
        }
        assert_eq!(
            number_fr(123_456_789),
            "cent vingt-trois millions quatre cent cinquante-six mille sept cent quatre-vingt-neuf"
        );
    }

    #[test]
    fn an_amount_in_french_names_its_currency() {
        assert_eq!(amount_in_words_fr(25_000), "vingt-cinq mille francs CFA");
        assert_eq!(amount_in_words_fr(1), "un franc CFA");
        assert_eq!(amount_in_words_fr(0), "zéro franc CFA");
        assert_eq!(amount_in_words_fr(100), "cent francs CFA");
        assert_eq!(amount_in_words_fr(1_000_000), "un million de francs CFA");
        assert_eq!(
            amount_in_words_fr(3_000_000_000),
            "trois milliards de francs CFA"
        );
        assert_eq!(
            amount_in_words_fr(1_000_500),
            "un million cinq cents francs CFA"
        );
        assert_eq!(amount_in_words_fr(-300), "moins trois cents francs CFA");
        assert_eq!(amount_in_words(25_000, "fr"), amount_in_words_fr(25_000));
    }

    #[test]
    fn english_is_british_with_and_before_the_tens() {
        let cases = [
            (0, "zero"),
            (13, "thirteen"),
            (21, "twenty-one"),
            (80, "eighty"),
            (99, "ninety-nine"),
            (100, "one hundred"),
            (105, "one hundred and five"),
            (2_005, "two thousand and five"),
            (25_000, "twenty-five thousand"),
            (
                123_456,
                "one hundred and twenty-three thousand four hundred and fifty-six",
            ),
            (1_000_000, "one million"),
            (2_000_300, "two million three hundred"),
        ];
        for (n, words) in cases {
            assert_eq!(number_en(n), words, "{n}");
        }
        assert_eq!(
            amount_in_words_en(25_000),
            "twenty-five thousand CFA francs"
        );
        assert_eq!(amount_in_words_en(1), "one CFA franc");
        assert_eq!(
            amount_in_words(150, "en"),
            "one hundred and fifty CFA francs"
        );
    }

    #[test]
    fn every_amount_up_to_the_largest_entry_has_words_without_stray_spaces() {
        let samples = (0..2_000u64)
            .chain((0..200).map(|i| i * 4_999 + 7))
            .chain([999_999, 1_000_001, 999_999_999_999, 1_000_000_000_000])
            .chain([u64::MAX, i64::MAX as u64]);
        for n in samples {
            for words in [number_fr(n), number_en(n)] {
                assert!(!words.is_empty(), "{n}");
                assert!(!words.contains("  "), "{n}: {words:?}");
                assert_eq!(words.trim(), words, "{n}: {words:?}");
                assert!(!words.contains("zéro") || n == 0, "{n}: {words:?}");
                assert!(!words.contains("zero") || n == 0, "{n}: {words:?}");
            }
        }
        assert_eq!(
            amount_in_words_fr(i64::MIN).split(' ').next(),
            Some("moins")
        );
    }

    #[test]
    fn french_words_read_back_to_their_number() {
        // An independent reader of the traditional spelling, to check the writer on
        // every number below a million.
        fn value(words: &str) -> u64 {
            let (mut total, mut group, mut last) = (0u64, 0u64, 0u64);
            for w in words.split([' ', '-']).filter(|w| *w != "et") {
                let unit = match w {
                    "un" => 1,
                    "deux" => 2,
                    "trois" => 3,
                    "quatre" => 4,
                    "cinq" => 5,
                    "six" => 6,
                    "sept" => 7,
                    "huit" => 8,
                    "neuf" => 9,
                    "dix" => 10,
                    "onze" => 11,
                    "douze" => 12,
                    "treize" => 13,
                    "quatorze" => 14,
                    "quinze" => 15,
                    "seize" => 16,
                    "vingt" | "vingts" => 20,
                    "trente" => 30,
                    "quarante" => 40,
                    "cinquante" => 50,
                    "soixante" => 60,
                    "cent" | "cents" => {
                        group = group.max(1) * 100;
                        last = 0;
                        continue;
                    }
                    "mille" => {
                        total += group.max(1) * 1_000;
                        (group, last) = (0, 0);
                        continue;
                    }
                    other => panic!("unexpected word {other:?} in {words:?}"),
                };
                // "quatre-vingts": four times twenty.
                if unit == 20 && last == 4 {
                    group += 80 - 4;
                } else {
                    group += unit;
                }
                last = unit;
            }
            total + group
        }
        for n in 1..1_000_000u64 {
            assert_eq!(value(&number_fr(n)), n, "{n}: {}", number_fr(n));
        }
    }
}

//! Charts drawn on the server as SVG: no script, light, printable, and always shown
//! beside a table that holds the same figures (for screen readers and for checking).

use std::fmt::Write;

/// One bar: its label, its value, and whether it is highlighted (a winner).
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: i64,
    pub value_text: String,
    pub strong: bool,
}

const ROW: i64 = 22;
const LABEL_W: i64 = 250;
const BAR_W: i64 = 300;
/// Room right of the bars for the longest value's text, about 7 units a character.
const VALUE_W: i64 = 90;

fn escape(text: &str) -> String {
    handlebars::html_escape(text)
}

/// A label cut to `max` characters, with an ellipsis.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Horizontal bars, longest first as given, scaled to the largest value. The SVG has a
/// title for assistive technologies and scales to the width of the page.
pub fn bars(title: &str, bars: &[Bar<'_>]) -> String {
    described_bars(title, "", bars)
}

/// [`bars`] with a description (`<desc>`, read after the title by assistive
/// technologies: say what is measured and where the same figures are in a table).
pub fn described_bars(title: &str, desc: &str, bars: &[Bar<'_>]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as i64 + 8;
    let longest = bars
        .iter()
        .map(|b| b.value_text.chars().count() as i64)
        .max()
        .unwrap_or(0);
    let width = LABEL_W + BAR_W + VALUE_W.max(7 * longest + 12);
    let mut svg = String::with_capacity(160 * bars.len() + 300 + desc.len());
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    if !desc.is_empty() {
        let _ = write!(svg, "<desc>{}</desc>", escape(desc));
    }
    for (i, b) in bars.iter().enumerate() {
        let y = 4 + ROW * i as i64;
        let w = (b.value.max(0) * BAR_W / max).max(1);
        let class = if b.strong { "bar win" } else { "bar" };
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect class="{class}" x="{LABEL_W}" y="{y}" width="{w}" height="{bh}"/><text x="{vx}" y="{ty}">{value}</text>"#,
            lx = LABEL_W - 6,
            ty = y + 14,
            label = escape(&short(b.label, 32)),
            bh = ROW - 6,
            vx = LABEL_W + w + 5,
            value = escape(&b.value_text),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_their_labels() {
        let svg = bars(
            "Votes",
            &[
                Bar {
                    label: "Puits <Médina>",
                    value: 200,
                    value_text: "200".into(),
                    strong: true,
                },
                Bar {
                    label: "Marché",
                    value: 50,
                    value_text: "50".into(),
                    strong: false,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Puits &lt;Médina&gt;"));
        assert!(svg.contains(r#"class="bar win" x="250" y="4" width="300""#));
        assert!(svg.contains(r#"class="bar" x="250" y="26" width="75""#));
    }

    #[test]
    fn a_description_follows_the_title() {
        let one = [Bar {
            label: "Santé",
            value: 3,
            value_text: "3".into(),
            strong: false,
        }];
        let svg = described_bars("Dépenses", "Par fonction & en francs", &one);
        assert!(svg.contains("<title>Dépenses</title><desc>Par fonction &amp; en francs</desc>"));
        assert!(!bars("Dépenses", &one).contains("<desc>"));
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(short("abcdef", 4), "abc…");
        assert_eq!(short("abc", 4), "abc");
    }
}

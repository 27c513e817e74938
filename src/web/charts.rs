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
    draw(
        title,
        desc,
        bars,
        Layout {
            label_w: LABEL_W,
            bar_w: BAR_W,
            whole: None,
            fitted: false,
        },
    )
}

/// Bars drawn at their own size (text as large as the page's), no wider than the page
/// (for a phone): the labels' column as wide as the longest label, shorter bars. With a `whole` (a rate against
/// 100 % = 10 000 basis points), each bar lies on a light track the width of the
/// whole and the values line up at its end; without, bars scale to the largest value.
pub fn fitted_bars(title: &str, desc: &str, bars: &[Bar<'_>], whole: Option<i64>) -> String {
    let longest = bars
        .iter()
        .map(|b| short(b.label, FITTED_LABEL).chars().count() as i64)
        .max()
        .unwrap_or(0);
    let layout = Layout {
        label_w: (8 * longest + 12).clamp(48, 8 * FITTED_LABEL as i64 + 12),
        bar_w: 200,
        whole,
        fitted: true,
    };
    draw(title, desc, bars, layout)
}

/// The longest label of a fitted chart, in characters.
const FITTED_LABEL: usize = 24;

struct Layout {
    label_w: i64,
    bar_w: i64,
    whole: Option<i64>,
    fitted: bool,
}

fn draw(title: &str, desc: &str, bars: &[Bar<'_>], l: Layout) -> String {
    let Layout {
        label_w,
        bar_w,
        whole,
        fitted,
    } = l;
    let largest = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let max = whole.unwrap_or(largest).max(1);
    let height = ROW * bars.len() as i64 + 8;
    let longest = bars
        .iter()
        .map(|b| b.value_text.chars().count() as i64)
        .max()
        .unwrap_or(0);
    let value_w = 7 * longest + 12;
    let width = label_w
        + bar_w
        + if fitted {
            value_w
        } else {
            VALUE_W.max(value_w)
        };
    let max_label = if fitted { FITTED_LABEL } else { 32 };
    let mut svg = String::with_capacity(200 * bars.len() + 300 + desc.len());
    let (class, size) = if fitted {
        // 12 units of text shown at 16 px, as the page's text.
        ("chart fit", (width * 4 / 3).to_string())
    } else {
        ("chart", "100%".to_string())
    };
    let _ = write!(
        svg,
        r#"<svg class="{class}" role="img" viewBox="0 0 {width} {height}" width="{size}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    if !desc.is_empty() {
        let _ = write!(svg, "<desc>{}</desc>", escape(desc));
    }
    for (i, b) in bars.iter().enumerate() {
        let y = 4 + ROW * i as i64;
        let bh = ROW - 6;
        let w = (b.value.clamp(0, max) * bar_w / max).max(1);
        let class = if b.strong { "bar win" } else { "bar" };
        if whole.is_some() {
            let _ = write!(
                svg,
                r##"<rect fill="#e6edf0" x="{label_w}" y="{y}" width="{bar_w}" height="{bh}"/>"##
            );
        }
        let vx = label_w + if whole.is_some() { bar_w } else { w } + 5;
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect class="{class}" x="{label_w}" y="{y}" width="{w}" height="{bh}"/><text x="{vx}" y="{ty}">{value}</text>"#,
            lx = label_w - 6,
            ty = y + 14,
            label = escape(&short(b.label, max_label)),
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

    #[test]
    fn fitted_bars_take_their_own_width_and_a_rate_lies_on_a_track_of_the_whole() {
        let bars = [
            Bar {
                label: "TEOM",
                value: 5_000,
                value_text: "50 %".into(),
                strong: false,
            },
            Bar {
                label: "DPLACE",
                value: 12_000,
                value_text: "120 %".into(),
                strong: false,
            },
        ];
        let svg = fitted_bars("Taux", "", &bars, Some(10_000));
        // Labels of at most 6 characters: 60 units; bars of 200; values of 5: 47; shown
        // a third larger than drawn.
        assert!(
            svg.contains(r#"class="chart fit" role="img" viewBox="0 0 307 52" width="409""#),
            "{svg}"
        );
        assert!(svg.contains(r##"<rect fill="#e6edf0" x="60" y="4" width="200""##));
        assert!(svg.contains(r#"class="bar" x="60" y="4" width="100""#));
        // Above the whole, a bar stops at its end; values line up after the track.
        assert!(svg.contains(r#"class="bar" x="60" y="26" width="200""#));
        assert!(svg.contains(r#"<text x="265" y="18">50 %</text>"#));
        // Without a whole, bars scale to the largest value and carry no track.
        let amounts = fitted_bars("Montants", "", &bars, None);
        assert!(amounts.contains(r#"class="bar" x="60" y="4" width="83""#));
        assert!(!amounts.contains("e6edf0"));
    }
}

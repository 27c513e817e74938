//! QR codes drawn on the server as inline SVG: no script, no image request, and the
//! same square on the screen, on A4 and on a 58 mm thermal roll.

use std::fmt::Write;

use qrcode::{Color, EcLevel, QrCode};

/// The light margin around the code, in modules (the standard asks for four).
const QUIET: usize = 4;

/// An `<svg>` element (no XML prolog, no fixed size: the stylesheet sizes it) that
/// encodes `text`, labelled `label` for screen readers. Error correction level M
/// survives a crease or a smudge on paper. Each row's dark modules are drawn as runs,
/// one path for the whole code.
pub fn svg(text: &str, label: &str) -> String {
    let code = match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code,
        // Too long for any QR code: nothing to draw (no URL of ours comes near).
        Err(_) => return String::new(),
    };
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
                let _ = write!(path, "M{} {}h{run}v1h-{run}z", x + QUIET, y + QUIET);
                x += run;
            } else {
                x += 1;
            }
        }
    }
    let side = width + 2 * QUIET;
    format!(
        "<svg class=\"qr\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
        handlebars::html_escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_an_inline_svg_sized_by_the_stylesheet() {
        let svg = svg(
            "https://commune.example/verify/K7QM-2XD3-PA9F",
            "Vérifier \"ici\"",
        );
        assert!(svg.starts_with("<svg class=\"qr\" role=\"img\""), "{svg}");
        assert!(
            svg.contains("aria-label=\"Vérifier &quot;ici&quot;\""),
            "{svg}"
        );
        assert!(svg.contains("viewBox=\"0 0 "), "{svg}");
        let open = &svg[..svg.find('>').unwrap()];
        assert!(
            !open.contains("width") && !open.contains("height"),
            "{open}"
        );
        assert!(!svg.contains("<?xml"));
        assert!(svg.ends_with("</svg>"));
        // Dark modules are drawn, row by row, in runs.
        assert!(svg.matches('M').count() > 50);
        assert!(svg.len() < 6_000, "{} bytes", svg.len());
    }

    #[test]
    fn the_same_text_draws_the_same_code_and_another_text_another() {
        let a = svg("http://127.0.0.1:8080/verify/AAAA-BBBB-CCCC", "x");
        assert_eq!(a, svg("http://127.0.0.1:8080/verify/AAAA-BBBB-CCCC", "x"));
        assert_ne!(a, svg("http://127.0.0.1:8080/verify/AAAA-BBBB-CCCD", "x"));
    }
}

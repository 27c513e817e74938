//! The public budget portal over HTTP: the published budget with its sections, its
//! chapters and their charts, and the CSV whose SHA-256 the page shows.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use commune::db;

use crate::helpers::{TestApp, DAKAR};

#[actix_web::test]
async fn the_portal_shows_the_published_budget_and_its_csv_has_the_published_hash() {
    let app = TestApp::spawn().await;
    let v = app.visitor();
    let page = v.text(&format!("/{DAKAR}/budget")).await;
    assert!(
        page.contains("data-figure=\"none\""),
        "nothing published yet"
    );
    assert_eq!(
        v.get(&format!("/{DAKAR}/budget/2026")).await.status(),
        StatusCode::NOT_FOUND
    );

    {
        let conn = &mut app.conn();
        let commune = commune::communes::by_slug(conn, DAKAR).unwrap().unwrap();
        super::publish_small(conn, &commune, 2026);
    }
    let page = v.text(&format!("/{DAKAR}/budget")).await;
    assert!(page.contains("Budget 2026"), "{page}");
    // 175 000 000 of revenue and of spending, the transfer of 50 000 000 counted once.
    assert!(
        page.contains("data-figure=\"revenue\">175\u{202F}000\u{202F}000\u{A0}FCFA"),
        "{page}"
    );
    assert!(page.contains("data-figure=\"spending\">175\u{202F}000\u{202F}000\u{A0}FCFA"));
    assert!(page.contains("Impôts et taxes locaux") && page.contains("<svg"));
    assert!(
        page.contains("délibération 2026-012 (pour : 28 ; contre : 3 ; abstentions : 1)"),
        "{page}"
    );
    assert!(!page.contains("<script"));

    let shown = {
        let at = page.find("data-figure=\"sha256\">").unwrap() + 21;
        page[at..at + 64].to_string()
    };
    let res = v.get(&format!("/{DAKAR}/budget/2026.csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.bytes().await.unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&csv)),
        shown,
        "the download is the published file"
    );
    let text = String::from_utf8(csv.to_vec()).unwrap();
    assert!(text.starts_with("fiscal_year,document,kind,section,direction,chapter,article"));
    assert_eq!(text.lines().count(), 10, "a header and nine lines");

    // The same lines as JSON, and the Fiscal Data Package that describes the file.
    let json: serde_json::Value = v
        .get(&format!("/{DAKAR}/budget/2026.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["lines"].as_array().unwrap().len(), 9);
    assert_eq!(json["document"]["sha256"], shown.as_str());
    let package: serde_json::Value = v
        .get(&format!("/{DAKAR}/budget/2026/datapackage.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(package["profile"], "data-package");
    assert_eq!(package["resources"][0]["hash"], format!("sha256:{shown}"));
    assert!(package["resources"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{DAKAR}/budget/2026.csv")));

    // `commune export budget` writes the very file that was published.
    let dir = tempfile::tempdir().unwrap();
    let out = crate::cli::run_cli(
        &app,
        &[
            "export",
            "budget",
            "--commune",
            DAKAR,
            "--year",
            "2026",
            "--dir",
            dir.path().to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = std::fs::read(dir.path().join(format!("{DAKAR}-budget-2026.csv"))).unwrap();
    assert_eq!(exported, csv.to_vec(), "byte for byte");
    assert!(dir.path().join("datapackage.json").exists());
    assert!(dir
        .path()
        .join(format!("{DAKAR}-budget-2026.json"))
        .exists());
    frictionless_validates(&dir.path().join("datapackage.json"));

    // A payment at the counter shows at once as collected on its budget line.
    let (code, after) = {
        use commune::revenue::{collected, payments, rolls, taxpayers};
        let conn = &mut app.conn();
        let commune = commune::communes::by_slug(conn, DAKAR).unwrap().unwrap();
        let before = collected::by_budget_line(conn, commune.id, 2026).unwrap();
        let owing = rolls::list(conn, commune.id)
            .unwrap()
            .into_iter()
            .filter(|r| r.roll.is_issued())
            .flat_map(|r| rolls::lines(conn, r.roll.id, "", 1).unwrap())
            .next()
            .expect("an issued line in the demo");
        let payer = taxpayers::by_ref(conn, commune.id, &owing.taxpayer_ref)
            .unwrap()
            .unwrap();
        let collector = commune::accounts::users::by_email(
            conn,
            &crate::helpers::demo_email(DAKAR, "collector"),
        )
        .unwrap()
        .unwrap();
        db::write_tx(conn, |c| {
            payments::record(
                c,
                &commune,
                &payments::NewPayment {
                    taxpayer: payer.id,
                    amount: commune::money::Xof(1_000),
                    method: payments::Method::Cash,
                    reference: None,
                    token: "budget-portal".into(),
                },
                commune.today(),
                &commune::audit::Actor::system("test"),
                collector.id,
            )
        })
        .unwrap();
        let after = collected::by_budget_line(conn, commune.id, 2026).unwrap();
        let (code, now) = after
            .iter()
            .find(|(c, v)| {
                before.iter().find(|(b, _)| b == c).map_or(0, |(_, x)| x.0) + 1_000 == v.0
            })
            .cloned()
            .expect("one line collected 1 000 francs more");
        (code, now)
    };
    let page = v.text(&format!("/{DAKAR}/budget/2026")).await;
    let row_at = page
        .find(&format!("data-article=\"{code}\""))
        .unwrap_or_else(|| panic!("{code} in {page}"));
    let row = &page[row_at..row_at + page[row_at..].find("</tr>").unwrap()];
    assert!(
        row.contains(&commune::money::Xof(after.0).display("fr")),
        "{row}"
    );

    // In English too.
    let en = v
        .get_with_language(&format!("/{DAKAR}/budget/2026"), "en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Where the money goes"), "{en}");
}

/// `frictionless validate` on the exported package, when the tool is there
/// (`COMMUNE_FRICTIONLESS`, or on the PATH); CI installs it and sets
/// `COMMUNE_FRICTIONLESS_REQUIRED`, so that there a missing tool fails.
fn frictionless_validates(package: &std::path::Path) {
    let tool = std::env::var_os("COMMUNE_FRICTIONLESS")
        .map(std::path::PathBuf::from)
        .or_else(|| crate::browser::harness::find_in_path("frictionless"));
    let Some(tool) = tool else {
        assert!(
            std::env::var_os("COMMUNE_FRICTIONLESS_REQUIRED").is_none(),
            "frictionless is required here but not installed"
        );
        eprintln!("frictionless is not installed: the Fiscal Data Package is not validated");
        return;
    };
    let out = std::process::Command::new(tool)
        .arg("validate")
        .arg(package)
        .output()
        .expect("frictionless runs");
    assert!(
        out.status.success(),
        "frictionless validate: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

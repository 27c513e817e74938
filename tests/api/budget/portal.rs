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
    assert_eq!(
        v.get(&format!("/{DAKAR}/budget/2019")).await.status(),
        StatusCode::NOT_FOUND,
        "nothing published for 2019"
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
        let at = page.find("data-sha256>").unwrap() + 12;
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
                    paid_on: None,
                    channel: payments::Channel::Counter,
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

/// A commune budget of realistic size (Senegal's nomenclature, about forty lines),
/// balanced: every amount grows by `growth` percent from the base year, which keeps the
/// balance. With `round`, that round's winners come in as capital lines, paid for by a
/// development partner's grant. Voted, approved and published; its document id.
pub(crate) fn publish_realistic(
    conn: &mut db::DbConn,
    commune: &commune::communes::Commune,
    year: i64,
    growth: i64,
    round: Option<commune::ids::RoundId>,
) -> commune::ids::DocumentId {
    use commune::audit::Actor;
    use commune::budget::documents::{self as docs, Kind, Vote};
    use commune::money::Xof;
    const BASE: [(&str, i64); 33] = [
        // Operating revenue: 587 M.
        ("7011", 180),
        ("7012", 25),
        ("7013", 40),
        ("7021", 95),
        ("7031", 60),
        ("7032", 35),
        ("7041", 15),
        ("7411", 120),
        ("7511", 5),
        ("7521", 12),
        // Operating spending: 442 M, and 145 M to the capital section.
        ("6011", 210),
        ("6111", 25),
        ("6121", 30),
        ("6131", 70),
        ("6141", 28),
        ("6151", 22),
        ("6411", 30),
        ("6421", 18),
        ("6611", 9),
        ("6911", 145),
        // Capital revenue: 335 M with the transfer.
        ("1011", 145),
        ("1311", 90),
        ("1321", 60),
        ("1611", 40),
        // Capital spending: 335 M.
        ("2111", 70),
        ("2121", 55),
        ("2122", 25),
        ("2131", 45),
        ("2141", 30),
        ("2151", 20),
        ("2161", 25),
        ("2171", 35),
        ("1661", 30),
    ];
    let actor = Actor::system("test");
    db::write_tx(conn, |c| -> commune::error::DomainResult<_> {
        let title = format!("Budget primitif {year}");
        let doc = docs::create(c, commune, year, Kind::Primitif, &title, &actor)?;
        let mut projects = 0;
        if let Some(round) = round {
            docs::bring_winners(c, commune, doc, round, &actor)?;
            projects = docs::lines(c, doc)?
                .iter()
                .filter(|l| l.project_id.is_some())
                .map(|l| l.amount)
                .sum::<i64>();
        }
        for (article, millions) in BASE {
            let mut amount = millions * 1_000_000 * (100 + growth) / 100;
            if article == "1321" {
                amount += projects;
            }
            docs::set_line(c, commune, doc, article, Xof(amount), &actor)?;
        }
        docs::propose(c, commune, doc, &actor)?;
        let vote = Vote {
            on: commune.today(),
            deliberation: format!("{year}-031"),
            votes_for: 41,
            against: 6,
            abstentions: 2,
        };
        docs::record_vote(c, commune, doc, &vote, &actor)?;
        docs::approve(c, commune, doc, commune.today(), "Arrêté n° 112", &actor)?;
        docs::publish(c, commune, doc, &actor)?;
        Ok(doc)
    })
    .unwrap()
}

#[actix_web::test]
async fn the_portal_of_a_realistic_budget_is_light_complete_and_every_figure_leads_to_its_lines() {
    use commune::participation::{rounds, Phase};
    let app = TestApp::spawn().await;
    let (doc, project) = {
        let conn = &mut app.conn();
        let commune = commune::communes::by_slug(conn, DAKAR).unwrap().unwrap();
        let round = rounds::list(conn, commune.id)
            .unwrap()
            .into_iter()
            .find(|r| r.phase == Phase::Implementation)
            .expect("the demo's round in implementation")
            .id;
        publish_realistic(conn, &commune, 2025, 0, None);
        let doc = publish_realistic(conn, &commune, 2026, 6, Some(round));
        let doc = commune::budget::documents::get(conn, commune.id, doc).unwrap();
        let project = commune::budget::documents::lines(conn, doc.id)
            .unwrap()
            .into_iter()
            .find_map(|l| l.project_id)
            .expect("a project line");
        (doc, project)
    };
    let v = app.visitor();
    let page = v.text(&format!("/{DAKAR}/budget")).await;
    let css = v.text("/static/commune.css").await;
    let weight = page.len() + css.len();
    eprintln!(
        "budget page: {} bytes of HTML + {} of CSS = {weight}",
        page.len(),
        css.len()
    );
    assert!(weight < 60_000, "the page weighs {weight} bytes");
    assert!(!page.contains("<script"));

    // The published file's fingerprint and the journal's head at publication.
    assert!(page.contains(&format!(
        "data-sha256>{}</code>",
        doc.csv_sha256.as_deref().unwrap()
    )));
    assert!(page.contains(&format!(
        "data-audit-head>{} · {}</code>",
        doc.audit_seq.unwrap(),
        doc.audit_head.as_deref().unwrap()
    )));

    // 2026 is 2025 grown by 6 % (and the projects, paid by a grant, on top).
    assert!(page.contains("Budget 2026"), "{page}");
    assert!(page.contains("data-figure=\"spending-change\">+"), "{page}");
    assert!(page.contains("Évolution par rapport au budget publié de 2025."));
    let html = scraper::Html::parse_document(&page);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let text_of = |css: &str| -> Vec<String> {
        html.select(&select(css))
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    let rows = text_of("table.groups.revenue tbody tr");
    let taxes = rows
        .iter()
        .find(|r| r.contains("Impôts et taxes locaux"))
        .expect("the local taxes chapter");
    assert!(taxes.contains("+6,0\u{A0}%"), "{taxes}");

    // Where 1 000 FCFA go: whole francs that add up to 1 000.
    let francs: Vec<i64> = html
        .select(&select("ol.thousand strong"))
        .map(|e| e.value().attr("data-francs").unwrap().parse().unwrap())
        .collect();
    assert!(francs.len() >= 5, "{francs:?}");
    assert_eq!(francs.iter().sum::<i64>(), 1_000, "{francs:?}");

    // Three charts drawn on the server, each followed by its table.
    assert_eq!(html.select(&select("figure.chart svg")).count(), 3);
    for table in ["revenue", "spending", "functions"] {
        let rows = html
            .select(&select(&format!("table.groups.{table} tbody tr")))
            .count();
        assert!(rows >= 2, "{table}: {rows} rows");
    }
    assert!(page.contains("<title>Où va l’argent</title><desc>"));
    assert!(text_of("table.groups.functions")
        .concat()
        .contains("Enseignement"));

    // Every link inside the page leads to something on it.
    let ids: std::collections::HashSet<&str> = html
        .select(&select("[id]"))
        .filter_map(|e| e.value().attr("id"))
        .collect();
    let anchors: Vec<&str> = html
        .select(&select("a[href^='#']"))
        .map(|e| &e.value().attr("href").unwrap()[1..])
        .collect();
    assert!(anchors.len() > 40, "{}", anchors.len());
    for a in &anchors {
        assert!(ids.contains(a), "#{a} leads nowhere");
    }
    // Chapters lead to their lines, functions to theirs.
    assert!(anchors.contains(&"r-70") && ids.contains("l-r-7011"));
    assert!(anchors.contains(&"l-d-2111") && anchors.contains(&"f-09"));

    // The participatory project: its page, its status and its progress.
    let link = format!("href=\"/{DAKAR}/projects/{project}\"");
    assert!(page.contains(&link), "{page}");
    let row = text_of(&format!("tr[data-project=\"{project}\"]")).concat();
    assert!(
        ["Prévu", "Appel d’offres", "Travaux", "Terminé", "Abandonné"]
            .iter()
            .any(|s| row.contains(s)),
        "{row}"
    );

    // The collection rate of the commune's own revenue.
    assert!(page.contains("data-figure=\"collection-rate\">"));
    // Years side by side (the demo's and this test's), and the way to the others.
    let years: std::collections::BTreeSet<i64> = {
        let conn = &mut app.conn();
        let commune = commune::communes::by_slug(conn, DAKAR).unwrap().unwrap();
        commune::budget::documents::list(conn, commune.id)
            .unwrap()
            .iter()
            .filter(|d| d.status == commune::budget::documents::Status::Published)
            .map(|d| d.fiscal_year)
            .collect()
    };
    assert_eq!(
        html.select(&select("table.years tbody tr")).count(),
        years.len()
    );
    assert!(page.contains(&format!("href=\"/{DAKAR}/budget/2025\"")));

    // The first year: nothing to compare with.
    let earliest = years.first().unwrap();
    let first = v.text(&format!("/{DAKAR}/budget/{earliest}")).await;
    assert!(first.contains(&format!("Budget {earliest}")));
    assert!(
        first.contains("data-figure=\"spending-change\">—"),
        "{first}"
    );

    // A year without a budget: 404, and the way to the published ones.
    let res = v.get(&format!("/{DAKAR}/budget/2031")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let missing = res.text().await.unwrap();
    assert!(
        missing.contains("Pas de budget publié pour 2031"),
        "{missing}"
    );
    assert!(missing.contains(&format!("href=\"/{DAKAR}/budget/2026\"")));

    // In English.
    let en = v
        .get_with_language(&format!("/{DAKAR}/budget"), "en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Where 1,000 FCFA of your taxes go"), "{en}");
    assert!(en.contains("Education") && en.contains("XOF\u{A0}"));
    assert!(en.contains("+6.0%"), "{en}");
}

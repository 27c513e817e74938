//! Imports a finance officer can trust: all or nothing, with a report of every bad row,
//! through the upload page and the command line.

use commune::revenue::taxpayers;
use reqwest::StatusCode;

use crate::cli::run_cli_with;
use crate::helpers::{demo_email, Client, TestApp, DAKAR};

const HEADER: &str = "ref,name,kind,district,phone,email,id_number\n";

/// Sends a file to the upload form, as a browser does.
pub async fn upload(
    c: &Client,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    update: bool,
) -> reqwest::Response {
    upload_roll(c, kind, name, bytes, update, "", "").await
}

pub async fn upload_roll(
    c: &Client,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    update: bool,
    tax: &str,
    year: &str,
) -> reqwest::Response {
    let token = c.csrf().await;
    // The token first, in the body, as the page's form sends it.
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("kind", kind.to_string())
        .text("tax", tax.to_string())
        .text("year", year.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("text/csv")
                .unwrap(),
        );
    if update {
        form = form.text("update", "1");
    }
    c.http
        .post(format!("{}/dakar-plateau/finance/imports", c.base))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

fn count(app: &TestApp) -> i64 {
    let mut conn = app.conn();
    let id = commune::communes::by_slug(&mut conn, DAKAR)
        .unwrap()
        .unwrap()
        .id;
    taxpayers::count(&mut conn, id).unwrap()
}

fn audit_entries(app: &TestApp) -> i64 {
    let mut conn = app.conn();
    let id = commune::communes::by_slug(&mut conn, DAKAR)
        .unwrap()
        .unwrap()
        .id;
    commune::audit::verify(&mut conn, id).unwrap().entries
}

fn import_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    commune::db::schema::imports::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn good_file() -> String {
    format!(
        "{HEADER}\
         DKP-0001,Awa Diop,person,Plateau,77 123 45 67,awa@example.sn,0061234562V2\n\
         DKP-0002,Société Kermel SARL,organisation,kermel,+221 33 821 00 00,,\n\
         DKP-0003,Moussa Fall,personne,Rebeuss,,,\n"
    )
}

#[actix_web::test]
async fn a_clean_taxpayer_file_is_imported_and_reimporting_it_with_update_creates_no_duplicates() {
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let before = count(&app);
    let logged_before = admin
        .text("/dakar-plateau/admin/audit")
        .await
        .matches("Import de contribuables")
        .count();
    let res = upload(
        &fo,
        "taxpayers",
        "contribuables.csv",
        good_file().into_bytes(),
        false,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Import enregistré : 3 lignes lues, 3 créées, 0 mise à jour."),
        "{page}"
    );
    assert_eq!(count(&app), before + 3);
    // The same file again, without update: every reference is already there.
    let again = upload(
        &fo,
        "taxpayers",
        "contribuables.csv",
        good_file().into_bytes(),
        false,
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("figure déjà au fichier des contribuables"));
    // With update: the names change, nothing is duplicated.
    let changed = good_file().replace("Awa Diop", "Awa Diop Ndiaye");
    let res = upload(
        &fo,
        "taxpayers",
        "contribuables.csv",
        changed.into_bytes(),
        true,
    )
    .await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("3 lignes lues, 0 créée, 3 mises à jour."));
    assert_eq!(count(&app), before + 3);
    // The export gives back what was imported, phones in international form.
    let export = fo.text("/dakar-plateau/finance/export/taxpayers.csv").await;
    assert!(
        export.starts_with("ref,name,kind,district,phone,email,id_number,address,gps\n"),
        "{export}"
    );
    assert!(
        export.contains("DKP-0001,Awa Diop Ndiaye,person,Plateau,+221771234567,awa@example.sn,"),
        "{export}"
    );
    assert!(
        export.contains("DKP-0003,Moussa Fall,person,Rebeuss,"),
        "{export}"
    );
    // The import page lists both imports; the audit log has them.
    let page = fo.text("/dakar-plateau/finance/imports").await;
    assert_eq!(page.matches("contribuables.csv").count(), 2, "{page}");
    let logged = admin
        .text("/dakar-plateau/admin/audit")
        .await
        .matches("Import de contribuables")
        .count();
    assert_eq!(logged, logged_before + 2);
    // Each record the update changed has its own entry, with the values before and
    // after; the two records it left as they were have none.
    let updates = audit_details(&app, "taxpayer.update");
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["ref"], "DKP-0001");
    assert_eq!(
        updates[0]["changes"]["name"],
        serde_json::json!({ "before": "Awa Diop", "after": "Awa Diop Ndiaye" })
    );
}

/// The details of the audit entries of one action, oldest first.
fn audit_details(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    use commune::db::schema::audit_log;
    use diesel::prelude::*;
    let mut conn = app.conn();
    let rows: Vec<String> = audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.asc())
        .select(audit_log::details)
        .load(&mut conn)
        .unwrap();
    rows.iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

/// Each bad file is refused with a report naming the line, the column, the value and
/// the reason, and nothing at all is written: no taxpayer, no import, no log entry.
#[actix_web::test]
async fn every_kind_of_bad_file_gets_a_clear_report_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let (before, taxpayers_before, imports_before) =
        (audit_entries(&app), count(&app), import_count(&app));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(good_file().encode_utf16().flat_map(|u| u.to_le_bytes()));
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "a bad number",
            b"ref,taxpayer_ref,kind,district,rental_value\nIT-1,DKP-0001,property,Plateau,douze mille\n".to_vec(),
            vec!["<td>rental_value</td><td>douze mille</td>", "Montant illisible"],
        ),
        (
            "an unknown district",
            format!("{HEADER}DKP-0001,Awa Diop,person,Médina,,,\n").into_bytes(),
            vec!["<td class=\"num\">2</td><td>district</td><td>Médina</td>", "Quartier inconnu dans cette commune"],
        ),
        (
            "a duplicate reference",
            format!("{HEADER}DKP-0001,Awa Diop,person,Plateau,,,\nDKP-0001,Awa Sarr,person,Port,,,\n").into_bytes(),
            vec!["<td class=\"num\">3</td><td>ref</td><td>DKP-0001</td>", "Cette valeur figure déjà à la ligne 2."],
        ),
        (
            "a missing column",
            b"ref,name,kind,district,phone,email\nDKP-0001,Awa Diop,person,Plateau,,\n".to_vec(),
            vec!["La colonne obligatoire « id_number » manque."],
        ),
        ("a wrong encoding", utf16, vec!["UTF-16"]),
        ("an empty file", Vec::new(), vec!["Le fichier est vide."]),
        (
            "a bad phone and a bad e-mail on one row",
            format!("{HEADER}DKP-0001,Awa Diop,person,Plateau,12345,awa@,\n").into_bytes(),
            vec!["<td>phone</td><td>12345</td>", "<td>email</td><td>awa@</td>"],
        ),
    ];
    for (what, bytes, expected) in cases {
        let kind = if what == "a bad number" {
            "items"
        } else {
            "taxpayers"
        };
        let res = upload(&fo, kind, "bad.csv", bytes, false).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let page = without_labels(&res.text().await.unwrap());
        assert!(page.contains("Import refusé"), "{what}: {page}");
        for needle in expected {
            assert!(page.contains(needle), "{what}: {needle:?} not in {page}");
        }
    }
    assert_eq!(count(&app), taxpayers_before);
    assert_eq!(
        import_count(&app),
        imports_before,
        "a refused import leaves no import record"
    );
    assert_eq!(
        audit_entries(&app),
        before,
        "a refused import writes nothing to the log either"
    );
}

#[actix_web::test]
async fn a_french_excel_file_in_windows_1252_with_semicolons_is_read_correctly() {
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    // "Société Gorée Négoce;organisation;Sandaga" in Windows-1252: é = 0xE9.
    let mut bytes = b"ref;name;kind;district;phone;email;id_number\r\n".to_vec();
    bytes.extend(
        b"DKP-0100;Soci\xE9t\xE9 Gor\xE9e N\xE9goce;organisation;Sandaga;33 821 12 12;;\r\n",
    );
    let res = upload(&fo, "taxpayers", "excel.csv", bytes, false).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let found = fo.text("/dakar-plateau/finance/export/taxpayers.csv").await;
    assert!(
        found.contains("DKP-0100,Société Gorée Négoce,organisation,Sandaga,+221338211212"),
        "{found}"
    );
}

#[actix_web::test]
async fn items_and_a_state_roll_import_against_the_register_and_report_unknown_references() {
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    upload(&fo, "taxpayers", "t.csv", good_file().into_bytes(), false).await;
    let items = "ref,taxpayer_ref,kind,district,rental_value,category\n\
                 BAT-1,DKP-0001,property,Plateau,1 200 000,\n\
                 BAT-2,DKP-0002,property,Kermel,3600000,\n\
                 BAT-3,DKP-9999,property,Port,100,\n";
    let res = upload(&fo, "items", "biens.csv", items.as_bytes().to_vec(), false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without_labels(&res.text().await.unwrap())
        .contains("<td class=\"num\">4</td><td>taxpayer_ref</td><td>DKP-9999</td>"));
    let items = items.lines().take(3).collect::<Vec<_>>().join("\n");
    assert_eq!(
        upload(&fo, "items", "biens.csv", items.into_bytes(), false)
            .await
            .status(),
        StatusCode::OK
    );
    // The State's CFPB roll: 5 % of the rental values, as the tax office computed it.
    let roll = "taxpayer_ref,item_ref,base,amount,due_date\nDKP-0001,BAT-1,1200000,60000,31/03/2025\nDKP-0002,BAT-2,3600000,180000,\n";
    let res = upload_roll(
        &fo,
        "roll",
        "cfpb.csv",
        roll.as_bytes().to_vec(),
        false,
        "CFPB",
        "2025",
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let mut conn = app.conn();
    let dakar = commune::communes::by_slug(&mut conn, DAKAR)
        .unwrap()
        .unwrap();
    let cfpb = commune::revenue::tax_types::by_code(&mut conn, dakar.id, "CFPB")
        .unwrap()
        .unwrap();
    let r = commune::revenue::rolls::find(&mut conn, dakar.id, cfpb.id, 2025)
        .unwrap()
        .unwrap();
    assert_eq!(
        (r.source.as_str(), r.status.as_str(), r.line_count, r.total),
        ("imported", "draft", 2, commune::money::Xof(240_000))
    );
    let lines = commune::revenue::rolls::lines(&mut conn, r.id, "", 10).unwrap();
    assert_eq!(lines[0].reference, "DKP/2025/CFPB/000001");
    // The second line had no due date: it takes the tax's own (31 March).
    assert_eq!(lines[1].due_date.to_string(), "2025-03-31");
    // An item that belongs to someone else is refused.
    let wrong = "taxpayer_ref,item_ref,amount\nDKP-0003,BAT-1,5000\n";
    let res = upload_roll(
        &fo,
        "roll",
        "cfpb.csv",
        wrong.as_bytes().to_vec(),
        false,
        "CFPB",
        "2025",
    )
    .await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ce bien n’appartient pas au contribuable DKP-0003."));
    // A commune-assessed tax is generated, not imported.
    let res = upload_roll(
        &fo,
        "roll",
        "x.csv",
        roll.as_bytes().to_vec(),
        false,
        "LOCCANT",
        "2026",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn the_command_line_imports_exports_and_refuses_like_the_page() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, good_file()).unwrap();
    let url = app.db.url();
    let out = run_cli_with(
        &url,
        &[
            "import",
            "taxpayers",
            "--commune",
            DAKAR,
            good.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("imported 3 rows from good.csv: 3 created, 0 updated"));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{HEADER}DKP-0009,X,person,Nowhere,,,\n")).unwrap();
    let report = dir.path().join("report.csv");
    let out = run_cli_with(
        &url,
        &[
            "import",
            "taxpayers",
            "--commune",
            DAKAR,
            bad.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        &[("LANG", "en_GB.UTF-8")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2, district = \"Nowhere\": Unknown district in this commune."),
        "{err}"
    );
    assert!(
        err.contains("import refused: 1 problem(s) found, nothing was written"),
        "{err}"
    );
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.contains("2,district,Nowhere,"), "{csv}");
    let export = run_cli_with(&url, &["export", "taxpayers", "--commune", DAKAR], &[]);
    let text = String::from_utf8_lossy(&export.stdout);
    // The header, the 12 demo taxpayers and the 3 imported.
    assert_eq!(text.lines().count(), 16, "{text}");
    // What was exported imports again, with --update, without creating anyone.
    let again = dir.path().join("again.csv");
    std::fs::write(&again, text.as_bytes()).unwrap();
    let out = run_cli_with(
        &url,
        &[
            "import",
            "taxpayers",
            "--commune",
            DAKAR,
            again.to_str().unwrap(),
            "--update",
        ],
        &[],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0 created, 15 updated"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let taxes = run_cli_with(&url, &["tax", "list", "--commune", DAKAR, "--json"], &[]);
    let list: serde_json::Value = serde_json::from_slice(&taxes.stdout).unwrap();
    let teom = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "TEOM")
        .unwrap();
    assert_eq!(teom["rate_bp"], 360);
    assert_eq!(teom["gfsm_code"], "1131");
}

#[actix_web::test]
async fn an_export_defuses_spreadsheet_formulas_and_imports_again_unchanged() {
    // Arrange: names a spreadsheet would run as formulas once the export is opened.
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let file = format!(
        "{HEADER}DKP-0200,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"Awa\"\")\",person,Plateau,+221 77 123 45 67,,\n\
         DKP-0201,@SUM(A1),person,Plateau,,,\n\
         DKP-0202,-1+cmd|' /C calc'!A0,person,Plateau,,,\n"
    );
    let res = upload(&fo, "taxpayers", "f.csv", file.into_bytes(), false).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    // Act
    let export = fo.text("/dakar-plateau/finance/export/taxpayers.csv").await;

    // Assert: each formula starts with a quote; the phone number does not.
    for line in [
        "DKP-0200,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Awa\"\")\",person,Plateau,+221771234567,",
        "DKP-0201,'@SUM(A1),person,Plateau,",
        "DKP-0202,'-1+cmd|' /C calc'!A0,person,Plateau,",
    ] {
        assert!(export.contains(line), "{line}\n{export}");
    }
    // The export goes back in with --update and every name is as it was.
    let res = upload(
        &fo,
        "taxpayers",
        "again.csv",
        export.clone().into_bytes(),
        true,
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(
        fo.text("/dakar-plateau/finance/export/taxpayers.csv").await,
        export
    );
}

#[actix_web::test]
async fn a_reference_repeated_far_down_a_long_file_is_named_and_nothing_is_written() {
    // Arrange: 1 200 rows, written in several statements; row 1 101 repeats row 3's
    // reference, and row 1 150 repeats one of the demo register's.
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let before = count(&app);
    let mut file = HEADER.to_string();
    for i in 0..1_200 {
        let reference = match i {
            1_099 => "LONG-00001".to_string(),
            1_148 => "DKP-T0001".to_string(),
            _ => format!("LONG-{i:05}"),
        };
        file.push_str(&format!("{reference},Contribuable {i},person,Plateau,,,\n"));
    }

    // Act
    let res = upload(&fo, "taxpayers", "long.csv", file.into_bytes(), false).await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = without_labels(&res.text().await.unwrap());
    assert!(
        page.contains("<td class=\"num\">1101</td><td>ref</td><td>LONG-00001</td>"),
        "{page}"
    );
    assert!(page.contains("Cette référence figure plus haut dans le même fichier."));
    assert!(
        page.contains("<td class=\"num\">1150</td><td>ref</td><td>DKP-T0001</td>"),
        "{page}"
    );
    assert!(page.contains("Cette référence figure déjà au fichier des contribuables"));
    assert_eq!(count(&app), before, "a refused import writes nothing");
}

/// A page without the column names a phone layout repeats in each cell, so that a
/// report's row reads as `<td class="num">4</td><td>taxpayer_ref</td>…`.
fn without_labels(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(at) = rest.find(" data-label=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " data-label=\"".len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// A header of thousands of columns is refused as soon as the file is opened, before
/// anything is written or locked: no import needs more than a dozen columns.
#[actix_web::test]
async fn a_file_whose_header_has_thousands_of_columns_is_refused_before_anything_is_written() {
    // Arrange: the taxpayer columns, then 1 000 more, and one good row.
    let app = TestApp::spawn_without_register().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let extra: Vec<String> = (0..1_000).map(|i| format!("c{i}")).collect();
    let file = format!(
        "ref,name,kind,district,phone,email,id_number,{}\nDKP-0001,Awa Diop,person,Plateau,,,\n",
        extra.join(",")
    );
    let imports_before = import_count(&app);

    // Act
    let res = upload(&fo, "taxpayers", "wide.csv", file.into_bytes(), false).await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("200 au plus"), "{page}");
    assert_eq!(count(&app), 0);
    assert_eq!(import_count(&app), imports_before);

    // A header of 1 MiB (the one a review timed: it held the write lock 13 s) is refused
    // on its length, as fast.
    let huge = format!("ref,name,{}\nx,y\n", "a,".repeat(512 * 1024));
    let res = upload(&fo, "taxpayers", "huge.csv", huge.into_bytes(), false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("16 Kio"));
    assert_eq!(import_count(&app), imports_before);
}

#[actix_web::test]
async fn an_upload_carries_its_csrf_token_first_in_the_form_body_never_in_the_address() {
    // Arrange: the upload page, and its token.
    let app = TestApp::spawn().await;
    let fo = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let page = scraper::Html::parse_document(&fo.text("/dakar-plateau/finance/imports").await);
    let form = page
        .select(&scraper::Selector::parse("form[enctype='multipart/form-data']").unwrap())
        .next()
        .expect("the upload form");
    assert_eq!(
        form.value().attr("action"),
        Some("/dakar-plateau/finance/imports")
    );
    let first = form
        .select(&scraper::Selector::parse("input, select").unwrap())
        .next()
        .unwrap();
    assert_eq!(first.value().attr("name"), Some("_csrf"));
    let token = first.value().attr("value").unwrap().to_string();
    let send = |body_token: Option<&str>, query_token: Option<&str>| {
        let mut form = reqwest::multipart::Form::new();
        if let Some(t) = body_token {
            form = form.text("_csrf", t.to_string());
        }
        let form = form.text("kind", "taxpayers").part(
            "file",
            reqwest::multipart::Part::bytes(good_file().into_bytes())
                .file_name("contribuables.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
        let query = query_token
            .map(|t| format!("?_csrf={t}"))
            .unwrap_or_default();
        fo.http
            .post(format!("{}/dakar-plateau/finance/imports{query}", fo.base))
            .multipart(form)
            .send()
    };
    let before = count(&app);

    // Act and assert: the token in the address alone, or nowhere, is refused...
    let in_query = send(None, Some(&token)).await.unwrap();
    assert_eq!(in_query.status(), StatusCode::FORBIDDEN);
    let missing = send(None, None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app), before);

    // ...and the token as the form's first field is accepted, the whole file read.
    let in_body = send(Some(&token), None).await.unwrap();
    assert_eq!(in_body.status(), StatusCode::OK);
    assert!(in_body
        .text()
        .await
        .unwrap()
        .contains("3 lignes lues, 3 créées"));
    assert_eq!(count(&app), before + 3);
}

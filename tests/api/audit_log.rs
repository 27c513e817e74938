//! The audit log: written with each change, in the same transaction, and any edit made
//! behind the application's back is caught by `commune audit verify`.

use commune::audit::{self, Actor};
use commune::communes::{self, districts, DistrictKind};
use commune::db::{self, DbConn};
use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::cli::run_cli;
use crate::helpers::{demo_email, TestApp, DAKAR};

fn dakar_id(conn: &mut DbConn) -> commune::ids::CommuneId {
    communes::by_slug(conn, DAKAR).unwrap().unwrap().id
}

/// What an intruder with database access does first: switch the guard off.
fn disable_append_only_guard(app: &TestApp, conn: &mut DbConn) {
    let sql = if app.db.is_postgres() {
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"
    } else {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    };
    conn.batch_execute(sql).unwrap();
}

/// The audit chain's head as anyone can read it, from the public page and from the API,
/// which must agree.
async fn published_head(app: &TestApp) -> (i64, String) {
    let visitor = app.visitor();
    let api: serde_json::Value = visitor
        .get("/api/v1/dakar-plateau")
        .await
        .json()
        .await
        .unwrap();
    let head = api["audit"]["head"].as_str().unwrap().to_string();
    let page = visitor.text("/dakar-plateau").await;
    assert!(
        page.contains(&format!(
            "<code class=\"hash\" data-figure=\"journal-head\">{head}</code>"
        )),
        "the page shows the head"
    );
    (api["audit"]["entries"].as_i64().unwrap(), head)
}

#[actix_web::test]
async fn each_change_is_logged_and_the_chain_verifies() {
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let before: serde_json::Value = admin
        .get("/api/v1/dakar-plateau/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    let before = before["report"]["entries"].as_i64().unwrap();
    let published_before = published_head(&app).await;
    assert_eq!(published_before.0, before);
    let res = admin
        .post_form(
            "/dakar-plateau/admin/districts",
            &[("name", "Gorée-Nord"), ("kind", "zone")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = admin.text("/dakar-plateau/admin/audit").await;
    assert!(page.contains("Ajout d’un quartier"));
    assert!(page.contains("Gorée-Nord"));
    assert!(page.contains("admin@dakar-plateau.demo"));
    let json: serde_json::Value = admin
        .get("/api/v1/dakar-plateau/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["report"]["entries"].as_i64().unwrap(), before + 1);
    // The public page and API publish the new head: the last entry's hash.
    let published = published_head(&app).await;
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();
    let id = dakar_id(&mut conn);
    let last = audit::page(&mut conn, id, None, 1).unwrap().remove(0);
    assert_eq!(published, (before + 1, last.hash.clone()));
    assert_ne!(published.1, published_before.1);
    let out = run_cli(&app, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("dakar-plateau: OK, {} entries", before + 1)),
        "{stdout}"
    );
    assert!(stdout.contains("abomey-calavi: OK"), "{stdout}");
}

#[actix_web::test]
async fn the_database_itself_refuses_to_edit_or_delete_log_entries() {
    let app = TestApp::spawn().await;
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();
    let update = conn.batch_execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.batch_execute("DELETE FROM audit_log WHERE seq = 1");
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[actix_web::test]
async fn an_entry_edited_behind_the_applications_back_is_caught_and_named() {
    let app = TestApp::spawn().await;
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();
    let id = dakar_id(&mut conn);
    disable_append_only_guard(&app, &mut conn);
    conn.batch_execute(&format!(
        "UPDATE audit_log SET details = '{{\"name\":\"Plateau\",\"kind\":\"zone\"}}' WHERE commune_id = {} AND seq = 3",
        id.0
    ))
    .unwrap();
    let out = run_cli(&app, &["audit", "verify", "--commune", DAKAR]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("dakar-plateau: BROKEN at entry 3"),
        "{stdout}"
    );
    assert!(stdout.contains("was altered"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    // The other commune's chain is untouched.
    let other = run_cli(&app, &["audit", "verify", "--commune", "abomey-calavi"]);
    assert!(
        other.status.success(),
        "{}{}",
        String::from_utf8_lossy(&other.stdout),
        String::from_utf8_lossy(&other.stderr)
    );
    // The administrator sees it too.
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let json: serde_json::Value = admin
        .get("/api/v1/dakar-plateau/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["report"]["first_break"]["seq"], 3);
    assert!(admin
        .text("/dakar-plateau/admin/audit")
        .await
        .contains("La chaîne est rompue à l’opération 3"));
}

#[actix_web::test]
async fn a_forger_who_recomputes_the_entrys_hash_is_caught_at_the_next_link() {
    let app = TestApp::spawn().await;
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();
    let id = dakar_id(&mut conn);
    disable_append_only_guard(&app, &mut conn);
    let entry = audit::page(&mut conn, id, Some(6), 1).unwrap().remove(0);
    assert_eq!(entry.seq, 5);
    let forged = audit::entry_hash(
        &entry.prev_hash,
        &audit::Hashed {
            commune_id: entry.commune_id,
            seq: entry.seq,
            at: entry.at,
            actor_id: entry.actor_id,
            actor: "forger",
            action: &entry.action,
            entity: &entry.entity,
            entity_id: &entry.entity_id,
            details: &entry.details,
        },
    );
    conn.batch_execute(&format!(
        "UPDATE audit_log SET actor = 'forger', hash = '{forged}' WHERE commune_id = {} AND seq = 5",
        id.0
    ))
    .unwrap();
    let first = audit::verify(&mut conn, id).unwrap().first_break.unwrap();
    assert_eq!(first.seq, 6);
    assert!(first.problem.contains("does not link"), "{}", first.problem);
}

#[actix_web::test]
async fn cutting_entries_off_the_end_is_caught() {
    let app = TestApp::spawn().await;
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();
    let id = dakar_id(&mut conn);
    disable_append_only_guard(&app, &mut conn);
    conn.batch_execute(&format!(
        "DELETE FROM audit_log WHERE commune_id = {} AND seq >= 22",
        id.0
    ))
    .unwrap();
    let out = run_cli(&app, &["audit", "verify", "--commune", DAKAR]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at entry 22"), "{stdout}");
    assert!(stdout.contains("removed from the end"), "{stdout}");
}

#[actix_web::test]
async fn a_change_that_fails_leaves_neither_its_rows_nor_its_log_entry() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    let id = dakar_id(&mut conn);
    let before = audit::verify(&mut conn, id).unwrap().entries;
    let result: Result<(), anyhow::Error> = db::write_tx(&mut conn, |conn| {
        districts::create(
            conn,
            id,
            "Tour de l'Œuf",
            DistrictKind::Zone,
            &Actor::system("test"),
        )?;
        // The process fails before the transaction ends.
        anyhow::bail!("power cut")
    });
    assert!(result.is_err());
    let report = audit::verify(&mut conn, id).unwrap();
    assert!(report.ok());
    assert_eq!(report.entries, before);
    assert!(!districts::list(&mut conn, id)
        .unwrap()
        .iter()
        .any(|d| d.name == "Tour de l'Œuf"));
}

#[actix_web::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let pool = app.pool.clone();
    let id = dakar_id(&mut app.conn());
    let before = audit::verify(&mut app.conn(), id).unwrap().entries;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let mut conn = pool.get().unwrap();
                    db::write_tx(&mut conn, |conn| {
                        districts::create(
                            conn,
                            id,
                            &format!("Zone {t}-{i}"),
                            DistrictKind::Zone,
                            &Actor::system("test"),
                        )
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let report = audit::verify(&mut app.conn(), id).unwrap();
    assert!(report.ok(), "{:?}", report.first_break);
    assert_eq!(report.entries, before + 40);
}

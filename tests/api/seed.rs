//! The demo communes: built into the binary, replaced by a folder when one is named, and
//! absent when the application starts without them.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn without_the_demo_the_site_has_no_commune_and_no_demo_account() {
    let app = TestApp::builder().without_demo().spawn().await;
    let home = app.visitor().text("/").await;
    assert!(
        home.contains("Aucune commune n’est encore hébergée"),
        "{home}"
    );
    assert_eq!(
        app.visitor().get("/dakar-plateau").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .visitor()
        .login("admin@dakar-plateau.demo", crate::helpers::DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_seed_folder_named_in_the_settings_replaces_the_built_in_demo() {
    // Arrange: a folder holding one commune of its own.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("demo.toml"),
        "password = \"another-demo\"\n",
    )
    .unwrap();
    let commune = dir.path().join("fatick");
    std::fs::create_dir(&commune).unwrap();
    std::fs::write(
        commune.join("commune.toml"),
        "slug = \"fatick\"\nname = \"Fatick\"\ncountry = \"SN\"\ncode = \"FTK\"\n",
    )
    .unwrap();
    std::fs::write(
        commune.join("districts.csv"),
        "name,kind\nNdiaye-Ndiaye,quartier\n",
    )
    .unwrap();
    std::fs::write(
        commune.join("users.csv"),
        "email,name,role\nadmin@fatick.demo,Fatou Sarr,admin\n",
    )
    .unwrap();

    // Act
    let app = TestApp::builder()
        .seed_dir(dir.path().to_path_buf())
        .spawn()
        .await;

    // Assert: that commune, with that password; not the built-in ones.
    let home = app.visitor().text("/").await;
    assert!(
        home.contains("Fatick") && !home.contains("Dakar-Plateau"),
        "{home}"
    );
    let c = app.visitor();
    let res = c.login("admin@fatick.demo", "another-demo").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// The lived-in demo `serve` shows, at a small size: its history is recorded through
/// the counter's own functions, so it holds what the real thing holds.
#[test]
fn the_lived_demo_records_a_year_and_a_half_of_collection_as_the_counter_would() {
    use commune::db::{self, Create};
    use commune::revenue::demo::Size;
    use commune::seed::{self, Demo, Source};
    use diesel::prelude::*;

    let test_db = crate::helpers::TestDb::new();
    let mut conn = db::open_one(&test_db.url(), Create::Allowed).unwrap();
    db::migrate(&mut conn).unwrap();
    let size = Size {
        taxpayers: 40,
        tickets: (0, 2),
    };
    seed::load(&mut conn, &Source::Embedded, Demo::Lived(size)).unwrap();
    let count = |conn: &mut commune::db::DbConn, sql: &str| -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
    };
    // The generated register went through the import, and last year's rolls were issued.
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM taxpayers WHERE ref LIKE 'DKP-G%'"
        ),
        40
    );
    assert!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM rolls WHERE status = 'issued'"
        ) >= 6
    );
    // Payments, tickets and mobile money, by two collectors, over two receipt years,
    // numbered without a gap.
    assert!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM payments WHERE tax_type_id IS NOT NULL"
        ) > 0
    );
    assert!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM payments WHERE method = 'mobile_money'"
        ) > 0
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(DISTINCT received_by) AS n FROM payments"
        ),
        4,
        "two collectors in each commune"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM (SELECT commune_id, receipt_year FROM payments \
             GROUP BY commune_id, receipt_year HAVING MAX(receipt_seq) <> COUNT(*)) AS gaps"
        ),
        0
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(DISTINCT receipt_year) AS n FROM payments"
        ),
        2
    );
    // Arrears: some generated lines of last year are still owed.
    assert!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM assessments a JOIN taxpayers t ON t.id = a.taxpayer_id \
             WHERE t.ref LIKE '%-G%' AND a.fiscal_year < (SELECT MAX(fiscal_year) FROM rolls) \
             AND a.id NOT IN (SELECT assessment_id FROM payment_allocations)"
        ) > 0
    );
    // The cash went collector → treasurer → bank: in each commune the second collector
    // came up short at least once, a cash-up waits for the treasurer, the first
    // collector's last day is not declared yet, past months' statements reconciled
    // deposits and mobile money, and the last one left two lines unmatched.
    let per_commune = |conn: &mut commune::db::DbConn, sql: &str| {
        count(
            conn,
            &format!("SELECT COUNT(DISTINCT commune_id) AS n FROM {sql}"),
        )
    };
    assert_eq!(
        per_commune(
            &mut conn,
            "cashups WHERE difference < 0 AND note IS NOT NULL"
        ),
        2
    );
    assert_eq!(
        per_commune(&mut conn, "cashups WHERE status = 'declared'"),
        2
    );
    assert_eq!(
        per_commune(
            &mut conn,
            "payments WHERE cashup_id IS NULL AND method = 'cash'"
        ),
        2
    );
    assert_eq!(
        per_commune(&mut conn, "cashups WHERE status = 'reconciled'"),
        2
    );
    assert_eq!(
        per_commune(
            &mut conn,
            "payments WHERE status = 'reconciled' AND method = 'mobile_money'"
        ),
        2
    );
    assert_eq!(
        per_commune(&mut conn, "payments WHERE status = 'deposited'"),
        2
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM bank_lines WHERE outcome = 'unmatched'"
        ),
        4
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM (SELECT commune_id, deposit_year FROM cashups \
             WHERE deposit_seq IS NOT NULL GROUP BY commune_id, deposit_year \
             HAVING MAX(deposit_seq) <> COUNT(*)) AS gaps"
        ),
        0
    );
    // Every receipt is signed, and the audit chain holds every act.
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM payments WHERE verification_code IS NULL"
        ),
        0
    );
    let communes = commune::communes::list(&mut conn).unwrap();
    for c in communes {
        let report = commune::audit::verify(&mut conn, c.id).unwrap();
        assert!(report.ok(), "{}: {report:?}", c.slug);
    }
}

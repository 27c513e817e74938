//! `commune export payments`.

use super::*;

#[actix_web::test]
async fn the_years_receipts_export_with_their_state_code_collector_and_deposit() {
    // Arrange
    let (app, _, treasurer, deposit) = a_deposit_short_of_1000().await;
    upload_statement(&treasurer, statement(&deposit)).await;
    let year = chrono::Utc::now().year().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payments.csv");

    // Act
    let out = run_cli(
        &app,
        &[
            "export",
            "payments",
            "--commune",
            DAKAR,
            "--year",
            &year,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let to_stdout = run_cli(
        &app,
        &["export", "payments", "--commune", DAKAR, "--year", &year],
    );

    // Assert
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 receipts exported"));
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(csv.as_bytes(), to_stdout.stdout.as_slice());
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        commune::revenue::treasury::export::HEADER
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |r: &csv::StringRecord, name: &str| {
        let i = commune::revenue::treasury::export::HEADER
            .iter()
            .position(|h| *h == name)
            .unwrap();
        r[i].to_string()
    };
    let numbers: Vec<String> = rows.iter().map(|r| col(r, "receipt_number")).collect();
    assert_eq!(
        numbers,
        (1..=3)
            .map(|n| format!("DKP-{year}-{n:06}"))
            .collect::<Vec<_>>()
    );
    let (cash, momo, ticket) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!(col(cash, "taxpayer_ref"), "DKP-C1");
    assert_eq!(col(cash, "payer"), "Khady Mbaye");
    assert_eq!(col(cash, "taxes"), "TAXPUB");
    assert_eq!(col(cash, "amount"), "12000");
    assert_eq!(col(cash, "status"), "reconciled");
    assert_eq!(col(cash, "deposit"), deposit);
    assert_eq!(col(cash, "collector"), collector_name(&app));
    assert_eq!(col(momo, "method"), "mobile_money");
    assert_eq!(col(momo, "reference"), MOMO_REF);
    assert_eq!(col(ticket, "taxes"), "DPLACE");
    assert_eq!(col(ticket, "payer"), "Étal 14, marché Kermel — Awa Ndiaye");
    assert_eq!(col(ticket, "channel"), "api");
    // The code as printed on the receipt: three groups of four.
    let code = col(ticket, "verification_code");
    assert_eq!(code.len(), 14, "{code}");
    assert_eq!(code.matches('-').count(), 2, "{code}");
    let issued = {
        let mut conn = app.conn();
        let cid = dakar(&mut conn).id;
        payments::issued(&mut conn, cid, PaymentId(3)).unwrap()
    };
    assert_eq!(code.replace('-', ""), issued.verification_code);
}

fn collector_name(app: &TestApp) -> String {
    let id = user_id(app, &demo_email(DAKAR, "collector"));
    users::by_id(&mut app.conn(), id).unwrap().name
}

//! The bank's statement: reconciled once, what matches nothing listed, all or nothing.

use super::*;

#[actix_web::test]
async fn a_bank_statement_reconciles_the_deposit_and_mobile_money_and_lists_what_matches_nothing() {
    // Arrange
    let (app, _, treasurer, deposit) = a_deposit_short_of_1000().await;

    // Act
    let res = upload_statement(&treasurer, statement(&deposit)).await;

    // Assert: the deposit's cash and the mobile money reconciled, the rest listed.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = page(&treasurer, &location(&res)).await;
    assert_eq!(text(&shown, "[data-figure=lines]"), "5");
    assert_eq!(text(&shown, "[data-figure=reconciled]"), "2");
    assert_eq!(text(&shown, "[data-figure=unmatched]"), "3");
    assert_eq!(
        text(&shown, "tr[data-line=\"4\"] [data-reason]"),
        "Référence inconnue : aucun versement ni aucune quittance ne porte cette référence."
    );
    assert_eq!(
        attr(&shown, "tr[data-line=\"5\"] [data-reason]", "data-reason"),
        "not_a_credit"
    );
    assert!(text(&shown, "tr[data-line=\"6\"] [data-reason]").contains(&fcfa(11_300)));
    let reconciled: Vec<Status> = states(&app).into_iter().map(|s| s.1).collect();
    assert_eq!(reconciled, [Status::Reconciled; 3]);
    let bank = page(&treasurer, &format!("/{DAKAR}/treasury/bank")).await;
    assert_eq!(
        count(&bank, "table.bank-lines tr[data-matched=unmatched]"),
        3
    );
    assert!(text(&bank, "table.bank-lines").contains("VIR-INCONNU-778"));
    let deposits = page(&treasurer, &format!("/{DAKAR}/treasury/deposits")).await;
    assert_eq!(
        attr(
            &deposits,
            &format!("tr[data-deposit=\"{deposit}\"] [data-state]"),
            "data-state"
        ),
        "reconciled"
    );
    let audit = ["deposit.reconcile", "payment.reconcile"];
    assert_eq!(audited(&app, &audit), 2);

    // Act again: the same statement imported a second time.
    let res = upload_statement(&treasurer, statement(&deposit)).await;

    // Assert: nothing reconciled twice.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = page(&treasurer, &location(&res)).await;
    assert_eq!(text(&shown, "[data-figure=reconciled]"), "0");
    assert_eq!(text(&shown, "[data-figure=already]"), "2");
    assert_eq!(audited(&app, &audit), 2);
    assert_eq!(audited(&app, &["import.bank"]), 2);
}

#[actix_web::test]
async fn a_bad_statement_writes_nothing_and_lists_every_bad_line() {
    // Arrange
    let (app, _, treasurer, deposit) = a_deposit_short_of_1000().await;
    let day = today();
    let csv = format!(
        "date,reference,amount,label\n\
         {day},{deposit},11300,VERSEMENT\n\
         31/02/{},{MOMO_REF},13000,WAVE\n\
         {day},VIR-778,\"12,50\",VIREMENT\n",
        day.year()
    );

    // Act
    let res = upload_statement(&treasurer, csv).await;

    // Assert
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(count(&body, "table.report tbody tr"), 2);
    assert_eq!(count(&body, "table.report tr[data-line=\"3\"]"), 1);
    assert_eq!(count(&body, "table.report tr[data-line=\"4\"]"), 1);
    let lines: i64 = schema::bank_lines::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(lines, 0);
    let still: Vec<Status> = states(&app).into_iter().map(|s| s.1).collect();
    assert_eq!(
        still[..3],
        [Status::Deposited, Status::Recorded, Status::Deposited]
    );
    assert_eq!(audited(&app, &["deposit.reconcile", "import.bank"]), 0);
}

//! The collector's cash-up and the treasurer's count.

use super::*;

#[actix_web::test]
async fn a_cashup_with_a_shortfall_is_validated_and_its_cash_receipts_are_deposited() {
    // Arrange
    let (app, collector, treasurer) = a_day_of_collection().await;
    let mine = page(&collector, &format!("/{DAKAR}/collect/cashup")).await;
    assert_eq!(text(&mine, "[data-figure=cash]"), fcfa(12_300));
    assert_eq!(text(&mine, "[data-figure=other]"), fcfa(13_000));
    assert_eq!(text(&mine, "[data-figure=receipts]"), "3");

    // Act 1: the collector declares; a ticket sold afterwards waits for the next one.
    let res = declare(&collector, "12 300").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    ticket(&app, 200, "Étal 3 — Fatou Sarr");
    let id = last_cashup(&app);

    // Assert 1: the later ticket is all the collector has left to declare, and the
    // treasurer sees the cash-up to validate and the day by collector.
    let mine = page(&collector, &format!("/{DAKAR}/collect/cashup")).await;
    assert_eq!(text(&mine, "[data-figure=cash]"), fcfa(200));
    assert_eq!(text(&mine, "[data-figure=receipts]"), "1");
    assert_eq!(count(&mine, &format!("tr[data-cashup=\"{}\"]", id.0)), 1);
    let home = page(&treasurer, &format!("/{DAKAR}/treasury")).await;
    let waiting = crate::revenue::support::cells(&home, &format!("tr[data-cashup=\"{}\"]", id.0));
    assert_eq!(waiting[2..5], ["3".to_string(), fcfa(12_300), fcfa(12_300)]);
    assert_eq!(text(&home, "[data-figure=day-receipts]"), "4");
    assert_eq!(text(&home, "[data-figure=day-cash]"), fcfa(12_500));
    assert_eq!(text(&home, "[data-figure=day-other]"), fcfa(13_000));
    assert_eq!(text(&home, "[data-figure=not-deposited]"), fcfa(12_500));

    // Act 2: the treasurer counts 11 300; a shortfall needs a note.
    let refused = refusal(validate(&treasurer, id, "11 300", " ").await).await;
    assert!(
        refused.contains(&format!("Il manque {}", fcfa(1_000))),
        "{refused}"
    );
    let res = validate(
        &treasurer,
        id,
        "11 300",
        "Un billet de 1 000 FCFA manquait.",
    )
    .await;

    // Assert 2: a numbered deposit, the shortfall recorded and shown, the cash deposited.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!("/{DAKAR}/treasury/cashups/{}", id.0)
    );
    let shown = page(&treasurer, &location(&res)).await;
    let year = chrono::Utc::now().year();
    let number = format!("VER-DKP-{year}-000001");
    assert_eq!(text(&shown, "[data-deposit]"), number);
    assert_eq!(text(&shown, "[data-figure=received]"), fcfa(11_300));
    assert_eq!(text(&shown, "[data-figure=difference]"), fcfa(-1_000));
    assert_eq!(count(&shown, "[data-kind=shortfall]"), 1);
    assert_eq!(
        text(&shown, "[data-note]"),
        "Un billet de 1 000 FCFA manquait."
    );
    assert_eq!(count(&shown, "form[action$=\"/validate\"]"), 0);
    let got: Vec<(Status, bool)> = states(&app)
        .into_iter()
        .map(|(_, s, c)| (s, c == Some(id)))
        .collect();
    assert_eq!(
        got,
        [
            (Status::Deposited, true),
            (Status::Recorded, true), // mobile money: straight to the bank
            (Status::Deposited, true),
            (Status::Recorded, false), // the later ticket
        ]
    );
    use schema::cashups as k;
    let (diff, note): (Option<i64>, Option<String>) = k::table
        .find(id)
        .select((k::difference, k::note))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(diff, Some(-1_000));
    assert!(note.is_some());
    assert_eq!(audited(&app, &["cashup.declare", "cashup.validate"]), 2);
    let deposits = page(&treasurer, &format!("/{DAKAR}/treasury/deposits")).await;
    assert_eq!(
        count(&deposits, &format!("tr[data-deposit=\"{number}\"]")),
        1
    );
    let mine = page(&collector, &format!("/{DAKAR}/collect/cashup")).await;
    assert!(text(&mine, "table.past").contains(&number));
    // Validated once: a second count is refused.
    let again = refusal(validate(&treasurer, id, "12 300", "").await).await;
    assert!(again.contains("déjà validé"), "{again}");
}

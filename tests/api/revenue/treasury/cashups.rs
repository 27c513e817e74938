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
        .get_result(&mut app.conn())
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

#[actix_web::test]
async fn a_receipt_cancelled_after_the_declaration_is_no_longer_expected_in_the_count() {
    // Arrange: the day declared, then the 12 000 cash receipt cancelled under four eyes
    // (the treasurer asks, the administrator approves).
    let (app, collector, treasurer) = a_day_of_collection().await;
    declare(&collector, "12 300").await;
    let id = last_cashup(&app);
    let asker = user_id(&app, &demo_email(DAKAR, "treasurer"));
    let approver = user_id(&app, &demo_email(DAKAR, "admin"));
    {
        use commune::revenue::payments::cancel;
        let mut conn = app.conn();
        let commune = dakar(&mut conn);
        let actor = Actor::system("test");
        db::write_tx(&mut conn, |c| {
            let reason = "Montant saisi deux fois par erreur";
            let asked = cancel::request(c, &commune, PaymentId(1), reason, &actor, asker)?;
            cancel::decide(c, &commune, asked, true, &actor, approver)
        })
        .unwrap();
    }

    // Act: the treasurer counts the 300 of the ticket.
    let res = validate(&treasurer, id, "300", "").await;

    // Assert: no difference; the cancelled receipt stays cancelled and listed.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown = page(&treasurer, &location(&res)).await;
    assert_eq!(text(&shown, "[data-figure=expected]"), fcfa(300));
    assert_eq!(text(&shown, "[data-figure=difference]"), fcfa(0));
    assert_eq!(text(&shown, "[data-figure=receipts]"), "2");
    assert_eq!(
        attr(
            &shown,
            "tr[data-receipt$=\"-000001\"] [data-status]",
            "data-status"
        ),
        "cancelled"
    );
    let got: Vec<Status> = states(&app).into_iter().map(|s| s.1).collect();
    assert_eq!(
        got,
        [Status::Cancelled, Status::Recorded, Status::Deposited]
    );
}

#[actix_web::test]
async fn deposits_validated_at_the_same_time_are_numbered_without_a_gap() {
    // Arrange: eight cash-ups of one market ticket each.
    let (app, collector, treasurer) = a_day_of_collection().await;
    declare(&collector, "12 300").await;
    let mut ids = vec![last_cashup(&app)];
    for n in 0..7 {
        ticket(&app, 100, &format!("Étal {n}"));
        declare(&collector, "100").await;
        ids.push(last_cashup(&app));
    }

    // Act: all validated at once.
    let answers = futures_util::future::join_all(ids.iter().enumerate().map(|(i, id)| {
        let cash = if i == 0 { "12 300" } else { "100" };
        validate(&treasurer, *id, cash, "")
    }))
    .await;

    // Assert
    assert!(answers.iter().all(|r| r.status() == StatusCode::SEE_OTHER));
    use schema::cashups as k;
    let mut seqs: Vec<Option<i64>> = k::table
        .select(k::deposit_seq)
        .load(&mut app.conn())
        .unwrap();
    seqs.sort();
    assert_eq!(seqs, (1..=8).map(Some).collect::<Vec<_>>());
}

//! Separation of duties: every refusal, and who may open the treasurer's pages.

use super::*;

#[actix_web::test]
async fn a_collector_cannot_validate_their_own_cashup_even_as_a_treasurer() {
    // Arrange: the collector also holds the treasurer's role.
    let (app, collector, _) = a_day_of_collection().await;
    grant(&app, &demo_email(DAKAR, "collector"), Role::Treasurer);
    declare(&collector, "12 300").await;
    let id = last_cashup(&app);

    // Act
    let refused = refusal(validate(&collector, id, "12 300", "").await).await;

    // Assert
    assert!(
        refused.contains("votre propre arrêté de caisse"),
        "{refused}"
    );
    assert_eq!(states(&app)[0].1, Status::Recorded);
}

#[actix_web::test]
async fn the_finance_officer_who_issued_the_roll_cannot_validate_its_collection_but_may_validate_other_bills(
) {
    // Arrange: the officer who generated and issued the rolls becomes a treasurer too.
    let (app, collector, _) = a_day_of_collection().await;
    let officer_email = demo_email(DAKAR, "finance_officer");
    grant(&app, &officer_email, Role::Treasurer);
    let officer = app.login(&officer_email).await;
    declare(&collector, "12 300").await;
    let settles_her_roll = last_cashup(&app);

    // Act
    let refused = refusal(validate(&officer, settles_her_roll, "12 300", "").await).await;

    // Assert: refused on the bills of that roll, and told which.
    let year = chrono::Utc::now().year() - 1;
    assert!(
        refused.contains(&format!("DKP/{year}/TAXPUB/000001"))
            && refused.contains("ne valide pas son encaissement"),
        "{refused}"
    );
    // A cash-up of market tickets only: the same person may validate it.
    ticket(&app, 500, "Étal 9 — Moussa Diallo");
    declare(&collector, "500").await;
    let tickets_only = last_cashup(&app);
    let res = validate(&officer, tickets_only, "500", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The refused validation took no number: deposits stay gap-free.
    let shown = page(&officer, &location(&res)).await;
    let this_year = chrono::Utc::now().year();
    assert_eq!(
        text(&shown, "[data-deposit]"),
        format!("VER-DKP-{this_year}-000001")
    );
}

#[actix_web::test]
async fn whoever_asked_for_or_decided_an_adjustment_of_a_settled_bill_cannot_validate_its_collection(
) {
    // Arrange: after the payments, the officer asks to raise this year's bill by 500 and
    // a second officer, who is also a treasurer, approves.
    let (app, collector, _) = a_day_of_collection().await;
    let (second, second_email) = crate::revenue::support::second_officer(&app, DAKAR).await;
    grant(&app, &second_email, Role::Treasurer);
    let officer = user_id(&app, &demo_email(DAKAR, "finance_officer"));
    let decider = user_id(&app, &second_email);
    {
        use commune::revenue::adjustments::{self, AdjustmentKind, Request};
        let mut conn = app.conn();
        let cid = dakar(&mut conn).id;
        let reference = format!("DKP/{}/TAXPUB/000001", chrono::Utc::now().year());
        let line = schema::assessments::table
            .filter(schema::assessments::reference.eq(&reference))
            .select(schema::assessments::id)
            .get_result(&mut conn)
            .unwrap();
        let actor = Actor::system("test");
        db::write_tx(&mut conn, |c| {
            let req = Request {
                line,
                kind: AdjustmentKind::Increase,
                amount: Some(Xof(500)),
                reason: "Surface de l’enseigne remesurée".into(),
            };
            let id = adjustments::request(c, cid, &req, &actor, officer)?;
            adjustments::decide(c, cid, id, true, &actor, decider)
        })
        .unwrap();
    }
    declare(&collector, "12 300").await;

    // Act
    let refused = refusal(validate(&second, last_cashup(&app), "12 300", "").await).await;

    // Assert
    assert!(
        refused.contains("dégrèvement ou une majoration du titre"),
        "{refused}"
    );
    assert_eq!(states(&app)[0].1, Status::Recorded);
}

#[actix_web::test]
async fn citizens_collectors_and_finance_officers_cannot_open_or_use_the_treasurers_pages() {
    // Arrange
    let (app, collector, _) = a_day_of_collection().await;
    declare(&collector, "12 300").await;
    let id = last_cashup(&app).0;
    let cashup = format!("/{DAKAR}/treasury/cashups/{id}");

    // Act and assert
    for role in ["citizen", "collector", "finance_officer", "councillor"] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        for path in [
            format!("/{DAKAR}/treasury"),
            cashup.clone(),
            format!("/{DAKAR}/treasury/deposits"),
            format!("/{DAKAR}/treasury/bank"),
        ] {
            assert_eq!(
                c.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "{role} {path}"
            );
        }
        let res = validate(&c, CashupId(id), "12 300", "").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} validates");
        let res = upload_statement(&c, statement("VER-DKP-2026-000001")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} imports");
    }
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let res = citizen.get(&format!("/{DAKAR}/collect/cashup")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(states(&app)[0].1, Status::Recorded);
}

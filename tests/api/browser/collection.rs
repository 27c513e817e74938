//! The collection dashboard in a real browser, in French: a councillor finds, in their
//! space, collected against assessed by tax, opens the dashboard from it, and reads it
//! on a phone (360 px) and an office screen (1280 px); printed, the navigation and the
//! downloads stay off the paper, the charts and tables stay on it.

use chrono::Datelike;

use super::harness::*;
use crate::helpers::{demo_email, DAKAR, DEMO_PASSWORD};

/// A few days at the counter on the demo: part of the first taxpayers' bills paid, in
/// cash or by mobile money, and market tickets sold.
fn collect_a_little(app: &crate::helpers::TestApp) {
    use commune::money::Xof;
    use commune::revenue::payments::{self, tickets, Channel, Method, NewPayment};
    use commune::revenue::{ledger, taxpayers};
    let mut conn = app.conn();
    let commune = commune::communes::by_slug(&mut conn, DAKAR)
        .unwrap()
        .unwrap();
    let today = commune.today();
    let actor = commune::audit::Actor::system("test");
    let collector = commune::accounts::users::by_email(&mut conn, &demo_email(DAKAR, "collector"))
        .unwrap()
        .unwrap()
        .id;
    let (register, _) =
        taxpayers::page(&mut conn, commune.id, &Default::default(), None, 12).unwrap();
    for (i, t) in register.iter().enumerate() {
        let balance = ledger::of(&mut conn, t.id, today).unwrap().balance.0;
        if balance <= 0 {
            continue;
        }
        let mobile = i % 3 == 1;
        let p = NewPayment {
            taxpayer: t.id,
            amount: Xof((balance * (i as i64 % 4 + 1) / 5).max(1)),
            method: if mobile {
                Method::MobileMoney
            } else {
                Method::Cash
            },
            reference: mobile.then(|| format!("MP{:08}", i)),
            token: uuid::Uuid::new_v4().to_string(),
            paid_on: None,
            channel: Channel::Counter,
        };
        commune::db::write_tx(&mut conn, |c| {
            payments::record(c, &commune, &p, today, &actor, collector)
        })
        .unwrap();
    }
    for (stall, days) in [("Étal 4", 3), ("Étal 9", 5), ("Étal 12", 1)] {
        let ticket = tickets::NewTicket {
            tax: "DPLACE".into(),
            category: Some("etal".into()),
            taxpayer: None,
            payer: Some(stall.into()),
            amount: Xof(100 * days),
            method: Method::Cash,
            reference: None,
            token: uuid::Uuid::new_v4().to_string(),
            paid_on: None,
            channel: Channel::Counter,
        };
        commune::db::write_tx(&mut conn, |c| {
            tickets::sell(c, &commune, &ticket, today, &actor, collector)
        })
        .unwrap();
    }
}

#[actix_web::test]
async fn a_councillor_opens_the_collection_dashboard_from_their_space() {
    let Some((app, b)) = app_and_browser().await else {
        return;
    };
    collect_a_little(&app);
    let year = chrono::Utc::now().date_naive().year();

    // One role: the councillor lands on their space, with this year's figures by tax.
    b.log_in(&demo_email(DAKAR, "councillor"), DEMO_PASSWORD)
        .await;
    b.wait_for_path(&format!("/{DAKAR}/council")).await;
    assert_eq!(
        b.text("main #collection-h").await,
        format!("Émis et encaissé en {year}, par impôt")
    );
    let summary = b.text("main table[data-table=summary]").await;
    assert!(
        summary.contains("Contribution foncière des propriétés bâties")
            && summary.contains("Droits de place sur les marchés"),
        "{summary}"
    );
    b.shoot_both("council-space").await;

    // The dashboard, from the summary's link.
    b.click_link("main", "Voir le tableau de bord du recouvrement")
        .await;
    b.wait_for_path(&format!("/{DAKAR}/finance/collection"))
        .await;
    assert_eq!(
        b.text("main h1").await,
        format!("Recouvrement des recettes {year}")
    );
    let rate = b.text("main [data-figure=rate]").await;
    assert!(rate.ends_with('%') && rate != "0 %", "{rate}");
    assert_eq!(b.all("main figure.chart svg").await.len(), 8);
    assert_eq!(b.all("main a[download]").await.len(), 8);
    // The councillor reads the debtors' names but opens no account.
    assert!(!b
        .all("main table[data-table=debtors] tbody tr")
        .await
        .is_empty());
    assert!(b.all("main table[data-table=debtors] a").await.is_empty());
    b.shoot_both("collection").await;

    // The year's links lead to last year's figures.
    b.click_link("main nav.subnav", &(year - 1).to_string())
        .await;
    b.wait_until("last year's dashboard", |b| async move {
        b.text("main h1").await.ends_with(&(year - 1).to_string())
    })
    .await;

    // Printed: the figures, charts and tables; not the navigation or the downloads.
    b.goto(&format!("/{DAKAR}/finance/collection")).await;
    b.emulate_media("print").await;
    for hidden in ["header.top nav", "main nav.subnav", "main a[download]"] {
        assert!(
            !b.find(hidden).await.is_displayed().await.unwrap(),
            "{hidden} is printed"
        );
    }
    for shown in [
        "main h1",
        "main dl.figures",
        "main figure.chart svg",
        "main table",
    ] {
        assert!(
            b.find(shown).await.is_displayed().await.unwrap(),
            "{shown} is not printed"
        );
    }
    b.emulate_media("").await;
}

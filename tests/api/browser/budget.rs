//! The budget in a real browser, in French: the finance officer drafts next year's
//! budget with the citizens' projects and fixes the section the page says does not
//! balance; a councillor records the council's vote and the tutelle's approval and
//! publishes; a visitor finds the budget on the portal and downloads the CSV whose
//! SHA-256 the page shows.

use sha2::{Digest, Sha256};

use super::harness::*;
use crate::helpers::{demo_email, DAKAR, DEMO_PASSWORD};

const OPERATING: &[(&str, &str)] = &[
    ("a-7011", "100000000"),
    ("a-7411", "20000000"),
    ("a-6011", "40000000"),
    ("a-6111", "30000000"),
    ("a-6911", "50000000"),
    ("a-1011", "50000000"),
];

/// The two figures of the capital section's error: revenue, then spending.
fn figures(error: &str) -> (i64, i64) {
    let number = |text: &str| -> i64 {
        text.chars()
            .take_while(|c| c.is_ascii_digit() || c.is_whitespace() || *c == '\u{202F}')
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let at = error.find("équilibrée : ").expect("the figures") + "équilibrée : ".len();
    let revenue = number(&error[at..]);
    let at = error.find(" pour ").unwrap() + " pour ".len();
    (revenue, number(&error[at..]))
}

#[actix_web::test]
async fn a_councillor_publishes_the_budget_with_the_citizens_projects_and_a_visitor_checks_it() {
    let Some((app, b)) = app_and_browser().await else {
        return;
    };
    let year = (chrono::Datelike::year(&chrono::Utc::now().date_naive()) + 1).to_string();

    // The finance officer opens the desk from the finance space and drafts the budget.
    b.log_in(&demo_email(DAKAR, "finance_officer"), DEMO_PASSWORD)
        .await;
    b.goto(&format!("/{DAKAR}/finance")).await;
    b.click_link("main nav.subnav", "Bureau du budget").await;
    b.wait_for_path(&format!("/{DAKAR}/budgets")).await;
    assert_eq!(b.text("main h1").await, "Bureau du budget");
    b.fill("main input[name=title]", &format!("Budget primitif {year}"))
        .await;
    b.click("main form[action$='/budgets'] button[type=submit]")
        .await;
    b.wait_until("the new draft", |b| async move {
        !b.all("main ol.phases li.current").await.is_empty()
    })
    .await;
    let doc = b.path().await;
    assert_eq!(b.text("main ol.phases li.current").await, "Projet");

    // 1. The citizens' projects come in on the capital lines.
    b.click("main form[action$='/winners'] button[type=submit]")
        .await;
    b.wait_until("the projects in the draft", |b| async move {
        !b.all("main .tag.win").await.is_empty()
    })
    .await;
    assert!(b.all("main .tag.win").await.len() >= 2);

    // 2. The operating lines; the capital section does not balance, and says by how much.
    for (field, amount) in OPERATING {
        b.fill(&format!("main input[name={field}]"), amount).await;
    }
    b.click("main form.lines-form button[type=submit]").await;
    b.wait_until("the balance errors", |b| async move {
        !b.all("main .balance-errors").await.is_empty()
    })
    .await;
    let error = b.text("main .balance-errors").await;
    assert!(
        error.contains("La section d’investissement n’est pas équilibrée"),
        "{error}"
    );
    b.shoot_both("budget-draft-unbalanced").await;
    let (revenue, spending) = figures(&error);
    assert!(revenue > spending, "{error}");
    // The officer puts what is left of the transfer on a school building.
    b.fill("main input[name=a-2111]", &(revenue - spending).to_string())
        .await;
    b.click("main form.lines-form button[type=submit]").await;
    b.wait_until("the saved amounts", |b| async move {
        !b.all("p.flash").await.is_empty()
    })
    .await;
    assert!(b.all("main .balance-errors").await.is_empty());
    b.click("main form[action$='/propose'] button[type=submit]")
        .await;
    b.wait_until("the draft proposed", |b| async move {
        match b.all("main ol.phases li.current").await.first() {
            Some(e) => e.text().await.is_ok_and(|t| t == "Proposé au conseil"),
            None => false,
        }
    })
    .await;
    b.log_out().await;

    // 3. The councillor records the council's vote, then the tutelle's approval.
    b.log_in(&demo_email(DAKAR, "councillor"), DEMO_PASSWORD)
        .await;
    b.goto(&doc).await;
    b.fill("main input[name=deliberation]", &format!("{year}-003"))
        .await;
    b.fill("main input[name=votes_for]", "31").await;
    b.fill("main input[name=against]", "5").await;
    b.fill("main input[name=abstentions]", "2").await;
    b.shoot_both("budget-vote").await;
    b.click("main form[action$='/vote'] button[type=submit]")
        .await;
    b.wait_until("the approval form", |b| async move {
        !b.all("main form[action$='/approve']").await.is_empty()
    })
    .await;
    b.fill(
        "main input[name=reference]",
        "Arrêté préfectoral n° 2026-118",
    )
    .await;
    b.click("main form[action$='/approve'] button[type=submit]")
        .await;
    b.wait_until("the publication form", |b| async move {
        !b.all("main form[action$='/publish']").await.is_empty()
    })
    .await;

    // 4. Publication.
    b.click("main form[action$='/publish'] button[type=submit]")
        .await;
    b.wait_until("the published document", |b| async move {
        !b.all("main [data-sha256]").await.is_empty()
    })
    .await;
    let published = b.text("main [data-sha256]").await;
    b.shoot_both("budget-published").await;
    b.log_out().await;

    // 5. A visitor finds it on the portal; the CSV's SHA-256 is the one shown.
    b.goto(&format!("/{DAKAR}")).await;
    b.click_link("main", "Budget de la commune").await;
    b.wait_for_path(&format!("/{DAKAR}/budget")).await;
    assert!(b.text("main h1").await.contains(&year));
    let shown = b.text("main [data-sha256]").await;
    assert_eq!(shown, published);
    let href = b
        .find("main a[data-csv]")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a link to the CSV");
    let csv = app.visitor().get(&href).await.bytes().await.unwrap();
    assert_eq!(hex::encode(Sha256::digest(&csv)), shown);
    b.shoot_both("budget-portal").await;
}

/// The year's execution: the officer commits and orders on a line, the treasurer pays,
/// and the line's figures follow.
#[actix_web::test]
async fn the_officer_commits_and_orders_and_the_treasurer_pays_on_the_years_execution_page() {
    let Some((_app, b)) = app_and_browser().await else {
        return;
    };
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive()).to_string();
    b.log_in(&demo_email(DAKAR, "finance_officer"), DEMO_PASSWORD)
        .await;
    b.goto(&format!("/{DAKAR}/budgets")).await;
    b.click_link("main", &format!("Exécution de l’exercice {year}"))
        .await;
    b.wait_for_path(&format!("/{DAKAR}/spending/{year}")).await;
    let page = b.path().await;
    let committed = b
        .text("main table.execution tr[data-article='6131'] [data-figure=committed]")
        .await;

    let commit = "main form[action$='/commitments']";
    b.click(&format!(
        "{commit} select[name=article] option[value='6131']"
    ))
    .await;
    b.fill(&format!("{commit} input[name=reference]"), "ENG-NAV-01")
        .await;
    b.fill(&format!("{commit} input[name=amount]"), "5000000")
        .await;
    b.fill(
        &format!("{commit} input[name=label]"),
        "Entreprise Diallo et fils",
    )
    .await;
    b.click(&format!("{commit} button[type=submit]")).await;
    b.wait_until("the commitment recorded", |b| async move {
        !b.all("p.flash").await.is_empty()
    })
    .await;
    let now = b
        .text("main table.execution tr[data-article='6131'] [data-figure=committed]")
        .await;
    assert_ne!(now, committed, "the line's commitments grew");

    let order = "main form[action$='/orders']";
    b.fill(&format!("{order} input[name=reference]"), "MDT-NAV-01")
        .await;
    b.fill(&format!("{order} input[name=commitment]"), "ENG-NAV-01")
        .await;
    b.fill(&format!("{order} input[name=amount]"), "2000000")
        .await;
    b.click(&format!("{order} button[type=submit]")).await;
    b.wait_until("the mandat listed", |b| async move {
        !b.all("main tr[data-order='MDT-NAV-01']").await.is_empty()
    })
    .await;
    b.shoot_both("spending-officer").await;
    b.log_out().await;

    b.log_in(&demo_email(DAKAR, "treasurer"), DEMO_PASSWORD)
        .await;
    b.goto(&page).await;
    b.click("main tr[data-order='MDT-NAV-01'] button[type=submit]")
        .await;
    b.wait_until("the mandat paid", |b| async move {
        match b.all("main tr[data-order='MDT-NAV-01'] button").await.len() {
            0 => !b.all("main tr[data-order='MDT-NAV-01']").await.is_empty(),
            _ => false,
        }
    })
    .await;
    b.shoot_both("spending-treasurer").await;
}

//! The treasury in a real browser, in French, at 360 and 1280 px: the collector declares
//! the day's cash-up on their phone, the treasurer counts it short and validates it with
//! a note, then imports the bank's statement and sees the one line that matches nothing,
//! and credits a mobile-money payment Wave reported at another amount.

use commune::revenue::payments::Method;

use super::harness::*;
use crate::helpers::{demo_email, DAKAR, DEMO_PASSWORD};
use crate::revenue::mobile::owing;
use crate::revenue::treasury::{collect, disputed_wave_payment, ticket, MOMO_REF};

/// The francs of an amount as a French page writes it (`25 300 FCFA`).
fn francs(shown: &str) -> i64 {
    let digits: String = shown
        .split("FCFA")
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("an amount: {shown:?}"))
}

#[actix_web::test]
async fn the_collector_declares_the_cashup_and_the_treasurer_validates_it_short_and_reconciles_the_bank(
) {
    let Some((app, b)) = app_and_browser().await else {
        return;
    };
    collect(&app, "DKP-T0001", 20_000, Method::Cash, "");
    collect(&app, "DKP-T0003", 5_000, Method::MobileMoney, MOMO_REF);
    ticket(&app, 300, "Étal 14, marché Kermel — Awa Ndiaye");
    let (payer, _) = owing(&app, DAKAR);
    let intent = disputed_wave_payment(&app, &payer, 4_000, "T_WAVE_4000");

    // 1. The collector counts the cash and declares it.
    b.log_in(&demo_email(DAKAR, "collector"), DEMO_PASSWORD)
        .await;
    b.goto(&format!("/{DAKAR}/collect/cashup")).await;
    assert_eq!(b.lang().await, "fr");
    assert_eq!(b.text("main h1").await, "Mon arrêté de caisse");
    let cash = francs(&b.text("main [data-figure=cash]").await);
    assert!(cash >= 20_300, "{cash}");
    b.shoot_both("cashup-to-declare").await;
    b.fill("main input[name=cash]", &cash.to_string()).await;
    b.click("main form[action$='/collect/cashup'] button[type=submit]")
        .await;
    b.wait_until("the cash-up declared", |b| async move {
        !b.all("main [data-nothing]").await.is_empty()
    })
    .await;
    b.shoot_both("cashup-declared").await;
    b.log_out().await;

    // 2. The treasurer finds it on their home, counts 1 000 less, and must say why.
    b.log_in(&demo_email(DAKAR, "treasurer"), DEMO_PASSWORD)
        .await;
    b.goto(&format!("/{DAKAR}/treasury")).await;
    b.shoot_both("treasury-home").await;
    b.click_link("main table.waiting", "Compter et valider")
        .await;
    b.wait_until("the cash-up", |b| async move {
        b.path().await.contains("/treasury/cashups/")
    })
    .await;
    let counted = (cash - 1_000).to_string();
    b.fill("main input[name=received]", &counted).await;
    b.click("main form[action$='/validate'] button[type=submit]")
        .await;
    b.wait_until("the refusal", |b| async move {
        !b.all("main [role=alert]").await.is_empty()
    })
    .await;
    let alert = b.text("main [role=alert]").await.replace('\u{202F}', " ");
    assert!(alert.starts_with("Il manque 1 000"), "{alert}");
    b.shoot_both("cashup-count-needs-a-note").await;
    b.fill(
        "main textarea[name=note]",
        "Un billet de 1 000 FCFA manquait au comptage.",
    )
    .await;
    b.click("main form[action$='/validate'] button[type=submit]")
        .await;
    b.wait_until("the deposit", |b| async move {
        !b.all("main [data-deposit]").await.is_empty()
    })
    .await;
    let deposit = b.text("main [data-deposit]").await;
    assert!(deposit.starts_with("VER-DKP-"), "{deposit}");
    assert_eq!(
        b.text("main [data-figure=difference]")
            .await
            .replace('\u{202F}', " "),
        "-1 000 FCFA"
    );
    assert!(b
        .text("main [data-kind=shortfall]")
        .await
        .starts_with("Manquant"));
    b.shoot_both("cashup-validated-short").await;

    // 3. The bank's statement: the deposit, the mobile money, and a transfer nobody knows.
    b.click_link("main nav.subnav", "Banque").await;
    b.wait_for_path(&format!("/{DAKAR}/treasury/bank")).await;
    let day = chrono::Utc::now().date_naive();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("releve-novembre.csv");
    std::fs::write(
        &file,
        format!(
            "date;reference;amount;label\n\
             {day};{deposit};{counted};VERSEMENT ESPECES REGIE\n\
             {day};{MOMO_REF};5000;WAVE SENEGAL REGLEMENT\n\
             {day};VIR-INCONNU-778;7500;VIREMENT RECU SANS REFERENCE\n"
        ),
    )
    .unwrap();
    b.find("main input[type=file]")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    b.click("main form[action$='/treasury/bank'] button[type=submit]")
        .await;
    b.wait_until("the statement's lines", |b| async move {
        !b.all("main [data-figure=unmatched]").await.is_empty()
    })
    .await;
    assert_eq!(b.text("main [data-figure=reconciled]").await, "2");
    assert_eq!(b.text("main [data-figure=unmatched]").await, "1");
    let unmatched = b.text("main tr[data-matched=unmatched]").await;
    assert!(
        unmatched.contains("VIR-INCONNU-778") && unmatched.contains("Référence inconnue"),
        "{unmatched}"
    );
    b.shoot_both("bank-statement").await;
    b.goto(&format!("/{DAKAR}/treasury/bank")).await;
    assert_eq!(b.all("main tr[data-matched=unmatched]").await.len(), 1);
    b.shoot_both("bank").await;
    b.goto(&format!("/{DAKAR}/treasury/deposits")).await;
    b.shoot_both("deposits").await;
    // The mobile-money report: Wave took 4 000 on a request of 5 000; the treasurer
    // finds the transaction in Wave's portal and credits it.
    b.goto(&format!("/{DAKAR}/treasury/mobile-money")).await;
    assert_eq!(b.text("main h1").await, "Paiements mobiles à vérifier");
    let row = format!("main tr[data-intent='{intent}']");
    assert!(b.text(&row).await.contains("T_WAVE_4000"));
    b.shoot_both("mobile-money-disputed").await;
    // The same report in English, then back to French.
    b.click_link("header.top", "English").await;
    b.wait_for_lang("en").await;
    assert_eq!(b.text("main h1").await, "Mobile-money payments to check");
    assert!(b
        .text(&format!("{row} form[data-action=credit]"))
        .await
        .contains("Note (optional)"));
    b.shoot_both("mobile-money-disputed-en").await;
    b.click_link("header.top", "Français").await;
    b.wait_for_lang("fr").await;
    b.click(&format!(
        "{row} form[data-action=credit] button[type=submit]"
    ))
    .await;
    b.wait_until("the dispute resolved", |b| async move {
        !b.all("main tr[data-resolved]").await.is_empty()
    })
    .await;
    assert!(b
        .text("main #disputed + p")
        .await
        .contains("Aucun paiement en litige"));
    let receipt = b.text("main tr[data-resolved] [data-receipt]").await;
    assert!(receipt.starts_with("DKP-"), "{receipt}");
    b.shoot_both("mobile-money").await;
}

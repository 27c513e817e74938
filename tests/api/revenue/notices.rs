//! The notice of a taxpayer who pays by the month (a market stall's rent): a year's
//! twelve lines and their penalties print as one row each, saying which months are
//! paid, overdue and to come; and a Beninese commune's notice, with its country's
//! header and MTN MoMo.

use chrono::Datelike;
use reqwest::StatusCode;

use super::payments::{collector, pay};
use crate::helpers::{TestApp, DAKAR};
use crate::revenue::support::{
    cells, charge_penalties, count, fcfa, generated_and_issued, new_item, new_taxpayer, notice,
    officer, text,
};

const ABOMEY: &str = "abomey-calavi";

/// The cells of the notice's rows (not the months' details under a row).
fn rows(page: &scraper::Html) -> Vec<Vec<String>> {
    let sel = scraper::Selector::parse("table.lines tbody tr[data-line]").unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    page.select(&sel)
        .map(|r| {
            r.select(&td)
                .map(|c| {
                    c.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        })
        .collect()
}

#[actix_web::test]
async fn a_stall_holders_notice_gathers_the_years_rent_in_one_row_with_the_overdue_months_marked() {
    // Arrange: a category A stall (LOCCANT: 15 000 a month, due on the 10th; penalty
    // 10 %, at least 500, after 15 days): last year's rent, January to March paid today
    // (too late to spare them a penalty), and the penalties of 31 December charged;
    // next year's rent, all to come.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let year = chrono::Utc::now().year();
    let (last, next) = (year - 1, year + 1);
    let t = new_taxpayer(&c, DAKAR, &[("ref", "DKP-M1"), ("name", "Ousmane Seck")]).await;
    new_item(
        &c,
        DAKAR,
        t,
        &[("ref", "CANT-M1"), ("kind", "stall"), ("category", "A")],
    )
    .await;
    generated_and_issued(&c, DAKAR, "LOCCANT", last).await;
    generated_and_issued(&c, DAKAR, "LOCCANT", next).await;
    let res = pay(
        &collector(&app).await,
        "DKP-M1",
        &[("amount", "45 000"), ("method", "cash")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "three months paid");
    let res = charge_penalties(&c, DAKAR, &format!("{last}-12-31")).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Act
    let fr = notice(&c, DAKAR, t, last).await;
    c.get("/lang/en").await;
    let en = notice(&c, DAKAR, t, next).await;

    // Assert: two rows, not twenty-four: the rent, then its penalties, each with its
    // months' details under it.
    let printed = rows(&fr);
    assert_eq!(printed.len(), 2, "{printed:?}");
    let (rent, penalties) = (&printed[0], &printed[1]);
    assert!(
        rent[0].starts_with("Location des cantines du marché")
            && rent[0].ends_with("12 mensualités"),
        "{}",
        rent[0]
    );
    assert_eq!(
        rent[1..],
        [
            "CANT-M1".to_string(),
            format!("{} × 12", fcfa(15_000)),
            fcfa(180_000),
            fcfa(135_000),
            format!("En retard depuis le 10/04/{last}"),
        ]
    );
    let line = format!("DKP/{last}/LOCCANT/000001");
    let months = |of: &str| text(&fr, &format!("tr[data-months-of=\"{of}\"]"));
    assert_eq!(
        months(&line),
        format!(
            "Tarif de la catégorie A — {} par mois × 12 (lignes {line} à 000012) \
             En retard : avril à décembre, échus depuis le 10/04/{last} Payé : janvier à mars",
            fcfa(15_000)
        )
    );
    let marked = format!("tr[data-months-of=\"{line}\"] strong.bad");
    assert!(text(&fr, &marked).starts_with("En retard : avril à décembre"));
    // Every month was unpaid at its deadline: twelve penalties of 10 % of 15 000.
    assert!(penalties[0].ends_with("12 mensualités"), "{}", penalties[0]);
    assert_eq!(
        (&penalties[2], &penalties[3]),
        (&format!("{} × 12", fcfa(1_500)), &fcfa(18_000))
    );
    let detail = months(&format!("{line}-P"));
    assert!(
        detail.starts_with("Pénalité de retard sur chaque mensualité : 10 %")
            && detail.ends_with(&format!(
                "— {} par mois × 12 (lignes {line}-P à 000012-P) \
                 En retard : janvier à décembre, échus depuis le 31/12/{last}",
                fcfa(1_500)
            )),
        "{detail}"
    );
    // The total agrees with the rows, and nothing is asked to be paid by a past date.
    assert_eq!(text(&fr, "[data-figure=total_due]"), fcfa(153_000));
    assert!(!fr.html().contains("au plus tard"), "a past date to pay by");
    // Next year's notice: the twelve months to come, the first due on 10 January.
    let ahead = rows(&en);
    assert_eq!(ahead.len(), 1);
    assert_eq!(ahead[0][3], "XOF 180,000");
    assert_eq!(ahead[0][5], format!("Next due on 10 Jan {next}"));
    assert!(text(&en, "tr[data-months-of]").ends_with(&format!(
        "To be paid: January to December, each by its due date, the first on 10 Jan {next}"
    )));
    assert_eq!(
        text(&en, "[data-upcoming]"),
        format!("XOF 180,000 to be paid, each line by its due date, from 10 Jan {next} to 10 Dec {next}.")
    );
}

#[actix_web::test]
async fn the_abomey_calavi_notice_has_benins_header_and_says_how_to_pay_by_mtn_momo() {
    // Arrange: the demo's Bernadette Agbo, who rents a shop at Akassato market by the
    // month (LOCBOUT: 12 000 a month, issued for 2026).
    let app = TestApp::spawn().await;
    let c = officer(&app, ABOMEY).await;
    let t = {
        let mut conn = app.conn();
        let cid = commune::communes::by_slug(&mut conn, ABOMEY)
            .unwrap()
            .unwrap()
            .id;
        commune::revenue::taxpayers::by_ref(&mut conn, cid, "ACV-T0003")
            .unwrap()
            .unwrap()
            .id
            .0
    };

    // Act
    let fr = notice(&c, ABOMEY, t, 2026).await;
    c.get("/lang/en").await;
    let en = notice(&c, ABOMEY, t, 2026).await;

    // Assert: the Republic, its motto and the commune head the notice.
    let state = text(&fr, "[data-state]");
    assert!(
        state.starts_with(
            "République du Bénin Fraternité, Justice, Travail Commune d’Abomey-Calavi"
        ),
        "{state}"
    );
    assert!(text(&en, "[data-state]").starts_with("Republic of Benin"));
    assert_eq!(text(&fr, "[data-notice-number]"), "ACV/2026/AV/ACV-T0003");
    // The shop's rent is one row of twelve months.
    assert_eq!(count(&fr, "table.lines tbody tr[data-line]"), 1);
    assert_eq!(
        cells(&fr, "tr[data-months=\"12\"]")[2],
        format!("{} × 12", fcfa(12_000))
    );
    assert!(text(&fr, "tr[data-months-of]").starts_with(&format!(
        "Tarif forfaitaire — {} par mois × 12",
        fcfa(12_000)
    )));
    // How to pay: MTN MoMo's merchant number, the commune's name, and the reference.
    assert_eq!(text(&fr, "[data-reference]"), "ACV-T0003");
    assert_eq!(
        text(&fr, "li[data-channel=mtn_momo]"),
        "Par MTN MoMo : envoyez le montant au numéro marchand +229 01 00 00 00 00, au nom de \
         « Mairie d’Abomey-Calavi (démo) », en indiquant la référence ACV-T0003."
    );
    assert_eq!(count(&fr, "li[data-channel=wave]"), 0);
    assert!(text(&fr, "section.notice-pay").contains("recette-perception"));
    let mtn = text(&en, "li[data-channel=mtn_momo]");
    assert!(
        mtn.contains("MTN MoMo")
            && mtn.contains("+229 01 00 00 00 00")
            && mtn.contains("ACV-T0003"),
        "{mtn}"
    );
}

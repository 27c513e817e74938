//! The collection dashboard over HTTP: with a few counter payments, a market ticket, a
//! cancelled receipt and an approved reduction, every figure is exact (rates by tax,
//! district, month and collector, arrears by age, the largest debtor, cash not
//! deposited, the share of mobile money); every CSV holds its table's rows; who may look
//! and who may not; English; the councillor's summary in their space.

use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use scraper::{Html, Selector};

use commune::accounts::{password, users, Role};
use commune::audit::Actor;
use commune::communes::{self, Commune};
use commune::db::{self, DbConn};
use commune::ids::{PaymentId, TaxpayerId, UserId};
use commune::money::Xof;
use commune::revenue::adjustments::{self, AdjustmentKind};
use commune::revenue::ledger;
use commune::revenue::payments::{self, cancel, tickets, Channel, Method, NewPayment};

use crate::helpers::{demo_email, TestApp, DAKAR, DEMO_PASSWORD};
use crate::revenue::support::{
    cells, charge_penalties, count, district, fcfa, generated_and_issued, new_item, new_taxpayer,
    officer, page, text,
};

const SECOND_COLLECTOR: &str = "second-collecteur@dakar-plateau.demo";

/// What the scenario built.
struct Scene {
    year: i32,
    today: NaiveDate,
    debtor: i64,
}

fn user(conn: &mut DbConn, email: &str) -> UserId {
    users::by_email(conn, email).unwrap().unwrap().id
}

fn pay(
    conn: &mut DbConn,
    commune: &Commune,
    who: TaxpayerId,
    amount: i64,
    method: Method,
    by: UserId,
) -> PaymentId {
    let p = NewPayment {
        taxpayer: who,
        amount: Xof(amount),
        method,
        reference: (method == Method::MobileMoney).then(|| format!("MM-{amount}")),
        token: uuid::Uuid::new_v4().to_string(),
        paid_on: None,
        channel: Channel::Counter,
    };
    let actor = Actor::system("test");
    db::write_tx(conn, |c| {
        payments::record(c, commune, &p, commune.today(), &actor, by)
    })
    .unwrap()
    .id
}

/// Two sign owners, each assessed TAXPUB (5 000 a m²) last year and this year, last
/// year's lines charged a flat 5 000 penalty on 31 December:
/// - Khady Mbaye (Plateau, 2 m²): 10 000 + 5 000 last year, 10 000 this year;
/// - Modou Ndour (Rebeuss, 4 m²): 20 000 + 5 000 last year, 20 000 this year, reduced
///   by 4 000 (approved) to 16 000; a reduction of 1 000 of last year's penalty waits
///   for a decision (it counts for nothing).
///
/// Then, today: the collector receives 25 000 cash from Khady (her last year and this
/// year, paid up), 10 000 by mobile money and 7 000 cash from Modou (the 7 000 receipt
/// is then cancelled by the treasurer, approved by the admin), and sells a 300 ticket
/// (three days of a stall) to a trader without a register entry; a second collector
/// receives 2 000 cash from Modou. Modou's last year: 20 000 - 12 000 = 8 000 left.
async fn scene(app: &TestApp) -> Scene {
    let c = officer(app, DAKAR).await;
    let (conn_commune, today) = {
        let mut conn = app.conn();
        let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
        let today = commune.today();
        (commune, today)
    };
    let year = today.year();
    let mut ids = Vec::new();
    for (reference, name, place, area) in [
        ("DKP-C1", "Khady Mbaye", "Plateau", "2"),
        ("DKP-C2", "Modou Ndour", "Rebeuss", "4"),
    ] {
        let d = district(app, DAKAR, place);
        let t = new_taxpayer(
            &c,
            DAKAR,
            &[("ref", reference), ("name", name), ("district", &d)],
        )
        .await;
        let item = format!("SIGN-{reference}");
        new_item(
            &c,
            DAKAR,
            t,
            &[("ref", &item), ("kind", "other"), ("area_m2", area)],
        )
        .await;
        ids.push(TaxpayerId(t));
    }
    generated_and_issued(&c, DAKAR, "TAXPUB", year - 1).await;
    generated_and_issued(&c, DAKAR, "TAXPUB", year).await;
    let res = charge_penalties(&c, DAKAR, &format!("{}-12-31", year - 1)).await;
    assert_eq!(res.status(), StatusCode::OK);

    let (khady, modou) = (ids[0], ids[1]);
    let commune = conn_commune;
    let mut conn = app.conn();
    let actor = Actor::system("test");
    let officer_id = user(&mut conn, &demo_email(DAKAR, "finance_officer"));
    let admin = user(&mut conn, &demo_email(DAKAR, "admin"));
    let treasurer = user(&mut conn, &demo_email(DAKAR, "treasurer"));
    let collector = user(&mut conn, &demo_email(DAKAR, "collector"));
    let hash = password::hash(DEMO_PASSWORD).unwrap();
    let second = db::write_tx(&mut conn, |conn| {
        let id = users::create(
            conn,
            commune.id,
            SECOND_COLLECTOR,
            "Ousmane Faye",
            &hash,
            &actor,
        )
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
        users::grant(conn, id, commune.id, Role::Collector, &actor)?;
        Ok::<_, diesel::result::Error>(id)
    })
    .unwrap();

    // Modou's lines: this year's principal is reduced; last year's penalty waits.
    let lines = ledger::of(&mut conn, modou, today).unwrap().lines;
    let line = |fy: i32, kind: &str| {
        lines
            .iter()
            .find(|l| l.row.fiscal_year == i64::from(fy) && l.row.kind == kind)
            .unwrap()
            .row
            .id
    };
    let ask = |conn: &mut DbConn, line, amount| {
        let req = adjustments::Request {
            line,
            kind: AdjustmentKind::Reduction,
            amount: Some(Xof(amount)),
            reason: "surface mesurée à nouveau (test)".into(),
        };
        db::write_tx(conn, |c| {
            adjustments::request(c, commune.id, &req, &actor, officer_id)
        })
        .unwrap()
    };
    let reduced = ask(&mut conn, line(year, "principal"), 4_000);
    db::write_tx(&mut conn, |c| {
        adjustments::decide(c, commune.id, reduced, true, &actor, admin)
    })
    .unwrap();
    ask(&mut conn, line(year - 1, "penalty"), 1_000);

    pay(&mut conn, &commune, khady, 25_000, Method::Cash, collector);
    pay(
        &mut conn,
        &commune,
        modou,
        10_000,
        Method::MobileMoney,
        collector,
    );
    let cancelled = pay(&mut conn, &commune, modou, 7_000, Method::Cash, collector);
    let ticket = tickets::NewTicket {
        tax: "DPLACE".into(),
        category: Some("etal".into()),
        taxpayer: None,
        payer: Some("Étal 12, allée B".into()),
        amount: Xof(300),
        method: Method::Cash,
        reference: None,
        token: uuid::Uuid::new_v4().to_string(),
        paid_on: None,
        channel: Channel::Counter,
    };
    db::write_tx(&mut conn, |c| {
        tickets::sell(c, &commune, &ticket, today, &actor, collector)
    })
    .unwrap();
    pay(&mut conn, &commune, modou, 2_000, Method::Cash, second);
    let asked = db::write_tx(&mut conn, |c| {
        cancel::request(
            c,
            &commune,
            cancelled,
            "montant saisi deux fois (test)",
            &actor,
            treasurer,
        )
    })
    .unwrap();
    db::write_tx(&mut conn, |c| {
        cancel::decide(c, &commune, asked, true, &actor, admin)
    })
    .unwrap();
    Scene {
        year,
        today,
        debtor: modou.0,
    }
}

fn dashboard(year: i32) -> String {
    format!("/{DAKAR}/finance/collection?year={year}")
}

/// The rows of a table of the dashboard (the total row left out), cell by cell.
fn rows(page: &Html, table: &str) -> Vec<Vec<String>> {
    let sel = Selector::parse(&format!("table[data-table={table}] tbody tr:not(.total)")).unwrap();
    let td = Selector::parse("td").unwrap();
    page.select(&sel)
        .map(|tr| {
            tr.select(&td)
                .map(|c| squash(&c.text().collect::<String>()))
                .collect()
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A rate as a French page shows it.
fn pct(text: &str) -> String {
    format!("{text} %")
}

/// The bucket of arrears a line due on `due` is in today, as the page names it.
fn bucket(today: NaiveDate, due: NaiveDate) -> usize {
    match (today - due).num_days() {
        ..=30 => 0,
        31..=90 => 1,
        91..=180 => 2,
        181..=365 => 3,
        _ => 4,
    }
}

#[actix_web::test]
async fn the_figures_are_exact_a_cancelled_receipt_counts_for_nothing_and_a_ticket_for_its_fee() {
    // Arrange
    let app = TestApp::spawn_without_register().await;
    let s = scene(&app).await;
    let c = officer(&app, DAKAR).await;

    // Act
    let p = page(&c, &dashboard(s.year)).await;

    // Assert: this year, TAXPUB 10 000 + (20 000 - 4 000) assessed, Khady's 10 000
    // collected (the cancelled 7 000 went to last year and counts for nothing); the
    // ticket is 300 assessed and 300 collected. 10 300 / 26 300 = 39.16…% → 39.1 %.
    assert_eq!(
        text(&p, "h1"),
        format!("Recouvrement des recettes {}", s.year)
    );
    assert_eq!(text(&p, "[data-figure=rate]"), pct("39,1"));
    assert_eq!(text(&p, "[data-figure=assessed]"), fcfa(26_300));
    assert_eq!(text(&p, "[data-figure=collected]"), fcfa(10_300));
    assert_eq!(text(&p, "[data-figure=remaining]"), fcfa(16_000));
    assert_eq!(
        rows(&p, "taxes"),
        [
            vec![
                "Taxe sur la publicité".to_string(),
                "TAXPUB".into(),
                fcfa(26_000),
                fcfa(10_000),
                fcfa(16_000),
                pct("38,4"),
            ],
            vec![
                "Droits de place sur les marchés".to_string(),
                "DPLACE".into(),
                fcfa(300),
                fcfa(300),
                fcfa(0),
                pct("100"),
            ],
        ]
    );
    assert_eq!(
        cells(&p, "table[data-table=taxes] tr.total"),
        [
            "Total".to_string(),
            String::new(),
            fcfa(26_300),
            fcfa(10_300),
            fcfa(16_000),
            pct("39,1")
        ]
    );
    // By district: Modou's Rebeuss first (largest), Khady's Plateau, the ticket last.
    assert_eq!(
        rows(&p, "districts"),
        [
            vec![
                "Rebeuss".to_string(),
                fcfa(16_000),
                fcfa(0),
                fcfa(16_000),
                pct("0")
            ],
            vec![
                "Plateau".to_string(),
                fcfa(10_000),
                fcfa(10_000),
                fcfa(0),
                pct("100")
            ],
            vec![
                "Sans quartier".to_string(),
                fcfa(300),
                fcfa(300),
                fcfa(0),
                pct("100")
            ],
        ]
    );
    // By collector: 25 000 + 10 000 + 300 (the cancelled 7 000 left out), and 2 000.
    assert_eq!(
        rows(&p, "collectors"),
        [
            vec![
                "Ibrahima Fall".to_string(),
                "3".into(),
                fcfa(35_300),
                fcfa(25_300),
                fcfa(10_000),
                pct("94,6"),
            ],
            vec![
                "Ousmane Faye".to_string(),
                "1".into(),
                fcfa(2_000),
                fcfa(2_000),
                fcfa(0),
                pct("5,3"),
            ],
        ]
    );
    // By month, cumulative: one row a month to this one; everything was paid today.
    let months = rows(&p, "months");
    assert_eq!(months.len(), s.today.month() as usize);
    let now = months.last().unwrap();
    assert_eq!(now[1], fcfa(37_300));
    let june = NaiveDate::from_ymd_opt(s.year, 6, 30).unwrap();
    if s.today.month() >= 6 {
        // The sign tax fell due on 30 June: 26 000 + the ticket; 10 300 paid of it.
        assert_eq!(now[2..], [fcfa(26_300), fcfa(10_300), pct("39,1")]);
    } else {
        assert_eq!(now[2..], [fcfa(300), fcfa(300), pct("100")]);
    }
    // Mobile money: 1 receipt of 4, 10 000 of 37 300 (26.8 %).
    assert_eq!(
        rows(&p, "mobile").last().unwrap(),
        &[
            months.last().unwrap()[0].clone(),
            "4".into(),
            "1".into(),
            pct("25"),
            fcfa(37_300),
            fcfa(10_000),
            pct("26,8"),
        ]
    );
    assert_eq!(text(&p, "[data-figure=mobile-share]"), pct("26,8"));

    // Arrears today: Modou's last year (8 000 due 30 June, 5 000 of penalty due
    // 31 December: the pending reduction counts for nothing) and, once past due, this
    // year's 16 000. Khady owes nothing.
    let mut expected = [0i64; 5];
    let last_june = NaiveDate::from_ymd_opt(s.year - 1, 6, 30).unwrap();
    let last_december = NaiveDate::from_ymd_opt(s.year - 1, 12, 31).unwrap();
    expected[bucket(s.today, last_june)] += 8_000;
    expected[bucket(s.today, last_december)] += 5_000;
    let this_year_due = s.today > june;
    if this_year_due {
        expected[bucket(s.today, june)] += 16_000;
    }
    let owed: i64 = expected.iter().sum();
    let arrears: Vec<String> = rows(&p, "arrears").iter().map(|r| r[1].clone()).collect();
    assert_eq!(
        arrears,
        expected.iter().map(|v| fcfa(*v)).collect::<Vec<_>>()
    );
    assert_eq!(
        rows(&p, "arrears")
            .iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>(),
        [
            "0 à 30 jours",
            "31 à 90 jours",
            "91 à 180 jours",
            "181 à 365 jours",
            "Plus d’un an"
        ]
    );
    assert_eq!(text(&p, "[data-figure=arrears]"), fcfa(owed));

    // The largest debtor is Modou, linked to his account; Khady owes nothing overdue.
    assert_eq!(
        rows(&p, "debtors"),
        [vec![
            "Modou Ndour".to_string(),
            "DKP-C2".into(),
            "Rebeuss".into(),
            fcfa(owed)
        ]]
    );
    assert_eq!(
        count(
            &p,
            &format!(
                "table[data-table=debtors] a[href=\"/{DAKAR}/finance/taxpayers/{}\"]",
                s.debtor
            )
        ),
        1
    );

    // Cash not deposited: the collector's 25 000 + 300 (mobile money and the
    // cancelled receipt left out), the second collector's 2 000; all from today.
    let today = s.today.format("%d/%m/%Y").to_string();
    assert_eq!(
        rows(&p, "undeposited"),
        [
            vec![
                "Ibrahima Fall".to_string(),
                "2".into(),
                fcfa(25_300),
                today.clone(),
                "0".into()
            ],
            vec![
                "Ousmane Faye".to_string(),
                "1".into(),
                fcfa(2_000),
                today,
                "0".into()
            ],
        ]
    );
    assert_eq!(text(&p, "[data-figure=undeposited]"), fcfa(27_300));

    // Each chart is an SVG with its title, drawn on the server; no script anywhere.
    assert_eq!(count(&p, "figure.chart svg[role=img] title"), 8);
    assert_eq!(count(&p, "script"), 0);

    // Last year: 40 000 assessed, 15 000 + 12 000 collected (67.5 %); nothing was paid
    // by the end of that year, and no receipt is dated in it.
    let last = page(&c, &dashboard(s.year - 1)).await;
    assert_eq!(text(&last, "[data-figure=rate]"), pct("67,5"));
    assert_eq!(
        rows(&last, "taxes"),
        [vec![
            "Taxe sur la publicité".to_string(),
            "TAXPUB".into(),
            fcfa(40_000),
            fcfa(27_000),
            fcfa(13_000),
            pct("67,5"),
        ]]
    );
    let months = rows(&last, "months");
    assert_eq!(months.len(), 12);
    assert_eq!(months[11][1..], [fcfa(0), fcfa(40_000), fcfa(0), pct("0")]);
    assert_eq!(count(&last, "table[data-table=collectors]"), 0);
}

/// A CSV value as the French page shows it, by its column.
fn shown(column: &str, value: &str) -> String {
    match column {
        "assessed" | "collected" | "remaining" | "received" | "due_to_date"
        | "collected_to_date" | "amount" | "cash" | "mobile_money" | "overdue"
        | "mobile_amount" => fcfa(value.parse().unwrap()),
        "rate" | "rate_to_date" | "share" | "share_count" | "share_amount" => {
            match value.split_once('.') {
                None => "—".into(),
                Some((whole, "0")) => pct(whole),
                Some((whole, tenth)) => pct(&format!("{whole},{tenth}")),
            }
        }
        "oldest" => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .unwrap()
            .format("%d/%m/%Y")
            .to_string(),
        _ => value.to_string(),
    }
}

#[actix_web::test]
async fn every_csv_holds_the_rows_of_its_table() {
    let app = TestApp::spawn_without_register().await;
    let s = scene(&app).await;
    let c = officer(&app, DAKAR).await;
    let p = page(&c, &dashboard(s.year)).await;
    let link = Selector::parse("section a[download]").unwrap();
    let links: Vec<String> = p
        .select(&link)
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(links.len(), 8, "one download per table");
    for href in links {
        let name = href.rsplit("table=").next().unwrap().to_string();
        let res = c.get(&href).await;
        assert_eq!(res.status(), StatusCode::OK, "{href}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let disposition = res.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains(&format!("{DAKAR}-collection-{}-{name}.csv", s.year)),
            "{disposition}"
        );
        let body = res.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let columns: Vec<String> = {
            let sel =
                Selector::parse(&format!("table[data-table={name}] th[data-column]")).unwrap();
            p.select(&sel)
                .map(|th| th.value().attr("data-column").unwrap().to_string())
                .collect()
        };
        assert_eq!(header, columns, "{name}: the CSV has the table's columns");
        let from_csv: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .zip(&header)
                    .map(|(v, col)| shown(col, v))
                    .collect()
            })
            .collect();
        let table = rows(&p, &name);
        assert!(!table.is_empty(), "{name} has rows");
        assert_eq!(from_csv, table, "{name}: the CSV holds the table's rows");
    }
    // A table that does not exist, or a format that does not, is not found.
    for bad in ["&format=csv&table=nothing", "&format=xlsx"] {
        let res = c.get(&format!("{}{bad}", dashboard(s.year))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }
}

#[actix_web::test]
async fn a_collector_and_a_citizen_are_refused_the_treasurer_and_a_councillor_may_look() {
    let app = TestApp::spawn_without_register().await;
    let s = scene(&app).await;
    let path = dashboard(s.year);
    for role in ["collector", "citizen", "admin", "reviewer"] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        assert_eq!(c.get(&path).await.status(), StatusCode::FORBIDDEN, "{role}");
        let csv = format!("{path}&format=csv&table=debtors");
        assert_eq!(c.get(&csv).await.status(), StatusCode::FORBIDDEN, "{role}");
    }
    for role in ["treasurer", "councillor"] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        let p = page(&c, &path).await;
        assert_eq!(text(&p, "[data-figure=rate]"), pct("39,1"), "{role}");
        // The debtor is named, without a link to an account the visitor cannot open.
        assert_eq!(rows(&p, "debtors")[0][0], "Modou Ndour");
        assert_eq!(count(&p, "table[data-table=debtors] a"), 0, "{role}");
        // Their space links to the dashboard.
        let home = if role == "treasurer" {
            "treasury"
        } else {
            "council"
        };
        let space = page(&c, &format!("/{DAKAR}/{home}")).await;
        let to = format!("main a[href=\"/{DAKAR}/finance/collection\"]");
        assert_eq!(count(&space, &to), 1, "{role}");
    }
    // And from the finance officer's.
    let space = page(&officer(&app, DAKAR).await, &format!("/{DAKAR}/finance")).await;
    assert!(
        count(
            &space,
            &format!("main a[href=\"/{DAKAR}/finance/collection\"]")
        ) >= 1
    );
}

#[actix_web::test]
async fn the_dashboard_speaks_english() {
    let app = TestApp::spawn_without_register().await;
    let s = scene(&app).await;
    let c = officer(&app, DAKAR).await;
    c.get("/lang/en").await;
    let p = page(&c, &dashboard(s.year)).await;
    assert_eq!(text(&p, "h1"), format!("Revenue collection {}", s.year));
    assert_eq!(text(&p, "[data-figure=rate]"), "39.1%");
    assert_eq!(text(&p, "[data-figure=assessed]"), "XOF 26,300");
    assert_eq!(
        rows(&p, "taxes")[0],
        [
            "Advertising tax",
            "TAXPUB",
            "XOF 26,000",
            "XOF 10,000",
            "XOF 16,000",
            "38.4%"
        ]
    );
    assert_eq!(rows(&p, "districts")[2][0], "No district");
    assert_eq!(rows(&p, "arrears")[4][0], "Over a year");
    assert_eq!(text(&p, "#taxes-h"), "By tax");
}

#[actix_web::test]
async fn the_councillors_space_shows_collected_against_assessed_by_tax_this_year() {
    let app = TestApp::spawn_without_register().await;
    let s = scene(&app).await;
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    let space = page(&c, &format!("/{DAKAR}/council")).await;
    assert_eq!(
        text(&space, "#collection-h"),
        format!("Émis et encaissé en {}, par impôt", s.year)
    );
    assert_eq!(
        cells(&space, "table[data-table=summary] tr[data-tax=TAXPUB]"),
        [
            "Taxe sur la publicité".to_string(),
            fcfa(26_000),
            fcfa(10_000),
            pct("38,4")
        ]
    );
    assert_eq!(
        cells(&space, "table[data-table=summary] tr[data-tax=DPLACE]"),
        [
            "Droits de place sur les marchés".to_string(),
            fcfa(300),
            fcfa(300),
            pct("100")
        ]
    );
    assert_eq!(text(&space, "[data-figure=summary-rate]"), pct("39,1"));
    let link = format!("a[data-link=collection][href=\"{}\"]", dashboard(s.year));
    assert_eq!(count(&space, &link), 1);
    // Other spaces have no such summary.
    let t = app.login(&demo_email(DAKAR, "treasurer")).await;
    let treasury = page(&t, &format!("/{DAKAR}/treasury")).await;
    assert_eq!(count(&treasury, "table[data-table=summary]"), 0);
}

#[actix_web::test]
async fn a_merged_record_counts_with_the_record_it_was_merged_into_among_the_debtors() {
    // Arrange: three sign owners assessed last year, nothing paid: 10 000, 15 000, and
    // 10 000 on a second record of the first.
    let app = TestApp::spawn_without_register().await;
    let c = officer(&app, DAKAR).await;
    let year = chrono::Utc::now().date_naive().year();
    let mut ids = Vec::new();
    for (reference, name, area) in [
        ("DKP-M1", "Awa Diallo", "2"),
        ("DKP-M2", "Binta Sy", "3"),
        ("DKP-M3", "Awa Diallo (doublon)", "2"),
    ] {
        let t = new_taxpayer(&c, DAKAR, &[("ref", reference), ("name", name)]).await;
        let item = format!("SIGN-{reference}");
        new_item(
            &c,
            DAKAR,
            t,
            &[("ref", &item), ("kind", "other"), ("area_m2", area)],
        )
        .await;
        ids.push(t);
    }
    generated_and_issued(&c, DAKAR, "TAXPUB", year - 1).await;
    let debtors = |p: &Html| -> Vec<(String, String)> {
        rows(p, "debtors")
            .into_iter()
            .map(|r| (r[1].clone(), r[3].clone()))
            .collect()
    };
    let before = page(&c, &dashboard(year)).await;
    assert_eq!(
        debtors(&before),
        [
            ("DKP-M2".to_string(), fcfa(15_000)),
            ("DKP-M1".to_string(), fcfa(10_000)),
            ("DKP-M3".to_string(), fcfa(10_000)),
        ]
    );

    // Act: the second record is merged into the first.
    {
        let mut conn = app.conn();
        let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
        db::write_tx(&mut conn, |conn| {
            commune::revenue::taxpayers::merge(
                conn,
                commune.id,
                TaxpayerId(ids[0]),
                TaxpayerId(ids[2]),
                &Actor::system("test"),
            )
        })
        .unwrap();
    }

    // Assert: one debtor of 20 000, first, linked to the record kept.
    let after = page(&c, &dashboard(year)).await;
    assert_eq!(
        debtors(&after),
        [
            ("DKP-M1".to_string(), fcfa(20_000)),
            ("DKP-M2".to_string(), fcfa(15_000)),
        ]
    );
    let link = format!("a[href=\"/{DAKAR}/finance/taxpayers/{}\"]", ids[0]);
    assert_eq!(
        count(&after, &format!("table[data-table=debtors] {link}")),
        1
    );
}

//! Budget execution over HTTP: commitments within the open credits, mandats within
//! their commitment, paid by the treasurer only, CSV imports all or nothing, and the
//! compte administratif produced from these records.

use std::collections::BTreeMap;

use reqwest::StatusCode;

use commune::audit::Actor;
use commune::budget::documents;
use commune::budget::spending::{self, Record};
use commune::communes::{self, Commune};
use commune::db;
use commune::money::Xof;

use crate::helpers::{demo_email, location, Client, TestApp, DAKAR};

const YEAR: i64 = 2023;
const PAGE: &str = "/dakar-plateau/spending/2023";

fn dakar(app: &TestApp) -> Commune {
    communes::by_slug(&mut app.conn(), DAKAR).unwrap().unwrap()
}

/// Dakar's small budget of 2023, published (6131 has 40 000 000 of credits).
fn published(app: &TestApp) -> Commune {
    let commune = dakar(app);
    super::publish_small(&mut app.conn(), &commune, YEAR);
    commune
}

fn date(m: u32, d: u32) -> String {
    format!("{YEAR}-{m:02}-{d:02}")
}

fn fcfa(v: &str) -> String {
    format!("{}\u{A0}FCFA", v.replace(' ', "\u{202F}"))
}

/// A commitment and a mandat on it, recorded directly (for the route walk); the
/// mandat's id.
pub(crate) fn commit_and_order(conn: &mut db::DbConn, commune: &Commune, year: i64) -> i64 {
    let actor = Actor::system("test");
    let on = chrono::NaiveDate::from_ymd_opt(year as i32, 3, 1);
    db::write_tx(conn, |c| -> commune::error::DomainResult<_> {
        let r = Record {
            reference: "ENG-WALK".into(),
            on,
            article: "6131".into(),
            amount: Xof(1_000_000),
            label: "Walk".into(),
            commitment: String::new(),
        };
        spending::commit(c, commune, year, &r, &actor)?;
        let m = Record {
            reference: "M-WALK".into(),
            commitment: "ENG-WALK".into(),
            amount: Xof(400_000),
            ..r
        };
        spending::order(c, commune, year, &m, &actor)
    })
    .unwrap()
    .0
}

async fn commit(c: &Client, reference: &str, article: &str, amount: &str) -> reqwest::Response {
    let fields = [
        ("reference", reference),
        ("date", &date(3, 2)),
        ("article", article),
        ("amount", amount),
        ("label", "Entreprise Diop, entretien"),
    ];
    c.post_form(&format!("{PAGE}/commitments"), &fields).await
}

async fn order(c: &Client, number: &str, commitment: &str, amount: &str) -> reqwest::Response {
    let fields = [
        ("reference", number),
        ("commitment", commitment),
        ("date", &date(4, 10)),
        ("amount", amount),
    ];
    c.post_form(&format!("{PAGE}/orders"), &fields).await
}

async fn upload(c: &Client, csv: &str) -> reqwest::Response {
    let token = c.csrf().await;
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
            .file_name("execution.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    c.http
        .post(format!("{}{PAGE}/import", c.base))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

fn counts(app: &TestApp, commune: &Commune) -> (usize, usize, usize) {
    let conn = &mut app.conn();
    (
        spending::commitments(conn, commune.id, YEAR).unwrap().len(),
        spending::orders(conn, commune.id, YEAR).unwrap().len(),
        spending::titles(conn, commune.id, YEAR).unwrap().len(),
    )
}

#[actix_web::test]
async fn a_finance_officer_commits_and_orders_and_only_the_treasurer_pays() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    for lang in ["en", "fr"] {
        officer.get(&format!("/lang/{lang}")).await;
        let page = officer.text(PAGE).await;
        assert!(
            page.contains("action=\"/dakar-plateau/spending/2023/commitments\""),
            "{page}"
        );
    }
    let res = commit(&officer, "ENG-001", "6131", "10 000 000").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), PAGE);
    let res = order(&officer, "M-001", "ENG-001", "4000000").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let page = officer.text(PAGE).await;
    let row = &page[page.find("data-article=\"6131\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(&format!("data-figure=\"credit\">{}", fcfa("40 000 000"))),
        "{row}"
    );
    assert!(row.contains(&format!("data-figure=\"committed\">{}", fcfa("10 000 000"))));
    assert!(row.contains(&format!("data-figure=\"ordered\">{}", fcfa("4 000 000"))));
    assert!(row.contains(&format!("data-figure=\"paid\">{}", fcfa("0"))));
    assert!(row.contains(&format!("data-figure=\"available\">{}", fcfa("30 000 000"))));
    assert!(
        !page.contains("/pay\""),
        "the finance officer is offered no payment"
    );

    let id = spending::orders(&mut app.conn(), commune.id, YEAR).unwrap()[0].id;
    let pay = format!("{PAGE}/orders/{id}/pay");
    let today = commune.today().to_string();
    let res = officer.post_form(&pay, &[("date", &today)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "separation of duties");

    let treasurer = app.login(&demo_email(DAKAR, "treasurer")).await;
    assert!(treasurer
        .text(PAGE)
        .await
        .contains(&format!("action=\"{pay}\"")));
    let res = treasurer.post_form(&pay, &[("date", &date(4, 9))]).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "before the order"
    );
    let res = treasurer.post_form(&pay, &[("date", &today)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = treasurer.post_form(&pay, &[("date", &today)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("déjà payé"));

    let rows = spending::by_article(&mut app.conn(), &commune, YEAR).unwrap();
    let e = rows.iter().find(|r| r.article == "6131").unwrap();
    assert_eq!(
        (e.credit, e.committed, e.ordered, e.paid),
        (40_000_000, 10_000_000, 4_000_000, 4_000_000)
    );
    let actions: Vec<String> = commune::audit::page(&mut app.conn(), commune.id, None, 20)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["budget.commit", "budget.order", "budget.pay"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[actix_web::test]
async fn a_commitment_above_the_available_credit_is_refused_with_what_remains() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    assert_eq!(
        commit(&officer, "ENG-001", "6131", "30000000")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let res = commit(&officer, "ENG-002", "6131", "15000000").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Crédits insuffisants : l’article 6131"),
        "{page}"
    );
    for figure in ["40 000 000", "30 000 000", "10 000 000", "15 000 000"] {
        assert!(page.contains(&fcfa(figure)), "{figure}");
    }
    assert!(page.contains("field-error"), "beside its field");
    assert!(
        page.contains("value=\"ENG-002\""),
        "the form keeps what was typed"
    );
    // A revenue article, and a reference taken, are refused too; nothing was written.
    let res = commit(&officer, "ENG-001", "7011", "1000").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("déjà utilisée") && page.contains("n’est pas un article de dépense"));
    assert_eq!(counts(&app, &commune), (1, 0, 0));
}

#[actix_web::test]
async fn a_mandat_above_what_remains_of_its_commitment_is_refused() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    officer.get("/lang/en").await;
    commit(&officer, "ENG-001", "2131", "5000000").await;
    assert_eq!(
        order(&officer, "M-001", "ENG-001", "3000000")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let res = order(&officer, "M-002", "ENG-001", "2000001").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("exceeds what remains of commitment ENG-001"),
        "{page}"
    );
    assert!(
        page.contains(&format!("remaining: {}", "XOF 2,000,000")) || page.contains("2,000,000"),
        "{page}"
    );
    let res = order(&officer, "M-003", "ENG-404", "1").await;
    assert!(res.text().await.unwrap().contains("No commitment ENG-404"));
    assert_eq!(counts(&app, &commune), (1, 1, 0));
}

#[actix_web::test]
async fn citizens_collectors_and_reviewers_cannot_change_the_budget_execution() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let id = commit_and_order(&mut app.conn(), &commune, YEAR);
    for role in ["citizen", "collector", "reviewer"] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        assert_eq!(c.get(PAGE).await.status(), StatusCode::FORBIDDEN, "{role}");
        for path in [
            "commitments",
            "orders",
            "titles",
            "import",
            "account",
            &format!("orders/{id}/pay"),
        ] {
            let res = c
                .post_form(
                    &format!("{PAGE}/{path}"),
                    &[
                        ("reference", "X"),
                        ("date", &date(5, 1)),
                        ("article", "6131"),
                        ("amount", "1"),
                        ("label", "x"),
                        ("commitment", "ENG-WALK"),
                        ("year", "2023"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
    // A councillor and an admin see the execution, but record nothing.
    for role in ["councillor", "admin"] {
        let c = app.login(&demo_email(DAKAR, role)).await;
        let page = c.text(PAGE).await;
        assert!(
            page.contains("M-WALK") && !page.contains("/commitments\""),
            "{role}"
        );
        let res = commit(&c, "ENG-X", "6131", "1").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(counts(&app, &commune), (1, 1, 0));
}

const GOOD: &str = "type,reference,date,article,amount,label,commitment\n\
engagement,ENG-101,2023-02-01,6131,12000000,Entreprise Sow,\n\
mandat,M-101,2023-02-20,,5000000,,ENG-101\n\
mandat,M-102,2023-03-20,,7000000,,ENG-101\n\
engagement,ENG-102,2023-02-03,2111,9000000,Ecole Medina,\n\
titre,TR-101,2023-01-15,7411,30000000,Fonds de dotation,\n";

#[actix_web::test]
async fn a_csv_with_one_bad_row_writes_nothing_and_lists_the_error_with_its_line() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    // Line 4 orders more than what remains of ENG-101; line 7 is on the transfer.
    let bad = GOOD.replace("M-102,2023-03-20,,7000000", "M-102,2023-03-20,,7000001")
        + "titre,TR-102,2023-01-16,1011,10,Virement,\n";
    let res = upload(&officer, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-line=\"4\""), "{page}");
    assert!(page.contains("Le mandat dépasse le reste de l’engagement ENG-101"));
    assert!(page.contains("data-line=\"7\"") && page.contains("n’est pas un article de recette"));
    assert!(
        !page.contains("data-line=\"2\""),
        "only the bad rows are listed"
    );
    assert_eq!(counts(&app, &commune), (0, 0, 0), "nothing written");
}

#[actix_web::test]
async fn a_good_csv_writes_every_record_with_mandats_on_commitments_above_them() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let res = upload(&officer, GOOD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(counts(&app, &commune), (2, 2, 1));
    let rows = spending::by_article(&mut app.conn(), &commune, YEAR).unwrap();
    let e = rows.iter().find(|r| r.article == "6131").unwrap();
    assert_eq!((e.committed, e.ordered), (12_000_000, 12_000_000));
    let titles = spending::titles_by_article(&mut app.conn(), commune.id, YEAR).unwrap();
    assert_eq!(titles, vec![("7411".to_string(), Xof(30_000_000))]);
    let page = officer.text(PAGE).await;
    assert!(page.contains("TR-101") && page.contains("M-102"));
    // The same file again: every reference is taken, nothing is written twice.
    assert_eq!(
        upload(&officer, GOOD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(counts(&app, &commune), (2, 2, 1));
}

#[actix_web::test]
async fn the_compte_administratif_is_the_sum_of_the_execution_records_and_is_not_typed_in() {
    let app = TestApp::spawn().await;
    let commune = published(&app);
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    assert_eq!(upload(&officer, GOOD).await.status(), StatusCode::SEE_OTHER);
    commit_and_order(&mut app.conn(), &commune, YEAR);
    let title = [
        ("reference", "TR-102"),
        ("date", &date(6, 1)),
        ("article", "7011"),
        ("amount", "250000"),
        ("label", "Régularisation DGID"),
    ];
    let res = officer.post_form(&format!("{PAGE}/titles"), &title).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = officer
        .post_form(&format!("{PAGE}/account"), &[("year", "2023")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with("/dakar-plateau/budgets/"), "{to}");
    let doc = commune::ids::DocumentId(to.rsplit('/').next().unwrap().parse().unwrap());

    // What the account should hold, from the records themselves.
    let conn = &mut app.conn();
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    let commitments = spending::commitments(conn, commune.id, YEAR).unwrap();
    for o in spending::orders(conn, commune.id, YEAR).unwrap() {
        let c = commitments
            .iter()
            .find(|c| c.id == o.commitment_id)
            .unwrap();
        *want.entry(c.article.clone()).or_default() += o.amount;
    }
    for t in spending::titles(conn, commune.id, YEAR).unwrap() {
        *want.entry(t.article).or_default() += t.amount;
    }
    let n = commune::budget::nomenclature::of(commune.country);
    for (article, v) in commune::budget::execution::collected(conn, commune.id, YEAR).unwrap() {
        if n.article(&article).is_some_and(|a| !a.transfer) {
            *want.entry(article).or_default() += v.0;
        }
    }
    want.retain(|_, v| *v != 0);
    let mut got: BTreeMap<String, i64> = BTreeMap::new();
    for l in documents::lines(conn, doc).unwrap() {
        assert_eq!(l.label, "");
        *got.entry(l.article).or_default() += l.amount;
    }
    assert_eq!(got, want);
    assert_eq!(got["6131"], 12_000_000 + 400_000);
    assert_eq!(got["7411"], 30_000_000);
    assert!(got["7011"] >= 250_000);
    assert!(!got.contains_key("6911") && !got.contains_key("1011"));
    let d = documents::get(conn, commune.id, doc).unwrap();
    assert_eq!(
        (d.kind, d.status),
        (
            documents::Kind::CompteAdministratif,
            documents::Status::Draft
        )
    );

    // Its lines cannot be typed in, and a year has one account.
    let typed = db::write_tx(conn, |c| {
        documents::set_line(c, &commune, doc, "6131", Xof(1), &Actor::system("test"))
    });
    assert_eq!(
        typed.unwrap_err().refusal().unwrap().key,
        "budget.doc.account_lines"
    );
    let res = officer
        .post_form(&format!("{PAGE}/account"), &[("year", "2023")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Le compte administratif de 2023 existe déjà"));
}

//! What the revenue tests share: a finance officer who fills in the register through
//! the pages, generates and issues rolls, and reads figures back from the pages.

use commune::accounts::{password, users, Role};
use commune::audit::Actor;
use commune::communes::{self, districts};
use commune::db;
use commune::money::Xof;
use reqwest::{Response, StatusCode};
use scraper::{Html, Selector};

use crate::helpers::{demo_email, location, Client, TestApp, DEMO_PASSWORD};

pub const ABOMEY: &str = "abomey-calavi";

/// The demo finance officer of a commune, logged in.
pub async fn officer(app: &TestApp, commune: &str) -> Client {
    app.login(&demo_email(commune, "finance_officer")).await
}

/// A second finance officer in the commune (for the four-eyes rule), logged in.
pub async fn second_officer(app: &TestApp, commune: &str) -> (Client, String) {
    let email = format!("second-officer@{commune}.demo");
    let hash = password::hash(DEMO_PASSWORD).unwrap();
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, commune).unwrap().unwrap().id;
    let actor = Actor::system("test");
    db::write_tx(&mut conn, |conn| {
        let id = users::create(conn, cid, &email, "Aminata Second", &hash, &actor)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
        users::grant(conn, id, cid, Role::FinanceOfficer, &actor)
    })
    .unwrap();
    (app.login(&email).await, email)
}

/// The id of a district, as the forms' lists offer it.
pub fn district(app: &TestApp, commune: &str, name: &str) -> String {
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, commune).unwrap().unwrap().id;
    let d = districts::list(&mut conn, cid).unwrap();
    let found = d.iter().find(|d| d.name == name).expect("a demo district");
    found.id.0.to_string()
}

/// The whole form: every field the browser sends, `given` overriding the blanks.
fn full_form<'a>(blank: &[&'a str], given: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    blank
        .iter()
        .map(|f| {
            let v = given.iter().find(|(k, _)| k == f).map_or("", |(_, v)| *v);
            (*f, v)
        })
        .collect()
}

const TAXPAYER_FORM: &[&str] = &[
    "ref",
    "kind",
    "name",
    "id_number",
    "phone",
    "email",
    "district",
    "address",
    "gps",
];
const ITEM_FORM: &[&str] = &[
    "ref",
    "kind",
    "district",
    "address",
    "rental_value",
    "market_value",
    "area_m2",
    "category",
    "market",
    "stall_number",
];

pub async fn post_taxpayer(c: &Client, commune: &str, given: &[(&str, &str)]) -> Response {
    let mut fields = full_form(TAXPAYER_FORM, given);
    if !given.iter().any(|(k, _)| *k == "kind") {
        fields.retain(|(k, _)| *k != "kind");
        fields.push(("kind", "person"));
    }
    c.post_form(&format!("/{commune}/finance/taxpayers"), &fields)
        .await
}

/// Registers a taxpayer with the form and returns their id.
pub async fn new_taxpayer(c: &Client, commune: &str, given: &[(&str, &str)]) -> i64 {
    let res = post_taxpayer(c, commune, given).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let to = location(&res);
    let prefix = format!("/{commune}/finance/taxpayers/");
    to.strip_prefix(&prefix)
        .and_then(|id| id.parse().ok())
        .expect("the new taxpayer's page")
}

pub async fn post_item(
    c: &Client,
    commune: &str,
    taxpayer: i64,
    given: &[(&str, &str)],
) -> Response {
    let fields = full_form(ITEM_FORM, given);
    c.post_form(
        &format!("/{commune}/finance/taxpayers/{taxpayer}/items"),
        &fields,
    )
    .await
}

/// Adds a taxable item with the form on the taxpayer's page.
pub async fn new_item(c: &Client, commune: &str, taxpayer: i64, given: &[(&str, &str)]) {
    let res = post_item(c, commune, taxpayer, given).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
}

pub async fn generate(c: &Client, commune: &str, tax: &str, year: i32) -> Response {
    let year = year.to_string();
    c.post_form(
        &format!("/{commune}/finance/rolls"),
        &[("tax", tax), ("year", &year)],
    )
    .await
}

/// Generates a draft roll and returns its id and the report page.
pub async fn generated(c: &Client, commune: &str, tax: &str, year: i32) -> (i64, Html) {
    let res = generate(c, commune, tax, year).await;
    assert_eq!(res.status(), StatusCode::OK, "generate {tax} {year}");
    let page = Html::parse_document(&res.text().await.unwrap());
    let link = attr(&page, "a.button", "href");
    let id = link
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a link to the roll");
    (id, page)
}

/// Issues a roll as an officer does: from its page to the page that asks to confirm
/// (whose form carries the lines and total displayed), then the confirmation.
pub async fn issue(c: &Client, commune: &str, roll: i64) -> Response {
    let roll_page = page(c, &format!("/{commune}/finance/rolls/{roll}")).await;
    let ask = attr(&roll_page, "a[href$=\"/issue\"]", "href");
    let page = page(c, &ask).await;
    let lines = attr(&page, "input[name=lines]", "value");
    let total = attr(&page, "input[name=total]", "value");
    c.post_form(
        &format!("/{commune}/finance/rolls/{roll}/issue"),
        &[("lines", &lines), ("total", &total)],
    )
    .await
}

/// Generates and issues a roll; returns its id.
pub async fn generated_and_issued(c: &Client, commune: &str, tax: &str, year: i32) -> i64 {
    let (roll, _) = generated(c, commune, tax, year).await;
    let res = issue(c, commune, roll).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "issue {tax} {year}");
    roll
}

pub async fn page(c: &Client, path: &str) -> Html {
    let res = c.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    Html::parse_document(&res.text().await.unwrap())
}

fn select<'a>(page: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let sel = Selector::parse(css).unwrap();
    page.select(&sel).collect()
}

/// The tax notice of `taxpayer` for `year`, in the language the client chose.
pub async fn notice(c: &Client, commune: &str, taxpayer: i64, year: i32) -> Html {
    page(
        c,
        &format!("/{commune}/finance/taxpayers/{taxpayer}/notice?year={year}"),
    )
    .await
}

pub fn attr(page: &Html, css: &str, name: &str) -> String {
    let found = select(page, css);
    let first = found.first().unwrap_or_else(|| panic!("no {css}"));
    first
        .value()
        .attr(name)
        .unwrap_or_else(|| panic!("no {name} on {css}"))
        .to_string()
}

/// The text of the first element that `css` selects, spaces normalised.
pub fn text(page: &Html, css: &str) -> String {
    let found = select(page, css);
    let first = found.first().unwrap_or_else(|| panic!("no {css}"));
    squash(&first.text().collect::<String>())
}

/// The texts of the cells of the first row that `css` selects.
pub fn cells(page: &Html, css: &str) -> Vec<String> {
    let found = select(page, css);
    let row = found.first().unwrap_or_else(|| panic!("no {css}"));
    let td = Selector::parse("td, th").unwrap();
    row.select(&td)
        .map(|c| squash(&c.text().collect::<String>()))
        .collect()
}

/// The hidden fields of the form `form` selects (a confirmation's), without the CSRF
/// token, as the browser would send them back.
pub fn hidden_fields(page: &Html, form: &str) -> Vec<(String, String)> {
    let sel = Selector::parse(&format!("{form} input[type=hidden]")).unwrap();
    page.select(&sel)
        .filter_map(|e| {
            let name = e.value().attr("name")?;
            (name != "_csrf").then(|| {
                (
                    name.to_string(),
                    e.value().attr("value").unwrap_or("").to_string(),
                )
            })
        })
        .collect()
}

pub fn count(page: &Html, css: &str) -> usize {
    select(page, css).len()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An amount as a French page shows it (`1 234 567 FCFA`), spaces normalised.
pub fn fcfa(amount: i64) -> String {
    squash(&Xof(amount).display("fr").replace('\u{202F}', " "))
}

/// The number of entries in a commune's audit log.
pub fn audit_entries(app: &TestApp, commune: &str) -> usize {
    let mut conn = app.conn();
    let cid = communes::by_slug(&mut conn, commune).unwrap().unwrap().id;
    commune::audit::page(&mut conn, cid, None, 100_000)
        .unwrap()
        .len()
}

/// Charges the penalties due on `date` as an officer does: the preview first, then its
/// confirmation. A refused preview (a date in the future) is returned as it came;
/// when nothing is due, the preview is the answer.
pub async fn charge_penalties(c: &Client, commune: &str, date: &str) -> Response {
    let preview = c
        .post_form(
            &format!("/{commune}/finance/penalties/preview"),
            &[("date", date)],
        )
        .await;
    if preview.status() != StatusCode::OK {
        return preview;
    }
    let body = Html::parse_document(&preview.text().await.unwrap());
    let field = |name: &str| {
        let sel = Selector::parse(&format!("form input[name={name}]")).unwrap();
        body.select(&sel)
            .next()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_string)
    };
    let (Some(as_of), Some(lines), Some(total)) = (field("date"), field("lines"), field("total"))
    else {
        // Nothing due: the preview has no form; confirming charges nothing either.
        return c
            .post_form(
                &format!("/{commune}/finance/penalties"),
                &[("date", date), ("lines", "0"), ("total", "0")],
            )
            .await;
    };
    c.post_form(
        &format!("/{commune}/finance/penalties"),
        &[("date", &as_of), ("lines", &lines), ("total", &total)],
    )
    .await
}

//! The public budget portal: `/{commune}/budget` (the latest published budget),
//! `/{commune}/budget/{year}`, and the published CSV at `/{commune}/budget/{year}.csv`,
//! byte for byte the file whose SHA-256 the page shows. No login, no JavaScript.
//!
//! The page is made of three parts. A published document never changes, so what the
//! page shows of it (totals, chapters, functions, charts, the lines, the comparison with
//! the other published years) is rendered once per document and language and kept in
//! memory ([`Cache`]), with the projects' statuses it shows: those are at most
//! [`FRESHNESS`] old. The execution part between them (what was collected, line by
//! line) is read on every visit, so a payment at a counter shows at once; it is
//! rendered again only when those figures changed. Only the layout (the visitor's
//! name, the CSRF token) goes through the templates on each visit, the parts being put
//! in its place.
//! Each visit costs two light queries (the published documents, the collections); a
//! newly published document changes the list, which makes the kept parts stale at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::budget::documents::{self, Document, Line};
use crate::budget::figures::{self, Group};
use crate::budget::nomenclature::{self, Direction, Nomenclature};
use crate::budget::portal::{self as data, Loaded};
use crate::budget::{execution, opendata};
use crate::communes::Commune;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::ids::DocumentId;
use crate::money::Xof;
use crate::web::charts::{self, Bar};
use crate::web::templates::percent;
use crate::web::{AppState, Ctx};

/// How old the projects' statuses on a kept page may be.
pub const FRESHNESS: Duration = Duration::from_secs(60);

/// The rendered parts of published budgets, by document and language.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<(DocumentId, Locale), Arc<Rendered>>>,
}

/// What the page shows of one published document, rendered.
pub struct Rendered {
    /// The published documents it was made with (the years and the comparison).
    published: Vec<(DocumentId, i64)>,
    made: Instant,
    head: String,
    tail: String,
    /// The document's lines, `(article, amount)`: the forecast of the execution part.
    forecast: Vec<(String, i64)>,
    /// The execution part last rendered, with the collections it shows: rendered again
    /// only when they change (a payment), read afresh on every visit.
    execution: Mutex<Option<(Collected, Arc<str>)>>,
}

/// What was collected, by budget line (`execution::collected`).
type Collected = Vec<(String, Xof)>;

impl Rendered {
    fn execution_of(&self, collected: &[(String, Xof)]) -> Option<Arc<str>> {
        let kept = self.execution.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|(c, _)| c == collected)
            .map(|(_, html)| html.clone())
    }

    fn keep_execution(&self, collected: Collected, html: Arc<str>) {
        *self.execution.lock().unwrap_or_else(|e| e.into_inner()) = Some((collected, html));
    }
}

impl Cache {
    fn get(
        &self,
        doc: DocumentId,
        locale: Locale,
        published: &[(DocumentId, i64)],
    ) -> Option<Arc<Rendered>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&(doc, locale))
            .filter(|r| r.published == published && r.made.elapsed() < FRESHNESS)
            .cloned()
    }

    fn put(&self, doc: DocumentId, locale: Locale, rendered: Arc<Rendered>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Only published documents come here, two languages each: no bound needed
        // beyond dropping what a newer list of publications made stale.
        entries.retain(|_, r| r.published == rendered.published);
        entries.insert((doc, locale), rendered);
    }
}

/// The anchor of an article's first line in the table of all lines.
fn line_anchor(direction: Direction, article: &str) -> String {
    match direction {
        Direction::Revenue => format!("l-r-{article}"),
        Direction::Spending => format!("l-d-{article}"),
    }
}

fn chart(title: &str, desc: &str, groups: &[Group<'_>], locale: Locale) -> String {
    let bars: Vec<Bar> = groups
        .iter()
        .map(|g| Bar {
            label: g.name(locale),
            value: g.amount,
            value_text: Xof(g.amount).display(locale.as_str()),
            strong: false,
        })
        .collect();
    charts::described_bars(title, desc, &bars)
}

/// What the templates need to write figures in the page's language.
struct Writer<'a> {
    state: &'a AppState,
    locale: Locale,
    new_word: String,
}

impl Writer<'_> {
    fn money(&self, v: i64) -> String {
        Xof(v).display(self.locale.as_str())
    }
    fn t(&self, key: &str) -> String {
        self.state.catalog.t(self.locale, key)
    }
    /// The change from last year; a dash when there is no last year at all.
    fn change(&self, previous: Option<Option<i64>>, now: i64) -> String {
        match previous {
            None => "—".into(),
            Some(p) => figures::change(p, now).text(self.locale, &self.new_word),
        }
    }
}

fn groups_json(
    w: &Writer<'_>,
    groups: &[Group<'_>],
    previous: Option<&[Group<'_>]>,
    total: i64,
) -> Vec<Value> {
    groups
        .iter()
        .map(|g| {
            let before = previous.map(|p| p.iter().find(|x| x.key == g.key).map(|x| x.amount));
            let articles: Vec<Value> = g
                .articles
                .iter()
                .map(|a| {
                    let direction = if g.key.starts_with("r-") {
                        Direction::Revenue
                    } else {
                        Direction::Spending
                    };
                    json!({ "code": a, "anchor": line_anchor(direction, a) })
                })
                .collect();
            json!({
                "key": g.key, "code": g.code, "name": g.name(w.locale),
                "amount": w.money(g.amount),
                "share": percent(figures::share_bp(g.amount, total), w.locale),
                "change": w.change(before, g.amount),
                "articles": articles,
            })
        })
        .collect()
}

/// The lines of one direction, chapter by chapter in the nomenclature's order, the
/// first line of each article carrying its anchor.
fn lines_json(
    w: &Writer<'_>,
    n: &Nomenclature,
    loaded: &Loaded,
    direction: Direction,
) -> Vec<Value> {
    let chapters = n
        .lines
        .iter()
        .filter(|c| c.is_chapter() && c.direction == direction);
    let mut out = Vec::new();
    for chapter in chapters {
        let of_chapter: Vec<(&Line, &nomenclature::Line)> = loaded
            .lines
            .iter()
            .filter_map(|l| Some((l, n.article(&l.article)?)))
            .filter(|(_, a)| {
                a.direction == direction && n.chapter_of(a).is_some_and(|c| c.code == chapter.code)
            })
            .collect();
        if of_chapter.is_empty() {
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        let rows: Vec<Value> = of_chapter
            .iter()
            .map(|(l, a)| {
                let first = !seen.contains(&l.article.as_str());
                seen.push(&l.article);
                let project = l
                    .project_id
                    .and_then(|id| loaded.projects.iter().find(|p| p.id == id));
                json!({
                    "id": if first { line_anchor(direction, &l.article) } else { String::new() },
                    "article": l.article,
                    "name": a.name(w.locale.as_str()),
                    "label": l.label,
                    "project": l.project_id,
                    "status": project.map_or("", |p| p.status.as_str()),
                    "progress": project.map_or(0, |p| p.progress),
                    "amount": w.money(l.amount),
                })
            })
            .collect();
        out.push(json!({
            "key": figures::chapter_key(direction, &chapter.code),
            "code": chapter.code,
            "name": chapter.name(w.locale.as_str()),
            "amount": w.money(of_chapter.iter().map(|(l, _)| l.amount).sum()),
            "lines": rows,
        }));
    }
    out
}

/// Renders the parts of the page that come from the published documents alone.
fn build(
    state: &AppState,
    commune: &Commune,
    locale: Locale,
    loaded: &Loaded,
    published: Vec<(DocumentId, i64)>,
) -> AppResult<Rendered> {
    let n = nomenclature::of(commune.country);
    let w = Writer {
        state,
        locale,
        new_word: state.catalog.t(locale, "budget.portal.new"),
    };
    let doc = &loaded.doc;
    let year = doc.fiscal_year;
    let lines = data::amounts(&loaded.lines);
    let s = figures::summary(n, &lines);
    let before: Option<&Vec<(String, i64)>> = loaded
        .years
        .iter()
        .find(|(y, _)| *y == year - 1)
        .map(|(_, l)| l);
    let was = before.map(|b| figures::summary(n, b));

    let revenue = figures::by_chapter(n, &lines, Direction::Revenue);
    let spending = figures::by_chapter(n, &lines, Direction::Spending);
    let functions = figures::by_function(n, &lines);
    let was_revenue = before.map(|b| figures::by_chapter(n, b, Direction::Revenue));
    let was_spending = before.map(|b| figures::by_chapter(n, b, Direction::Spending));
    let was_functions = before.map(|b| figures::by_function(n, b));

    let thousand: Vec<Value> = functions
        .iter()
        .zip(figures::per_thousand(
            &functions.iter().map(|g| g.amount).collect::<Vec<_>>(),
        ))
        .map(|(g, francs)| json!({ "key": g.key, "name": g.name(locale), "francs": francs }))
        .collect();

    let comparison_years = figures::across_years(n, &loaded.years);
    let comparison: Vec<Value> = comparison_years
        .iter()
        .map(|y| {
            let prior = comparison_years
                .iter()
                .find(|p| p.year == y.year - 1)
                .map(|p| Some(p.spending));
            json!({
                "year": y.year, "current": y.year == year,
                "revenue": w.money(y.revenue), "spending": w.money(y.spending),
                "change": w.change(prior, y.spending),
                "capital_share": percent(y.capital_share_bp, locale),
            })
        })
        .collect();

    let projects: Vec<Value> = loaded
        .lines
        .iter()
        .filter_map(|l| Some((l, l.project_id?)))
        .map(|(l, id)| {
            let p = loaded.projects.iter().find(|p| p.id == id);
            json!({
                "id": id, "title": l.label, "article": l.article,
                "anchor": line_anchor(Direction::Spending, &l.article),
                "amount": w.money(l.amount),
                "status": p.map_or("", |p| p.status.as_str()),
                "progress": p.map_or(0, |p| p.progress),
            })
        })
        .collect();

    let years: Vec<Value> = published
        .iter()
        .map(|(_, y)| json!({ "year": y, "current": *y == year }))
        .collect();
    let data = json!({
        "lang": locale.as_str(),
        "commune": crate::web::ctx::commune_json(commune),
        "doc": doc_json(doc),
        "year": year,
        "years": years,
        "previous": was.map(|_| year - 1),
        "totals": {
            "revenue": w.money(s.revenue),
            "spending": w.money(s.spending),
            "revenue_change": w.change(was.map(|p| Some(p.revenue)), s.revenue),
            "spending_change": w.change(was.map(|p| Some(p.spending)), s.spending),
            "operating_revenue": w.money(s.operating_revenue),
            "operating_spending": w.money(s.operating_spending),
            "capital_revenue": w.money(s.capital_revenue),
            "capital_spending": w.money(s.capital_spending),
            "transfer": w.money(s.transfer),
            "capital_share": percent(s.capital_share_bp, locale),
        },
        "thousand": thousand,
        "revenue": groups_json(&w, &revenue, was_revenue.as_deref(), s.revenue),
        "spending": groups_json(&w, &spending, was_spending.as_deref(), s.spending),
        "functions": groups_json(&w, &functions, was_functions.as_deref(), s.spending),
        "revenue_chart": chart(&w.t("budget.portal.revenue"), &w.t("budget.portal.revenue_desc"), &revenue, locale),
        "spending_chart": chart(&w.t("budget.portal.spending"), &w.t("budget.portal.spending_desc"), &spending, locale),
        "function_chart": chart(&w.t("budget.portal.functions"), &w.t("budget.portal.functions_desc"), &functions, locale),
        "projects": projects,
        "comparison": comparison,
        "lines_revenue": lines_json(&w, n, loaded, Direction::Revenue),
        "lines_spending": lines_json(&w, n, loaded, Direction::Spending),
    });
    let part = |name: &str| {
        state
            .hb
            .render(name, &data)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("template {name}: {e}")))
    };
    Ok(Rendered {
        head: part("pages/budget/portal_head")?,
        tail: part("pages/budget/portal_tail")?,
        published,
        made: Instant::now(),
        forecast: lines,
        execution: Mutex::new(None),
    })
}

async fn render(state: &AppState, ctx: &Ctx, year: Option<i64>) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?;
    let cid = commune.id;
    let (published, shown, collected) = state
        .db(move |conn| {
            let published = data::published_years(conn, cid)?;
            let shown = data::pick(&published, year);
            let collected = match shown {
                Some((_, y)) => execution::collected(conn, cid, y)?,
                None => Vec::new(),
            };
            Ok((published, shown, collected))
        })
        .await?;
    let Some((doc_id, _)) = shown else {
        return not_published(state, ctx, year, &published);
    };
    let locale = ctx.locale;
    let page = match state.portal.get(doc_id, locale, &published) {
        Some(page) => page,
        None => {
            let list = published.clone();
            let loaded = state
                .db(move |conn| Ok(data::load(conn, cid, doc_id, &list)?))
                .await?;
            let page = Arc::new(build(state, commune, locale, &loaded, published)?);
            state.portal.put(doc_id, locale, page.clone());
            page
        }
    };
    let execution = match page.execution_of(&collected) {
        Some(html) => html,
        None => {
            let html: Arc<str> = execution_part(state, commune, locale, &page, &collected)?.into();
            page.keep_execution(collected, html.clone());
            html
        }
    };
    // The layout alone goes through the templates; the parts are put in its place.
    let shell = ctx.render_string(
        state,
        "pages/budget/portal",
        "budget.portal.title",
        json!({ "doc": true, "body": BODY }),
    )?;
    let at = shell
        .find(BODY)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the portal's layout lost its body")))?;
    let mut html =
        String::with_capacity(shell.len() + page.head.len() + execution.len() + page.tail.len());
    html.push_str(&shell[..at]);
    html.push_str(&page.head);
    html.push_str(&execution);
    html.push_str(&page.tail);
    html.push_str(&shell[at + BODY.len()..]);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// Where the page's parts go in the layout.
const BODY: &str = "<!--portal-->";

/// The execution part: each revenue line's forecast against what was collected, the
/// rate of the commune's own revenue, and the place of spending execution.
fn execution_part(
    state: &AppState,
    commune: &Commune,
    locale: Locale,
    page: &Rendered,
    collected: &[(String, Xof)],
) -> AppResult<String> {
    let n = nomenclature::of(commune.country);
    let money = |v: i64| Xof(v).display(locale.as_str());
    let rows = execution::collections(n, &page.forecast, collected);
    let (forecast, got, rate) = figures::own_collection(n, &rows);
    let collections: Vec<Value> = rows
        .iter()
        .map(|c| {
            let planned = page.forecast.iter().any(|(a, _)| *a == c.article);
            json!({
                "article": c.article,
                "anchor": if planned { line_anchor(Direction::Revenue, &c.article) } else { String::new() },
                "name": n.article(&c.article).map_or("", |a| a.name(locale.as_str())),
                "forecast": money(c.forecast),
                "collected": money(c.collected),
                "rate": c.rate_bp.map(|bp| percent(bp, locale)),
            })
        })
        .collect();
    let data = json!({
        "lang": locale.as_str(),
        "collections": collections,
        "collection_total": {
            "forecast": money(forecast),
            "collected": money(got),
            "rate": rate.map(|bp| percent(bp, locale)),
        },
        // Spending execution (committed, ordered, paid per article) comes from its own
        // branch: set it to `{ rows, total }` as
        // `templates/pages/budget/portal_spending_execution.hbs` describes (and add
        // what it depends on to what `Rendered::execution_of` compares).
        "spending_execution": null,
    });
    state
        .hb
        .render("pages/budget/portal_execution", &data)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template portal_execution: {e}")))
}

/// No published budget: for a year, a 404 that names the years there are; for the
/// latest, a page that says none is published yet.
fn not_published(
    state: &AppState,
    ctx: &Ctx,
    year: Option<i64>,
    published: &[(DocumentId, i64)],
) -> AppResult<HttpResponse> {
    let years: Vec<i64> = published.iter().map(|(_, y)| *y).collect();
    let data = json!({ "doc": null, "missing_year": year, "years": years });
    if year.is_none() {
        return ctx.render(state, "pages/budget/portal", "budget.portal.title", data);
    }
    let html = ctx.render_string(state, "pages/budget/portal", "budget.portal.title", data)?;
    Ok(HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

fn doc_json(doc: &Document) -> Value {
    json!({
        "id": doc.id, "title": doc.title, "kind": doc.kind, "year": doc.fiscal_year,
        "voted_on": doc.voted_on, "deliberation": doc.deliberation,
        "votes_for": doc.votes_for, "votes_against": doc.votes_against,
        "abstentions": doc.abstentions, "approved_on": doc.approved_on,
        "approval_ref": doc.approval_ref, "published_at": doc.published_at,
        "sha256": doc.csv_sha256, "audit_seq": doc.audit_seq, "audit_head": doc.audit_head,
    })
}

pub async fn latest(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render(&state, &ctx, None).await
}

pub async fn year(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    render(&state, &ctx, Some(path.into_inner().1)).await
}

async fn published_of(state: &AppState, ctx: &Ctx, year: i64) -> AppResult<(Document, String)> {
    let cid = ctx.visitor.commune()?.id;
    let doc = state
        .db(move |conn| documents::published(conn, cid, Some(year))?.ok_or(AppError::NotFound))
        .await?;
    let csv = doc.published_csv.clone().ok_or(AppError::NotFound)?;
    Ok((doc, csv))
}

/// The published lines of the year as JSON, with the document they come from.
pub async fn json(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (doc, csv) = published_of(&state, &ctx, path.into_inner().1).await?;
    let rows = opendata::json_rows(&csv).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().json(json!({ "document": doc_json(&doc), "lines": rows })))
}

/// The Fiscal Data Package descriptor of the year's published CSV.
pub async fn datapackage(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let year = path.into_inner().1;
    let slug = ctx.visitor.commune()?.slug.clone();
    let name = ctx.visitor.commune()?.name.clone();
    let (doc, csv) = published_of(&state, &ctx, year).await?;
    let package = opendata::datapackage(
        &format!("{slug}-budget-{year}"),
        &format!("{} — {name}", doc.title),
        &format!("{}/{slug}/budget/{year}.csv", state.base_url),
        doc.csv_sha256.as_deref().unwrap_or(""),
        csv.len(),
    );
    Ok(HttpResponse::Ok().json(package))
}

/// The published CSV of the year, as it was hashed.
pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let year = path.into_inner().1;
    let slug = ctx.visitor.commune()?.slug.clone();
    let (_, body) = published_of(&state, &ctx, year).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{slug}-budget-{year}.csv\""),
        ))
        .body(body))
}

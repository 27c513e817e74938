//! The public budget portal: `/{commune}/budget` (the latest published budget),
//! `/{commune}/budget/{year}`, and the published CSV at `/{commune}/budget/{year}.csv`,
//! byte for byte the file whose SHA-256 the page shows. No login, no JavaScript.

use std::collections::BTreeMap;

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::budget::documents::{self, Document, Line};
use crate::budget::nomenclature::{self, Direction, Section};
use crate::budget::{execution, opendata};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::money::Xof;
use crate::web::charts::{self, Bar};
use crate::web::{AppState, Ctx};

/// The amounts of a direction, chapter by chapter: `(code, name, amount)`, largest first.
fn by_chapter(
    country: crate::communes::Country,
    lines: &[Line],
    direction: Direction,
    locale: Locale,
) -> Vec<(String, String, i64)> {
    let n = nomenclature::of(country);
    let mut sums: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for l in lines {
        let Some(article) = n.article(&l.article) else {
            continue;
        };
        if article.direction != direction || article.transfer {
            continue;
        }
        let Some(chapter) = n.chapter_of(article) else {
            continue;
        };
        let e = sums
            .entry(format!("{}-{}", chapter.section.as_str(), chapter.code))
            .or_insert_with(|| (chapter.name(locale.as_str()).to_string(), 0));
        e.1 += l.amount;
    }
    let mut out: Vec<(String, String, i64)> = sums
        .into_iter()
        .map(|(code, (name, amount))| (code, name, amount))
        .collect();
    out.sort_by_key(|(_, _, a)| -a);
    out
}

fn chapters_json(rows: &[(String, String, i64)], total: i64, locale: Locale) -> Vec<Value> {
    rows.iter()
        .map(|(code, name, amount)| {
            json!({
                "code": code, "name": name,
                "amount": Xof(*amount).display(locale.as_str()),
                "share_bp": if total > 0 { amount * 10_000 / total } else { 0 },
            })
        })
        .collect()
}

fn chart(title: &str, rows: &[(String, String, i64)], locale: Locale) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(_, name, amount)| Bar {
            label: name,
            value: *amount,
            value_text: Xof(*amount).display(locale.as_str()),
            strong: false,
        })
        .collect();
    charts::bars(title, &bars)
}

async fn render(state: &AppState, ctx: &Ctx, year: Option<i64>) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let cid = commune.id;
    let found = state
        .db(move |conn| {
            let Some(doc) = documents::published(conn, cid, year)? else {
                return Ok(None);
            };
            let lines = documents::lines(conn, doc.id)?;
            let years: Vec<i64> = documents::list(conn, cid)?
                .iter()
                .filter(|d| d.status == documents::Status::Published)
                .map(|d| d.fiscal_year)
                .collect();
            let collected = execution::collected(conn, cid, doc.fiscal_year)?;
            Ok(Some((doc, lines, years, collected)))
        })
        .await?;
    let Some((doc, lines, mut years, collected)) = found else {
        if year.is_some() {
            return Err(AppError::NotFound);
        }
        return ctx.render(
            state,
            "pages/budget/portal",
            "budget.portal.title",
            json!({ "doc": null }),
        );
    };
    years.dedup();
    let locale = ctx.locale;
    let money = |v: i64| Xof(v).display(locale.as_str());
    let t = documents::totals(&commune, &lines);
    let revenue = by_chapter(commune.country, &lines, Direction::Revenue, locale);
    let spending = by_chapter(commune.country, &lines, Direction::Spending, locale);
    // The whole budget, the transfer counted once.
    let total_revenue = t.operating_revenue + t.capital_revenue - t.transfer_in;
    let total_spending = t.operating_spending + t.capital_spending - t.transfer_out;
    let projects: Vec<Value> = lines
        .iter()
        .filter(|l| l.project_id.is_some())
        .map(|l| json!({ "label": l.label, "amount": money(l.amount), "project": l.project_id }))
        .collect();
    let n = nomenclature::of(commune.country);
    let forecast: Vec<(String, i64)> = lines
        .iter()
        .map(|l| (l.article.clone(), l.amount))
        .collect();
    let collections: Vec<Value> = execution::collections(n, &forecast, &collected)
        .iter()
        .map(|c| {
            json!({
                "article": c.article,
                "name": n.article(&c.article).map(|a| a.name(locale.as_str())),
                "forecast": money(c.forecast),
                "collected": money(c.collected),
                "rate": c.rate_bp.map(|bp| crate::web::templates::percent(bp, locale)),
            })
        })
        .collect();
    let capital = lines
        .iter()
        .filter(|l| {
            n.article(&l.article).is_some_and(|a| {
                a.section == Section::Capital && a.direction == Direction::Spending
            })
        })
        .map(|l| l.amount)
        .sum::<i64>();
    ctx.render(
        state,
        "pages/budget/portal",
        "budget.portal.title",
        json!({
            "doc": doc_json(&doc),
            "year": doc.fiscal_year,
            "years": years,
            "totals": {
                "revenue": money(total_revenue),
                "spending": money(total_spending),
                "operating_revenue": money(t.operating_revenue),
                "operating_spending": money(t.operating_spending),
                "capital_revenue": money(t.capital_revenue),
                "capital_spending": money(t.capital_spending),
                "transfer": money(t.transfer_out),
                "capital_share_bp": if total_spending > 0 { capital * 10_000 / total_spending } else { 0 },
            },
            "revenue": chapters_json(&revenue, total_revenue, locale),
            "spending": chapters_json(&spending, total_spending, locale),
            "revenue_chart": chart(&ctx.t(state, "budget.portal.revenue"), &revenue, locale),
            "spending_chart": chart(&ctx.t(state, "budget.portal.spending"), &spending, locale),
            "projects": projects,
            "collections": collections,
        }),
    )
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

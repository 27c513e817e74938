//! Budget execution, `/{commune}/spending/{year}`: each spending article's credit and
//! what was committed, ordered and paid on it, the records, and the forms of whoever may
//! use them. The finance officer (the ordonnateur's services) records commitments,
//! mandats and revenue titles, by form or CSV, and produces the compte administratif;
//! the treasurer (the comptable) pays the mandats.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::accounts::{authz, Perm};
use crate::budget::nomenclature::{self, Direction};
use crate::budget::spending::{self, Record, RecordKind};
use crate::budget::{account, spending_import};
use crate::error::{AppError, AppResult, Refusal};
use crate::fields;
use crate::ids::OrderId;
use crate::tabular::import::{Options, Outcome};
use crate::tabular::CsvSource;
use crate::web::pages::revenue::imports::read_upload;
use crate::web::pages::{field_messages, with_status};
use crate::web::{AppState, Ctx};

/// A record as typed in one of the page's forms (each sends the fields it has).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RecordForm {
    pub reference: String,
    pub date: String,
    pub article: String,
    pub amount: String,
    pub label: String,
    pub commitment: String,
}

const FIELDS: &[&str] = &[
    "reference",
    "date",
    "article",
    "amount",
    "label",
    "commitment",
];

#[derive(Deserialize)]
pub struct PayForm {
    date: String,
}

/// The account's form names its year again: an empty post produces nothing.
#[derive(Deserialize)]
pub struct AccountForm {
    year: String,
}

/// What the page shows besides the figures: a refused form with its values and
/// reasons, the report of a refused file, or a refusal about the page as a whole.
#[derive(Default)]
struct Shown {
    form: Option<(RecordKind, RecordForm, Vec<Refusal>)>,
    import: Option<Value>,
    message: Option<Refusal>,
}

fn year_of(year: i64) -> AppResult<i64> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::NotFound)
    }
}

fn page_href(ctx: &Ctx, year: i64) -> AppResult<String> {
    Ok(format!("/{}/spending/{year}", ctx.visitor.commune()?.slug))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let year = year_of(path.into_inner().1)?;
    render(&state, &ctx, year, Shown::default(), StatusCode::OK).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    year: i64,
    shown: Shown,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let c = commune.clone();
    let (rows, commitments, orders, titles) = state
        .db(move |conn| {
            Ok((
                spending::by_article(conn, &c, year)?,
                spending::commitments(conn, c.id, year)?,
                spending::orders(conn, c.id, year)?,
                spending::titles(conn, c.id, year)?,
            ))
        })
        .await?;
    let locale = ctx.locale.as_str();
    let n = nomenclature::of(commune.country);
    let name = |code: &str| {
        n.article(code)
            .map(|a| a.name(locale).to_string())
            .unwrap_or_default()
    };
    let sum = |f: fn(&spending::Execution) -> i64| rows.iter().map(f).sum::<i64>();
    let totals = json!({
        "credit": sum(|r| r.credit), "committed": sum(|r| r.committed),
        "ordered": sum(|r| r.ordered), "paid": sum(|r| r.paid), "available": sum(|r| r.available()),
    });
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| json!({ "article": r.article, "name": name(&r.article), "credit": r.credit,
            "committed": r.committed, "ordered": r.ordered, "paid": r.paid, "available": r.available() }))
        .collect();
    let ordered_on = |id| {
        orders
            .iter()
            .filter(|o| o.commitment_id == id)
            .map(|o| o.amount)
            .sum::<i64>()
    };
    let commitment_list: Vec<Value> = commitments
        .iter()
        .map(|c| {
            let ordered = ordered_on(c.id);
            json!({ "reference": c.reference, "date": c.committed_on.to_string(), "article": c.article,
                "label": c.label, "amount": c.amount, "ordered": ordered, "remaining": c.amount - ordered })
        })
        .collect();
    let can_pay = authz::allows(Perm::Treasury, &ctx.visitor.roles);
    let order_list: Vec<Value> = orders
        .iter()
        .map(|o| {
            let c = commitments.iter().find(|c| c.id == o.commitment_id);
            json!({ "id": o.id, "number": o.number, "date": o.ordered_on.to_string(),
                "commitment": c.map(|c| c.reference.as_str()).unwrap_or(""),
                "article": c.map(|c| c.article.as_str()).unwrap_or(""), "amount": o.amount,
                "paid_on": o.paid_on.map(|d| d.to_string()), "payable": can_pay && o.paid_on.is_none() })
        })
        .collect();
    let title_list: Vec<Value> = titles
        .iter()
        .map(|t| {
            json!({ "reference": t.reference, "date": t.issued_on.to_string(), "article": t.article,
            "name": name(&t.article), "label": t.label, "amount": t.amount })
        })
        .collect();
    let articles = |direction: Direction| -> Vec<Value> {
        n.articles()
            .filter(|a| a.direction == direction && !a.transfer)
            .map(|a| json!({ "code": a.code, "name": a.name(locale) }))
            .collect()
    };
    let form_of = |kind: RecordKind| -> Value {
        let (form, errors) = match &shown.form {
            Some((k, f, e)) if *k == kind => (f.clone(), e.as_slice()),
            _ => (RecordForm::default(), &[][..]),
        };
        json!({ "values": form, "errors": field_messages(FIELDS, errors, &state.catalog, ctx.locale) })
    };
    let data = json!({
        "year": year, "today": commune.today().to_string(), "rows": rows, "totals": totals,
        "commitments": commitment_list, "orders": order_list, "titles": title_list,
        "can_record": authz::allows(Perm::DraftBudget, &ctx.visitor.roles), "can_pay": can_pay,
        "spending_articles": articles(Direction::Spending), "revenue_articles": articles(Direction::Revenue),
        "commitment_form": form_of(RecordKind::Commitment), "order_form": form_of(RecordKind::Order),
        "title_form": form_of(RecordKind::Title), "import": shown.import,
        "message": shown.message.map(|m| m.message(&state.catalog, ctx.locale)),
        "example": spending_import::EXAMPLE, "href": page_href(ctx, year)?,
    });
    let html = ctx.render_string(state, "pages/budget/spending", "spending.page.title", data)?;
    Ok(with_status(status, html))
}

/// The form's values as a record: the date and the amount parsed, each refusal on its
/// field.
fn parse(form: &RecordForm) -> Result<Record, AppError> {
    let mut errors = Vec::new();
    let on = fields::date(&form.date)
        .map_err(|r| errors.push(r.on("date")))
        .ok();
    let amount = fields::amount(&form.amount)
        .map_err(|r| errors.push(r.on("amount")))
        .ok();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Record {
        reference: form.reference.clone(),
        on,
        article: form.article.clone(),
        amount: amount.unwrap_or_default(),
        label: form.label.clone(),
        commitment: form.commitment.clone(),
    })
}

async fn record(
    state: web::Data<AppState>,
    ctx: Ctx,
    year: i64,
    kind: RecordKind,
    form: RecordForm,
) -> AppResult<HttpResponse> {
    let year = year_of(year)?;
    let commune = ctx.visitor.commune()?.clone();
    let actor = ctx.actor()?;
    let typed = form.clone();
    let done = state
        .write(move |conn| -> AppResult<()> {
            let r = parse(&typed)?;
            Ok(spending::record(conn, &commune, year, kind, &r, &actor)?)
        })
        .await;
    match done {
        Ok(()) => {
            let key = match kind {
                RecordKind::Commitment => "spending.flash.committed",
                RecordKind::Order => "spending.flash.ordered",
                RecordKind::Title => "spending.flash.titled",
            };
            Ok(ctx.redirect_with(&page_href(&ctx, year)?, "ok", key))
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            let shown = Shown {
                form: Some((kind, form, errors)),
                ..Shown::default()
            };
            render(&state, &ctx, year, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn create_commitment(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<RecordForm>,
) -> AppResult<HttpResponse> {
    let year = path.into_inner().1;
    record(state, ctx, year, RecordKind::Commitment, form.into_inner()).await
}

pub async fn create_order(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<RecordForm>,
) -> AppResult<HttpResponse> {
    let year = path.into_inner().1;
    record(state, ctx, year, RecordKind::Order, form.into_inner()).await
}

pub async fn create_title(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<RecordForm>,
) -> AppResult<HttpResponse> {
    let year = path.into_inner().1;
    record(state, ctx, year, RecordKind::Title, form.into_inner()).await
}

/// A refusal about the page as a whole, shown above it (422); any other error answered.
async fn refused_page(
    state: &AppState,
    ctx: &Ctx,
    year: i64,
    e: AppError,
) -> AppResult<HttpResponse> {
    let message = match e {
        AppError::Refused(r) => r,
        AppError::Invalid(list) => list
            .into_iter()
            .next()
            .unwrap_or_else(|| Refusal::new("error.bad_request")),
        other => return Err(other),
    };
    let shown = Shown {
        message: Some(message),
        ..Shown::default()
    };
    render(state, ctx, year, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub async fn pay_order(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
    form: web::Form<PayForm>,
) -> AppResult<HttpResponse> {
    let (_, year, order) = path.into_inner();
    let year = year_of(year)?;
    let commune = ctx.visitor.commune()?.clone();
    let actor = ctx.actor()?;
    let date = form.into_inner().date;
    let done = state
        .write(move |conn| -> AppResult<()> {
            let on = fields::date(&date).map_err(|r| r.on("date"))?;
            Ok(spending::pay(
                conn,
                &commune,
                year,
                OrderId(order),
                on,
                &actor,
            )?)
        })
        .await;
    match done {
        Ok(()) => Ok(ctx.redirect_with(&page_href(&ctx, year)?, "ok", "spending.flash.paid")),
        Err(e) => refused_page(&state, &ctx, year, e).await,
    }
}

pub async fn draft_account(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<AccountForm>,
) -> AppResult<HttpResponse> {
    let year = year_of(path.into_inner().1)?;
    if super::super::form_id(&form.year)? != year {
        return Err(AppError::BadRequest("error.bad_request"));
    }
    let commune = ctx.visitor.commune()?.clone();
    let (c, actor) = (commune.clone(), ctx.actor()?);
    let done = state
        .write(move |conn| account::draft_account(conn, &c, year, &actor))
        .await;
    match done {
        Ok(doc) => Ok(ctx.redirect_with(
            &format!("/{}/budgets/{doc}", commune.slug),
            "ok",
            "spending.flash.account",
        )),
        Err(e) => refused_page(&state, &ctx, year, e).await,
    }
}

pub async fn upload(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let year = year_of(path.into_inner().1)?;
    let commune = ctx.visitor.commune()?.clone();
    let actor = ctx.actor()?;
    let up = read_upload(payload).await?;
    if up.file_name.is_empty() {
        return refused_page(
            &state,
            &ctx,
            year,
            Refusal::new("imports.choose_file").into(),
        )
        .await;
    }
    let outcome = state
        .db(move |conn| {
            let path = up.file.path();
            let opts = Options {
                file_name: up.file_name.clone(),
                ..Options::for_file(path, false)?
            };
            Ok(match CsvSource::open(path) {
                Ok(source) => spending_import::import(conn, &commune, year, source, &opts, &actor)?,
                Err(issue) => Outcome::rejected(issue),
            })
        })
        .await?;
    match outcome {
        Outcome::Applied(..) => {
            Ok(ctx.redirect_with(&page_href(&ctx, year)?, "ok", "spending.flash.imported"))
        }
        Outcome::Rejected(report) => {
            let issues: Vec<Value> = report
                .issues()
                .iter()
                .map(|i| {
                    json!({ "line": i.line, "column": i.column, "value": i.value,
                    "reason": i.message(&state.catalog, ctx.locale) })
                })
                .collect();
            let shown = Shown {
                import: Some(
                    json!({ "issues": issues, "problems": report.len(), "dropped": report.dropped() }),
                ),
                ..Shown::default()
            };
            render(&state, &ctx, year, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

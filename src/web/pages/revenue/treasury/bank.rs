//! The bank's statements: the upload (all or nothing, every bad line reported), the
//! statements imported, one statement's lines with what each matched, and the lines that
//! matched nothing, with why.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::super::imports::{issue_rows, read_upload};
use super::super::with_status;
use crate::error::{AppError, AppResult};
use crate::i18n::Arg;
use crate::ids::ImportId;
use crate::revenue::treasury::bank::{self, Line, Matched};
use crate::tabular::import::{Options, Outcome};
use crate::tabular::CsvSource;
use crate::web::{AppState, Ctx};

/// How many statements and unmatched lines the page lists.
const LIST: i64 = 100;
/// The most lines one statement's page shows.
const LINES: i64 = 5_000;

/// A small statement the page shows as an example.
pub const EXAMPLE: &str = "date,reference,amount,label\n\
2026-11-30,VER-DKP-2026-000001,45000,VERSEMENT ESPECES REGIE\n\
2026-11-30,MP261130.0915.B52011,13000,WAVE SENEGAL REGLEMENT\n\
2026-11-30,,-2500,FRAIS DE TENUE DE COMPTE\n";

/// `GET /{commune}/treasury/bank`.
pub async fn show(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render(&state, &ctx, Value::Null, StatusCode::OK).await
}

/// The page, with the report of a refused file when there is one.
async fn render(
    state: &AppState,
    ctx: &Ctx,
    rejected: Value,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (statements, unmatched) = state
        .db(move |conn| {
            Ok((
                bank::statements(conn, cid, None, LIST)?,
                bank::lines(conn, cid, None, LIST)?,
            ))
        })
        .await?;
    let unmatched = described(state, ctx, unmatched);
    let html = ctx.render_string(
        state,
        "pages/treasury/bank",
        "bank.title",
        json!({
            "statements": statements,
            "unmatched": unmatched,
            "rejected": rejected,
            "example": EXAMPLE,
        }),
    )?;
    Ok(with_status(status, html))
}

/// Each line with what it matched, or why not, in the visitor's language.
fn described(state: &AppState, ctx: &Ctx, lines: Vec<Line>) -> Vec<Value> {
    lines
        .into_iter()
        .map(|l| {
            let why = match (l.matched, l.reason) {
                (Matched::Unmatched, Some(reason)) => {
                    let expected = Arg::Money(l.expected.unwrap_or_default());
                    let key = format!("bank.reason.{reason}");
                    state
                        .catalog
                        .text(ctx.locale, &key, [("expected", &expected)])
                }
                _ => String::new(),
            };
            json!({ "line": l, "why": why })
        })
        .collect()
}

/// `POST /{commune}/treasury/bank`: imports a statement, then shows its lines.
pub async fn upload(
    state: web::Data<AppState>,
    ctx: Ctx,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let slug = commune.slug.clone();
    let actor = ctx.actor()?;
    let up = read_upload(payload).await?;
    if up.file_name.is_empty() {
        return Err(AppError::Refused(crate::error::Refusal::new(
            "bank.choose_file",
        )));
    }
    let outcome = state
        .db(move |conn| {
            let path = up.file.path();
            let opts = Options {
                file_name: up.file_name.clone(),
                ..Options::for_file(path, false)?
            };
            Ok(match CsvSource::open(path) {
                Ok(source) => bank::import(conn, &commune, source, &opts, &actor)?,
                Err(issue) => Outcome::rejected(issue),
            })
        })
        .await?;
    match outcome {
        Outcome::Applied(applied, _) => Ok(ctx.redirect_with(
            &format!("/{slug}/treasury/bank/{}", applied.import.0),
            "ok",
            "bank.imported",
        )),
        Outcome::Rejected(report) => {
            let issues = issue_rows(&report, &state.catalog, ctx.locale);
            let rejected =
                json!({ "issues": issues, "problems": report.len(), "dropped": report.dropped() });
            render(&state, &ctx, rejected, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /{commune}/treasury/bank/{statement}`: one statement's lines.
pub async fn statement(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = ImportId(path.into_inner().1);
    let cid = ctx.visitor.commune()?.id;
    let (found, lines) = state
        .db(move |conn| {
            Ok((
                bank::statements(conn, cid, Some(id), 1)?,
                bank::lines(conn, cid, Some(id), LINES)?,
            ))
        })
        .await?;
    let found = found.into_iter().next().ok_or(AppError::NotFound)?;
    let lines = described(&state, &ctx, lines);
    ctx.render(
        &state,
        "pages/treasury/statement",
        "bank.statement_title",
        json!({ "statement": found, "lines": lines }),
    )
}

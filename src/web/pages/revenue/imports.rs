//! The finance officer's imports: upload a taxpayer, item or State roll file, see what
//! was done or the report of every bad row; past imports; CSV exports.

use std::io::Write;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use serde_json::json;

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::revenue::imports::{self, Options, Outcome, What};
use crate::revenue::{exports, rolls, tax_types};
use crate::tabular::import::recent;
use crate::tabular::write::ChunkWriter;
use crate::tabular::{CsvSource, Report};
use crate::web::{AppState, Ctx};

/// Uploads above this size are refused; the command line takes any size.
const MAX_UPLOAD: usize = 100 * 1024 * 1024;

pub async fn show_imports(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = commune.id;
    let (past, taxes) = state
        .db(move |conn| {
            let taxes: Vec<_> = tax_types::list(conn, id)?
                .into_iter()
                .filter(|t| t.tax.assessed_by_state())
                .collect();
            Ok((recent(conn, id, 50)?, taxes))
        })
        .await?;
    let year = chrono::Datelike::year(&commune.today());
    ctx.render(
        &state,
        "pages/imports/index",
        "imports.title",
        json!({ "past": past, "state_taxes": taxes, "year": year }),
    )
}

/// The form's fields and the uploaded file, saved to a temporary file as it arrives.
/// An uploaded CSV file and the form's other fields (also read by the voter register's
/// upload).
pub(crate) struct Upload {
    pub(crate) kind: String,
    pub(crate) update: bool,
    pub(crate) tax: String,
    pub(crate) year: String,
    pub(crate) file_name: String,
    pub(crate) file: tempfile::NamedTempFile,
}

pub(crate) async fn read_upload(mut payload: Multipart) -> AppResult<Upload> {
    let mut up = Upload {
        kind: String::new(),
        update: false,
        tax: String::new(),
        year: String::new(),
        file_name: String::new(),
        file: tempfile::NamedTempFile::new()?,
    };
    let mut size = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::BadRequest("error.bad_request"))?;
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            up.file_name = field
                .content_disposition()
                .and_then(|d| d.get_filename().map(str::to_string))
                .unwrap_or_else(|| "upload.csv".into());
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| AppError::BadRequest("error.bad_request"))?;
                size += chunk.len();
                if size > MAX_UPLOAD {
                    return Err(AppError::BadRequest("error.too_large"));
                }
                up.file.write_all(&chunk)?;
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::BadRequest("error.bad_request"))?;
            if value.len() + chunk.len() > 1_024 {
                return Err(AppError::BadRequest("error.bad_request"));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8_lossy(&value).trim().to_string();
        match name.as_str() {
            "kind" => up.kind = value,
            "update" => up.update = !value.is_empty(),
            "tax" => up.tax = value,
            "year" => up.year = value,
            _ => {}
        }
    }
    up.file.flush()?;
    Ok(up)
}

pub async fn upload(
    state: web::Data<AppState>,
    ctx: Ctx,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let actor = ctx.actor()?;
    let up = read_upload(payload).await?;
    if up.file_name.is_empty() {
        return Err(AppError::Refused(crate::error::Refusal::new(
            "imports.choose_file",
        )));
    }
    let what = What::from_form(&up.kind, &up.tax, &up.year)?;
    let kind = what.kind();
    let file_name = up.file_name.clone();
    let outcome = state
        .db(move |conn| {
            let path = up.file.path();
            let opts = Options {
                update: up.update,
                file_name: up.file_name.clone(),
                ..Options::for_file(path, up.update)?
            };
            Ok(match CsvSource::open(path) {
                Ok(source) => imports::run(conn, &commune, &what, source, &opts, &actor)?,
                Err(issue) => Outcome::rejected(issue),
            })
        })
        .await?;
    render_outcome(&state, &ctx, kind, &file_name, outcome)
}

/// Each issue of a refused file, as the report tables show it.
pub(crate) fn issue_rows(
    report: &Report,
    catalog: &crate::i18n::Catalog,
    locale: crate::i18n::Locale,
) -> Vec<serde_json::Value> {
    report
        .issues()
        .iter()
        .map(|i| json!({ "line": i.line, "column": i.column, "value": i.value, "reason": i.message(catalog, locale) }))
        .collect()
}

pub(crate) fn render_outcome(
    state: &AppState,
    ctx: &Ctx,
    kind: &str,
    file_name: &str,
    outcome: Outcome,
) -> AppResult<HttpResponse> {
    let catalog = &state.catalog;
    let (status, data) = match &outcome {
        Outcome::Applied(applied, notes) => (
            actix_web::http::StatusCode::OK,
            json!({ "applied": applied, "issues": [], "dropped": 0, "problems": 0,
                    "notes": issue_rows_notes(notes, catalog, ctx), "kind_key": format!("imports.kind.{kind}"), "file": file_name }),
        ),
        Outcome::Rejected(report) => (
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "applied": null, "issues": issue_rows(report, catalog, ctx.locale), "dropped": report.dropped(), "problems": report.len(),
                    "notes": issue_rows_notes(report, catalog, ctx), "kind_key": format!("imports.kind.{kind}"), "file": file_name }),
        ),
    };
    let html = ctx.render_string(state, "pages/imports/result", "imports.result_title", data)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

fn issue_rows_notes(report: &Report, catalog: &crate::i18n::Catalog, ctx: &Ctx) -> Vec<String> {
    report
        .notes()
        .iter()
        .map(|n| n.message(catalog, ctx.locale))
        .collect()
}

/// Sends a CSV download as it is written: `write` runs on a blocking thread with a pooled
/// connection, in one snapshot, and its output leaves in 64 KiB chunks, so a register of
/// a million taxpayers never sits in memory. A reader who hangs up stops the export.
fn csv_stream<F>(state: &AppState, name: &str, write: F) -> HttpResponse
where
    F: FnOnce(&mut DbConn, &mut ChunkWriter) -> anyhow::Result<u64> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let pool = state.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter::new(tx.clone());
        let result = pool
            .get()
            .map_err(anyhow::Error::from)
            .and_then(|mut conn| db::snapshot(&mut conn, |c| write(c, &mut out)))
            .and_then(|_| Ok(out.flush()?));
        if let Err(e) = result {
            if !tx.is_closed() {
                tracing::error!(error = %e, "export failed");
                let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (chunk.map(web::Bytes::from), rx))
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body)
}

pub async fn export_taxpayers(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = commune.id;
    Ok(csv_stream(
        &state,
        &format!("{}-taxpayers.csv", commune.slug),
        move |conn, out| exports::taxpayers(conn, id, out),
    ))
}

pub async fn export_roll(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (_, roll) = path.into_inner();
    let id = commune.id;
    let (roll, tax) = state
        .db(move |conn| {
            let roll = rolls::by_id(conn, id, crate::ids::RollId(roll))?;
            let tax = tax_types::by_id(conn, id, roll.tax_type_id)?;
            Ok((roll, tax))
        })
        .await?;
    let name = format!("{}-{}-{}.csv", commune.slug, tax.code, roll.fiscal_year);
    Ok(csv_stream(&state, &name, move |conn, out| {
        exports::roll(conn, &roll, out)
    }))
}

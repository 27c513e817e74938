//! Revenue's pages: the finance officer's (the *ordonnateur*: the register and
//! accounts, notices, duplicates, tax types, rolls, adjustments, penalties, imports and
//! exports) and the collector's counter. Every handler parses, calls the revenue domain
//! in one `state.db` or `state.write` closure, and renders or redirects.

pub mod adjustments;
pub mod collect;
pub mod dashboard;
pub mod duplicates;
mod forms;
pub mod imports;
pub mod items;
pub mod notice;
pub mod penalties;
pub mod register;
pub mod rolls;
pub mod taxes;
pub mod taxpayer;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::communes::Commune;
use crate::error::{AppError, AppResult};

/// `/{commune}/finance` followed by `rest`.
fn href(commune: &Commune, rest: &str) -> String {
    format!("/{}/finance{rest}", commune.slug)
}

/// A page rendered with another status than 200 (a form refused is a 422).
pub(crate) fn with_status(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// An id from a form field: a malformed one is a bad request.
pub(crate) fn form_id(value: &str) -> AppResult<i64> {
    value
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("error.bad_request"))
}

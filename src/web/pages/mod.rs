//! Handlers, one file per area. Each parses, calls the domain, and renders.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod budget;
pub mod collectors;
pub mod participation;
pub mod public;
pub mod revenue;
pub mod spaces;
pub mod subscriptions;
pub mod system;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult, Refusal};
use crate::i18n::{Catalog, Locale};

/// One entry per field of the form (strict templates name them all): the message in
/// the visitor's language, or null.
pub fn field_messages(
    all: &[&str],
    errors: &[Refusal],
    catalog: &Catalog,
    locale: Locale,
) -> Value {
    let mut out: Map<String, Value> = all.iter().map(|f| (f.to_string(), Value::Null)).collect();
    for refusal in errors {
        let field = refusal.field.unwrap_or("");
        out.insert(
            field.to_string(),
            Value::String(refusal.message(catalog, locale)),
        );
    }
    Value::Object(out)
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

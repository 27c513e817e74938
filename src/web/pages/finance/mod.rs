//! The finance officer's pages (the *ordonnateur*): the taxpayer register and accounts,
//! notices, duplicates, tax types, rolls, adjustments and penalties. Every handler
//! parses, calls the revenue domain in one `state.db` or `state.write` closure, and
//! renders or redirects.

pub mod adjustments;
pub mod dashboard;
pub mod duplicates;
mod forms;
pub mod items;
pub mod notice;
pub mod penalties;
pub mod register;
pub mod rolls;
pub mod taxes;
pub mod taxpayer;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{NaiveDate, Utc};

use crate::communes::{Commune, Country};
use crate::error::{AppError, AppResult};
use crate::revenue::adjustments::AdjustError;
use crate::revenue::rolls::RollError;
use crate::revenue::taxpayers::MergeError;

/// `/{commune}/finance` followed by `rest`.
fn href(commune: &Commune, rest: &str) -> String {
    format!("/{}/finance{rest}", commune.slug)
}

/// Today in the commune's time zone (Dakar is on UTC, Porto-Novo an hour ahead).
pub(crate) fn today(commune: &Commune) -> NaiveDate {
    let now = Utc::now();
    match commune.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

fn country(commune: &Commune) -> AppResult<Country> {
    Country::parse(&commune.country).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("commune {} has no country", commune.slug))
    })
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

impl From<RollError> for AppError {
    fn from(e: RollError) -> Self {
        match e {
            RollError::Db(e) => e.into(),
            other => AppError::Unprocessable(other.message_key()),
        }
    }
}

impl From<AdjustError> for AppError {
    fn from(e: AdjustError) -> Self {
        match e {
            AdjustError::Db(e) => e.into(),
            other => AppError::Unprocessable(other.message_key()),
        }
    }
}

impl From<MergeError> for AppError {
    fn from(e: MergeError) -> Self {
        match e {
            MergeError::Db(e) => e.into(),
            other => AppError::Unprocessable(other.message_key()),
        }
    }
}

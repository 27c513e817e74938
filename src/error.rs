//! The one error type of the web layer.
//!
//! Policy (after crates.io's `util/errors.rs`):
//! - model and domain code returns `QueryResult` or its own small error enum;
//! - handlers return [`AppResult`]; `diesel::NotFound` becomes 404, any other database
//!   error becomes 500 and is logged, never shown;
//! - a malformed request is [`AppError::BadRequest`] (400); a well-formed request that
//!   the domain refuses (an issued roll, the same person approving twice) is
//!   [`AppError::Unprocessable`] (422) and rolls the write transaction back; a form with
//!   a bad field is rendered again by its handler, with a 422 status;
//! - the response body is chosen later, by [`crate::web::errors`]: an HTML page in the
//!   visitor's language, or JSON for `/api/` routes;
//! - CLI code uses `anyhow` and prints one line.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// A message key of the i18n catalogue, shown to the user.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// A request the domain refuses; a message key of the i18n catalogue.
    #[error("refused: {0}")]
    Unprocessable(&'static str),
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The stable code used in JSON errors and to pick the message in a page.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unprocessable(_) => "refused",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// The i18n key of the message shown to the user.
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::BadRequest(key) | AppError::Unprocessable(key) => key,
            other => match other.code() {
                "not_found" => "error.not_found",
                "unauthenticated" => "error.unauthenticated",
                "forbidden" => "error.forbidden",
                "csrf" => "error.csrf",
                "rate_limited" => "error.rate_limited",
                _ => "error.internal",
            },
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Internal(anyhow::Error::new(other).context("database error")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("no database connection"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

/// Carried in the response so that the error-page middleware can render it.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message_key: &'static str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        if let AppError::RateLimited { retry_after_secs } = self {
            res.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        let mut res = res.body(self.code());
        res.extensions_mut().insert(ErrorInfo {
            code: self.code(),
            message_key: self.message_key(),
        });
        res
    }
}

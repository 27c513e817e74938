//! Errors, and the one path from each to what the user sees.
//!
//! **The policy** (after crates.io's `util/errors.rs`):
//! 1. Model code returns `QueryResult`. A domain function that can refuse returns
//!    [`DomainResult`]: a [`Refusal`] (a message key of the catalogue with its
//!    arguments, and the form field it concerns, if any) or a database error.
//!    Nothing else: one type for every refusal of every domain.
//! 2. Handlers return [`AppResult`]. Everything becomes an [`AppError`] through `From`,
//!    with `?`, in one place:
//!    - a [`Refusal`] is **422**, and rolls the write transaction back
//!      ([`crate::web::AppState::write`] is generic over the error type, so a closure
//!      returns the domain's own result);
//!    - `diesel::NotFound` is **404**; any other database error is **500**, logged,
//!      never shown;
//!    - a request no page of ours would send (a missing field, an id that is not a
//!      number, a choice that was not offered) is **400** ([`AppError::BadRequest`]);
//!    - a form whose fields are refused is **422** with every reason
//!      ([`AppError::Invalid`]); its handler shows the form again with each reason
//!      beside its field ([`AppError::into_field_errors`]);
//!    - 401, 403, 429 come from the guard, the CSRF check and the limiters.
//! 3. The body is chosen once, by [`crate::web::errors`]: a page in the visitor's
//!    language, or JSON under `/api/`.
//! 4. The command line uses `anyhow`; a refusal is printed as its message, in the
//!    terminal's language, on one line.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};

use crate::i18n::{Arg, Catalog, Locale};

/// Why the domain refuses a well-formed request (or a value is refused): a message key
/// of the catalogue, its arguments, and the form field it concerns, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
    pub field: Option<&'static str>,
}

impl Refusal {
    pub fn new(key: &'static str) -> Refusal {
        Refusal {
            key,
            args: Vec::new(),
            field: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Refusal {
        self.args.push((name, value.into()));
        self
    }

    /// The form field this refusal is about.
    pub fn on(mut self, field: &'static str) -> Refusal {
        self.field = Some(field);
        self
    }

    /// The reason in the reader's language.
    pub fn message(&self, catalog: &Catalog, locale: Locale) -> String {
        catalog.text(locale, self.key, self.args.iter().map(|(k, v)| (*k, v)))
    }

    /// The argument named `name`, if given.
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

impl std::fmt::Display for Refusal {
    /// For logs and tests: `payment.above_balance balance=Money(Xof(25000))`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)?;
        for (k, v) in &self.args {
            write!(f, " {k}={v:?}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// What a domain function that can refuse returns.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A whole form refused, with every reason (each names its field).
    #[error("refused: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Refusal>),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl From<Refusal> for DomainError {
    fn from(r: Refusal) -> Self {
        DomainError::Refused(r)
    }
}

impl DomainError {
    /// The refusal, if this is one (tests and the command line).
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            DomainError::Refused(r) => Some(r),
            DomainError::Invalid(list) => list.first(),
            DomainError::Db(_) => None,
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthenticated,
    /// A route that needs a personal API token ([`crate::accounts::Access::Bearer`]) was
    /// called without a live one: none (`given` false), or unknown, revoked, or held by
    /// an account that may no longer hold it. A 401 with `WWW-Authenticate: Bearer`.
    #[error("missing or invalid API token")]
    BadToken { given: bool },
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// A request no page of ours would send; a message key of the catalogue.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// A request the domain refuses.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A form whose fields are refused, each with its reason.
    #[error("invalid form ({} fields)", .0.len())]
    Invalid(Vec<Refusal>),
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
            AppError::Unauthenticated | AppError::BadToken { .. } => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::Refused(_) | AppError::Invalid(_) => "refused",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to the user: a key of the catalogue and its arguments.
    pub fn message(&self) -> Refusal {
        match self {
            AppError::Refused(r) => r.clone(),
            AppError::Invalid(list) => list
                .first()
                .cloned()
                .unwrap_or_else(|| Refusal::new("error.bad_request")),
            AppError::BadRequest(key) => Refusal::new(key),
            AppError::NotFound => Refusal::new("error.not_found"),
            AppError::Unauthenticated => Refusal::new("error.unauthenticated"),
            AppError::BadToken { .. } => Refusal::new("error.bad_token"),
            AppError::Forbidden => Refusal::new("error.forbidden"),
            AppError::Csrf => Refusal::new("error.csrf"),
            AppError::RateLimited { .. } => Refusal::new("error.rate_limited"),
            AppError::Internal(_) => Refusal::new("error.internal"),
        }
    }

    /// The refusals a form shows beside its fields: those of an invalid form, or a
    /// domain refusal about one field. Any other error is given back, to be answered.
    pub fn into_field_errors(self) -> Result<Vec<Refusal>, AppError> {
        match self {
            AppError::Invalid(list) => Ok(list),
            AppError::Refused(r) if r.field.is_some() => Ok(vec![r]),
            other => Err(other),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Refused(r) => AppError::Refused(r),
            DomainError::Invalid(list) => AppError::Invalid(list),
            DomainError::Db(e) => e.into(),
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

/// A file that cannot be written or read while answering (an upload's temporary file).
impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("input or output failed"))
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
    pub message: Refusal,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::BadToken { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Refused(_) | AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
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
        if let AppError::BadToken { given } = self {
            // RFC 6750 §3: the scheme to use, and why the token given was refused.
            let challenge = match given {
                true => r#"Bearer realm="commune", error="invalid_token""#,
                false => r#"Bearer realm="commune""#,
            };
            res.insert_header(("WWW-Authenticate", challenge));
        }
        let mut res = res.body(self.code());
        res.extensions_mut().insert(ErrorInfo {
            code: self.code(),
            message: self.message(),
        });
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_status() {
        let refusal = Refusal::new("roll.issued_immutable");
        for (e, status) in [
            (AppError::from(refusal.clone()), 422),
            (AppError::Invalid(vec![refusal.clone()]), 422),
            (AppError::BadRequest("error.bad_request"), 400),
            (AppError::from(diesel::result::Error::NotFound), 404),
            (
                AppError::from(DomainError::Db(
                    diesel::result::Error::BrokenTransactionManager,
                )),
                500,
            ),
            (AppError::from(DomainError::from(refusal)), 422),
        ] {
            assert_eq!(e.status_code().as_u16(), status, "{e:?}");
        }
    }

    #[test]
    fn a_form_shows_its_own_refusals_and_gives_back_anything_else() {
        let on_field = Refusal::new("finance.taxpayers.ref_taken").on("ref");
        assert_eq!(
            AppError::from(on_field.clone())
                .into_field_errors()
                .unwrap(),
            vec![on_field]
        );
        let whole = AppError::from(Refusal::new("roll.issued_immutable"));
        assert!(matches!(
            whole.into_field_errors(),
            Err(AppError::Refused(_))
        ));
        assert!(AppError::NotFound.into_field_errors().is_err());
    }
}

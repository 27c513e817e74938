//! The web layer: it parses requests, calls the domain, and renders pages or JSON.

pub mod csrf;
pub mod ctx;
pub mod errors;
pub mod guard;
pub mod i18n;
mod pages;
pub mod routes;
pub mod session;
pub mod templates;

use std::sync::Arc;

use handlebars::Handlebars;

use crate::accounts::throttle::LoginThrottle;
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::error::{AppError, AppResult};
use crate::notify::Mailer;

pub use ctx::Ctx;
pub use i18n::{Catalog, Locale};

/// What every handler can reach, shared by all workers.
pub struct AppState {
    pub pool: DbPool,
    pub hb: Handlebars<'static>,
    pub catalog: Arc<Catalog>,
    pub mailer: Mailer,
    pub settings: Settings,
    /// The public URL, for links in mail.
    pub base_url: String,
    pub throttle: LoginThrottle,
}

impl AppState {
    /// Counts one password attempt (or reset request) from the client's address for
    /// `account`, before any check, and refuses when either has had too many. Returns the
    /// address, which the handler reports to [`LoginThrottle::succeeded`] on success.
    pub fn password_attempt(
        &self,
        req: &actix_web::HttpRequest,
        account: &str,
    ) -> AppResult<std::net::IpAddr> {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let ip = ctx::client_ip(
            req.peer_addr().map(|a| a.ip()),
            forwarded,
            &self.settings.trusted_proxies,
        );
        self.throttle
            .attempt(ip, account)
            .map_err(|wait| AppError::RateLimited {
                retry_after_secs: wait,
            })?;
        Ok(ip)
    }

    /// Runs `f` on a pooled connection, off the async threads.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction ([`db::write_tx`]): all of it commits, or none.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| db::write_tx(conn, f)).await
    }
}

impl From<crate::communes::districts::DistrictError> for AppError {
    fn from(e: crate::communes::districts::DistrictError) -> Self {
        match e {
            crate::communes::districts::DistrictError::Db(e) => e.into(),
            other => AppError::BadRequest(other.message_key()),
        }
    }
}

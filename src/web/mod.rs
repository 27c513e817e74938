//! The web layer: it parses requests, calls the domain, and renders pages or JSON.

pub mod charts;
pub mod csrf;
pub mod ctx;
pub mod errors;
pub mod guard;
pub mod headers;
mod pages;
pub mod qr;
pub mod routes;
pub mod session;
pub mod templates;

use std::sync::Arc;

use handlebars::Handlebars;

use crate::accounts::throttle::{IpLimit, LoginThrottle, ResetThrottle};
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::error::{AppError, AppResult};
use crate::ids::CommuneId;
use crate::notify::Mailer;

pub use crate::i18n::{Catalog, Locale};
pub use ctx::Ctx;

/// What every handler can reach, shared by all workers.
pub struct AppState {
    pub pool: DbPool,
    /// The turn to write ([`db::WriteGate`]), which [`AppState::write`] takes, and
    /// group commit, which [`AppState::write_each`] uses.
    pub writes: db::Writers,
    pub hb: Handlebars<'static>,
    pub catalog: Arc<Catalog>,
    pub mailer: Mailer,
    pub settings: Settings,
    /// The public URL, for links in mail.
    pub base_url: String,
    pub throttle: LoginThrottle,
    /// Reset links, apart from logins: nothing counted here blocks a login.
    pub resets: ResetThrottle,
    /// Voters' one-time codes, asked for and tried, per address.
    pub voter_codes: ResetThrottle,
    /// Asking to follow a subject by e-mail, and opening a subscription's link.
    pub subscriptions: ResetThrottle,
    pub sms: std::sync::Arc<dyn crate::notify::SmsGateway>,
    /// The budget portal's rendered published budgets (`pages::budget::portal`).
    pub portal: pages::budget::portal::Cache,
    /// Look-ups on the public verify page, per address ([`VERIFY_PER_MINUTE`]).
    pub verify_lookups: IpLimit,
    /// Each commune's mobile-money providers (`revenue::mobile`).
    pub mobile: Arc<crate::revenue::mobile::Providers>,
    /// The payer's page (a reference looked up, a payment started), per address.
    pub payers: ResetThrottle,
}

/// Verification codes one address may look up in a minute.
pub const VERIFY_PER_MINUTE: usize = 30;

impl AppState {
    /// The client's address, as the limiters count it ([`ctx::client_ip`]).
    pub fn client_ip(&self, req: &actix_web::HttpRequest) -> std::net::IpAddr {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        ctx::client_ip(
            req.peer_addr().map(|a| a.ip()),
            forwarded,
            &self.settings.trusted_proxies,
        )
    }

    /// Counts one password attempt from the client's address for `account`, before any
    /// check, and refuses when either has had too many (429), or when `account` is too
    /// long to be an address (400, not counted). Returns the address, which the handler
    /// reports to [`LoginThrottle::succeeded`] on success.
    pub fn password_attempt(
        &self,
        req: &actix_web::HttpRequest,
        account: &str,
    ) -> AppResult<std::net::IpAddr> {
        let ip = self.client_ip(req);
        self.throttle.attempt(ip, account)?;
        Ok(ip)
    }

    /// Counts one request for a reset link to `account` from the client's address:
    /// refused when the address has sent too many (429), or when `account` is too long
    /// to be an address (400, not counted).
    pub fn reset_request(&self, req: &actix_web::HttpRequest, account: &str) -> AppResult<()> {
        let ip = self.client_ip(req);
        self.resets.request(ip, account)?;
        Ok(())
    }

    /// Counts one use of a reset link from the client's address, before the link is
    /// looked up: 429 when the address has used too many. Returns the address, which
    /// the handler reports to [`ResetThrottle::link_worked`] when the link is good.
    pub fn reset_link_attempt(&self, req: &actix_web::HttpRequest) -> AppResult<std::net::IpAddr> {
        let ip = self.client_ip(req);
        self.resets.attempt(ip)?;
        Ok(ip)
    }

    /// Runs `f` on a pooled connection, off the async threads (reads gather several
    /// queries with `?`).
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
    /// Any error rolls it back: a refusal, a database error, or the handler's own.
    pub async fn write<T, E, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Into<AppError> + Send + 'static,
    {
        self.writing(move |conn| db::write_tx(conn, f).map_err(Into::into))
            .await
    }

    /// Runs `f` on each item, each in a savepoint of its own, in a transaction shared
    /// with the other writes of the commune queued meanwhile ([`db::Writers::grouped`]):
    /// an item refused rolls back alone, and the others are kept. Each item's result
    /// comes back in order, once committed. A phone's batch of payments, or the single
    /// payments of many phones at once, cost one commit, not one per payment.
    pub async fn write_each<I, T, E, F>(
        &self,
        commune: CommuneId,
        items: Vec<I>,
        f: F,
    ) -> AppResult<Vec<Result<T, E>>>
    where
        I: Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
        F: Fn(&mut DbConn, I) -> Result<T, E> + Send + Sync + 'static,
    {
        let writers = self.writes.clone();
        actix_web::web::block(move || writers.grouped(commune.0, items, f))
            .await?
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// [`AppState::db`] for a writer: the turn to write first ([`db::WriteGate`]), then
    /// the connection.
    async fn writing<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, writers) = (self.pool.clone(), self.writes.clone());
        actix_web::web::block(move || {
            let _turn = writers.hold();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

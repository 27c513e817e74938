//! Builds the application: database, templates, mail, and the HTTP server with its
//! middleware and the one route table.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::{Context, Result};
use diesel::prelude::*;
use tracing_actix_web::TracingLogger;

use crate::accounts::throttle::{IpLimit, LoginThrottle, ResetThrottle};
use crate::config::Settings;
use crate::db::schema::app_settings;
use crate::db::{self, Create, DbConn, DbPool};
use crate::error::AppError;
use crate::telemetry::RedactedSpans;
use crate::web::{csrf::csrf, errors::error_pages, headers, routes, session, templates, AppState};

pub struct Application {
    port: u16,
    /// How many communes the database holds once prepared.
    pub communes: usize,
    server: Server,
    pub state: web::Data<AppState>,
}

/// What `serve` does before listening.
#[derive(Debug, Clone, Copy)]
pub struct Prepare {
    /// Load the demo communes when the database has no commune yet.
    pub seed_if_empty: bool,
    /// What the demo holds, when it is loaded.
    pub demo: crate::seed::Demo,
}

impl Application {
    pub fn build(settings: Settings, prepare: Prepare) -> Result<Application> {
        let pool = db::open(&settings.database_url, Create::Allowed)?;
        let communes = {
            let mut conn = pool.get().context("no database connection")?;
            db::migrate(&mut conn)?;
            if prepare.seed_if_empty && crate::communes::list(&mut conn)?.is_empty() {
                let source = crate::seed::Source::from_settings(settings.seed_dir.as_deref());
                let report = crate::seed::load(&mut conn, &source, prepare.demo)?;
                tracing::info!(communes = report.communes.len(), "demo communes loaded");
            }
            crate::communes::list(&mut conn)?.len()
        };
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let mut app = Self::with_listener(settings, pool, listener)?;
        app.communes = communes;
        Ok(app)
    }

    pub fn with_listener(
        settings: Settings,
        pool: DbPool,
        listener: TcpListener,
    ) -> Result<Application> {
        let bound = listener.local_addr()?;
        let port = bound.port();
        let base_url = settings.public_url(bound);
        let (key, backend) = {
            let mut conn = pool.get().context("no database connection")?;
            let key = session_key(&mut conn, settings.secret_key.as_deref())?;
            (key, db::backend(&conn))
        };
        let writes = db::Writers::new(pool.clone(), backend);
        let catalog = Arc::new(crate::i18n::Catalog::embedded()?);
        let hb = templates::build(catalog.clone())?;
        let (mailer, sms) = crate::notify::from_settings(&settings)?;
        let https = settings.https();
        let mobile = Arc::new(crate::revenue::mobile::Providers::from_settings(
            &settings.mobile_money,
            &base_url,
        )?);
        let state = web::Data::new(AppState {
            pool,
            writes,
            hb,
            catalog,
            mailer,
            settings,
            base_url,
            throttle: LoginThrottle::default(),
            resets: ResetThrottle::default(),
            voter_codes: ResetThrottle::default(),
            subscriptions: ResetThrottle::default(),
            sms,
            portal: Default::default(),
            verify_lookups: IpLimit::new(
                crate::web::VERIFY_PER_MINUTE,
                std::time::Duration::from_secs(60),
            ),
            mobile: mobile.clone(),
            payers: ResetThrottle::default(),
        });
        // Pending mobile-money payments are checked in the background, for as long as
        // the server's state lives (the callback may never come).
        if let (Some(every), false) = (mobile.poll_every, mobile.is_empty()) {
            let alive = Arc::downgrade(&state.clone().into_inner());
            crate::revenue::mobile::poll::spawn(alive, state.pool.clone(), mobile, every)?;
        }
        if backend == db::Backend::Sqlite {
            let alive = Arc::downgrade(&state.clone().into_inner());
            db::checkpoints::spawn(alive, state.pool.clone())?;
        }
        let data = state.clone();
        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                .cookie_name(session::COOKIE.into())
                .cookie_secure(https)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                // A cookie for the browser session; a remembered login's gets an age from
                // `cookie_lifetime`. The server ends any login after 12 hours.
                .session_lifecycle(BrowserSession::default())
                .build();
            App::new()
                .app_data(data.clone())
                .app_data(web::FormConfig::default().limit(256 * 1024))
                .configure(routes::table)
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(AppError::NotFound)
                }))
                .wrap(from_fn(csrf))
                .wrap(from_fn(error_pages))
                .wrap(from_fn(session::note_remembered))
                .wrap(from_fn(headers::private_pages))
                .wrap(sessions)
                .wrap(from_fn(session::cookie_lifetime))
                .wrap(headers::defaults(https))
                .wrap(Compress::default())
                .wrap(TracingLogger::<RedactedSpans>::new())
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();
        Ok(Application {
            port,
            communes: 0,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL the service answers on.
    pub fn url(&self) -> &str {
        &self.state.base_url
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    pub fn server(self) -> Server {
        self.server
    }
}

/// The cookie key: from the settings, or generated once and kept in the database.
fn session_key(conn: &mut DbConn, configured: Option<&str>) -> Result<Key> {
    let secret = match configured {
        Some(s) => s.to_string(),
        None => stored_secret(conn)?,
    };
    if secret.len() < 32 {
        anyhow::bail!("COMMUNE_SECRET_KEY must be at least 32 characters");
    }
    Ok(Key::derive_from(secret.as_bytes()))
}

fn stored_secret(conn: &mut DbConn) -> Result<String> {
    db::write_tx(conn, |conn| {
        let found: Option<String> = app_settings::table
            .find("secret_key")
            .select(app_settings::value)
            .get_result(conn)
            .optional()?;
        if let Some(s) = found {
            return Ok(s);
        }
        let s = format!(
            "{}{}",
            crate::web::session::new_token(),
            crate::web::session::new_token()
        );
        diesel::insert_into(app_settings::table)
            .values((
                app_settings::key.eq("secret_key"),
                app_settings::value.eq(&s),
            ))
            .execute(conn)?;
        tracing::info!("generated a new secret key and stored it in the database");
        Ok(s)
    })
}

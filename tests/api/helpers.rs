//! `TestApp`: the real application on port 0 with a fresh database, and a cookie-keeping
//! HTTP client that speaks to it like a browser without JavaScript.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use commune::config::Settings;
use commune::db::{self, Create, DbPool};
use commune::seed::Demo;
use commune::startup::{Application, Prepare};
use commune::web::AppState;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

pub const DEMO_PASSWORD: &str = "commune-demo";
pub const DAKAR: &str = "dakar-plateau";
/// The secret the test servers' SMS gateway signs with.
pub const SMS_SECRET: &str = "test-sms-gateway-secret";

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A database that lives as long as the test.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    /// A temp SQLite file, or a new PostgreSQL database when
    /// `COMMUNE_TEST_DATABASE_URL` names a server.
    pub fn new() -> TestDb {
        match std::env::var("COMMUNE_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("cannot reach {admin_url}: {e}"));
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let mut url =
                    url::Url::parse(&admin_url).expect("COMMUNE_TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDb::Postgres {
                    admin_url,
                    name,
                    url: url.to_string(),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("commune.db");
                TestDb::Sqlite { _dir: dir, path }
            }
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            TestDb::Postgres { url, .. } => url.clone(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres {
            admin_url, name, ..
        } = self
        {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub pool: DbPool,
    pub outbox: tempfile::TempDir,
    server: actix_web::dev::ServerHandle,
    /// The thread the server runs on, with its own runtime: stopping the test app
    /// waits for it (see `Drop`).
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    state: Option<Arc<AppState>>,
    // Dropped last, once nothing holds a connection to it.
    pub db: TestDb,
}

/// How a [`TestApp`] starts: `TestApp::builder().without_register().spawn()`.
#[derive(Default)]
pub struct Builder {
    smtp_url: Option<String>,
    no_demo: bool,
    no_register: bool,
    trusted_proxies: Option<String>,
    seed_dir: Option<PathBuf>,
    base_url: Option<String>,
    mobile_money: Option<String>,
}

impl Builder {
    /// Mail goes to this SMTP server instead of the outbox folder.
    pub fn smtp(mut self, url: String) -> Builder {
        self.smtp_url = Some(url);
        self
    }

    /// An empty database: no demo commune, no account.
    pub fn without_demo(mut self) -> Builder {
        self.no_demo = true;
        self
    }

    /// The demo communes, accounts and tax types, but an empty register and no roll
    /// (tests that build their own).
    pub fn without_register(mut self) -> Builder {
        self.no_register = true;
        self
    }

    /// `COMMUNE_TRUSTED_PROXIES`.
    pub fn trusted_proxies(mut self, proxies: &str) -> Builder {
        self.trusted_proxies = Some(proxies.into());
        self
    }

    /// `COMMUNE_BASE_URL`: the public URL the site says it has (the test still speaks
    /// plain HTTP to the port).
    pub fn base_url(mut self, url: &str) -> Builder {
        self.base_url = Some(url.into());
        self
    }

    /// `COMMUNE_MOBILE_MONEY`: the communes' mobile-money providers, as TOML (see
    /// `fake_provider::FakeProvider::settings`).
    pub fn mobile_money(mut self, table: String) -> Builder {
        self.mobile_money = Some(table);
        self
    }

    /// Demo communes from this folder instead of the ones built into the binary.
    pub fn seed_dir(mut self, dir: PathBuf) -> Builder {
        self.seed_dir = Some(dir);
        self
    }

    pub async fn spawn(self) -> TestApp {
        // Server logs show with `--nocapture` (`RUST_LOG=error` by default here).
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "error");
        }
        commune::telemetry::init("text");
        let db = TestDb::new();
        let outbox = tempfile::tempdir().expect("outbox dir");
        let mut env = vec![
            ("COMMUNE_DATABASE_URL", db.url()),
            ("COMMUNE_BIND", "127.0.0.1:0".to_string()),
            ("COMMUNE_OUTBOX_DIR", outbox.path().display().to_string()),
            ("COMMUNE_SMS_SECRET", SMS_SECRET.to_string()),
        ];
        if let Some(smtp) = &self.smtp_url {
            env.push(("COMMUNE_SMTP_URL", smtp.clone()));
        }
        if let Some(proxies) = &self.trusted_proxies {
            env.push(("COMMUNE_TRUSTED_PROXIES", proxies.clone()));
        }
        if let Some(url) = &self.base_url {
            env.push(("COMMUNE_BASE_URL", url.clone()));
        }
        if let Some(dir) = &self.seed_dir {
            env.push(("COMMUNE_SEED_DIR", dir.display().to_string()));
        }
        if let Some(table) = &self.mobile_money {
            env.push(("COMMUNE_MOBILE_MONEY", table.clone()));
        }
        let env: Vec<(String, String)> = env.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let settings = Settings::from_parts(None, &env).expect("settings");
        let app = Application::build(
            settings,
            Prepare {
                seed_if_empty: !self.no_demo,
                demo: if self.no_register {
                    Demo::WithoutRegister
                } else {
                    Demo::Full
                },
            },
        )
        .expect("application builds");
        let port = app.port();
        let pool = app.state.pool.clone();
        let state = app.state.clone().into_inner();
        let server = app.server();
        let handle = server.handle();
        // Its own thread and runtime, not the test's: when the test ends, `Drop` stops
        // the server and waits for it, so no worker is left with open connections.
        let thread = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            pool,
            outbox,
            server: handle,
            thread: Some(thread),
            state: Some(state),
            db,
        }
    }
}

impl TestApp {
    /// How the application starts; see [`Builder`].
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The application with the two demo communes.
    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }

    /// The demo communes and accounts with their tax types, but an empty register.
    pub async fn spawn_without_register() -> TestApp {
        Self::builder().without_register().spawn().await
    }

    /// A new visitor, with their own cookies.
    pub fn visitor(&self) -> Client {
        Client::new(&self.base)
    }

    /// A visitor logged in with the demo password.
    pub async fn login(&self, email: &str) -> Client {
        let c = self.visitor();
        let res = c.login(email, DEMO_PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "login as {email} failed"
        );
        c
    }

    /// The running application's state (its mobile-money providers, say).
    pub fn state(&self) -> &AppState {
        self.state.as_deref().expect("the application runs")
    }

    /// A personal API token for the account `email` in `commune` (made as the command
    /// line makes one), for a phone's requests.
    pub fn token(&self, commune: &str, email: &str) -> String {
        use commune::accounts::{tokens, users};
        let mut conn = self.conn();
        let c = commune::communes::by_slug(&mut conn, commune)
            .unwrap()
            .expect("a commune");
        let user = users::by_email(&mut conn, email)
            .unwrap()
            .expect("an account");
        let actor = commune::audit::Actor::system("test");
        db::write_tx(&mut conn, |conn| {
            tokens::create(conn, c.id, user.id, "test phone", &actor)
        })
        .expect("a token")
        .secret
    }

    /// A phone: it sends `Authorization: Bearer <token>` with every request.
    pub fn phone(&self, token: &str) -> Client {
        Client::with_token(&self.base, token)
    }

    pub fn conn(&self) -> db::PooledConn {
        self.pool.get().expect("a database connection")
    }

    /// Opens the same database from outside the application, as an operator would.
    pub fn outside_pool(&self) -> DbPool {
        db::open(&self.db.url(), Create::Refused).expect("open the test database")
    }

    /// The mails to `address` in the outbox, once there are `n` of them: mail leaves
    /// after the answer, so a test waits for it (five seconds at most).
    pub async fn mails_to(&self, address: &str, n: usize) -> Vec<String> {
        let header = format!("To: {address}");
        for _ in 0..50 {
            let found: Vec<String> = self
                .outbox_mails()
                .into_iter()
                .filter(|m| m.contains(&header))
                .collect();
            if found.len() >= n {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} mails to {address} in the outbox");
    }

    /// The mails written to the outbox folder, as text.
    pub fn outbox_mails(&self) -> Vec<String> {
        let mut mails: Vec<String> = std::fs::read_dir(self.outbox.path())
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        mails.sort();
        mails
    }
}

impl Drop for TestApp {
    /// Stops the server and waits until its workers have let go of the application
    /// state; its pool then closes here. A server left running would keep reconnecting
    /// to the dropped database, and a connection still open when the test binary exits
    /// can crash it in libpq's and OpenSSL's exit handlers.
    fn drop(&mut self) {
        // The stop command is sent at once; the future only waits for its completion.
        std::mem::drop(self.server.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(state) = self.state.take() {
            // The workers' threads end just after the server: wait for them (5 s at most).
            let mut waited = 0;
            while Arc::strong_count(&state) > 1 && waited < 500 {
                std::thread::sleep(std::time::Duration::from_millis(10));
                waited += 1;
            }
            if Arc::strong_count(&state) > 1 {
                eprintln!("the test server's workers still hold its state after 5 s");
            }
        }
    }
}

/// A browser: it keeps cookies and does not follow redirects, so tests can see them.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client::with_headers(base, reqwest::header::HeaderMap::new())
    }

    /// A client that sends `Authorization: Bearer <token>` with every request (a phone).
    pub fn with_token(base: &str, token: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("a header value"),
        );
        Client::with_headers(base, headers)
    }

    fn with_headers(base: &str, headers: reqwest::header::HeaderMap) -> Client {
        // A connection idle for 2 s is not reused: the server closes idle connections
        // after 5 s, and reusing one it is closing would fail a request on a slow machine.
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .default_headers(headers)
            .build()
            .expect("http client");
        Client {
            base: base.to_string(),
            http,
        }
    }

    /// Posts a JSON body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_with_language(&self, path: &str, accept: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("Accept-Language", accept)
            .send()
            .await
            .expect("GET")
    }

    pub async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token this visitor's pages carry.
    pub async fn csrf(&self) -> String {
        let page = self.text("/login").await;
        meta_csrf(&page).expect("a csrf meta tag")
    }

    /// Posts a form the way a browser does, with the page's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields, with no token added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Logs in through a reverse proxy that says the request came from `client`.
    pub async fn login_forwarded_for(&self, client: &str, email: &str, password: &str) -> Response {
        self.post_form_forwarded_for(
            client,
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Posts a form, with the page's CSRF token, through a reverse proxy that says the
    /// request came from `client`.
    pub async fn post_form_forwarded_for(
        &self,
        client: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.http
            .post(format!("{}{path}", self.base))
            .header("X-Forwarded-For", client)
            .form(&all)
            .send()
            .await
            .expect("POST")
    }
}

pub fn meta_csrf(page: &str) -> Option<String> {
    let start =
        page.find("name=\"csrf-token\" content=\"")? + "name=\"csrf-token\" content=\"".len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_string())
}

/// The `Set-Cookie` header that sets (or removes) the session cookie, if the answer has one.
pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .find(|c| c.starts_with("commune_session="))
        .map(str::to_string)
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The demo account of a role in a commune.
pub fn demo_email(commune: &str, role: &str) -> String {
    let local = match role {
        "admin" => "admin",
        "finance_officer" => "finances",
        "collector" => "collecteur",
        "treasurer" => "tresor",
        "councillor" => "conseil",
        "reviewer" => "instruction",
        "citizen" => "citoyen",
        other => panic!("no demo account for {other}"),
    };
    format!("{local}@{commune}.demo")
}

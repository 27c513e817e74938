//! The real server, as a benchmark starts it: on a loopback port of its own thread, on a
//! fresh database, with the demo communes loaded as `--demo` would load them.

use commune::config::Settings;
use commune::db::DbPool;
use commune::seed::Demo;
use commune::startup::{Application, Prepare};

pub struct Running {
    /// `http://127.0.0.1:{port}`.
    pub base: String,
    pub pool: DbPool,
    pub handle: actix_web::dev::ServerHandle,
    pub thread: std::thread::JoinHandle<std::io::Result<()>>,
}

/// Starts the server on the database at `url`, writing mail to `outbox`, with the
/// settings `extra` beside those.
pub fn start(url: &str, outbox: &std::path::Path, extra: &[(&str, &str)], demo: Demo) -> Running {
    let mut env: Vec<(String, String)> = vec![
        ("COMMUNE_DATABASE_URL".into(), url.to_string()),
        ("COMMUNE_BIND".into(), "127.0.0.1:0".into()),
        ("COMMUNE_OUTBOX_DIR".into(), outbox.display().to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let settings = Settings::from_parts(None, &env).expect("settings");
    let app = Application::build(
        settings,
        Prepare {
            seed_if_empty: true,
            demo,
        },
    )
    .expect("the application builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.state.pool.clone();
    let server = app.server();
    let handle = server.handle();
    let thread = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
    Running {
        base,
        pool,
        handle,
        thread,
    }
}

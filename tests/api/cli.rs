//! The command line, run as a user would run it, against the test's database.

use std::process::{Command, Output};

use reqwest::StatusCode;

use crate::helpers::TestApp;

pub fn run_cli(app: &TestApp, args: &[&str]) -> Output {
    run_cli_with(&app.db.url(), args, &[])
}

pub fn run_cli_with(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_commune"));
    cmd.args(args)
        .env("COMMUNE_DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .env_remove("COMMUNE_SEED_DIR")
        .env_remove("COMMUNE_LANG")
        .env_remove("LANG")
        .env_remove("COMMUNE_PASSWORD")
        .env_remove("COMMUNE_CONFIG")
        .current_dir(std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the commune binary")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[actix_web::test]
async fn a_new_commune_and_its_districts_are_added_and_listed_from_the_command_line() {
    let app = TestApp::spawn().await;
    let out = run_cli(
        &app,
        &[
            "commune",
            "add",
            "--slug",
            "porto-novo",
            "--name",
            "Porto-Novo",
            "--country",
            "BJ",
            "--code",
            "PNV",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_cli(
        &app,
        &[
            "district",
            "add",
            "--commune",
            "porto-novo",
            "--name",
            "Ouando",
            "--kind",
            "arrondissement",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value =
        serde_json::from_slice(&run_cli(&app, &["commune", "list", "--json"]).stdout).unwrap();
    let slugs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["abomey-calavi", "dakar-plateau", "porto-novo"]);
    let pn = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "porto-novo")
        .unwrap();
    assert_eq!(pn["country"], "BJ");
    assert_eq!(pn["currency"], "XOF");
    assert_eq!(pn["timezone"], "Africa/Porto-Novo");
    assert_eq!(pn["code"], "PNV");
    let districts: serde_json::Value = serde_json::from_slice(
        &run_cli(
            &app,
            &["district", "list", "--commune", "porto-novo", "--json"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(districts.as_array().unwrap().len(), 1);
    assert_eq!(districts[0]["name"], "Ouando");
    assert_eq!(districts[0]["kind"], "arrondissement");
    // The running site serves the new commune at once.
    assert_eq!(
        app.visitor().get("/porto-novo").await.status(),
        StatusCode::OK
    );
    // Bad input is refused with a reason, and changes nothing.
    let dup = run_cli(
        &app,
        &[
            "commune",
            "add",
            "--slug",
            "porto-novo",
            "--name",
            "X",
            "--country",
            "BJ",
        ],
    );
    assert!(!dup.status.success());
    // A refusal is written in the terminal's language: French unless COMMUNE_LANG says.
    assert!(
        stderr(&dup).contains("Une commune a déjà l’identifiant « porto-novo »"),
        "{}",
        stderr(&dup)
    );
    let bad = run_cli_with(
        &app.db.url(),
        &[
            "commune",
            "add",
            "--slug",
            "bamako",
            "--name",
            "Bamako",
            "--country",
            "ML",
        ],
        &[("COMMUNE_LANG", "en")],
    );
    assert!(
        stderr(&bad).contains("The country “ML” is not supported: use SN (Senegal) or BJ (Benin)."),
        "{}",
        stderr(&bad)
    );
    // A name that differs only by case or accents would be ambiguous in an import file.
    let same = run_cli(
        &app,
        &[
            "district",
            "add",
            "--commune",
            "porto-novo",
            "--name",
            "OUANDÓ",
            "--kind",
            "zone",
        ],
    );
    assert!(!same.status.success());
    assert!(stderr(&same).contains("Ouando"), "{}", stderr(&same));
    let unknown = run_cli(&app, &["district", "list", "--commune", "nowhere"]);
    assert!(stderr(&unknown).contains("no commune with slug \"nowhere\""));
    let after: serde_json::Value =
        serde_json::from_slice(&run_cli(&app, &["commune", "list", "--json"]).stdout).unwrap();
    assert_eq!(after, list);
}

#[actix_web::test]
async fn a_user_added_from_the_command_line_can_log_in_with_that_role() {
    let app = TestApp::spawn().await;
    let args = [
        "user",
        "add",
        "--commune",
        "abomey-calavi",
        "--email",
        "Mariam@Calavi.bj",
        "--name",
        "Mariam Bio",
        "--role",
        "collector",
    ];
    let no_password = run_cli(&app, &args);
    assert!(!no_password.status.success());
    assert!(stderr(&no_password).contains("COMMUNE_PASSWORD"));
    let out = run_cli_with(
        &app.db.url(),
        &args,
        &[("COMMUNE_PASSWORD", "a strong passphrase")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("mariam@calavi.bj"));
    let c = app.visitor();
    assert_eq!(
        c.login("mariam@calavi.bj", "a strong passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.get("/abomey-calavi/collect").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get("/abomey-calavi/treasury").await.status(),
        StatusCode::FORBIDDEN
    );
    let bad_role = run_cli_with(
        &app.db.url(),
        &[
            "user",
            "add",
            "--commune",
            "abomey-calavi",
            "--email",
            "x@y.bj",
            "--name",
            "X",
            "--role",
            "mayor",
        ],
        &[("COMMUNE_PASSWORD", "a strong passphrase")],
    );
    assert!(stderr(&bad_role).contains("unknown role \"mayor\""));
}

#[test]
fn a_bad_database_url_gives_a_one_line_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            format!("sqlite://{}/missing/dir/commune.db", dir.path().display()),
            "does not exist",
        ),
        (
            format!("sqlite://{}/absent.db", dir.path().display()),
            "does not exist",
        ),
        (
            "mysql://localhost/commune".to_string(),
            "expected sqlite://FILE or postgres://",
        ),
        (
            "postgres://postgres@127.0.0.1:1/nowhere".to_string(),
            "cannot open database postgres://postgres@127.0.0.1:1/nowhere",
        ),
        (
            "postgres://u:secret@/db".to_string(),
            "invalid database URL",
        ),
    ];
    for (url, expected) in cases {
        let out = run_cli_with(&url, &["commune", "list"], &[]);
        assert!(!out.status.success(), "{url}");
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{url}: {err}");
        assert!(err.contains(expected), "{url}: {err}");
        assert!(!err.contains("secret"), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no database file was created"
    );
}

#[test]
fn serve_refuses_a_bad_database_url_in_one_line() {
    let out = run_cli_with(
        "postgres://postgres@127.0.0.1:1/nowhere",
        &["serve", "--bind", "127.0.0.1:0"],
        &[],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("commune: cannot open database"), "{err}");
}

#[test]
fn migrate_then_seed_from_the_command_line_builds_a_demo_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh.db", dir.path().display());
    let out = run_cli_with(&url, &["migrate"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_cli_with(&url, &["seed", "--without-history"], &[]);
    assert!(
        stdout(&out).contains("loaded dakar-plateau"),
        "{}",
        stdout(&out)
    );
    let again = run_cli_with(&url, &["seed", "--without-history"], &[]);
    assert!(stdout(&again).contains("skipped dakar-plateau (already there)"));
    let out = run_cli_with(&url, &["audit", "verify"], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
}

/// `commune serve` running in its own process, with what it printed so far.
pub(crate) struct Serve {
    child: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
    printed: String,
    pub(crate) port: u16,
}

impl Serve {
    /// Starts `commune serve` in `dir` (an empty folder: the binary needs nothing from
    /// the repository), with `args` and `env` added.
    fn start(dir: &std::path::Path, args: &[&str], env: &[(&str, String)]) -> Serve {
        Self::start_with(dir, args, env, None)
    }

    /// Starts `commune serve` on the demo with every debug log line written to `log`.
    fn start_logging(dir: &std::path::Path, log: &std::path::Path) -> Serve {
        let file = std::fs::File::create(log).unwrap();
        Self::start_with(dir, &[], &[("RUST_LOG", "debug".into())], Some(file))
    }

    pub(crate) fn start_with(
        dir: &std::path::Path,
        args: &[&str],
        env: &[(&str, String)],
        log: Option<std::fs::File>,
    ) -> Serve {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bind = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_commune"));
        cmd.args(["serve", "--bind", &bind, "--without-history"])
            .args(args)
            .env("COMMUNE_OUTBOX_DIR", dir.join("outbox"))
            .env("RUST_LOG", "warn")
            .env_remove("COMMUNE_DATABASE_URL")
            .env_remove("COMMUNE_SEED_DIR")
            .env_remove("COMMUNE_CONFIG")
            .current_dir(dir)
            .stdout(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(log) = log {
            cmd.stderr(log);
        }
        let mut child = cmd.spawn().expect("start commune serve");
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        Serve {
            child,
            out,
            printed: String::new(),
            port,
        }
    }

    /// Reads what it prints until `marker` appears.
    pub(crate) fn until(&mut self, marker: &str) -> &str {
        use std::io::BufRead;
        while !self.printed.contains(marker) {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "serve stopped early: {}",
                self.printed
            );
            self.printed.push_str(&line);
        }
        &self.printed
    }

    /// A GET over a bare TCP connection: the status line and the rest.
    fn get(&self, path: &str) -> String {
        self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    }

    /// Sends a whole HTTP/1.1 request as written: the status line and the rest.
    fn send(&self, request: &str) -> String {
        let mut http = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        std::io::Write::write_all(&mut http, request.as_bytes()).unwrap();
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut http, &mut answer).unwrap();
        answer
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub(crate) fn stop(mut self) {
        // SAFETY: sending a signal to our own child process.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) },
            0
        );
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "serve did not stop on SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        assert!(status.success(), "serve exited with {status}");
    }
}

/// The README's first command, as a new user runs it, from an empty folder: on the
/// embedded default database `serve` migrates, loads the demo communes (built into the
/// binary), prints the address and the demo accounts, answers, and stops cleanly on
/// SIGTERM.
#[test]
fn serve_on_the_embedded_default_loads_the_demo_from_any_folder_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = Serve::start(dir.path(), &[], &[]);
    let printed = serve.until("citoyen@dakar-plateau.demo").to_string();
    assert!(
        printed.contains(&format!(
            "Commune is running at http://127.0.0.1:{}/",
            serve.port
        )),
        "{printed}"
    );
    assert!(
        printed.contains("Demo accounts (password: commune-demo)"),
        "{printed}"
    );
    assert!(printed.contains("finances@abomey-calavi.demo"), "{printed}");
    assert!(serve.get("/healthz").starts_with("HTTP/1.1 200"));
    // The stylesheet is built into the binary too.
    assert!(serve.get("/static/commune.css").starts_with("HTTP/1.1 200"));
    serve.stop();
    // The demo is in the database it created, in the folder it ran from.
    let list = run_cli_with(
        &format!("sqlite://{}/commune.db", dir.path().display()),
        &["commune", "list", "--json"],
        &[],
    );
    let communes: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(communes.as_array().unwrap().len(), 2);
}

/// A real commune's server never gets the demo accounts and their published password:
/// on a database named in the settings, `serve` starts empty and says how to begin.
#[test]
fn serve_on_a_named_database_starts_empty_and_prints_the_first_two_commands() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/real.db", dir.path().display());
    let mut serve = Serve::start(dir.path(), &[], &[("COMMUNE_DATABASE_URL", url.clone())]);
    let printed = serve.until("--role admin").to_string();
    assert!(!printed.contains("Demo accounts"), "{printed}");
    assert!(printed.contains("commune commune add --slug"), "{printed}");
    assert!(printed.contains("commune user add --commune"), "{printed}");
    assert!(serve.get("/dakar-plateau").starts_with("HTTP/1.1 404"));
    serve.stop();
    let list = run_cli_with(&url, &["commune", "list", "--json"], &[]);
    let communes: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(communes.as_array().unwrap().len(), 0);
}

/// `serve --demo` loads the demo into a named database when asked to.
#[test]
fn serve_with_the_demo_flag_loads_the_demo_into_a_named_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/try.db", dir.path().display());
    let mut serve = Serve::start(dir.path(), &["--demo"], &[("COMMUNE_DATABASE_URL", url)]);
    serve.until("citoyen@dakar-plateau.demo");
    assert!(serve.get("/dakar-plateau").starts_with("HTTP/1.1 200"));
    serve.stop();
}

/// Links and tokens that open an account must not reach the request log (nor the logs
/// of whoever collects it), even at the debug level, where every line names its request.
#[test]
fn the_request_log_holds_no_reset_link_no_invitation_and_no_csrf_token() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut serve = Serve::start_logging(dir.path(), &log);
    serve.until("citoyen@dakar-plateau.demo");
    let secret = "0123456789abcdefSECRET";

    // Act: a reset link, an invitation, a language switch back to a reset link, and an
    // upload that names its token in the address.
    for path in [
        format!("/password/reset/{secret}"),
        format!("/invitations/{secret}"),
        format!("/lang/en?next=%2Fpassword%2Freset%2F{secret}"),
    ] {
        assert!(serve.get(&path).starts_with("HTTP/1.1"), "{path}");
    }
    let body = "--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ntaxpayers\r\n--b--\r\n";
    let answer = serve.send(&format!(
        "POST /dakar-plateau/finance/imports?_csrf={secret}&kind=x HTTP/1.1\r\nHost: localhost\r\n\
         Connection: close\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    serve.stop();

    // Assert: the requests are in the log, their secrets are not.
    let log = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).to_string();
    assert!(log.contains("/password/reset/[redacted]"), "{log}");
    assert!(log.contains("/invitations/[redacted]"), "{log}");
    assert!(
        log.contains("/dakar-plateau/finance/imports?kind=x"),
        "{log}"
    );
    let leaks: Vec<&str> = log.lines().filter(|l| l.contains("SECRET")).collect();
    assert!(
        leaks.is_empty(),
        "{} lines hold a secret: {:?}",
        leaks.len(),
        leaks.first()
    );
}

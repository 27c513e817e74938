//! The command line, run as a user would run it, against the test's database.

use std::process::{Command, Output};

use reqwest::StatusCode;

use crate::helpers::{manifest_dir, TestApp};

pub fn run_cli(app: &TestApp, args: &[&str]) -> Output {
    run_cli_with(&app.db.url(), args, &[])
}

pub fn run_cli_with(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_commune"));
    cmd.args(args)
        .env("COMMUNE_DATABASE_URL", db_url)
        .env("COMMUNE_SEED_DIR", manifest_dir().join("seed-data"))
        .env("RUST_LOG", "warn")
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
    assert!(stderr(&dup).contains("already exists"), "{}", stderr(&dup));
    let bad = run_cli(
        &app,
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
    );
    assert!(
        stderr(&bad).contains("country \"ML\" is not supported"),
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
    let out = run_cli_with(&url, &["seed"], &[]);
    assert!(
        stdout(&out).contains("loaded dakar-plateau"),
        "{}",
        stdout(&out)
    );
    let again = run_cli_with(&url, &["seed"], &[]);
    assert!(stdout(&again).contains("skipped dakar-plateau (already there)"));
    let out = run_cli_with(&url, &["audit", "verify"], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
}

/// The README's first command, as a new user runs it: on an empty database `serve`
/// migrates, loads the demo communes, prints the address and the demo accounts, answers,
/// and stops cleanly on SIGTERM.
#[test]
fn serve_starts_on_an_empty_database_with_the_demo_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_commune"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env(
            "COMMUNE_DATABASE_URL",
            format!("sqlite://{}/commune.db", dir.path().display()),
        )
        .env("COMMUNE_SEED_DIR", manifest_dir().join("seed-data"))
        .env("COMMUNE_OUTBOX_DIR", dir.path().join("outbox"))
        .env("RUST_LOG", "warn")
        .env_remove("COMMUNE_CONFIG")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start commune serve");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("citoyen@dakar-plateau.demo") {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "serve stopped early: {printed}"
        );
        printed.push_str(&line);
    }
    assert!(
        printed.contains(&format!("Commune is running at http://127.0.0.1:{port}/")),
        "{printed}"
    );
    assert!(
        printed.contains("Demo accounts (password: commune-demo)"),
        "{printed}"
    );
    assert!(printed.contains("finances@abomey-calavi.demo"), "{printed}");
    let mut http = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(
        &mut http,
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut http, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success(), "serve exited with {status}");
    // The demo is in the database it created.
    let list = run_cli_with(
        &format!("sqlite://{}/commune.db", dir.path().display()),
        &["commune", "list", "--json"],
        &[],
    );
    let communes: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(communes.as_array().unwrap().len(), 2);
}

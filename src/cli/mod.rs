//! The command line: `commune serve | migrate | seed | user | commune | district | audit | tally`.

mod admin;
mod revenue;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, Create};
use crate::startup::{Application, Prepare};

#[derive(Parser, Debug)]
#[command(
    name = "commune",
    version,
    about = "Local revenue, participatory budgeting and open budgets for a commune"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web service (migrates, and loads the demo communes into an empty database).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080, or COMMUNE_BIND).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo communes from the seed folder (existing communes are left alone).
    Seed,
    /// Accounts.
    #[command(subcommand)]
    User(admin::UserCmd),
    /// Communes hosted by this deployment.
    #[command(subcommand)]
    Commune(admin::CommuneCmd),
    /// Districts of a commune.
    #[command(subcommand)]
    District(admin::DistrictCmd),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(admin::AuditCmd),
    /// Tax types.
    #[command(subcommand)]
    Tax(revenue::TaxCmd),
    /// Import taxpayers, items or a State-issued roll from CSV (all or nothing).
    #[command(subcommand)]
    Import(revenue::ImportCmd),
    /// Export the taxpayer register or a roll to CSV.
    #[command(subcommand)]
    Export(revenue::ExportCmd),
    /// Count a participatory-budgeting election from a pabulib `.pb` file.
    Tally(crate::voting::cli::TallyArgs),
}

/// Runs a command; the error, if any, is printed by `main` as one line.
pub fn run(cli: Cli, settings: Settings) -> Result<()> {
    match cli.command {
        Command::Serve { bind } => serve(settings, bind),
        Command::Migrate => {
            let n = db::migrate(&mut db::open_one(&settings.database_url, Create::Allowed)?)?;
            println!(
                "{n} migration(s) applied to {}",
                db::DbUrl::parse(&settings.database_url)?.redacted()
            );
            Ok(())
        }
        Command::Seed => {
            let mut conn = db::open_one(&settings.database_url, Create::Allowed)?;
            db::migrate(&mut conn)?;
            let report = crate::seed::load(&mut conn, &settings.seed_dir, crate::seed::Demo::Full)?;
            for c in &report.communes {
                println!("loaded {c}");
            }
            for c in &report.skipped {
                println!("skipped {c} (already there)");
            }
            Ok(())
        }
        Command::User(cmd) => admin::user(cmd, &settings),
        Command::Commune(cmd) => admin::commune(cmd, &settings),
        Command::District(cmd) => admin::district(cmd, &settings),
        Command::Audit(cmd) => admin::audit(cmd, &settings),
        Command::Tax(cmd) => revenue::tax(cmd, &settings),
        Command::Import(cmd) => revenue::import(cmd, &settings),
        Command::Export(cmd) => revenue::export(cmd, &settings),
        Command::Tally(args) => crate::voting::cli::run(&args),
    }
}

fn serve(mut settings: Settings, bind: Option<String>) -> Result<()> {
    if let Some(b) = bind {
        settings.bind = b;
    }
    let seed_dir = settings.seed_dir.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(
            settings,
            Prepare {
                seed_if_empty: true,
                demo: crate::seed::Demo::Full,
            },
        )?;
        println!("Commune is running at {}/  (Ctrl-C to stop)", app.url());
        print_demo_accounts(&seed_dir);
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn print_demo_accounts(seed_dir: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(seed_dir.join("demo.toml")) else {
        return;
    };
    let Some(password) = toml::from_str::<toml::Table>(&text).ok().and_then(|t| {
        t.get("password")
            .and_then(|p| p.as_str())
            .map(str::to_string)
    }) else {
        return;
    };
    let Ok(dirs) = std::fs::read_dir(seed_dir) else {
        return;
    };
    let mut files: Vec<_> = dirs
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("users.csv"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    println!("Demo accounts (password: {password}):");
    for f in files {
        let commune = f
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let Ok(mut reader) = csv::Reader::from_path(&f) else {
            continue;
        };
        for row in reader.records().flatten() {
            println!(
                "  {commune:<16} {:<16} {}",
                row.get(2).unwrap_or(""),
                row.get(0).unwrap_or("")
            );
        }
    }
}

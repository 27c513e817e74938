//! The command line: `commune serve | migrate | seed | user | commune | district | audit | tally |
//! token`.

mod admin;
mod mobile;
mod participation;
mod remind;
mod revenue;
mod tokens;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, Create};
use crate::error::{DomainError, Refusal};
use crate::i18n::{Catalog, Locale};
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
    /// Run the web service (migrates; on the embedded default database, or with --demo,
    /// loads the demo communes into an empty database).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080, or COMMUNE_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Load the demo communes (accounts with a published password) into an empty
        /// database, whatever the database. Never on a real commune's server.
        #[arg(long)]
        demo: bool,
        /// Load the demo without its generated register and year of collection (a
        /// first start in seconds instead of a minute).
        #[arg(long)]
        without_history: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo communes from the seed folder (existing communes are left alone).
    Seed {
        /// Without the generated register and year of collection.
        #[arg(long)]
        without_history: bool,
    },
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
    /// Import taxpayers, items or a State-issued roll from CSV (all or nothing), or a
    /// finished participatory-budgeting round from a pabulib file.
    #[command(subcommand)]
    Import(revenue::ImportCmd),
    /// Export the taxpayer register, a roll or a year's receipts to CSV, or a round's
    /// ballots as `.pb`.
    #[command(subcommand)]
    Export(revenue::ExportCmd),
    /// Count a participatory-budgeting election from a pabulib `.pb` file.
    Tally(crate::voting::cli::TallyArgs),
    /// Send each taxpayer with an overdue balance one reminder today, by e-mail or SMS.
    Remind(remind::RemindArgs),
    /// Mobile-money payments: check the pending ones with their provider.
    #[command(subcommand)]
    MobileMoney(mobile::MobileMoneyCmd),
    /// Personal API tokens for collectors' phones.
    #[command(subcommand)]
    Token(tokens::TokenCmd),
}

/// Runs a command; the error, if any, is printed by `main` as one line.
pub fn run(cli: Cli, settings: Settings) -> Result<()> {
    match cli.command {
        Command::Serve {
            bind,
            demo,
            without_history,
        } => serve(settings, bind, demo, without_history),
        Command::Migrate => {
            let n = db::migrate(&mut db::open_one(&settings.database_url, Create::Allowed)?)?;
            println!(
                "{n} migration(s) applied to {}",
                db::DbUrl::parse(&settings.database_url)?.redacted()
            );
            Ok(())
        }
        Command::Seed { without_history } => {
            let mut conn = db::open_one(&settings.database_url, Create::Allowed)?;
            db::migrate(&mut conn)?;
            let source = crate::seed::Source::from_settings(settings.seed_dir.as_deref());
            let report = crate::seed::load(&mut conn, &source, demo_kind(without_history))?;
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
        Command::Remind(args) => remind::remind(args, &settings),
        Command::MobileMoney(cmd) => mobile::mobile_money(cmd, &settings),
        Command::Token(cmd) => tokens::run(cmd, &settings),
    }
}

/// The demo `serve` and `seed` load: lived-in, unless asked without its history.
fn demo_kind(without_history: bool) -> crate::seed::Demo {
    if without_history {
        crate::seed::Demo::Full
    } else {
        crate::seed::Demo::Lived(crate::revenue::demo::Size::DEMO)
    }
}

fn serve(
    mut settings: Settings,
    bind: Option<String>,
    demo: bool,
    without_history: bool,
) -> Result<()> {
    if let Some(b) = bind {
        settings.bind = b;
    }
    // A real commune never gets the demo accounts and their published password: the
    // demo loads on the embedded default database, or when asked for.
    let seed_if_empty = demo || settings.embedded_default();
    let source = crate::seed::Source::from_settings(settings.seed_dir.as_deref());
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(
            settings,
            Prepare {
                seed_if_empty,
                demo: demo_kind(without_history),
            },
        )?;
        println!("Commune is running at {}/  (Ctrl-C to stop)", app.url());
        match app.communes {
            0 => print_first_steps(),
            _ if seed_if_empty => print_demo_accounts(&source),
            _ => {}
        }
        app.run_until_stopped().await?;
        Ok(())
    })
}

/// What to do on an empty database that got no demo.
fn print_first_steps() {
    println!("No commune yet. Create the first commune and its administrator:");
    println!("  commune commune add --slug SLUG --name NAME --country SN|BJ");
    println!("  commune user add --commune SLUG --email EMAIL --name NAME --role admin");
}

fn print_demo_accounts(source: &crate::seed::Source) {
    let Ok(report) = crate::seed::accounts(source) else {
        return;
    };
    println!("Demo accounts (password: {}):", report.password);
    for a in report.accounts {
        println!("  {:<16} {:<16} {}", a.commune, a.role, a.email);
    }
}

/// The language of messages on the terminal: `COMMUNE_LANG`, else `LANG`, else French.
pub fn locale() -> Locale {
    ["COMMUNE_LANG", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find_map(|v| Locale::parse(v.get(..2).unwrap_or("")))
        .unwrap_or(Locale::Fr)
}

/// An error as one line for the terminal: a refusal is written as its message, in the
/// terminal's language; anything else as its chain of causes.
pub fn explain(e: &anyhow::Error) -> String {
    let refusal = e.chain().find_map(|cause| {
        cause
            .downcast_ref::<Refusal>()
            .or_else(|| cause.downcast_ref::<DomainError>()?.refusal())
    });
    let text = match (refusal, Catalog::embedded()) {
        (Some(r), Ok(catalog)) => {
            let context: Vec<String> = e
                .chain()
                .take_while(|c| c.downcast_ref::<Refusal>().is_none())
                .take_while(|c| c.downcast_ref::<DomainError>().is_none())
                .map(|c| c.to_string())
                .collect();
            let message = r.message(&catalog, locale());
            match context.as_slice() {
                [] => message,
                _ => format!("{}: {message}", context.join(": ")),
            }
        }
        _ => format!("{e:#}"),
    };
    text.replace('\n', " ")
}

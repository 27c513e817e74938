//! Revenue commands: tax types, imports and exports.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use super::admin::{commune_by_slug, connect};
use crate::audit::Actor;
use crate::config::Settings;
use crate::db;
use crate::i18n::{Catalog, Locale};
use crate::revenue::imports::{self, Outcome, What};
use crate::revenue::{exports, rolls, tax_types};
use crate::tabular::{CsvSource, Report};

#[derive(Subcommand, Debug)]
pub enum TaxCmd {
    /// List a commune's tax types.
    List {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[arg(long)]
    pub(super) commune: String,
    /// The CSV file (UTF-8 or Windows-1252, separated by `,` or `;`).
    pub(super) file: PathBuf,
    /// Update the rows whose reference exists instead of refusing them.
    #[arg(long)]
    pub(super) update: bool,
    /// Also write the report of bad rows to this CSV file.
    #[arg(long)]
    pub(super) report: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Taxpayers: ref,name,kind,district,phone,email,id_number[,address,gps]
    Taxpayers(ImportArgs),
    /// Taxable items: ref,taxpayer_ref,kind,district[,address,rental_value,…]
    Items(ImportArgs),
    /// A State-issued roll: taxpayer_ref,amount[,item_ref,base,due_date]
    Roll {
        #[command(flatten)]
        args: ImportArgs,
        #[arg(long)]
        year: i64,
        /// The tax type's code (see `commune tax list`).
        #[arg(long)]
        tax: String,
    },
    /// A finished participatory-budgeting round from a pabulib `.pb` file: its projects,
    /// its ballots and its result, counted by the file's rule.
    Round(super::participation::ImportRoundArgs),
    /// A round's voter register: identifier,name,district,birth_year[,phone,email]
    Voters {
        #[command(flatten)]
        args: ImportArgs,
        /// The round's id.
        #[arg(long)]
        round: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// The taxpayer register, in the import's columns.
    Taxpayers {
        #[arg(long)]
        commune: String,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every line of a roll.
    Roll {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        tax: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every receipt of a year (payments and market tickets, cancelled ones included):
    /// number, dates, payer, taxes, amount, method, channel, status, verification code,
    /// collector, cash-up and deposit.
    Payments {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        year: i64,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A closed participatory-budgeting round's anonymised ballots, as `.pb` files.
    Ballots(super::participation::ExportBallotsArgs),
    /// A year's published budget: its CSV (byte for byte the published file), its JSON
    /// and its Fiscal Data Package descriptor, into a folder.
    Budget {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        dir: PathBuf,
    },
}

pub fn tax(cmd: TaxCmd, settings: &Settings) -> Result<()> {
    let TaxCmd::List { commune, json } = cmd;
    let mut conn = connect(settings)?;
    let c = commune_by_slug(&mut conn, &commune)?;
    let list = tax_types::list(&mut conn, c.id)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    let locale = super::locale();
    println!(
        "{:<9} {:<9} {:<8} {:<7} {:<8} {:<6} NAME",
        "CODE", "CATEGORY", "BY", "METHOD", "RATE/XOF", "PERIOD"
    );
    for t in list {
        let how = match (t.tax.rate_bp, t.tax.amount) {
            (Some(bp), _) => format!("{}.{:02}%", bp / 100, bp % 100),
            (None, Some(a)) => a.to_string(),
            _ => format!("{} tariffs", t.tariffs.len()),
        };
        println!(
            "{:<9} {:<9} {:<8} {:<7} {:<8} {:<6} {}",
            t.tax.code,
            t.tax.category,
            t.tax.assessed_by,
            t.tax.method,
            how,
            t.tax.period,
            t.tax.name(locale.as_str())
        );
    }
    Ok(())
}

type Meter = (u64, std::sync::Arc<std::sync::atomic::AtomicU64>);

/// Shows a progress bar on the terminal while a large file is read.
pub(super) fn with_progress<T>((total, done): Meter, work: impl FnOnce() -> T) -> T {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (b, s) = (bar.clone(), stop.clone());
    let ticker = std::thread::spawn(move || {
        while !s.load(Ordering::Relaxed) {
            b.set_position(done.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let out = work();
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    bar.finish_and_clear();
    out
}

pub fn import(cmd: ImportCmd, settings: &Settings) -> Result<()> {
    let (args, what) = match cmd {
        ImportCmd::Taxpayers(a) => (a, What::Taxpayers),
        ImportCmd::Items(a) => (a, What::Items),
        ImportCmd::Roll { args, year, tax } => (args, What::Roll { tax, year }),
        ImportCmd::Round(args) => return super::participation::import_round(args, settings),
        ImportCmd::Voters { args, round } => {
            return super::participation::import_voters(args, round, settings)
        }
    };
    let mut conn = connect(settings)?;
    let commune = commune_by_slug(&mut conn, &args.commune)?;
    let locale = super::locale();
    let catalog = Catalog::embedded()?;
    let actor = Actor::system("cli");
    let outcome = match CsvSource::open(&args.file) {
        Ok(source) => {
            let opts = imports::Options::for_file(&args.file, args.update)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let meter = (source.total_bytes(), source.progress());
            with_progress(meter, || {
                imports::run(&mut conn, &commune, &what, source, &opts, &actor)
            })?
        }
        Err(issue) => Outcome::rejected(issue),
    };
    match outcome {
        Outcome::Applied(applied, notes) => {
            for note in notes.notes() {
                eprintln!("note: {}", note.message(&catalog, locale));
            }
            let name = args.file.file_name().unwrap_or_default().to_string_lossy();
            println!(
                "imported {} rows from {name}: {} created, {} updated",
                applied.rows, applied.created, applied.updated
            );
            Ok(())
        }
        Outcome::Rejected(report) => refuse(&report, &catalog, locale, args.report.as_deref()),
    }
}

pub(super) fn refuse(
    report: &Report,
    catalog: &Catalog,
    locale: Locale,
    out: Option<&Path>,
) -> Result<()> {
    let mut err = std::io::stderr().lock();
    for issue in report.issues() {
        let place = match (issue.line, &issue.column, &issue.value) {
            (0, ..) => "file".to_string(),
            (line, Some(c), Some(v)) => format!("line {line}, {c} = {v:?}"),
            (line, Some(c), None) => format!("line {line}, {c}"),
            (line, ..) => format!("line {line}"),
        };
        writeln!(err, "{place}: {}", issue.message(catalog, locale))?;
    }
    if report.dropped() > 0 {
        writeln!(err, "… and {} more", report.dropped())?;
    }
    if let Some(path) = out {
        std::fs::write(path, report.to_csv(catalog, locale))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    bail!(
        "import refused: {} problem(s) found, nothing was written",
        report.len()
    )
}

fn output(out: &Option<PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

pub fn export(cmd: ExportCmd, settings: &Settings) -> Result<()> {
    match cmd {
        ExportCmd::Ballots(args) => return super::participation::export_ballots(args, settings),
        ExportCmd::Budget { commune, year, dir } => {
            let mut conn = connect(settings)?;
            let c = commune_by_slug(&mut conn, &commune)?;
            let doc = crate::budget::documents::published(&mut conn, c.id, Some(year))?
                .with_context(|| format!("no budget of {year} is published in {}", c.slug))?;
            let csv = doc.published_csv.clone().unwrap_or_default();
            let stem = format!("{}-budget-{year}", c.slug);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let json = crate::budget::opendata::json_rows(&csv)?;
            let package = crate::budget::opendata::datapackage(
                &stem,
                &format!("{} — {}", doc.title, c.name),
                &format!("{stem}.csv"),
                doc.csv_sha256.as_deref().unwrap_or(""),
                csv.len(),
            );
            std::fs::write(dir.join(format!("{stem}.csv")), &csv)?;
            std::fs::write(
                dir.join(format!("{stem}.json")),
                serde_json::to_string_pretty(&json)?,
            )?;
            std::fs::write(
                dir.join("datapackage.json"),
                serde_json::to_string_pretty(&package)?,
            )?;
            println!("{}", dir.join(format!("{stem}.csv")).display());
            eprintln!("sha256 {}", doc.csv_sha256.unwrap_or_default());
        }
        ExportCmd::Taxpayers { commune, out } => {
            let mut conn = connect(settings)?;
            let c = commune_by_slug(&mut conn, &commune)?;
            let n = db::snapshot(&mut conn, |conn| {
                exports::taxpayers(conn, c.id, output(&out)?)
            })?;
            if out.is_some() {
                eprintln!("{n} taxpayers exported");
            }
        }
        ExportCmd::Payments { commune, year, out } => {
            let mut conn = connect(settings)?;
            let c = commune_by_slug(&mut conn, &commune)?;
            let n = db::snapshot(&mut conn, |conn| {
                crate::revenue::treasury::export::payments(conn, c.id, year, output(&out)?)
            })?;
            if out.is_some() {
                eprintln!("{n} receipts exported");
            }
        }
        ExportCmd::Roll {
            commune,
            year,
            tax,
            out,
        } => {
            let mut conn = connect(settings)?;
            let c = commune_by_slug(&mut conn, &commune)?;
            let t = tax_types::by_code(&mut conn, c.id, &tax)?.with_context(|| {
                format!("no tax type {tax:?} in {} (see `commune tax list`)", c.slug)
            })?;
            let roll = rolls::find(&mut conn, c.id, t.id, year)?
                .with_context(|| format!("no {tax} roll for {year} in {}", c.slug))?;
            let n = db::snapshot(&mut conn, |conn| exports::roll(conn, &roll, output(&out)?))?;
            if out.is_some() {
                eprintln!("{n} lines exported");
            }
        }
    }
    Ok(())
}

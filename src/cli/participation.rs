//! Participation commands: `import round` (a pabulib file as a finished round) and
//! `export ballots` (a round's anonymised ballots as `.pb` files).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use diesel::OptionalExtension;

use super::admin::{commune_by_slug, connect};
use crate::audit::Actor;
use crate::config::Settings;
use crate::db;
use crate::ids::RoundId;
use crate::participation::{pbfile, rounds, voters};
use crate::voting::read_pb_file_with_warnings;

#[derive(Args, Debug)]
pub struct ImportRoundArgs {
    #[arg(long)]
    commune: String,
    /// A pabulib `.pb` file: its projects, ballots and rule make a finished round.
    file: PathBuf,
}

#[derive(Args, Debug)]
pub struct ExportBallotsArgs {
    #[arg(long)]
    commune: String,
    /// The round's id (shown by `import round` and in the round's address).
    #[arg(long)]
    round: i64,
    /// Write here instead of standard output. With several voting areas, a folder that
    /// receives one `.pb` file per area.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn import_round(args: ImportRoundArgs, settings: &Settings) -> Result<()> {
    let (election, warnings) = read_pb_file_with_warnings(&args.file)
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut conn = connect(settings)?;
    let commune = commune_by_slug(&mut conn, &args.commune)?;
    let name = args
        .file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let actor = Actor::system("cli");
    let done = db::write_tx(&mut conn, |conn| {
        pbfile::import(conn, &commune, &election, &name, &actor)
    })
    .with_context(|| format!("cannot import {name}"))?;
    eprintln!(
        "imported {name}: {} projects, {} ballots, counted with {}",
        done.projects, done.ballots, done.rule
    );
    println!("round {}", done.round);
    println!(
        "{}/{}/rounds/{}",
        settings.base_url.trim_end_matches('/'),
        commune.slug,
        done.round
    );
    Ok(())
}

pub fn export_ballots(args: ExportBallotsArgs, settings: &Settings) -> Result<()> {
    let mut conn = connect(settings)?;
    let commune = commune_by_slug(&mut conn, &args.commune)?;
    let round = rounds::get(&mut conn, commune.id, RoundId(args.round))
        .optional()?
        .with_context(|| format!("no round {} in {}", args.round, commune.slug))?;
    if round.phase < crate::participation::Phase::Results {
        bail!(
            "round {} is in its {} phase: ballots are published once the vote is closed",
            round.id,
            round.phase
        );
    }
    let files = db::snapshot(&mut conn, |conn| -> Result<Vec<(String, String)>> {
        let mut files = Vec::new();
        for area in rounds::areas(conn, round.id)? {
            files.push((
                crate::text::slug(&area.name),
                pbfile::export(conn, &round, area.id)?,
            ));
        }
        Ok(files)
    })?;
    match (&args.out, files.as_slice()) {
        (None, [(_, text)]) => print!("{text}"),
        (None, _) => bail!(
            "this round has {} voting areas: give --out FOLDER",
            files.len()
        ),
        (Some(path), [(_, text)]) if !path.is_dir() => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        (Some(dir), _) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (slug, text) in &files {
                let path = dir.join(format!("round-{}-{slug}.pb", round.id));
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

pub fn import_voters(
    args: super::revenue::ImportArgs,
    round: i64,
    settings: &Settings,
) -> Result<()> {
    use crate::i18n::Catalog;
    use crate::tabular::import::{Options, Outcome};
    use crate::tabular::CsvSource;
    let mut conn = connect(settings)?;
    let commune = commune_by_slug(&mut conn, &args.commune)?;
    let (locale, catalog) = (super::locale(), Catalog::embedded()?);
    let actor = Actor::system("cli");
    let outcome = match CsvSource::open(&args.file) {
        Ok(source) => {
            let opts = Options::for_file(&args.file, false)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let meter = (source.total_bytes(), source.progress());
            super::revenue::with_progress(meter, || {
                voters::import(&mut conn, &commune, RoundId(round), source, &opts, &actor)
            })?
        }
        Err(issue) => Outcome::rejected(issue),
    };
    match outcome {
        Outcome::Applied(applied, _) => {
            println!("imported {} voters for round {round}", applied.created);
            Ok(())
        }
        Outcome::Rejected(report) => {
            super::revenue::refuse(&report, &catalog, locale, args.report.as_deref())
        }
    }
}

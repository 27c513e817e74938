//! Demo communes from `seed-data/`: one folder per commune, with `commune.toml`,
//! `districts.csv` and `users.csv`, and the demo password in `seed-data/demo.toml`.
//! Loading is idempotent: a commune whose slug exists is left as it is.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::accounts::{password, users, Role};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::communes::{self, districts, DistrictKind, NewCommune};
use crate::db::{self, DbConn};
use crate::revenue::csvin::CsvSource;
use crate::revenue::imports::{self, Outcome};
use crate::revenue::rolls;
use crate::revenue::tax_types::{self, TaxTypeSpec};

#[derive(Deserialize)]
struct DemoFile {
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommuneFile {
    slug: String,
    name: String,
    country: String,
    code: String,
    default_locale: Option<String>,
}

#[derive(Deserialize)]
struct DistrictRow {
    name: String,
    kind: String,
}

#[derive(Deserialize)]
struct UserRow {
    email: String,
    name: String,
    role: String,
}

/// A demo account, for `serve` to print.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub commune: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Default)]
pub struct Report {
    pub communes: Vec<String>,
    pub skipped: Vec<String>,
    pub accounts: Vec<DemoAccount>,
    pub password: String,
}

fn commune_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read seed folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("commune.toml").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.with_context(|| format!("{} line {}", path.display(), i + 2)))
        .collect()
}

#[derive(Deserialize)]
struct TaxFile {
    #[serde(default)]
    tax: Vec<TaxTypeSpec>,
}

fn read_tax_types(path: &Path) -> Result<Vec<TaxTypeSpec>> {
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let file: TaxFile = toml::from_str(&std::fs::read_to_string(path)?)
        .with_context(|| format!("{}", path.display()))?;
    for spec in &file.tax {
        spec.check()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    Ok(file.tax)
}

#[derive(Deserialize)]
struct RollsFile {
    #[serde(default)]
    roll: Vec<RollSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollSpec {
    tax: String,
    year: i64,
    /// A State roll to import; without it the roll is generated from the register.
    file: Option<String>,
    #[serde(default)]
    issue: bool,
}

fn import_file(
    conn: &mut DbConn,
    path: &Path,
    run: impl FnOnce(&mut DbConn, CsvSource, &imports::Options) -> Result<Outcome>,
) -> Result<()> {
    if !path.is_file() {
        return Ok(());
    }
    let source = CsvSource::open(path).map_err(|i| anyhow::anyhow!("{}: {i}", path.display()))?;
    let opts = imports::Options {
        update: false,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        file_sha256: imports::file_sha256(path)?,
    };
    match run(conn, source, &opts)? {
        Outcome::Applied(..) => Ok(()),
        Outcome::Rejected(report) => {
            let first: Vec<String> = report
                .issues()
                .iter()
                .take(5)
                .map(|i| i.to_string())
                .collect();
            bail!("{} is refused: {}", path.display(), first.join("; "))
        }
    }
}

/// The demo register and rolls: `taxpayers.csv`, `items.csv`, `rolls.toml`.
fn load_revenue(conn: &mut DbConn, commune: &Commune, dir: &Path, actor: &Actor) -> Result<()> {
    import_file(conn, &dir.join("taxpayers.csv"), |conn, src, opts| {
        Ok(imports::taxpayers(conn, commune, src, opts, actor)?)
    })?;
    import_file(conn, &dir.join("items.csv"), |conn, src, opts| {
        Ok(imports::items(conn, commune, src, opts, actor)?)
    })?;
    let path = dir.join("rolls.toml");
    if !path.is_file() {
        return Ok(());
    }
    let file: RollsFile = toml::from_str(&std::fs::read_to_string(&path)?)
        .with_context(|| format!("{}", path.display()))?;
    for spec in file.roll {
        let tax = tax_types::by_code(conn, commune.id, &spec.tax)?
            .with_context(|| format!("{}: no tax type {}", path.display(), spec.tax))?;
        let year = rolls::check_year(spec.year)?;
        match &spec.file {
            Some(f) => import_file(conn, &dir.join(f), |conn, src, opts| {
                Ok(imports::roll(conn, commune, &tax, year, src, opts, actor)?)
            })?,
            None => {
                db::write_tx(conn, |conn| {
                    rolls::generate(conn, commune, &tax, year, actor)
                })?;
            }
        }
        if spec.issue {
            let roll = rolls::find(conn, commune.id, tax.id, year.into())?
                .context("the roll just made")?;
            db::write_tx(conn, |conn| rolls::issue(conn, commune.id, roll.id, actor))?;
        }
    }
    Ok(())
}

/// How much of the demo to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// Communes, districts, accounts, tax types, and the register and rolls.
    Full,
    /// Everything but the register and the rolls (tests that build their own).
    WithoutRegister,
}

/// Loads every commune of `dir` that is not there yet, each in one transaction.
pub fn load(conn: &mut DbConn, dir: &Path, demo: Demo) -> Result<Report> {
    let demo_file: DemoFile = toml::from_str(
        &std::fs::read_to_string(dir.join("demo.toml"))
            .with_context(|| format!("cannot read {}", dir.join("demo.toml").display()))?,
    )
    .context("seed-data/demo.toml")?;
    // One hash for all demo accounts: they share the published demo password anyway.
    let hash = password::hash(&demo_file.password)?;
    let mut report = Report {
        password: demo_file.password.clone(),
        ..Report::default()
    };
    let actor = Actor::system("seed");
    for path in commune_dirs(dir)? {
        let file: CommuneFile =
            toml::from_str(&std::fs::read_to_string(path.join("commune.toml"))?)
                .with_context(|| format!("{}", path.join("commune.toml").display()))?;
        let district_rows: Vec<DistrictRow> = read_csv(&path.join("districts.csv"))?;
        let user_rows: Vec<UserRow> = read_csv(&path.join("users.csv"))?;
        let tax_specs = read_tax_types(&path.join("tax_types.toml"))?;
        for u in &user_rows {
            let Some(role) = Role::parse(&u.role) else {
                bail!(
                    "{}: unknown role {:?} for {}",
                    path.join("users.csv").display(),
                    u.role,
                    u.email
                );
            };
            report.accounts.push(DemoAccount {
                commune: file.slug.clone(),
                email: u.email.clone(),
                role,
            });
        }
        if communes::by_slug(conn, &file.slug)?.is_some() {
            report.skipped.push(file.slug.clone());
            continue;
        }
        let mut new = NewCommune::parse(&file.slug, &file.name, &file.country, Some(&file.code))?;
        if let Some(l) = &file.default_locale {
            new.default_locale = l.clone();
        }
        db::write_tx(conn, |conn| -> Result<()> {
            let id = communes::create(conn, &new, &actor)?;
            for d in &district_rows {
                let kind = DistrictKind::parse(&d.kind)
                    .with_context(|| format!("district {:?}: unknown kind {:?}", d.name, d.kind))?;
                districts::create(conn, id, &d.name, kind, &actor)?;
            }
            for spec in &tax_specs {
                tax_types::create(conn, id, spec, &actor)
                    .with_context(|| format!("tax type {}", spec.code))?;
            }
            for u in &user_rows {
                let role = Role::parse(&u.role).context("role checked above")?;
                let user = match users::by_email(conn, &u.email)? {
                    Some(existing) => existing.id,
                    None => users::create(conn, id, &u.email, &u.name, &hash, &actor)?,
                };
                users::grant(conn, user, id, role, &actor)?;
            }
            Ok(())
        })
        .with_context(|| format!("loading {}", path.display()))?;
        let commune = communes::by_slug(conn, &file.slug)?.context("commune just created")?;
        if demo == Demo::Full {
            load_revenue(conn, &commune, &path, &actor)?;
        }
        report.communes.push(file.slug);
    }
    Ok(report)
}

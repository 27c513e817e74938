//! Demo communes from `seed-data/`: one folder per commune, with `commune.toml`,
//! `districts.csv` and `users.csv` (and optionally `tax_types.toml`, `taxpayers.csv`,
//! `items.csv` and `rolls.toml`), and the demo password in `seed-data/demo.toml`.
//!
//! The folder is embedded in the binary, so that `commune serve` works from any folder
//! and after `cargo install`; `COMMUNE_SEED_DIR` names a folder to read instead.
//! Loading is idempotent: a commune whose slug exists is left as it is.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::accounts::{membership, password, Role};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::communes::{self, districts, DistrictKind, NewCommune};
use crate::db::{self, DbConn};
use crate::revenue::channels::{self, Channel, Provider};
use crate::revenue::imports::{self, Outcome, What};
use crate::revenue::tax_types::{self, TaxTypeSpec};
use crate::revenue::{rolls, Seen};
use crate::tabular::CsvSource;

#[derive(RustEmbed)]
#[folder = "seed-data/"]
struct Embedded;

/// Where the demo communes are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The copy built into the binary.
    Embedded,
    /// A folder laid out like `seed-data/`.
    Dir(PathBuf),
}

impl Source {
    /// The folder the settings name, or the embedded copy.
    pub fn from_settings(dir: Option<&Path>) -> Source {
        match dir {
            Some(d) => Source::Dir(d.to_path_buf()),
            None => Source::Embedded,
        }
    }

    /// A file's bytes, by its path below the seed folder; `None` when there is none.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Source::Embedded => Ok(Embedded::get(path).map(|f| f.data.into_owned())),
            Source::Dir(dir) => {
                let full = dir.join(path);
                if !full.is_file() {
                    return Ok(None);
                }
                std::fs::read(&full)
                    .map(Some)
                    .with_context(|| format!("cannot read {}", full.display()))
            }
        }
    }

    fn text(&self, path: &str) -> Result<Option<String>> {
        self.read(path)?
            .map(|b| String::from_utf8(b).with_context(|| format!("{path} is not UTF-8")))
            .transpose()
    }

    /// The commune folders: those holding a `commune.toml`, in name order.
    fn communes(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = match self {
            Source::Embedded => Embedded::iter()
                .filter_map(|f| f.strip_suffix("/commune.toml").map(str::to_string))
                .collect(),
            Source::Dir(dir) => std::fs::read_dir(dir)
                .with_context(|| format!("cannot read seed folder {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("commune.toml").is_file())
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                .collect(),
        };
        names.sort();
        Ok(names)
    }

    fn csv<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<Vec<T>> {
        let Some(bytes) = self.read(path)? else {
            bail!("{path} is missing");
        };
        csv::Reader::from_reader(bytes.as_slice())
            .deserialize()
            .enumerate()
            .map(|(i, row)| row.with_context(|| format!("{path} line {}", i + 2)))
            .collect()
    }
}

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
    /// The commune's mobile-money channels (`[[mobile_money]]`).
    #[serde(default)]
    mobile_money: Vec<MobileMoney>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MobileMoney {
    provider: String,
    merchant_number: String,
    name: String,
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

#[derive(Deserialize)]
struct TaxFile {
    #[serde(default)]
    tax: Vec<TaxTypeSpec>,
}

fn tax_types(source: &Source, path: &str) -> Result<Vec<TaxTypeSpec>> {
    let Some(text) = source.text(path)? else {
        return Ok(Vec::new());
    };
    let file: TaxFile = toml::from_str(&text).with_context(|| path.to_string())?;
    for spec in &file.tax {
        spec.check().map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
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

/// Imports a demo file through the same import as the web page and the command line.
fn import_file(
    conn: &mut DbConn,
    commune: &Commune,
    source: &Source,
    path: &str,
    what: &What,
    actor: &Actor,
) -> Result<()> {
    let Some(bytes) = source.read(path)? else {
        return Ok(());
    };
    import_bytes(conn, commune, path, bytes, what, actor)
}

/// Imports one file's bytes, all or nothing, as the imports page does.
fn import_bytes(
    conn: &mut DbConn,
    commune: &Commune,
    path: &str,
    bytes: Vec<u8>,
    what: &What,
    actor: &Actor,
) -> Result<()> {
    let opts = imports::Options {
        update: false,
        file_name: path.rsplit('/').next().unwrap_or(path).to_string(),
        file_sha256: {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&bytes))
        },
    };
    let csv =
        CsvSource::from_reader(Cursor::new(bytes)).map_err(|i| anyhow::anyhow!("{path}: {i}"))?;
    match imports::run(conn, commune, what, csv, &opts, actor)? {
        Outcome::Applied(..) => Ok(()),
        Outcome::Rejected(report) => {
            let first: Vec<String> = report
                .issues()
                .iter()
                .take(5)
                .map(|i| i.to_string())
                .collect();
            bail!("{path} is refused: {}", first.join("; "))
        }
    }
}

/// The demo register and rolls: `taxpayers.csv`, `items.csv`, `rolls.toml`.
fn load_revenue(
    conn: &mut DbConn,
    commune: &Commune,
    source: &Source,
    dir: &str,
    generated: Option<(String, String)>,
    actor: &Actor,
) -> Result<()> {
    let file = |name: &str| format!("{dir}/{name}");
    import_file(
        conn,
        commune,
        source,
        &file("taxpayers.csv"),
        &What::Taxpayers,
        actor,
    )?;
    import_file(
        conn,
        commune,
        source,
        &file("items.csv"),
        &What::Items,
        actor,
    )?;
    if let Some((people, items)) = generated {
        import_bytes(
            conn,
            commune,
            "generated-taxpayers.csv",
            people.into_bytes(),
            &What::Taxpayers,
            actor,
        )?;
        import_bytes(
            conn,
            commune,
            "generated-items.csv",
            items.into_bytes(),
            &What::Items,
            actor,
        )?;
    }
    let path = file("rolls.toml");
    let Some(text) = source.text(&path)? else {
        return Ok(());
    };
    let rolls_file: RollsFile = toml::from_str(&text).with_context(|| path.clone())?;
    for spec in rolls_file.roll {
        let tax = tax_types::by_code(conn, commune.id, &spec.tax)?
            .with_context(|| format!("{path}: no tax type {}", spec.tax))?;
        match &spec.file {
            Some(f) => {
                let what = What::Roll {
                    tax: spec.tax.clone(),
                    year: spec.year,
                };
                import_file(conn, commune, source, &file(f), &what, actor)?;
            }
            None => {
                let year = rolls::check_year(spec.year)?;
                db::write_tx(conn, |conn| {
                    rolls::generate(conn, commune, &tax, year, actor)
                })?;
            }
        }
        if spec.issue {
            let roll =
                rolls::find(conn, commune.id, tax.id, spec.year)?.context("the roll just made")?;
            let seen = Seen {
                lines: roll.line_count,
                total: roll.total,
            };
            db::write_tx(conn, |conn| {
                rolls::issue(conn, commune.id, roll.id, seen, actor)
            })?;
        }
    }
    Ok(())
}

/// The generated register of a lived-in demo, built from the commune's districts and
/// tax types.
fn generated_register(
    conn: &mut DbConn,
    commune: &Commune,
    size: crate::revenue::demo::Size,
) -> Result<(String, String)> {
    let names: Vec<String> = districts::list(conn, commune.id)?
        .into_iter()
        .map(|d| d.name)
        .collect();
    let taxes = tax_types::list(conn, commune.id)?;
    Ok(crate::revenue::demo::register(
        commune, &names, &taxes, size,
    ))
}

/// A year and a half of collection, by the demo's collector and a second one (created
/// here, with the demo password), ordered by the demo's finance officer.
fn lived(
    conn: &mut DbConn,
    commune: &Commune,
    users: &[UserRow],
    (hash, actor): (&str, &Actor),
    size: crate::revenue::demo::Size,
) -> Result<()> {
    let find = |conn: &mut DbConn, role: &str| -> Result<Option<(crate::ids::UserId, Actor)>> {
        let Some(row) = users.iter().find(|u| u.role == role) else {
            return Ok(None);
        };
        let user = crate::accounts::users::by_email(conn, &row.email)?
            .with_context(|| format!("the demo {role}"))?;
        Ok(Some((user.id, Actor::user(user.id, &row.email))))
    };
    let (Some((_, officer)), Some(first)) =
        (find(conn, "finance_officer")?, find(conn, "collector")?)
    else {
        return Ok(());
    };
    let email = format!("collecteur2@{}.demo", commune.slug);
    db::write_tx(conn, |conn| -> Result<()> {
        membership::add(
            conn,
            commune.id,
            &email,
            "Mamadou Seck",
            Role::Collector,
            hash,
            actor,
        )?;
        Ok(())
    })?;
    let second = crate::accounts::users::by_email(conn, &email)?.context("the second collector")?;
    let staff = crate::revenue::demo::Staff {
        officer,
        collectors: [first, (second.id, Actor::user(second.id, &email))],
        treasurer: find(conn, "treasurer")?,
    };
    crate::revenue::demo::history(conn, commune, &staff, size)?;
    crate::revenue::demo::cash_history(conn, commune, &staff)?;
    Ok(())
}

/// The demo budgets, made by the demo's own officer, councillor and treasurer; a seed
/// folder without the three has no budget.
fn load_budget(conn: &mut DbConn, commune: &Commune, users: &[UserRow]) -> Result<()> {
    let mut actor_of = |role: &str| -> Result<Option<Actor>> {
        let Some(row) = users.iter().find(|u| u.role == role) else {
            return Ok(None);
        };
        let user = crate::accounts::users::by_email(conn, &row.email)?
            .with_context(|| format!("the demo {role}"))?;
        Ok(Some(Actor::user(user.id, &row.email)))
    };
    let (Some(officer), Some(councillor), Some(treasurer)) = (
        actor_of("finance_officer")?,
        actor_of("councillor")?,
        actor_of("treasurer")?,
    ) else {
        return Ok(());
    };
    let staff = crate::budget::demo::Staff {
        officer,
        councillor,
        treasurer,
    };
    let round = crate::participation::rounds::list(conn, commune.id)?
        .into_iter()
        .find(|r| r.phase == crate::participation::Phase::Implementation)
        .map(|r| r.id);
    crate::budget::demo::load(conn, commune, round, &staff)?;
    Ok(())
}

/// How much of the demo to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// [`Demo::Full`], plus a generated register and a year and a half of collection
    /// (`revenue::demo`) of the given size: what `serve` shows.
    Lived(crate::revenue::demo::Size),
    /// Communes, districts, accounts, tax types, and the register and rolls.
    Full,
    /// Everything but the register and the rolls (tests that build their own).
    WithoutRegister,
}

/// The demo accounts and their password, without loading anything (for `serve` to
/// print).
pub fn accounts(source: &Source) -> Result<Report> {
    let mut report = Report {
        password: demo_password(source)?,
        ..Report::default()
    };
    for dir in source.communes()? {
        let file = commune_file(source, &dir)?;
        for u in source.csv::<UserRow>(&format!("{dir}/users.csv"))? {
            report.accounts.push(DemoAccount {
                commune: file.slug.clone(),
                email: u.email.clone(),
                role: role(&dir, &u)?,
            });
        }
    }
    Ok(report)
}

fn demo_password(source: &Source) -> Result<String> {
    let text = source
        .text("demo.toml")?
        .context("the seed folder has no demo.toml")?;
    let demo: DemoFile = toml::from_str(&text).context("demo.toml")?;
    Ok(demo.password)
}

fn commune_file(source: &Source, dir: &str) -> Result<CommuneFile> {
    let path = format!("{dir}/commune.toml");
    let text = source
        .text(&path)?
        .with_context(|| format!("{path} is missing"))?;
    toml::from_str(&text).with_context(|| path.clone())
}

fn role(dir: &str, u: &UserRow) -> Result<Role> {
    Role::parse(&u.role)
        .with_context(|| format!("{dir}/users.csv: unknown role {:?} for {}", u.role, u.email))
}

/// Loads every commune of `source` that is not there yet, each in one transaction.
pub fn load(conn: &mut DbConn, source: &Source, demo: Demo) -> Result<Report> {
    let mut report = accounts(source)?;
    // One hash for all demo accounts: they share the published demo password anyway.
    let hash = password::hash(&report.password)?;
    let actor = Actor::system("seed");
    for dir in source.communes()? {
        let file = commune_file(source, &dir)?;
        let district_rows: Vec<DistrictRow> = source.csv(&format!("{dir}/districts.csv"))?;
        let user_rows: Vec<UserRow> = source.csv(&format!("{dir}/users.csv"))?;
        let tax_specs = tax_types(source, &format!("{dir}/tax_types.toml"))?;
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
                membership::add(conn, id, &u.email, &u.name, role(&dir, u)?, &hash, &actor)?;
            }
            for m in &file.mobile_money {
                let provider = Provider::parse(&m.provider).with_context(|| {
                    format!(
                        "mobile money: unknown provider {:?} ({})",
                        m.provider,
                        Provider::names()
                    )
                })?;
                let channel = Channel {
                    provider,
                    merchant_number: m.merchant_number.clone(),
                    display_name: m.name.clone(),
                };
                channels::add(conn, id, &channel, &actor)?;
            }
            Ok(())
        })
        .with_context(|| format!("loading {dir}"))?;
        let commune = communes::by_slug(conn, &file.slug)?.context("commune just created")?;
        if demo != Demo::WithoutRegister {
            let generated = match demo {
                Demo::Lived(size) => Some(generated_register(conn, &commune, size)?),
                _ => None,
            };
            load_revenue(conn, &commune, source, &dir, generated, &actor)?;
            if let Demo::Lived(size) = demo {
                lived(conn, &commune, &user_rows, (&hash, &actor), size)
                    .with_context(|| format!("the collection history of {dir}"))?;
            }
            if let Some(citizen) = user_rows.iter().find(|u| u.role == "citizen") {
                let id = crate::accounts::users::by_email(conn, &citizen.email)?
                    .context("the demo citizen just created")?
                    .id;
                crate::participation::demo::load(conn, &commune, id, &citizen.email, &actor)
                    .with_context(|| format!("the participatory budgets of {dir}"))?;
            }
            load_budget(conn, &commune, &user_rows)
                .with_context(|| format!("the budgets of {dir}"))?;
        }
        report.communes.push(file.slug);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_demo_holds_both_communes_and_the_password() {
        let source = Source::Embedded;
        assert_eq!(
            source.communes().unwrap(),
            ["abomey-calavi", "dakar-plateau"]
        );
        let report = accounts(&source).unwrap();
        assert_eq!(report.password, "commune-demo");
        // Seven roles in each commune, and a second treasurer for the four-eyes
        // cancellation of a receipt.
        assert_eq!(report.accounts.len(), 16);
    }
}

//! Administration commands: users, communes, districts, audit.

use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use crate::accounts::membership::{self, Added};
use crate::accounts::{password, users, Role};
use crate::audit::{self, Actor};
use crate::communes::{self, districts, DistrictKind, NewCommune};
use crate::config::Settings;
use crate::db::{self, Create, DbConn};

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create an account (or give an existing one a role). The password comes from
    /// COMMUNE_PASSWORD or a prompt.
    Add {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, finance_officer, collector, treasurer, councillor, reviewer or citizen
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CommuneCmd {
    /// Host a new commune.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// SN or BJ
        #[arg(long)]
        country: String,
        /// Official code used in receipt numbers (default: from the slug).
        #[arg(long)]
        code: Option<String>,
    },
    /// List the communes hosted.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum DistrictCmd {
    Add {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        name: String,
        /// quartier (default), arrondissement, zone or village
        #[arg(long, default_value = "quartier")]
        kind: String,
    },
    List {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Recompute the hash chain and name the first entry that does not match.
    Verify {
        /// One commune (default: all).
        #[arg(long)]
        commune: Option<String>,
    },
}

pub(super) fn connect(settings: &Settings) -> Result<DbConn> {
    let mut conn = db::open_one(&settings.database_url, Create::Refused)?;
    db::migrate(&mut conn)?;
    Ok(conn)
}

pub(super) fn commune_by_slug(conn: &mut DbConn, slug: &str) -> Result<communes::Commune> {
    communes::by_slug(conn, slug)?
        .with_context(|| format!("no commune with slug {slug:?} (see `commune commune list`)"))
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("COMMUNE_PASSWORD") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("set COMMUNE_PASSWORD, or run in a terminal to be asked for the password");
    }
    let p = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Again: ")?;
    if p != again {
        bail!("the two passwords differ");
    }
    Ok(p)
}

pub fn user(cmd: UserCmd, settings: &Settings) -> Result<()> {
    let UserCmd::Add {
        commune,
        email,
        name,
        role,
    } = cmd;
    let role = Role::parse(&role).with_context(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {role:?}: use one of {}", names.join(", "))
    })?;
    let mut conn = connect(settings)?;
    let c = commune_by_slug(&mut conn, &commune)?;
    let actor = Actor::system("cli");
    // A password is asked for only when the account is new.
    let hash = match users::by_email(&mut conn, &email)? {
        Some(_) => String::new(),
        None => {
            let pw = read_password()?;
            password::check_new(&pw).map_err(|_| {
                anyhow::anyhow!(
                    "the password must be {}–{} characters",
                    password::MIN_LEN,
                    password::MAX_LEN
                )
            })?;
            password::hash(&pw)?
        }
    };
    let added = db::write_tx(&mut conn, |conn| {
        membership::add(conn, c.id, &email, &name, role, &hash, &actor)
    })?;
    let email = users::normalise_email(&email);
    match added {
        Added::Created(id) => {
            println!(
                "created user {id} <{email}> with the role {role} in {}",
                c.slug
            )
        }
        Added::Granted(_) => println!("{email} now has the role {role} in {}", c.slug),
        Added::AlreadyHeld(_) => println!("{email} already had the role {role} in {}", c.slug),
    }
    Ok(())
}

pub fn commune(cmd: CommuneCmd, settings: &Settings) -> Result<()> {
    match cmd {
        CommuneCmd::Add {
            slug,
            name,
            country,
            code,
        } => {
            let new = NewCommune::parse(&slug, &name, &country, code.as_deref())?;
            let mut conn = connect(settings)?;
            let id = db::write_tx(&mut conn, |conn| {
                communes::create(conn, &new, &Actor::system("cli"))
            })?;
            println!(
                "created commune {} ({}), id {id}, code {}",
                new.slug, new.name, new.code
            );
        }
        CommuneCmd::List { json } => {
            let mut conn = connect(settings)?;
            let list = communes::list(&mut conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!(
                    "{:<20} {:<30} {:<3} {:<14} TIME ZONE",
                    "SLUG", "NAME", "CTY", "CODE"
                );
                for c in list {
                    println!(
                        "{:<20} {:<30} {:<3} {:<14} {}",
                        c.slug, c.name, c.country, c.code, c.timezone
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn district(cmd: DistrictCmd, settings: &Settings) -> Result<()> {
    match cmd {
        DistrictCmd::Add {
            commune,
            name,
            kind,
        } => {
            let kind = DistrictKind::parse(&kind).with_context(|| {
                format!(
                    "unknown district kind {kind:?}: use quartier, arrondissement, zone or village"
                )
            })?;
            let mut conn = connect(settings)?;
            let c = commune_by_slug(&mut conn, &commune)?;
            let id = db::write_tx(&mut conn, |conn| {
                districts::create(conn, c.id, &name, kind, &Actor::system("cli"))
            })?;
            println!("created district {id} {:?} in {}", name.trim(), c.slug);
        }
        DistrictCmd::List { commune, json } => {
            let mut conn = connect(settings)?;
            let c = commune_by_slug(&mut conn, &commune)?;
            let list = districts::list(&mut conn, c.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for d in list {
                    println!("{:>6}  {:<16} {}", d.id, d.kind, d.name);
                }
            }
        }
    }
    Ok(())
}

pub fn audit(cmd: AuditCmd, settings: &Settings) -> Result<()> {
    let AuditCmd::Verify { commune } = cmd;
    let mut conn = connect(settings)?;
    let targets = match commune {
        Some(slug) => vec![commune_by_slug(&mut conn, &slug)?],
        None => communes::list(&mut conn)?,
    };
    let mut broken = 0;
    for c in targets {
        let report = audit::verify(&mut conn, c.id)?;
        match &report.first_break {
            None => println!(
                "{}: OK, {} entries, head {}",
                c.slug,
                report.entries,
                short(&report.head)
            ),
            Some(b) => {
                broken += 1;
                println!("{}: BROKEN at entry {}: {}", c.slug, b.seq, b.problem);
            }
        }
    }
    if broken > 0 {
        bail!("{broken} audit chain(s) do not verify");
    }
    Ok(())
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

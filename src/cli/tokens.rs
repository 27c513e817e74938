//! `commune token create | list | revoke`: personal API tokens for collectors' phones,
//! made by an operator on the server (see `accounts::tokens`).

use anyhow::{Context, Result};
use clap::Subcommand;

use super::admin::{commune_by_slug, connect};
use crate::accounts::{tokens, users};
use crate::audit::Actor;
use crate::config::Settings;
use crate::db;
use crate::ids::ApiTokenId;

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Make a token for a collector (or an administrator) of the commune, and print it,
    /// once, on the last line.
    Create {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        email: String,
        /// What the token is for (default "phone").
        #[arg(long, default_value = "phone")]
        label: String,
    },
    /// List the commune's tokens (never their secret).
    List {
        #[arg(long)]
        commune: String,
        /// Only this user's.
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        #[arg(long)]
        commune: String,
        /// The token's number, as `commune token list` shows it.
        #[arg(long)]
        id: i64,
    },
}

pub fn run(cmd: TokenCmd, settings: &Settings) -> Result<()> {
    let mut conn = connect(settings)?;
    let actor = Actor::system("cli");
    match cmd {
        TokenCmd::Create {
            commune,
            email,
            label,
        } => {
            let c = commune_by_slug(&mut conn, &commune)?;
            let user = users::by_email(&mut conn, &email)?
                .with_context(|| format!("no account with the address {email:?}"))?;
            let made = db::write_tx(&mut conn, |conn| {
                tokens::create(conn, c.id, user.id, &label, &actor)
            })?;
            println!(
                "token {} made for {} in {} ({label}); it is shown once, below:",
                made.id, user.email, c.slug
            );
            println!("{}", made.secret);
        }
        TokenCmd::List { commune, email } => {
            let c = commune_by_slug(&mut conn, &commune)?;
            let holder = match email {
                Some(e) => Some(
                    users::by_email(&mut conn, &e)?
                        .with_context(|| format!("no account with the address {e:?}"))?
                        .id,
                ),
                None => None,
            };
            let list = tokens::list(&mut conn, c.id, holder)?;
            let names = users::names(
                &mut conn,
                &list.iter().map(|t| t.user_id).collect::<Vec<_>>(),
            )?;
            println!(
                "{:>6}  {:<24} {:<10} {:<20} {:<20} LABEL",
                "ID", "HOLDER", "ENDS", "LAST USED", "REVOKED"
            );
            let when = |t: Option<chrono::NaiveDateTime>| {
                t.map_or("-".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
            };
            for t in list {
                println!(
                    "{:>6}  {:<24} {:<10} {:<20} {:<20} {}",
                    t.id,
                    names.get(&t.user_id).map_or("?", String::as_str),
                    format!("…{}", t.hint),
                    when(t.last_used_at),
                    when(t.revoked_at),
                    t.label
                );
            }
        }
        TokenCmd::Revoke { commune, id } => {
            let c = commune_by_slug(&mut conn, &commune)?;
            db::write_tx(&mut conn, |conn| {
                tokens::revoke(conn, c.id, None, ApiTokenId(id), &actor)
            })?;
            println!("token {id} of {} revoked", c.slug);
        }
    }
    Ok(())
}

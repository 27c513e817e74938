//! `commune mobile-money poll`: what the server does in the background, once.

use std::time::Duration;

use anyhow::Result;
use clap::Subcommand;

use crate::config::Settings;
use crate::db::{self, Create};
use crate::revenue::mobile::{poll, Providers};

#[derive(Subcommand, Debug)]
pub enum MobileMoneyCmd {
    /// Ask the providers where every pending payment stands (the server does it every
    /// `poll_seconds`), record those paid, and expire those pending for a day.
    Poll,
}

pub fn mobile_money(cmd: MobileMoneyCmd, settings: &Settings) -> Result<()> {
    match cmd {
        MobileMoneyCmd::Poll => {
            let pool = db::open(&settings.database_url, Create::Refused)?;
            let public = match settings.base_url.as_str() {
                "" => format!("http://{}", settings.bind),
                url => url.to_string(),
            };
            let providers = Providers::from_settings(&settings.mobile_money, &public)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let r = runtime.block_on(poll::run_once(&pool, &providers, Duration::ZERO))?;
            println!(
                "{} checked: {} paid, {} failed, {} disputed, {} expired; {} not answered",
                r.checked, r.succeeded, r.failed, r.disputed, r.expired, r.errors
            );
            Ok(())
        }
    }
}

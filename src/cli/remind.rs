//! `commune remind --commune SLUG`: sends each taxpayer with an overdue balance one
//! reminder today, by e-mail or SMS, with a progress bar; prints what was sent, and
//! who could not be reached. A second run on the same day sends nothing twice.

use std::sync::Arc;

use anyhow::{bail, Result};
use clap::Args;

use super::admin::{commune_by_slug, connect};
use crate::audit::Actor;
use crate::config::Settings;
use crate::db::{self, Create};
use crate::i18n::Catalog;
use crate::revenue::reminders::{run, Summary};

#[derive(Args, Debug)]
pub struct RemindArgs {
    #[arg(long)]
    commune: String,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn remind(args: RemindArgs, settings: &Settings) -> Result<()> {
    let commune = commune_by_slug(&mut connect(settings)?, &args.commune)?;
    let pool = db::open(&settings.database_url, Create::Refused)?;
    let catalog = Arc::new(Catalog::embedded()?);
    let hb = crate::web::templates::build(catalog.clone())?;
    let (mailer, sms) = crate::notify::from_settings(settings)?;
    let senders = run::Senders {
        mailer: &mailer,
        hb: &hb,
        catalog: &catalog,
        sms,
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} taxpayers ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let summary = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run::run(
            &pool,
            &senders,
            &commune,
            &Actor::system("cli"),
            &progress,
        ))?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print(&commune.slug, &summary);
    }
    if !summary.failed.is_empty() {
        bail!(
            "{} reminder(s) could not be sent; run again to retry them",
            summary.failed.len()
        );
    }
    Ok(())
}

fn print(slug: &str, s: &Summary) {
    let day = s.day.map(|d| d.to_string()).unwrap_or_default();
    println!(
        "reminders of {day} in {slug}: {} taxpayer(s) with an overdue balance",
        s.overdue
    );
    println!(
        "sent: {} by e-mail, {} by SMS, for {} in all",
        s.email,
        s.sms,
        s.total.display("en")
    );
    println!("reminded earlier today: {}", s.already);
    if s.unconfirmed > 0 {
        println!(
            "  of which {} from an interrupted run, perhaps sent: not sent again today",
            s.unconfirmed
        );
    }
    println!("unreachable (no e-mail, no phone): {}", s.unreachable_count);
    for p in &s.unreachable {
        println!("  {}  {}  {}", p.reference, p.name, p.amount.display("en"));
    }
    if s.unreachable_count > s.unreachable.len() as u64 {
        println!(
            "  … and {} more",
            s.unreachable_count - s.unreachable.len() as u64
        );
    }
    for p in &s.failed {
        eprintln!("not sent: {}  {}", p.reference, p.name);
    }
}

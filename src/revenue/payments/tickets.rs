//! **Market tickets**: a daily or per-event fee (the market's *droits de place*) is paid
//! without a prior roll. The ticket is its own assessment: the collector names the fee,
//! the stall or trader (from the register or not), and the amount; the ticket is
//! numbered in the receipts' count, signed, and counted in the fee's collection.
//!
//! The amount follows the fee's tariff: a whole number of days at the tariff of the
//! stall's category, or of the fee's fixed amount. A fee set as a rate (a show's
//! receipts) takes the amount the collector computed.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{already_issued, check_entry, issue, kept, reference_unused};
use super::{Channel, Entry, Issued, Method};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{TaxpayerId, UserId};
use crate::money::Xof;
use crate::revenue::{tax_types, taxpayers};

/// The longest payer text kept ("Étal 14, marché Kermel — Awa Ndiaye").
pub const MAX_PAYER: usize = 120;

/// A ticket to sell.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// The fee's code (`DPLACE`).
    pub tax: String,
    /// The tariff category (`etal`), when the fee has a tariff table.
    pub category: Option<String>,
    /// The register entry, when the trader has one.
    pub taxpayer: Option<TaxpayerId>,
    /// The stall or trader as written, needed without a register entry.
    pub payer: Option<String>,
    pub amount: Xof,
    pub method: Method,
    pub reference: Option<String>,
    pub token: String,
    pub paid_on: Option<NaiveDate>,
    pub channel: Channel,
}

impl NewTicket {
    fn kept_payer(&self) -> Option<&str> {
        self.payer
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }
}

/// A fee that can be sold as a ticket, for the counter's form.
#[derive(Debug, Clone, Serialize)]
pub struct Fee {
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub amount: Option<Xof>,
    pub tariffs: BTreeMap<String, Xof>,
}

/// The commune's fees sold as tickets: active, set by the commune, paid by the day.
pub fn fees(conn: &mut DbConn, commune: &Commune) -> DomainResult<Vec<Fee>> {
    let mut out = Vec::new();
    for v in tax_types::list(conn, commune.id)? {
        let t = v.tax;
        if t.active && t.period == "daily" && !t.assessed_by_state() {
            out.push(Fee {
                tariffs: v.tariffs.into_iter().map(|(c, a)| (c, Xof(a))).collect(),
                amount: t.amount.map(Xof),
                code: t.code,
                name_fr: t.name_fr,
                name_en: t.name_en,
            });
        }
    }
    Ok(out)
}

/// The amount rule: with a unit (the category's tariff, or the fee's fixed amount, or
/// any one tariff when no category is named), the amount is a whole number of units.
pub fn check_amount(
    amount: Xof,
    category: Option<&str>,
    fixed: Option<Xof>,
    tariffs: &BTreeMap<String, Xof>,
) -> Result<(), Refusal> {
    let units: Vec<Xof> = match (category, fixed) {
        (Some(c), _) => match tariffs.get(c) {
            Some(unit) => vec![*unit],
            None => {
                return Err(Refusal::new("ticket.unknown_category")
                    .arg("category", c)
                    .arg(
                        "known",
                        tariffs.keys().cloned().collect::<Vec<_>>().join(", "),
                    )
                    .on("category"))
            }
        },
        (None, Some(unit)) => vec![unit],
        (None, None) => tariffs.values().copied().collect(),
    };
    let fits = |unit: &Xof| unit.0 > 0 && amount.0 % unit.0 == 0;
    if units.is_empty() || units.iter().any(fits) {
        return Ok(());
    }
    let list: Vec<String> = units.iter().map(|u| u.0.to_string()).collect();
    Err(Refusal::new("ticket.not_tariff")
        .arg("tariffs", list.join(", "))
        .on("amount"))
}

/// Sells a ticket on `today`: checks the fee, the payer and the amount, numbers and
/// signs the receipt, and logs it. Sent again with the same token and content, it
/// returns the ticket already sold. Call it in a write transaction.
pub fn sell(
    conn: &mut DbConn,
    commune: &Commune,
    t: &NewTicket,
    today: NaiveDate,
    actor: &Actor,
    user: UserId,
) -> DomainResult<Issued> {
    sell_at(conn, commune, t, today, actor, (user, crate::db::now()))
}

/// [`sell`], by `user` at `at` (UTC) on the commune's day `today` (the demo's history).
pub fn sell_at(
    conn: &mut DbConn,
    commune: &Commune,
    t: &NewTicket,
    today: NaiveDate,
    actor: &Actor,
    received: (UserId, NaiveDateTime),
) -> DomainResult<Issued> {
    let reference = kept(t.method, t.reference.as_deref());
    check_entry(t.amount, t.method, reference, t.paid_on, today)?;
    let payer = t.kept_payer();
    if payer.is_some_and(|p| p.chars().count() > MAX_PAYER) {
        return Err(Refusal::new("ticket.payer_too_long")
            .arg("max", MAX_PAYER)
            .on("payer")
            .into());
    }
    if payer.is_none() && t.taxpayer.is_none() {
        return Err(Refusal::new("ticket.payer_needed").on("payer").into());
    }
    let tax = tax_types::by_code(conn, commune.id, t.tax.trim())?
        .filter(|x| x.active && x.period == "daily" && !x.assessed_by_state())
        .ok_or_else(|| {
            Refusal::new("ticket.not_a_daily_fee")
                .arg("tax", t.tax.trim())
                .on("tax")
        })?;
    let tariffs: BTreeMap<String, Xof> = tax_types::tariffs(conn, tax.id)?;
    check_amount(
        t.amount,
        t.category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty()),
        tax.amount.map(Xof),
        &tariffs,
    )?;
    communes::lock(conn, commune.id)?;
    let entry = Entry {
        taxpayer: t.taxpayer,
        tax: Some(tax.id),
        payer,
        amount: t.amount,
        method: t.method,
        reference,
        paid_on: t.paid_on.unwrap_or(today),
        channel: t.channel,
    };
    if let Some(done) = already_issued(conn, commune, &t.token, &entry, received.0)? {
        return Ok(done);
    }
    reference_unused(conn, commune, t.method, reference)?;
    let payer_ref = match t.taxpayer {
        Some(id) => {
            let found = taxpayers::by_id(conn, commune.id, id)?;
            if found.merged_into.is_some() {
                return Err(Refusal::new("payment.merged").into());
            }
            found.reference
        }
        None => payer.unwrap_or_default().to_string(),
    };
    let done = issue(conn, commune, &t.token, &entry, &payer_ref, received)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("ticket.sell", "payment", done.id).details(serde_json::json!({
            "receipt": done.receipt_number, "tax": tax.code, "category": t.category,
            "taxpayer": t.taxpayer, "payer": payer, "amount": t.amount, "method": t.method,
            "reference": reference, "paid_on": entry.paid_on, "channel": t.channel,
        })),
    )?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tariffs() -> BTreeMap<String, Xof> {
        [("etal", 100), ("cantine", 200), ("table", 150)]
            .into_iter()
            .map(|(c, a)| (c.to_string(), Xof(a)))
            .collect()
    }

    #[test]
    fn a_ticket_is_a_whole_number_of_days_at_the_stalls_tariff() {
        let key = |amount, cat: Option<&str>| {
            check_amount(Xof(amount), cat, None, &tariffs())
                .err()
                .map(|r| r.key)
        };
        assert_eq!(key(100, Some("etal")), None);
        assert_eq!(key(300, Some("etal")), None);
        assert_eq!(key(150, Some("etal")), Some("ticket.not_tariff"));
        assert_eq!(key(150, Some("kiosque")), Some("ticket.unknown_category"));
        // No category named: any tariff that divides the amount will do.
        assert_eq!(key(450, None), None);
        assert_eq!(key(125, None), Some("ticket.not_tariff"));
    }

    #[test]
    fn a_fixed_fee_counts_in_units_and_a_rate_takes_any_amount() {
        let none = BTreeMap::new();
        assert!(check_amount(Xof(1_000), None, Some(Xof(500)), &none).is_ok());
        assert!(check_amount(Xof(750), None, Some(Xof(500)), &none).is_err());
        assert!(check_amount(Xof(12_345), None, None, &none).is_ok());
    }
}

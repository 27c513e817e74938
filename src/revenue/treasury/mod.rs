//! **The treasury**: every franc from the collector's hand to the bank, and the rule that
//! whoever assesses a bill never validates its collection.
//!
//! 1. **The cash-up** (*arrêté de caisse*, [`cashups`]). At the end of a round, a collector
//!    declares a cash-up: it takes every receipt they issued that no cash-up holds yet
//!    (payments and market tickets, from the counter or their phone, whatever the day
//!    they are dated), except cancelled ones, and the cash they counted. The receipts are
//!    split into cash, which the collector hands over, and mobile money, transfers and
//!    cheques, which never passed through their hands. A receipt recorded after the
//!    collector opened the page (a phone that synchronises late) is not in it: it falls
//!    into the next cash-up.
//! 2. **The deposit** (*versement*). The treasurer (*comptable*) counts the cash again and
//!    validates the cash-up: the cash received, the difference with the cash receipts (a
//!    shortfall is negative) and, when there is one, a note saying why. The validation
//!    numbers the deposit `VER-{code}-{year}-{n}`, gap-free per commune and year (under
//!    the commune's lock), and moves the cash-up's **cash** receipts to `deposited`.
//!    From then on its figures never change (the database refuses it).
//! 3. **The bank** ([`bank`]). The treasurer imports the bank's statement (CSV
//!    `date,reference,amount,label`) through the shared all-or-nothing import. A credit
//!    whose reference is a deposit number and whose amount is the cash the treasurer
//!    received reconciles the deposit: its cash receipts move to `reconciled`. Mobile
//!    money, transfers and cheques reach the commune's account from the operator or the
//!    payer's bank directly, never through a collector: a credit whose reference is such a
//!    receipt's transaction reference, with its amount, moves that receipt straight from
//!    `recorded` to `reconciled` (it has no `deposited` step). Every other line is kept
//!    and listed with its reason (unknown reference, amount that differs, cancelled
//!    receipt, a debit); a line whose deposit or receipt is reconciled already reconciles
//!    nothing, so importing the same statement twice changes nothing.
//! 4. **Separation of duties** ([`duties`]): only a treasurer validates; never the
//!    collector whose cash it is; never someone who created or issued the roll of a bill
//!    the cash-up's receipts settle, nor who asked for or decided an adjustment of one. A
//!    user holding both roles is refused on those cash-ups only.
//!
//! Every declaration, validation and reconciliation is in the audit log. The year's
//! receipts, with their state and deposit, export to CSV ([`export`]).

pub mod bank;
pub mod cashups;
pub mod day;
pub mod duties;
pub mod export;

use chrono::{NaiveDate, NaiveDateTime};

use crate::communes::Commune;

/// When a step of the treasury happens: the commune's day, and the moment (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub day: NaiveDate,
    pub at: NaiveDateTime,
}

impl When {
    /// Now, on `commune`'s day.
    pub fn now(commune: &Commune) -> When {
        When {
            day: commune.today(),
            at: crate::db::now(),
        }
    }
}

crate::text_enum!(
    /// Where a cash-up stands.
    pub State {
        /// Declared by the collector, waiting for the treasurer.
        Declared = "declared",
        /// Counted and validated by the treasurer: a numbered deposit.
        Deposited = "deposited",
        /// Its deposit is on the bank's statement.
        Reconciled = "reconciled",
    }
);

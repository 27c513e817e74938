//! **Bank reconciliation**: the bank's statement, imported as CSV through the one
//! all-or-nothing import ([`crate::tabular::import`]), columns `date,reference,amount` and
//! optionally `label`. A bad date or amount anywhere and nothing is written; the report
//! gives every bad line.
//!
//! Each line is kept, with what it matched ([`decide`]):
//! - a **deposit**: the reference is a deposit number (`VER-…`) and the amount is the cash
//!   the treasurer received; the deposit and its cash receipts become `reconciled`;
//! - a **receipt** paid by mobile money, transfer or cheque: the reference is its
//!   transaction reference and the amount its amount; it becomes `reconciled`;
//! - **already**: that deposit or receipt was reconciled before (the same statement
//!   imported twice, or overlapping statements): nothing changes;
//! - **unmatched**, with the reason: no deposit or receipt has that reference, the amount
//!   differs (the expected amount is kept), the receipt was cancelled, or the line is a
//!   debit. These are listed for the treasurer to look into.
//!
//! Amounts are whole francs; a bank's `,00` or `.00` is accepted, other decimals are not.

mod import;
mod statements;

pub use import::import;
pub use statements::{lines, statements, Line, Statement};

use super::State;
use crate::error::Refusal;
use crate::fields;
use crate::ids::{CashupId, PaymentId};
use crate::money::Xof;
use crate::revenue::payments::Status;
use crate::tabular::import::Spec;

pub const COLUMNS: &[&str] = &["date", "reference", "amount"];
pub const OPTIONAL: &[&str] = &["label"];
/// The journal's kind of import.
pub const KIND: &str = "bank";

const SPEC: Spec = Spec {
    kind: KIND,
    required: COLUMNS,
    optional: OPTIONAL,
};

/// The longest reference and label kept.
pub const MAX_REFERENCE: usize = 120;
pub const MAX_LABEL: usize = 300;

crate::text_enum!(
    /// What a statement line matched.
    pub Matched {
        Deposit = "deposit",
        Payment = "payment",
        Already = "already",
        Unmatched = "unmatched",
    }
);

crate::text_enum!(
    /// Why a line matched nothing.
    pub Reason {
        UnknownReference = "unknown_reference",
        AmountDiffers = "amount_differs",
        Cancelled = "cancelled",
        NotACredit = "not_a_credit",
    }
);

/// What a line's reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Deposit {
        id: CashupId,
        received: Xof,
        state: State,
    },
    Receipt {
        id: PaymentId,
        amount: Xof,
        status: Status,
    },
}

/// What a line does: what it matched, why not, and the amount expected when it differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub matched: Matched,
    pub reason: Option<Reason>,
    pub expected: Option<Xof>,
}

impl Decision {
    fn unmatched(reason: Reason, expected: Option<Xof>) -> Decision {
        Decision {
            matched: Matched::Unmatched,
            reason: Some(reason),
            expected,
        }
    }

    fn matched(matched: Matched) -> Decision {
        Decision {
            matched,
            reason: None,
            expected: None,
        }
    }
}

/// The rule: a credit of exactly the deposit's received cash, or of exactly the
/// receipt's amount, reconciles it once.
pub fn decide(amount: Xof, target: Option<Target>) -> Decision {
    if amount.0 <= 0 {
        return Decision::unmatched(Reason::NotACredit, None);
    }
    match target {
        None => Decision::unmatched(Reason::UnknownReference, None),
        Some(Target::Deposit { received, .. }) if received != amount => {
            Decision::unmatched(Reason::AmountDiffers, Some(received))
        }
        Some(Target::Deposit { state, .. }) => Decision::matched(match state {
            State::Reconciled => Matched::Already,
            State::Deposited | State::Declared => Matched::Deposit,
        }),
        Some(Target::Receipt {
            status: Status::Cancelled,
            ..
        }) => Decision::unmatched(Reason::Cancelled, None),
        Some(Target::Receipt { amount: due, .. }) if due != amount => {
            Decision::unmatched(Reason::AmountDiffers, Some(due))
        }
        Some(Target::Receipt { status, .. }) => Decision::matched(match status {
            Status::Reconciled => Matched::Already,
            _ => Matched::Payment,
        }),
    }
}

/// An amount of whole francs as a bank writes it: a sign, and `,00` or `.00` allowed.
pub fn bank_amount(v: &str) -> Result<Xof, Refusal> {
    let t = v.trim();
    let whole = [",00", ".00", ",0", ".0"]
        .iter()
        .find_map(|cents| t.strip_suffix(cents))
        .filter(|rest| rest.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(t);
    fields::signed_amount(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPOSIT: Target = Target::Deposit {
        id: CashupId(1),
        received: Xof(45_000),
        state: State::Deposited,
    };
    const MOMO: Target = Target::Receipt {
        id: PaymentId(7),
        amount: Xof(13_000),
        status: Status::Recorded,
    };

    fn outcome(amount: i64, target: Option<Target>) -> (Matched, Option<Reason>, Option<Xof>) {
        let d = decide(Xof(amount), target);
        (d.matched, d.reason, d.expected)
    }

    #[test]
    fn a_deposit_reconciles_once_on_the_cash_received() {
        assert_eq!(outcome(45_000, Some(DEPOSIT)).0, Matched::Deposit);
        let done = Target::Deposit {
            id: CashupId(1),
            received: Xof(45_000),
            state: State::Reconciled,
        };
        assert_eq!(outcome(45_000, Some(done)).0, Matched::Already);
        assert_eq!(
            outcome(50_000, Some(DEPOSIT)),
            (
                Matched::Unmatched,
                Some(Reason::AmountDiffers),
                Some(Xof(45_000))
            )
        );
    }

    #[test]
    fn a_mobile_money_receipt_reconciles_on_its_reference_and_amount() {
        assert_eq!(outcome(13_000, Some(MOMO)).0, Matched::Payment);
        let reconciled = Target::Receipt {
            id: PaymentId(7),
            amount: Xof(13_000),
            status: Status::Reconciled,
        };
        assert_eq!(outcome(13_000, Some(reconciled)).0, Matched::Already);
        assert_eq!(outcome(12_000, Some(MOMO)).1, Some(Reason::AmountDiffers));
        let cancelled = Target::Receipt {
            id: PaymentId(7),
            amount: Xof(13_000),
            status: Status::Cancelled,
        };
        assert_eq!(outcome(13_000, Some(cancelled)).1, Some(Reason::Cancelled));
    }

    #[test]
    fn unknown_references_and_debits_match_nothing() {
        assert_eq!(outcome(5_000, None).1, Some(Reason::UnknownReference));
        assert_eq!(outcome(-2_500, Some(DEPOSIT)).1, Some(Reason::NotACredit));
        assert_eq!(outcome(0, None).1, Some(Reason::NotACredit));
    }

    #[test]
    fn bank_amounts_may_carry_zero_cents_and_a_sign() {
        assert_eq!(bank_amount("45000"), Ok(Xof(45_000)));
        assert_eq!(bank_amount("45 000,00"), Ok(Xof(45_000)));
        assert_eq!(bank_amount("45000.00"), Ok(Xof(45_000)));
        assert_eq!(bank_amount("-2 500"), Ok(Xof(-2_500)));
        assert_eq!(
            bank_amount("45000,50").unwrap_err().key,
            "field.amount_decimals"
        );
        assert_eq!(bank_amount("beaucoup").unwrap_err().key, "field.bad_amount");
        assert_eq!(bank_amount("").unwrap_err().key, "field.required");
    }
}

//! **Separation of duties** on a cash-up's validation, as pure rules ([`check`],
//! [`count`]) and the one query that gathers who did what on the bills its receipts
//! settle ([`parties`]).

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::accounts::Role;
use crate::db::schema::{adjustments, assessments, payment_allocations, payments, rolls};
use crate::db::DbConn;
use crate::error::Refusal;
use crate::ids::{CashupId, UserId};
use crate::money::Xof;
use crate::revenue::payments::Status;

/// The longest note kept on a validation.
pub const MAX_NOTE: usize = 500;

/// Who had a hand in a cash-up: the collector, and for each person who created or
/// issued the roll of a bill its receipts settle, or asked for or decided an adjustment
/// of one, the first such bill's reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parties {
    pub collector: Option<UserId>,
    pub assessed: BTreeMap<UserId, String>,
    pub adjusted: BTreeMap<UserId, String>,
}

/// Whether `validator`, holding `roles` in the commune, may validate a cash-up with
/// these parties: a treasurer, not its collector, and neither the assessor nor the
/// adjuster of any bill it settles.
pub fn check(validator: UserId, roles: &[Role], parties: &Parties) -> Result<(), Refusal> {
    if !roles.contains(&Role::Treasurer) {
        return Err(Refusal::new("cashup.not_treasurer"));
    }
    if parties.collector == Some(validator) {
        return Err(Refusal::new("cashup.own"));
    }
    if let Some(bill) = parties.assessed.get(&validator) {
        return Err(Refusal::new("cashup.assessed").arg("bill", bill.as_str()));
    }
    if let Some(bill) = parties.adjusted.get(&validator) {
        return Err(Refusal::new("cashup.adjusted").arg("bill", bill.as_str()));
    }
    Ok(())
}

/// The treasurer's count against the cash receipts: the difference (received minus
/// expected: negative is a shortfall), which needs a note unless it is zero.
pub fn count(expected: Xof, received: Xof, note: &str) -> Result<Xof, Refusal> {
    if received.0 < 0 {
        return Err(Refusal::new("field.negative").on("received"));
    }
    if received > Xof::MAX_ENTRY {
        return Err(Refusal::new("field.amount_too_large").on("received"));
    }
    if note.trim().chars().count() > MAX_NOTE {
        return Err(Refusal::new("cashup.note_long")
            .arg("max", MAX_NOTE)
            .on("note"));
    }
    let difference = Xof(received.0 - expected.0);
    if difference.0 != 0 && note.trim().is_empty() {
        let key = if difference.0 < 0 {
            "cashup.note_shortfall"
        } else {
            "cashup.note_surplus"
        };
        return Err(Refusal::new(key)
            .arg("amount", Xof(difference.0.abs()))
            .on("note"));
    }
    Ok(difference)
}

/// Who collected a cash-up's receipts' money, and who assessed or adjusted the bills
/// they settle (its cancelled receipts settle nothing).
pub fn parties(conn: &mut DbConn, cashup: CashupId, collector: UserId) -> QueryResult<Parties> {
    let bills: Vec<(i64, String, Option<UserId>, Option<UserId>)> = payment_allocations::table
        .inner_join(payments::table)
        .inner_join(assessments::table.inner_join(rolls::table))
        .filter(payments::cashup_id.eq(cashup))
        .filter(payments::status.ne(Status::Cancelled))
        .select((
            assessments::id,
            assessments::reference,
            rolls::created_by,
            rolls::issued_by,
        ))
        .distinct()
        .order(assessments::reference.asc())
        .load(conn)?;
    let mut parties = Parties {
        collector: Some(collector),
        ..Parties::default()
    };
    for (_, bill, created, issued) in &bills {
        for who in [created, issued].into_iter().flatten() {
            parties.assessed.entry(*who).or_insert_with(|| bill.clone());
        }
    }
    let ids: Vec<i64> = bills.iter().map(|b| b.0).collect();
    let adjusted: Vec<(String, UserId, Option<UserId>)> = adjustments::table
        .inner_join(assessments::table)
        .filter(adjustments::assessment_id.eq_any(&ids))
        .order(assessments::reference.asc())
        .select((
            assessments::reference,
            adjustments::requested_by,
            adjustments::decided_by,
        ))
        .load(conn)?;
    for (bill, asked, decided) in adjusted {
        for who in std::iter::once(asked).chain(decided) {
            parties.adjusted.entry(who).or_insert_with(|| bill.clone());
        }
    }
    Ok(parties)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREASURER: UserId = UserId(1);
    const COLLECTOR: UserId = UserId(2);
    const OFFICER: UserId = UserId(3);
    const SECOND_OFFICER: UserId = UserId(4);

    fn parties() -> Parties {
        Parties {
            collector: Some(COLLECTOR),
            assessed: BTreeMap::from([(OFFICER, "DKP/2026/TAXPUB/000001".into())]),
            adjusted: BTreeMap::from([(SECOND_OFFICER, "DKP/2026/TAXPUB/000001".into())]),
        }
    }

    fn key(who: UserId, roles: &[Role]) -> Option<&'static str> {
        check(who, roles, &parties()).err().map(|r| r.key)
    }

    #[test]
    fn a_treasurer_with_no_hand_in_the_bills_validates() {
        assert_eq!(key(TREASURER, &[Role::Treasurer]), None);
        assert_eq!(key(TREASURER, &[Role::Treasurer, Role::Councillor]), None);
    }

    #[test]
    fn only_a_treasurer_validates() {
        for role in Role::ALL.iter().filter(|r| **r != Role::Treasurer) {
            assert_eq!(key(TREASURER, &[*role]), Some("cashup.not_treasurer"));
        }
        assert_eq!(key(TREASURER, &[]), Some("cashup.not_treasurer"));
    }

    #[test]
    fn a_collector_never_validates_their_own_cashup_even_as_a_treasurer() {
        assert_eq!(
            key(COLLECTOR, &[Role::Collector, Role::Treasurer]),
            Some("cashup.own")
        );
    }

    #[test]
    fn whoever_assessed_or_adjusted_a_settled_bill_is_refused_and_told_which() {
        let both = [Role::FinanceOfficer, Role::Treasurer];
        let refusal = check(OFFICER, &both, &parties()).unwrap_err();
        assert_eq!(refusal.key, "cashup.assessed");
        assert_eq!(
            refusal.get("bill"),
            Some(&crate::i18n::Arg::Text("DKP/2026/TAXPUB/000001".into()))
        );
        assert_eq!(key(SECOND_OFFICER, &both), Some("cashup.adjusted"));
        // The same people, on a cash-up whose bills they never touched, may validate.
        let tickets_only = Parties {
            collector: Some(COLLECTOR),
            ..Parties::default()
        };
        assert!(check(OFFICER, &both, &tickets_only).is_ok());
        assert!(check(SECOND_OFFICER, &both, &tickets_only).is_ok());
    }

    #[test]
    fn a_difference_needs_a_note_and_its_sign_says_which_kind() {
        let (expected, five) = (Xof(50_000), "compté deux fois");
        assert_eq!(count(expected, Xof(50_000), ""), Ok(Xof(0)));
        assert_eq!(count(expected, Xof(45_000), five), Ok(Xof(-5_000)));
        assert_eq!(count(expected, Xof(51_000), five), Ok(Xof(1_000)));
        let short = count(expected, Xof(45_000), "  ").unwrap_err();
        assert_eq!(short.key, "cashup.note_shortfall");
        assert_eq!(
            short.get("amount"),
            Some(&crate::i18n::Arg::Money(Xof(5_000)))
        );
        assert_eq!(
            count(expected, Xof(51_000), "").unwrap_err().key,
            "cashup.note_surplus"
        );
        assert_eq!(
            count(expected, Xof(45_000), &"x".repeat(501))
                .unwrap_err()
                .key,
            "cashup.note_long"
        );
        assert_eq!(
            count(expected, Xof(Xof::MAX_ENTRY.0 + 1), five)
                .unwrap_err()
                .key,
            "field.amount_too_large"
        );
    }
}

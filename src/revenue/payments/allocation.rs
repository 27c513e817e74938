//! **The allocation rule**: a payment settles the taxpayer's lines in the order of the
//! account (oldest fiscal year first, then earliest due date, then line reference), each
//! line taking what it still owes until the payment is used up. A payment above the
//! balance is refused before this rule runs: Commune keeps no credit on an account.

use crate::ids::AssessmentId;
use crate::money::Xof;

/// Spreads `amount` over `owed` (lines in allocation order, each with what it still
/// owes), by the rule above. Lines that owe nothing are skipped; what is left over when
/// every line is settled is not allocated.
pub fn allocate(owed: &[(AssessmentId, Xof)], amount: Xof) -> Vec<(AssessmentId, Xof)> {
    let mut left = amount.0;
    let mut out = Vec::new();
    for &(line, due) in owed {
        if left <= 0 {
            break;
        }
        let take = due.0.min(left);
        if take > 0 {
            out.push((line, Xof(take)));
            left -= take;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(owed: &[i64]) -> Vec<(AssessmentId, Xof)> {
        owed.iter()
            .enumerate()
            .map(|(i, &o)| (AssessmentId(i as i64 + 1), Xof(o)))
            .collect()
    }

    fn shares(list: &[(AssessmentId, Xof)]) -> Vec<(i64, i64)> {
        list.iter().map(|(l, a)| (l.0, a.0)).collect()
    }

    #[test]
    fn a_payment_settles_the_oldest_lines_first() {
        // 30 000 over lines owing 10 000, 25 000 and 5 000.
        assert_eq!(
            shares(&allocate(&lines(&[10_000, 25_000, 5_000]), Xof(30_000))),
            [(1, 10_000), (2, 20_000)]
        );
    }

    #[test]
    fn a_line_that_owes_nothing_takes_nothing() {
        assert_eq!(
            shares(&allocate(&lines(&[0, 7_500, 2_500]), Xof(10_000))),
            [(2, 7_500), (3, 2_500)]
        );
    }

    #[test]
    fn the_shares_add_up_to_the_payment_when_enough_is_owed() {
        let owed = lines(&[1, 999, 12_345, 50_000]);
        for amount in [1, 1_000, 13_345, 63_345] {
            let total: i64 = allocate(&owed, Xof(amount)).iter().map(|(_, a)| a.0).sum();
            assert_eq!(total, amount);
        }
    }
}

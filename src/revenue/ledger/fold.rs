//! The pure half of a taxpayer's ledger: from the issued lines, the approved
//! adjustments and the payments allocated to each line, what each line still owes, the
//! balance, and the arrears year by year. Every sum is checked: an overflow is refused,
//! never wrapped.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::{Line, LineRow, YearBalance};
use crate::error::Refusal;
use crate::ids::AssessmentId;
use crate::money::Xof;

/// The totals of an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub lines: Vec<Line>,
    pub years: Vec<YearBalance>,
    pub assessed: Xof,
    pub penalties: Xof,
    pub adjusted: Xof,
    pub paid: Xof,
    pub balance: Xof,
    pub arrears: Xof,
}

fn add(a: Xof, b: Xof) -> Result<Xof, Refusal> {
    a.checked_add(b)
        .ok_or_else(|| Refusal::new("ledger.too_large"))
}

fn sum(values: impl Iterator<Item = Xof>) -> Result<Xof, Refusal> {
    Xof::checked_sum(values).ok_or_else(|| Refusal::new("ledger.too_large"))
}

/// Folds the rows of an account, as it stands on `today`: a line is overdue when it
/// still owes something after its due date; a year is in arrears when it is past and
/// still owes something.
pub fn fold(
    rows: Vec<LineRow>,
    adjusted: &HashMap<AssessmentId, Xof>,
    paid: &HashMap<AssessmentId, Xof>,
    today: NaiveDate,
) -> Result<Totals, Refusal> {
    let this_year = i64::from(today.year());
    let mut years: BTreeMap<i64, YearBalance> = BTreeMap::new();
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let adj = adjusted.get(&row.id).copied().unwrap_or(Xof::ZERO);
        let pay = paid.get(&row.id).copied().unwrap_or(Xof::ZERO);
        let outstanding = add(row.amount, adj)?
            .checked_sub(pay)
            .ok_or_else(|| Refusal::new("ledger.too_large"))?;
        let y = years.entry(row.fiscal_year).or_insert_with(|| YearBalance {
            year: row.fiscal_year,
            ..YearBalance::default()
        });
        if row.kind == "penalty" {
            y.penalties = add(y.penalties, row.amount)?;
        } else {
            y.assessed = add(y.assessed, row.amount)?;
        }
        y.adjusted = add(y.adjusted, adj)?;
        y.paid = add(y.paid, pay)?;
        y.outstanding = add(y.outstanding, outstanding)?;
        lines.push(Line {
            overdue: outstanding.0 > 0 && row.due_date < today,
            adjusted: adj,
            paid: pay,
            outstanding,
            row,
        });
    }
    let mut years: Vec<YearBalance> = years.into_values().collect();
    for y in &mut years {
        y.arrears = y.year < this_year && y.outstanding.0 > 0;
    }
    Ok(Totals {
        assessed: sum(years.iter().map(|y| y.assessed))?,
        penalties: sum(years.iter().map(|y| y.penalties))?,
        adjusted: sum(years.iter().map(|y| y.adjusted))?,
        paid: sum(years.iter().map(|y| y.paid))?,
        balance: sum(years.iter().map(|y| y.outstanding))?,
        arrears: sum(years.iter().filter(|y| y.arrears).map(|y| y.outstanding))?,
        years,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, year: i64, kind: &str, amount: i64, due: (i32, u32, u32)) -> LineRow {
        LineRow {
            id: AssessmentId(id),
            reference: format!("L{id}"),
            kind: kind.into(),
            tax_code: "TEOM".into(),
            tax_name_fr: "Ordures".into(),
            tax_name_en: "Waste".into(),
            item_ref: None,
            fiscal_year: year,
            period: year.to_string(),
            amount: Xof(amount),
            due_date: NaiveDate::from_ymd_opt(due.0, due.1, due.2).unwrap(),
        }
    }

    #[test]
    fn a_line_owes_its_amount_plus_adjustments_less_payments() {
        let rows = vec![
            row(1, 2025, "principal", 10_000, (2025, 3, 31)),
            row(2, 2025, "penalty", 1_000, (2025, 6, 30)),
            row(3, 2026, "principal", 20_000, (2026, 3, 31)),
        ];
        let adjusted = HashMap::from([(AssessmentId(1), Xof(-2_000))]);
        let paid = HashMap::from([(AssessmentId(1), Xof(8_000)), (AssessmentId(3), Xof(5_000))]);
        let today = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let t = fold(rows, &adjusted, &paid, today).unwrap();
        let owed: Vec<i64> = t.lines.iter().map(|l| l.outstanding.0).collect();
        assert_eq!(owed, [0, 1_000, 15_000]);
        assert_eq!(t.balance, Xof(16_000));
        assert_eq!((t.assessed, t.penalties), (Xof(30_000), Xof(1_000)));
        // 2025 is past and still owes its penalty: arrears; 2026 is this year.
        assert_eq!(t.arrears, Xof(1_000));
        assert_eq!(
            t.years.iter().map(|y| y.arrears).collect::<Vec<_>>(),
            [true, false]
        );
        assert!(!t.lines[0].overdue && t.lines[1].overdue && t.lines[2].overdue);
    }

    #[test]
    fn a_total_that_would_overflow_is_refused() {
        let rows = vec![
            row(1, 2025, "principal", i64::MAX, (2025, 3, 31)),
            row(2, 2025, "principal", 1, (2025, 3, 31)),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let err = fold(rows, &HashMap::new(), &HashMap::new(), today).unwrap_err();
        assert_eq!(err.key, "ledger.too_large");
    }
}

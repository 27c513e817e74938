//! The pure half of the collection figures: rates and their one rounding rule, the age
//! of arrears, the year month by month, and the sums of a cross-tabulation. The queries
//! ([`super`]) bring small grouped rows; this folds them, without the database.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::money::Xof;

/// What was due and what was collected on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub assessed: Xof,
    pub collected: Xof,
}

impl Rate {
    pub fn new(assessed: i64, collected: i64) -> Rate {
        Rate {
            assessed: Xof(assessed),
            collected: Xof(collected),
        }
    }

    /// Collected ÷ assessed, by [`rate_bp`]; none when nothing was assessed.
    pub fn rate_bp(&self) -> Option<i64> {
        rate_bp(self.collected, self.assessed)
    }

    /// What is left to collect.
    pub fn remaining(&self) -> Xof {
        Xof(self.assessed.0.saturating_sub(self.collected.0))
    }

    pub fn add(&mut self, other: Rate) {
        self.assessed = Xof(self.assessed.0.saturating_add(other.assessed.0));
        self.collected = Xof(self.collected.0.saturating_add(other.collected.0));
    }
}

/// `part` out of `whole` in basis points (1 % = 100), **rounded down to a tenth of a
/// percent**: the one rounding rule of every rate and share on the collection pages.
/// Rounded down so that 100 % means everything was collected, never "almost"; none
/// when `whole` is not positive (no rate of nothing).
pub fn rate_bp(part: Xof, whole: Xof) -> Option<i64> {
    if whole.0 <= 0 {
        return None;
    }
    let bp = (i128::from(part.0) * 10_000).div_euclid(i128::from(whole.0));
    Some((bp.div_euclid(10) * 10) as i64)
}

/// How late an unpaid line is: days since its due date, in the buckets finance officers
/// use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Age {
    /// 1 to 30 days past due.
    Month,
    /// 31 to 90 days.
    Quarter,
    /// 91 to 180 days.
    HalfYear,
    /// 181 to 365 days.
    Year,
    /// More than a year.
    Older,
}

impl Age {
    pub const ALL: [Age; 5] = [
        Age::Month,
        Age::Quarter,
        Age::HalfYear,
        Age::Year,
        Age::Older,
    ];

    /// The bucket of a line `days` past its due date (at least one: a line falls due at
    /// the end of its due date).
    pub fn of(days: i64) -> Age {
        match days {
            ..=30 => Age::Month,
            31..=90 => Age::Quarter,
            91..=180 => Age::HalfYear,
            181..=365 => Age::Year,
            _ => Age::Older,
        }
    }

    /// Its name in files and message keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Age::Month => "0-30",
            Age::Quarter => "31-90",
            Age::HalfYear => "91-180",
            Age::Year => "181-365",
            Age::Older => "365+",
        }
    }
}

/// What is owed on lines past due, by age on `today`, every bucket listed (zero when
/// empty), youngest first. `owed` is what is still owed on the lines of each due date
/// (none of them owes less than nothing: a line is never paid beyond what it owes, so
/// the sum of a date is the sum of what its unpaid lines owe).
pub fn by_age(today: NaiveDate, owed: &[(NaiveDate, Xof)]) -> Vec<(Age, Xof)> {
    let mut sums: BTreeMap<Age, i64> = Age::ALL.iter().map(|a| (*a, 0)).collect();
    for (due, amount) in owed.iter().filter(|(due, _)| *due < today) {
        let age = Age::of((today - *due).num_days());
        let sum = sums.entry(age).or_default();
        *sum = sum.saturating_add(amount.0);
    }
    sums.into_iter().map(|(a, s)| (a, Xof(s))).collect()
}

/// One month of the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Month {
    /// 1 to 12.
    pub month: u32,
    /// Every valid receipt dated that month, whatever it paid (arrears included).
    pub receipts: i64,
    pub received: Xof,
    /// Of which by mobile money.
    pub mobile_receipts: i64,
    pub mobile: Xof,
    /// **Cumulative**, from 1 January to the month's end: what had fallen due (the
    /// year's lines and tickets) and how much of it was paid by then.
    pub to_date: Rate,
}

/// The rows [`months`] folds, each grouped by day in the database.
#[derive(Debug, Clone, Default)]
pub struct Days {
    /// What the year's lines owe (adjusted), by due date.
    pub due: Vec<(NaiveDate, Xof)>,
    /// What was paid on the year's lines: by due date of the line, and date paid.
    pub paid: Vec<(NaiveDate, NaiveDate, Xof)>,
    /// The year's tickets (their own assessment), by date sold.
    pub tickets: Vec<(NaiveDate, Xof)>,
    /// Valid receipts by date paid and whether by mobile money: how many, how much.
    pub receipts: Vec<(NaiveDate, bool, i64, Xof)>,
}

/// The first `last` months of `year` (all twelve for a past year; up to this month for
/// this one).
pub fn months(year: i32, last: u32, days: &Days) -> Vec<Month> {
    let mut out: Vec<Month> = (1..=last.min(12))
        .map(|month| Month {
            month,
            ..Month::default()
        })
        .collect();
    let end = |m: u32| month_end(year, m);
    for m in out.iter_mut() {
        let end = end(m.month);
        let due: i64 = sum(days.due.iter().filter(|(d, _)| *d <= end).map(|x| x.1));
        let paid: i64 = sum(days
            .paid
            .iter()
            .filter(|(d, p, _)| *d <= end && *p <= end)
            .map(|x| x.2));
        let tickets: i64 = sum(days.tickets.iter().filter(|(d, _)| *d <= end).map(|x| x.1));
        m.to_date = Rate::new(due.saturating_add(tickets), paid.saturating_add(tickets));
    }
    for (day, mobile, count, amount) in &days.receipts {
        if day.year() != year {
            continue;
        }
        let Some(m) = out.get_mut(day.month0() as usize) else {
            continue;
        };
        m.receipts += count;
        m.received = Xof(m.received.0.saturating_add(amount.0));
        if *mobile {
            m.mobile_receipts += count;
            m.mobile = Xof(m.mobile.0.saturating_add(amount.0));
        }
    }
    out
}

fn sum(amounts: impl Iterator<Item = Xof>) -> i64 {
    amounts.fold(0i64, |acc, x| acc.saturating_add(x.0))
}

/// The last day of a month.
pub fn month_end(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The sums of a cross-tabulation: in all, by row key and by column key (in key order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Margins<A, B> {
    pub total: Rate,
    pub rows: Vec<(A, Rate)>,
    pub cols: Vec<(B, Rate)>,
}

/// The [`Margins`] of the cells `(row key, column key, rate)`.
pub fn margins<A: Ord + Clone, B: Ord + Clone>(cells: &[(A, B, Rate)]) -> Margins<A, B> {
    let mut total = Rate::default();
    let mut rows: BTreeMap<A, Rate> = BTreeMap::new();
    let mut cols: BTreeMap<B, Rate> = BTreeMap::new();
    for (a, b, r) in cells {
        total.add(*r);
        rows.entry(a.clone()).or_default().add(*r);
        cols.entry(b.clone()).or_default().add(*r);
    }
    Margins {
        total,
        rows: rows.into_iter().collect(),
        cols: cols.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_rate_is_rounded_down_to_a_tenth_of_a_percent_and_100_means_all() {
        assert_eq!(rate_bp(Xof(2), Xof(3)), Some(6_660));
        assert_eq!(rate_bp(Xof(1), Xof(3)), Some(3_330));
        assert_eq!(rate_bp(Xof(99_999), Xof(100_000)), Some(9_990));
        assert_eq!(rate_bp(Xof(5), Xof(5)), Some(10_000));
        assert_eq!(rate_bp(Xof(0), Xof(5)), Some(0));
        assert_eq!(rate_bp(Xof(1), Xof(100_000)), Some(0));
        assert_eq!(rate_bp(Xof(5), Xof(0)), None);
        assert_eq!(rate_bp(Xof(5), Xof(-3)), None);
        // Large amounts do not overflow.
        assert_eq!(
            rate_bp(Xof(Xof::MAX_ENTRY.0 * 1_000), Xof(Xof::MAX_ENTRY.0 * 4_000)),
            Some(2_500)
        );
        assert_eq!(Rate::new(300, 100).remaining(), Xof(200));
    }

    #[test]
    fn lines_past_due_fall_in_buckets_by_days_late() {
        assert_eq!(Age::of(1), Age::Month);
        assert_eq!(Age::of(30), Age::Month);
        assert_eq!(Age::of(31), Age::Quarter);
        assert_eq!(Age::of(90), Age::Quarter);
        assert_eq!(Age::of(91), Age::HalfYear);
        assert_eq!(Age::of(180), Age::HalfYear);
        assert_eq!(Age::of(181), Age::Year);
        assert_eq!(Age::of(365), Age::Year);
        assert_eq!(Age::of(366), Age::Older);
        let today = d(2026, 11, 30);
        let owed = [
            (d(2026, 11, 30), Xof(7)),     // due today: not yet late
            (d(2026, 12, 31), Xof(7)),     // not due yet
            (d(2026, 11, 29), Xof(100)),   // 1 day
            (d(2026, 10, 31), Xof(200)),   // 30 days
            (d(2026, 10, 30), Xof(1_000)), // 31 days
            (d(2025, 11, 30), Xof(5_000)), // 365 days
            (d(2025, 11, 29), Xof(9_000)), // 366 days
        ];
        assert_eq!(
            by_age(today, &owed),
            [
                (Age::Month, Xof(300)),
                (Age::Quarter, Xof(1_000)),
                (Age::HalfYear, Xof(0)),
                (Age::Year, Xof(5_000)),
                (Age::Older, Xof(9_000)),
            ]
        );
    }

    #[test]
    fn the_months_are_cumulative_and_tickets_are_their_own_assessment() {
        let days = Days {
            due: vec![(d(2026, 3, 31), Xof(10_000)), (d(2026, 6, 30), Xof(20_000))],
            paid: vec![
                // Paid in February ahead of its March due date: counts from March.
                (d(2026, 3, 31), d(2026, 2, 10), Xof(4_000)),
                // Paid in July on the June line: counts from July.
                (d(2026, 6, 30), d(2026, 7, 1), Xof(5_000)),
            ],
            tickets: vec![(d(2026, 1, 15), Xof(300))],
            receipts: vec![
                (d(2026, 1, 15), false, 3, Xof(300)),
                (d(2026, 2, 10), true, 1, Xof(4_000)),
                (d(2026, 2, 11), false, 1, Xof(2_500)), // arrears of last year
                (d(2026, 7, 1), false, 1, Xof(5_000)),
            ],
        };
        let months = months(2026, 7, &days);
        assert_eq!(months.len(), 7);
        let to_date: Vec<(i64, i64)> = months
            .iter()
            .map(|m| (m.to_date.assessed.0, m.to_date.collected.0))
            .collect();
        assert_eq!(
            to_date,
            [
                (300, 300),
                (300, 300),
                (10_300, 4_300),
                (10_300, 4_300),
                (10_300, 4_300),
                (30_300, 4_300),
                (30_300, 9_300),
            ]
        );
        assert_eq!((months[1].receipts, months[1].received), (2, Xof(6_500)));
        assert_eq!(
            (months[1].mobile_receipts, months[1].mobile),
            (1, Xof(4_000))
        );
        assert_eq!(months[2].received, Xof(0));
        assert_eq!(month_end(2026, 2), d(2026, 2, 28));
        assert_eq!(month_end(2026, 12), d(2026, 12, 31));
    }

    #[test]
    fn a_cross_tabulation_sums_by_row_by_column_and_in_all() {
        let cells = [
            ("TEOM", Some(1), Rate::new(100, 50)),
            ("TEOM", None, Rate::new(10, 0)),
            ("CFPB", Some(1), Rate::new(1_000, 1_000)),
        ];
        let Margins { total, rows, cols } = margins(&cells);
        assert_eq!(total, Rate::new(1_110, 1_050));
        assert_eq!(
            rows,
            [
                ("CFPB", Rate::new(1_000, 1_000)),
                ("TEOM", Rate::new(110, 50))
            ]
        );
        assert_eq!(
            cols,
            [(None, Rate::new(10, 0)), (Some(1), Rate::new(1_100, 1_050))]
        );
    }
}

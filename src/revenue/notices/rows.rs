//! The rows of a printed notice: each line as it is, except a tax's monthly lines on one
//! item (twelve a year for a market stall's rent, and the penalties on the months paid
//! late), which are gathered into one row. That row states how many months, what one
//! month costs and how it is computed, and which months are paid, overdue (since when)
//! and still to come (the next due date), so that a trader's notice fits one A4 page
//! and still says everything a line-by-line notice would.

use serde::Serialize;

use chrono::NaiveDate;

use super::{Computation, NoticeLine, Standing};
use crate::money::Xof;
use crate::revenue::ledger::LineRow;

/// A run of consecutive months (1 to 12); `to` is absent when the run is one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from: u32,
    pub to: Option<u32>,
}

/// The months a row gathers, and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Months {
    pub count: usize,
    /// What each month costs, when every month costs the same.
    pub each: Option<Xof>,
    /// The last line gathered (the row's own reference is the first), without what
    /// it shares with the first: `000012` after `DKP/2026/LOCCANT/000001`.
    pub last_reference: String,
    pub paid: Vec<Span>,
    pub overdue: Vec<Span>,
    pub overdue_since: Option<NaiveDate>,
    pub due: Vec<Span>,
    pub due_count: usize,
    /// The first and last due dates of the months to come (one date: all due by it).
    pub next_due: Option<NaiveDate>,
    pub due_last: Option<NaiveDate>,
}

/// One row of the notice: a line, or a tax's months gathered.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The line, or the first month's with the months' total `amount` and, as its
    /// `due_date`, the oldest overdue month's, else the next to come, else the last.
    #[serde(flatten)]
    pub line: LineRow,
    pub outstanding: Xof,
    /// For gathered months: overdue when one is, else due when one is to come, else paid.
    pub standing: Standing,
    pub computation: Computation,
    pub months: Option<Months>,
}

/// What gathers monthly lines: the same kind of line, tax, item and computation.
#[derive(PartialEq)]
struct Key<'a> {
    kind: &'a str,
    tax: &'a str,
    item: Option<&'a str>,
    computation: Computation,
}

/// The month (1 to 12) of a monthly line, whose period is written `YYYY-MM`.
fn month(line: &NoticeLine) -> Option<u32> {
    let (_, m) = line.line.row.period.split_once('-')?;
    m.parse().ok().filter(|m| (1..=12).contains(m))
}

fn key(line: &NoticeLine) -> Option<Key<'_>> {
    month(line)?;
    let row = &line.line.row;
    // A penalty names the line it is on: the months' penalties differ only by it.
    let computation = match &line.computation {
        Computation::Penalty { rule, .. } => Computation::Penalty {
            on: String::new(),
            rule: *rule,
        },
        other => other.clone(),
    };
    Some(Key {
        kind: &row.kind,
        tax: &row.tax_code,
        item: row.item_ref.as_deref(),
        computation,
    })
}

/// The notice's rows, in the lines' order: each gathered row where its first month was.
pub fn rows(lines: Vec<NoticeLine>) -> Vec<Row> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let found = key(line).and_then(|k| {
            groups
                .iter()
                .position(|g| key(&lines[g[0]]).as_ref() == Some(&k))
        });
        match found {
            Some(g) => groups[g].push(i),
            None => groups.push(vec![i]),
        }
    }
    let mut slots: Vec<Option<NoticeLine>> = lines.into_iter().map(Some).collect();
    groups
        .into_iter()
        .map(|g| {
            let mut taken: Vec<NoticeLine> = g.iter().filter_map(|i| slots[*i].take()).collect();
            if taken.len() == 1 {
                single(taken.remove(0))
            } else {
                gathered(taken)
            }
        })
        .collect()
}

fn single(l: NoticeLine) -> Row {
    Row {
        line: l.line.row,
        outstanding: l.line.outstanding,
        standing: l.standing,
        computation: l.computation,
        months: None,
    }
}

/// Monthly lines (two or more, of one key) as one row.
fn gathered(mut lines: Vec<NoticeLine>) -> Row {
    lines.sort_by_key(|l| (month(l), l.line.row.due_date));
    let of =
        |s: Standing| -> Vec<&NoticeLine> { lines.iter().filter(|l| l.standing == s).collect() };
    let months_of =
        |ls: &[&NoticeLine]| spans(&ls.iter().filter_map(|l| month(l)).collect::<Vec<_>>());
    let (paid, overdue, due) = (of(Standing::Paid), of(Standing::Overdue), of(Standing::Due));
    let overdue_since = overdue.iter().map(|l| l.line.row.due_date).min();
    let next_due = due.iter().map(|l| l.line.row.due_date).min();
    let due_last = due.iter().map(|l| l.line.row.due_date).max();
    let last_due = lines.iter().map(|l| l.line.row.due_date).max();
    let first_amount = lines[0].line.row.amount;
    let months = Months {
        count: lines.len(),
        each: lines
            .iter()
            .all(|l| l.line.row.amount == first_amount)
            .then_some(first_amount),
        last_reference: tail(
            &lines[0].line.row.reference,
            &lines[lines.len() - 1].line.row.reference,
        ),
        paid: months_of(&paid),
        overdue: months_of(&overdue),
        overdue_since,
        due: months_of(&due),
        due_count: due.len(),
        next_due,
        due_last,
    };
    let standing = if !overdue.is_empty() {
        Standing::Overdue
    } else if !due.is_empty() {
        Standing::Due
    } else {
        Standing::Paid
    };
    let sum = |f: fn(&NoticeLine) -> Xof| Xof(lines.iter().map(|l| f(l).0).sum());
    let (amount, outstanding) = (sum(|l| l.line.row.amount), sum(|l| l.line.outstanding));
    let due_date = overdue_since
        .or(next_due)
        .or(last_due)
        .unwrap_or(lines[0].line.row.due_date);
    let mut row = single(lines.swap_remove(0));
    if let Computation::Penalty { on, .. } = &mut row.computation {
        on.clear();
    }
    row.line.amount = amount;
    row.line.due_date = due_date;
    Row {
        outstanding,
        standing,
        months: Some(months),
        ..row
    }
}

/// `last` without the `/`-separated parts it shares with `first`.
fn tail(first: &str, last: &str) -> String {
    let shared = first
        .split_inclusive('/')
        .zip(last.split_inclusive('/'))
        .take_while(|(a, b)| a == b && a.ends_with('/'))
        .map(|(a, _)| a.len())
        .sum::<usize>();
    last[shared..].to_string()
}

/// Months as runs of consecutive ones: [1, 2, 3, 5] gives 1 to 3, and 5.
pub fn spans(months: &[u32]) -> Vec<Span> {
    let mut sorted = months.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<Span> = Vec::new();
    for m in sorted {
        match out.last_mut() {
            Some(s) if s.to.unwrap_or(s.from) + 1 == m => s.to = Some(m),
            _ => out.push(Span { from: m, to: None }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AssessmentId;
    use crate::revenue::assess::PenaltyRule;
    use crate::revenue::ledger::Line;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    /// The stall's rent of `month` (15 000, due on the 10th), with what it still owes.
    fn rent(month: u32, outstanding: i64, today: NaiveDate) -> NoticeLine {
        let row = LineRow {
            id: AssessmentId(i64::from(month)),
            reference: format!("DKP/2026/LOCCANT/{month:06}"),
            kind: "principal".into(),
            tax_code: "LOCCANT".into(),
            tax_name_fr: "Location des cantines".into(),
            tax_name_en: "Stall rent".into(),
            item_ref: Some("CANT-1".into()),
            fiscal_year: 2026,
            period: format!("2026-{month:02}"),
            amount: Xof(15_000),
            due_date: day(month, 10),
        };
        let line = Line {
            row,
            adjusted: Xof(0),
            paid: Xof(15_000 - outstanding),
            outstanding: Xof(outstanding),
            overdue: false,
        };
        NoticeLine {
            standing: super::super::standing(&line, today),
            computation: Computation::Tariff {
                category: "A".into(),
            },
            line,
        }
    }

    fn penalty_on(l: &NoticeLine, amount: i64) -> NoticeLine {
        let mut p = l.clone();
        p.line.row.reference = format!("{}-P", l.line.row.reference);
        p.line.row.kind = "penalty".into();
        p.line.row.amount = Xof(amount);
        p.line.outstanding = Xof(amount);
        p.line.row.due_date = day(11, 30);
        p.standing = Standing::Overdue;
        p.computation = Computation::Penalty {
            on: l.line.row.reference.clone(),
            rule: PenaltyRule::default(),
        };
        p
    }

    #[test]
    fn the_last_reference_drops_what_it_shares_with_the_first() {
        assert_eq!(
            tail("DKP/2026/LOCCANT/000001", "DKP/2026/LOCCANT/000012"),
            "000012"
        );
        assert_eq!(
            tail("DKP/2026/A/000001-P", "DKP/2026/A/000012-P"),
            "000012-P"
        );
        assert_eq!(tail("DKP/2026/A/1", "DKP/2027/A/2"), "2027/A/2");
        assert_eq!(tail("X1", "X2"), "X2");
    }

    #[test]
    fn consecutive_months_make_runs() {
        let s = |from, to| Span { from, to };
        assert_eq!(
            spans(&[5, 1, 2, 3, 12]),
            [s(1, Some(3)), s(5, None), s(12, None)]
        );
        assert!(spans(&[]).is_empty());
    }

    #[test]
    fn a_years_rent_and_its_penalties_make_two_rows_that_say_which_months_are_late() {
        // Paid January to March, May paid in part, December to come, on 1 December.
        let today = day(12, 1);
        let owed = |m: u32| match m {
            1..=3 => 0,
            5 => 5_000,
            _ => 15_000,
        };
        let mut lines = Vec::new();
        for m in 1..=12 {
            let l = rent(m, owed(m), today);
            let late = (4..=11).contains(&m);
            lines.push(l.clone());
            if late {
                lines.push(penalty_on(&l, if m == 5 { 500 } else { 1_500 }));
            }
        }

        let rows = rows(lines);

        assert_eq!(rows.len(), 2);
        let (rent, penalties) = (&rows[0], &rows[1]);
        assert_eq!(rent.line.reference, "DKP/2026/LOCCANT/000001");
        assert_eq!(
            (rent.line.amount, rent.outstanding),
            (Xof(180_000), Xof(15_000 + 5_000 + 6 * 15_000 + 15_000))
        );
        let m = rent.months.as_ref().unwrap();
        assert_eq!((m.count, m.each), (12, Some(Xof(15_000))));
        assert_eq!(m.last_reference, "000012");
        assert_eq!(
            m.paid,
            [Span {
                from: 1,
                to: Some(3)
            }]
        );
        assert_eq!(
            m.overdue,
            [Span {
                from: 4,
                to: Some(11)
            }]
        );
        assert_eq!(m.due, [Span { from: 12, to: None }]);
        assert_eq!(
            (m.overdue_since, m.next_due),
            (Some(day(4, 10)), Some(day(12, 10)))
        );
        assert_eq!(
            (rent.standing, rent.line.due_date),
            (Standing::Overdue, day(4, 10))
        );
        assert_eq!(
            rent.computation,
            Computation::Tariff {
                category: "A".into()
            }
        );
        // The penalties: eight months, not all the same amount.
        let p = penalties.months.as_ref().unwrap();
        assert_eq!(penalties.line.kind, "penalty");
        assert_eq!((p.count, p.each), (8, None));
        assert_eq!(penalties.line.amount, Xof(7 * 1_500 + 500));
        assert!(matches!(&penalties.computation, Computation::Penalty { on, .. } if on.is_empty()));
    }

    #[test]
    fn a_yearly_line_and_a_lone_month_stay_as_they_are() {
        let today = day(12, 1);
        let mut yearly = rent(6, 10_000, today);
        yearly.line.row.period = "2026".into();
        let lone = rent(3, 15_000, today);
        let rows = rows(vec![yearly, lone]);
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.months.is_none()));
        assert_eq!(rows[1].line.reference, "DKP/2026/LOCCANT/000003");
        assert_eq!(rows[1].standing, Standing::Overdue);
    }

    #[test]
    fn months_paid_in_full_or_all_to_come_say_so() {
        let paid = rows((1..=12).map(|m| rent(m, 0, day(12, 31))).collect());
        assert_eq!(paid[0].standing, Standing::Paid);
        assert_eq!(paid[0].outstanding, Xof(0));
        let ahead = rows((1..=12).map(|m| rent(m, 15_000, day(1, 1))).collect());
        let m = ahead[0].months.as_ref().unwrap();
        assert_eq!((ahead[0].standing, m.due_count), (Standing::Due, 12));
        assert_eq!(
            (m.next_due, m.due_last),
            (Some(day(1, 10)), Some(day(12, 10)))
        );
        assert!(m.overdue.is_empty() && m.paid.is_empty());
    }
}

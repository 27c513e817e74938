//! The tax notice (*avis d'imposition*) of a taxpayer for a fiscal year: the year's lines
//! from the ledger, each with how it was computed and where it stands today (paid,
//! overdue since its due date, or to pay by it), its penalties beside it; the day the
//! rolls were issued (when the notice was established); what is overdue and what is
//! still to come; and the commune's mobile-money channels to pay with. A tax's monthly
//! lines are printed as one row ([`rows`]).

pub mod rows;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::assess::{Base, Method, PenaltyRule};
use super::channels::{self, Channel};
use super::ledger::{self, AdjustmentLine, Line};
use super::tax_types::TaxType;
use crate::communes::Commune;
use crate::db::schema::{assessments, rolls, tax_types, taxable_items};
use crate::db::DbConn;
use crate::error::DomainResult;
use crate::ids::{AssessmentId, TaxpayerId};
use crate::money::Xof;

/// How a line's amount was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Computation {
    /// A rate on a base: `base × rate`.
    Rate {
        base_kind: Option<Base>,
        base: Xof,
        rate_bp: i64,
    },
    /// A tariff per square metre: `area × tariff`.
    PerArea { area_m2: i64, tariff: Xof },
    /// The tariff of the item's category.
    Tariff { category: String },
    /// One tariff for every item.
    Fixed,
    /// Set by the State's roll (the base, when the file gave one).
    State { base: Option<Xof> },
    /// A late-payment penalty on another line.
    Penalty { on: String, rule: PenaltyRule },
}

/// What a line's computation depends on, as read.
#[derive(Debug, Clone)]
pub struct Facts {
    pub kind: String,
    pub base: Option<Xof>,
    pub rate_bp: Option<i64>,
    pub parent: Option<String>,
    pub imported: bool,
    pub category: Option<String>,
    pub tax: TaxType,
}

/// How the line was computed, from its facts.
pub fn explain(f: &Facts, amount: Xof) -> Computation {
    let base_kind = f.tax.base.as_deref().and_then(Base::parse);
    if f.kind == "penalty" {
        return Computation::Penalty {
            on: f.parent.clone().unwrap_or_default(),
            rule: f.tax.penalty_rule(),
        };
    }
    if f.imported {
        // The State's office computed it: show the tax's rate when it gives the amount.
        return match (f.base, f.tax.rate_bp) {
            (Some(base), Some(bp)) if base.mul_ratio(bp, 10_000) == Some(amount) => {
                Computation::Rate {
                    base_kind,
                    base,
                    rate_bp: bp,
                }
            }
            (base, _) => Computation::State { base },
        };
    }
    match (Method::parse(&f.tax.method), f.base, f.rate_bp) {
        (Some(Method::Rate), Some(base), Some(rate_bp)) => Computation::Rate {
            base_kind,
            base,
            rate_bp,
        },
        (Some(Method::Fixed), Some(area), _) if base_kind == Some(Base::Area) => {
            Computation::PerArea {
                area_m2: area.0,
                tariff: Xof(f.tax.amount.unwrap_or(0)),
            }
        }
        (Some(Method::Table), ..) => Computation::Tariff {
            category: f.category.clone().unwrap_or_default(),
        },
        _ => Computation::Fixed,
    }
}

/// Where a line stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Paid,
    /// Past its due date and still owing: to pay at once, penalties apply.
    Overdue,
    /// To pay by its due date.
    Due,
}

pub fn standing(line: &Line, today: NaiveDate) -> Standing {
    if line.outstanding.0 <= 0 {
        Standing::Paid
    } else if line.row.due_date < today {
        Standing::Overdue
    } else {
        Standing::Due
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeLine {
    #[serde(flatten)]
    pub line: Line,
    pub standing: Standing,
    pub computation: Computation,
}

/// What is overdue and what is still to come, on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dues {
    pub total: Xof,
    pub overdue: Xof,
    pub overdue_since: Option<NaiveDate>,
    pub upcoming: Xof,
    pub first_upcoming: Option<NaiveDate>,
    pub last_upcoming: Option<NaiveDate>,
}

pub fn dues(lines: &[NoticeLine]) -> Dues {
    let mut d = Dues::default();
    for l in lines {
        let owed = l.line.outstanding;
        let due = l.line.row.due_date;
        match l.standing {
            Standing::Paid => continue,
            Standing::Overdue => {
                d.overdue = Xof(d.overdue.0.saturating_add(owed.0));
                d.overdue_since = Some(d.overdue_since.map_or(due, |s| s.min(due)));
            }
            Standing::Due => {
                d.upcoming = Xof(d.upcoming.0.saturating_add(owed.0));
                d.first_upcoming = Some(d.first_upcoming.map_or(due, |s| s.min(due)));
                d.last_upcoming = Some(d.last_upcoming.map_or(due, |s| s.max(due)));
            }
        }
        d.total = Xof(d.total.0.saturating_add(owed.0));
    }
    d
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub year: i64,
    /// The day the last of the year's rolls was issued, in the commune: the notice's
    /// date of establishment.
    pub established_on: Option<NaiveDate>,
    /// The lines as printed: monthly ones gathered by tax and item.
    pub rows: Vec<rows::Row>,
    pub adjustments: Vec<AdjustmentLine>,
    pub dues: Dues,
    pub channels: Vec<Channel>,
}

/// A line's facts as read: the line's, its roll's and item's, and its tax type.
type FactsRow = (
    (
        AssessmentId,
        String,
        Option<i64>,
        Option<i64>,
        Option<AssessmentId>,
    ),
    (String, Option<NaiveDateTime>, Option<String>),
    TaxType,
);

/// The notice of `taxpayer` for `year`, as it stands on `today`.
pub fn of(
    conn: &mut DbConn,
    commune: &Commune,
    taxpayer: TaxpayerId,
    year: i64,
    today: NaiveDate,
) -> DomainResult<Notice> {
    let account = ledger::of(conn, taxpayer, today)?;
    let references: HashMap<AssessmentId, String> = account
        .lines
        .iter()
        .map(|l| (l.row.id, l.row.reference.clone()))
        .collect();
    let lines: Vec<Line> = account
        .lines
        .into_iter()
        .filter(|l| l.row.fiscal_year == year)
        .collect();
    let ids: Vec<AssessmentId> = lines.iter().map(|l| l.row.id).collect();
    let rows: Vec<FactsRow> = assessments::table
        .inner_join(rolls::table)
        .inner_join(tax_types::table)
        .left_join(taxable_items::table)
        .filter(assessments::id.eq_any(&ids))
        .select((
            (
                assessments::id,
                assessments::kind,
                assessments::base,
                assessments::rate_bp,
                assessments::parent_id,
            ),
            (
                rolls::source,
                rolls::issued_at,
                taxable_items::category.nullable(),
            ),
            TaxType::as_select(),
        ))
        .load(conn)?;
    let established_on = rows
        .iter()
        .filter_map(|r| r.1 .1)
        .max()
        .map(|at| commune.local(at).date());
    let mut facts: HashMap<AssessmentId, Facts> = rows
        .into_iter()
        .map(
            |((id, kind, base, rate_bp, parent), (source, _, category), tax)| {
                let facts = Facts {
                    kind,
                    base: base.map(Xof),
                    rate_bp,
                    parent: parent.and_then(|p| references.get(&p).cloned()),
                    imported: source == "imported",
                    category,
                    tax,
                };
                (id, facts)
            },
        )
        .collect();
    let lines = in_order(
        lines
            .into_iter()
            .filter_map(|line| {
                let f = facts.remove(&line.row.id)?;
                Some(NoticeLine {
                    standing: standing(&line, today),
                    computation: explain(&f, line.row.amount),
                    line,
                })
            })
            .collect(),
    );
    let adjustments = account
        .adjustments
        .into_iter()
        .filter(|a| {
            lines
                .iter()
                .any(|l| l.line.row.reference == a.line_reference)
        })
        .collect();
    Ok(Notice {
        year,
        established_on,
        dues: dues(&lines),
        rows: rows::rows(lines),
        adjustments,
        channels: channels::list(conn, commune.id)?,
    })
}

/// The lines in the ledger's order, each penalty right after the line it is on.
fn in_order(lines: Vec<NoticeLine>) -> Vec<NoticeLine> {
    let (penalties, principal): (Vec<NoticeLine>, Vec<NoticeLine>) = lines
        .into_iter()
        .partition(|l| matches!(l.computation, Computation::Penalty { .. }));
    let mut penalties: Vec<Option<NoticeLine>> = penalties.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(principal.len() + penalties.len());
    for line in principal {
        let reference = line.line.row.reference.clone();
        out.push(line);
        for slot in penalties.iter_mut() {
            if matches!(slot, Some(p) if matches!(&p.computation, Computation::Penalty { on, .. } if *on == reference))
            {
                out.extend(slot.take());
            }
        }
    }
    // A penalty whose line is not on this notice (none should be) still shows.
    out.extend(penalties.into_iter().flatten());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CommuneId, TaxTypeId};
    use crate::revenue::ledger::LineRow;

    fn tax(method: &str, base: Option<&str>, rate_bp: Option<i64>, amount: Option<i64>) -> TaxType {
        TaxType {
            id: TaxTypeId(1),
            commune_id: CommuneId(1),
            code: "T".into(),
            name_fr: "T".into(),
            name_en: "T".into(),
            legal_ref: String::new(),
            category: "tax".into(),
            assessed_by: "commune".into(),
            method: method.into(),
            base: base.map(str::to_string),
            item_kind: "property".into(),
            rate_bp,
            amount,
            period: "yearly".into(),
            due_month: 3,
            due_day: 31,
            penalty_rate_bp: 1_000,
            penalty_min: 0,
            penalty_flat: 0,
            penalty_grace_days: 30,
            budget_line: String::new(),
            gfsm_code: String::new(),
            active: true,
            created_at: NaiveDateTime::default(),
        }
    }

    fn facts(kind: &str, base: Option<i64>, rate_bp: Option<i64>, tax: TaxType) -> Facts {
        Facts {
            kind: kind.into(),
            base: base.map(Xof),
            rate_bp,
            parent: None,
            imported: false,
            category: Some("A".into()),
            tax,
        }
    }

    #[test]
    fn each_method_explains_its_amount() {
        let rate = tax("rate", Some("rental_value"), Some(500), None);
        assert_eq!(
            explain(
                &facts("principal", Some(1_200_000), Some(500), rate.clone()),
                Xof(60_000)
            ),
            Computation::Rate {
                base_kind: Some(Base::RentalValue),
                base: Xof(1_200_000),
                rate_bp: 500
            }
        );
        let per_m2 = tax("fixed", Some("area"), None, Some(5_000));
        assert_eq!(
            explain(&facts("principal", Some(2), None, per_m2), Xof(10_000)),
            Computation::PerArea {
                area_m2: 2,
                tariff: Xof(5_000)
            }
        );
        let table = tax("table", None, None, None);
        assert_eq!(
            explain(&facts("principal", None, None, table), Xof(15_000)),
            Computation::Tariff {
                category: "A".into()
            }
        );
        let fixed = tax("fixed", None, None, Some(25_000));
        assert_eq!(
            explain(&facts("principal", None, None, fixed), Xof(25_000)),
            Computation::Fixed
        );
        let mut penalty = facts("penalty", None, None, rate.clone());
        penalty.parent = Some("L1".into());
        assert!(matches!(
            explain(&penalty, Xof(6_000)),
            Computation::Penalty { on, rule } if on == "L1" && rule.rate_bp == 1_000
        ));
    }

    #[test]
    fn a_state_line_shows_the_taxs_rate_only_when_it_gives_the_amount() {
        let rate = tax("rate", Some("rental_value"), Some(500), None);
        let mut f = facts("principal", Some(1_000_000), None, rate);
        f.imported = true;
        assert!(matches!(
            explain(&f, Xof(50_000)),
            Computation::Rate { rate_bp: 500, .. }
        ));
        assert_eq!(
            explain(&f, Xof(48_000)),
            Computation::State {
                base: Some(Xof(1_000_000))
            }
        );
    }

    fn line(reference: &str, outstanding: i64, due: (u32, u32)) -> NoticeLine {
        let row = LineRow {
            id: AssessmentId(1),
            reference: reference.into(),
            kind: "principal".into(),
            tax_code: "T".into(),
            tax_name_fr: "T".into(),
            tax_name_en: "T".into(),
            item_ref: None,
            fiscal_year: 2026,
            period: "2026".into(),
            amount: Xof(outstanding.max(1)),
            due_date: NaiveDate::from_ymd_opt(2026, due.0, due.1).unwrap(),
        };
        let line = Line {
            row,
            adjusted: Xof(0),
            paid: Xof(0),
            outstanding: Xof(outstanding),
            overdue: false,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        NoticeLine {
            standing: standing(&line, today),
            computation: Computation::Fixed,
            line,
        }
    }

    #[test]
    fn a_line_past_its_due_date_is_overdue_and_never_to_pay_by_a_past_date() {
        let lines = [
            line("A", 10_000, (3, 31)),
            line("B", 0, (6, 30)),
            line("C", 5_000, (12, 31)),
            line("D", 2_000, (11, 30)),
        ];
        let standings: Vec<Standing> = lines.iter().map(|l| l.standing).collect();
        assert_eq!(
            standings,
            [
                Standing::Overdue,
                Standing::Paid,
                Standing::Due,
                Standing::Due
            ]
        );
        let d = dues(&lines);
        assert_eq!(
            (d.total, d.overdue, d.upcoming),
            (Xof(17_000), Xof(10_000), Xof(7_000))
        );
        assert_eq!(d.overdue_since, NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(d.first_upcoming, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(d.last_upcoming, NaiveDate::from_ymd_opt(2026, 12, 31));
    }

    #[test]
    fn each_penalty_follows_the_line_it_is_on() {
        let mut p = line("A-P", 1_000, (12, 1));
        p.computation = Computation::Penalty {
            on: "A".into(),
            rule: PenaltyRule::default(),
        };
        let ordered = in_order(vec![line("A", 1, (3, 31)), line("B", 1, (6, 30)), p]);
        let refs: Vec<&str> = ordered
            .iter()
            .map(|l| l.line.row.reference.as_str())
            .collect();
        assert_eq!(refs, ["A", "A-P", "B"]);
    }
}

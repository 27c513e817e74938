//! How a tax is computed: the pure rules behind roll generation and penalties.
//!
//! Rates are in basis points (1/100 of a percent: 5 % = 500, 3.6 % = 360) so that every
//! computation is integer arithmetic; amounts are rounded by the one rule of
//! [`crate::money`] (nearest franc, halves away from zero).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::money::Xof;

crate::text_enum!(
    /// The kind of revenue, after the tax heads of eGov DIGIT's billing service.
    pub TaxCategory { Tax = "tax", Fee = "fee", Penalty = "penalty", Rebate = "rebate", Exemption = "exemption" }
);
crate::text_enum!(
    /// Who computes the amounts: the State's tax office (the roll is imported) or the commune.
    pub AssessedBy { State = "state", Commune = "commune" }
);
crate::text_enum!(
    /// How an amount is computed for one item and one period.
    pub Method { Fixed = "fixed", Rate = "rate", Table = "table" }
);
crate::text_enum!(
    /// What a rate applies to.
    pub Base { RentalValue = "rental_value", MarketValue = "market_value", Area = "area", Receipts = "receipts" }
);
crate::text_enum!(
    pub ItemKind { Property = "property", Stall = "stall", Business = "business", Vehicle = "vehicle", Other = "other" }
);
crate::text_enum!(
    pub Period { Yearly = "yearly", Monthly = "monthly", Daily = "daily" }
);

/// Everything roll generation needs to know about a tax type.
#[derive(Debug, Clone)]
pub struct Rule {
    pub method: Method,
    pub base: Option<Base>,
    pub rate_bp: Option<i64>,
    pub amount: Option<Xof>,
    pub tariffs: BTreeMap<String, Xof>,
    pub period: Period,
    pub due_month: u32,
    pub due_day: u32,
    pub penalty: PenaltyRule,
}

/// Penalty for late payment: `max(outstanding × rate, minimum) + flat`, once the due
/// date plus the grace days have passed (DIGIT's rate, minimum, flat amount and grace).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PenaltyRule {
    pub rate_bp: i64,
    pub minimum: Xof,
    pub flat: Xof,
    pub grace_days: i64,
}

/// The facts of a taxable item that a rule may use.
#[derive(Debug, Clone, Default)]
pub struct ItemFacts {
    pub rental_value: Option<Xof>,
    pub market_value: Option<Xof>,
    pub area_m2: Option<i64>,
    pub category: Option<String>,
}

/// Why an item gets no line, as an i18n key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    NoBase,
    NoCategory,
    UnknownCategory,
    Misconfigured,
    Overflow,
}

impl Skip {
    pub fn key(self) -> &'static str {
        match self {
            Skip::NoBase => "roll.skip.no_base",
            Skip::NoCategory => "roll.skip.no_category",
            Skip::UnknownCategory => "roll.skip.unknown_category",
            Skip::Misconfigured => "roll.skip.misconfigured",
            Skip::Overflow => "roll.skip.overflow",
        }
    }
}

/// One period's amount for one item: `(base, amount)`.
///
/// - `fixed`: the tariff per item, or per square metre when the base is `area`;
/// - `rate`: the rate (basis points) of the rental or market value;
/// - `table`: the tariff of the item's category.
pub fn amount_for(rule: &Rule, item: &ItemFacts) -> Result<(Option<i64>, Xof), Skip> {
    match rule.method {
        Method::Fixed => {
            let tariff = rule.amount.ok_or(Skip::Misconfigured)?;
            match rule.base {
                // A tariff per square metre: the amount times the area.
                Some(Base::Area) => {
                    let area = item.area_m2.ok_or(Skip::NoBase)?;
                    let amount = tariff.0.checked_mul(area).ok_or(Skip::Overflow)?;
                    Ok((Some(area), Xof(amount)))
                }
                _ => Ok((None, tariff)),
            }
        }
        Method::Table => {
            let category = item
                .category
                .as_deref()
                .filter(|c| !c.is_empty())
                .ok_or(Skip::NoCategory)?;
            rule.tariffs
                .get(category)
                .map(|a| (None, *a))
                .ok_or(Skip::UnknownCategory)
        }
        Method::Rate => {
            let rate = rule.rate_bp.ok_or(Skip::Misconfigured)?;
            let base = match rule.base.ok_or(Skip::Misconfigured)? {
                Base::RentalValue => item.rental_value,
                Base::MarketValue => item.market_value,
                // Receipts are declared event by event, never known in advance.
                Base::Area | Base::Receipts => return Err(Skip::Misconfigured),
            }
            .ok_or(Skip::NoBase)?;
            let amount = base.mul_ratio(rate, 10_000).ok_or(Skip::Overflow)?;
            Ok((Some(base.0), amount))
        }
    }
}

/// The periods of a fiscal year with their due dates: one for a yearly tax (on the
/// rule's day and month), twelve for a monthly one (on the rule's day of each month,
/// or the month's last day). Daily fees are collected against a ticket, not assessed.
pub fn periods(
    period: Period,
    year: i32,
    due_month: u32,
    due_day: u32,
) -> Vec<(String, NaiveDate)> {
    match period {
        Period::Yearly => vec![(year.to_string(), clamp_date(year, due_month, due_day))],
        Period::Monthly => (1..=12)
            .map(|m| (format!("{year}-{m:02}"), clamp_date(year, m, due_day)))
            .collect(),
        Period::Daily => Vec::new(),
    }
}

/// The date, or the last day of the month when the day does not exist (31 April).
pub fn clamp_date(year: i32, month: u32, day: u32) -> NaiveDate {
    let month = month.clamp(1, 12);
    let mut d = day.clamp(1, 31);
    loop {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, d) {
            return date;
        }
        d -= 1;
    }
}

/// What a line still owed at its penalty deadline (due date plus grace days): its amount
/// with approved adjustments (`owed`), less the payments received (`(date, amount)`) on
/// or before the deadline. A payment that came later does not undo the lateness: the
/// penalty is on what was not paid in time.
pub fn owed_at_deadline(
    owed: i64,
    payments: &[(NaiveDate, i64)],
    due: NaiveDate,
    rule: &PenaltyRule,
) -> Xof {
    let deadline = due + Duration::days(rule.grace_days);
    let in_time: i64 = payments
        .iter()
        .filter(|(day, _)| *day <= deadline)
        .map(|(_, amount)| amount)
        .sum();
    Xof(owed - in_time)
}

/// The penalty owed on `outstanding` when paid on `as_of` for a line due on `due`.
pub fn penalty(rule: &PenaltyRule, outstanding: Xof, due: NaiveDate, as_of: NaiveDate) -> Xof {
    if outstanding.0 <= 0 || as_of <= due + Duration::days(rule.grace_days) {
        return Xof::ZERO;
    }
    if rule.rate_bp == 0 && rule.minimum.0 == 0 && rule.flat.0 == 0 {
        return Xof::ZERO;
    }
    let by_rate = outstanding
        .mul_ratio(rule.rate_bp, 10_000)
        .unwrap_or(Xof(i64::MAX));
    let base = by_rate.max(rule.minimum);
    base.checked_add(rule.flat).unwrap_or(Xof(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_payments_received_by_the_deadline_reduce_what_the_penalty_is_on() {
        let rule = PenaltyRule {
            rate_bp: 1_000,
            minimum: Xof(0),
            flat: Xof(0),
            grace_days: 30,
        };
        let due = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        // Paid 40 000 on time (30 April is the last day of grace) and 60 000 late.
        let paid = [(day(4, 30), 40_000), (day(5, 1), 60_000)];
        let owed = owed_at_deadline(100_000, &paid, due, &rule);
        assert_eq!(owed, Xof(60_000));
        assert_eq!(penalty(&rule, owed, due, day(12, 31)), Xof(6_000));
        // Everything paid in time: no penalty.
        let owed = owed_at_deadline(100_000, &[(day(4, 1), 100_000)], due, &rule);
        assert_eq!(penalty(&rule, owed, due, day(12, 31)), Xof::ZERO);
    }

    fn rule(method: Method) -> Rule {
        Rule {
            method,
            base: Some(Base::RentalValue),
            rate_bp: Some(500),
            amount: Some(Xof(25_000)),
            tariffs: [
                ("A".to_string(), Xof(15_000)),
                ("B".to_string(), Xof(10_000)),
            ]
            .into(),
            period: Period::Yearly,
            due_month: 3,
            due_day: 31,
            penalty: PenaltyRule::default(),
        }
    }

    fn item(rental: Option<i64>, category: Option<&str>) -> ItemFacts {
        ItemFacts {
            rental_value: rental.map(Xof),
            category: category.map(str::to_string),
            ..ItemFacts::default()
        }
    }

    #[test]
    fn a_fixed_tariff_is_the_same_for_every_item() {
        assert_eq!(
            amount_for(&rule(Method::Fixed), &item(None, None)),
            Ok((None, Xof(25_000)))
        );
    }

    #[test]
    fn a_tariff_per_square_metre_multiplies_by_the_area() {
        let r = Rule {
            base: Some(Base::Area),
            amount: Some(Xof(5_000)),
            ..rule(Method::Fixed)
        };
        let sign = ItemFacts {
            area_m2: Some(12),
            ..ItemFacts::default()
        };
        assert_eq!(amount_for(&r, &sign), Ok((Some(12), Xof(60_000))));
        assert_eq!(amount_for(&r, &ItemFacts::default()), Err(Skip::NoBase));
    }

    #[test]
    fn a_rate_applies_to_the_base_and_rounds_half_up() {
        // CFPB: 5 % of a rental value of 1 234 567 = 61 728.35 → 61 728.
        let r = rule(Method::Rate);
        assert_eq!(
            amount_for(&r, &item(Some(1_234_567), None)),
            Ok((Some(1_234_567), Xof(61_728)))
        );
        // TEOM in Dakar: 3.6 % of 1 234 575 = 44 444.7 → 44 445.
        let teom = Rule {
            rate_bp: Some(360),
            ..rule(Method::Rate)
        };
        assert_eq!(
            amount_for(&teom, &item(Some(1_234_575), None)).unwrap().1,
            Xof(44_445)
        );
        // 5 % of 10 = 0.5 → 1 (half away from zero).
        assert_eq!(amount_for(&r, &item(Some(10), None)).unwrap().1, Xof(1));
        assert_eq!(amount_for(&r, &item(None, None)), Err(Skip::NoBase));
    }

    #[test]
    fn a_tariff_table_reads_the_item_category() {
        let r = rule(Method::Table);
        assert_eq!(
            amount_for(&r, &item(None, Some("B"))),
            Ok((None, Xof(10_000)))
        );
        assert_eq!(
            amount_for(&r, &item(None, Some("Z"))),
            Err(Skip::UnknownCategory)
        );
        assert_eq!(amount_for(&r, &item(None, None)), Err(Skip::NoCategory));
    }

    #[test]
    fn monthly_periods_fall_on_the_day_or_the_last_day_of_the_month() {
        let p = periods(Period::Monthly, 2026, 1, 31);
        assert_eq!(p.len(), 12);
        assert_eq!(
            p[1],
            (
                "2026-02".to_string(),
                NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
            )
        );
        assert_eq!(p[3].1, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap());
        assert_eq!(
            periods(Period::Yearly, 2026, 3, 31),
            vec![(
                "2026".to_string(),
                NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
            )]
        );
        assert!(periods(Period::Daily, 2026, 1, 1).is_empty());
    }

    #[test]
    fn a_penalty_waits_for_the_grace_days_then_takes_the_larger_of_rate_and_minimum() {
        let due = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let r = PenaltyRule {
            rate_bp: 1_000,
            minimum: Xof(2_000),
            flat: Xof(500),
            grace_days: 30,
        };
        let on = |d: u32| NaiveDate::from_ymd_opt(2026, 4, d).unwrap();
        assert_eq!(
            penalty(&r, Xof(100_000), due, on(30)),
            Xof::ZERO,
            "still in grace"
        );
        assert_eq!(
            penalty(
                &r,
                Xof(100_000),
                due,
                NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
            ),
            Xof(10_500)
        );
        assert_eq!(
            penalty(
                &r,
                Xof(5_000),
                due,
                NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
            ),
            Xof(2_500),
            "minimum"
        );
        assert_eq!(
            penalty(
                &r,
                Xof(0),
                due,
                NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
            ),
            Xof::ZERO,
            "nothing owed"
        );
        assert_eq!(
            penalty(
                &PenaltyRule::default(),
                Xof(1_000),
                due,
                on(30) + Duration::days(400)
            ),
            Xof::ZERO
        );
    }
}

//! A commune's tax types: what it levies, how each is computed, when it is due, what a
//! late payment costs, and which budget line and GFSM code it feeds.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::assess::{AssessedBy, Base, ItemKind, Method, PenaltyRule, Period, Rule, TaxCategory};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{tax_tariffs, tax_types};
use crate::db::DbConn;
use crate::ids::{CommuneId, TaxTypeId};
use crate::money::Xof;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = tax_types)]
pub struct TaxType {
    pub id: TaxTypeId,
    pub commune_id: CommuneId,
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub legal_ref: String,
    pub category: String,
    pub assessed_by: String,
    pub method: String,
    pub base: Option<String>,
    pub item_kind: String,
    pub rate_bp: Option<i64>,
    pub amount: Option<i64>,
    pub period: String,
    pub due_month: i64,
    pub due_day: i64,
    pub penalty_rate_bp: i64,
    pub penalty_min: i64,
    pub penalty_flat: i64,
    pub penalty_grace_days: i64,
    pub budget_line: String,
    pub gfsm_code: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A tax type with its tariff table, as pages and the CLI show it.
#[derive(Debug, Clone, Serialize)]
pub struct TaxTypeView {
    #[serde(flatten)]
    pub tax: TaxType,
    pub tariffs: BTreeMap<String, i64>,
}

impl TaxType {
    pub fn name(&self, locale: &str) -> &str {
        if locale == "en" {
            &self.name_en
        } else {
            &self.name_fr
        }
    }

    pub fn assessed_by_state(&self) -> bool {
        self.assessed_by == AssessedBy::State.as_str()
    }

    pub fn period(&self) -> Period {
        Period::parse(&self.period).unwrap_or(Period::Yearly)
    }

    pub fn penalty_rule(&self) -> PenaltyRule {
        PenaltyRule {
            rate_bp: self.penalty_rate_bp,
            minimum: Xof(self.penalty_min),
            flat: Xof(self.penalty_flat),
            grace_days: self.penalty_grace_days,
        }
    }

    /// The computation rule, with the tariffs loaded by the caller.
    pub fn rule(&self, tariffs: BTreeMap<String, Xof>) -> Rule {
        Rule {
            method: Method::parse(&self.method).unwrap_or(Method::Fixed),
            base: self.base.as_deref().and_then(Base::parse),
            rate_bp: self.rate_bp,
            amount: self.amount.map(Xof),
            tariffs,
            period: self.period(),
            due_month: self.due_month.clamp(1, 12) as u32,
            due_day: self.due_day.clamp(1, 31) as u32,
            penalty: self.penalty_rule(),
        }
    }
}

pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<TaxTypeView>> {
    let types: Vec<TaxType> = tax_types::table
        .filter(tax_types::commune_id.eq(commune))
        .order(tax_types::code.asc())
        .select(TaxType::as_select())
        .load(conn)?;
    let ids: Vec<TaxTypeId> = types.iter().map(|t| t.id).collect();
    let rows: Vec<(TaxTypeId, String, i64)> = tax_tariffs::table
        .filter(tax_tariffs::tax_type_id.eq_any(&ids))
        .order(tax_tariffs::category.asc())
        .select((
            tax_tariffs::tax_type_id,
            tax_tariffs::category,
            tax_tariffs::amount,
        ))
        .load(conn)?;
    Ok(types
        .into_iter()
        .map(|tax| {
            let tariffs = rows
                .iter()
                .filter(|(id, _, _)| *id == tax.id)
                .map(|(_, c, a)| (c.clone(), *a))
                .collect();
            TaxTypeView { tax, tariffs }
        })
        .collect())
}

pub fn by_code(conn: &mut DbConn, commune: CommuneId, code: &str) -> QueryResult<Option<TaxType>> {
    tax_types::table
        .filter(tax_types::commune_id.eq(commune))
        .filter(tax_types::code.eq(code.trim().to_uppercase()))
        .select(TaxType::as_select())
        .get_result(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, commune: CommuneId, id: TaxTypeId) -> QueryResult<TaxType> {
    tax_types::table
        .filter(tax_types::commune_id.eq(commune))
        .find(id)
        .select(TaxType::as_select())
        .get_result(conn)
}

pub fn tariffs(conn: &mut DbConn, tax: TaxTypeId) -> QueryResult<BTreeMap<String, Xof>> {
    let rows: Vec<(String, i64)> = tax_tariffs::table
        .filter(tax_tariffs::tax_type_id.eq(tax))
        .select((tax_tariffs::category, tax_tariffs::amount))
        .load(conn)?;
    Ok(rows.into_iter().map(|(c, a)| (c, Xof(a))).collect())
}

/// A tax type as written in `seed-data/<commune>/tax_types.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxTypeSpec {
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    #[serde(default)]
    pub legal_ref: String,
    pub category: String,
    pub assessed_by: String,
    pub method: String,
    pub base: Option<String>,
    pub item_kind: String,
    /// Percent, e.g. 3.6 (stored as 360 basis points).
    pub rate_percent: Option<f64>,
    pub amount: Option<i64>,
    #[serde(default)]
    pub tariffs: BTreeMap<String, i64>,
    pub period: String,
    pub due_month: Option<i64>,
    pub due_day: Option<i64>,
    #[serde(default)]
    pub penalty_rate_percent: f64,
    #[serde(default)]
    pub penalty_min: i64,
    #[serde(default)]
    pub penalty_flat: i64,
    #[serde(default)]
    pub penalty_grace_days: i64,
    #[serde(default)]
    pub budget_line: String,
    #[serde(default)]
    pub gfsm_code: String,
}

/// Percent as written by a person → basis points, exactly (at most two decimals).
pub fn percent_to_bp(p: f64) -> Option<i64> {
    let bp = (p * 100.0).round();
    ((bp - p * 100.0).abs() < 1e-6 && (0.0..=10_000.0).contains(&bp)).then_some(bp as i64)
}

impl TaxTypeSpec {
    /// Checks the spec; the error names the field.
    pub fn check(&self) -> Result<(i64, Option<i64>), String> {
        let code = &self.code;
        TaxCategory::parse(&self.category).ok_or(format!(
            "{code}: category must be one of {}",
            TaxCategory::names()
        ))?;
        AssessedBy::parse(&self.assessed_by).ok_or(format!(
            "{code}: assessed_by must be one of {}",
            AssessedBy::names()
        ))?;
        ItemKind::parse(&self.item_kind).ok_or(format!(
            "{code}: item_kind must be one of {}",
            ItemKind::names()
        ))?;
        Period::parse(&self.period)
            .ok_or(format!("{code}: period must be one of {}", Period::names()))?;
        let rate = match self.rate_percent {
            Some(p) => Some(percent_to_bp(p).ok_or(format!(
                "{code}: rate_percent {p} has more than two decimals or is out of range"
            ))?),
            None => None,
        };
        match Method::parse(&self.method) {
            Some(Method::Fixed) if self.amount.is_none() => return Err(format!("{code}: a fixed tariff needs `amount`")),
            Some(Method::Rate)
                if rate.is_none()
                    || !matches!(self.base.as_deref().and_then(Base::parse), Some(Base::RentalValue | Base::MarketValue | Base::Receipts)) =>
            {
                return Err(format!("{code}: a rate needs `rate_percent` and a base: rental_value, market_value or receipts"))
            }
            Some(Method::Table) if self.tariffs.is_empty() => return Err(format!("{code}: a tariff table needs `tariffs`")),
            None => return Err(format!("{code}: method must be one of {}", Method::names())),
            _ => {}
        }
        let penalty = percent_to_bp(self.penalty_rate_percent)
            .ok_or(format!("{code}: bad penalty_rate_percent"))?;
        Ok((penalty, rate))
    }
}

/// Creates a tax type from its spec (used by the seed and by `commune tax add`).
pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    spec: &TaxTypeSpec,
    actor: &Actor,
) -> anyhow::Result<TaxTypeId> {
    let (penalty_bp, rate_bp) = spec.check().map_err(anyhow::Error::msg)?;
    let code = spec.code.trim().to_uppercase();
    let period = Period::parse(&spec.period).unwrap_or(Period::Yearly);
    let id: TaxTypeId = diesel::insert_into(tax_types::table)
        .values((
            tax_types::commune_id.eq(commune),
            tax_types::code.eq(&code),
            tax_types::name_fr.eq(&spec.name_fr),
            tax_types::name_en.eq(&spec.name_en),
            tax_types::legal_ref.eq(&spec.legal_ref),
            tax_types::category.eq(&spec.category),
            tax_types::assessed_by.eq(&spec.assessed_by),
            tax_types::method.eq(&spec.method),
            tax_types::base.eq(&spec.base),
            tax_types::item_kind.eq(&spec.item_kind),
            tax_types::rate_bp.eq(rate_bp),
            tax_types::amount.eq(spec.amount),
            tax_types::period.eq(period.as_str()),
            tax_types::due_month.eq(spec.due_month.unwrap_or(12)),
            tax_types::due_day.eq(spec.due_day.unwrap_or(31)),
            tax_types::penalty_rate_bp.eq(penalty_bp),
            tax_types::penalty_min.eq(spec.penalty_min),
            tax_types::penalty_flat.eq(spec.penalty_flat),
            tax_types::penalty_grace_days.eq(spec.penalty_grace_days),
            tax_types::budget_line.eq(&spec.budget_line),
            tax_types::gfsm_code.eq(&spec.gfsm_code),
            tax_types::active.eq(true),
            tax_types::created_at.eq(crate::db::now()),
        ))
        .returning(tax_types::id)
        .get_result(conn)?;
    for (category, amount) in &spec.tariffs {
        diesel::insert_into(tax_tariffs::table)
            .values((
                tax_tariffs::tax_type_id.eq(id),
                tax_tariffs::category.eq(category),
                tax_tariffs::amount.eq(amount),
            ))
            .execute(conn)?;
    }
    audit::append(
        conn,
        commune,
        actor,
        Event::new("tax_type.create", "tax_type", id).details(serde_json::json!({
            "code": code, "method": spec.method, "rate_bp": rate_bp, "amount": spec.amount,
            "tariffs": spec.tariffs, "period": spec.period,
        })),
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_become_exact_basis_points() {
        assert_eq!(percent_to_bp(5.0), Some(500));
        assert_eq!(percent_to_bp(3.6), Some(360));
        assert_eq!(percent_to_bp(7.5), Some(750));
        assert_eq!(percent_to_bp(0.125), None);
        assert_eq!(percent_to_bp(120.0), None);
    }
}

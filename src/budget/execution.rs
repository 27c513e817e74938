//! Execution, as far as it is built: each revenue article's forecast (the published
//! document's amount) against what was collected, from the payments Revenue recorded
//! (`revenue::collected::by_budget_line`, never Revenue's tables).

use serde::Serialize;

use super::nomenclature::{Direction, Nomenclature};
use crate::db::DbConn;
use crate::ids::CommuneId;
use crate::money::Xof;

/// One revenue article: what the budget expects, what came in, and the share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collection {
    pub article: String,
    pub forecast: i64,
    pub collected: i64,
    /// Collected over forecast, in basis points (none without a forecast).
    pub rate_bp: Option<i64>,
}

/// What Revenue collected in `year`, by budget line code.
pub fn collected(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> diesel::QueryResult<Vec<(String, Xof)>> {
    crate::revenue::collected::by_budget_line(conn, commune, year)
}

/// Every revenue article with a forecast or a collection, in the nomenclature's order.
pub fn collections(
    n: &Nomenclature,
    forecast: &[(String, i64)],
    collected: &[(String, Xof)],
) -> Vec<Collection> {
    n.articles()
        .filter(|a| a.direction == Direction::Revenue && !a.transfer)
        .filter_map(|a| {
            let f: i64 = forecast
                .iter()
                .filter(|(c, _)| *c == a.code)
                .map(|(_, v)| v)
                .sum();
            let c: i64 = collected
                .iter()
                .filter(|(c, _)| *c == a.code)
                .map(|(_, v)| v.0)
                .sum();
            (f > 0 || c > 0).then(|| Collection {
                article: a.code.clone(),
                forecast: f,
                collected: c,
                rate_bp: (f > 0).then(|| (i128::from(c) * 10_000 / i128::from(f)) as i64),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    #[test]
    fn each_revenue_article_compares_its_forecast_with_what_came_in() {
        let n = nomenclature::of(Country::Senegal);
        let forecast = vec![
            ("7011".to_string(), 1_000),
            ("7411".into(), 500),
            ("6011".into(), 900),
        ];
        let collected = vec![("7011".to_string(), Xof(250)), ("7032".into(), Xof(40))];
        let rows = collections(n, &forecast, &collected);
        let find = |code: &str| rows.iter().find(|r| r.article == code).cloned();
        assert_eq!(find("7011").unwrap().rate_bp, Some(2_500));
        assert_eq!(
            find("7411").unwrap().collected,
            0,
            "transfers do not pass the counter"
        );
        assert_eq!(
            find("7032").unwrap().rate_bp,
            None,
            "collected without a forecast"
        );
        assert!(find("6011").is_none(), "spending is not revenue");
    }
}

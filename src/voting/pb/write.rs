//! Writing an [`Election`] as a `.pb` file.

use super::record::push_field;
use crate::voting::model::Election;

/// META keys that `Election` holds as typed fields.
const TYPED_KEYS: [&str; 12] = [
    "budget",
    "vote_type",
    "rule",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "min_project_score_threshold",
];

/// The text of a typed META key, or `None` for other keys and unset fields.
pub(crate) fn render_meta_value(e: &Election, key: &str) -> Option<String> {
    let r = &e.ballot_rules;
    let money = |v: Option<u64>| v.map(|v| e.format_amount(v));
    let int = |v: Option<i64>| v.map(|v| v.to_string());
    match key {
        "budget" => Some(e.format_amount(e.budget)),
        "vote_type" => Some(e.vote_type.name().to_string()),
        "rule" => e.rule.clone(),
        "min_length" => r.min_length.map(|v| v.to_string()),
        "max_length" => r.max_length.map(|v| v.to_string()),
        "min_sum_cost" => money(r.min_sum_cost),
        "max_sum_cost" => money(r.max_sum_cost),
        "min_points" => int(r.min_points),
        "max_points" => int(r.max_points),
        "min_sum_points" => int(r.min_sum_points),
        "max_sum_points" => int(r.max_sum_points),
        "min_project_score_threshold" => int(e.score_threshold),
        _ => None,
    }
}

fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        push_field(out, f);
    }
    out.push('\n');
}

fn ensure(columns: &mut Vec<String>, name: &str, needed: bool) {
    if needed && !columns.iter().any(|c| c == name) {
        columns.push(name.to_string());
    }
}

/// The `.pb` text of an election. Unknown META keys and extra columns are
/// written as they were read.
pub fn write_pb(e: &Election) -> String {
    let mut out = String::with_capacity(64 * (e.ballots.len() + e.projects.len() + 32));
    out.push_str("META\nkey;value\n");
    for (key, value) in &e.meta {
        match (
            TYPED_KEYS.contains(&key.as_str()),
            render_meta_value(e, key),
        ) {
            (false, _) => push_row(&mut out, [key.as_str(), value]),
            (true, Some(v)) => push_row(&mut out, [key.as_str(), &v]),
            (true, None) if value.eq_ignore_ascii_case("none") => {
                push_row(&mut out, [key.as_str(), value])
            }
            (true, None) => {}
        }
    }
    for key in TYPED_KEYS {
        if !e.meta.iter().any(|(k, _)| k == key) {
            if let Some(v) = render_meta_value(e, key) {
                push_row(&mut out, [key, &v]);
            }
        }
    }

    out.push_str("PROJECTS\n");
    let mut columns = e.project_columns.clone();
    for required in ["cost", "project_id"] {
        if !columns.iter().any(|c| c == required) {
            columns.insert(0, required.to_string());
        }
    }
    ensure(
        &mut columns,
        "name",
        e.projects.iter().any(|p| p.name.is_some()),
    );
    ensure(
        &mut columns,
        "category",
        e.projects.iter().any(|p| p.category.is_some()),
    );
    ensure(
        &mut columns,
        "district",
        e.projects.iter().any(|p| p.district.is_some()),
    );
    for p in &e.projects {
        for (k, _) in &p.extra {
            ensure(&mut columns, k, true);
        }
    }
    push_row(&mut out, columns.iter().map(String::as_str));
    for p in &e.projects {
        let cost = e.format_amount(p.cost);
        let optional = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
        let values: Vec<String> = columns
            .iter()
            .map(|c| match c.as_str() {
                "project_id" => p.id.clone(),
                "cost" => cost.clone(),
                "name" => optional(&p.name),
                "category" => optional(&p.category),
                "district" => optional(&p.district),
                other => p.extra(other).unwrap_or("").to_string(),
            })
            .collect();
        push_row(&mut out, values.iter().map(String::as_str));
    }

    out.push_str("VOTES\n");
    let mut columns = e.voter_columns.clone();
    if columns.is_empty() {
        columns.push("voter_id".to_string());
    }
    ensure(&mut columns, "vote", true);
    let has_points = e.vote_type.has_points() || e.ballots.iter().any(|b| !b.points.is_empty());
    ensure(&mut columns, "points", has_points);
    push_row(&mut out, columns.iter().map(String::as_str));
    let extra_columns = columns
        .iter()
        .filter(|c| !matches!(c.as_str(), "voter_id" | "vote" | "points"))
        .count();
    let mut ids = String::new();
    let mut points = String::new();
    for b in &e.ballots {
        ids.clear();
        points.clear();
        for (i, &p) in b.projects.iter().enumerate() {
            if i > 0 {
                ids.push(',');
            }
            ids.push_str(&e.projects[p].id);
        }
        for (i, n) in b.points.iter().enumerate() {
            if i > 0 {
                points.push(',');
            }
            points.push_str(&n.to_string());
        }
        let mut extra = b
            .extra
            .iter()
            .map(String::as_str)
            .chain(std::iter::repeat(""));
        let mut fields: Vec<&str> = Vec::with_capacity(columns.len());
        for c in &columns {
            fields.push(match c.as_str() {
                "voter_id" => &b.voter_id,
                "vote" => &ids,
                "points" => &points,
                _ => extra.next().unwrap_or(""),
            });
        }
        debug_assert!(b.extra.len() <= extra_columns);
        push_row(&mut out, fields);
    }
    out
}

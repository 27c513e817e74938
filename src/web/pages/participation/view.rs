//! What a round's page shows, built from the domain's rows and the engine's stored
//! outcome: amounts in the round's currency, explanations in the reader's language, and
//! the chart beside its table.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::i18n::{Arg, Catalog, Locale};
use crate::participation::results::Counted;
use crate::participation::rounds::PhaseDates;
use crate::participation::words::Words;
use crate::participation::{Area, Phase, Round};
use crate::web::charts::{self, Bar};
use crate::web::templates::percent;

/// The chart shows the most supported projects; the table lists them all.
const CHART_BARS: usize = 30;

pub fn round_json(round: &Round, locale: Locale) -> Value {
    json!({
        "id": round.id,
        "title": round.title,
        "summary": round.summary,
        "fiscal_year": round.fiscal_year,
        "phase": round.phase,
        "vote_type": round.vote_type,
        "rule": round.rule,
        "complete_greedy": round.complete_greedy,
        "score_threshold": round.score_threshold,
        "source": round.source,
        "has_points": round.vote_type().has_points(),
        "counted": round.phase >= Phase::Results,
        "currency": round.currency,
        "locale": locale.as_str(),
    })
}

/// The five phases, each marked done, current or to come.
pub fn phases_json(round: &Round, dates: &[PhaseDates]) -> Vec<Value> {
    Phase::ALL
        .iter()
        .map(|p| {
            let d = dates.iter().find(|d| d.phase == *p);
            let state = match p.cmp(&round.phase) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "later",
            };
            json!({
                "phase": p,
                "state": state,
                "starts_on": d.and_then(|d| d.starts_on),
                "started_at": d.and_then(|d| d.started_at),
            })
        })
        .collect()
}

/// One area: its envelope, and once counted, its result with every project explained.
pub fn area_json(
    round: &Round,
    area: &Area,
    counted: Option<&Counted>,
    catalog: &Catalog,
    locale: Locale,
) -> Value {
    let money = |minor: i64| round.money(minor, locale.as_str());
    let basis = match (
        area.revenue_share,
        area.revenue_year,
        area.revenue_collected,
    ) {
        (Some(bp), Some(year), Some(collected)) => Some(catalog.text(
            locale,
            "round.envelope_basis",
            [
                ("share", &Arg::Text(percent(bp, locale))),
                ("collected", &Arg::Text(money(collected))),
                ("year", &Arg::Number(year)),
                ("budget", &Arg::Text(money(area.budget))),
            ],
        )),
        _ => None,
    };
    let mut out = json!({
        "id": area.id,
        "name": area.name,
        "whole_commune": area.district_id.is_none() && round.source.is_none(),
        "envelope": money(area.budget),
        "basis": basis,
    });
    let Some(c) = counted else { return out };
    let o = &c.outcome;
    let scale = 10f64.powi(round.decimals as i32);
    let minor = |v: &Value| (v.as_f64().unwrap_or(0.0) * scale).round() as i64;
    let projects = o["projects"].as_array().cloned().unwrap_or_default();
    let titles: HashMap<String, String> = projects
        .iter()
        .map(|p| {
            let id = p["id"].as_str().unwrap_or("").to_string();
            let title = p["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| id.clone());
            (id, title)
        })
        .collect();
    let words = Words {
        catalog,
        locale,
        round,
        titles: &titles,
    };
    let mut rows: Vec<Value> = projects
        .iter()
        .map(|p| {
            json!({
                "id": p["id"],
                "title": titles.get(p["id"].as_str().unwrap_or("")),
                "cost": money(minor(&p["cost"])),
                "votes": p["votes"],
                "score": p["score"],
                "selected": p["selected"],
                "position": p["position"],
                "why": words.explain(p),
            })
        })
        .collect();
    // Winners in the order chosen, then the others by score.
    rows.sort_by_key(|r| {
        (
            r["position"].as_i64().unwrap_or(i64::MAX),
            -r["score"].as_i64().unwrap_or(0),
        )
    });
    let mut by_score = rows.clone();
    by_score.sort_by_key(|r| -r["score"].as_i64().unwrap_or(0));
    let bars: Vec<Bar> = by_score
        .iter()
        .take(CHART_BARS)
        .map(|r| Bar {
            label: r["title"].as_str().unwrap_or(""),
            value: r["score"].as_i64().unwrap_or(0),
            value_text: r["score"].to_string(),
            strong: r["selected"].as_bool().unwrap_or(false),
        })
        .collect();
    // Hands raised at assemblies count as one-project ballots; the figures about
    // voters are about ballots, and the hands are said apart.
    let hands = &o["hands"];
    let hand_votes = hands["votes"].as_i64().unwrap_or(0);
    let voters = o["voters"].as_i64().unwrap_or(0) - hand_votes;
    let satisfied =
        o["voters_with_some"].as_i64().unwrap_or(0) - hands["for_winners"].as_i64().unwrap_or(0);
    let selected = c.selected();
    let greedy = c.greedy_selected.as_ref().map(|g| {
        let same = {
            let (mut a, mut b) = (g.clone(), selected.clone());
            a.sort();
            b.sort();
            a == b
        };
        let name = |id: &String| titles.get(id).cloned().unwrap_or_else(|| id.clone());
        json!({
            "same": same,
            "only_greedy": g.iter().filter(|id| !selected.contains(id)).map(name).collect::<Vec<_>>(),
            "only_rule": selected.iter().filter(|id| !g.contains(id)).map(name).collect::<Vec<_>>(),
        })
    });
    out["result"] = json!({
        "budget": money(minor(&o["budget"])),
        "spent": money(minor(&o["cost"])),
        "left": money(minor(&o["left_over"])),
        "voters": voters,
        "satisfied": satisfied,
        "satisfied_bp": if voters > 0 { satisfied * 10_000 / voters } else { 0 },
        "counted_at": c.counted_at,
        "winners": rows.iter().filter(|r| r["selected"] == json!(true)).cloned().collect::<Vec<_>>(),
        "projects": rows,
        "chart": charts::bars(&catalog.t(locale, "round.chart_title"), &bars),
        "chart_partial": projects.len() > CHART_BARS,
        "greedy": greedy,
        "hands": (hand_votes > 0).then(|| catalog.text(
            locale,
            "hands.counted",
            [
                ("count", &Arg::Number(hand_votes)),
                ("assemblies", &Arg::Number(hands["assemblies"].as_i64().unwrap_or(0))),
            ],
        )),
    });
    out
}

/// The results of a round as the API gives them: per area, the winners' ids (the `.pb`
/// ids for an imported round), the envelope, the cost, the voters, and the engine's
/// whole outcome.
pub fn results_api(round: &Round, areas: &[Area], counted: &[Counted]) -> Value {
    let districts: Vec<Value> = areas
        .iter()
        .filter_map(|a| {
            let c = counted.iter().find(|c| c.area == a.id)?;
            let o = &c.outcome;
            Some(json!({
                "area": a.id,
                "name": a.name,
                "district": a.district_id,
                "selected": o["selected"],
                "budget": o["budget"],
                "cost": o["cost"],
                "voters": o["voters"],
                "voters_with_some": o["voters_with_some"],
                "rule": c.rule,
                "greedy_selected": c.greedy_selected,
                "counted_at": c.counted_at,
                "projects": o["projects"],
                "ties": o["ties"],
                // Shows of hands counted, each hand one of the `voters` (or null).
                "hands": o["hands"],
            }))
        })
        .collect();
    json!({
        "round": {
            "id": round.id, "title": round.title, "fiscal_year": round.fiscal_year,
            "phase": round.phase, "vote_type": round.vote_type, "rule": round.rule,
            "completion": round.complete_greedy.then_some("greedy"),
            "currency": round.currency, "decimals": round.decimals, "source": round.source,
        },
        "districts": districts,
    })
}

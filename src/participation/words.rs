//! Why each project won or lost, in the reader's language: the engine explains its
//! count in structured form (`Outcome::to_json`), and this turns each explanation into a
//! message of the catalogue.

use std::collections::HashMap;

use serde_json::Value;

use super::Round;
use crate::i18n::{Arg, Catalog, Locale};

/// What a project's explanation needs beyond the outcome: the round (for amounts), the
/// projects' titles by id (to name the project that outbid another), and the language.
pub struct Words<'a> {
    pub catalog: &'a Catalog,
    pub locale: Locale,
    pub round: &'a Round,
    pub titles: &'a HashMap<String, String>,
}

impl Words<'_> {
    fn money(&self, v: &Value) -> String {
        // Whole minor units when the round has no decimals; the engine writes currency
        // units, so scale back for rounds with decimals.
        let units = v.as_f64().unwrap_or(0.0);
        let scale = 10f64.powi(self.round.decimals as i32);
        self.round
            .money((units * scale).round() as i64, self.locale.as_str())
    }

    /// An exact amount (`{"value": 12.5, "exact": "25/2"}`), to the hundredth.
    fn exact(&self, v: &Value) -> String {
        let hundredths = (v["value"].as_f64().unwrap_or(0.0) * 100.0).round() as i64;
        let (whole, cents) = (
            crate::money::Xof(hundredths / 100),
            (hundredths % 100).abs(),
        );
        match self.locale {
            Locale::Fr => format!(
                "{},{cents:02}\u{A0}{}",
                whole.grouped("\u{202F}"),
                self.currency_word()
            ),
            Locale::En => format!(
                "{}\u{A0}{}.{cents:02}",
                self.currency_word(),
                whole.grouped(",")
            ),
        }
    }

    fn currency_word(&self) -> &str {
        match self.round.currency.as_str() {
            "XOF" => match self.locale {
                Locale::Fr => "FCFA",
                Locale::En => "XOF",
            },
            other => other,
        }
    }

    fn title(&self, id: &Value) -> String {
        let id = id.as_str().unwrap_or("");
        self.titles
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn score(&self, score: &Value) -> String {
        let key = if self.round.vote_type().has_points() {
            "round.unit.points"
        } else {
            "round.unit.votes"
        };
        self.text(
            key,
            vec![("count", Arg::Number(score.as_i64().unwrap_or(0)))],
        )
    }

    fn text(&self, key: &str, args: Vec<(&'static str, Arg)>) -> String {
        self.catalog
            .text(self.locale, key, args.iter().map(|(k, v)| (*k, v)))
    }

    fn num(v: &Value) -> Arg {
        Arg::Number(v.as_i64().unwrap_or(0))
    }

    fn greedy(&self, e: &Value, cost: &Value, completion: bool) -> String {
        let key = match (completion, e["verdict"].as_str().unwrap_or("")) {
            (false, "selected") => "round.why.greedy.selected",
            (false, "did_not_fit") => "round.why.greedy.did_not_fit",
            (false, "below_threshold") => "round.why.greedy.below_threshold",
            (false, _) => "round.why.greedy.stopped",
            (true, "selected") => "round.why.completion.selected",
            (true, "did_not_fit") => "round.why.completion.did_not_fit",
            (true, "below_threshold") => "round.why.completion.below_threshold",
            (true, _) => "round.why.completion.stopped",
        };
        let args = vec![
            ("rank", Self::num(&e["rank"])),
            ("score", Arg::Text(self.score(&e["score"]))),
            ("left", Arg::Text(self.money(&e["budget_left"]))),
            ("cost", Arg::Text(self.money(cost))),
            ("threshold", Self::num(&e["threshold"])),
            ("at", Arg::Text(self.title(&e["stopped_at"]))),
        ];
        self.text(key, args)
    }

    /// Why the project (an entry of the outcome's `projects`) won or lost.
    pub fn explain(&self, project: &Value) -> String {
        let e = &project["explanation"];
        let cost = &project["cost"];
        let mut text = match e["kind"].as_str().unwrap_or("") {
            "greedy" => self.greedy(e, cost, false),
            "mes_won" if e["round"].as_i64() == Some(0) => self.text("round.why.mes.free", vec![]),
            "mes_won" => {
                let (key, price) = match e.get("price_per_point") {
                    Some(p) => ("round.why.mes.won_per_point", p),
                    None => ("round.why.mes.won", &e["price_per_supporter"]),
                };
                let mut t = self.text(
                    key,
                    vec![
                        ("round", Self::num(&e["round"])),
                        ("price", Arg::Text(self.exact(price))),
                        ("count", Self::num(&e["paid_in_full"])),
                    ],
                );
                for (field, key) in [
                    ("paid_all_they_had", "round.why.mes.paid_all"),
                    ("had_nothing", "round.why.mes.had_nothing"),
                ] {
                    if e[field].as_i64().unwrap_or(0) > 0 {
                        t.push(' ');
                        t.push_str(&self.text(key, vec![("count", Self::num(&e[field]))]));
                    }
                }
                t
            }
            "mes_lost" => {
                let args = vec![
                    ("round", Self::num(&e["round"])),
                    ("by", Arg::Text(self.title(&e["outbid_by"]))),
                    ("left", Arg::Text(self.exact(&e["supporters_money_left"]))),
                    ("cost", Arg::Text(self.money(cost))),
                ];
                match e["outbid_by"] {
                    Value::Null => self.text("round.why.mes.never", args),
                    _ => self.text("round.why.mes.outbid", args),
                }
            }
            "phragmen_won" => self.text(
                "round.why.phragmen.won",
                vec![("round", Self::num(&e["round"]))],
            ),
            "phragmen_lost" => {
                let key = match e["reason"].as_str().unwrap_or("") {
                    "over_budget" => "round.why.phragmen.over_budget",
                    "did_not_fit" => "round.why.phragmen.did_not_fit",
                    _ => "round.why.phragmen.not_reached",
                };
                self.text(
                    key,
                    vec![
                        ("round", Self::num(&e["round"])),
                        ("cost", Arg::Text(self.money(cost))),
                        ("left", Arg::Text(self.money(&e["budget_left"]))),
                        ("by", Arg::Text(self.title(&e["stopped_by"]))),
                    ],
                )
            }
            _ => self.text("round.why.no_support", vec![]),
        };
        if let Some(step) = project.get("completion").filter(|c| !c.is_null()) {
            text.push(' ');
            text.push_str(&self.greedy(step, cost, true));
        }
        text
    }
}

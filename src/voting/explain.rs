//! Explanations a citizen can read: one sentence per project on why it won
//! or lost, and the whole outcome as JSON.

use num_bigint::BigInt;
use num_rational::BigRational;
use serde_json::{json, Value};

use super::model::Election;
use super::number::{format_minor_ratio, ratio_text, ratio_to_f64};
use super::rules::{
    Explanation, GreedyStep, GreedyVerdict, MesLoss, MesWin, Outcome, PhragmenLoss, Rule, Stage,
    Tie, TieBreak,
};

/// Turns indexes and minor units into what people read.
struct Words<'e> {
    e: &'e Election,
}

impl Words<'_> {
    fn id(&self, p: usize) -> &str {
        &self.e.projects[p].id
    }

    fn amount(&self, minor: u64) -> String {
        self.e.format_amount(minor)
    }

    fn exact(&self, minor: &BigRational) -> String {
        format_minor_ratio(minor, self.e.decimals, 2)
    }

    fn score_word(&self) -> &'static str {
        if self.e.vote_type.has_points() {
            "points"
        } else {
            "votes"
        }
    }

    /// An amount as a JSON number in currency units (display only).
    fn money_json(&self, minor: u64) -> Value {
        if self.e.decimals == 0 {
            json!(minor)
        } else {
            json!(self.amount(minor).parse::<f64>().unwrap_or(f64::NAN))
        }
    }

    /// An exact amount: an approximate number, and the exact fraction of
    /// currency units as text.
    fn exact_json(&self, minor: &BigRational) -> Value {
        let units = minor / BigRational::from_integer(BigInt::from(10u32).pow(self.e.decimals));
        json!({ "value": ratio_to_f64(&units), "exact": ratio_text(&units) })
    }

    fn greedy_text(&self, s: &GreedyStep, cost: u64) -> String {
        let head = format!("ranked #{} with {} {}", s.rank, s.score, self.score_word());
        match &s.verdict {
            GreedyVerdict::Selected => {
                format!("Selected: {head}; {} was left when its turn came.", self.amount(s.budget_left))
            }
            GreedyVerdict::DidNotFit => format!(
                "Not selected: {head}, it costs {} but only {} was left when its turn came.",
                self.amount(cost),
                self.amount(s.budget_left)
            ),
            GreedyVerdict::BelowThreshold { threshold } => {
                format!("Not selected: {head}, below the threshold of {threshold}.")
            }
            GreedyVerdict::Stopped { at } => format!(
                "Not selected: {head}; the count stopped before its turn, at project {}, which did not fit.",
                self.id(*at)
            ),
        }
    }

    fn mes_won_text(&self, w: &MesWin) -> String {
        if w.round == 0 {
            return "Selected before the first round: it costs nothing.".to_string();
        }
        let unit = if w.per_point {
            "per point"
        } else {
            "per supporter"
        };
        let mut text = format!(
            "Selected in round {}: its supporters paid at most {} {unit} (the price ρ); {} paid that in full",
            w.round,
            self.exact(&w.price),
            w.paid_in_full
        );
        if w.paid_all_they_had > 0 {
            text += &format!(", {} paid all they had left", w.paid_all_they_had);
        }
        if w.had_nothing > 0 {
            text += &format!(", {} had nothing left", w.had_nothing);
        }
        text + "."
    }

    fn mes_lost_text(&self, l: &MesLoss, cost: u64) -> String {
        match l.outbid_by {
            None => format!(
                "Not selected: its supporters' equal shares ({} in all) never covered its cost of {}.",
                self.exact(&l.money_left),
                self.amount(cost)
            ),
            Some(w) => format!(
                "Not selected: after round {}, won by project {}, its supporters had {} left, less than its cost of {}; \
                 project {} outbid it.",
                l.round,
                self.id(w),
                self.exact(&l.money_left),
                self.amount(cost),
                self.id(w)
            ),
        }
    }

    fn text(&self, reason: &Explanation, cost: u64) -> String {
        match reason {
            Explanation::NoSupport => "Not selected: nobody voted for it.".to_string(),
            Explanation::Greedy(s) => self.greedy_text(s, cost),
            Explanation::MesWon(w) => self.mes_won_text(w),
            Explanation::MesLost(l) => self.mes_lost_text(l, cost),
            Explanation::PhragmenWon { round, load } => format!(
                "Selected in round {round}: buying it raised each supporter's load to {}.",
                self.exact(load)
            ),
            Explanation::PhragmenLost(PhragmenLoss::OverBudget) => {
                "Not selected: it costs more than the whole budget.".to_string()
            }
            Explanation::PhragmenLost(PhragmenLoss::DidNotFit { round, budget_left }) => format!(
                "Not selected: its turn came in round {round}, but it costs {} and only {} was left, so the count stopped.",
                self.amount(cost),
                self.amount(*budget_left)
            ),
            Explanation::PhragmenLost(PhragmenLoss::NotReached { round, stopped_by }) => format!(
                "Not selected: the count stopped in round {round}, at project {}, before its turn.",
                self.id(*stopped_by)
            ),
        }
    }

    fn completion_text(&self, s: &GreedyStep, cost: u64) -> String {
        match s.verdict {
            GreedyVerdict::Selected => format!(
                " Then added by greedy completion: ranked #{} with {} {}, with {} left.",
                s.rank,
                s.score,
                self.score_word(),
                self.amount(s.budget_left)
            ),
            _ => format!(
                " Greedy completion could not add it: it costs {}, with {} left.",
                self.amount(cost),
                self.amount(s.budget_left)
            ),
        }
    }

    fn greedy_json(&self, s: &GreedyStep) -> Value {
        let mut v = json!({
            "rank": s.rank,
            "score": s.score,
            "budget_left": self.money_json(s.budget_left),
        });
        let (verdict, extra) = match &s.verdict {
            GreedyVerdict::Selected => ("selected", None),
            GreedyVerdict::DidNotFit => ("did_not_fit", None),
            GreedyVerdict::BelowThreshold { threshold } => {
                ("below_threshold", Some(("threshold", json!(threshold))))
            }
            GreedyVerdict::Stopped { at } => ("stopped", Some(("stopped_at", json!(self.id(*at))))),
        };
        v["verdict"] = json!(verdict);
        if let Some((k, x)) = extra {
            v[k] = x;
        }
        v
    }

    fn json(&self, reason: &Explanation) -> Value {
        match reason {
            Explanation::NoSupport => json!({ "kind": "no_support" }),
            Explanation::Greedy(s) => {
                let mut v = self.greedy_json(s);
                v["kind"] = json!("greedy");
                v
            }
            Explanation::MesWon(w) => json!({
                "kind": "mes_won",
                "round": w.round,
                (if w.per_point { "price_per_point" } else { "price_per_supporter" }): self.exact_json(&w.price),
                "paid_in_full": w.paid_in_full,
                "paid_all_they_had": w.paid_all_they_had,
                "had_nothing": w.had_nothing,
            }),
            Explanation::MesLost(l) => json!({
                "kind": "mes_lost",
                "round": l.round,
                "outbid_by": l.outbid_by.map(|p| self.id(p)),
                "supporters_money_left": self.exact_json(&l.money_left),
            }),
            Explanation::PhragmenWon { round, load } => {
                json!({ "kind": "phragmen_won", "round": round, "load": self.exact_json(load) })
            }
            Explanation::PhragmenLost(loss) => match loss {
                PhragmenLoss::OverBudget => {
                    json!({ "kind": "phragmen_lost", "reason": "over_budget" })
                }
                PhragmenLoss::DidNotFit { round, budget_left } => json!({
                    "kind": "phragmen_lost", "reason": "did_not_fit", "round": round,
                    "budget_left": self.money_json(*budget_left),
                }),
                PhragmenLoss::NotReached { round, stopped_by } => json!({
                    "kind": "phragmen_lost", "reason": "not_reached", "round": round,
                    "stopped_by": self.id(*stopped_by),
                }),
            },
        }
    }
}

fn tie_break_name(t: TieBreak) -> &'static str {
    match t {
        TieBreak::LowerCost => "lower_cost",
        TieBreak::MoreVotes => "more_votes",
        TieBreak::IdAsText => "id_as_text",
    }
}

impl Outcome {
    /// Why project `p` was selected or not, in one or two sentences.
    pub fn describe(&self, e: &Election, p: usize) -> String {
        let words = Words { e };
        let project = &self.projects[p];
        let cost = e.projects[p].cost;
        let mut text = words.text(&project.reason, cost);
        if let Some(step) = &project.completion {
            text += &words.completion_text(step, cost);
        }
        text
    }

    /// A sentence on how a tie was broken.
    pub fn describe_tie(&self, e: &Election, tie: &Tie) -> String {
        let words = Words { e };
        let names: Vec<&str> = tie.tied.iter().map(|&p| words.id(p)).collect();
        let greedy = matches!(
            self.rule,
            Rule::Greedy | Rule::GreedyNoSkip | Rule::GreedyThreshold
        );
        let place = match (tie.stage, greedy) {
            (Stage::Completion, _) => format!("greedy completion, rank {}", tie.at),
            (Stage::Rule, true) => format!("rank {}", tie.at),
            (Stage::Rule, false) => format!("round {}", tie.at),
        };
        let why = match tie.decided_by {
            TieBreak::LowerCost => "it costs less",
            TieBreak::MoreVotes => "it has more votes",
            TieBreak::IdAsText => "its id comes first",
        };
        let score = match self.rule {
            _ if tie.stage == Stage::Completion => "the same score",
            Rule::Greedy | Rule::GreedyNoSkip | Rule::GreedyThreshold => "the same score",
            Rule::Phragmen => "the same new load",
            Rule::Mes | Rule::MesAdd1e | Rule::MesAdd1 => "the same price ρ",
        };
        format!(
            "{place}: {} had {score}; {} went first because {why}.",
            names.join(", "),
            names[0]
        )
    }

    /// The whole outcome as one JSON object.
    pub fn to_json(&self, e: &Election) -> Value {
        let words = Words { e };
        let mut position = vec![None; e.projects.len()];
        for (i, &p) in self.selected.iter().enumerate() {
            position[p] = Some(i + 1);
        }
        let projects: Vec<Value> = e
            .projects
            .iter()
            .enumerate()
            .map(|(p, project)| {
                let o = &self.projects[p];
                json!({
                    "id": project.id,
                    "name": project.name,
                    "cost": words.money_json(project.cost),
                    "votes": o.votes,
                    "score": o.score,
                    "selected": o.selected,
                    "position": position[p],
                    "explanation": words.json(&o.reason),
                    "completion": o.completion.as_ref().map(|s| words.greedy_json(s)),
                    "text": self.describe(e, p),
                })
            })
            .collect();
        let ties: Vec<Value> = self
            .ties
            .iter()
            .map(|t| {
                json!({
                    "stage": match t.stage { Stage::Rule => "rule", Stage::Completion => "completion" },
                    "at": t.at,
                    "tied": t.tied.iter().map(|&p| words.id(p)).collect::<Vec<_>>(),
                    "chosen": words.id(t.tied[0]),
                    "decided_by": tie_break_name(t.decided_by),
                    "text": self.describe_tie(e, t),
                })
            })
            .collect();
        json!({
            "rule": self.rule.name(),
            "rule_in_file": e.rule,
            "completion": self.completed_with_greedy.then_some("greedy"),
            "currency": e.meta("currency"),
            "budget": words.money_json(self.budget),
            "cost": words.money_json(self.cost),
            "left_over": words.money_json(self.left_over()),
            "voters": self.voters,
            "voters_with_none": self.voters_with_none,
            "voters_with_some": self.voters - self.voters_with_none,
            "per_voter_budget": self.mes.as_ref().map(|m| words.exact_json(&m.per_voter_budget)),
            "budget_raises": self.mes.as_ref().map(|m| m.raises),
            "selected": self.selected.iter().map(|&p| words.id(p)).collect::<Vec<_>>(),
            "ties": ties,
            "projects": projects,
        })
    }
}

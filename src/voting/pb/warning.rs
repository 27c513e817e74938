//! What a `.pb` file holds that it should not, but that can still be counted
//! without doubt: a vote that names the same project more than once, and a
//! points ballot with more points than projects.

use std::fmt;

use serde_json::{json, Value};

/// A vote that names a project more than once. The file is still read, as
/// pabutools reads it; this says what was counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PbWarning {
    /// The vote's line (1-based).
    pub line: usize,
    /// The voter's `voter_id`; empty when the file has no such column.
    pub voter_id: String,
    /// The `project_id` named more than once.
    pub project: String,
    /// How many times the vote names it: 2 or more.
    pub times: usize,
    pub counted: Counted,
}

/// What a repeated project counts for, by the kind of ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counted {
    /// Approval and choose-1: the project is approved once.
    Once,
    /// Ordinal: the project keeps the rank where it is first named.
    FirstRank,
    /// Cumulative and scoring: the points written last replace the others.
    /// `given` lists every value written for the project, in file order.
    LastPoints { given: Vec<i64> },
    /// Cumulative and scoring: more points than projects. Each project takes
    /// the points in its place; the points after the last project are ignored,
    /// as pabutools does (`parse_pabulib_from_string` reads `points[index]` for
    /// each project of the vote). `project` is then empty and `times` is 0.
    ExtraPointsIgnored { projects: usize, points: usize },
}

impl Counted {
    fn name(&self) -> &'static str {
        match self {
            Counted::Once => "once",
            Counted::FirstRank => "first_rank",
            Counted::LastPoints { .. } => "last_points",
            Counted::ExtraPointsIgnored { .. } => "extra_points_ignored",
        }
    }
}

impl PbWarning {
    /// One JSON object for `commune tally --json`.
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "line": self.line,
            "voter_id": self.voter_id,
            "project": self.project,
            "times": self.times,
            "counted": self.counted.name(),
            "message": self.to_string(),
        });
        match &self.counted {
            Counted::LastPoints { given } => value["points_given"] = json!(given),
            Counted::ExtraPointsIgnored { projects, points } => {
                value["projects_named"] = json!(projects);
                value["points_given"] = json!(points);
            }
            _ => {}
        }
        value
    }
}

fn times_word(times: usize) -> String {
    match times {
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// `3, 2 and 4`: values in order, as a sentence.
fn list_words(values: &[i64]) -> String {
    let words: Vec<String> = values.iter().map(i64::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

impl fmt::Display for PbWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        if self.voter_id.is_empty() {
            f.write_str("the vote")?;
        } else {
            write!(f, "voter \"{}\"'s vote", self.voter_id)?;
        }
        if let Counted::ExtraPointsIgnored { projects, points } = &self.counted {
            return write!(
                f,
                " lists {projects} projects but {points} points; the points after the last project are ignored"
            );
        }
        let times = times_word(self.times);
        write!(f, " names project \"{}\" {times}; ", self.project)?;
        match &self.counted {
            Counted::Once => f.write_str("counted once"),
            Counted::FirstRank => f.write_str("ranked where first named"),
            Counted::LastPoints { given } => {
                let last = given.last().copied().unwrap_or_default();
                write!(
                    f,
                    "given {} points, the last ({last}) count",
                    list_words(given)
                )
            }
            Counted::ExtraPointsIgnored { .. } => Ok(()),
        }
    }
}

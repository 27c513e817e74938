//! An election in memory: the instance (budget and projects) and the profile
//! (ballots), as described by the pabulib format (pabulib.org).
//!
//! Amounts are integers in minor units: `Election::decimals` says how many
//! digits follow the decimal point (0 for most files, whose costs are whole).

use std::fmt;

use super::number::format_minor;

/// How voters expressed themselves, with pabulib's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoteType {
    Approval,
    Choose1,
    Cumulative,
    Scoring,
    Ordinal,
}

impl VoteType {
    pub const ALL: [VoteType; 5] = [
        VoteType::Approval,
        VoteType::Choose1,
        VoteType::Cumulative,
        VoteType::Scoring,
        VoteType::Ordinal,
    ];

    /// The name used in a `.pb` file's META `vote_type`.
    pub fn name(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Choose1 => "choose-1",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
            VoteType::Ordinal => "ordinal",
        }
    }

    pub fn from_name(name: &str) -> Option<VoteType> {
        VoteType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Cumulative and scoring ballots give points to each project they list.
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }
}

impl fmt::Display for VoteType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A project put to the vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// `project_id`, unique in the election.
    pub id: String,
    /// Cost in minor units.
    pub cost: u64,
    pub name: Option<String>,
    pub category: Option<String>,
    pub district: Option<String>,
    /// Other columns of the file (`votes`, `score`, `selected`, ...), verbatim.
    pub extra: Vec<(String, String)>,
}

impl Project {
    pub fn new(id: impl Into<String>, cost: u64) -> Project {
        Project {
            id: id.into(),
            cost,
            name: None,
            category: None,
            district: None,
            extra: Vec::new(),
        }
    }

    /// The value of another column, as written in the file.
    pub fn extra(&self, column: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == column)
            .map(|(_, v)| v.as_str())
    }
}

/// One voter's ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    pub voter_id: String,
    /// Indexes into `Election::projects`, in the order the voter gave them
    /// (the ranking, for ordinal ballots).
    pub projects: Vec<usize>,
    /// Points given to each listed project (cumulative and scoring ballots
    /// only; empty otherwise).
    pub points: Vec<i64>,
    /// Values of the other voter columns, in the order of
    /// `Election::voter_extra_columns()`.
    pub extra: Vec<String>,
}

impl Ballot {
    pub fn approval(voter_id: impl Into<String>, projects: Vec<usize>) -> Ballot {
        Ballot {
            voter_id: voter_id.into(),
            projects,
            points: Vec::new(),
            extra: Vec::new(),
        }
    }

    pub fn with_points(
        voter_id: impl Into<String>,
        projects: Vec<usize>,
        points: Vec<i64>,
    ) -> Ballot {
        Ballot {
            points,
            ..Ballot::approval(voter_id, projects)
        }
    }
}

/// What a valid ballot must respect (pabulib META keys of the same names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BallotRules {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// Minor units.
    pub min_sum_cost: Option<u64>,
    /// Minor units.
    pub max_sum_cost: Option<u64>,
    pub min_points: Option<i64>,
    pub max_points: Option<i64>,
    pub min_sum_points: Option<i64>,
    pub max_sum_points: Option<i64>,
}

/// Why a ballot breaks the rules of its election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BallotViolation {
    UnknownProject(usize),
    Duplicate(usize),
    PointsMismatch { projects: usize, points: usize },
    TooFew { min: u64, got: u64 },
    TooMany { max: u64, got: u64 },
    CostTooLow { min: u64, got: u64 },
    CostTooHigh { max: u64, got: u64 },
    PointsTooLow { project: usize, min: i64, got: i64 },
    PointsTooHigh { project: usize, max: i64, got: i64 },
    SumPointsTooLow { min: i64, got: i64 },
    SumPointsTooHigh { max: i64, got: i64 },
}

impl fmt::Display for BallotViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BallotViolation::*;
        match self {
            UnknownProject(p) => write!(f, "project #{p} does not exist"),
            Duplicate(p) => write!(f, "project #{p} is listed twice"),
            PointsMismatch { projects, points } => {
                write!(f, "{projects} projects but {points} point values")
            }
            TooFew { min, got } => write!(f, "{got} projects chosen, at least {min} needed"),
            TooMany { max, got } => write!(f, "{got} projects chosen, at most {max} allowed"),
            CostTooLow { min, got } => write!(f, "total cost {got} is below the minimum {min}"),
            CostTooHigh { max, got } => write!(f, "total cost {got} is above the maximum {max}"),
            PointsTooLow { project, min, got } => {
                write!(
                    f,
                    "{got} points for project #{project}, at least {min} needed"
                )
            }
            PointsTooHigh { project, max, got } => {
                write!(
                    f,
                    "{got} points for project #{project}, at most {max} allowed"
                )
            }
            SumPointsTooLow { min, got } => write!(f, "{got} points in all, at least {min} needed"),
            SumPointsTooHigh { max, got } => {
                write!(f, "{got} points in all, at most {max} allowed")
            }
        }
    }
}

impl BallotRules {
    /// Checks one ballot against these rules and the election's projects.
    pub fn check(
        &self,
        ballot: &Ballot,
        projects: &[Project],
        vote_type: VoteType,
    ) -> Result<(), BallotViolation> {
        use BallotViolation::*;
        let mut seen = vec![false; projects.len()];
        for &p in &ballot.projects {
            let slot = seen.get_mut(p).ok_or(UnknownProject(p))?;
            if std::mem::replace(slot, true) {
                return Err(Duplicate(p));
            }
        }
        if vote_type.has_points() && ballot.points.len() != ballot.projects.len() {
            return Err(PointsMismatch {
                projects: ballot.projects.len(),
                points: ballot.points.len(),
            });
        }
        let len = ballot.projects.len() as u64;
        let max_length = self
            .max_length
            .or((vote_type == VoteType::Choose1).then_some(1));
        check_range(
            len,
            self.min_length,
            max_length,
            |min, got| TooFew { min, got },
            |max, got| TooMany { max, got },
        )?;
        let cost: u64 = ballot.projects.iter().map(|&p| projects[p].cost).sum();
        check_range(
            cost,
            self.min_sum_cost,
            self.max_sum_cost,
            |min, got| CostTooLow { min, got },
            |max, got| CostTooHigh { max, got },
        )?;
        if vote_type.has_points() {
            for (&project, &got) in ballot.projects.iter().zip(&ballot.points) {
                check_range(
                    got,
                    self.min_points,
                    self.max_points,
                    |min, got| PointsTooLow { project, min, got },
                    |max, got| PointsTooHigh { project, max, got },
                )?;
            }
            let sum: i64 = ballot.points.iter().sum();
            check_range(
                sum,
                self.min_sum_points,
                self.max_sum_points,
                |min, got| SumPointsTooLow { min, got },
                |max, got| SumPointsTooHigh { max, got },
            )?;
        }
        Ok(())
    }
}

fn check_range<T: PartialOrd + Copy>(
    got: T,
    min: Option<T>,
    max: Option<T>,
    low: impl Fn(T, T) -> BallotViolation,
    high: impl Fn(T, T) -> BallotViolation,
) -> Result<(), BallotViolation> {
    match (min, max) {
        (Some(min), _) if got < min => Err(low(min, got)),
        (_, Some(max)) if got > max => Err(high(max, got)),
        _ => Ok(()),
    }
}

/// A participatory-budgeting election: what a `.pb` file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Election {
    /// Budget in minor units.
    pub budget: u64,
    /// Digits after the decimal point in amounts (costs, budget).
    pub decimals: u32,
    pub vote_type: VoteType,
    /// The rule the organisers used (META `rule`), verbatim.
    pub rule: Option<String>,
    pub ballot_rules: BallotRules,
    /// META `min_project_score_threshold`, used by `greedy-threshold`.
    pub score_threshold: Option<i64>,
    /// Every META entry in file order. When written back, the keys that have
    /// a typed field above take that field's value.
    pub meta: Vec<(String, String)>,
    pub projects: Vec<Project>,
    pub ballots: Vec<Ballot>,
    /// Column names of the PROJECTS section, in order.
    pub project_columns: Vec<String>,
    /// Column names of the VOTES section, in order.
    pub voter_columns: Vec<String>,
}

impl Election {
    /// An empty election, to be filled with `add_project` and `add_ballot`.
    pub fn new(budget: u64, vote_type: VoteType) -> Election {
        let mut voter_columns = vec!["voter_id".to_string(), "vote".to_string()];
        if vote_type.has_points() {
            voter_columns.push("points".to_string());
        }
        Election {
            budget,
            decimals: 0,
            vote_type,
            rule: None,
            ballot_rules: BallotRules::default(),
            score_threshold: None,
            meta: Vec::new(),
            projects: Vec::new(),
            ballots: Vec::new(),
            project_columns: vec!["project_id".into(), "cost".into(), "name".into()],
            voter_columns,
        }
    }

    /// Adds a project and returns its index.
    pub fn add_project(&mut self, project: Project) -> usize {
        self.projects.push(project);
        self.projects.len() - 1
    }

    pub fn add_ballot(&mut self, ballot: Ballot) {
        self.ballots.push(ballot);
    }

    /// The index of the project with this id.
    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|p| p.id == id)
    }

    /// A META value, as written in the file.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The voter columns other than `voter_id`, `vote` and `points`, whose
    /// values each ballot keeps in `Ballot::extra`.
    pub fn voter_extra_columns(&self) -> impl Iterator<Item = &str> {
        self.voter_columns
            .iter()
            .map(String::as_str)
            .filter(|c| !matches!(*c, "voter_id" | "vote" | "points"))
    }

    /// An amount of minor units written in the currency (`1234.50`).
    pub fn format_amount(&self, minor: u64) -> String {
        format_minor(minor, self.decimals)
    }

    /// The projects whose `selected` column is 1: the official outcome, when
    /// the file records one.
    pub fn official_selection(&self) -> Option<Vec<usize>> {
        if !self.project_columns.iter().any(|c| c == "selected") {
            return None;
        }
        Some(
            (0..self.projects.len())
                .filter(|&p| self.projects[p].extra("selected") == Some("1"))
                .collect(),
        )
    }

    /// Every ballot that breaks the election's ballot rules, with the reason.
    pub fn invalid_ballots(&self) -> Vec<(usize, BallotViolation)> {
        self.ballots
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                self.ballot_rules
                    .check(b, &self.projects, self.vote_type)
                    .err()
                    .map(|v| (i, v))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Election {
        let mut e = Election::new(100, VoteType::Cumulative);
        e.add_project(Project::new("a", 60));
        e.add_project(Project::new("b", 50));
        e.ballot_rules = BallotRules {
            max_length: Some(2),
            max_sum_cost: Some(100),
            max_sum_points: Some(10),
            min_points: Some(1),
            ..BallotRules::default()
        };
        e
    }

    #[test]
    fn a_ballot_within_the_rules_passes() {
        let e = small();
        let b = Ballot::with_points("v", vec![1], vec![10]);
        assert_eq!(e.ballot_rules.check(&b, &e.projects, e.vote_type), Ok(()));
    }

    #[test]
    fn ballots_breaking_each_rule_are_named() {
        let e = small();
        let check = |b: Ballot| e.ballot_rules.check(&b, &e.projects, e.vote_type);
        assert_eq!(
            check(Ballot::with_points("v", vec![0, 1], vec![5, 5])),
            Err(BallotViolation::CostTooHigh { max: 100, got: 110 })
        );
        assert_eq!(
            check(Ballot::with_points("v", vec![1], vec![11])),
            Err(BallotViolation::SumPointsTooHigh { max: 10, got: 11 })
        );
        assert_eq!(
            check(Ballot::with_points("v", vec![1], vec![0])),
            Err(BallotViolation::PointsTooLow {
                project: 1,
                min: 1,
                got: 0
            })
        );
        assert_eq!(
            check(Ballot::with_points("v", vec![1, 1], vec![1, 1])),
            Err(BallotViolation::Duplicate(1))
        );
        assert_eq!(
            check(Ballot::with_points("v", vec![7], vec![1])),
            Err(BallotViolation::UnknownProject(7))
        );
        assert_eq!(
            check(Ballot::with_points("v", vec![1], vec![])),
            Err(BallotViolation::PointsMismatch {
                projects: 1,
                points: 0
            })
        );
    }

    #[test]
    fn a_choose_1_ballot_may_name_only_one_project() {
        let mut e = small();
        e.vote_type = VoteType::Choose1;
        e.ballot_rules = BallotRules::default();
        let b = Ballot::approval("v", vec![0, 1]);
        assert_eq!(
            e.ballot_rules.check(&b, &e.projects, e.vote_type),
            Err(BallotViolation::TooMany { max: 1, got: 2 })
        );
    }

    #[test]
    fn the_official_selection_comes_from_the_selected_column() {
        let mut e = small();
        assert_eq!(e.official_selection(), None);
        e.project_columns.push("selected".into());
        e.projects[1].extra.push(("selected".into(), "1".into()));
        assert_eq!(e.official_selection(), Some(vec![1]));
    }
}

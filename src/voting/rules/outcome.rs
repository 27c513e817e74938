//! What a tally returns: the winners, and for every project the reason it
//! won or lost, in a form a citizen can be shown (see `explain`).

use num_rational::BigRational;

use super::context::Tie;
use super::Rule;

/// The result of counting an election under one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub rule: Rule,
    pub completed_with_greedy: bool,
    /// Winning projects (indexes into `Election::projects`) in the order
    /// they were selected.
    pub selected: Vec<usize>,
    /// Total cost of the winners, in minor units.
    pub cost: u64,
    pub budget: u64,
    pub voters: u64,
    /// Voters none of whose listed projects won.
    pub voters_with_none: u64,
    /// Every tie the tie-breaking order had to decide.
    pub ties: Vec<Tie>,
    /// One entry per project, in the election's project order.
    pub projects: Vec<ProjectOutcome>,
    /// For the Method of Equal Shares: the voters' money in the run kept.
    pub mes: Option<MesSummary>,
}

impl Outcome {
    pub fn left_over(&self) -> u64 {
        self.budget.saturating_sub(self.cost)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectOutcome {
    pub selected: bool,
    /// Voters who listed it.
    pub votes: u64,
    /// Its greedy score: votes, or points for point ballots.
    pub score: i64,
    /// Why the rule selected it or not.
    pub reason: Explanation,
    /// What the greedy completion did with it, when it ran.
    pub completion: Option<GreedyStep>,
}

/// The Method of Equal Shares' budget per voter.
#[derive(Clone, Debug, PartialEq)]
pub struct MesSummary {
    /// Each voter's starting money in the run kept, in minor units.
    pub per_voter_budget: BigRational,
    /// How many times every voter's money was raised by one currency unit.
    pub raises: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Explanation {
    /// Nobody voted for it (or gave it points).
    NoSupport,
    Greedy(GreedyStep),
    MesWon(MesWin),
    MesLost(MesLoss),
    PhragmenWon {
        round: usize,
        load: BigRational,
    },
    PhragmenLost(PhragmenLoss),
}

/// A project's turn in a greedy count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreedyStep {
    /// Position in the ranking by score, 1-based.
    pub rank: usize,
    pub score: i64,
    /// Budget left when its turn came, in minor units.
    pub budget_left: u64,
    pub verdict: GreedyVerdict,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GreedyVerdict {
    Selected,
    /// It cost more than the budget left.
    DidNotFit,
    /// Its score was below the election's threshold.
    BelowThreshold {
        threshold: i64,
    },
    /// `greedy-no-skip` stopped at an earlier project that did not fit.
    Stopped {
        at: usize,
    },
}

/// How a project won under the Method of Equal Shares.
#[derive(Clone, Debug, PartialEq)]
pub struct MesWin {
    /// Round in which it was bought (0: it cost nothing).
    pub round: usize,
    /// The most a supporter paid, in minor units: per supporter for
    /// approval ballots, per point for point ballots.
    pub price: BigRational,
    pub per_point: bool,
    /// Supporters who paid the full price.
    pub paid_in_full: u64,
    /// Supporters who paid all they had left, less than the price.
    pub paid_all_they_had: u64,
    /// Supporters who had nothing left.
    pub had_nothing: u64,
}

/// Why a project lost under the Method of Equal Shares: its supporters'
/// money fell below its cost.
#[derive(Clone, Debug, PartialEq)]
pub struct MesLoss {
    /// The round after which it became unaffordable (0: it never was).
    pub round: usize,
    /// The winner of that round, whose supporters' payments left it short.
    pub outbid_by: Option<usize>,
    /// Its supporters' money at that point, in minor units.
    pub money_left: BigRational,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PhragmenLoss {
    /// It costs more than the whole budget.
    OverBudget,
    /// Its turn came in this round, but it cost more than the budget left,
    /// which ended the count.
    DidNotFit { round: usize, budget_left: u64 },
    /// The count ended before its turn.
    NotReached { round: usize, stopped_by: usize },
}

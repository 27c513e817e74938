//! `commune tally FILE.pb [--rule RULE] [--complete greedy] [--json]`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};

use super::model::Election;
use super::pb::{read_pb_file_with_warnings, PbWarning};
use super::rules::{tally, Outcome, Rule};

/// Warnings printed one by one on stderr; past this many, the first few and
/// a count (the JSON output always lists them all).
const WARNINGS_IN_FULL: usize = 5;
const WARNINGS_BEFORE_COUNT: usize = 3;

/// Count a participatory-budgeting vote from a pabulib .pb file.
#[derive(clap::Args, Debug)]
pub struct TallyArgs {
    /// The election, as a pabulib .pb file.
    pub file: PathBuf,
    /// The counting rule: greedy, greedy-no-skip, greedy-threshold, mes,
    /// mes-add1e, mes-add1 or phragmen. Default: the rule the file's META names.
    #[arg(long)]
    pub rule: Option<String>,
    /// Spend the money left with a greedy completion ("greedy").
    #[arg(long, value_name = "RULE")]
    pub complete: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command: the result on stdout, warnings about the file on stderr.
pub fn run(args: &TallyArgs) -> Result<()> {
    let printed = render(args)?;
    eprint!("{}", printed.stderr);
    print!("{}", printed.stdout);
    Ok(())
}

/// What `run` prints.
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
}

/// Counts the election and writes what `run` prints.
pub fn render(args: &TallyArgs) -> Result<Printed> {
    let chosen = args
        .rule
        .as_deref()
        .map(|name| {
            Rule::from_name(name)
                .ok_or_else(|| anyhow!("unknown rule \"{name}\"; the rules are {}", Rule::names()))
        })
        .transpose()?;
    let complete = match args.complete.as_deref() {
        None => false,
        Some("greedy") => true,
        Some(other) => bail!("unknown completion \"{other}\"; the only completion is greedy"),
    };
    let file = args.file.display().to_string();
    let (e, warnings) =
        read_pb_file_with_warnings(&args.file).map_err(|err| anyhow!("{file}: {err}"))?;
    let rule = match (chosen, e.rule.as_deref()) {
        (Some(rule), _) => rule,
        (None, Some(named)) => Rule::from_pabulib(named).ok_or_else(|| {
            anyhow!("{file}: the file's rule \"{named}\" is not one Commune knows; choose one with --rule ({})", Rule::names())
        })?,
        (None, None) => bail!("{file}: the file names no rule; choose one with --rule ({})", Rule::names()),
    };
    let outcome = tally(&e, rule, complete).map_err(|err| anyhow!("{file}: {err}"))?;
    let stdout = if args.json {
        let mut value = outcome.to_json(&e);
        value["file"] = file.clone().into();
        value["description"] = e.meta("description").into();
        value["warnings"] = warnings.iter().map(PbWarning::to_json).collect();
        format!("{value}\n")
    } else {
        table(&e, &outcome, &file)
    };
    Ok(Printed {
        stdout,
        stderr: warning_lines(&file, &warnings),
    })
}

/// One `warning:` line per warning, or, when there are many, the first few
/// and how many more.
fn warning_lines(file: &str, warnings: &[PbWarning]) -> String {
    let shown = if warnings.len() > WARNINGS_IN_FULL {
        WARNINGS_BEFORE_COUNT
    } else {
        warnings.len()
    };
    let mut s = String::new();
    for w in &warnings[..shown] {
        let _ = writeln!(s, "warning: {file}: {w}");
    }
    let more = warnings.len() - shown;
    if more > 0 {
        let _ = writeln!(
            s,
            "warning: {file}: {more} more warnings of the same kinds, counted the same way (--json lists them all)"
        );
    }
    s
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

/// A readable report: the totals, then one line per project, winners first.
fn table(e: &Election, o: &Outcome, file: &str) -> String {
    let mut s = String::new();
    let amount = |v: u64| e.format_amount(v);
    let currency = e
        .meta("currency")
        .map(|c| format!(" {c}"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{file}{}",
        e.meta("description")
            .map(|d| format!(": {d}"))
            .unwrap_or_default()
    );
    let in_file = e
        .rule
        .as_deref()
        .map(|r| format!(" (the file says {r})"))
        .unwrap_or_default();
    let completion = if o.completed_with_greedy {
        ", completed greedily"
    } else {
        ""
    };
    let _ = writeln!(s, "Rule: {}{completion}{in_file}", o.rule);
    let _ = writeln!(
        s,
        "Budget {}{currency}; selected {} projects costing {}; left over {}",
        amount(o.budget),
        o.selected.len(),
        amount(o.cost),
        amount(o.left_over())
    );
    let with_some = o.voters - o.voters_with_none;
    let _ = writeln!(
        s,
        "Voters {}: {} ({}) got at least one project they voted for, {} got none",
        o.voters,
        with_some,
        percent(with_some, o.voters),
        o.voters_with_none
    );
    if let Some(m) = &o.mes {
        let money = super::number::format_minor_ratio(&m.per_voter_budget, e.decimals, 2);
        let _ = writeln!(
            s,
            "Each voter's money: {money}{currency} after {} raises of one unit",
            m.raises
        );
    }
    s.push('\n');
    let mut rows: Vec<usize> = o.selected.clone();
    let mut others: Vec<usize> = (0..e.projects.len())
        .filter(|&p| !o.projects[p].selected)
        .collect();
    others.sort_by(|&a, &b| {
        o.projects[b]
            .score
            .cmp(&o.projects[a].score)
            .then(a.cmp(&b))
    });
    rows.extend(others);
    let id_width = e
        .projects
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(7);
    let cost_width = e
        .projects
        .iter()
        .map(|p| amount(p.cost).len())
        .max()
        .unwrap_or(4)
        .max(4);
    let score = if e.vote_type.has_points() {
        "points"
    } else {
        "votes"
    };
    let _ = writeln!(
        s,
        "{:>3}  {:<id_width$}  {:>cost_width$}  {:>7}  why",
        "#", "project", "cost", score
    );
    for p in rows {
        let project = &e.projects[p];
        let position = o
            .selected
            .iter()
            .position(|&x| x == p)
            .map(|i| (i + 1).to_string())
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "{position:>3}  {:<id_width$}  {:>cost_width$}  {:>7}  {}",
            project.id,
            amount(project.cost),
            o.projects[p].score,
            o.describe(e, p)
        );
    }
    if !o.ties.is_empty() {
        let _ = writeln!(s, "\nTies broken (lowest cost, then most votes, then id):");
        for t in &o.ties {
            let _ = writeln!(s, "  {}", o.describe_tie(e, t));
        }
    }
    s
}

//! Parsing a `.pb` file into an [`Election`]. Every problem is reported with
//! the line it was found on; nothing here panics on bad input.
//!
//! # A vote that names a project more than once
//!
//! Some published files have such votes (Warsaw 2022 Wola: `147,1040,1040`).
//! pabutools 1.2.3 reads them (`parse_pabulib_from_string` in
//! `pabutools/election/pabulib.py`, with the ballot classes of
//! `pabutools/election/ballot/`), and so does Commune, with the same result
//! and a [`PbWarning`] for each project repeated in a vote:
//!
//! - approval and choose-1: the project is approved once (pabutools adds it
//!   to a set);
//! - ordinal: the project keeps the rank where it is first named, and the
//!   projects after it move up (pabutools' `OrdinalBallot.append` leaves a
//!   project already in the order where it is);
//! - cumulative and scoring: the points written last replace the earlier
//!   ones, and the project keeps its first place in the list (pabutools
//!   assigns `ballot[project] = points` in a dict, so the last assignment
//!   stays). The earlier points are not added: a voter who wrote `a,b,a` with
//!   `3,4,5` gives `a` 5 points and `b` 4.
//!
//! A cumulative or scoring vote with more points than projects is read too:
//! each project takes the points in its place and the rest are ignored, with a
//! warning (pabutools reads `points[index]` for each project named). Fewer
//! points than projects is an error, as it is for pabutools.
//!
//! The ballot rules (`max_length`, `max_sum_points`, ...) then apply to the
//! vote as counted.

use std::collections::HashMap;

use super::record::{Record, Records};
use super::warning::{Counted, PbWarning};
use super::write::render_meta_value;
use super::PbError;
use crate::voting::model::{Ballot, BallotRules, Election, Project, VoteType};
use crate::voting::number::Decimal;

/// Parses the text of a `.pb` file.
pub fn parse_pb(text: &str) -> Result<Election, PbError> {
    parse_pb_with_warnings(text).map(|(election, _)| election)
}

/// Parses the text of a `.pb` file, with a warning for each thing read that
/// the file should not hold, in file order.
pub fn parse_pb_with_warnings(text: &str) -> Result<(Election, Vec<PbWarning>), PbError> {
    let mut reader = Reader::default();
    for record in Records::new(text) {
        reader.record(record?)?;
    }
    let warnings = std::mem::take(&mut reader.warnings);
    Ok((reader.finish()?, warnings))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Meta,
    Projects,
    Votes,
}

#[derive(Default)]
struct Reader {
    section: Option<Section>,
    header: Option<(usize, Vec<String>)>,
    seen: Vec<Section>,
    meta_line: usize,
    meta: Vec<(String, String, usize)>,
    typed: Option<TypedMeta>,
    projects: Vec<Project>,
    costs: Vec<(Decimal, usize)>,
    index: HashMap<String, usize>,
    project_columns: Vec<String>,
    voter_columns: Vec<String>,
    ballots: Vec<Ballot>,
    ballot_lines: Vec<usize>,
    /// `stamp[p]` is the number of the last ballot that named project `p`,
    /// which finds a repeat in a vote at once.
    stamp: Vec<usize>,
    warnings: Vec<PbWarning>,
}

/// A project named again in a vote: where it is written (counting every
/// project named, repeats too) and its place in the ballot as read.
#[derive(Clone, Copy)]
struct Repeat {
    written: usize,
    kept: usize,
}

/// The META keys Commune understands, parsed.
struct TypedMeta {
    budget: (Decimal, usize),
    vote_type: VoteType,
    rule: Option<String>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_sum_cost: Option<(Decimal, usize)>,
    max_sum_cost: Option<(Decimal, usize)>,
    min_points: Option<i64>,
    max_points: Option<i64>,
    min_sum_points: Option<i64>,
    max_sum_points: Option<i64>,
    threshold: Option<i64>,
}

fn is_none(value: &str) -> bool {
    value.eq_ignore_ascii_case("none")
}

fn section_name(field: &str) -> Option<Section> {
    let f = field.trim();
    [
        ("meta", Section::Meta),
        ("projects", Section::Projects),
        ("votes", Section::Votes),
    ]
    .into_iter()
    .find(|(name, _)| f.eq_ignore_ascii_case(name))
    .map(|(_, s)| s)
}

/// The fields of a data row, checked against its header's width. Trailing
/// empty fields (a line ending in `;`) are ignored.
fn row_fields<'r>(
    record: &'r Record,
    header: &(usize, Vec<String>),
) -> Result<&'r [std::borrow::Cow<'r, str>], PbError> {
    let width = header.1.len();
    let fields = &record.fields;
    if fields.len() < width || fields[width..].iter().any(|f| !f.trim().is_empty()) {
        return Err(PbError::at(
            record.line,
            format!(
                "expected {width} fields as in the header on line {}, found {}",
                header.0,
                fields.len()
            ),
        ));
    }
    Ok(&fields[..width])
}

impl Reader {
    fn record(&mut self, record: Record) -> Result<(), PbError> {
        if record.is_blank() {
            return Ok(());
        }
        if let Some(section) = section_name(&record.fields[0]) {
            return self.start_section(section, record.line);
        }
        let Some(section) = self.section else {
            return Err(PbError::at(
                record.line,
                "expected a META, PROJECTS or VOTES section",
            ));
        };
        let Some(header) = self.header.take() else {
            return self.read_header(section, &record);
        };
        let result = match section {
            Section::Meta => self.meta_row(&record),
            Section::Projects => self.project_row(&record, &header),
            Section::Votes => self.vote_row(&record, &header),
        };
        self.header = Some(header);
        result
    }

    fn start_section(&mut self, section: Section, line: usize) -> Result<(), PbError> {
        if self.section.is_some() && self.header.is_none() {
            return Err(PbError::at(line, "the previous section has no header line"));
        }
        if self.seen.contains(&section) {
            return Err(PbError::at(line, format!("a second {section:?} section")));
        }
        if section == Section::Votes {
            if !self.seen.contains(&Section::Projects) {
                return Err(PbError::at(line, "VOTES must come after PROJECTS"));
            }
            self.typed_meta()?;
        }
        if section == Section::Meta {
            self.meta_line = line;
        }
        self.seen.push(section);
        self.section = Some(section);
        self.header = None;
        Ok(())
    }

    fn read_header(&mut self, section: Section, record: &Record) -> Result<(), PbError> {
        let columns: Vec<String> = record.fields.iter().map(|f| f.trim().to_string()).collect();
        let mut columns = columns;
        while columns.len() > 1 && columns.last().is_some_and(String::is_empty) {
            columns.pop();
        }
        for (i, c) in columns.iter().enumerate() {
            if c.is_empty() {
                return Err(PbError::at(
                    record.line,
                    format!("column {} of the header has no name", i + 1),
                ));
            }
            if columns[..i].contains(c) {
                return Err(PbError::at(
                    record.line,
                    format!("column \"{c}\" appears twice"),
                ));
            }
        }
        let required: &[&str] = match section {
            Section::Meta => &[],
            Section::Projects => &["project_id", "cost"],
            Section::Votes => &["vote"],
        };
        if let Some(missing) = required.iter().find(|r| !columns.iter().any(|c| c == *r)) {
            return Err(PbError::at(
                record.line,
                format!("the header has no \"{missing}\" column"),
            ));
        }
        match section {
            Section::Meta => {}
            Section::Projects => self.project_columns = columns.clone(),
            Section::Votes => {
                let has_points = self
                    .typed
                    .as_ref()
                    .is_some_and(|t| t.vote_type.has_points());
                if has_points && !columns.iter().any(|c| c == "points") {
                    return Err(PbError::at(
                        record.line,
                        "cumulative and scoring votes need a \"points\" column",
                    ));
                }
                self.voter_columns = columns.clone();
            }
        }
        self.header = Some((record.line, columns));
        Ok(())
    }

    fn meta_row(&mut self, record: &Record) -> Result<(), PbError> {
        let f = &record.fields;
        if f.len() < 2 || f[2..].iter().any(|x| !x.trim().is_empty()) {
            return Err(PbError::at(
                record.line,
                format!(
                    "a META line is key;value, found {} fields (quote a value that holds ';')",
                    f.len()
                ),
            ));
        }
        let key = f[0].trim();
        if key.is_empty() {
            return Err(PbError::at(record.line, "a META key is empty"));
        }
        self.meta
            .push((key.to_string(), f[1].trim().to_string(), record.line));
        Ok(())
    }

    fn project_row(
        &mut self,
        record: &Record,
        header: &(usize, Vec<String>),
    ) -> Result<(), PbError> {
        let fields = row_fields(record, header)?;
        let mut project = Project::new("", 0);
        let mut cost = None;
        for (column, value) in header.1.iter().zip(fields) {
            let value = value.trim();
            let optional = || (!is_none(value)).then(|| value.to_string());
            match column.as_str() {
                "project_id" => project.id = value.to_string(),
                "cost" => {
                    let d = Decimal::parse(value)
                        .map_err(|e| PbError::at(record.line, format!("cost: {e}")))?;
                    cost = Some((d, record.line));
                }
                "name" => project.name = optional(),
                "category" => project.category = optional(),
                "district" => project.district = optional(),
                other => project.extra.push((other.to_string(), value.to_string())),
            }
        }
        if project.id.is_empty() {
            return Err(PbError::at(
                record.line,
                "a project has an empty project_id",
            ));
        }
        if let Some(first) = self.index.get(&project.id) {
            let first_line = self.costs[*first].1;
            return Err(PbError::at(
                record.line,
                format!(
                    "project \"{}\" already appears on line {first_line}",
                    project.id
                ),
            ));
        }
        self.index.insert(project.id.clone(), self.projects.len());
        self.costs.extend(cost);
        self.projects.push(project);
        Ok(())
    }

    fn vote_row(&mut self, record: &Record, header: &(usize, Vec<String>)) -> Result<(), PbError> {
        let fields = row_fields(record, header)?;
        let line = record.line;
        let mut ballot = Ballot::approval("", Vec::new());
        let mut named = 0;
        let mut repeats = Vec::new();
        for (column, value) in header.1.iter().zip(fields) {
            let value = value.trim();
            match column.as_str() {
                "voter_id" => ballot.voter_id = value.to_string(),
                "vote" if is_none(value) => {}
                "vote" => {
                    named = self.read_vote(value, line, &mut ballot.projects, &mut repeats)?
                }
                "points" if is_none(value) => {}
                "points" => {
                    for p in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let n = p.parse::<i64>().map_err(|_| {
                            PbError::at(line, format!("points: \"{p}\" is not a whole number"))
                        })?;
                        ballot.points.push(n);
                    }
                }
                _ => ballot.extra.push(value.to_string()),
            }
        }
        let has_points_column = header.1.iter().any(|c| c == "points");
        if has_points_column && ballot.points.len() > named && named > 0 {
            // pabutools reads the points of the projects named and ignores the
            // rest; so does Commune, and says so.
            self.warnings.push(PbWarning {
                line,
                voter_id: ballot.voter_id.clone(),
                project: String::new(),
                times: 0,
                counted: Counted::ExtraPointsIgnored {
                    projects: named,
                    points: ballot.points.len(),
                },
            });
            ballot.points.truncate(named);
        }
        if has_points_column && ballot.points.len() != named {
            return Err(PbError::at(
                line,
                format!(
                    "the vote lists {named} projects but {} points",
                    ballot.points.len()
                ),
            ));
        }
        if !repeats.is_empty() {
            self.settle_repeats(&mut ballot, &repeats, line);
        }
        self.ballots.push(ballot);
        self.ballot_lines.push(line);
        Ok(())
    }

    /// Reads a `vote` field into `projects`, each project once, and returns
    /// how many projects it names, repeats included. A project named again
    /// goes to `repeats`.
    fn read_vote(
        &mut self,
        value: &str,
        line: usize,
        projects: &mut Vec<usize>,
        repeats: &mut Vec<Repeat>,
    ) -> Result<usize, PbError> {
        let ballot_no = self.ballots.len() + 1;
        self.stamp.resize(self.projects.len(), 0);
        let mut named = 0;
        for id in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let p = *self.index.get(id).ok_or_else(|| {
                PbError::at(
                    line,
                    format!("the vote names project \"{id}\", which is not in PROJECTS"),
                )
            })?;
            if std::mem::replace(&mut self.stamp[p], ballot_no) == ballot_no {
                let kept = projects.iter().position(|&q| q == p).unwrap_or_default();
                repeats.push(Repeat {
                    written: named,
                    kept,
                });
            } else {
                projects.push(p);
            }
            named += 1;
        }
        Ok(named)
    }

    /// Counts a vote's repeated projects as pabutools does (see the module
    /// documentation) and warns once for each.
    fn settle_repeats(&mut self, ballot: &mut Ballot, repeats: &[Repeat], line: usize) {
        let written = std::mem::take(&mut ballot.points);
        ballot.points = points_counted(&written, repeats);
        let mut repeated: Vec<usize> = repeats.iter().map(|r| r.kept).collect();
        repeated.sort_unstable();
        repeated.dedup();
        for kept in repeated {
            let again: Vec<usize> = repeats
                .iter()
                .filter(|r| r.kept == kept)
                .map(|r| r.written)
                .collect();
            let counted = self.counted(&written, first_written(kept, repeats), &again);
            self.warnings.push(PbWarning {
                line,
                voter_id: ballot.voter_id.clone(),
                project: self.projects[ballot.projects[kept]].id.clone(),
                times: 1 + again.len(),
                counted,
            });
        }
    }

    /// What a project named at `first`, then at `again`, counts for.
    fn counted(&self, written_points: &[i64], first: usize, again: &[usize]) -> Counted {
        match self.typed.as_ref().map(|t| t.vote_type) {
            Some(t) if t.has_points() && !written_points.is_empty() => Counted::LastPoints {
                given: std::iter::once(&first)
                    .chain(again)
                    .map(|&i| written_points[i])
                    .collect(),
            },
            Some(VoteType::Ordinal) => Counted::FirstRank,
            _ => Counted::Once,
        }
    }

    /// Parses the META keys Commune understands; called once META is complete.
    fn typed_meta(&mut self) -> Result<(), PbError> {
        let at_line = self.meta_line;
        if self.typed.is_some() {
            return Ok(());
        }
        let lookup = |key: &str| {
            self.meta
                .iter()
                .rev()
                .find(|(k, v, _)| k == key && !is_none(v))
        };
        let missing = |key: &str| PbError::at(at_line, format!("META has no \"{key}\""));
        let decimal = |key: &str| -> Result<Option<(Decimal, usize)>, PbError> {
            lookup(key)
                .map(|(_, v, line)| {
                    Decimal::parse(v)
                        .map(|d| (d, *line))
                        .map_err(|e| PbError::at(*line, format!("{key}: {e}")))
                })
                .transpose()
        };
        fn int<T: std::str::FromStr>(
            found: Option<&(String, String, usize)>,
            key: &str,
        ) -> Result<Option<T>, PbError> {
            found
                .map(|(_, v, line)| {
                    v.parse::<T>().map_err(|_| {
                        PbError::at(*line, format!("{key}: \"{v}\" is not a whole number"))
                    })
                })
                .transpose()
        }
        let budget = decimal("budget")?.ok_or_else(|| missing("budget"))?;
        let (_, vt, vt_line) = lookup("vote_type").ok_or_else(|| missing("vote_type"))?;
        let vote_type = VoteType::from_name(vt).ok_or_else(|| {
            let known: Vec<_> = VoteType::ALL.iter().map(|t| t.name()).collect();
            PbError::at(
                *vt_line,
                format!("vote_type \"{vt}\" is not one of {}", known.join(", ")),
            )
        })?;
        self.typed = Some(TypedMeta {
            budget,
            vote_type,
            rule: lookup("rule").map(|(_, v, _)| v.clone()),
            min_length: int(lookup("min_length"), "min_length")?,
            max_length: int(lookup("max_length"), "max_length")?,
            min_sum_cost: decimal("min_sum_cost")?,
            max_sum_cost: decimal("max_sum_cost")?,
            min_points: int(lookup("min_points"), "min_points")?,
            max_points: int(lookup("max_points"), "max_points")?,
            min_sum_points: int(lookup("min_sum_points"), "min_sum_points")?,
            max_sum_points: int(lookup("max_sum_points"), "max_sum_points")?,
            threshold: int(
                lookup("min_project_score_threshold"),
                "min_project_score_threshold",
            )?,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<Election, PbError> {
        if !self.seen.contains(&Section::Meta) {
            return Err(PbError::Incomplete("the file has no META section".into()));
        }
        if !self.seen.contains(&Section::Projects) {
            return Err(PbError::Incomplete(
                "the file has no PROJECTS section".into(),
            ));
        }
        self.typed_meta()?;
        let Some(t) = self.typed.take() else {
            return Err(PbError::Incomplete("META could not be read".into()));
        };
        self.check_voter_ids()?;
        let money: Vec<(Decimal, usize)> = std::iter::once(t.budget)
            .chain(self.costs.iter().copied())
            .chain(t.min_sum_cost)
            .chain(t.max_sum_cost)
            .collect();
        let decimals = money.iter().map(|(d, _)| d.decimals).max().unwrap_or(0);
        let minor = |(d, line): (Decimal, usize)| {
            d.to_minor(decimals)
                .ok_or_else(|| PbError::at(line, "the amount is too large"))
        };
        for (project, cost) in self.projects.iter_mut().zip(&self.costs) {
            project.cost = minor(*cost)?;
        }
        let mut election = Election {
            budget: minor(t.budget)?,
            decimals,
            vote_type: t.vote_type,
            rule: t.rule,
            ballot_rules: BallotRules {
                min_length: t.min_length,
                max_length: t.max_length,
                min_sum_cost: t.min_sum_cost.map(minor).transpose()?,
                max_sum_cost: t.max_sum_cost.map(minor).transpose()?,
                min_points: t.min_points,
                max_points: t.max_points,
                min_sum_points: t.min_sum_points,
                max_sum_points: t.max_sum_points,
            },
            score_threshold: t.threshold,
            meta: Vec::new(),
            projects: self.projects,
            ballots: self.ballots,
            project_columns: self.project_columns,
            voter_columns: self.voter_columns,
        };
        // Typed keys are stored in the form the writer gives them, so that
        // reading a written file gives back an identical election.
        let meta = self
            .meta
            .into_iter()
            .map(|(k, v, _)| {
                let canonical = if is_none(&v) {
                    None
                } else {
                    render_meta_value(&election, &k)
                };
                (k, canonical.unwrap_or(v))
            })
            .collect();
        election.meta = meta;
        Ok(election)
    }

    fn check_voter_ids(&self) -> Result<(), PbError> {
        let mut ids: Vec<(&str, usize)> = self
            .ballots
            .iter()
            .zip(&self.ballot_lines)
            .filter(|(b, _)| !b.voter_id.is_empty())
            .map(|(b, &line)| (b.voter_id.as_str(), line))
            .collect();
        ids.sort_unstable();
        match ids.windows(2).find(|w| w[0].0 == w[1].0) {
            Some(w) => {
                let (first, second) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
                Err(PbError::at(
                    second,
                    format!("voter \"{}\" already voted on line {first}", w[0].0),
                ))
            }
            None => Ok(()),
        }
    }
}

fn is_repeat(repeats: &[Repeat], written: usize) -> bool {
    repeats.iter().any(|r| r.written == written)
}

/// Where the ballot's `kept`th project is first named, counting every
/// project the vote names.
fn first_written(kept: usize, repeats: &[Repeat]) -> usize {
    (0..)
        .filter(|&i| !is_repeat(repeats, i))
        .nth(kept)
        .unwrap_or_default()
}

/// The points written, each project's once: a repeated project's last
/// points, in the place where it is first named.
fn points_counted(written: &[i64], repeats: &[Repeat]) -> Vec<i64> {
    let mut points: Vec<i64> = (0..written.len())
        .filter(|&i| !is_repeat(repeats, i))
        .map(|i| written[i])
        .collect();
    for r in repeats {
        if let Some(p) = points.get_mut(r.kept) {
            *p = written[r.written];
        }
    }
    points
}

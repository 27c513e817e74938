//! Implementation: when a round moves on from its results, each winner becomes a
//! project, followed until it is built or abandoned. Each update is dated and kept: the
//! project's status, its progress, what has been spent, a note and a photo's caption.
//! A project only moves forward (planned → tendering → works → done), or is abandoned
//! with a reason the public reads; a finished or abandoned project takes no more updates.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::{phases, proposals, results, Phase, Round};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{project_updates as u, projects as p, rounds as r};
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{AreaId, CommuneId, ProjectId, ProposalId, RoundId, UserId};
use crate::money::Xof;

crate::text_enum!(
    /// Where a project stands. The first four follow in order; `Abandoned` can come at
    /// any point before `Done`.
    pub Status {
        Planned = "planned",
        Tendering = "tendering",
        Works = "works",
        Done = "done",
        Abandoned = "abandoned",
    }
);

impl Status {
    /// A finished or abandoned project takes no more updates.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Done | Status::Abandoned)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = p)]
pub struct Project {
    pub id: ProjectId,
    pub round_id: RoundId,
    pub area_id: AreaId,
    pub proposal_id: ProposalId,
    pub title: String,
    /// The cost the vote granted: the reviewed cost of the proposal.
    pub budget: i64,
    pub spent: i64,
    pub status: Status,
    pub progress: i64,
    pub abandoned_reason: Option<String>,
    pub updated_on: NaiveDate,
}

/// One update, as given.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = u)]
pub struct Update {
    pub id: i64,
    pub project_id: ProjectId,
    pub on_date: NaiveDate,
    pub status: Status,
    pub progress: i64,
    pub spent: i64,
    pub note: String,
    pub caption: String,
    pub author_id: Option<UserId>,
    pub created_at: NaiveDateTime,
}

/// What an officer reports about a project on a given day. `spent` is the total so far.
/// When the project is abandoned, the note is the reason, and the public reads it.
#[derive(Debug, Clone)]
pub struct NewUpdate {
    pub on: NaiveDate,
    pub status: Status,
    pub progress: i64,
    pub spent: Xof,
    pub note: String,
    pub caption: String,
}

const NOTE_MAX: usize = 2_000;
const CAPTION_MAX: usize = 300;

/// Checks an update against the project as it stands, `today` being the commune's
/// date; the update as it will be stored (a finished project is 100 % done), or every
/// reason it is refused.
pub fn check(project: &Project, today: NaiveDate, new: &NewUpdate) -> DomainResult<NewUpdate> {
    if project.status.is_closed() {
        return Err(Refusal::new("project.error.closed").into());
    }
    let mut errors = Vec::new();
    if new.status != Status::Abandoned && new.status < project.status {
        errors.push(Refusal::new("project.error.backwards").on("status"));
    }
    if !(0..=100).contains(&new.progress) {
        errors.push(Refusal::new("project.error.progress").on("progress"));
    }
    if new.spent.0 < 0 || new.spent > Xof::MAX_ENTRY {
        errors.push(Refusal::new("project.error.spent").on("spent"));
    }
    if new.on > today {
        errors.push(Refusal::new("project.error.date_future").on("on"));
    } else if new.on < project.updated_on {
        errors.push(
            Refusal::new("project.error.date_before")
                .arg("date", project.updated_on.format("%d/%m/%Y").to_string())
                .on("on"),
        );
    }
    let note = new.note.trim().to_string();
    let caption = new.caption.trim().to_string();
    if new.status == Status::Abandoned && note.chars().count() < 10 {
        errors.push(Refusal::new("project.error.abandon_reason").on("note"));
    }
    if note.chars().count() > NOTE_MAX {
        errors.push(Refusal::new("project.error.note_long").on("note"));
    }
    if caption.chars().count() > CAPTION_MAX {
        errors.push(Refusal::new("project.error.caption_long").on("caption"));
    }
    let progress = if new.status == Status::Done {
        100
    } else {
        new.progress
    };
    let unchanged = new.status == project.status
        && progress == project.progress
        && new.spent.0 == project.spent;
    if errors.is_empty() && unchanged && note.is_empty() && caption.is_empty() {
        errors.push(Refusal::new("project.error.update_empty"));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(NewUpdate {
        on: new.on,
        status: new.status,
        progress,
        spent: new.spent,
        note,
        caption,
    })
}

/// The round's winners become its projects, each with the cost the review set. Runs
/// when the round moves to its implementation, in that transaction; a winner that is
/// already a project is left as it is.
pub fn create_from_winners(
    conn: &mut DbConn,
    round: &Round,
    today: NaiveDate,
) -> QueryResult<usize> {
    let mut created = 0;
    for counted in results::of_round(conn, round.id)? {
        for code in counted.selected() {
            let Some(proposal) = proposals::by_code(conn, round.id, &code)? else {
                continue;
            };
            if of_proposal(conn, proposal.id)?.is_some() {
                continue;
            }
            created += diesel::insert_into(p::table)
                .values((
                    p::round_id.eq(round.id),
                    p::area_id.eq(proposal.area_id),
                    p::proposal_id.eq(proposal.id),
                    p::title.eq(&proposal.title),
                    p::budget.eq(proposal.cost.unwrap_or(proposal.estimated_cost)),
                    p::status.eq(Status::Planned),
                    p::updated_on.eq(today),
                ))
                .execute(conn)?;
        }
    }
    Ok(created)
}

/// A round's projects, area by area, in the order they won.
pub fn of_round(conn: &mut DbConn, round: RoundId) -> QueryResult<Vec<Project>> {
    p::table
        .filter(p::round_id.eq(round))
        .order((p::area_id, p::id))
        .select(Project::as_select())
        .load(conn)
}

/// Every project of the commune with its round, the newest rounds first.
pub fn of_commune(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<(Project, Round)>> {
    p::table
        .inner_join(r::table)
        .filter(r::commune_id.eq(commune))
        .order((r::fiscal_year.desc(), r::id.desc(), p::area_id, p::id))
        .select((Project::as_select(), Round::as_select()))
        .load(conn)
}

/// A project of the commune, with its round.
pub fn get(conn: &mut DbConn, commune: CommuneId, id: ProjectId) -> QueryResult<(Project, Round)> {
    p::table
        .inner_join(r::table)
        .filter(r::commune_id.eq(commune))
        .filter(p::id.eq(id))
        .select((Project::as_select(), Round::as_select()))
        .get_result(conn)
}

/// The project a proposal became, if it won.
pub fn of_proposal(conn: &mut DbConn, proposal: ProposalId) -> QueryResult<Option<Project>> {
    p::table
        .filter(p::proposal_id.eq(proposal))
        .select(Project::as_select())
        .get_result(conn)
        .optional()
}

/// A winner as the budget takes it: which project, its title, the amount voted and
/// the topic of its proposal.
#[derive(Debug, Clone)]
pub struct ForBudget {
    pub project: ProjectId,
    pub title: String,
    pub amount: i64,
    pub topic: String,
}

/// A round's projects (its winners) for the budget, in the order they won; none when
/// the round is not the commune's or not yet in its implementation.
pub fn for_budget(
    conn: &mut DbConn,
    commune: CommuneId,
    round: RoundId,
) -> QueryResult<Vec<ForBudget>> {
    use crate::db::schema::proposals as q;
    let rows: Vec<(ProjectId, String, i64, Option<String>)> = p::table
        .inner_join(r::table)
        .inner_join(q::table.on(q::id.eq(p::proposal_id)))
        .filter(r::commune_id.eq(commune))
        .filter(p::round_id.eq(round))
        .filter(p::status.ne(Status::Abandoned))
        .order((p::area_id, p::id))
        .select((p::id, p::title, p::budget, q::category))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(project, title, amount, topic)| ForBudget {
            project,
            title,
            amount,
            topic: topic.unwrap_or_else(|| "other".into()),
        })
        .collect())
}

/// A project's updates, the latest first.
pub fn updates(conn: &mut DbConn, id: ProjectId) -> QueryResult<Vec<Update>> {
    u::table
        .filter(u::project_id.eq(id))
        .order((u::on_date.desc(), u::id.desc()))
        .select(Update::as_select())
        .load(conn)
}

/// What recording an update did.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub project: Project,
    /// The status before, when this update changed it (subscribers are told).
    pub status_was: Option<Status>,
}

/// Records an update of a project of a round in its implementation phase. Runs in the
/// caller's write transaction, under the commune's lock.
pub fn record(
    conn: &mut DbConn,
    commune: &Commune,
    id: ProjectId,
    new: &NewUpdate,
    actor: &Actor,
) -> DomainResult<Recorded> {
    communes::lock(conn, commune.id)?;
    let (project, round) = get(conn, commune.id, id)?;
    phases::require(&round, Phase::Implementation)?;
    let new = check(&project, commune.today(), new)?;
    let reason = (new.status == Status::Abandoned).then(|| new.note.clone());
    diesel::insert_into(u::table)
        .values((
            u::project_id.eq(id),
            u::on_date.eq(new.on),
            u::status.eq(new.status),
            u::progress.eq(new.progress),
            u::spent.eq(new.spent.0),
            u::note.eq(&new.note),
            u::caption.eq(&new.caption),
            u::author_id.eq(actor.id),
            u::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    diesel::update(p::table.find(id))
        .set((
            p::status.eq(new.status),
            p::progress.eq(new.progress),
            p::spent.eq(new.spent.0),
            p::abandoned_reason.eq(reason),
            p::updated_on.eq(new.on),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("project.update", "project", id).details(json!({
            "round": round.id,
            "from": project.status,
            "to": new.status,
            "progress": new.progress,
            "spent": new.spent.0,
            "on": new.on,
        })),
    )?;
    let (after, _) = get(conn, commune.id, id)?;
    Ok(Recorded {
        project: after,
        status_was: (project.status != new.status).then_some(project.status),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(status: Status, progress: i64, spent: i64) -> Project {
        Project {
            id: ProjectId(1),
            round_id: RoundId(1),
            area_id: AreaId(1),
            proposal_id: ProposalId(1),
            title: "Forage".into(),
            budget: 4_650_000,
            spent,
            status,
            progress,
            abandoned_reason: None,
            updated_on: day(10),
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn update(status: Status, progress: i64, spent: i64, note: &str) -> NewUpdate {
        NewUpdate {
            on: day(20),
            status,
            progress,
            spent: Xof(spent),
            note: note.into(),
            caption: String::new(),
        }
    }

    fn keys(r: DomainResult<NewUpdate>) -> Vec<String> {
        match r {
            Err(DomainError::Invalid(v)) => v.into_iter().map(|r| r.key.to_string()).collect(),
            Err(DomainError::Refused(r)) => vec![r.key.to_string()],
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_project_moves_forward_and_a_finished_one_is_wholly_done() {
        let p = project(Status::Tendering, 0, 0);
        let ok = check(&p, day(30), &update(Status::Works, 35, 1_200_000, "")).unwrap();
        assert_eq!((ok.status, ok.progress), (Status::Works, 35));
        let done = check(&p, day(30), &update(Status::Done, 80, 4_600_000, "")).unwrap();
        assert_eq!(done.progress, 100);
        assert_eq!(
            keys(check(&p, day(30), &update(Status::Planned, 0, 0, "retour"))),
            ["project.error.backwards"]
        );
    }

    #[test]
    fn abandoning_needs_a_reason_and_closed_projects_take_no_update() {
        let p = project(Status::Works, 40, 900_000);
        assert_eq!(
            keys(check(
                &p,
                day(30),
                &update(Status::Abandoned, 40, 900_000, "non")
            )),
            ["project.error.abandon_reason"]
        );
        let ok = check(
            &p,
            day(30),
            &update(
                Status::Abandoned,
                40,
                900_000,
                "  Le terrain a été repris par l’État.  ",
            ),
        )
        .unwrap();
        assert_eq!(ok.note, "Le terrain a été repris par l’État.");
        for closed in [Status::Done, Status::Abandoned] {
            assert_eq!(
                keys(check(
                    &project(closed, 100, 0),
                    day(30),
                    &update(Status::Done, 100, 0, "x")
                )),
                ["project.error.closed"]
            );
        }
    }

    #[test]
    fn figures_dates_and_empty_updates_are_refused_with_their_field() {
        let p = project(Status::Works, 40, 900_000);
        let mut bad = update(Status::Works, 140, -5, "");
        bad.on = day(31 - 1) + chrono::Days::new(5);
        assert_eq!(
            keys(check(&p, day(30), &bad)),
            [
                "project.error.progress",
                "project.error.spent",
                "project.error.date_future"
            ]
        );
        let mut early = update(Status::Works, 50, 900_000, "");
        early.on = day(2);
        assert_eq!(
            keys(check(&p, day(30), &early)),
            ["project.error.date_before"]
        );
        assert_eq!(
            keys(check(&p, day(30), &update(Status::Works, 40, 900_000, " "))),
            ["project.error.update_empty"]
        );
        // The same figures with a note is news.
        assert!(check(
            &p,
            day(30),
            &update(Status::Works, 40, 900_000, "Dalle coulée")
        )
        .is_ok());
    }
}

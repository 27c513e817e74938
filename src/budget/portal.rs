//! What the public portal reads from the database: which budgets are published (one
//! query, light, on every visit), and, when the portal has not got them already, a
//! published document with its lines, the lines of the other published years and the
//! participatory projects its lines carry (read through Participation's public
//! `projects::get`). A published document never changes, so the portal may keep what
//! it made of it (see `web::pages::budget::portal`).

use diesel::prelude::*;

use super::documents::{self, Document, Line, Status};
use crate::db::schema::budget_documents as d;
use crate::db::DbConn;
use crate::ids::{CommuneId, DocumentId, ProjectId};
use crate::participation::projects;

/// The budget the portal shows for each published year: the latest published document
/// of the year (a budget supplémentaire published after the primitif replaces it), the
/// latest year first.
pub fn published_years(
    conn: &mut DbConn,
    commune: CommuneId,
) -> QueryResult<Vec<(DocumentId, i64)>> {
    let mut rows: Vec<(DocumentId, i64)> = d::table
        .filter(d::commune_id.eq(commune))
        .filter(d::status.eq(Status::Published))
        .order((d::fiscal_year.desc(), d::published_at.desc(), d::id.desc()))
        .select((d::id, d::fiscal_year))
        .load(conn)?;
    rows.dedup_by_key(|(_, year)| *year);
    Ok(rows)
}

/// The document of `year` among the published ones (the latest year without one).
pub fn pick(published: &[(DocumentId, i64)], year: Option<i64>) -> Option<(DocumentId, i64)> {
    match year {
        Some(y) => published.iter().find(|(_, py)| *py == y).copied(),
        None => published.first().copied(),
    }
}

/// A participatory project on a budget line, where it stands now.
#[derive(Debug, Clone)]
pub struct ProjectState {
    pub id: ProjectId,
    pub status: projects::Status,
    pub progress: i64,
}

/// A published document and what the portal draws from beside it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doc: Document,
    pub lines: Vec<Line>,
    /// Every published year's lines as `(article, amount)`, in the order of
    /// `published`, the shown year's included.
    pub years: Vec<(i64, Vec<(String, i64)>)>,
    pub projects: Vec<ProjectState>,
}

pub fn amounts(lines: &[Line]) -> Vec<(String, i64)> {
    lines
        .iter()
        .map(|l| (l.article.clone(), l.amount))
        .collect()
}

/// Reads the document `shown` and the lines of every published document.
pub fn load(
    conn: &mut DbConn,
    commune: CommuneId,
    shown: DocumentId,
    published: &[(DocumentId, i64)],
) -> QueryResult<Loaded> {
    let doc = documents::get(conn, commune, shown)?;
    let lines = documents::lines(conn, shown)?;
    let mut years = Vec::with_capacity(published.len());
    for (id, year) in published {
        let of_year = if *id == shown {
            amounts(&lines)
        } else {
            amounts(&documents::lines(conn, *id)?)
        };
        years.push((*year, of_year));
    }
    let mut ids: Vec<ProjectId> = lines.iter().filter_map(|l| l.project_id).collect();
    ids.sort_by_key(|p| p.0);
    ids.dedup();
    let mut states = Vec::with_capacity(ids.len());
    for id in ids {
        match projects::get(conn, commune, id) {
            Ok((p, _)) => states.push(ProjectState {
                id,
                status: p.status,
                progress: p.progress,
            }),
            Err(diesel::result::Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Loaded {
        doc,
        lines,
        years,
        projects: states,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_year_is_shown_unless_one_is_asked_for() {
        let published = [(DocumentId(7), 2027), (DocumentId(3), 2026)];
        assert_eq!(pick(&published, None), Some((DocumentId(7), 2027)));
        assert_eq!(pick(&published, Some(2026)), Some((DocumentId(3), 2026)));
        assert_eq!(pick(&published, Some(2025)), None);
        assert_eq!(pick(&[], None), None);
    }
}

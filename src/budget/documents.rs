//! Budget documents and their life: a finance officer drafts one (a budget primitif,
//! an amending budget supplémentaire, or the compte administratif) and sets its lines;
//! a participatory round's winners come in as capital lines, tagged with their round and
//! project; the draft is proposed to the council only once it balances; the council's
//! vote, the tutelle's approval and the publication follow, in that order, each in the
//! audit chain. Publishing freezes the document: its CSV as published, the CSV's SHA-256
//! and the head of the commune's audit chain. A later change is a new document.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::nomenclature;
use super::{balance, opendata};
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{budget_documents as d, budget_lines as l};
use crate::db::DbConn;
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{BudgetLineId, CommuneId, DocumentId, ProjectId, RoundId, UserId};
use crate::money::Xof;

crate::text_enum!(
    /// The kinds of budget document.
    pub Kind {
        Primitif = "primitif",
        Supplementaire = "supplementaire",
        CompteAdministratif = "compte_administratif",
    }
);

crate::text_enum!(
    /// A document's steps, in order.
    pub Status {
        Draft = "draft",
        Proposed = "proposed",
        Voted = "voted",
        Approved = "approved",
        Published = "published",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = d)]
pub struct Document {
    pub id: DocumentId,
    pub commune_id: CommuneId,
    pub fiscal_year: i64,
    pub kind: Kind,
    pub title: String,
    pub status: Status,
    pub voted_on: Option<NaiveDate>,
    pub deliberation: Option<String>,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
    pub abstentions: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    pub approval_ref: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub published_csv: Option<String>,
    pub csv_sha256: Option<String>,
    pub audit_seq: Option<i64>,
    pub audit_head: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = l)]
pub struct Line {
    pub id: BudgetLineId,
    pub document_id: DocumentId,
    pub article: String,
    pub label: String,
    pub amount: i64,
    pub round_id: Option<RoundId>,
    pub project_id: Option<ProjectId>,
}

pub fn get(conn: &mut DbConn, commune: CommuneId, id: DocumentId) -> QueryResult<Document> {
    d::table
        .filter(d::commune_id.eq(commune))
        .filter(d::id.eq(id))
        .select(Document::as_select())
        .get_result(conn)
}

/// The commune's documents, the latest year first.
pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Document>> {
    d::table
        .filter(d::commune_id.eq(commune))
        .order((d::fiscal_year.desc(), d::id.desc()))
        .select(Document::as_select())
        .load(conn)
}

/// The published document the portal shows: the latest published of `year`, or of
/// any year.
pub fn published(
    conn: &mut DbConn,
    commune: CommuneId,
    year: Option<i64>,
) -> QueryResult<Option<Document>> {
    let mut q = d::table
        .filter(d::commune_id.eq(commune))
        .filter(d::status.eq(Status::Published))
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(d::fiscal_year.eq(y));
    }
    q.order((d::fiscal_year.desc(), d::published_at.desc(), d::id.desc()))
        .select(Document::as_select())
        .limit(1)
        .get_result(conn)
        .optional()
}

/// A document's lines, article by article.
pub fn lines(conn: &mut DbConn, id: DocumentId) -> QueryResult<Vec<Line>> {
    l::table
        .filter(l::document_id.eq(id))
        .order((l::article, l::id))
        .select(Line::as_select())
        .load(conn)
}

fn audit_step(
    conn: &mut DbConn,
    commune: &Commune,
    actor: &Actor,
    action: &'static str,
    id: DocumentId,
    details: serde_json::Value,
) -> QueryResult<()> {
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new(action, "budget", id).details(details),
    )
    .map(|_| ())
}

/// A new draft for `year`. Runs in the caller's write transaction.
pub fn create(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    kind: Kind,
    title: &str,
    actor: &Actor,
) -> DomainResult<DocumentId> {
    communes::lock(conn, commune.id)?;
    let title = title.trim();
    if !(3..=200).contains(&title.chars().count()) {
        return Err(Refusal::new("budget.doc.title").on("title").into());
    }
    if !(2000..=2100).contains(&year) {
        return Err(Refusal::new("budget.doc.year").on("year").into());
    }
    let id: DocumentId = diesel::insert_into(d::table)
        .values((
            d::commune_id.eq(commune.id),
            d::fiscal_year.eq(year),
            d::kind.eq(kind),
            d::title.eq(title),
            d::status.eq(Status::Draft),
            d::created_by.eq(actor.id),
            d::created_at.eq(crate::db::now()),
        ))
        .returning(d::id)
        .get_result(conn)?;
    audit_step(
        conn,
        commune,
        actor,
        "budget.create",
        id,
        json!({ "year": year, "kind": kind }),
    )?;
    Ok(id)
}

/// The document, locked, if it is still a draft.
fn draft(conn: &mut DbConn, commune: &Commune, id: DocumentId) -> DomainResult<Document> {
    communes::lock(conn, commune.id)?;
    let doc = get(conn, commune.id, id)?;
    if doc.status != Status::Draft {
        return Err(Refusal::new("budget.doc.not_draft").into());
    }
    Ok(doc)
}

/// A draft whose lines are typed in: a compte administratif's lines come from the
/// execution records only (see `account`), never by hand.
fn typed_draft(conn: &mut DbConn, commune: &Commune, id: DocumentId) -> DomainResult<Document> {
    let doc = draft(conn, commune, id)?;
    if doc.kind == Kind::CompteAdministratif {
        return Err(Refusal::new("budget.doc.account_lines").into());
    }
    Ok(doc)
}

/// Adds a line to a document, as it is (the caller has checked the document and the
/// article).
pub(super) fn insert_line(
    conn: &mut DbConn,
    id: DocumentId,
    article: &str,
    label: &str,
    amount: i64,
) -> QueryResult<()> {
    diesel::insert_into(l::table)
        .values((
            l::document_id.eq(id),
            l::article.eq(article),
            l::label.eq(label),
            l::amount.eq(amount),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The credits open for `year`, by article: the lines of its budget primitif and of
/// every budget supplémentaire, once the tutelle has approved them (a budget becomes
/// executable on approval). Should a year have two approved primitifs, the later one
/// replaces the earlier. What may be committed is bounded by these.
pub fn credits(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let docs: Vec<(DocumentId, Kind)> = d::table
        .filter(d::commune_id.eq(commune))
        .filter(d::fiscal_year.eq(year))
        .filter(d::kind.ne(Kind::CompteAdministratif))
        .filter(d::status.eq_any([Status::Approved, Status::Published]))
        .order(d::id.desc())
        .select((d::id, d::kind))
        .load(conn)?;
    let primitif = docs
        .iter()
        .find(|(_, k)| *k == Kind::Primitif)
        .map(|(id, _)| *id);
    let open: Vec<DocumentId> = docs
        .iter()
        .filter(|(id, k)| *k == Kind::Supplementaire || Some(*id) == primitif)
        .map(|(id, _)| *id)
        .collect();
    let rows: Vec<(String, i64)> = l::table
        .filter(l::document_id.eq_any(open))
        .select((l::article, l::amount))
        .load(conn)?;
    let mut by: std::collections::BTreeMap<String, i64> = Default::default();
    for (a, v) in rows {
        *by.entry(a).or_default() += v;
    }
    Ok(by.into_iter().collect())
}

/// Sets the amount of an article of the nomenclature (a line that is not a project's);
/// zero removes the line. One article of [`set_lines`].
pub fn set_line(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    article: &str,
    amount: Xof,
    actor: &Actor,
) -> DomainResult<()> {
    set_lines(conn, commune, id, &[(article.to_string(), amount)], actor).map(|_| ())
}

/// Sets many articles at once, as the draft's form sends them: every amount is checked
/// first (each error names its article), then only the articles whose amount changed
/// are written, in one audit entry. Returns how many changed.
pub fn set_lines(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    amounts: &[(String, Xof)],
    actor: &Actor,
) -> DomainResult<usize> {
    typed_draft(conn, commune, id)?;
    let n = nomenclature::of(commune.country);
    let mut errors = Vec::new();
    for (article, amount) in amounts {
        if n.article(article).is_none() {
            errors.push(
                Refusal::new("budget.balance.unknown_line")
                    .arg("line", article.clone())
                    .on("amount"),
            );
        } else if amount.0 < 0 || *amount > Xof::MAX_ENTRY {
            errors.push(
                Refusal::new("budget.balance.amount")
                    .arg("line", article.clone())
                    .on("amount"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let typed: std::collections::BTreeMap<String, i64> = l::table
        .filter(l::document_id.eq(id))
        .filter(l::project_id.is_null())
        .select((l::article, l::amount))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let mut changes = Vec::new();
    for (article, amount) in amounts {
        if typed.get(article).copied().unwrap_or(0) == amount.0 {
            continue;
        }
        let mine = l::table
            .filter(l::document_id.eq(id))
            .filter(l::article.eq(article))
            .filter(l::project_id.is_null());
        diesel::delete(mine).execute(conn)?;
        if amount.0 > 0 {
            insert_line(conn, id, article, "", amount.0)?;
        }
        changes.push(json!({ "article": article, "amount": amount.0 }));
    }
    if !changes.is_empty() {
        audit_step(
            conn,
            commune,
            actor,
            "budget.line",
            id,
            json!({ "changes": changes }),
        )?;
    }
    Ok(changes.len())
}

/// Brings a round's winners in as capital lines, each on the article of its topic,
/// tagged with its round and project; a winner already in the document is left as it
/// is. Returns how many came in.
pub fn bring_winners(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    round: RoundId,
    actor: &Actor,
) -> DomainResult<usize> {
    typed_draft(conn, commune, id)?;
    let n = nomenclature::of(commune.country);
    let winners = crate::participation::projects::for_budget(conn, commune.id, round)?;
    if winners.is_empty() {
        return Err(Refusal::new("budget.doc.no_winners").into());
    }
    let mut added = 0;
    for w in winners {
        let already: i64 = l::table
            .filter(l::document_id.eq(id))
            .filter(l::project_id.eq(w.project))
            .count()
            .get_result(conn)?;
        if already > 0 {
            continue;
        }
        let article = n
            .for_topic(&w.topic)
            .ok_or_else(|| Refusal::new("budget.doc.no_article"))?;
        diesel::insert_into(l::table)
            .values((
                l::document_id.eq(id),
                l::article.eq(&article.code),
                l::label.eq(&w.title),
                l::amount.eq(w.amount),
                l::round_id.eq(Some(round)),
                l::project_id.eq(Some(w.project)),
            ))
            .execute(conn)?;
        added += 1;
    }
    audit_step(
        conn,
        commune,
        actor,
        "budget.winners",
        id,
        json!({ "round": round, "added": added }),
    )?;
    Ok(added)
}

/// The lines as the balance rules see them: `(article, amount)`.
fn amounts(lines: &[Line]) -> Vec<(String, i64)> {
    lines
        .iter()
        .map(|l| (l.article.clone(), l.amount))
        .collect()
}

/// Proposes the draft to the council, once it balances; otherwise every reason.
pub fn propose(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    actor: &Actor,
) -> DomainResult<()> {
    let doc = draft(conn, commune, id)?;
    let lines = lines(conn, id)?;
    if lines.is_empty() {
        return Err(Refusal::new("budget.doc.empty").into());
    }
    // The compte administratif states what happened, surplus or deficit: it need not
    // balance.
    if doc.kind != Kind::CompteAdministratif {
        let errors = balance::check(nomenclature::of(commune.country), &amounts(&lines));
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
    }
    step(conn, commune, id, Status::Draft, Status::Proposed)?;
    audit_step(conn, commune, actor, "budget.propose", id, json!({})).map_err(Into::into)
}

fn step(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    from: Status,
    to: Status,
) -> DomainResult<()> {
    let moved = diesel::update(
        d::table
            .filter(d::id.eq(id))
            .filter(d::commune_id.eq(commune.id))
            .filter(d::status.eq(from)),
    )
    .set(d::status.eq(to))
    .execute(conn)?;
    if moved == 0 {
        return Err(Refusal::new("budget.doc.wrong_step").into());
    }
    Ok(())
}

/// The council's vote, as the deliberation records it.
#[derive(Debug, Clone)]
pub struct Vote {
    pub on: NaiveDate,
    pub deliberation: String,
    pub votes_for: i64,
    pub against: i64,
    pub abstentions: i64,
}

/// Records the council's vote on a proposed document: adopted when more voted for than
/// against (a rejected budget goes back to draft).
pub fn record_vote(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    vote: &Vote,
    actor: &Actor,
) -> DomainResult<Status> {
    communes::lock(conn, commune.id)?;
    let doc = get(conn, commune.id, id)?;
    if doc.status != Status::Proposed {
        return Err(Refusal::new("budget.doc.wrong_step").into());
    }
    let mut errors = Vec::new();
    if vote.on > commune.today() {
        errors.push(Refusal::new("budget.vote.future").on("on"));
    }
    if !(1..=60).contains(&vote.deliberation.trim().chars().count()) {
        errors.push(Refusal::new("budget.vote.deliberation").on("deliberation"));
    }
    if [vote.votes_for, vote.against, vote.abstentions]
        .iter()
        .any(|v| *v < 0)
    {
        errors.push(Refusal::new("budget.vote.counts").on("votes_for"));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let adopted = vote.votes_for > vote.against;
    let to = if adopted {
        Status::Voted
    } else {
        Status::Draft
    };
    diesel::update(d::table.find(id))
        .set((
            d::status.eq(to),
            d::voted_on.eq(Some(vote.on)),
            d::deliberation.eq(Some(vote.deliberation.trim())),
            d::votes_for.eq(Some(vote.votes_for)),
            d::votes_against.eq(Some(vote.against)),
            d::abstentions.eq(Some(vote.abstentions)),
        ))
        .execute(conn)?;
    audit_step(
        conn,
        commune,
        actor,
        "budget.vote",
        id,
        json!({ "on": vote.on, "deliberation": vote.deliberation.trim(), "for": vote.votes_for,
                "against": vote.against, "abstentions": vote.abstentions, "adopted": adopted }),
    )?;
    Ok(to)
}

/// Records the tutelle's approval of a voted document.
pub fn approve(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    on: NaiveDate,
    reference: &str,
    actor: &Actor,
) -> DomainResult<()> {
    communes::lock(conn, commune.id)?;
    let doc = get(conn, commune.id, id)?;
    if doc.status != Status::Voted {
        return Err(Refusal::new("budget.doc.wrong_step").into());
    }
    if on > commune.today() || doc.voted_on.is_some_and(|v| on < v) {
        return Err(Refusal::new("budget.approve.date").on("on").into());
    }
    if !(1..=100).contains(&reference.trim().chars().count()) {
        return Err(Refusal::new("budget.approve.reference")
            .on("reference")
            .into());
    }
    step(conn, commune, id, Status::Voted, Status::Approved)?;
    diesel::update(d::table.find(id))
        .set((
            d::approved_on.eq(Some(on)),
            d::approval_ref.eq(Some(reference.trim())),
        ))
        .execute(conn)?;
    audit_step(
        conn,
        commune,
        actor,
        "budget.approve",
        id,
        json!({ "on": on, "reference": reference.trim() }),
    )
    .map_err(Into::into)
}

/// Publishes an approved document: its CSV is written once and kept, with its SHA-256
/// and the head of the audit chain after this step's own entry.
pub fn publish(
    conn: &mut DbConn,
    commune: &Commune,
    id: DocumentId,
    actor: &Actor,
) -> DomainResult<Document> {
    communes::lock(conn, commune.id)?;
    let doc = get(conn, commune.id, id)?;
    if doc.status != Status::Approved {
        return Err(Refusal::new("budget.doc.wrong_step").into());
    }
    let lines = lines(conn, id)?;
    let rows: Vec<opendata::Row<'_>> = lines
        .iter()
        .map(|l| opendata::Row {
            article: &l.article,
            label: &l.label,
            amount: l.amount,
            round: l.round_id.map(|r| r.0),
            project: l.project_id.map(|p| p.0),
        })
        .collect();
    let n = nomenclature::of(commune.country);
    let csv = opendata::csv(n, doc.fiscal_year, doc.id.0, doc.kind.as_str(), &rows)
        .map_err(|e| DomainError::Db(diesel::result::Error::SerializationError(e.into())))?;
    let sha = hex::encode(Sha256::digest(csv.as_bytes()));
    audit_step(
        conn,
        commune,
        actor,
        "budget.publish",
        id,
        json!({ "sha256": sha }),
    )?;
    let (seq, head) = communes::journal_head(conn, commune.id)?;
    diesel::update(d::table.find(id))
        .set((
            d::status.eq(Status::Published),
            d::published_at.eq(Some(crate::db::now())),
            d::published_csv.eq(Some(&csv)),
            d::csv_sha256.eq(Some(&sha)),
            d::audit_seq.eq(Some(seq)),
            d::audit_head.eq(Some(&head)),
        ))
        .execute(conn)?;
    Ok(get(conn, commune.id, id)?)
}

/// The totals of a document's lines, section by section.
pub fn totals(commune: &Commune, lines: &[Line]) -> balance::Totals {
    balance::totals(nomenclature::of(commune.country), &amounts(lines))
}

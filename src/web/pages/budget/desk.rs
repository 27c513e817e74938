//! The budget desk: the commune's documents, and each document's page where a finance
//! officer drafts it (articles by chapter, the participatory winners, the balance
//! errors line by line) and proposes it, and where a councillor records the council's
//! vote, the tutelle's approval, and publishes it. Each step is one form; a refusal
//! comes back on the same page, beside its field or its line.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::accounts::{authz, Perm};
use crate::budget::balance;
use crate::budget::documents::{self, Document, Kind, Line, Status, Vote};
use crate::budget::nomenclature::{self, Direction, Section};
use crate::communes::Commune;
use crate::error::{AppError, AppResult, Refusal};
use crate::i18n::{Arg, Locale};
use crate::ids::{DocumentId, RoundId};
use crate::money::Xof;
use crate::participation::projects;
use crate::web::pages::{field_messages, with_status};
use crate::web::{AppState, Ctx};

/// The fields of the desk's forms, for the messages shown beside them.
const FIELDS: &[&str] = &[
    "year",
    "title",
    "kind",
    "round",
    "on",
    "deliberation",
    "votes_for",
    "against",
    "abstentions",
    "reference",
];

fn doc_path(commune: &Commune, id: DocumentId) -> String {
    format!("/{}/budgets/{id}", commune.slug)
}

/// Every refusal an error carries, field or not; other errors go on as they are.
fn refusals(e: AppError) -> Result<Vec<Refusal>, AppError> {
    match e {
        AppError::Invalid(list) => Ok(list),
        AppError::Refused(r) => Ok(vec![r]),
        other => Err(other),
    }
}

/// The article a balance error names, if any.
fn line_of(r: &Refusal) -> Option<String> {
    match r.get("line") {
        Some(Arg::Text(code)) => Some(code.clone()),
        _ => None,
    }
}

fn document_json(doc: &Document) -> Value {
    json!({
        "id": doc.id,
        "title": doc.title,
        "kind": doc.kind,
        "status": doc.status,
        "fiscal_year": doc.fiscal_year,
        "voted_on": doc.voted_on.map(|d| d.to_string()).unwrap_or_default(),
        "deliberation": doc.deliberation.clone().unwrap_or_default(),
        "votes_for": doc.votes_for.unwrap_or(0),
        "votes_against": doc.votes_against.unwrap_or(0),
        "abstentions": doc.abstentions.unwrap_or(0),
        "approved_on": doc.approved_on.map(|d| d.to_string()).unwrap_or_default(),
        "approval_ref": doc.approval_ref.clone().unwrap_or_default(),
        "csv_sha256": doc.csv_sha256.clone().unwrap_or_default(),
        "audit_head": doc.audit_head.clone().unwrap_or_default(),
        "audit_seq": doc.audit_seq.unwrap_or(0),
    })
}

/// `/{commune}/budgets`: every document, the latest year first, and the form for a new
/// one.
pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render_list(&state, &ctx, json!({}), &[], StatusCode::OK).await
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    form: Value,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let cid = commune.id;
    let docs = state
        .db(move |conn| Ok(documents::list(conn, cid)?))
        .await?;
    let next_year = chrono::Datelike::year(&commune.today()) as i64 + 1;
    let mut years: Vec<i64> = docs
        .iter()
        .filter(|d| matches!(d.status, Status::Approved | Status::Published))
        .map(|d| d.fiscal_year)
        .collect();
    years.dedup();
    let shown: Vec<Value> = docs.iter().map(document_json).collect();
    let get = |k: &str| {
        form.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let html = ctx.render_string(
        state,
        "pages/budget/desk",
        "desk.title",
        json!({
            "documents": shown,
            "executing": years,
            "can_draft": authz::allows(Perm::DraftBudget, &ctx.visitor.roles),
            "kinds": [Kind::Primitif, Kind::Supplementaire],
            "form": {
                "year": if get("year").is_empty() { next_year.to_string() } else { get("year") },
                "title": get("title"),
                "kind": if get("kind").is_empty() { "primitif".to_string() } else { get("kind") },
            },
            "errors": field_messages(FIELDS, errors, &state.catalog, ctx.locale),
        }),
    )?;
    Ok(with_status(status, html))
}

/// A new draft.
pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kind = Kind::parse(&get("kind")).ok_or(AppError::BadRequest("error.bad_request"))?;
    let year = get("year").parse::<i64>().unwrap_or(0);
    let (title, actor, c) = (get("title"), ctx.actor()?, commune.clone());
    let made = state
        .write(move |conn| documents::create(conn, &c, year, kind, &title, &actor))
        .await;
    match made {
        Ok(id) => Ok(ctx.redirect_with(&doc_path(&commune, id), "ok", "desk.created")),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let shown = serde_json::to_value(&form).unwrap_or_default();
            render_list(
                &state,
                &ctx,
                shown,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// What the document page needs from the database.
struct Loaded {
    doc: Document,
    lines: Vec<Line>,
    rounds: Vec<(RoundId, String, i64)>,
    statuses: HashMap<i64, projects::Status>,
}

async fn load(state: &AppState, commune: &Commune, id: DocumentId) -> AppResult<Loaded> {
    let cid = commune.id;
    state
        .db(move |conn| {
            let doc = documents::get(conn, cid, id)?;
            let lines = documents::lines(conn, id)?;
            let mut rounds: Vec<(RoundId, String, i64)> = Vec::new();
            let mut statuses = HashMap::new();
            for (p, round) in projects::of_commune(conn, cid)? {
                statuses.insert(p.id.0, p.status);
                if !rounds.iter().any(|(r, _, _)| *r == round.id) {
                    rounds.push((round.id, round.title.clone(), round.fiscal_year));
                }
            }
            Ok(Loaded {
                doc,
                lines,
                rounds,
                statuses,
            })
        })
        .await
}

/// The document's articles, section by section and chapter by chapter, each with its
/// typed amount, its project lines, and the balance errors that name it.
fn sections_json(
    commune: &Commune,
    loaded: &Loaded,
    flagged: &HashMap<String, Vec<String>>,
    typed: &HashMap<String, String>,
    locale: Locale,
) -> Vec<Value> {
    let n = nomenclature::of(commune.country);
    let loc = locale.as_str();
    let mut out = Vec::new();
    for section in [Section::Operating, Section::Capital] {
        let mut parts = Vec::new();
        for direction in [Direction::Revenue, Direction::Spending] {
            let mut chapters = Vec::new();
            for chapter in n
                .lines
                .iter()
                .filter(|c| c.is_chapter() && c.section == section && c.direction == direction)
            {
                let articles: Vec<Value> = n
                    .articles()
                    .filter(|a| a.direction == direction && a.code.starts_with(&chapter.code))
                    .map(|a| {
                        let mine = loaded.lines.iter().filter(|l| l.article == a.code);
                        let typed_amount: i64 = mine
                            .clone()
                            .filter(|l| l.project_id.is_none())
                            .map(|l| l.amount)
                            .sum();
                        let projects: Vec<Value> = mine
                            .filter(|l| l.project_id.is_some())
                            .map(|l| {
                                let status = l
                                    .project_id
                                    .and_then(|p| loaded.statuses.get(&p.0))
                                    .map(|s| s.as_str())
                                    .unwrap_or("");
                                json!({
                                    "label": l.label,
                                    "amount": Xof(l.amount).display(loc),
                                    "project": l.project_id,
                                    "round": l.round_id,
                                    "status": status,
                                })
                            })
                            .collect();
                        let field = format!("a-{}", a.code);
                        json!({
                            "code": a.code,
                            "name": a.name(loc),
                            "field": field,
                            "value": typed.get(&field).cloned()
                                .unwrap_or_else(|| if typed_amount > 0 { typed_amount.to_string() } else { String::new() }),
                            "shown": Xof(typed_amount).display(loc),
                            "transfer": a.transfer,
                            "projects": projects,
                            "errors": flagged.get(&a.code).cloned().unwrap_or_default(),
                        })
                    })
                    .collect();
                if !articles.is_empty() {
                    chapters.push(json!({
                        "code": chapter.code,
                        "name": chapter.name(loc),
                        "articles": articles,
                    }));
                }
            }
            parts.push(json!({ "direction": direction, "chapters": chapters }));
        }
        out.push(json!({ "section": section, "parts": parts }));
    }
    out
}

/// The steps of a document, each done, current or to come.
fn steps_json(status: Status) -> Vec<Value> {
    Status::ALL
        .iter()
        .map(|s| {
            let state = if *s < status {
                "done"
            } else if *s == status {
                "current"
            } else {
                ""
            };
            json!({ "key": s.as_str(), "state": state })
        })
        .collect()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    id: DocumentId,
    form: HashMap<String, String>,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let loaded = load(state, &commune, id).await?;
    let (doc, locale) = (&loaded.doc, ctx.locale);
    let n = nomenclature::of(commune.country);
    let amounts: Vec<(String, i64)> = loaded
        .lines
        .iter()
        .map(|l| (l.article.clone(), l.amount))
        .collect();
    let is_account = doc.kind == Kind::CompteAdministratif;
    // The balance as it stands: shown on every draft, so that the officer sees what to
    // fix before proposing.
    let balance_errors = if doc.status == Status::Draft && !is_account {
        balance::check(n, &amounts)
    } else {
        Vec::new()
    };
    let mut flagged: HashMap<String, Vec<String>> = HashMap::new();
    for r in balance_errors.iter().chain(errors) {
        if let Some(code) = line_of(r) {
            flagged
                .entry(code)
                .or_default()
                .push(r.message(&state.catalog, locale));
        }
    }
    let message = |r: &Refusal| json!({ "text": r.message(&state.catalog, locale), "line": line_of(r).unwrap_or_default() });
    let general: Vec<Value> = errors
        .iter()
        .filter(|r| r.field.is_none() || r.field == Some("amount"))
        .map(message)
        .collect();
    let t = documents::totals(&commune, &loaded.lines);
    let money = |v: i64| Xof(v).display(locale.as_str());
    let roles = &ctx.visitor.roles;
    let draft = doc.status == Status::Draft;
    let can_draft = authz::allows(Perm::DraftBudget, roles);
    let can_decide = authz::allows(Perm::DecideBudget, roles);
    let rounds: Vec<Value> = loaded
        .rounds
        .iter()
        .map(|(id, title, year)| json!({ "id": id, "title": title, "year": year }))
        .collect();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let today = commune.today().to_string();
    let html = ctx.render_string(
        state,
        "pages/budget/document",
        "desk.title",
        json!({
            "title": doc.title,
            "doc": document_json(doc),
            "is_account": is_account,
            "steps": steps_json(doc.status),
            "sections": sections_json(&commune, &loaded, &flagged, &form, locale),
            "totals": {
                "operating_revenue": money(t.operating_revenue),
                "operating_spending": money(t.operating_spending),
                "capital_revenue": money(t.capital_revenue),
                "capital_spending": money(t.capital_spending),
                "operating_ok": t.operating_revenue == t.operating_spending,
                "capital_ok": t.capital_revenue == t.capital_spending,
            },
            "balance": balance_errors.iter().map(message).collect::<Vec<_>>(),
            "general": general,
            "rounds": rounds,
            "can_edit": draft && can_draft && !is_account,
            "can_propose": draft && can_draft,
            "can_vote": doc.status == Status::Proposed && can_decide,
            "can_approve": doc.status == Status::Voted && can_decide,
            "can_publish": doc.status == Status::Approved && can_decide,
            "published": doc.status == Status::Published,
            "form": {
                "on": if get("on").is_empty() { today } else { get("on") },
                "deliberation": get("deliberation"),
                "votes_for": get("votes_for"),
                "against": get("against"),
                "abstentions": get("abstentions"),
                "reference": get("reference"),
            },
            "errors": field_messages(FIELDS, errors, &state.catalog, locale),
        }),
    )?;
    Ok(with_status(status, html))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = DocumentId(path.into_inner().1);
    render(&state, &ctx, id, HashMap::new(), &[], StatusCode::OK).await
}

/// Runs one step; on a refusal, the page comes back with the reasons and what was
/// typed.
async fn step<T, F>(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: DocumentId,
    form: HashMap<String, String>,
    done_key: &str,
    f: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut crate::db::DbConn, &Commune) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let commune = ctx.visitor.commune()?.clone();
    let c = commune.clone();
    match state.write(move |conn| f(conn, &c)).await {
        Ok(_) => Ok(ctx.redirect_with(&doc_path(&commune, id), "ok", done_key)),
        Err(e) => {
            let errors = refusals(e)?;
            render(
                &state,
                &ctx,
                id,
                form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The draft's articles, all at once (an empty field is zero).
pub async fn save_lines(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let id = DocumentId(path.into_inner().1);
    let n = nomenclature::of(ctx.visitor.commune()?.country);
    let mut amounts = Vec::new();
    let mut errors = Vec::new();
    for article in n.articles() {
        let Some(typed) = form.get(&format!("a-{}", article.code)) else {
            continue;
        };
        let typed = typed.trim();
        match if typed.is_empty() {
            Some(Xof(0))
        } else {
            Xof::parse(typed)
        } {
            Some(v) => amounts.push((article.code.clone(), v)),
            None => errors.push(
                Refusal::new("budget.balance.amount")
                    .arg("line", article.code.clone())
                    .on("amount"),
            ),
        }
    }
    if !errors.is_empty() {
        return render(
            &state,
            &ctx,
            id,
            form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let actor = ctx.actor()?;
    step(state, ctx, id, form, "desk.saved", move |conn, c| {
        Ok(documents::set_lines(conn, c, id, &amounts, &actor)?)
    })
    .await
}

/// A round's winners, brought in as capital lines.
pub async fn winners(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let id = DocumentId(path.into_inner().1);
    let round = form
        .get("round")
        .and_then(|r| r.parse::<i64>().ok())
        .map(RoundId)
        .ok_or(AppError::BadRequest("error.bad_request"))?;
    let actor = ctx.actor()?;
    step(
        state,
        ctx,
        id,
        form,
        "desk.winners_added",
        move |conn, c| Ok(documents::bring_winners(conn, c, id, round, &actor)?),
    )
    .await
}

pub async fn propose(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = DocumentId(path.into_inner().1);
    let actor = ctx.actor()?;
    step(
        state,
        ctx,
        id,
        HashMap::new(),
        "desk.proposed",
        move |conn, c| Ok(documents::propose(conn, c, id, &actor)?),
    )
    .await
}

fn count(form: &HashMap<String, String>, field: &'static str, errors: &mut Vec<Refusal>) -> i64 {
    let typed = form.get(field).map(|v| v.trim()).unwrap_or("");
    match typed.parse::<i64>() {
        Ok(v) if v >= 0 => v,
        _ => {
            errors.push(Refusal::new("budget.vote.counts").on(field));
            0
        }
    }
}

/// The council's vote.
pub async fn vote(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let id = DocumentId(path.into_inner().1);
    let mut errors = Vec::new();
    let on = crate::fields::date(form.get("on").map(|v| v.trim()).unwrap_or(""))
        .map_err(|r| errors.push(r.on("on")));
    let votes_for = count(&form, "votes_for", &mut errors);
    let against = count(&form, "against", &mut errors);
    let abstentions = count(&form, "abstentions", &mut errors);
    let (Ok(on), true) = (on, errors.is_empty()) else {
        return render(
            &state,
            &ctx,
            id,
            form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let vote = Vote {
        on,
        deliberation: form.get("deliberation").cloned().unwrap_or_default(),
        votes_for,
        against,
        abstentions,
    };
    let actor = ctx.actor()?;
    let adopted = votes_for > against;
    let key = if adopted {
        "desk.voted"
    } else {
        "desk.rejected"
    };
    step(state, ctx, id, form, key, move |conn, c| {
        Ok(documents::record_vote(conn, c, id, &vote, &actor)?)
    })
    .await
}

/// The tutelle's approval.
pub async fn approve(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let id = DocumentId(path.into_inner().1);
    let on = match crate::fields::date(form.get("on").map(|v| v.trim()).unwrap_or("")) {
        Ok(on) => on,
        Err(r) => {
            let errors = [r.on("on")];
            return render(
                &state,
                &ctx,
                id,
                form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let reference = form.get("reference").cloned().unwrap_or_default();
    let actor = ctx.actor()?;
    step(state, ctx, id, form, "desk.approved", move |conn, c| {
        Ok(documents::approve(conn, c, id, on, &reference, &actor)?)
    })
    .await
}

/// Publication: the document is frozen, the portal shows it at once, and the
/// budget's subscribers are told.
pub async fn publish(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = DocumentId(path.into_inner().1);
    let commune = ctx.visitor.commune()?.clone();
    let (actor, c) = (ctx.actor()?, commune.clone());
    let done = state
        .write(move |conn| {
            let doc = documents::publish(conn, &c, id, &actor)?;
            let to = crate::notify::subscriptions::recipients(
                conn,
                c.id,
                crate::notify::subscriptions::Topic::Budget,
                0,
            )?;
            Ok::<_, AppError>((doc, to))
        })
        .await;
    match done {
        Ok((doc, to)) => {
            super::follow::tell_subscribers(&state, &commune, &doc, to);
            Ok(ctx.redirect_with(&doc_path(&commune, id), "ok", "desk.published"))
        }
        Err(e) => {
            let errors = refusals(e)?;
            render(
                &state,
                &ctx,
                id,
                HashMap::new(),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

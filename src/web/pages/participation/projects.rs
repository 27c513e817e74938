//! The projects the citizens chose, followed until they are built: the commune's list,
//! each project's public page with its dated updates, the form an officer records an
//! update with, and the form anyone follows a project by e-mail with. A change of status
//! is mailed to the project's subscribers, each in their language.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::accounts::{authz, Perm};
use crate::error::{AppError, AppResult, Refusal};
use crate::i18n::Locale;
use crate::ids::ProjectId;
use crate::money::Xof;
use crate::notify::subscriptions::{self, Asked, Topic};
use crate::notify::Mail;
use crate::participation::projects::{self, NewUpdate, Project, Status};
use crate::participation::{rounds, Phase, Round};
use crate::web::pages::{field_messages, with_status};
use crate::web::{AppState, Ctx};

const FIELDS: &[&str] = &["on", "status", "progress", "spent", "note", "caption"];

/// A project as the pages show it, amounts in the round's currency.
pub fn project_json(p: &Project, round: &Round, locale: Locale) -> Value {
    let money = |v: i64| round.money(v, locale.as_str());
    let spent_bp = if p.budget > 0 {
        (i128::from(p.spent) * 10_000 / i128::from(p.budget)) as i64
    } else {
        0
    };
    json!({
        "id": p.id,
        "title": p.title,
        "status": p.status,
        "progress": p.progress,
        "budget": money(p.budget),
        "spent": money(p.spent),
        "spent_bp": spent_bp,
        "overrun": p.spent > p.budget,
        "abandoned_reason": p.abandoned_reason,
        "updated_on": p.updated_on,
        "round": { "id": round.id, "title": round.title, "fiscal_year": round.fiscal_year },
    })
}

/// `/{commune}/projects`: every project the citizens chose, by round.
pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (all, areas) = state
        .db(move |conn| {
            let all = projects::of_commune(conn, cid)?;
            let mut areas = HashMap::new();
            for (_, round) in &all {
                if let std::collections::hash_map::Entry::Vacant(e) = areas.entry(round.id) {
                    e.insert(rounds::areas(conn, round.id)?);
                }
            }
            Ok((all, areas))
        })
        .await?;
    let mut rounds: Vec<Value> = Vec::new();
    for (p, round) in &all {
        let mut shown = project_json(p, round, ctx.locale);
        shown["area"] = json!(areas
            .get(&round.id)
            .and_then(|a| a.iter().find(|a| a.id == p.area_id))
            .map(|a| a.name.clone()));
        match rounds.last_mut() {
            Some(last) if last["id"] == json!(round.id) => {
                if let Some(a) = last["projects"].as_array_mut() {
                    a.push(shown);
                }
            }
            _ => rounds.push(json!({
                "id": round.id, "title": round.title, "projects": [shown],
            })),
        }
    }
    let count = |s: Status| all.iter().filter(|(p, _)| p.status == s).count();
    ctx.render(
        &state,
        "pages/participation/projects",
        "project.list_title",
        json!({
            "rounds": rounds,
            "total": all.len(),
            "done": count(Status::Done),
            "under_way": count(Status::Tendering) + count(Status::Works),
        }),
    )
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    id: ProjectId,
    form: Value,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (p, round, updates, area) = state
        .db(move |conn| {
            let (p, round) = projects::get(conn, cid, id)?;
            let updates = projects::updates(conn, id)?;
            let area = rounds::areas(conn, round.id)?
                .into_iter()
                .find(|a| a.id == p.area_id);
            Ok((p, round, updates, area))
        })
        .await?;
    let money = |v: i64| round.money(v, ctx.locale.as_str());
    let updates: Vec<Value> = updates
        .iter()
        .map(|u| {
            json!({
                "on": u.on_date, "status": u.status, "progress": u.progress,
                "spent": money(u.spent), "note": u.note, "caption": u.caption,
            })
        })
        .collect();
    let can_update = round.phase == Phase::Implementation
        && !p.status.is_closed()
        && authz::allows(Perm::RunRounds, &ctx.visitor.roles);
    let statuses: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| **s == Status::Abandoned || **s >= p.status)
        .map(|s| s.as_str())
        .collect();
    let today = ctx.visitor.commune()?.today();
    // Every field the forms show, empty unless the visitor typed it.
    let mut shown: serde_json::Map<String, Value> = FIELDS
        .iter()
        .chain(&["email"])
        .map(|f| (f.to_string(), json!("")))
        .collect();
    if let Value::Object(typed) = form {
        shown.extend(typed);
    }
    let form = Value::Object(shown);
    let html = ctx.render_string(
        state,
        "pages/participation/project",
        "project.list_title",
        json!({
            "title": p.title,
            "project": project_json(&p, &round, ctx.locale),
            "area": area.map(|a| a.name),
            "proposal": p.proposal_id,
            "updates": updates,
            "can_update": can_update,
            "statuses": statuses,
            "form": form,
            "today": today,
            "selected": form["status"].as_str().filter(|s| !s.is_empty()).unwrap_or(p.status.as_str()),
            "spent_plain": p.spent,
            "errors": field_messages(FIELDS, errors, &state.catalog, ctx.locale),
            "general": errors.iter().find(|r| r.field.is_none())
                .map(|r| r.message(&state.catalog, ctx.locale)),
        }),
    )?;
    Ok(with_status(status, html))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = ProjectId(path.into_inner().1);
    render(&state, &ctx, id, json!({}), &[], StatusCode::OK).await
}

fn project_path(ctx: &Ctx, id: ProjectId) -> AppResult<String> {
    Ok(format!("/{}/projects/{id}", ctx.visitor.commune()?.slug))
}

fn parse_update(form: &HashMap<String, String>) -> AppResult<NewUpdate> {
    let get = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or_default();
    let mut errors = Vec::new();
    let on = crate::fields::date(get("on")).map_err(|r| errors.push(r.on("on")));
    let status = Status::parse(get("status")).ok_or(AppError::BadRequest("error.bad_request"))?;
    let progress = get("progress")
        .trim_end_matches('%')
        .trim()
        .parse::<i64>()
        .map_err(|_| errors.push(Refusal::new("project.error.progress").on("progress")));
    let spent = Xof::parse(get("spent"))
        .ok_or_else(|| errors.push(Refusal::new("project.error.spent").on("spent")));
    match (on, progress, spent) {
        (Ok(on), Ok(progress), Ok(spent)) if errors.is_empty() => Ok(NewUpdate {
            on,
            status,
            progress,
            spent,
            note: get("note").to_string(),
            caption: get("caption").to_string(),
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// An officer's update. A change of status is mailed to the project's subscribers once
/// the update is stored.
pub async fn update(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let id = ProjectId(path.into_inner().1);
    let actor = ctx.actor()?;
    let c = commune.clone();
    let recorded = match parse_update(&form) {
        Ok(new) => {
            state
                .write(move |conn| {
                    let recorded = projects::record(conn, &c, id, &new, &actor)?;
                    let (_, round) = projects::get(conn, c.id, id)?;
                    let to = match recorded.status_was {
                        Some(_) => subscriptions::recipients(conn, c.id, Topic::Project, id.0)?,
                        None => Vec::new(),
                    };
                    Ok::<_, AppError>((recorded, round, new, to))
                })
                .await
        }
        Err(e) => Err(e),
    };
    match recorded {
        Ok((recorded, round, new, to)) => {
            if let Some(was) = recorded.status_was {
                tell_subscribers(&state, &commune, &recorded.project, &round, was, &new, to);
            }
            Ok(ctx.redirect_with(&project_path(&ctx, id)?, "ok", "project.recorded"))
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            let shown = serde_json::to_value(&form).unwrap_or_default();
            render(
                &state,
                &ctx,
                id,
                shown,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// One mail per subscriber, in their language, sent after the answer.
fn tell_subscribers(
    state: &web::Data<AppState>,
    commune: &crate::communes::Commune,
    project: &Project,
    round: &Round,
    was: Status,
    new: &NewUpdate,
    to: Vec<subscriptions::Subscription>,
) {
    if to.is_empty() {
        return;
    }
    let link = format!(
        "{}/{}/projects/{}",
        state.base_url, commune.slug, project.id
    );
    let mails: Vec<Mail> = to
        .into_iter()
        .map(|sub| {
            let locale = sub.locale();
            Mail {
                template: "project_status",
                to: sub.email.clone(),
                locale,
                data: json!({
                    "commune": commune.name,
                    "project": project.title,
                    "from": state.catalog.t(locale, &format!("project.status_name.{was}")),
                    "to": state.catalog.t(locale, &format!("project.status_name.{}", project.status)),
                    "progress": project.progress,
                    "spent": round.money(project.spent, locale.as_str()),
                    "budget": round.money(project.budget, locale.as_str()),
                    "note": new.note,
                    "link": link,
                    "leave": format!("{}/{}/subscriptions/{}", state.base_url, commune.slug, sub.token),
                }),
            }
        })
        .collect();
    let state = state.clone();
    actix_web::rt::spawn(async move {
        for mail in mails {
            state.mailer.send_logged(&state.hb, &mail).await;
        }
    });
}

/// Anyone follows a project with an address; a link to confirm is mailed to it.
pub async fn subscribe(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = ProjectId(path.into_inner().1);
    let typed = form.get("email").map(String::as_str).unwrap_or("");
    let email = match crate::fields::email(typed) {
        Ok(e) => e,
        Err(r) => {
            let shown = json!({ "email": typed });
            return render(
                &state,
                &ctx,
                id,
                shown,
                &[r.on("email")],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    state.subscriptions.request(state.client_ip(&req), &email)?;
    let locale = ctx.locale;
    let (cid, to) = (commune.id, email.clone());
    let (asked, project) = state
        .write(move |conn| {
            let (project, _) = projects::get(conn, cid, id)?;
            let asked = subscriptions::ask(conn, cid, Topic::Project, id.0, &to, locale)?;
            Ok::<_, AppError>((asked, project))
        })
        .await?;
    if let Asked::Confirm(token) = asked {
        crate::web::pages::subscriptions::mail_confirmation(
            &state,
            &commune,
            email,
            locale,
            &token,
            Some(&project.title),
        );
    }
    Ok(ctx.redirect_with(&project_path(&ctx, id)?, "ok", "subscription.check_mail"))
}

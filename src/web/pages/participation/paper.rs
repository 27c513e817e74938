//! `GET|POST /{commune}/rounds/{round}/paper`: the paper ballots of assemblies and
//! polling stations, typed in twice by two people, their states, the resolution of a
//! mismatch, and the signing-in of the people who vote on paper.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{AppError, AppResult};
use crate::ids::{AreaId, RoundId};
use crate::participation::hands::{self, Assembly};
use crate::participation::paper::{self, State};
use crate::participation::{election, rounds, sms, Phase};
use crate::web::pages::{form_id, with_status};
use crate::web::{AppState, Ctx};

async fn render(
    state: &AppState,
    ctx: &Ctx,
    id: RoundId,
    message: Value,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (round, areas, papers, on_ballot, hands) = state
        .db(move |conn| {
            let areas = rounds::areas(conn, id)?;
            let mut on_ballot = Vec::new();
            for a in &areas {
                on_ballot.push(election::on_ballot(conn, a)?);
            }
            Ok((
                rounds::get(conn, cid, id)?,
                areas,
                paper::list(conn, id)?,
                on_ballot,
                hands::of_round(conn, id)?,
            ))
        })
        .await?;
    // Shows of hands, area by area: the form (one number per project), and the
    // assemblies already entered with their hands.
    let show_of_hands: Vec<Value> = areas
        .iter()
        .zip(&on_ballot)
        .map(|(a, projects)| {
            let mut assemblies: Vec<(String, i64)> = Vec::new();
            for (_, name, _, votes) in hands.iter().filter(|h| h.0 == a.id) {
                match assemblies.last_mut() {
                    Some((n, total)) if n == name => *total += votes,
                    _ => assemblies.push((name.clone(), *votes)),
                }
            }
            json!({
                "id": a.id, "name": a.name,
                "projects": projects.iter().map(|p| json!({ "code": p.code, "title": p.title })).collect::<Vec<_>>(),
                "assemblies": assemblies.iter().map(|(n, t)| json!({ "name": n, "hands": t })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let name = |a: AreaId| areas.iter().find(|x| x.id == a).map(|x| x.name.clone());
    let papers: Vec<Value> = papers
        .iter()
        .map(|p| {
            json!({ "number": p.number, "area": name(p.area), "area_id": p.area,
                         "state": p.state, "entries": p.entries,
                         "mismatch": p.state == State::Mismatch })
        })
        .collect();
    let html = ctx.render_string(
        state,
        "pages/participation/paper",
        "paper.title",
        json!({
            "round": { "id": round.id, "title": round.title, "phase": round.phase,
                       "points": round.vote_type().has_points() },
            "areas": areas.iter().map(|a| json!({ "id": a.id, "name": a.name })).collect::<Vec<_>>(),
            "papers": papers,
            "hands": show_of_hands,
            "hands_allowed": hands::allowed(&round).is_ok() && round.phase == Phase::Vote,
            "message": message,
        }),
    )?;
    Ok(with_status(status, html))
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    render(
        &state,
        &ctx,
        RoundId(path.into_inner().1),
        Value::Null,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct EntryForm {
    number: String,
    area: String,
    /// The projects' numbers as on the paper, `3 7 12` (points: `3:5 7:5`).
    choices: String,
    #[serde(default)]
    resolve: String,
}

pub async fn enter(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<EntryForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = RoundId(path.into_inner().1);
    let actor = ctx.actor()?;
    let form = form.into_inner();
    let area = AreaId(form_id(&form.area)?);
    // The same grammar as a vote by SMS, without its first two words.
    let choice = sms::parse(&format!("VOTE {id} {}", form.choices))
        .map(|v| v.choice)
        .map_err(|_| {
            AppError::Refused(crate::error::Refusal::new("paper.choices_error").on("choices"))
        });
    let resolve = !form.resolve.is_empty();
    let number = form.number.clone();
    let result = match choice {
        Ok(choice) => {
            state
                .write(move |conn| {
                    paper::enter(conn, &commune, id, area, &number, &choice, resolve, &actor)
                })
                .await
        }
        Err(e) => Err(e),
    };
    let (message, status) = match result {
        Ok(s) => (
            json!({ "kind": "ok", "key": format!("paper.state.{}", state_key(s)), "number": form.number }),
            StatusCode::OK,
        ),
        Err(AppError::Refused(r)) => (
            json!({ "kind": "error", "text": r.message(&state.catalog, ctx.locale) }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e),
    };
    render(&state, &ctx, id, message, status).await
}

fn state_key(s: State) -> &'static str {
    match s {
        State::Once => "once",
        State::Matched => "matched",
        State::Mismatch => "mismatch",
        State::Resolved => "resolved",
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    who: String,
}

pub async fn sign_in(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<SignInForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = RoundId(path.into_inner().1);
    let who = form.into_inner().who;
    let result = state
        .write(move |conn| paper::sign_in(conn, &commune, id, &who))
        .await;
    let (message, status) = match result {
        Ok(name) => (
            json!({ "kind": "ok", "key": "paper.signed_in", "name": name }),
            StatusCode::OK,
        ),
        Err(AppError::Refused(r)) => (
            json!({ "kind": "error", "text": r.message(&state.catalog, ctx.locale) }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e),
    };
    render(&state, &ctx, id, message, status).await
}

/// An assembly's show of hands: its name, its area, and the hands for each project
/// (`hands_<code>`; an empty field is none).
pub async fn hands(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = RoundId(path.into_inner().1);
    let actor = ctx.actor()?;
    let field = |k: &str| {
        form.iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut counts = Vec::new();
    for (k, v) in form.iter() {
        let Some(code) = k.strip_prefix("hands_") else {
            continue;
        };
        let v = v.trim();
        let n = if v.is_empty() {
            0
        } else {
            v.parse::<i64>().unwrap_or(-1)
        };
        counts.push((code.to_string(), n));
    }
    let new = Assembly {
        area: AreaId(form_id(&field("area"))?),
        name: field("assembly"),
        hands: counts,
    };
    let name = new.name.clone();
    let result = state
        .write(move |conn| hands::enter(conn, &commune, id, &new, &actor))
        .await;
    let (message, status) = match result {
        Ok(()) => (
            json!({ "kind": "ok", "key": "hands.recorded", "name": name }),
            StatusCode::OK,
        ),
        Err(e) => {
            let text = e
                .into_field_errors()
                .or_else(|e| match e {
                    AppError::Refused(r) => Ok(vec![r]),
                    other => Err(other),
                })?
                .iter()
                .map(|r| r.message(&state.catalog, ctx.locale))
                .collect::<Vec<_>>()
                .join(" ");
            (
                json!({ "kind": "error", "text": text }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    render(&state, &ctx, id, message, status).await
}

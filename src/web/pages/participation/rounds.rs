//! `GET /{commune}/rounds`, `/{commune}/rounds/{round}` (the round: phases, rules and
//! results), `/{commune}/rounds/{round}/ballots/{area}.pb` (the anonymised ballots) and
//! `GET /api/v1/{commune}/rounds/{round}/results`.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::view;
use crate::accounts::{authz, Perm};
use crate::error::{AppError, AppResult};
use crate::ids::{AreaId, RoundId};
use crate::participation::{pbfile, projects, results, rounds, Phase};
use crate::web::guard::Visitor;
use crate::web::{AppState, Ctx};

/// Whether the visitor runs the commune's rounds (a councillor or an admin).
fn can_run(ctx: &Ctx) -> bool {
    authz::allows(Perm::RunRounds, &ctx.visitor.roles)
}

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let list = state.db(move |conn| Ok(rounds::list(conn, cid)?)).await?;
    let items: Vec<_> = list
        .iter()
        .map(|r| view::round_json(r, ctx.locale))
        .collect();
    ctx.render(
        &state,
        "pages/participation/rounds",
        "round.list_title",
        json!({ "rounds": items, "can_run": can_run(&ctx) }),
    )
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let id = RoundId(path.into_inner().1);
    let (round, areas, phases, counted, built) = state
        .db(move |conn| {
            let round = rounds::get(conn, cid, id)?;
            let areas = rounds::areas(conn, id)?;
            let phases = rounds::phases(conn, id)?;
            let counted = results::published(conn, &round)?;
            let built = projects::of_round(conn, id)?;
            Ok((round, areas, phases, counted, built))
        })
        .await?;
    let built: Vec<_> = built
        .iter()
        .map(|p| {
            let mut shown = super::projects::project_json(p, &round, ctx.locale);
            shown["area"] = json!(areas.iter().find(|a| a.id == p.area_id).map(|a| &a.name));
            shown
        })
        .collect();
    let shown_areas: Vec<_> = areas
        .iter()
        .map(|a| {
            let c = counted.iter().find(|c| c.area == a.id);
            view::area_json(&round, a, c, &state.catalog, ctx.locale)
        })
        .collect();
    ctx.render(
        &state,
        "pages/participation/round",
        "round.list_title",
        json!({
            "title": round.title,
            "round": view::round_json(&round, ctx.locale),
            "phases": view::phases_json(&round, &phases),
            "areas": shown_areas,
            "projects": built,
            "can_run": can_run(&ctx) && round.source.is_none() && round.phase.next().is_some(),
        }),
    )
}

/// The anonymised ballots of one area, once the vote is closed.
pub async fn ballots_file(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (_, round, area) = path.into_inner();
    let cid = commune.id;
    let (round, text) = state
        .db(move |conn| {
            let round = rounds::get(conn, cid, RoundId(round))?;
            if round.phase < Phase::Results {
                return Err(AppError::NotFound);
            }
            let text =
                crate::db::snapshot(conn, |conn| pbfile::export(conn, &round, AreaId(area)))?;
            Ok((round, text))
        })
        .await?;
    let name = format!("{}-round-{}-{area}.pb", commune.slug, round.id);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(text))
}

pub async fn results_json(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let cid = visitor.commune()?.id;
    let id = RoundId(path.into_inner().1);
    let (round, areas, counted) = state
        .db(move |conn| {
            let round = rounds::get(conn, cid, id)?;
            if round.phase < Phase::Results {
                return Err(AppError::NotFound);
            }
            let counted = results::published(conn, &round)?;
            Ok((round, rounds::areas(conn, id)?, counted))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view::results_api(&round, &areas, &counted)))
}

//! Proposals: the list (filtered by area and category, searched), a proposal's public
//! page with what each role may do there (support, review, merge, hide), and the form
//! a citizen submits.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::{authz, Perm};
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::{AreaId, ProposalId, RoundId};
use crate::money::Xof;
use crate::participation::proposals::{self, Category, Filter, NewProposal};
use crate::participation::review::{self, Verdict};
use crate::participation::{projects, rounds, Area, Phase, ProposalStatus, Round};
use crate::web::pages::{field_messages, form_id, with_status};
use crate::web::{AppState, Ctx};

const FIELDS: &[&str] = &[
    "area",
    "title",
    "description",
    "category",
    "place",
    "estimated_cost",
];

fn area_name(round: &Round, area: &Area, ctx: &Ctx, state: &AppState) -> String {
    if area.district_id.is_none() && round.source.is_none() {
        ctx.t(state, "round.whole_commune")
    } else {
        area.name.clone()
    }
}

fn areas_json(round: &Round, areas: &[Area], ctx: &Ctx, state: &AppState) -> Vec<Value> {
    areas
        .iter()
        .map(|a| json!({ "id": a.id, "name": area_name(round, a, ctx, state) }))
        .collect()
}

#[derive(Deserialize)]
pub struct ListQuery {
    area: Option<String>,
    category: Option<String>,
    q: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let id = RoundId(path.into_inner().1);
    let q = query.into_inner();
    let area = match q.area.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(AreaId(form_id(v)?)),
        None => None,
    };
    let category = match q
        .category
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(v) => Some(Category::parse(v).ok_or(AppError::BadRequest("error.bad_request"))?),
        None => None,
    };
    let filter = Filter {
        area,
        category,
        text: q.q.unwrap_or_default(),
    };
    let text = filter.text.clone();
    let (round, areas, rows) = state
        .db(move |conn| {
            let round = rounds::get(conn, cid, id)?;
            let areas = rounds::areas(conn, id)?;
            let rows = proposals::list(conn, id, &filter)?;
            Ok((round, areas, rows))
        })
        .await?;
    let names: HashMap<AreaId, String> = areas
        .iter()
        .map(|a| (a.id, area_name(&round, a, &ctx, &state)))
        .collect();
    let items: Vec<Value> = rows
        .iter()
        .map(|l| {
            let p = &l.proposal;
            json!({
                "id": p.id, "code": p.code, "title": p.title, "status": p.status,
                "category": p.category, "area": names.get(&p.area_id),
                "cost": round.money(p.cost.unwrap_or(p.estimated_cost), ctx.locale.as_str()),
                "hidden": p.hidden_reason, "supports": l.supports,
            })
        })
        .collect();
    let can_propose = round.phase == Phase::Proposals
        && round.source.is_none()
        && authz::allows(Perm::Participate, &ctx.visitor.roles);
    ctx.render(
        &state,
        "pages/participation/proposals",
        "proposal.list_title",
        json!({
            "round": { "id": round.id, "title": round.title, "supports": round.supports },
            "proposals": items,
            "areas": areas_json(&round, &areas, &ctx, &state),
            "categories": Category::ALL,
            "query": { "area": area, "category": category, "q": text },
            "can_propose": can_propose,
        }),
    )
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (_, round, proposal) = path.into_inner();
    let (round, proposal) = (RoundId(round), ProposalId(proposal));
    let user = ctx.visitor.user.as_ref().map(|u| u.id);
    let (round, areas, p, authors, (supports, mine), others, project) = state
        .db(move |conn| {
            let round = rounds::get(conn, cid, round)?;
            let p = proposals::get(conn, round.id, proposal)?;
            let areas = rounds::areas(conn, round.id)?;
            let authors = proposals::authors(conn, p.id)?;
            let supports = proposals::supports(conn, p.id, user)?;
            let same_area = Filter {
                area: Some(p.area_id),
                ..Filter::default()
            };
            let others = proposals::list(conn, round.id, &same_area)?;
            let project = projects::of_proposal(conn, p.id)?.map(|p| p.id);
            Ok((round, areas, p, authors, supports, others, project))
        })
        .await?;
    let roles = &ctx.visitor.roles;
    let area = areas.iter().find(|a| a.id == p.area_id);
    let merge_targets: Vec<Value> = others
        .iter()
        .map(|l| &l.proposal)
        .filter(|o| o.id != p.id && o.status != ProposalStatus::Merged && o.hidden_reason.is_none())
        .map(|o| json!({ "id": o.id, "code": o.code, "title": o.title }))
        .collect();
    let open = p.status != ProposalStatus::Merged && p.hidden_reason.is_none();
    let money = |v: i64| round.money(v, ctx.locale.as_str());
    ctx.render(
        &state,
        "pages/participation/proposal",
        "proposal.list_title",
        json!({
            "title": if p.hidden_reason.is_some() { ctx.t(&state, "proposal.hidden_title") } else { p.title.clone() },
            "round": { "id": round.id, "title": round.title, "supports": round.supports },
            "proposal": {
                "id": p.id, "code": p.code, "description": p.description, "place": p.place,
                "category": p.category, "status": p.status,
                "estimated_cost": money(p.estimated_cost), "cost": p.cost.map(money),
                "review_note": p.review_note, "hidden": p.hidden_reason,
                "merged_into": p.merged_into, "created_at": p.created_at,
                "area": area.map(|a| area_name(&round, a, &ctx, &state)),
            },
            "authors": authors,
            "project": project,
            "supports": supports,
            "supported": mine,
            "can_support": open && round.supports && round.phase == Phase::Proposals
                && authz::allows(Perm::Participate, roles) && !mine,
            "can_review": open && round.phase == Phase::Review && authz::allows(Perm::Review, roles),
            "can_hide": p.hidden_reason.is_none() && round.phase < Phase::Vote
                && authz::allows(Perm::RunRounds, roles),
            "merge_targets": merge_targets,
        }),
    )
}

fn proposal_path(ctx: &Ctx, round: i64, proposal: i64) -> AppResult<String> {
    Ok(format!(
        "/{}/rounds/{round}/proposals/{proposal}",
        ctx.visitor.commune()?.slug
    ))
}

pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let form: HashMap<String, String> = [("category".to_string(), "water".to_string())].into();
    render_new(
        &state,
        &ctx,
        RoundId(path.into_inner().1),
        &form,
        &[],
        StatusCode::OK,
    )
    .await
}

async fn render_new(
    state: &AppState,
    ctx: &Ctx,
    id: RoundId,
    form: &HashMap<String, String>,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (round, areas) = state
        .db(move |conn| Ok((rounds::get(conn, cid, id)?, rounds::areas(conn, id)?)))
        .await?;
    let value = |k: &str| json!(form.get(k).map(|v| v.trim()).unwrap_or(""));
    let html = ctx.render_string(
        state,
        "pages/participation/proposal_new",
        "proposal.new_title",
        json!({
            "round": { "id": round.id, "title": round.title, "phase": round.phase,
                       "limit": round.max_proposal_cost.map(|c| round.money(c, ctx.locale.as_str())) },
            "open": round.phase == Phase::Proposals,
            "areas": areas_json(&round, &areas, ctx, state),
            "categories": Category::ALL,
            "form": { "area": value("area"), "title": value("title"), "description": value("description"),
                      "category": value("category"), "place": value("place"), "estimated_cost": value("estimated_cost") },
            "errors": field_messages(FIELDS, errors, &state.catalog, ctx.locale),
        }),
    )?;
    Ok(with_status(status, html))
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let round = path.into_inner().1;
    let user = ctx.visitor.user()?.id;
    let actor = ctx.actor()?;
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let parsed = (|| -> AppResult<NewProposal> {
        let area = AreaId(form_id(&get("area")).map_err(|_| {
            AppError::Invalid(vec![Refusal::new("proposal.error.area").on("area")])
        })?);
        let category =
            Category::parse(&get("category")).ok_or(AppError::BadRequest("error.bad_request"))?;
        let estimated_cost = Xof::parse(&get("estimated_cost")).ok_or_else(|| {
            AppError::Invalid(vec![
                Refusal::new("proposal.error.cost").on("estimated_cost")
            ])
        })?;
        Ok(NewProposal {
            area,
            title: get("title"),
            description: get("description"),
            category,
            place: get("place"),
            estimated_cost,
        })
    })();
    let c = commune.clone();
    let created = match parsed {
        Ok(new) => {
            state
                .write(move |conn| proposals::submit(conn, &c, RoundId(round), user, &new, &actor))
                .await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(id) => Ok(ctx.redirect_with(
            &proposal_path(&ctx, round, id.0)?,
            "ok",
            "proposal.submitted",
        )),
        Err(e) => {
            let errors = e.into_field_errors()?;
            render_new(
                &state,
                &ctx,
                RoundId(round),
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn support(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (_, round, id) = path.into_inner();
    let user = ctx.visitor.user()?.id;
    state
        .write(move |conn| proposals::support(conn, &commune, RoundId(round), ProposalId(id), user))
        .await?;
    Ok(ctx.redirect_with(&proposal_path(&ctx, round, id)?, "ok", "proposal.supported"))
}

#[derive(Deserialize)]
pub struct ReviewForm {
    verdict: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    note: String,
}

pub async fn review(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
    form: web::Form<ReviewForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (_, round, id) = path.into_inner();
    let actor = ctx.actor()?;
    let form = form.into_inner();
    let verdict = match form.verdict.as_str() {
        "feasible" => Verdict::Feasible {
            cost: Xof::parse(&form.cost)
                .ok_or_else(|| AppError::Refused(Refusal::new("review.cost").on("cost")))?,
        },
        "unfeasible" => Verdict::Unfeasible,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    state
        .write(move |conn| {
            review::review(
                conn,
                &commune,
                RoundId(round),
                ProposalId(id),
                &verdict,
                &form.note,
                &actor,
            )
        })
        .await?;
    Ok(ctx.redirect_with(&proposal_path(&ctx, round, id)?, "ok", "review.recorded"))
}

#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

pub async fn merge(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
    form: web::Form<MergeForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (_, round, id) = path.into_inner();
    let into = ProposalId(form_id(&form.into)?);
    let actor = ctx.actor()?;
    state
        .write(move |conn| {
            review::merge(conn, &commune, RoundId(round), ProposalId(id), into, &actor)
        })
        .await?;
    Ok(ctx.redirect_with(&proposal_path(&ctx, round, into.0)?, "ok", "review.merged"))
}

#[derive(Deserialize)]
pub struct HideForm {
    reason: String,
}

pub async fn hide(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64, i64)>,
    form: web::Form<HideForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (_, round, id) = path.into_inner();
    let actor = ctx.actor()?;
    let reason = form.into_inner().reason;
    state
        .write(move |conn| {
            review::hide(
                conn,
                &commune,
                RoundId(round),
                ProposalId(id),
                &reason,
                &actor,
            )
        })
        .await?;
    Ok(ctx.redirect_with(&proposal_path(&ctx, round, id)?, "ok", "review.hidden"))
}

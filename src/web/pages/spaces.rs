//! Each role's home page in a commune, and the member's home that links them.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::accounts::Role;
use crate::communes;
use crate::error::AppResult;
use crate::web::{AppState, Ctx};

async fn render_space(state: web::Data<AppState>, ctx: Ctx, role: Role) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    let figures = state
        .db(move |conn| Ok(communes::figures(conn, id)?))
        .await?;
    let key = |part: &str| format!("space.{}.{part}", role.as_str());
    // The budget desk, from the spaces of those who work on the budget (the treasurer's
    // space has its own page).
    let links: Vec<serde_json::Value> = match role {
        Role::Councillor => vec![json!({
            "href": format!("/{}/budgets", ctx.visitor.commune()?.slug),
            "key": "desk.title",
            "intro": "desk.intro",
        })],
        _ => Vec::new(),
    };
    ctx.render(
        &state,
        "pages/spaces/role",
        &key("title"),
        json!({
            "role": role.as_str(),
            "intro_key": key("intro"),
            "duties_key": key("duties"),
            "figures": figures,
            "links": links,
        }),
    )
}

/// A member's home in a commune: a card per space; one who holds a single role goes
/// straight to that role's space.
pub async fn home(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?;
    if let [role] = ctx.visitor.roles.as_slice() {
        let to = format!("/{}/{}", commune.slug, role.home_path());
        return Ok(crate::web::ctx::redirect(&to));
    }
    ctx.render(&state, "pages/spaces/home", "home.title", json!({}))
}

/// The treasurer's space shows their work: the day's receipts and the cash-ups to validate.
pub async fn treasury(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<super::revenue::treasury::DayQuery>,
) -> AppResult<HttpResponse> {
    super::revenue::treasury::home(state, ctx, q).await
}

pub async fn council(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render_space(state, ctx, Role::Councillor).await
}

pub async fn review(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render_space(state, ctx, Role::Reviewer).await
}

pub async fn citizen(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render_space(state, ctx, Role::Citizen).await
}

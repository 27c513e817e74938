//! Each role's home page in a commune, and the member's home that links them.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde_json::json;

use crate::accounts::Role;
use crate::db::schema::{audit_log, districts, user_roles};
use crate::error::AppResult;
use crate::ids::CommuneId;
use crate::web::{AppState, Ctx};

/// Figures a role page shows about its commune.
fn figures(conn: &mut crate::db::DbConn, commune: CommuneId) -> AppResult<serde_json::Value> {
    let district_count: i64 = districts::table
        .filter(districts::commune_id.eq(commune))
        .count()
        .get_result(conn)?;
    let member_count: i64 = user_roles::table
        .filter(user_roles::commune_id.eq(commune))
        .select(diesel::dsl::count(user_roles::user_id).aggregate_distinct())
        .first(conn)?;
    let audit_count: i64 = audit_log::table
        .filter(audit_log::commune_id.eq(commune))
        .count()
        .get_result(conn)?;
    Ok(
        json!({ "districts": district_count, "members": member_count, "audit_entries": audit_count }),
    )
}

async fn render_space(state: web::Data<AppState>, ctx: Ctx, role: Role) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    let figures = state.db(move |conn| figures(conn, id)).await?;
    let key = |part: &str| format!("space.{}.{part}", role.as_str());
    ctx.render(
        &state,
        "pages/spaces/role",
        &key("title"),
        json!({
            "role": role.as_str(),
            "intro_key": key("intro"),
            "duties_key": key("duties"),
            "figures": figures,
        }),
    )
}

pub async fn home(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.render(&state, "pages/spaces/home", "home.title", json!({}))
}

pub async fn treasury(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render_space(state, ctx, Role::Treasurer).await
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

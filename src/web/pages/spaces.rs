//! Each role's home page in a commune, and the member's home that links them.

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde_json::json;

use super::revenue::collection;
use crate::accounts::{authz, Perm, Role};
use crate::communes;
use crate::error::AppResult;
use crate::revenue::stats;
use crate::web::{AppState, Ctx};

async fn render_space(state: web::Data<AppState>, ctx: Ctx, role: Role) -> AppResult<HttpResponse> {
    let id = ctx.visitor.commune()?.id;
    let figures = state
        .db(move |conn| Ok(communes::figures(conn, id)?))
        .await?;
    let key = |part: &str| format!("space.{}.{part}", role.as_str());
    // The budget desk, from the spaces of those who work on the budget (the treasurer's
    // space has its own page).
    let mut links: Vec<serde_json::Value> = match role {
        Role::Councillor => vec![json!({
            "href": format!("/{}/budgets", ctx.visitor.commune()?.slug),
            "key": "desk.title",
            "intro": "desk.intro",
        })],
        _ => Vec::new(),
    };
    // How well the commune collects, from the spaces of those who follow it.
    if authz::allows(Perm::FollowCollection, &[role]) {
        links.push(json!({
            "href": format!("/{}/finance/collection", ctx.visitor.commune()?.slug),
            "key": "collection.title",
            "intro": "collection.link_intro",
        }));
    }
    // The councillor's space: collected against assessed, by tax, this year.
    let collection = match role {
        Role::Councillor => {
            let commune = ctx.visitor.commune()?;
            let year = i64::from(commune.today().year());
            let rates = state
                .db(move |conn| Ok(stats::rates(conn, id, year)?))
                .await?;
            collection::summary(&state, ctx.locale, &commune.slug, year, &rates)
        }
        _ => serde_json::Value::Null,
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
            "collection": collection,
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

/// The citizen's space; with, when their account's e-mail is a taxpayer's in the
/// register, their own tax account (balance, lines, receipts) and the way to pay it by
/// mobile money. (Accounts carry no phone number, so the e-mail is what matches.)
pub async fn citizen(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    use crate::revenue::mobile::statement;
    let commune = ctx.visitor.commune()?.clone();
    let email = ctx.visitor.user()?.email.clone();
    let (c, day) = (commune.clone(), commune.today());
    let (figures, accounts) = state
        .db(move |conn| {
            let mut accounts = Vec::new();
            for t in statement::taxpayers_of(conn, &c, &email)? {
                accounts.push(statement::of(conn, &c, &t, day)?);
            }
            Ok((communes::figures(conn, c.id)?, accounts))
        })
        .await?;
    ctx.render(
        &state,
        "pages/spaces/citizen",
        "space.citizen.title",
        json!({
            "figures": figures,
            "accounts": accounts,
            "can_pay": !state.mobile.of(&commune.slug).is_empty(),
        }),
    )
}

//! A user's own account: their communes and roles, and a new password.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::check_pair;
use crate::accounts::{membership, password, tokens, users};
use crate::audit::Actor;
use crate::error::{AppError, AppResult, Refusal};
use crate::notify::Mail;
use crate::web::{session, AppState, Ctx};

pub async fn show_account(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render_account(&state, &ctx, None).await
}

async fn render_account(
    state: &AppState,
    ctx: &Ctx,
    error: Option<&str>,
) -> AppResult<HttpResponse> {
    let id = ctx.visitor.user()?.id;
    let memberships = state
        .db(move |conn| users::memberships(conn, id).map_err(AppError::from))
        .await?;
    // Where the user may make tokens for a phone, a link to their page.
    let memberships: Vec<_> = memberships
        .into_iter()
        .map(|m| {
            let tokens = tokens::may_hold(&m.roles);
            json!({ "slug": m.slug, "name": m.name, "roles": m.roles, "tokens": tokens })
        })
        .collect();
    let html = ctx.render_string(
        state,
        "pages/account/show",
        "account.title",
        json!({ "memberships": memberships, "error": error.map(|k| ctx.t(state, k)) }),
    )?;
    let status = if error.is_some() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

pub async fn change_password(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let me = ctx.visitor.user()?.clone();
    if let Err(key) = check_pair(&form.password, &form.confirm) {
        return render_account(&state, &ctx, Some(key)).await;
    }
    // Guessing the current password from a stolen session is limited like a login.
    let ip = state.password_attempt(&req, &me.email)?;
    let id = me.id;
    let user = state
        .db(move |conn| users::by_id(conn, id).map_err(AppError::from))
        .await?;
    let (current, stored, new) = (form.current, user.password_hash.clone(), form.password);
    // The new password is hashed only when the current one is right; a failure to
    // hash is an internal error, never a "wrong password".
    let hash = web::block(move || {
        password::verify(&current, &stored)
            .then(|| password::hash(&new))
            .transpose()
    })
    .await?
    .map_err(AppError::Internal)?;
    let Some(hash) = hash else {
        return render_account(&state, &ctx, Some("password.wrong_current")).await;
    };
    state.throttle.succeeded(ip, &me.email);
    let email = me.email.clone();
    let generation = state
        .write(move |conn| {
            users::set_password(conn, id, &hash, "account_page", &Actor::user(id, &email))
        })
        .await?;
    // Every session ends (the generation moved on); this one goes on, in the new one.
    let remember = session::current(&ctx.session).is_some_and(|l| l.remember);
    session::login(&ctx.session, id, generation, remember);
    let mail = Mail {
        template: "password_changed",
        to: me.email.clone(),
        locale: ctx.locale,
        data: json!({ "name": me.name, "link": format!("{}/password/forgot", state.base_url) }),
    };
    state.mailer.send_logged(&state.hb, &mail).await;
    Ok(ctx.redirect_with("/account", "ok", "password.changed"))
}

/// An invitation mailed to an existing account: who invites it, into which role and
/// commune, and the button to accept.
pub async fn invitation(
    state: web::Data<AppState>,
    ctx: Ctx,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let t = token.clone();
    let found = state
        .db(move |conn| Ok(membership::invitation(conn, &t)?))
        .await?
        .ok_or_else(|| Refusal::new("invitation.invalid"))?;
    ctx.render(
        &state,
        "pages/account/invitation",
        "invitation.title",
        json!({ "invitation": found, "token": token }),
    )
}

pub async fn accept_invitation(
    state: web::Data<AppState>,
    ctx: Ctx,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let accepted = state
        .write(move |conn| membership::accept(conn, &token))
        .await?;
    let to = format!("/{}/home", accepted.commune_slug);
    Ok(ctx.redirect_with(&to, "ok", "invitation.accepted"))
}

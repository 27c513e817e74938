//! A user's own account: their communes and roles, and a new password.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::check_pair;
use crate::accounts::{password, users};
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
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
    let (ok, hash) = web::block(move || {
        let ok = password::verify(&current, &stored);
        (ok, if ok { password::hash(&new).ok() } else { None })
    })
    .await?;
    let Some(hash) = hash.filter(|_| ok) else {
        return render_account(&state, &ctx, Some("password.wrong_current")).await;
    };
    state.throttle.succeeded(ip, &me.email);
    let (h, email) = (hash.clone(), me.email.clone());
    state
        .write(move |conn| {
            users::set_password(conn, id, &h, "account_page", &Actor::user(id, &email))?;
            Ok(())
        })
        .await?;
    // Other sessions end (their password fingerprint no longer matches); this one goes on.
    session::login(&ctx.session, id, &hash);
    let mail = Mail {
        template: "password_changed",
        to: me.email.clone(),
        locale: ctx.locale,
        data: json!({ "name": me.name, "link": format!("{}/password/forgot", state.base_url) }),
    };
    state.mailer.send_logged(&state.hb, &mail).await;
    Ok(ctx.redirect_with("/account", "ok", "password.changed"))
}

//! Logging in and out, and setting a forgotten password through a mailed link.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{password, resets, users};
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
use crate::notify::Mail;
use crate::web::ctx::{redirect, safe_next};
use crate::web::{session, AppState, Ctx};

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    render_login(&state, &ctx, q.next.as_deref().unwrap_or(""), "", None)
}

fn render_login(
    state: &AppState,
    ctx: &Ctx,
    next: &str,
    email: &str,
    error: Option<&str>,
) -> AppResult<HttpResponse> {
    let html = ctx.render_string(
        state,
        "pages/auth/login",
        "login.title",
        json!({ "next": next, "email": email, "error": error.map(|k| ctx.t(state, k)) }),
    )?;
    let status = if error.is_some() {
        actix_web::http::StatusCode::UNAUTHORIZED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
    /// "Remember me": the cookie outlives the browser session (12 hours at most).
    #[serde(default)]
    remember: String,
}

/// Unknown account and wrong password get the same answer, after the same work.
pub async fn login(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let ip = state.password_attempt(&req, &form.email)?;
    let email = form.email.clone();
    let user = state
        .db(move |conn| users::by_email(conn, &email).map_err(AppError::from))
        .await?;
    let pw = form.password.clone();
    let stored = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = web::block(move || password::verify(&pw, &stored)).await?
        && user.as_ref().is_some_and(|u| !u.disabled);
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(%ip, "failed login");
        return render_login(&state, &ctx, &form.next, &form.email, Some("login.failed"));
    };
    state.throttle.succeeded(ip, &form.email);
    let remember = !form.remember.is_empty();
    session::login(&ctx.session, user.id, user.session_generation, remember);
    tracing::info!(user = user.id.0, "login");
    let next = if form.next.is_empty() {
        landing(&state, user.id).await?
    } else {
        safe_next(Some(&form.next))
    };
    Ok(redirect(&next))
}

/// Where a user lands after login: the space of their one role in their one commune,
/// their commune's home (a card per space) when they hold several roles there, and
/// their account page (their communes) otherwise.
async fn landing(state: &AppState, user: crate::ids::UserId) -> AppResult<String> {
    let memberships = state
        .db(move |conn| users::memberships(conn, user).map_err(AppError::from))
        .await?;
    Ok(match memberships.as_slice() {
        [only] => match only.roles.as_slice() {
            [role] => format!("/{}/{}", only.slug, role.home_path()),
            _ => format!("/{}/home", only.slug),
        },
        _ => "/account".to_string(),
    })
}

/// Ends every session of the user, not only this one: a copy of the cookie dies too.
pub async fn logout(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let id = ctx.visitor.user()?.id;
    state
        .write(move |conn| users::end_sessions(conn, id))
        .await?;
    ctx.session.purge();
    Ok(redirect("/"))
}

pub async fn forgot_form(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.render(
        &state,
        "pages/auth/forgot",
        "forgot.title",
        json!({ "sent": false }),
    )
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// Always answers "if the account exists, a link was sent": for an unknown address, a
/// disabled account, or one that had its mails for the hour, nothing is sent.
pub async fn forgot(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<ForgotForm>,
) -> AppResult<HttpResponse> {
    // Each request stays counted against the address, never against a login.
    state.reset_request(&req, &form.email)?;
    let email = form.email.clone();
    let limits = state.clone();
    let issued = state
        .write(move |conn| resets::request(conn, &email, |account| limits.resets.may_mail(account)))
        .await?;
    if let Some((user, token)) = issued {
        let mail = Mail {
            template: "password_reset",
            to: user.email.clone(),
            locale: ctx.locale,
            data: json!({
                "name": user.name,
                "link": format!("{}/password/reset/{token}", state.base_url),
            }),
        };
        // Sent after the answer, so that its time tells nothing about the address.
        let state = state.clone();
        actix_web::rt::spawn(async move { state.mailer.send_logged(&state.hb, &mail).await });
    }
    ctx.render(
        &state,
        "pages/auth/forgot",
        "forgot.title",
        json!({ "sent": true }),
    )
}

pub async fn reset_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let ip = state.reset_link_attempt(&req)?;
    let t = token.into_inner();
    let check = t.clone();
    let valid = state
        .db(move |conn| resets::check(conn, &check).map_err(AppError::from))
        .await?;
    if valid.is_none() {
        return Err(AppError::BadRequest("reset.invalid"));
    }
    state.resets.link_worked(ip);
    ctx.render(
        &state,
        "pages/auth/reset",
        "reset.title",
        json!({ "token": t, "error": null }),
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    confirm: String,
}

/// The address's limit and the link are checked first: a password is hashed (which
/// costs the server) only for a link that works.
pub async fn reset(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> AppResult<HttpResponse> {
    let ip = state.reset_link_attempt(&req)?;
    let token = token.into_inner();
    let check = token.clone();
    state
        .db(move |conn| resets::check(conn, &check).map_err(AppError::from))
        .await?
        .ok_or(AppError::BadRequest("reset.invalid"))?;
    let form = form.into_inner();
    if let Err(key) = check_pair(&form.password, &form.confirm) {
        let html = ctx.render_string(
            &state,
            "pages/auth/reset",
            "reset.title",
            json!({ "token": token, "error": ctx.t(&state, key) }),
        )?;
        return Ok(HttpResponse::UnprocessableEntity()
            .content_type("text/html; charset=utf-8")
            .body(html));
    }
    let pw = form.password;
    let hash = web::block(move || password::hash(&pw))
        .await?
        .map_err(AppError::Internal)?;
    let email = state
        .write(move |conn| -> AppResult<_> {
            let user = resets::check(conn, &token)?.ok_or(AppError::BadRequest("reset.invalid"))?;
            let u = users::by_id(conn, user)?;
            users::set_password(
                conn,
                user,
                &hash,
                "reset_link",
                &Actor::user(user, &u.email),
            )?;
            resets::consume(conn, user)?;
            Ok(u.email)
        })
        .await?;
    // The owner proved who they are: their reset mails and login failures are forgotten.
    state.resets.succeeded(ip, &email);
    state.throttle.forget_account(&email);
    Ok(ctx.redirect_with("/login", "ok", "reset.done"))
}

/// A new password and its confirmation: an i18n key when refused.
pub fn check_pair(password: &str, confirm: &str) -> Result<(), &'static str> {
    password::check_new(password)?;
    if password != confirm {
        return Err("password.mismatch");
    }
    Ok(())
}

//! The page a subscription's link opens: it says what the address follows, and offers
//! to confirm or to leave. Both are forms, so that a mail client that opens links by
//! itself confirms nothing.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::ids::ProjectId;
use crate::notify::subscriptions::{self, Subscription, Topic};
use crate::participation::projects;
use crate::web::{AppState, Ctx};

fn path_of(ctx: &Ctx, token: &str) -> AppResult<String> {
    Ok(format!(
        "/{}/subscriptions/{token}",
        ctx.visitor.commune()?.slug
    ))
}

/// What the subscription follows, in words, and where it is.
fn subject(conn: &mut crate::db::DbConn, sub: &Subscription) -> AppResult<(String, String)> {
    match sub.topic {
        Topic::Project => {
            let (p, _) = projects::get(conn, sub.commune_id, ProjectId(sub.subject))?;
            Ok((p.title, format!("projects/{}", p.id)))
        }
        Topic::Budget => Ok((String::new(), "budget".into())),
    }
}

async fn find(
    state: &AppState,
    req: &HttpRequest,
    ctx: &Ctx,
    token: String,
) -> AppResult<(Subscription, String, String)> {
    let ip = state.client_ip(req);
    state.subscriptions.attempt(ip)?;
    let cid = ctx.visitor.commune()?.id;
    let found = state
        .db(move |conn| {
            let Some(sub) = subscriptions::find(conn, cid, &token)? else {
                return Err(AppError::NotFound);
            };
            let (title, link) = subject(conn, &sub)?;
            Ok((sub, title, link))
        })
        .await?;
    state.subscriptions.link_worked(ip);
    Ok(found)
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (sub, title, link) = find(&state, &req, &ctx, path.into_inner().1).await?;
    ctx.render(
        &state,
        "pages/subscription",
        "subscription.title",
        json!({
            "topic": sub.topic,
            "subject": title,
            "link": link,
            "email": sub.email,
            "confirmed": sub.confirmed_at.is_some(),
            "token": sub.token,
        }),
    )
}

#[derive(Deserialize)]
pub struct Choice {
    action: String,
}

pub async fn act(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Choice>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let (sub, _, link) = find(&state, &req, &ctx, token.clone()).await?;
    let slug = ctx.visitor.commune()?.slug.clone();
    match form.action.as_str() {
        "confirm" => {
            state
                .write(move |conn| subscriptions::confirm(conn, &sub))
                .await?;
            Ok(ctx.redirect_with(&path_of(&ctx, &token)?, "ok", "subscription.confirmed"))
        }
        "cancel" => {
            state
                .write(move |conn| subscriptions::cancel(conn, &sub))
                .await?;
            Ok(ctx.redirect_with(&format!("/{slug}/{link}"), "ok", "subscription.cancelled"))
        }
        _ => Err(AppError::BadRequest("error.bad_request")),
    }
}

/// Mails the link that confirms a subscription, after the answer: to follow a project
/// (`project` its title) or, with none, the commune's budget.
pub fn mail_confirmation(
    state: &web::Data<AppState>,
    commune: &crate::communes::Commune,
    email: String,
    locale: crate::i18n::Locale,
    token: &str,
    project: Option<&str>,
) {
    let mail = crate::notify::Mail {
        template: "subscription_confirm",
        to: email,
        locale,
        data: json!({
            "commune": commune.name,
            "project": project.unwrap_or(""),
            "budget": project.is_none(),
            "link": format!("{}/{}/subscriptions/{token}", state.base_url, commune.slug),
        }),
    };
    let state = state.clone();
    actix_web::rt::spawn(async move { state.mailer.send_logged(&state.hb, &mail).await });
}

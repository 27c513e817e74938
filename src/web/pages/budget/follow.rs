//! Following the commune's budget by e-mail: anyone leaves an address on the portal, a
//! link to confirm is mailed to it, and each publication is then mailed, in the
//! subscriber's language, with the published file's SHA-256 and a link to leave.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::budget::documents::Document;
use crate::communes::Commune;
use crate::error::{AppError, AppResult};
use crate::notify::subscriptions::{self, Asked, Subscription, Topic};
use crate::notify::Mail;
use crate::web::{AppState, Ctx};

/// The subject of the commune's one budget subscription.
pub const SUBJECT: i64 = 0;

/// Anyone asks to hear of each publication; a link to confirm is mailed first.
pub async fn subscribe(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let back = format!("/{}/budget#follow", commune.slug);
    let typed = form.get("email").map(String::as_str).unwrap_or("");
    let Ok(email) = crate::fields::email(typed) else {
        return Ok(ctx.redirect_with(&back, "error", "desk.follow_bad_email"));
    };
    state.subscriptions.request(state.client_ip(&req), &email)?;
    let (cid, to, locale) = (commune.id, email.clone(), ctx.locale);
    let asked = state
        .write(move |conn| {
            subscriptions::ask(conn, cid, Topic::Budget, SUBJECT, &to, locale)
                .map_err(AppError::from)
        })
        .await?;
    if let Asked::Confirm(token) = asked {
        crate::web::pages::subscriptions::mail_confirmation(
            &state, &commune, email, locale, &token, None,
        );
    }
    Ok(ctx.redirect_with(&back, "ok", "subscription.check_mail"))
}

/// One mail per confirmed subscriber, sent after the answer.
pub fn tell_subscribers(
    state: &web::Data<AppState>,
    commune: &Commune,
    doc: &Document,
    to: Vec<Subscription>,
) {
    if to.is_empty() {
        return;
    }
    let link = format!(
        "{}/{}/budget/{}",
        state.base_url, commune.slug, doc.fiscal_year
    );
    let mails: Vec<Mail> = to
        .into_iter()
        .map(|sub| {
            let locale = sub.locale();
            Mail {
                template: "budget_published",
                to: sub.email.clone(),
                locale,
                data: json!({
                    "commune": commune.name,
                    "title": doc.title,
                    "year": doc.fiscal_year,
                    "kind": state.catalog.t(locale, &format!("budget.kind.{}", doc.kind)),
                    "sha256": doc.csv_sha256.clone().unwrap_or_default(),
                    "link": link,
                    "leave": format!("{}/{}/subscriptions/{}", state.base_url, commune.slug, sub.token),
                }),
            }
        })
        .collect();
    let state = state.clone();
    actix_web::rt::spawn(async move {
        for mail in mails {
            state.mailer.send_logged(&state.hb, &mail).await;
        }
    });
}

//! `/{commune}/tokens`: a collector's (or an administrator's) own API tokens, for their
//! phone: the list, a new one (its secret shown once, on the answer to the form, never
//! stored nor put in a cookie), and revoking one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::{form_id, with_status};
use crate::accounts::tokens::{self, Created};
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::ApiTokenId;
use crate::web::{AppState, Ctx};

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    render(&state, &ctx, Value::Null, None, StatusCode::OK).await
}

/// The page: the holder's tokens, the one just made (`created`), or the form's refusal.
async fn render(
    state: &AppState,
    ctx: &Ctx,
    created: Value,
    error: Option<Refusal>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.id;
    let user = ctx.visitor.user()?.id;
    let list = state
        .db(move |conn| Ok(tokens::list(conn, commune, Some(user))?))
        .await?;
    let error = error.map(|r| r.message(&state.catalog, ctx.locale));
    let html = ctx.render_string(
        state,
        "pages/tokens/list",
        "token.title",
        json!({
            "tokens": list, "created": created, "error": error,
            "openapi": format!("{}/api/v1/openapi.json", state.base_url),
        }),
    )?;
    Ok(with_status(status, html))
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    label: String,
}

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<NewTokenForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.id;
    let user = ctx.visitor.user()?.id;
    let actor = ctx.actor()?;
    let label = form.into_inner().label;
    let made = state
        .write(move |conn| tokens::create(conn, commune, user, &label, &actor))
        .await;
    match made {
        Ok(Created { id, secret }) => {
            let created = json!({ "id": id, "secret": secret });
            render(&state, &ctx, created, None, StatusCode::OK).await
        }
        Err(AppError::Refused(r)) => {
            render(
                &state,
                &ctx,
                Value::Null,
                Some(r),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = ApiTokenId(form_id(&path.1)?);
    let commune = ctx.visitor.commune()?.clone();
    let user = ctx.visitor.user()?.id;
    let actor = ctx.actor()?;
    let to = format!("/{}/tokens", commune.slug);
    state
        .write(move |conn| tokens::revoke(conn, commune.id, Some(user), id, &actor))
        .await?;
    Ok(ctx.redirect_with(&to, "ok", "token.revoked"))
}

//! Health check, the stylesheet, and the language switch.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::web::ctx::{redirect, safe_next};
use crate::web::guard::Visitor;
use crate::web::templates::StaticFiles;
use crate::web::{AppState, Locale};

/// 200 only when the database answers.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    // A probe must answer quickly: wait two seconds for a connection, not ten.
    let answered = web::block(move || -> AppResult<()> {
        let mut conn = pool.get_timeout(std::time::Duration::from_secs(2))?;
        conn.batch_execute("SELECT 1").map_err(AppError::from)
    })
    .await
    .map_err(AppError::from)
    .and_then(|r| r);
    match answered {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": "down" }))
        }
    }
}

pub async fn static_file(file: web::Path<String>) -> AppResult<HttpResponse> {
    let name = file.into_inner();
    let asset = StaticFiles::get(&name).ok_or(AppError::NotFound)?;
    let mime = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(asset.data.into_owned()))
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `/lang/en?next=/dakar-plateau`: a plain link, so it works without JavaScript.
pub async fn switch_language(
    state: web::Data<AppState>,
    locale: web::Path<String>,
    query: web::Query<Next>,
    visitor: web::ReqData<Visitor>,
) -> AppResult<HttpResponse> {
    let locale = Locale::parse(&locale).ok_or(AppError::NotFound)?;
    if let Some(user) = &visitor.user {
        let id = user.id;
        state
            .db(move |conn| {
                crate::accounts::users::set_locale(conn, id, locale.as_str())
                    .map_err(AppError::from)
            })
            .await?;
    }
    let mut res = redirect(&safe_next(query.next.as_deref()));
    let cookie = Cookie::build("lang", locale.as_str())
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    res.add_cookie(&cookie)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

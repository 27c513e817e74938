//! Error responses, rendered once for the whole site: an HTML page in the visitor's
//! language (403, 404, 429, 500…), JSON under `/api/`, and a redirect to the login
//! page when a page needs a logged-in user.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest, HttpResponse};
use serde_json::json;

use super::ctx::{commune_json, locale_of, redirect};
use super::guard::Visitor;
use super::AppState;
use crate::error::{ErrorInfo, Refusal};

pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Middleware below answer errors as responses (`req.error_response`), so that
    // they arrive here with their request.
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if status.as_u16() < 400 {
        return Ok(res);
    }
    let info = res.response().extensions().get::<ErrorInfo>().cloned();
    let info = match info {
        Some(info) => info,
        // Errors raised by actix itself (a malformed form, a body too large…) come as
        // plain text; our own pages and JSON are left alone.
        None if is_plain(&res) => info_for(status),
        None => return Ok(res),
    };
    let (req, res) = res.into_parts();
    let replaced = render(&req, &res, status, &info);
    Ok(ServiceResponse::new(req, replaced))
}

fn is_plain(res: &ServiceResponse) -> bool {
    match res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
    {
        None => true,
        Some(ct) => ct.starts_with("text/plain"),
    }
}

fn info_for(status: StatusCode) -> ErrorInfo {
    let (code, key) = match status.as_u16() {
        400 | 422 => ("bad_request", "error.bad_request"),
        401 => ("unauthenticated", "error.unauthenticated"),
        403 => ("forbidden", "error.forbidden"),
        404 | 405 => ("not_found", "error.not_found"),
        413 => ("too_large", "error.too_large"),
        429 => ("rate_limited", "error.rate_limited"),
        _ => ("internal", "error.internal"),
    };
    ErrorInfo {
        code,
        message: Refusal::new(key),
    }
}

fn render(
    req: &HttpRequest,
    original: &HttpResponse,
    status: StatusCode,
    info: &ErrorInfo,
) -> HttpResponse {
    let state = req.app_data::<web::Data<AppState>>();
    let visitor = req.extensions().get::<Visitor>().cloned();
    let locale = locale_of(req, visitor.as_ref());
    let message = state
        .map(|s| info.message.message(&s.catalog, locale))
        .unwrap_or_default();
    let mut builder = HttpResponse::build(if status == StatusCode::METHOD_NOT_ALLOWED {
        StatusCode::NOT_FOUND
    } else {
        status
    });
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = original.headers().get(&name) {
            builder.insert_header((name, v.clone()));
        }
    }
    if req.path().starts_with("/api/") {
        return builder.json(json!({
            "error": { "status": status.as_u16(), "code": info.code, "message": message }
        }));
    }
    if info.code == "unauthenticated" {
        let next = match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        let to = format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        return redirect(&to);
    }
    let Some(state) = state else {
        return builder
            .content_type("text/plain; charset=utf-8")
            .body(message);
    };
    // The logout button carries the session's token, masked, as on every other page.
    let csrf = req
        .get_session()
        .get::<String>("csrf")
        .ok()
        .flatten()
        .map(|t| super::csrf::mask(&t))
        .unwrap_or_default();
    let page = json!({
        "lang": locale.as_str(),
        "other_lang": if locale.as_str() == "fr" { "en" } else { "fr" },
        "title": message,
        "path": req.path(),
        "csrf": csrf,
        "user": visitor.as_ref().and_then(|v| v.user.clone()),
        "commune": visitor.as_ref().and_then(|v| v.commune.as_ref()).map(commune_json),
        "roles": [],
        "spaces": [],
        "flash": null,
        "status": status.as_u16(),
        "code": info.code,
        "message": message,
    });
    match state.hb.render("pages/error", &page) {
        Ok(html) => builder.content_type("text/html; charset=utf-8").body(html),
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            builder
                .content_type("text/plain; charset=utf-8")
                .body(message)
        }
    }
}

//! Headers every answer carries: what browsers may do with the page (no sniffing, no
//! framing, a strict content policy), HTTPS only when the site is served over HTTPS,
//! and no caching of anything seen while logged in.

use actix_session::SessionExt;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::Error;

use super::session;

/// How long browsers keep to HTTPS once told (a year).
pub const HSTS: &str = "max-age=31536000";

/// The headers of every answer; `Strict-Transport-Security` when the base URL is https.
pub fn defaults(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ));
    if https {
        headers.add(("Strict-Transport-Security", HSTS))
    } else {
        headers
    }
}

/// Inside the session middleware: an answer to a logged-in visitor (before or after the
/// request: a login, a logout) is `Cache-Control: no-store`, so that neither the browser
/// nor a proxy keeps a receipt, the register or an account page once they have left.
/// The stylesheet is the same for everyone and stays cacheable.
pub async fn private_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let logged_in = session::current(&req.get_session()).is_some();
    let is_static = req.path().starts_with("/static/");
    let mut res = next.call(req).await?;
    let logged_in = logged_in || session::current(&res.request().get_session()).is_some();
    if logged_in && !is_static {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

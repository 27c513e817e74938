//! CSRF protection for every state-changing request outside `/api/`.
//!
//! The token is the session's (see [`super::session::csrf_token`]); a form sends it as
//! the field `_csrf`, a multipart upload in the query string, a script in the
//! `X-CSRF-Token` header. A missing or wrong token is a 403, before any handler runs.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::Error;
use actix_web::HttpMessage;
use futures_util::StreamExt;

use crate::error::AppError;

/// Larger url-encoded bodies are refused (uploads use multipart).
const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !req.path().starts_with("/api/") {
        let expected = req.get_session().get::<String>("csrf").ok().flatten();
        let given = match given_token(&req) {
            Some(t) => Some(t),
            None if is_form(&req) => {
                let body = match read_body(&mut req).await {
                    Ok(body) => body,
                    Err(e) => return Ok(req.error_response(e).map_into_right_body()),
                };
                let token = form_field(&body, "_csrf");
                req.set_payload(Payload::from(body));
                token
            }
            None => None,
        };
        match (expected, given) {
            (Some(e), Some(g)) if constant_time_eq(e.as_bytes(), g.as_bytes()) => {}
            _ => return Ok(req.error_response(AppError::Csrf).map_into_right_body()),
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn given_token(req: &ServiceRequest) -> Option<String> {
    if let Some(h) = req
        .headers()
        .get("X-CSRF-Token")
        .and_then(|h| h.to_str().ok())
    {
        return Some(h.to_string());
    }
    form_field(req.query_string().as_bytes(), "_csrf")
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, Error> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(actix_web::error::ErrorPayloadTooLarge("form too large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_an_encoded_form() {
        assert_eq!(
            form_field(b"a=1&_csrf=ab%2Bc&b=2", "_csrf").as_deref(),
            Some("ab+c")
        );
        assert_eq!(form_field(b"a=1", "_csrf"), None);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

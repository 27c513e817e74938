//! CSRF protection for every state-changing request a browser can be made to send with
//! its visitor's session cookie (see [`exempt`] for the few it does not apply to).
//!
//! The token is the session's (see [`super::session::csrf_token`]), and each page carries
//! it masked ([`mask`]): a fresh random pad, then the pad XOR the token. Every answer
//! thus holds a different string, and a compressed page that also reflects what the
//! visitor typed does not let an attacker guess the token byte by byte from its size
//! (BREACH). A form sends the masked token as the field `_csrf`, a multipart upload as
//! its first field `_csrf`, a script (from the `csrf-token` meta tag) in the
//! `X-CSRF-Token` header; never in the address, which logs and proxies keep. The check
//! unmasks it and compares it in constant time with the session's. A missing or wrong
//! token is a 403, before any handler runs.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::Error;
use actix_web::HttpMessage;
use futures_util::StreamExt;

use crate::error::AppError;

/// Larger url-encoded bodies are refused (uploads use multipart).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Of a multipart body, only the first part is read for the token, and no further
/// than this.
const MAX_FIRST_PART: usize = 4 * 1024;

pub async fn csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !exempt(&req) {
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
            None => match multipart_boundary(&req) {
                Some(boundary) => match read_first_part(&mut req, &boundary).await {
                    Ok(token) => token,
                    Err(e) => return Ok(req.error_response(e).map_into_right_body()),
                },
                None => None,
            },
        };
        let matches = match (expected, given.as_deref().and_then(unmask)) {
            (Some(e), Some(g)) => constant_time_eq(e.as_bytes(), &g),
            _ => false,
        };
        if !matches {
            return Ok(req.error_response(AppError::Csrf).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The requests the check does not apply to: under `/api/` only, those that carry an API
/// token (`Authorization: Bearer`, routes [`crate::accounts::Access::Bearer`]: a page of
/// another site cannot add that header to a request without a CORS permission Commune
/// never gives, and the token, not a cookie, is what they are judged on), and those that
/// carry no session cookie at all (the SMS gateway's and the payment providers' signed
/// messages): a forged request rides on the visitor's session cookie, so without one
/// there is nothing to forge. An `/api/` request with the session cookie and no token
/// is checked like any form.
fn exempt(req: &ServiceRequest) -> bool {
    req.path().starts_with("/api/")
        && (super::guard::bearer(req.request()).is_some()
            || req.cookie(super::session::COOKIE).is_none())
}

/// The token as a page carries it: a fresh random pad, then the pad XOR the token, in
/// URL-safe base64. Twice the same token gives two different strings.
pub fn mask(token: &str) -> String {
    use base64::Engine;
    use rand::RngCore;
    let token = token.as_bytes();
    let mut masked = vec![0u8; 2 * token.len()];
    let (pad, xored) = masked.split_at_mut(token.len());
    rand::thread_rng().fill_bytes(pad);
    for ((x, p), t) in xored.iter_mut().zip(pad.iter()).zip(token) {
        *x = p ^ t;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(masked)
}

/// The token a masked string carries, if it is one.
fn unmask(masked: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(masked)
        .ok()?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, xored) = bytes.split_at(bytes.len() / 2);
    Some(pad.iter().zip(xored).map(|(p, x)| p ^ x).collect())
}

fn given_token(req: &ServiceRequest) -> Option<String> {
    req.headers()
        .get("X-CSRF-Token")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
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

/// The boundary of a `multipart/form-data` body.
fn multipart_boundary(req: &ServiceRequest) -> Option<String> {
    let mime: mime::Mime = req
        .headers()
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    if mime.type_() != mime::MULTIPART || mime.subtype() != mime::FORM_DATA {
        return None;
    }
    mime.get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_string())
}

/// Reads the token from the first part of a multipart body (a field `_csrf`), reading
/// no further than that part and [`MAX_FIRST_PART`] bytes; then puts what it read back
/// in front of the rest, so that the handler reads the whole body unchanged.
async fn read_first_part(
    req: &mut ServiceRequest,
    boundary: &str,
) -> Result<Option<String>, Error> {
    let mut payload = req.take_payload();
    let mut head = BytesMut::new();
    let token = loop {
        match first_part(&head, boundary) {
            FirstPart::Token(t) => break Some(t),
            FirstPart::NotAToken => break None,
            FirstPart::Incomplete if head.len() >= MAX_FIRST_PART => break None,
            FirstPart::Incomplete => match payload.next().await {
                Some(chunk) => head.extend_from_slice(&chunk?),
                None => break None,
            },
        }
    };
    let head = head.freeze();
    let whole =
        futures_util::stream::once(async move { Ok::<Bytes, PayloadError>(head) }).chain(payload);
    req.set_payload(Payload::Stream {
        payload: Box::pin(whole),
    });
    Ok(token)
}

/// What the start of a multipart body says of the token.
#[derive(Debug, PartialEq, Eq)]
enum FirstPart {
    /// The first part is the field `_csrf`, with this value.
    Token(String),
    /// The first part is something else: there is no token.
    NotAToken,
    /// More bytes are needed to tell.
    Incomplete,
}

fn first_part(body: &[u8], boundary: &str) -> FirstPart {
    let opening = format!("--{boundary}\r\n");
    if body.len() < opening.len() {
        return if opening.as_bytes().starts_with(body) {
            FirstPart::Incomplete
        } else {
            FirstPart::NotAToken
        };
    }
    let Some(rest) = body.strip_prefix(opening.as_bytes()) else {
        return FirstPart::NotAToken;
    };
    let Some(end_of_headers) = memchr::memmem::find(rest, b"\r\n\r\n") else {
        return FirstPart::Incomplete;
    };
    if !names_the_token(&rest[..end_of_headers]) {
        return FirstPart::NotAToken;
    }
    let content = &rest[end_of_headers + 4..];
    let closing = format!("\r\n--{boundary}");
    let Some(end) = memchr::memmem::find(content, closing.as_bytes()) else {
        return FirstPart::Incomplete;
    };
    match std::str::from_utf8(&content[..end]) {
        Ok(token) => FirstPart::Token(token.to_string()),
        Err(_) => FirstPart::NotAToken,
    }
}

/// Whether a part's headers say `Content-Disposition: form-data; name="_csrf"` (and
/// not a file).
fn names_the_token(headers: &[u8]) -> bool {
    let Ok(headers) = std::str::from_utf8(headers) else {
        return false;
    };
    headers.split("\r\n").any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        if !name.trim().eq_ignore_ascii_case("content-disposition") {
            return false;
        }
        let mut params = value.split(';').map(str::trim);
        params
            .next()
            .is_some_and(|kind| kind.eq_ignore_ascii_case("form-data"))
            && params
                .clone()
                .any(|p| p == "name=\"_csrf\"" || p == "name=_csrf")
            && !params.any(|p| p.to_ascii_lowercase().starts_with("filename"))
    })
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

    const START: &str = "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok3n";

    #[test]
    fn the_token_is_read_from_the_first_part_of_a_multipart_body() {
        let body = format!("{START}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nroll\r\n--XyZ--\r\n");
        assert_eq!(
            first_part(body.as_bytes(), "XyZ"),
            FirstPart::Token("tok3n".into())
        );
        // Cut anywhere before the end of the value: more is needed.
        for cut in 0..START.len() + 2 {
            assert_eq!(
                first_part(&body.as_bytes()[..cut], "XyZ"),
                FirstPart::Incomplete,
                "{cut}"
            );
        }
    }

    #[test]
    fn a_multipart_body_whose_first_part_is_not_the_token_has_none() {
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nroll\r\n--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok3n\r\n--XyZ--\r\n";
        assert_eq!(first_part(other.as_bytes(), "XyZ"), FirstPart::NotAToken);
        let file = "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"; filename=\"a.csv\"\r\n\r\ntok3n\r\n--XyZ--\r\n";
        assert_eq!(first_part(file.as_bytes(), "XyZ"), FirstPart::NotAToken);
        assert_eq!(first_part(b"garbage", "XyZ"), FirstPart::NotAToken);
        let other_boundary = START.replace("XyZ", "Abc");
        assert_eq!(
            first_part(other_boundary.as_bytes(), "XyZ"),
            FirstPart::NotAToken
        );
    }

    #[test]
    fn a_masked_token_differs_each_time_and_unmasks_to_the_token() {
        let token = "d709810a60e5dd857e23f1482555370bfe24267a0c0a6f81";
        let (a, b) = (mask(token), mask(token));
        assert_ne!(a, b);
        assert!(!a.contains(token));
        assert_eq!(unmask(&a).unwrap(), token.as_bytes());
        assert_eq!(unmask(&b).unwrap(), token.as_bytes());
        // The token itself, or anything else, is not a masked token.
        assert_ne!(unmask(token).as_deref(), Some(token.as_bytes()));
        assert_eq!(unmask("forged!"), None);
        assert_eq!(unmask(""), None);
    }

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

//! Structured logs with `tracing`: readable text by default, JSON for log collectors.
//! The level comes from `RUST_LOG` (default `info`).
//!
//! Each request is logged once it is answered (`answered`, with its status and the time
//! it took), and every line logged while it is served names it ([`RedactedSpans`]): its
//! method, route and target, with the secrets a URL can carry taken out
//! ([`redacted_target`]): the token of a reset link or an invitation, and any `_csrf`
//! query parameter. Handlebars, which logs every value it renders at the debug level,
//! stays at info unless `RUST_LOG` names it.

use std::borrow::Cow;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // At the debug level handlebars logs every value it renders, a reset link's token
    // among them: it stays at info unless RUST_LOG names it.
    let names_handlebars = std::env::var("RUST_LOG").is_ok_and(|v| v.contains("handlebars"));
    let filter = if names_handlebars {
        filter
    } else {
        filter.add_directive("handlebars=info".parse().expect("a valid directive"))
    };
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// What a secret is replaced with in the logs.
pub const REDACTED: &str = "[redacted]";

/// Paths whose next segment is a secret: whoever reads it can use it.
const SECRET_SEGMENT_AFTER: [&str; 3] = ["/password/reset/", "/invitations/", "/subscriptions/"];

/// The request's target (`path?query`) as the logs may show it: the token segment of a
/// reset link, an invitation or a subscription is `[redacted]`, a `_csrf` query parameter is dropped,
/// a `code` parameter (a voter's receipt code, which would tie an address to a ballot)
/// is `[redacted]`, and a `next` parameter (a path to go back to) is redacted the same
/// way.
pub fn redacted_target(path: &str, query: &str) -> String {
    let mut target = redact_path(path).into_owned();
    let kept: Vec<Cow<str>> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (name, value) = url::form_urlencoded::parse(pair.as_bytes())
                .next()
                .unwrap_or_default();
            match name.as_ref() {
                "_csrf" => None,
                "code" => Some(Cow::Owned(format!("code={REDACTED}"))),
                "next" => {
                    let (path, query) = value.split_once('?').unwrap_or((&value, ""));
                    let next = redacted_target(path, query);
                    let encoded: String =
                        url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                    Some(Cow::Owned(format!("next={encoded}")))
                }
                _ => Some(Cow::Borrowed(pair)),
            }
        })
        .collect();
    if !kept.is_empty() {
        target.push('?');
        target.push_str(&kept.join("&"));
    }
    target
}

fn redact_path(path: &str) -> Cow<'_, str> {
    for marker in SECRET_SEGMENT_AFTER {
        let Some(at) = path.find(marker) else {
            continue;
        };
        let (head, rest) = path.split_at(at + marker.len());
        if !rest.is_empty() {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return Cow::Owned(format!("{head}{REDACTED}{tail}"));
        }
    }
    Cow::Borrowed(path)
}

/// When the request arrived, for the time its answer took.
#[derive(Clone, Copy)]
struct Started(Instant);

/// The root span of each request: the fields of tracing-actix-web's default span, with
/// the target redacted ([`redacted_target`]).
pub struct RedactedSpans;

impl RootSpanBuilder for RedactedSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let target = redacted_target(request.path(), request.query_string());
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let method = request.method().as_str().to_string();
        let user_agent = request
            .headers()
            .get("User-Agent")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string();
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        request.extensions_mut().insert(Started(Instant::now()));
        let connection = request.connection_info();
        tracing::info_span!(
            "HTTP request",
            http.method = %method,
            http.route = %route,
            http.flavor = ?request.version(),
            http.scheme = %connection.scheme(),
            http.host = %connection.host(),
            http.client_ip = %connection.realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %target,
            http.status_code = Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = Empty,
            request_id = %request_id,
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    /// Records the status on the span, and logs one line for the request.
    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, ms) = match outcome {
            Ok(res) => (
                res.status().as_u16(),
                res.request()
                    .extensions()
                    .get::<Started>()
                    .map_or(0, |s| s.0.elapsed().as_millis()),
            ),
            Err(e) => (e.as_response_error().status_code().as_u16(), 0),
        };
        DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        tracing::info!(parent: &span, status, ms, "answered");
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_target;

    #[test]
    fn tokens_in_paths_and_queries_are_taken_out_of_the_logged_target() {
        assert_eq!(
            redacted_target("/password/reset/3f9a0c", ""),
            "/password/reset/[redacted]"
        );
        assert_eq!(
            redacted_target("/invitations/3f9a0c", "lang=fr"),
            "/invitations/[redacted]?lang=fr"
        );
        assert_eq!(
            redacted_target("/dakar-plateau/subscriptions/9be1", ""),
            "/dakar-plateau/subscriptions/[redacted]"
        );
        assert_eq!(
            redacted_target("/dakar-plateau/finance/imports", "_csrf=abc&kind=roll"),
            "/dakar-plateau/finance/imports?kind=roll"
        );
        assert_eq!(
            redacted_target("/dakar-plateau/rounds/3/receipt", "code=AB12-CD34-EF56"),
            "/dakar-plateau/rounds/3/receipt?code=[redacted]"
        );
        assert_eq!(
            redacted_target("/x", "%5Fcsrf=abc"),
            "/x",
            "an encoded name is still the token"
        );
        assert_eq!(
            redacted_target("/lang/en", "next=%2Fpassword%2Freset%2F3f9a0c"),
            "/lang/en?next=%2Fpassword%2Freset%2F%5Bredacted%5D"
        );
        // Nothing to hide: the target as it came.
        assert_eq!(
            redacted_target("/dakar-plateau/finance/taxpayers", "q=Awa+Diop&page=2"),
            "/dakar-plateau/finance/taxpayers?q=Awa+Diop&page=2"
        );
        assert_eq!(redacted_target("/password/reset/", ""), "/password/reset/");
        assert_eq!(redacted_target("/", ""), "/");
    }
}

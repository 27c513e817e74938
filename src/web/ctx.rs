//! [`Ctx`]: what a handler knows about the request (visitor, language, CSRF token,
//! flash message), and how it renders a page with the one base layout.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_session::{Session, SessionExt};
use actix_web::{dev::Payload, http::header, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::guard::Visitor;
use super::session::{self, Flash};
use super::AppState;
use crate::accounts::authz;
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;

pub struct Ctx {
    pub visitor: Visitor,
    pub locale: Locale,
    /// The session's CSRF token, masked for this answer.
    pub csrf: String,
    pub path: String,
    pub session: Session,
    flash: Option<Flash>,
}

/// The visitor's language: the switch (cookie), then their account, then the
/// browser's `Accept-Language`, then the commune's default, then French.
pub fn locale_of(req: &HttpRequest, visitor: Option<&Visitor>) -> Locale {
    if let Some(l) = req.cookie("lang").and_then(|c| Locale::parse(c.value())) {
        return l;
    }
    let user_pref = visitor
        .and_then(|v| v.user.as_ref())
        .and_then(|u| u.locale.as_deref())
        .and_then(Locale::parse);
    if let Some(l) = user_pref {
        return l;
    }
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|h| h.to_str().ok())
        .and_then(Locale::from_accept_language);
    if let Some(l) = accepted {
        return l;
    }
    visitor
        .and_then(|v| v.commune.as_ref())
        .and_then(|c| Locale::parse(&c.default_locale))
        .unwrap_or(Locale::Fr)
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Ctx, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let visitor = req
            .extensions()
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        let session = req.get_session();
        let locale = locale_of(req, Some(&visitor));
        // Masked afresh for each answer (see `csrf::mask`).
        let csrf = super::csrf::mask(&session::csrf_token(&session));
        let flash = session::take_flash(&session);
        let path = match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        ready(Ok(Ctx {
            visitor,
            locale,
            csrf,
            path,
            session,
            flash,
        }))
    }
}

impl Ctx {
    /// The logged-in user, as the audit log names them.
    pub fn actor(&self) -> AppResult<Actor> {
        let u = self.visitor.user()?;
        Ok(Actor::user(u.id, &u.email))
    }

    pub fn t(&self, state: &AppState, key: &str) -> String {
        state.catalog.t(self.locale, key)
    }

    /// Renders `template` inside the base layout. `data` must be a JSON object; its
    /// keys sit beside the layout's (`lang`, `user`, `commune`, `csrf`, …).
    pub fn render(
        &self,
        state: &AppState,
        template: &str,
        title_key: &str,
        data: Value,
    ) -> AppResult<HttpResponse> {
        let html = self.render_string(state, template, title_key, data)?;
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html))
    }

    pub fn render_string(
        &self,
        state: &AppState,
        template: &str,
        title_key: &str,
        data: Value,
    ) -> AppResult<String> {
        let mut context = self.base(state, title_key);
        if let (Value::Object(base), Value::Object(page)) = (&mut context, data) {
            base.extend(page);
        }
        state
            .hb
            .render(template, &context)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("template {template}: {e}")))
    }

    fn base(&self, state: &AppState, title_key: &str) -> Value {
        let v = &self.visitor;
        let spaces: Vec<Value> = match &v.commune {
            Some(c) => v
                .roles
                .iter()
                .filter(|r| authz::allows(authz::home_perm(**r), &v.roles))
                .map(|r| {
                    json!({
                        "role": r.as_str(),
                        "href": format!("/{}/{}", c.slug, r.home_path()),
                    })
                })
                .collect(),
            None => Vec::new(),
        };
        let flash = self
            .flash
            .as_ref()
            .map(|f| json!({ "kind": f.kind, "text": self.t(state, &f.key) }));
        let other = match self.locale {
            Locale::Fr => Locale::En,
            Locale::En => Locale::Fr,
        };
        json!({
            "lang": self.locale.as_str(),
            "other_lang": other.as_str(),
            "title": self.t(state, title_key),
            "path": self.path,
            "csrf": self.csrf,
            "user": v.user,
            "commune": v.commune.as_ref().map(commune_json),
            "roles": v.roles,
            "spaces": spaces,
            "flash": flash,
        })
    }

    /// A 303 redirect after a POST, with a message for the next page.
    pub fn redirect_with(&self, to: &str, kind: &str, key: &str) -> HttpResponse {
        session::flash(&self.session, kind, key);
        redirect(to)
    }
}

/// What every page knows of the commune of its URL (its time zone for the times shown).
pub fn commune_json(c: &crate::communes::Commune) -> Value {
    json!({
        "slug": c.slug, "name": c.name, "country": c.country, "code": c.code,
        "timezone": c.tz().name(),
    })
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// A local path to go back to after a login or a language switch; anything that could
/// leave the site falls back to `/`. Browsers drop tabs and newlines from a URL and read
/// `\\` as `/`, so `/\t/evil.example` or `/\\evil.example` would leave it: a path must
/// start with a single `/` and hold no control character, space or backslash.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The client's address: the peer that connected, unless that peer is one of the
/// `trusted` reverse proxies, in which case the right-most address of `X-Forwarded-For`
/// that is not itself a trusted proxy (entries to its left could be forged by the client).
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !trusted.contains(&peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|h| h.rsplit(','))
        .map_while(|a| a.trim().parse::<IpAddr>().ok())
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::{client_ip, safe_next};
    use std::net::IpAddr;

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwarded_the_request() {
        let ip = |a: &str| a.parse::<IpAddr>().unwrap();
        let proxies = [ip("127.0.0.1"), ip("10.0.0.2")];
        // No proxy configured, or a peer that is not one: the header is ignored.
        assert_eq!(
            client_ip(Some(ip("41.82.1.1")), Some("1.2.3.4"), &[]),
            ip("41.82.1.1")
        );
        assert_eq!(
            client_ip(Some(ip("41.82.1.1")), Some("1.2.3.4"), &proxies),
            ip("41.82.1.1")
        );
        // Through two trusted proxies: the last address they did not add.
        assert_eq!(
            client_ip(
                Some(ip("127.0.0.1")),
                Some("6.6.6.6, 41.82.1.1, 10.0.0.2"),
                &proxies
            ),
            ip("41.82.1.1")
        );
        // A garbled header, or none: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), Some("junk"), &proxies),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), None, &proxies),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/dakar-plateau/home?x=1")),
            "/dakar-plateau/home?x=1"
        );
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/ /x",
            "/\n/x",
            "x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

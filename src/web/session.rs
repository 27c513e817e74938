//! What the session cookie holds: the user, when they logged in, the generation of their
//! sessions (logging out or changing the password moves it on, which ends every copy of
//! every cookie issued before), whether they asked to be remembered, the CSRF token, and
//! a one-time flash message.
//!
//! The cookie lasts for the browser session, unless the user ticked "remember me": then
//! it is kept for what is left of the 12 hours a login lasts at most ([`note_remembered`]
//! and [`cookie_lifetime`]). The server enforces the 12 hours in both cases.

use actix_session::{Session, SessionExt};
use actix_web::body::MessageBody;
use actix_web::cookie::Cookie;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// A login lasts at most this long, whatever the browser keeps.
pub const MAX_AGE_SECS: i64 = 12 * 3600;

/// The session cookie's name.
pub const COOKIE: &str = "commune_session";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub user: UserId,
    pub at: i64,
    /// The user's session generation at login.
    pub generation: i64,
    /// Keep the cookie when the browser closes.
    pub remember: bool,
}

impl Login {
    /// Seconds left before the login ends.
    pub fn seconds_left(&self) -> i64 {
        MAX_AGE_SECS - (Utc::now().timestamp() - self.at)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub key: String,
}

/// Starts a login: a new session (and so a new CSRF token) for `user`, whose sessions
/// are at `generation`.
pub fn login(session: &Session, user: UserId, generation: i64, remember: bool) {
    session.renew();
    let _ = session.insert(
        "login",
        Login {
            user,
            at: Utc::now().timestamp(),
            generation,
            remember,
        },
    );
    let _ = session.insert("csrf", new_token());
}

pub fn current(session: &Session) -> Option<Login> {
    let login: Login = session.get("login").ok().flatten()?;
    let age = Utc::now().timestamp() - login.at;
    (0..MAX_AGE_SECS).contains(&age).then_some(login)
}

/// How long a remembered login's cookie is kept, noted in the request for
/// [`cookie_lifetime`].
#[derive(Debug, Clone, Copy)]
struct KeepFor(i64);

/// Inside the session middleware, once the handler has answered: notes in the request
/// whether the session is now a remembered login, and how long it has left.
pub async fn note_remembered(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let res = next.call(req).await?;
    let login = current(&res.request().get_session()).filter(|l| l.remember);
    if let Some(login) = login {
        res.request()
            .extensions_mut()
            .insert(KeepFor(login.seconds_left().max(1)));
    }
    Ok(res)
}

/// Outside the session middleware, which writes the cookie without an age (a cookie the
/// browser forgets when it closes): gives it the age noted by [`note_remembered`].
pub async fn cookie_lifetime(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    let keep = res.request().extensions().get::<KeepFor>().copied();
    if let Some(KeepFor(secs)) = keep {
        let headers = res.headers_mut();
        let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).cloned().collect();
        headers.remove(SET_COOKIE);
        for value in cookies {
            let value = value
                .to_str()
                .ok()
                .and_then(|v| with_max_age(v, secs))
                .and_then(|v| HeaderValue::from_str(&v).ok())
                .unwrap_or(value);
            headers.append(SET_COOKIE, value);
        }
    }
    Ok(res)
}

/// The `Set-Cookie` value `set_cookie` with `Max-Age=secs`, when it sets the session
/// cookie for the browser session (not when it removes it).
fn with_max_age(set_cookie: &str, secs: i64) -> Option<String> {
    let mut cookie = Cookie::parse(set_cookie.to_string()).ok()?;
    if cookie.name() != COOKIE || cookie.max_age().is_some() || cookie.expires().is_some() {
        return None;
    }
    cookie.set_max_age(actix_web::cookie::time::Duration::seconds(secs));
    Some(cookie.to_string())
}

pub fn flash(session: &Session, kind: &str, key: &str) {
    let _ = session.insert(
        "flash",
        Flash {
            kind: kind.into(),
            key: key.into(),
        },
    );
}

pub fn take_flash(session: &Session) -> Option<Flash> {
    session.remove_as::<Flash>("flash").and_then(Result::ok)
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    match session.get::<String>("csrf") {
        Ok(Some(t)) => t,
        _ => {
            let t = new_token();
            let _ = session.insert("csrf", &t);
            t
        }
    }
}

pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_session_cookie_set_for_the_browser_session_gets_an_age() {
        let set = "commune_session=ab%2Bc%3D; HttpOnly; SameSite=Lax; Path=/";
        let aged = with_max_age(set, 600).unwrap();
        assert!(aged.starts_with("commune_session=ab%2Bc%3D;"), "{aged}");
        assert!(aged.contains("Max-Age=600"), "{aged}");
        assert!(
            aged.contains("HttpOnly") && aged.contains("SameSite=Lax"),
            "{aged}"
        );
        // A removal, a cookie that already has an age, another cookie: left alone.
        assert_eq!(
            with_max_age("commune_session=; Path=/; Max-Age=0", 600),
            None
        );
        assert_eq!(
            with_max_age(
                "commune_session=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                600
            ),
            None
        );
        assert_eq!(with_max_age("lang=fr; Path=/", 600), None);
    }
}

//! The access guard: every route passes through it with the [`Access`] its line in the
//! route table names. It resolves the commune of the URL (404 when unknown), the
//! logged-in user and their roles there, asks [`authz::allows`], and leaves a
//! [`Visitor`] in the request for the handler. A route of the collectors' API
//! ([`Access::Bearer`]) is proved by a personal API token instead of the session.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use serde::Serialize;

use super::session;
use super::AppState;
use crate::accounts::tokens::{self, Check};
use crate::accounts::{authz, users, Access, Perm, Role};
use crate::communes::{self, Commune};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;

/// The logged-in user, as pages see them.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub locale: Option<String>,
}

/// Who is asking, and in which commune.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub user: Option<UserView>,
    pub commune: Option<Commune>,
    pub roles: Vec<Role>,
}

impl Visitor {
    /// The commune of the URL; routes under `/{commune}/` always have one.
    pub fn commune(&self) -> AppResult<&Commune> {
        self.commune.as_ref().ok_or(AppError::NotFound)
    }

    pub fn user(&self) -> AppResult<&UserView> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }
}

pub async fn guard(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    match admit(access, &req).await {
        Ok(visitor) => {
            req.extensions_mut().insert(visitor);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}

async fn admit(access: Access, req: &ServiceRequest) -> AppResult<Visitor> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?;
    if let Access::Bearer(perm) = access {
        return admit_bearer(&state, perm, req).await;
    }
    let session = req.get_session();
    let login = session::current(&session);
    let slug = req.match_info().get("commune").map(str::to_string);
    let visitor = if login.is_none() && slug.is_none() {
        // An anonymous visitor outside any commune: nothing to look up.
        Visitor::default()
    } else {
        let (visitor, stale) = state.db(move |conn| load(conn, login, slug)).await?;
        if stale {
            session.purge();
        }
        visitor
    };
    // Keep what is known (the commune) for the error page, even when refused.
    req.extensions_mut().insert(visitor.clone());
    check(access, &visitor)?;
    Ok(visitor)
}

/// Loads the visitor; `true` when the session names a user who may no longer log in, or
/// carries a generation of their sessions that has ended (a logout, a new password).
fn load(
    conn: &mut DbConn,
    login: Option<session::Login>,
    slug: Option<String>,
) -> AppResult<(Visitor, bool)> {
    let commune = match slug {
        Some(slug) => Some(communes::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let mut stale = false;
    let user = match login {
        Some(login) => match users::by_id(conn, login.user) {
            Ok(u) if !u.disabled && u.session_generation == login.generation => Some(UserView {
                id: u.id,
                email: u.email,
                name: u.name,
                locale: u.locale,
            }),
            Ok(_) | Err(diesel::result::Error::NotFound) => {
                stale = true;
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let roles = match (&user, &commune) {
        (Some(u), Some(c)) => users::roles_in(conn, u.id, c.id)?,
        _ => Vec::new(),
    };
    Ok((
        Visitor {
            user,
            commune,
            roles,
        },
        stale,
    ))
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
pub fn bearer(req: &actix_web::HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// A route of the collectors' API: the token says who is asking, in the commune of the
/// URL (404 when unknown). No token, or a refused one, is a 401; a token of another
/// commune, or of a holder without `perm`, a 403. The session is not read.
async fn admit_bearer(
    state: &web::Data<AppState>,
    perm: Perm,
    req: &ServiceRequest,
) -> AppResult<Visitor> {
    let secret = bearer(req.request());
    let given = secret.is_some();
    let slug = req
        .match_info()
        .get("commune")
        .map(str::to_string)
        .ok_or(AppError::NotFound)?;
    let now = crate::db::now();
    let (commune, checked) = state
        .db(move |conn| {
            let commune = communes::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let checked = match secret {
                Some(s) => tokens::check(conn, commune.id, &s, now)?,
                None => Check::Refused,
            };
            Ok((commune, checked))
        })
        .await?;
    let mut visitor = Visitor {
        commune: Some(commune),
        ..Visitor::default()
    };
    // Known even when refused: the error's language follows the commune.
    req.extensions_mut().insert(visitor.clone());
    let (token, user, roles, stale) = match checked {
        Check::Holder {
            token,
            user,
            roles,
            stale,
        } => (token, user, roles, stale),
        Check::OtherCommune => return Err(AppError::Forbidden),
        Check::Refused => return Err(AppError::BadToken { given }),
    };
    if stale {
        state
            .write(move |conn| tokens::touch(conn, token, now))
            .await?;
    }
    visitor.user = Some(UserView {
        id: user.id,
        email: user.email,
        name: user.name,
        locale: user.locale,
    });
    visitor.roles = roles;
    req.extensions_mut().insert(visitor.clone());
    check(Access::Bearer(perm), &visitor)?;
    Ok(visitor)
}

fn check(access: Access, v: &Visitor) -> AppResult<()> {
    match access {
        Access::Public => Ok(()),
        Access::LoggedIn => v.user().map(|_| ()),
        Access::In(perm) | Access::Bearer(perm) => {
            v.user()?;
            if authz::allows(perm, &v.roles) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

//! The access guard: every route passes through it with the [`Access`] its line in the
//! route table names. It resolves the commune of the URL (404 when unknown), the
//! logged-in user and their roles there, asks [`authz::allows`], and leaves a
//! [`Visitor`] in the request for the handler.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use serde::Serialize;

use super::session;
use super::AppState;
use crate::accounts::{authz, users, Access, Role};
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

fn check(access: Access, v: &Visitor) -> AppResult<()> {
    match access {
        Access::Public => Ok(()),
        Access::LoggedIn => v.user().map(|_| ()),
        Access::In(perm) => {
            v.user()?;
            if authz::allows(perm, &v.roles) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

//! The one route table. Each line names a method, a path, the [`Access`] it needs
//! (checked by [`super::guard`]) and its handler. The same table, read by
//! [`route_specs`], drives the test that walks every route with every role.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{web, FromRequest, Handler, Responder};

use super::guard::guard;
use super::pages::finance::{
    adjustments, dashboard, duplicates, items, notice, penalties, register, rolls, taxes, taxpayer,
};
use super::pages::{account, admin, api, auth, public, spaces, system};
use crate::accounts::{Access, Perm};

use Access::{LoggedIn, Public};

/// Anything routes can be written into: the real service config, or a list.
pub trait Table {
    fn add<F, Args>(&mut self, method: Method, path: &'static str, access: Access, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static;
}

pub fn table<T: Table>(t: &mut T) {
    let get = Method::GET;
    let post = Method::POST;
    // The site
    t.add(get.clone(), "/healthz", Public, system::healthz);
    t.add(get.clone(), "/static/{file}", Public, system::static_file);
    t.add(
        get.clone(),
        "/lang/{locale}",
        Public,
        system::switch_language,
    );
    t.add(get.clone(), "/", Public, public::list_communes);
    // Accounts
    t.add(get.clone(), "/login", Public, auth::login_form);
    t.add(post.clone(), "/login", Public, auth::login);
    t.add(post.clone(), "/logout", LoggedIn, auth::logout);
    t.add(get.clone(), "/password/forgot", Public, auth::forgot_form);
    t.add(post.clone(), "/password/forgot", Public, auth::forgot);
    t.add(
        get.clone(),
        "/password/reset/{token}",
        Public,
        auth::reset_form,
    );
    t.add(post.clone(), "/password/reset/{token}", Public, auth::reset);
    t.add(get.clone(), "/account", LoggedIn, account::show_account);
    t.add(
        post.clone(),
        "/account/password",
        LoggedIn,
        account::change_password,
    );
    // JSON API
    t.add(get.clone(), "/api/v1/communes", Public, api::list_communes);
    t.add(get.clone(), "/api/v1/{commune}", Public, api::show_commune);
    t.add(
        get.clone(),
        "/api/v1/{commune}/audit/verify",
        Access::In(Perm::Administer),
        api::verify_audit,
    );
    // A commune
    t.add(get.clone(), "/{commune}", Public, public::show_commune);
    t.add(
        get.clone(),
        "/{commune}/home",
        Access::In(Perm::Member),
        spaces::home,
    );
    t.add(
        get.clone(),
        "/{commune}/admin",
        Access::In(Perm::Administer),
        admin::home,
    );
    t.add(
        get.clone(),
        "/{commune}/admin/users",
        Access::In(Perm::Administer),
        admin::list_users,
    );
    t.add(
        post.clone(),
        "/{commune}/admin/users",
        Access::In(Perm::Administer),
        admin::create_user,
    );
    t.add(
        post.clone(),
        "/{commune}/admin/users/{user}/roles",
        Access::In(Perm::Administer),
        admin::change_role,
    );
    t.add(
        get.clone(),
        "/{commune}/admin/districts",
        Access::In(Perm::Administer),
        admin::list_districts,
    );
    t.add(
        post.clone(),
        "/{commune}/admin/districts",
        Access::In(Perm::Administer),
        admin::create_district,
    );
    t.add(
        get.clone(),
        "/{commune}/admin/audit",
        Access::In(Perm::Administer),
        admin::show_audit,
    );
    finance_routes(t);
    t.add(
        get.clone(),
        "/{commune}/collect",
        Access::In(Perm::Collect),
        spaces::collect,
    );
    t.add(
        get.clone(),
        "/{commune}/treasury",
        Access::In(Perm::Treasury),
        spaces::treasury,
    );
    t.add(
        get.clone(),
        "/{commune}/council",
        Access::In(Perm::Council),
        spaces::council,
    );
    t.add(
        get.clone(),
        "/{commune}/review",
        Access::In(Perm::Review),
        spaces::review,
    );
    t.add(
        get,
        "/{commune}/me",
        Access::In(Perm::Participate),
        spaces::citizen,
    );
}

/// The finance officer's pages: all of them need [`Perm::Assess`].
fn finance_routes<T: Table>(t: &mut T) {
    let (get, post) = (Method::GET, Method::POST);
    let assess = Access::In(Perm::Assess);
    t.add(get.clone(), "/{commune}/finance", assess, dashboard::show);
    t.add(
        get.clone(),
        "/{commune}/finance/taxpayers",
        assess,
        register::list,
    );
    // Before `/taxpayers/{id}`, which would otherwise take "new" for an id.
    t.add(
        get.clone(),
        "/{commune}/finance/taxpayers/new",
        assess,
        register::new_form,
    );
    t.add(
        post.clone(),
        "/{commune}/finance/taxpayers",
        assess,
        register::create,
    );
    t.add(
        get.clone(),
        "/{commune}/finance/taxpayers/{id}",
        assess,
        taxpayer::show,
    );
    t.add(
        post.clone(),
        "/{commune}/finance/taxpayers/{id}/items",
        assess,
        items::create,
    );
    t.add(
        get.clone(),
        "/{commune}/finance/taxpayers/{id}/notice",
        assess,
        notice::show,
    );
    t.add(
        post.clone(),
        "/{commune}/finance/taxpayers/{id}/merge",
        assess,
        duplicates::merge,
    );
    t.add(
        get.clone(),
        "/{commune}/finance/duplicates",
        assess,
        duplicates::list,
    );
    t.add(get.clone(), "/{commune}/finance/taxes", assess, taxes::list);
    t.add(get.clone(), "/{commune}/finance/rolls", assess, rolls::list);
    t.add(
        post.clone(),
        "/{commune}/finance/rolls",
        assess,
        rolls::generate,
    );
    t.add(
        get.clone(),
        "/{commune}/finance/rolls/{id}",
        assess,
        rolls::show,
    );
    t.add(
        post.clone(),
        "/{commune}/finance/rolls/{id}/issue",
        assess,
        rolls::issue,
    );
    t.add(
        get.clone(),
        "/{commune}/finance/adjustments",
        assess,
        adjustments::list,
    );
    t.add(
        post.clone(),
        "/{commune}/finance/adjustments",
        assess,
        adjustments::request,
    );
    t.add(
        post.clone(),
        "/{commune}/finance/adjustments/{id}/decide",
        assess,
        adjustments::decide,
    );
    t.add(
        post,
        "/{commune}/finance/penalties",
        assess,
        penalties::apply,
    );
}

impl Table for web::ServiceConfig {
    fn add<F, Args>(&mut self, method: Method, path: &'static str, access: Access, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.service(
            web::resource(path)
                .guard(actix_web::guard::Method(method))
                .wrap(from_fn(move |req, next| guard(access, req, next)))
                .route(web::route().to(handler)),
        );
    }
}

/// One line of the table, without its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

impl Table for Vec<RouteSpec> {
    fn add<F, Args>(&mut self, method: Method, path: &'static str, access: Access, _: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.push(RouteSpec {
            method,
            path,
            access,
        });
    }
}

/// Every route of the site, in table order.
pub fn route_specs() -> Vec<RouteSpec> {
    let mut specs = Vec::new();
    table(&mut specs);
    specs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_route_is_listed_twice() {
        let specs = route_specs();
        for (i, a) in specs.iter().enumerate() {
            for b in &specs[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} twice",
                    a.method,
                    a.path
                );
            }
        }
    }
}

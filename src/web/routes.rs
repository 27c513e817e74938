//! The one route table. Each line names a method, a path, the [`Access`] it needs
//! (checked by [`super::guard`]) and its handler. The same table, read by
//! [`route_specs`], drives the test that walks every route with every role.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{web, FromRequest, Handler, Responder};

use super::guard::guard;
use super::pages::budget::{desk, follow, portal, spending};
use super::pages::collectors::{self, openapi, tokens};
use super::pages::participation::{manage, paper, projects, proposals, rounds, sms, vote};
use super::pages::revenue::treasury::{bank, collector, mobile};
use super::pages::revenue::{
    adjustments, cancellations, collect, collection, dashboard, duplicates, imports, items, notice,
    pay, penalties, receipts, register, reminders, rolls, taxes, taxpayer, tickets, treasury,
    verify, webhooks,
};
use super::pages::{account, admin, api, auth, public, spaces, subscriptions, system};
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

#[rustfmt::skip]
pub fn table<T: Table>(t: &mut T) {
    use Method as M;
    let (admin, assess) = (Access::In(Perm::Administer), Access::In(Perm::Assess));
    let collect_perm = Access::In(Perm::Collect);
    let run_rounds = Access::In(Perm::RunRounds);
    let (participate, review) = (Access::In(Perm::Participate), Access::In(Perm::Review));
    let paper_entry = Access::In(Perm::PaperEntry);
    // The site
    t.add(M::GET,  "/healthz", Public, system::healthz);
    t.add(M::GET,  "/static/{file}", Public, system::static_file);
    t.add(M::GET,  "/lang/{locale}", Public, system::switch_language);
    t.add(M::GET,  "/", Public, public::list_communes);
    // Anyone checks a receipt's code (before `/{commune}`, which would take "verify")
    t.add(M::GET,  "/verify", Public, verify::verify_form);
    t.add(M::GET,  "/verify/{code}", Public, verify::verify_code);
    // Accounts
    t.add(M::GET,  "/login", Public, auth::login_form);
    t.add(M::POST, "/login", Public, auth::login);
    t.add(M::POST, "/logout", LoggedIn, auth::logout);
    t.add(M::GET,  "/password/forgot", Public, auth::forgot_form);
    t.add(M::POST, "/password/forgot", Public, auth::forgot);
    t.add(M::GET,  "/password/reset/{token}", Public, auth::reset_form);
    t.add(M::POST, "/password/reset/{token}", Public, auth::reset);
    t.add(M::GET,  "/account", LoggedIn, account::show_account);
    t.add(M::POST, "/account/password", LoggedIn, account::change_password);
    t.add(M::GET,  "/invitations/{token}", Public, account::invitation);
    t.add(M::POST, "/invitations/{token}", Public, account::accept_invitation);
    // JSON API
    t.add(M::GET,  "/api/v1/communes", Public, api::list_communes);
    // Before `/api/v1/{commune}`, which would otherwise take "openapi.json" for a commune.
    t.add(M::GET,  "/api/v1/openapi.json", Public, openapi::document);
    t.add(M::GET,  "/api/v1/{commune}", Public, api::show_commune);
    t.add(M::GET,  "/api/v1/{commune}/audit/verify", admin, api::verify_audit);
    t.add(M::GET,  "/api/v1/{commune}/rounds/{round}/results", Public, rounds::results_json);
    // The SMS gateway, which signs each message (see `pages::participation::sms`)
    t.add(M::POST, "/api/v1/{commune}/sms/inbound", Public, sms::inbound);
    // The collectors' phones, each with its holder's personal token (`pages::collectors`)
    let phone = Access::Bearer(Perm::Collect);
    t.add(M::POST, "/api/v1/{commune}/payments", phone, collectors::create_payment);
    t.add(M::POST, "/api/v1/{commune}/payments/batch", phone, collectors::create_batch);
    t.add(M::GET,  "/api/v1/{commune}/payments", phone, collectors::list_payments);
    // A commune: public pages, then each role's space
    t.add(M::GET,  "/{commune}", Public, public::show_commune);
    t.add(M::GET,  "/{commune}/", Public, public::to_commune);
    t.add(M::GET,  "/{commune}/home", Access::In(Perm::Member), spaces::home);
    // Participatory budgeting: open to everyone
    t.add(M::GET,  "/{commune}/rounds", Public, rounds::list);
    // Before `/rounds/{round}`, which would otherwise take "new" for an id.
    t.add(M::GET,  "/{commune}/rounds/new", run_rounds, manage::new_form);
    t.add(M::POST, "/{commune}/rounds", run_rounds, manage::create);
    t.add(M::GET,  "/{commune}/rounds/{round}", Public, rounds::show);
    t.add(M::GET,  "/{commune}/rounds/{round}/advance", run_rounds, manage::confirm_advance);
    t.add(M::POST, "/{commune}/rounds/{round}/advance", run_rounds, manage::advance);
    t.add(M::GET,  "/{commune}/rounds/{round}/voters", run_rounds, manage::voters_page);
    t.add(M::POST, "/{commune}/rounds/{round}/voters", run_rounds, manage::upload_voters);
    t.add(M::GET,  "/{commune}/rounds/{round}/ballots/{area}.pb", Public, rounds::ballots_file);
    t.add(M::GET,  "/{commune}/rounds/{round}/proposals", Public, proposals::list);
    t.add(M::GET,  "/{commune}/rounds/{round}/proposals/new", participate, proposals::new_form);
    t.add(M::POST, "/{commune}/rounds/{round}/proposals", participate, proposals::create);
    t.add(M::GET,  "/{commune}/rounds/{round}/proposals/{proposal}", Public, proposals::show);
    t.add(M::POST, "/{commune}/rounds/{round}/proposals/{proposal}/support", participate, proposals::support);
    t.add(M::POST, "/{commune}/rounds/{round}/proposals/{proposal}/review", review, proposals::review);
    t.add(M::POST, "/{commune}/rounds/{round}/proposals/{proposal}/merge", review, proposals::merge);
    t.add(M::POST, "/{commune}/rounds/{round}/proposals/{proposal}/hide", run_rounds, proposals::hide);
    // Voting: anyone on the round's register, proved by a one-time code (no account)
    t.add(M::GET,  "/{commune}/rounds/{round}/vote", Public, vote::show);
    t.add(M::POST, "/{commune}/rounds/{round}/vote/code", Public, vote::send_code);
    t.add(M::POST, "/{commune}/rounds/{round}/vote/verify", Public, vote::verify);
    t.add(M::POST, "/{commune}/rounds/{round}/vote", Public, vote::cast);
    t.add(M::GET,  "/{commune}/rounds/{round}/receipt", Public, vote::receipt);
    // Paper ballots, typed in twice by two people
    t.add(M::GET,  "/{commune}/rounds/{round}/paper", paper_entry, paper::show);
    t.add(M::POST, "/{commune}/rounds/{round}/paper", paper_entry, paper::enter);
    t.add(M::POST, "/{commune}/rounds/{round}/paper/sign-in", paper_entry, paper::sign_in);
    t.add(M::POST, "/{commune}/rounds/{round}/hands", paper_entry, paper::hands);
    // The budget portal (before `/budget/{year}`, which would take "2027.csv" whole)
    t.add(M::GET,  "/{commune}/budget", Public, portal::latest);
    t.add(M::GET,  "/{commune}/budget/{year}.csv", Public, portal::csv);
    t.add(M::GET,  "/{commune}/budget/{year}.json", Public, portal::json);
    t.add(M::GET,  "/{commune}/budget/{year}/datapackage.json", Public, portal::datapackage);
    t.add(M::GET,  "/{commune}/budget/{year}", Public, portal::year);
    t.add(M::POST, "/{commune}/budget/subscribe", Public, follow::subscribe);
    // The budget desk: the ordonnateur drafts and proposes, the council decides
    let (budget_desk, draft_budget) = (Access::In(Perm::Budget), Access::In(Perm::DraftBudget));
    let decide_budget = Access::In(Perm::DecideBudget);
    t.add(M::GET,  "/{commune}/budgets", budget_desk, desk::list);
    t.add(M::POST, "/{commune}/budgets", draft_budget, desk::create);
    t.add(M::GET,  "/{commune}/budgets/{doc}", budget_desk, desk::show);
    t.add(M::POST, "/{commune}/budgets/{doc}/lines", draft_budget, desk::save_lines);
    t.add(M::POST, "/{commune}/budgets/{doc}/winners", draft_budget, desk::winners);
    t.add(M::POST, "/{commune}/budgets/{doc}/propose", draft_budget, desk::propose);
    t.add(M::POST, "/{commune}/budgets/{doc}/vote", decide_budget, desk::vote);
    t.add(M::POST, "/{commune}/budgets/{doc}/approve", decide_budget, desk::approve);
    t.add(M::POST, "/{commune}/budgets/{doc}/publish", decide_budget, desk::publish);
    // Budget execution: the ordonnateur records, the comptable pays
    t.add(M::GET,  "/{commune}/spending/{year}", budget_desk, spending::show);
    t.add(M::POST, "/{commune}/spending/{year}/commitments", draft_budget, spending::create_commitment);
    t.add(M::POST, "/{commune}/spending/{year}/orders", draft_budget, spending::create_order);
    t.add(M::POST, "/{commune}/spending/{year}/titles", draft_budget, spending::create_title);
    t.add(M::POST, "/{commune}/spending/{year}/import", draft_budget, spending::upload);
    t.add(M::POST, "/{commune}/spending/{year}/orders/{order}/pay", Access::In(Perm::Treasury), spending::pay_order);
    t.add(M::POST, "/{commune}/spending/{year}/account", draft_budget, spending::draft_account);
    // The winners, built: public pages, an officer's updates, and news by e-mail
    t.add(M::GET,  "/{commune}/projects", Public, projects::list);
    t.add(M::GET,  "/{commune}/projects/{project}", Public, projects::show);
    t.add(M::POST, "/{commune}/projects/{project}/updates", run_rounds, projects::update);
    t.add(M::POST, "/{commune}/projects/{project}/subscribe", Public, projects::subscribe);
    t.add(M::GET,  "/{commune}/subscriptions/{token}", Public, subscriptions::show);
    t.add(M::POST, "/{commune}/subscriptions/{token}", Public, subscriptions::act);
    // Administration
    t.add(M::GET,  "/{commune}/admin", admin, admin::home);
    t.add(M::GET,  "/{commune}/admin/users", admin, admin::list_users);
    t.add(M::POST, "/{commune}/admin/users", admin, admin::create_user);
    t.add(M::POST, "/{commune}/admin/users/{user}/roles", admin, admin::change_role);
    t.add(M::GET,  "/{commune}/admin/districts", admin, admin::list_districts);
    t.add(M::POST, "/{commune}/admin/districts", admin, admin::create_district);
    t.add(M::GET,  "/{commune}/admin/audit", admin, admin::show_audit);
    // Revenue: the finance officer (ordonnateur)
    t.add(M::GET,  "/{commune}/finance", assess, dashboard::show);
    t.add(M::GET,  "/{commune}/finance/taxpayers", assess, register::list);
    // Before `/taxpayers/{id}`, which would otherwise take "new" for an id.
    t.add(M::GET,  "/{commune}/finance/taxpayers/new", assess, register::new_form);
    t.add(M::POST, "/{commune}/finance/taxpayers", assess, register::create);
    t.add(M::GET,  "/{commune}/finance/taxpayers/{id}", assess, taxpayer::show);
    t.add(M::POST, "/{commune}/finance/taxpayers/{id}/items", assess, items::create);
    t.add(M::GET,  "/{commune}/finance/taxpayers/{id}/notice", assess, notice::show);
    t.add(M::GET,  "/{commune}/finance/taxpayers/{id}/merge", assess, duplicates::confirm_merge);
    t.add(M::POST, "/{commune}/finance/taxpayers/{id}/merge", assess, duplicates::merge);
    t.add(M::GET,  "/{commune}/finance/duplicates", assess, duplicates::list);
    t.add(M::GET,  "/{commune}/finance/taxes", assess, taxes::list);
    t.add(M::GET,  "/{commune}/finance/rolls", assess, rolls::list);
    t.add(M::POST, "/{commune}/finance/rolls", assess, rolls::generate);
    t.add(M::GET,  "/{commune}/finance/rolls/{id}", assess, rolls::show);
    t.add(M::GET,  "/{commune}/finance/rolls/{id}/issue", assess, rolls::confirm_issue);
    t.add(M::POST, "/{commune}/finance/rolls/{id}/issue", assess, rolls::issue);
    t.add(M::GET,  "/{commune}/finance/adjustments", assess, adjustments::list);
    t.add(M::POST, "/{commune}/finance/adjustments", assess, adjustments::request);
    t.add(M::POST, "/{commune}/finance/adjustments/{id}/decide", assess, adjustments::decide);
    t.add(M::POST, "/{commune}/finance/penalties/preview", assess, penalties::preview);
    t.add(M::POST, "/{commune}/finance/penalties", assess, penalties::apply);
    t.add(M::GET,  "/{commune}/finance/reminders", assess, reminders::show);
    t.add(M::POST, "/{commune}/finance/reminders", assess, reminders::send);
    t.add(M::GET,  "/{commune}/finance/imports", assess, imports::show_imports);
    t.add(M::POST, "/{commune}/finance/imports", assess, imports::upload);
    t.add(M::GET,  "/{commune}/finance/export/taxpayers.csv", assess, imports::export_taxpayers);
    t.add(M::GET,  "/{commune}/finance/export/rolls/{roll}.csv", assess, imports::export_roll);
    // The collector's counter
    t.add(M::GET,  "/{commune}/collect", collect_perm, collect::show);
    t.add(M::POST, "/{commune}/collect/payments/preview", collect_perm, collect::preview);
    t.add(M::POST, "/{commune}/collect/payments", collect_perm, collect::record);
    // Receipts: printed on A4 or 58 mm; cancelled by two people (a treasurer asks,
    // another treasurer or an admin decides); market tickets sold at the counter
    let (receipts_perm, cancel_perm) = (Access::In(Perm::Receipts), Access::In(Perm::CancelReceipt));
    t.add(M::GET,  "/{commune}/collect/receipts/{id}", receipts_perm, receipts::show_receipt);
    t.add(M::POST, "/{commune}/collect/receipts/{id}/cancel", cancel_perm, receipts::request_cancellation);
    t.add(M::GET,  "/{commune}/treasury/cancellations", cancel_perm, cancellations::list_cancellations);
    t.add(M::POST, "/{commune}/treasury/cancellations/{id}", cancel_perm, cancellations::decide_cancellation);
    t.add(M::GET,  "/{commune}/collect/tickets", collect_perm, tickets::ticket_form);
    t.add(M::POST, "/{commune}/collect/tickets/preview", collect_perm, tickets::preview_ticket);
    t.add(M::POST, "/{commune}/collect/tickets", collect_perm, tickets::sell_ticket);
    t.add(M::GET,  "/{commune}/collect/cashup", collect_perm, collector::show);
    t.add(M::POST, "/{commune}/collect/cashup", collect_perm, collector::declare);
    // The treasurer (comptable): cash-ups counted into deposits, and the bank's statements
    let treasury_perm = Access::In(Perm::Treasury);
    t.add(M::GET,  "/{commune}/treasury/cashups/{cashup}", treasury_perm, treasury::cashup);
    t.add(M::POST, "/{commune}/treasury/cashups/{cashup}/validate", treasury_perm, treasury::validate);
    t.add(M::GET,  "/{commune}/treasury/deposits", treasury_perm, treasury::deposits);
    t.add(M::GET,  "/{commune}/treasury/mobile-money", treasury_perm, mobile::mobile_money);
    t.add(M::POST, "/{commune}/treasury/mobile-money/{intent}/credit", treasury_perm, mobile::credit_intent);
    t.add(M::POST, "/{commune}/treasury/mobile-money/{intent}/refund", treasury_perm, mobile::refund_intent);
    t.add(M::GET,  "/{commune}/treasury/bank", treasury_perm, bank::show);
    t.add(M::POST, "/{commune}/treasury/bank", treasury_perm, bank::upload);
    t.add(M::GET,  "/{commune}/treasury/bank/{statement}", treasury_perm, bank::statement);
    // The other roles' spaces
    t.add(M::GET,  "/{commune}/treasury", Access::In(Perm::Treasury), spaces::treasury);
    t.add(M::GET,  "/{commune}/council", Access::In(Perm::Council), spaces::council);
    t.add(M::GET,  "/{commune}/review", Access::In(Perm::Review), spaces::review);
    t.add(M::GET,  "/{commune}/me", Access::In(Perm::Participate), spaces::citizen);
    // How well the commune collects: the finance officer, the treasurer, the council
    t.add(M::GET,  "/{commune}/finance/collection", Access::In(Perm::FollowCollection), collection::show);
    // Mobile money: the payer's pages (no login: the taxpayer's reference), and what
    // the providers send (Wave signs; MoMo's callback is only a hint, POST or PUT)
    t.add(M::GET,  "/{commune}/pay", Public, pay::show);
    t.add(M::POST, "/{commune}/pay", Public, pay::start);
    t.add(M::GET,  "/{commune}/pay/{intent}", Public, pay::status);
    t.add(M::POST, "/api/v1/{commune}/webhooks/wave", Public, webhooks::wave);
    t.add(M::POST, "/api/v1/{commune}/webhooks/momo", Public, webhooks::momo);
    t.add(M::PUT,  "/api/v1/{commune}/webhooks/momo", Public, webhooks::momo);
    // A collector's (or an admin's) tokens for their phone
    let api_tokens = Access::In(Perm::ApiTokens);
    t.add(M::GET,  "/{commune}/tokens", api_tokens, tokens::list);
    t.add(M::POST, "/{commune}/tokens", api_tokens, tokens::create);
    t.add(M::POST, "/{commune}/tokens/{id}/revoke", api_tokens, tokens::revoke);
}

impl Table for web::ServiceConfig {
    fn add<F, Args>(&mut self, method: Method, path: &'static str, access: Access, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        // Every GET route answers HEAD too (uptime monitors ask with HEAD); actix sends
        // the headers without the body.
        let method_guard = actix_web::guard::Any(actix_web::guard::Method(method.clone()));
        let method_guard = if method == Method::GET {
            method_guard.or(actix_web::guard::Head())
        } else {
            method_guard
        };
        self.service(
            web::resource(path)
                .guard(method_guard)
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

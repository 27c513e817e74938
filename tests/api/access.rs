//! Who may open what: every route of the route table, with every role and anonymously.

use commune::accounts::{Access, Perm};
use commune::web::routes::route_specs;
use reqwest::StatusCode;

use crate::helpers::{demo_email, location, meta_csrf, Client, TestApp, DAKAR};

#[derive(Clone, Copy, Debug)]
enum Who {
    Anyone,
    LoggedIn,
    Roles(&'static [&'static str]),
    /// A phone's route: a personal API token of one of these roles, never a session.
    Token(&'static [&'static str]),
}

const ROLES: [&str; 7] = [
    "admin",
    "finance_officer",
    "collector",
    "treasurer",
    "councillor",
    "reviewer",
    "citizen",
];
const ALL_ROLES: Who = Who::Roles(&ROLES);

/// The access policy, written out by hand: the test fails when the application's route
/// table and this list disagree, in either direction.
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, Who)] = &[
    ("GET",  "/healthz", Who::Anyone),
    ("GET",  "/static/{file}", Who::Anyone),
    ("GET",  "/lang/{locale}", Who::Anyone),
    ("GET",  "/", Who::Anyone),
    ("GET",  "/verify", Who::Anyone),
    ("GET",  "/verify/{code}", Who::Anyone),
    ("GET",  "/login", Who::Anyone),
    ("POST", "/login", Who::Anyone),
    ("POST", "/logout", Who::LoggedIn),
    ("GET",  "/password/forgot", Who::Anyone),
    ("POST", "/password/forgot", Who::Anyone),
    ("GET",  "/password/reset/{token}", Who::Anyone),
    ("POST", "/password/reset/{token}", Who::Anyone),
    ("GET",  "/account", Who::LoggedIn),
    ("POST", "/account/password", Who::LoggedIn),
    ("GET",  "/invitations/{token}", Who::Anyone),
    ("POST", "/invitations/{token}", Who::Anyone),
    ("GET",  "/api/v1/communes", Who::Anyone),
    ("GET",  "/api/v1/openapi.json", Who::Anyone),
    ("GET",  "/api/v1/{commune}", Who::Anyone),
    ("GET",  "/api/v1/{commune}/audit/verify", ADMIN),
    ("GET",  "/{commune}", Who::Anyone),
    ("GET",  "/{commune}/", Who::Anyone),
    ("GET",  "/{commune}/home", ALL_ROLES),
    ("GET",  "/{commune}/admin", ADMIN),
    ("GET",  "/{commune}/admin/users", ADMIN),
    ("POST", "/{commune}/admin/users", ADMIN),
    ("POST", "/{commune}/admin/users/{user}/roles", ADMIN),
    ("GET",  "/{commune}/admin/districts", ADMIN),
    ("POST", "/{commune}/admin/districts", ADMIN),
    ("GET",  "/{commune}/admin/audit", ADMIN),
    ("GET",  "/{commune}/finance", FINANCE),
    ("GET",  "/{commune}/finance/taxpayers", FINANCE),
    ("GET",  "/{commune}/finance/taxpayers/new", FINANCE),
    ("POST", "/{commune}/finance/taxpayers", FINANCE),
    ("GET",  "/{commune}/finance/taxpayers/{id}", FINANCE),
    ("POST", "/{commune}/finance/taxpayers/{id}/items", FINANCE),
    ("GET",  "/{commune}/finance/taxpayers/{id}/notice", FINANCE),
    ("GET",  "/{commune}/finance/taxpayers/{id}/merge", FINANCE),
    ("POST", "/{commune}/finance/taxpayers/{id}/merge", FINANCE),
    ("GET",  "/{commune}/finance/duplicates", FINANCE),
    ("GET",  "/{commune}/finance/taxes", FINANCE),
    ("GET",  "/{commune}/finance/rolls", FINANCE),
    ("POST", "/{commune}/finance/rolls", FINANCE),
    ("GET",  "/{commune}/finance/rolls/{id}", FINANCE),
    ("GET",  "/{commune}/finance/rolls/{id}/issue", FINANCE),
    ("POST", "/{commune}/finance/rolls/{id}/issue", FINANCE),
    ("GET",  "/{commune}/finance/adjustments", FINANCE),
    ("POST", "/{commune}/finance/adjustments", FINANCE),
    ("POST", "/{commune}/finance/adjustments/{id}/decide", FINANCE),
    ("POST", "/{commune}/finance/penalties/preview", FINANCE),
    ("POST", "/{commune}/finance/penalties", FINANCE),
    ("GET",  "/{commune}/finance/reminders", FINANCE),
    ("POST", "/{commune}/finance/reminders", FINANCE),
    ("GET",  "/{commune}/finance/imports", FINANCE),
    ("POST", "/{commune}/finance/imports", FINANCE),
    ("GET",  "/{commune}/finance/export/taxpayers.csv", FINANCE),
    ("GET",  "/{commune}/finance/export/rolls/{roll}.csv", FINANCE),
    ("GET",  "/{commune}/collect", Who::Roles(&["collector"])),
    ("POST", "/{commune}/collect/payments/preview", Who::Roles(&["collector"])),
    ("POST", "/{commune}/collect/payments", Who::Roles(&["collector"])),
    ("GET",  "/{commune}/collect/receipts/{id}", Who::Roles(&["collector", "treasurer", "admin"])),
    ("POST", "/{commune}/collect/receipts/{id}/cancel", Who::Roles(&["treasurer", "admin"])),
    ("GET",  "/{commune}/treasury/cancellations", Who::Roles(&["treasurer", "admin"])),
    ("POST", "/{commune}/treasury/cancellations/{id}", Who::Roles(&["treasurer", "admin"])),
    ("GET",  "/{commune}/collect/tickets", Who::Roles(&["collector"])),
    ("POST", "/{commune}/collect/tickets/preview", Who::Roles(&["collector"])),
    ("POST", "/{commune}/collect/tickets", Who::Roles(&["collector"])),
    ("GET",  "/{commune}/treasury", Who::Roles(&["treasurer"])),
    ("GET",  "/{commune}/collect/cashup", Who::Roles(&["collector"])),
    ("POST", "/{commune}/collect/cashup", Who::Roles(&["collector"])),
    ("GET",  "/{commune}/treasury/cashups/{cashup}", Who::Roles(&["treasurer"])),
    ("POST", "/{commune}/treasury/cashups/{cashup}/validate", Who::Roles(&["treasurer"])),
    ("GET",  "/{commune}/treasury/deposits", Who::Roles(&["treasurer"])),
    ("GET",  "/{commune}/treasury/mobile-money", Who::Roles(&["treasurer"])),
    ("POST", "/{commune}/treasury/mobile-money/{intent}/credit", Who::Roles(&["treasurer"])),
    ("POST", "/{commune}/treasury/mobile-money/{intent}/refund", Who::Roles(&["treasurer"])),
    ("GET",  "/{commune}/treasury/bank", Who::Roles(&["treasurer"])),
    ("POST", "/{commune}/treasury/bank", Who::Roles(&["treasurer"])),
    ("GET",  "/{commune}/treasury/bank/{statement}", Who::Roles(&["treasurer"])),
    ("GET",  "/{commune}/council", Who::Roles(&["councillor"])),
    ("GET",  "/{commune}/review", Who::Roles(&["reviewer"])),
    ("GET",  "/{commune}/rounds", Who::Anyone),
    ("GET",  "/{commune}/rounds/new", Who::Roles(&["councillor", "admin"])),
    ("POST", "/{commune}/rounds", Who::Roles(&["councillor", "admin"])),
    ("GET",  "/{commune}/rounds/{round}", Who::Anyone),
    ("GET",  "/{commune}/rounds/{round}/advance", Who::Roles(&["councillor", "admin"])),
    ("POST", "/{commune}/rounds/{round}/advance", Who::Roles(&["councillor", "admin"])),
    ("GET",  "/{commune}/rounds/{round}/ballots/{area}.pb", Who::Anyone),
    ("GET",  "/api/v1/{commune}/rounds/{round}/results", Who::Anyone),
    ("POST", "/api/v1/{commune}/sms/inbound", Who::Anyone),
    ("POST", "/api/v1/{commune}/payments", PHONE),
    ("POST", "/api/v1/{commune}/payments/batch", PHONE),
    ("GET",  "/api/v1/{commune}/payments", PHONE),
    ("GET",  "/{commune}/rounds/{round}/proposals", Who::Anyone),
    ("GET",  "/{commune}/rounds/{round}/proposals/new", Who::Roles(&["citizen"])),
    ("POST", "/{commune}/rounds/{round}/proposals", Who::Roles(&["citizen"])),
    ("GET",  "/{commune}/rounds/{round}/proposals/{proposal}", Who::Anyone),
    ("POST", "/{commune}/rounds/{round}/proposals/{proposal}/support", Who::Roles(&["citizen"])),
    ("POST", "/{commune}/rounds/{round}/proposals/{proposal}/review", Who::Roles(&["reviewer"])),
    ("POST", "/{commune}/rounds/{round}/proposals/{proposal}/merge", Who::Roles(&["reviewer"])),
    ("POST", "/{commune}/rounds/{round}/proposals/{proposal}/hide", Who::Roles(&["councillor", "admin"])),
    ("GET",  "/{commune}/rounds/{round}/voters", Who::Roles(&["councillor", "admin"])),
    ("POST", "/{commune}/rounds/{round}/voters", Who::Roles(&["councillor", "admin"])),
    ("GET",  "/{commune}/rounds/{round}/vote", Who::Anyone),
    ("POST", "/{commune}/rounds/{round}/vote/code", Who::Anyone),
    ("POST", "/{commune}/rounds/{round}/vote/verify", Who::Anyone),
    ("POST", "/{commune}/rounds/{round}/vote", Who::Anyone),
    ("GET",  "/{commune}/rounds/{round}/receipt", Who::Anyone),
    ("GET",  "/{commune}/rounds/{round}/paper", Who::Roles(&["councillor", "admin", "reviewer"])),
    ("POST", "/{commune}/rounds/{round}/paper", Who::Roles(&["councillor", "admin", "reviewer"])),
    ("POST", "/{commune}/rounds/{round}/paper/sign-in", Who::Roles(&["councillor", "admin", "reviewer"])),
    ("POST", "/{commune}/rounds/{round}/hands", Who::Roles(&["councillor", "admin", "reviewer"])),
    ("GET",  "/{commune}/budget", Who::Anyone),
    ("GET",  "/{commune}/budget/{year}.csv", Who::Anyone),
    ("GET",  "/{commune}/budget/{year}.json", Who::Anyone),
    ("GET",  "/{commune}/budget/{year}/datapackage.json", Who::Anyone),
    ("GET",  "/{commune}/budget/{year}", Who::Anyone),
    ("POST", "/{commune}/budget/subscribe", Who::Anyone),
    ("GET",  "/{commune}/budgets", BUDGET),
    ("POST", "/{commune}/budgets", FINANCE),
    ("GET",  "/{commune}/budgets/{doc}", BUDGET),
    ("POST", "/{commune}/budgets/{doc}/lines", FINANCE),
    ("POST", "/{commune}/budgets/{doc}/winners", FINANCE),
    ("POST", "/{commune}/budgets/{doc}/propose", FINANCE),
    ("POST", "/{commune}/budgets/{doc}/vote", COUNCIL_OR_ADMIN),
    ("POST", "/{commune}/budgets/{doc}/approve", COUNCIL_OR_ADMIN),
    ("POST", "/{commune}/budgets/{doc}/publish", COUNCIL_OR_ADMIN),
    ("GET",  "/{commune}/spending/{year}", Who::Roles(&["finance_officer", "councillor", "treasurer", "admin"])),
    ("POST", "/{commune}/spending/{year}/commitments", Who::Roles(&["finance_officer"])),
    ("POST", "/{commune}/spending/{year}/orders", Who::Roles(&["finance_officer"])),
    ("POST", "/{commune}/spending/{year}/titles", Who::Roles(&["finance_officer"])),
    ("POST", "/{commune}/spending/{year}/import", Who::Roles(&["finance_officer"])),
    ("POST", "/{commune}/spending/{year}/orders/{order}/pay", Who::Roles(&["treasurer"])),
    ("POST", "/{commune}/spending/{year}/account", Who::Roles(&["finance_officer"])),
    ("GET",  "/{commune}/projects", Who::Anyone),
    ("GET",  "/{commune}/projects/{project}", Who::Anyone),
    ("POST", "/{commune}/projects/{project}/updates", Who::Roles(&["councillor", "admin"])),
    ("POST", "/{commune}/projects/{project}/subscribe", Who::Anyone),
    ("GET",  "/{commune}/subscriptions/{token}", Who::Anyone),
    ("POST", "/{commune}/subscriptions/{token}", Who::Anyone),
    ("GET",  "/{commune}/me", Who::Roles(&["citizen"])),
    ("GET",  "/{commune}/finance/collection", Who::Roles(&["finance_officer", "treasurer", "councillor"])),
    ("GET",  "/{commune}/pay", Who::Anyone),
    ("POST", "/{commune}/pay", Who::Anyone),
    ("GET",  "/{commune}/pay/{intent}", Who::Anyone),
    ("POST", "/api/v1/{commune}/webhooks/wave", Who::Anyone),
    ("POST", "/api/v1/{commune}/webhooks/momo", Who::Anyone),
    ("PUT",  "/api/v1/{commune}/webhooks/momo", Who::Anyone),
    ("GET",  "/{commune}/tokens", TOKEN_HOLDERS),
    ("POST", "/{commune}/tokens", TOKEN_HOLDERS),
    ("POST", "/{commune}/tokens/{id}/revoke", TOKEN_HOLDERS),
];

const ADMIN: Who = Who::Roles(&["admin"]);
const FINANCE: Who = Who::Roles(&["finance_officer"]);
const BUDGET: Who = Who::Roles(&["admin", "finance_officer", "treasurer", "councillor"]);
const COUNCIL_OR_ADMIN: Who = Who::Roles(&["admin", "councillor"]);
const TOKEN_HOLDERS: Who = Who::Roles(&["admin", "collector"]);
const PHONE: Who = Who::Token(&["collector"]);

fn allowed(who: Who, role: Option<&str>) -> bool {
    match (who, role) {
        (Who::Anyone, _) => true,
        (_, None) => false,
        (Who::LoggedIn, Some(_)) => true,
        (Who::Roles(list), Some(r)) => list.contains(&r),
        // A session never opens a phone's route (see `phones_routes_admit_...`).
        (Who::Token(_), _) => false,
    }
}

fn concrete(path: &str, user_id: i64) -> String {
    path.replace("{commune}", DAKAR)
        .replace("{file}", "commune.css")
        .replace("{locale}", "fr")
        .replace("{token}", "0000")
        .replace("{user}", &user_id.to_string())
        .replace("{roll}", "1")
        .replace("{id}", "1")
        .replace("{round}", "1")
        .replace("{area}", "1")
        .replace("{proposal}", "1")
        .replace("{project}", "1")
        .replace("{year}", "2026")
        .replace("{doc}", "1")
        .replace("{order}", "1")
        .replace("{code}", "0000-0000-0000")
        .replace("{intent}", "DKP-MM-0")
        .replace("{cashup}", "1")
        .replace("{statement}", "1")
}

/// Sends the request; POSTs carry a valid CSRF token and an empty form, which no
/// handler accepts, so the walk changes nothing.
async fn call(c: &Client, method: &str, path: &str) -> reqwest::Response {
    match method {
        "GET" => c.get(path).await,
        "POST" => c.post_form(path, &[]).await,
        // A client holding a session cookie is checked for CSRF like a browser (only
        // requests without one, such as a provider's, are exempt): it sends its token.
        "PUT" => c
            .http
            .put(format!("{}{path}", c.base))
            .header("X-CSRF-Token", c.csrf().await)
            .send()
            .await
            .expect("PUT"),
        other => panic!("unexpected method {other}"),
    }
}

fn was_refused(res: &reqwest::Response, anonymous: bool, api: bool) -> bool {
    let status = res.status();
    if anonymous {
        if api {
            status == StatusCode::UNAUTHORIZED
        } else {
            status == StatusCode::SEE_OTHER && location(res).starts_with("/login?next=")
        }
    } else {
        status == StatusCode::FORBIDDEN
    }
}

#[test]
fn the_expected_policy_lists_every_route_of_the_application() {
    let mut app: Vec<String> = route_specs()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    let mut expected: Vec<String> = EXPECTED
        .iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    app.sort();
    expected.sort();
    assert_eq!(app, expected);
    // And the table's own access agrees on who needs to be logged in at all.
    for spec in route_specs() {
        let (_, _, who) = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
            .unwrap();
        let public = matches!(who, Who::Anyone);
        assert_eq!(
            spec.access == Access::Public,
            public,
            "{} {}",
            spec.method,
            spec.path
        );
        assert_eq!(
            matches!(spec.access, Access::Bearer(_)),
            matches!(who, Who::Token(_)),
            "{} {}",
            spec.method,
            spec.path
        );
        if spec.access == Access::In(Perm::Member) {
            assert!(matches!(who, Who::Roles(r) if r.len() == 7));
        }
    }
}

#[actix_web::test]
async fn every_route_admits_exactly_the_roles_allowed_and_refuses_the_others() {
    let app = TestApp::spawn().await;
    let citizen_id = {
        let mut conn = app.conn();
        commune::accounts::users::by_email(&mut conn, &demo_email(DAKAR, "citizen"))
            .unwrap()
            .unwrap()
            .id
            .0
    };
    let mut visitors: Vec<(Option<&str>, Client)> = vec![(None, app.visitor())];
    for role in ROLES {
        visitors.push((Some(role), app.login(&demo_email(DAKAR, role)).await));
    }
    let mut failures = Vec::new();
    // Logging out goes last: it ends the session the other checks use.
    let mut routes: Vec<_> = EXPECTED.to_vec();
    routes.sort_by_key(|(m, p, _)| (*m == "POST" && *p == "/logout") as u8);
    for (role, client) in &visitors {
        for (method, pattern, who) in &routes {
            let path = concrete(pattern, citizen_id);
            let res = call(client, method, &path).await;
            // A phone's route refuses every session as it refuses anyone: 401.
            let token_route = matches!(who, Who::Token(_));
            let refused = was_refused(
                &res,
                role.is_none() || token_route,
                path.starts_with("/api/"),
            );
            let forbidden_or_login = matches!(
                res.status(),
                StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED
            ) || location(&res).starts_with("/login?next=");
            let ok = if allowed(*who, *role) {
                !forbidden_or_login
            } else {
                refused
            };
            if !ok {
                failures.push(format!(
                    "{} {method} {path}: got {} (expected {})",
                    role.unwrap_or("anonymous"),
                    res.status(),
                    if allowed(*who, *role) {
                        "access"
                    } else {
                        "refusal"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access policy violated:\n{}",
        failures.join("\n")
    );
}

/// Sends a phone's request: a POST carries an empty JSON object, which no handler
/// accepts, so the walk records nothing.
async fn call_with_token(c: &Client, method: &str, path: &str) -> reqwest::Response {
    match method {
        "GET" => c.get(path).await,
        "POST" => c.post_json(path, &serde_json::json!({})).await,
        other => panic!("unexpected method {other}"),
    }
}

#[actix_web::test]
async fn phones_routes_admit_exactly_the_tokens_of_the_roles_allowed() {
    let app = TestApp::spawn().await;
    let mut failures = Vec::new();
    let routes: Vec<_> = EXPECTED
        .iter()
        .filter_map(|(m, p, who)| match who {
            Who::Token(roles) => Some((*m, *p, *roles)),
            _ => None,
        })
        .collect();
    assert!(!routes.is_empty());
    // Only collectors and administrators may hold a token: they are the roles to try.
    for role in ["collector", "admin"] {
        let phone = app.phone(&app.token(DAKAR, &demo_email(DAKAR, role)));
        for (method, pattern, roles) in &routes {
            let path = concrete(pattern, 0);
            let status = call_with_token(&phone, method, &path).await.status();
            let ok = if roles.contains(&role) {
                !matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!("{role}'s token: {method} {path}: got {status}"));
            }
        }
    }
    // No token, or a made-up one: 401, with the scheme to use.
    for phone in [app.visitor(), app.phone("cmn_made-up")] {
        for (method, pattern, _) in &routes {
            let res = call_with_token(&phone, method, &concrete(pattern, 0)).await;
            if res.status() != StatusCode::UNAUTHORIZED
                || !res.headers().contains_key("www-authenticate")
            {
                failures.push(format!(
                    "no token: {method} {pattern}: got {}",
                    res.status()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[actix_web::test]
async fn an_admin_of_one_commune_is_a_stranger_in_another() {
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    assert_eq!(
        admin.get("/dakar-plateau/admin/users").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        admin.get("/abomey-calavi/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.get("/abomey-calavi/home").await.status(),
        StatusCode::FORBIDDEN
    );
    // Public pages of the other commune stay open.
    assert_eq!(admin.get("/abomey-calavi").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_unknown_commune_gives_a_404_page() {
    let app = TestApp::spawn().await;
    let v = app.visitor();
    for path in ["/nowhere", "/nowhere/home", "/nowhere/admin/users"] {
        let res = v.get(path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = res.text().await.unwrap();
        assert!(body.contains("Cette page n’existe pas."), "{body}");
    }
    let res = v.get("/api/v1/nowhere").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["error"]["code"], "not_found");
    assert_eq!(json["error"]["status"], 404);
}

#[actix_web::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let path = "/dakar-plateau/admin/districts";
    let missing = admin
        .post_raw(path, &[("name", "Médina"), ("kind", "quartier")])
        .await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let body = missing.text().await.unwrap();
    assert!(body.contains("Le formulaire a expiré"), "{body}");
    let wrong = admin
        .post_raw(
            path,
            &[
                ("_csrf", "forged"),
                ("name", "Médina"),
                ("kind", "quartier"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    // A token from another visitor's session does not work either.
    let other = app.visitor().csrf().await;
    let stolen = admin
        .post_raw(
            path,
            &[("_csrf", &other), ("name", "Médina"), ("kind", "quartier")],
        )
        .await;
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
    assert!(!admin.text(path).await.contains("Médina"));
    // With the page's own token, the same form is accepted.
    let ok = admin
        .post_form(path, &[("name", "Médina"), ("kind", "quartier")])
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert!(admin.text(path).await.contains("Médina"));
}

#[actix_web::test]
async fn each_page_carries_its_own_form_of_the_csrf_token_and_each_is_accepted() {
    // Arrange: the same page, opened twice in the same session.
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let path = "/dakar-plateau/admin/districts";
    let first = meta_csrf(&admin.text(path).await).unwrap();
    let second = meta_csrf(&admin.text(path).await).unwrap();

    // Assert: the token differs from one answer to the next (a compressed page does not
    // repeat a secret an attacker could guess byte by byte)...
    assert_ne!(first, second);

    // ...and both are accepted.
    for (token, name) in [(&first, "Médina"), (&second, "Sandial")] {
        let res = admin
            .post_raw(
                path,
                &[("_csrf", token), ("name", name), ("kind", "quartier")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name}");
    }
    let page = admin.text(path).await;
    assert!(page.contains("Médina") && page.contains("Sandial"));
}

//! Logging in and out, roles' home pages, login limits, and changing a password.

use reqwest::StatusCode;

use crate::helpers::{demo_email, location, session_cookie, TestApp, DAKAR, DEMO_PASSWORD};

const ROLE_HOMES: [(&str, &str); 7] = [
    ("admin", "admin"),
    ("finance_officer", "finance"),
    ("collector", "collect"),
    ("treasurer", "treasury"),
    ("councillor", "council"),
    ("reviewer", "review"),
    ("citizen", "me"),
];

#[actix_web::test]
async fn every_demo_account_logs_in_and_lands_on_its_own_space() {
    let app = TestApp::spawn().await;
    for commune in [DAKAR, "abomey-calavi"] {
        for (role, home) in ROLE_HOMES {
            let c = app.visitor();
            let res = c.login(&demo_email(commune, role), DEMO_PASSWORD).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{commune} {role}");
            // One role in one commune: straight to its space, not a page with one card.
            assert_eq!(location(&res), format!("/{commune}/{home}"));
            // The member's home sends them there too.
            let landing = c.get(&format!("/{commune}/home")).await;
            assert_eq!(location(&landing), format!("/{commune}/{home}"));
            let page = c.get(&format!("/{commune}/{home}")).await;
            assert_eq!(page.status(), StatusCode::OK, "{commune} {role}");
            let body = page.text().await.unwrap();
            assert!(
                body.contains(&format!("data-role=\"{role}\"")),
                "{commune} {role}: {body}"
            );
        }
    }
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_generic_answer() {
    let app = TestApp::spawn().await;
    let wrong = app
        .visitor()
        .login(&demo_email(DAKAR, "admin"), "not the password")
        .await;
    let unknown = app
        .visitor()
        .login("nobody@nowhere.sn", "not the password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "Adresse e-mail ou mot de passe incorrect.";
    assert!(a.contains(message) && b.contains(message));
    // Apart from the e-mail echoed back into the form and the token, the pages are the same.
    let strip = |s: &str, email: &str| {
        let s = s.replace(email, "EMAIL");
        s.lines()
            .filter(|l| !l.contains("csrf"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&a, &demo_email(DAKAR, "admin")),
        strip(&b, "nobody@nowhere.sn")
    );
}

#[actix_web::test]
async fn login_is_limited_per_account_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let email = demo_email(DAKAR, "treasurer");
    for _ in 0..5 {
        let res = app.visitor().login(&email, "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = app.visitor().login(&email, DEMO_PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));
    assert!(blocked.text().await.unwrap().contains("Trop de tentatives"));
    // Another account from the same address is not blocked by this one.
    let other = app
        .visitor()
        .login(&demo_email(DAKAR, "citizen"), DEMO_PASSWORD)
        .await;
    assert_eq!(other.status(), StatusCode::SEE_OTHER);
    // An unknown account is limited the same way, so the limit reveals nothing.
    for _ in 0..5 {
        app.visitor().login("ghost@nowhere.sn", "x").await;
    }
    assert_eq!(
        app.visitor().login("ghost@nowhere.sn", "x").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn login_is_limited_per_address_across_accounts() {
    let app = TestApp::spawn().await;
    for i in 0..20 {
        let res = app
            .visitor()
            .login(&format!("guess{i}@nowhere.sn"), "x")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app
        .visitor()
        .login(&demo_email(DAKAR, "admin"), DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_address_is_limited_on_its_own() {
    // Arrange: every request arrives from the proxy on 127.0.0.1.
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1")
        .spawn()
        .await;
    for i in 0..20 {
        let res = app
            .visitor()
            .login_forwarded_for("41.82.1.1", &format!("guess{i}@nowhere.sn"), "x")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }

    // Act
    let guesser = app
        .visitor()
        .login_forwarded_for("41.82.1.1", &demo_email(DAKAR, "admin"), DEMO_PASSWORD)
        .await;
    let neighbour = app
        .visitor()
        .login_forwarded_for("41.82.1.2", &demo_email(DAKAR, "admin"), DEMO_PASSWORD)
        .await;
    // A client cannot escape its limit by adding addresses to the header itself.
    let forger = app
        .visitor()
        .login_forwarded_for(
            "9.9.9.9, 41.82.1.1",
            &demo_email(DAKAR, "citizen"),
            DEMO_PASSWORD,
        )
        .await;

    // Assert: the guesser's address is blocked, not the proxy's.
    assert_eq!(guesser.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(neighbour.status(), StatusCode::SEE_OTHER);
    assert_eq!(forger.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn logging_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let c = app.login(&demo_email(DAKAR, "councillor")).await;
    assert_eq!(
        c.get("/dakar-plateau/council").await.status(),
        StatusCode::OK
    );
    let res = c.post_form("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = c.get("/dakar-plateau/council").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&after), "/login?next=%2Fdakar-plateau%2Fcouncil");
}

#[actix_web::test]
async fn after_login_the_visitor_returns_to_the_page_they_asked_for_but_never_off_site() {
    let app = TestApp::spawn().await;
    let c = app.visitor();
    let res = c
        .post_form(
            "/login",
            &[
                ("email", &demo_email(DAKAR, "admin")),
                ("password", DEMO_PASSWORD),
                ("next", "/dakar-plateau/admin/audit"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/dakar-plateau/admin/audit");
    let c = app.visitor();
    let res = c
        .post_form(
            "/login",
            &[
                ("email", &demo_email(DAKAR, "admin")),
                ("password", DEMO_PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/");
}

#[actix_web::test]
async fn changing_the_password_ends_the_other_sessions_and_the_new_one_works() {
    let app = TestApp::spawn().await;
    let email = demo_email(DAKAR, "reviewer");
    let here = app.login(&email).await;
    let elsewhere = app.login(&email).await;
    let short = here
        .post_form(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short
        .text()
        .await
        .unwrap()
        .contains("au moins 10 caractères"));
    let wrong = here
        .post_form(
            "/account/password",
            &[
                ("current", "not it at all"),
                ("password", "a new long secret"),
                ("confirm", "a new long secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = here
        .post_form(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("password", "a new long secret"),
                ("confirm", "a new long secret"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(here
        .text("/account")
        .await
        .contains("Votre mot de passe a été changé"));
    assert_eq!(
        here.get("/dakar-plateau/review").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        elsewhere.get("/dakar-plateau/review").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.visitor().login(&email, DEMO_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.visitor()
            .login(&email, "a new long secret")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // The change is in the audit log, named in words, and a notice went to the
    // account's address.
    let log = app
        .login(&demo_email(DAKAR, "admin"))
        .await
        .text("/dakar-plateau/admin/audit")
        .await;
    assert!(log.contains("Changement de mot de passe"), "{log}");
    assert!(!log.contains("user.password_change"));
    assert!(app
        .outbox_mails()
        .iter()
        .any(|m| m.contains(&format!("To: {email}"))));
}

#[actix_web::test]
async fn an_admin_cannot_touch_the_roles_of_someone_from_another_commune() {
    // Arrange: a citizen of Abomey-Calavi, who has no role in Dakar-Plateau.
    let app = TestApp::spawn().await;
    let pool = app.outside_pool();
    let mut conn = pool.get().unwrap();
    let stranger =
        commune::accounts::users::by_email(&mut conn, &demo_email("abomey-calavi", "citizen"))
            .unwrap()
            .unwrap();
    let abomey = commune::communes::by_slug(&mut conn, "abomey-calavi")
        .unwrap()
        .unwrap();
    let dakar = commune::communes::by_slug(&mut conn, DAKAR)
        .unwrap()
        .unwrap();
    let admin = app.login(&demo_email(DAKAR, "admin")).await;

    // Act: Dakar's admin tries to make them an admin of Dakar, by their id.
    let res = admin
        .post_form(
            &format!("/{DAKAR}/admin/users/{}/roles", stranger.id.0),
            &[("role", "admin"), ("action", "grant")],
        )
        .await;

    // Assert: the id is unknown here, like any other id, and nothing changed.
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let mut roles = |c| commune::accounts::users::roles_in(&mut conn, stranger.id, c).unwrap();
    assert!(roles(dakar.id).is_empty());
    assert_eq!(roles(abomey.id).len(), 1);
}

#[actix_web::test]
async fn an_over_long_email_is_refused_before_it_is_counted() {
    // Arrange: addresses longer than any address can be (254 bytes).
    let app = TestApp::spawn().await;
    let long = |i: usize| format!("{}{i}@nowhere.sn", "a".repeat(300));

    // Act: more of them than the address's limit of failures.
    for i in 0..25 {
        let res = app.visitor().login(&long(i), "x").await;
        // Assert: each is refused as a request no page of ours sends.
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "attempt {i}");
    }
    let forgot = app
        .visitor()
        .post_form("/password/forgot", &[("email", &long(99))])
        .await;
    assert_eq!(forgot.status(), StatusCode::BAD_REQUEST);

    // Assert: none was counted against the address, whose next login works.
    let res = app
        .visitor()
        .login(&demo_email(DAKAR, "admin"), DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn logging_out_ends_every_copy_of_the_session_cookie() {
    // Arrange: a logged-in councillor, and a copy of their session cookie elsewhere.
    let app = TestApp::spawn().await;
    let c = app.visitor();
    let res = c
        .login(&demo_email(DAKAR, "councillor"), DEMO_PASSWORD)
        .await;
    let cookie = session_cookie(&res).expect("login sets the session cookie");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let copy = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let open_with_copy = || async {
        copy.get(format!("{}/dakar-plateau/council", app.base))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(open_with_copy().await, StatusCode::OK);

    // Act
    let res = c.post_form("/logout", &[]).await;

    // Assert: the copy is logged out too, and so is a new login's earlier cookie.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(open_with_copy().await, StatusCode::SEE_OTHER);
    let again = app.login(&demo_email(DAKAR, "councillor")).await;
    assert_eq!(
        again.get("/dakar-plateau/council").await.status(),
        StatusCode::OK
    );
    assert_eq!(open_with_copy().await, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_session_cookie_lasts_for_the_browser_session_unless_the_user_asks_to_be_remembered() {
    let app = TestApp::spawn().await;
    let email = demo_email(DAKAR, "admin");
    let max_age = |set_cookie: &str| -> Option<i64> {
        set_cookie
            .split(';')
            .filter_map(|a| a.trim().split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case("max-age"))
            .map(|(_, v)| v.parse().unwrap())
    };

    // Without the box ticked: a cookie the browser forgets when it closes.
    let plain = app.visitor();
    let res = plain.login(&email, DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = session_cookie(&res).unwrap();
    assert_eq!(max_age(&set), None, "{set}");
    assert!(!set.to_ascii_lowercase().contains("expires="), "{set}");

    // With the box ticked: kept, for 12 hours at most.
    let remembered = app.visitor();
    let res = remembered
        .post_form(
            "/login",
            &[
                ("email", &email),
                ("password", DEMO_PASSWORD),
                ("remember", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = session_cookie(&res).unwrap();
    let age = max_age(&set).unwrap_or_else(|| panic!("no Max-Age: {set}"));
    assert!(age > 12 * 3600 - 60 && age <= 12 * 3600, "{set}");

    // A later answer that writes the cookie again keeps it for what is left, no more.
    let res = remembered
        .post_form(
            "/dakar-plateau/admin/districts",
            &[("name", "Médina"), ("kind", "quartier")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = session_cookie(&res).expect("the flash message rewrites the cookie");
    let age = max_age(&set).unwrap_or_else(|| panic!("no Max-Age: {set}"));
    assert!(age > 0 && age <= 12 * 3600, "{set}");
    let res = plain
        .post_form(
            "/dakar-plateau/admin/districts",
            &[("name", "Sandial"), ("kind", "quartier")],
        )
        .await;
    let set = session_cookie(&res).expect("the flash message rewrites the cookie");
    assert_eq!(max_age(&set), None, "{set}");
}

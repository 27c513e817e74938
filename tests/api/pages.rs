//! Pages: French first, English second, every key in both; light pages without
//! JavaScript; error pages in both languages; the health check.

use commune::accounts::{authz, Access, Role};
use commune::communes;
use commune::db;
use commune::web::routes::route_specs;
use reqwest::StatusCode;

use crate::helpers::{demo_email, location, TestApp, DAKAR};

/// Real values for a route's parameters, in the demo: a taxpayer, a draft roll, a
/// receipt, a live password-reset link and a live invitation.
struct Ids {
    taxpayer: i64,
    other_taxpayer: i64,
    roll: i64,
    receipt: i64,
    /// The receipt's verification code, for the public verify page.
    code: String,
    user: i64,
    reset: String,
    invitation: String,
    round: i64,
    area: i64,
    proposal: i64,
    project: i64,
    subscription: String,
    budget_year: i64,
    budget_doc: i64,
    order: i64,
    /// A mobile-money payment under way (its reference).
    intent: String,
    cashup: i64,
    statement: i64,
}

fn demo_ids(app: &TestApp) -> Ids {
    use commune::accounts::{membership, password, resets, users, Role};
    use commune::audit::Actor;
    use commune::notify::subscriptions;
    use commune::revenue::{payments, rolls, tax_types, taxpayers};
    let mut conn = app.conn();
    let commune = communes::by_slug(&mut conn, DAKAR).unwrap().unwrap();
    let actor = Actor::system("test");
    let first_two = taxpayers::page(&mut conn, commune.id, &Default::default(), None, 2)
        .unwrap()
        .0;
    let (taxpayer, other_taxpayer) = (first_two[0].id, first_two[1].id);
    // A draft roll, whose page offers to issue it.
    let teom = tax_types::by_code(&mut conn, commune.id, "TEOM")
        .unwrap()
        .unwrap();
    let year = chrono::Datelike::year(&commune.today());
    db::write_tx(&mut conn, |conn| {
        rolls::generate(conn, &commune, &teom, year, &actor)
    })
    .ok();
    let roll = rolls::list(&mut conn, commune.id)
        .unwrap()
        .into_iter()
        .find(|r| !r.roll.is_issued())
        .unwrap_or_else(|| rolls::list(&mut conn, commune.id).unwrap().remove(0))
        .roll
        .id;
    let collector = users::by_email(&mut conn, &demo_email(DAKAR, "collector"))
        .unwrap()
        .unwrap();
    let owing = rolls::list(&mut conn, commune.id)
        .unwrap()
        .into_iter()
        .filter(|r| r.roll.is_issued())
        .flat_map(|r| rolls::lines(&mut conn, r.roll.id, "", 1).unwrap())
        .next()
        .expect("an issued line in the demo");
    let payer = taxpayers::by_ref(&mut conn, commune.id, &owing.taxpayer_ref)
        .unwrap()
        .unwrap();
    let receipt = db::write_tx(&mut conn, |conn| {
        payments::record(
            conn,
            &commune,
            &payments::NewPayment {
                taxpayer: payer.id,
                amount: commune::money::Xof(100),
                method: payments::Method::Cash,
                reference: None,
                token: "walk".into(),
                paid_on: None,
                channel: payments::Channel::Counter,
            },
            commune.today(),
            &actor,
            collector.id,
        )
    })
    .unwrap();
    let citizen = users::by_email(&mut conn, &demo_email(DAKAR, "citizen"))
        .unwrap()
        .unwrap();
    let reset = db::write_tx(&mut conn, |conn| {
        resets::issue(conn, citizen.id, resets::RESET_TTL)
    })
    .unwrap();
    let hash = password::hash("unusable password").unwrap();
    let invitation = match db::write_tx(&mut conn, |conn| {
        membership::invite(
            conn,
            commune.id,
            &demo_email("abomey-calavi", "citizen"),
            "x",
            Role::Citizen,
            &hash,
            &actor,
        )
    })
    .unwrap()
    {
        membership::Invited::Existing { token, .. } => token,
        other => panic!("expected an invitation, got {other:?}"),
    };
    // A finished participatory-budgeting round, with its results.
    let election = commune::voting::read_pb_file(
        &crate::helpers::manifest_dir().join("tests/data/Netherlands_Assen_2024.pb"),
    )
    .unwrap();
    let round = db::write_tx(&mut conn, |conn| {
        commune::participation::pbfile::import(conn, &commune, &election, "assen.pb", &actor)
    })
    .unwrap();
    let proposal =
        commune::participation::proposals::list(&mut conn, round.round, &Default::default())
            .unwrap()[0]
            .proposal
            .id;
    // A demo project under way, and someone asking to follow it.
    let project = commune::participation::projects::of_commune(&mut conn, commune.id).unwrap()[0]
        .0
        .id;
    let subscription = match db::write_tx(&mut conn, |conn| {
        subscriptions::ask(
            conn,
            commune.id,
            subscriptions::Topic::Project,
            project.0,
            "suivi@example.sn",
            commune::i18n::Locale::Fr,
        )
    })
    .unwrap()
    {
        subscriptions::Asked::Confirm(token) => token,
        other => panic!("expected a link to confirm, got {other:?}"),
    };
    // A published budget.
    let budget_year = 2023;
    let budget_doc = crate::budget::publish_small(&mut conn, &commune, budget_year);
    // A commitment and its mandat on that budget, so that the execution page lists them.
    let order = crate::budget::spending::commit_and_order(&mut conn, &commune, budget_year);
    let intent = db::write_tx(&mut conn, |conn| {
        use commune::revenue::mobile;
        let ask = mobile::Ask {
            taxpayer: payer.id,
            amount: commune::money::Xof(100),
            provider: mobile::ProviderKind::Wave,
            currency: "XOF".into(),
            phone: None,
        };
        mobile::open(conn, &commune, &ask, commune.today())
    })
    .unwrap()
    .reference;
    // The walk's receipt declared in a cash-up, and a bank statement.
    let (cashup, statement) =
        crate::revenue::treasury::walk_ids(&mut conn, &commune, collector.id, receipt.id);
    Ids {
        intent,
        cashup,
        statement,
        budget_year,
        budget_doc,
        order,
        project: project.0,
        subscription,
        proposal: proposal.0,
        round: round.round.0,
        area: round.area.0,
        taxpayer: taxpayer.0,
        other_taxpayer: other_taxpayer.0,
        roll: roll.0,
        receipt: receipt.id.0,
        code: receipt.verification_code.clone(),
        user: citizen.id.0,
        reset,
        invitation,
    }
}

/// A route's pattern with real values.
fn concrete(path: &str, ids: &Ids) -> String {
    path.replace("{commune}", DAKAR)
        .replace("{file}", "commune.css")
        .replace("{locale}", "fr")
        .replace(
            "/password/reset/{token}",
            &format!("/password/reset/{}", ids.reset),
        )
        .replace(
            "/invitations/{token}",
            &format!("/invitations/{}", ids.invitation),
        )
        .replace(
            "/subscriptions/{token}",
            &format!("/subscriptions/{}", ids.subscription),
        )
        .replace("{project}", &ids.project.to_string())
        .replace("{year}", &ids.budget_year.to_string())
        .replace("{doc}", &ids.budget_doc.to_string())
        .replace("{order}", &ids.order.to_string())
        .replace("{intent}", &ids.intent)
        .replace("{cashup}", &ids.cashup.to_string())
        .replace("{statement}", &ids.statement.to_string())
        .replace("{user}", &ids.user.to_string())
        .replace("{roll}", &ids.roll.to_string())
        .replace("{round}", &ids.round.to_string())
        .replace("{area}", &ids.area.to_string())
        .replace("{proposal}", &ids.proposal.to_string())
        .replace("/taxpayers/{id}", &format!("/taxpayers/{}", ids.taxpayer))
        .replace("/rolls/{id}", &format!("/rolls/{}", ids.roll))
        .replace("/receipts/{id}", &format!("/receipts/{}", ids.receipt))
        .replace("{code}", &ids.code)
        .replace("/tokens/{id}", "/tokens/1")
        .replace(
            "/merge",
            &format!("/merge?duplicate={}", ids.other_taxpayer),
        )
}

/// The demo role that may open a route, or none for a public one.
fn role_for(access: Access) -> Option<&'static str> {
    match access {
        Access::Public => None,
        Access::LoggedIn => Some("citizen"),
        Access::In(perm) | Access::Bearer(perm) => Role::ALL
            .iter()
            .find(|r| authz::allows(perm, &[**r]))
            .map(|r| r.as_str()),
    }
}

/// Every page of the route table (walked from `route_specs()`, so a new page cannot be
/// missed), opened by a role that may open it, in French and in English, answers
/// without error (strict mode turns any missing value or message into an error, so a
/// 200 means nothing was missing); and every GET route answers HEAD alike, with no
/// body.
#[actix_web::test]
async fn every_page_of_the_route_table_renders_in_french_and_in_english_and_answers_head() {
    let app = TestApp::spawn().await;
    let ids = demo_ids(&app);
    let mut visited = 0;
    for spec in route_specs().into_iter().filter(|s| s.method == "GET") {
        let path = concrete(spec.path, &ids);
        let c = match (role_for(spec.access), spec.access) {
            // A phone's route: the role's personal token, not a session.
            (Some(role), Access::Bearer(_)) => {
                app.phone(&app.token(DAKAR, &demo_email(DAKAR, role)))
            }
            (Some(role), _) => app.login(&demo_email(DAKAR, role)).await,
            (None, _) => app.visitor(),
        };
        for (lang, marker) in [("fr", "lang=\"fr\""), ("en", "lang=\"en\"")] {
            c.get(&format!("/lang/{lang}")).await;
            let res = c.get(&path).await;
            let status = res.status();
            let html = res
                .headers()
                .get("content-type")
                .and_then(|h| h.to_str().ok())
                .is_some_and(|ct| ct.starts_with("text/html"));
            let body = res.text().await.unwrap();
            assert!(
                status.is_success() || status.is_redirection(),
                "{lang} GET {path}: {status} {body}"
            );
            if html && status.is_success() {
                assert!(body.contains(marker), "{lang} GET {path}");
            }
            let head = c
                .http
                .head(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(head.status(), status, "{lang} HEAD {path}");
            assert!(
                head.bytes().await.unwrap().is_empty(),
                "HEAD {path} has a body"
            );
        }
        visited += 1;
    }
    assert!(visited > 35, "only {visited} pages walked");
}

/// `/{commune}/` is the commune's page, at one address.
#[actix_web::test]
async fn a_communes_address_with_a_trailing_slash_redirects_to_the_one_without() {
    let app = TestApp::spawn().await;
    let res = app.visitor().get("/dakar-plateau/").await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&res), "/dakar-plateau");
}

#[actix_web::test]
async fn english_comes_from_the_browser_or_the_switch_and_french_is_the_default() {
    let app = TestApp::spawn().await;
    let v = app.visitor();
    assert!(v.text("/").await.contains("<html lang=\"fr\">"));
    let en = v
        .get_with_language("/dakar-plateau", "en-US,en;q=0.9")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Neighbourhoods and districts"));
    let fr = v
        .get_with_language("/dakar-plateau", "fr-SN,fr;q=0.9,en;q=0.5")
        .await
        .text()
        .await
        .unwrap();
    assert!(fr.contains("Quartiers et secteurs"));
    // The switch is a plain link that comes back to the same page, and it wins.
    let res = v.get("/lang/en?next=%2Fdakar-plateau").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/dakar-plateau");
    let switched = v
        .get_with_language("/dakar-plateau", "fr")
        .await
        .text()
        .await
        .unwrap();
    assert!(switched.contains("<html lang=\"en\">"));
    // Only a path on this site: other hosts, however disguised, send the visitor home.
    for next in [
        "https://evil.example",
        "%2F%2Fevil.example",
        "%2F%09%2Fevil.example",
        "%2F%5Cevil.example",
        "%2F%0D%0ALocation:%20https://evil.example",
    ] {
        assert_eq!(
            location(&v.get(&format!("/lang/en?next={next}")).await),
            "/",
            "{next}"
        );
    }
    assert_eq!(v.get("/lang/de").await.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn error_pages_exist_in_both_languages_and_the_api_answers_errors_in_json() {
    let app = TestApp::spawn().await;
    let citizen = app.login(&demo_email(DAKAR, "citizen")).await;
    let fr = citizen.get("/dakar-plateau/admin").await;
    assert_eq!(fr.status(), StatusCode::FORBIDDEN);
    assert!(fr
        .text()
        .await
        .unwrap()
        .contains("Vous n’avez pas accès à cette page."));
    citizen.get("/lang/en").await;
    let en = citizen.get("/dakar-plateau/admin").await;
    assert!(en
        .text()
        .await
        .unwrap()
        .contains("You do not have access to this page."));
    let missing = citizen.get("/no/such/page/here").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("This page does not exist."));
    let api = citizen.get("/api/v1/dakar-plateau/audit/verify").await;
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert!(api.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let json: serde_json::Value = api.json().await.unwrap();
    assert_eq!(json["error"]["code"], "forbidden");
    assert_eq!(
        json["error"]["message"],
        "You do not have access to this page."
    );
    let anonymous = app
        .visitor()
        .get("/api/v1/dakar-plateau/audit/verify")
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(json["error"]["code"], "unauthenticated");
    // A malformed form is a clear 400 page, not a crash.
    let bad = app
        .visitor()
        .post_form("/login", &[("email", "only")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("La demande n’est pas valable."));
}

#[actix_web::test]
async fn public_pages_are_light_need_no_javascript_and_print() {
    let app = TestApp::spawn().await;
    let v = app.visitor();
    for path in ["/", "/dakar-plateau", "/abomey-calavi", "/login"] {
        let body = v.text(path).await;
        assert!(body.len() < 20_000, "{path} weighs {} bytes", body.len());
        assert!(!body.contains("<script"), "{path} uses JavaScript");
        assert!(body.contains("/static/commune.css"));
    }
    let css = v.get("/static/commune.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let css = css.text().await.unwrap();
    assert!(
        css.len() < 12_000,
        "the stylesheet weighs {} bytes",
        css.len()
    );
    assert!(css.contains("@media print"));
    assert_eq!(
        v.get("/static/nothing.js").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_json_api_lists_communes_and_their_districts() {
    let app = TestApp::spawn().await;
    let v = app.visitor();
    let list: serde_json::Value = v.get("/api/v1/communes").await.json().await.unwrap();
    let communes = list["communes"].as_array().unwrap();
    assert_eq!(communes.len(), 2);
    let one: serde_json::Value = v.get("/api/v1/abomey-calavi").await.json().await.unwrap();
    assert_eq!(one["country"], "BJ");
    assert_eq!(one["districts"].as_array().unwrap().len(), 9);
    assert!(one["districts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "Godomey"));
}

#[actix_web::test]
async fn the_health_check_answers_200_only_while_the_database_answers() {
    let app = TestApp::spawn().await;
    let v = app.visitor();
    let ok = v.get("/healthz").await;
    assert_eq!(ok.status(), StatusCode::OK);
    // Take every connection: for the service, the database no longer answers.
    let held: Vec<_> = (0..app.pool.max_size())
        .map(|_| app.pool.get().unwrap())
        .collect();
    let down = v.get("/healthz").await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(held);
    assert_eq!(v.get("/healthz").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_internal_error_is_a_500_page_in_the_visitors_language_and_json_under_the_api() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn().await;
    // Break the database behind the application's back: the districts table goes away.
    app.outside_pool()
        .get()
        .unwrap()
        .batch_execute("ALTER TABLE districts RENAME TO districts_gone")
        .unwrap();
    let v = app.visitor();
    let fr = v.get("/dakar-plateau").await;
    assert_eq!(fr.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = fr.text().await.unwrap();
    assert!(
        body.contains("Une erreur s’est produite de notre côté."),
        "{body}"
    );
    assert!(
        !body.contains("districts"),
        "the page must not leak the database error"
    );
    let en = v
        .get_with_language("/dakar-plateau", "en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Something went wrong on our side."));
    let api = v.get("/api/v1/dakar-plateau").await;
    assert_eq!(api.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let json: serde_json::Value = api.json().await.unwrap();
    assert_eq!(json["error"]["code"], "internal");
    // The rest of the site still answers.
    assert_eq!(v.get("/login").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn pages_seen_while_logged_in_are_never_kept_by_a_cache() {
    let app = TestApp::spawn().await;
    let officer = app.login(&demo_email(DAKAR, "finance_officer")).await;
    for path in [
        "/account",
        "/dakar-plateau/home",
        "/dakar-plateau/finance/taxpayers",
        "/dakar-plateau/finance/export/taxpayers.csv",
        "/dakar-plateau/nothing-here",
    ] {
        let res = officer.get(path).await;
        let cache = res
            .headers()
            .get("cache-control")
            .map(|h| h.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(cache.contains("no-store"), "{path}: {cache:?}");
    }
}

#[actix_web::test]
async fn a_site_served_over_https_tells_browsers_to_use_nothing_else() {
    let secure = TestApp::builder()
        .base_url("https://commune.example.sn")
        .spawn()
        .await;
    let res = secure.visitor().get("/").await;
    let hsts = res
        .headers()
        .get("strict-transport-security")
        .map(|h| h.to_str().unwrap().to_string());
    assert_eq!(hsts.as_deref(), Some("max-age=31536000"));
    let plain = TestApp::spawn().await;
    let res = plain.visitor().get("/").await;
    assert!(!res.headers().contains_key("strict-transport-security"));
}

#[actix_web::test]
async fn the_logout_button_of_an_error_page_logs_out() {
    // Arrange: a logged-in officer on a taxpayer who does not exist.
    let app = TestApp::spawn().await;
    let c = app.login(&demo_email(DAKAR, "finance_officer")).await;
    let res = c.get("/dakar-plateau/finance/taxpayers/999999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = scraper::Html::parse_document(&res.text().await.unwrap());
    let selector = scraper::Selector::parse("form[action='/logout'] input[name=_csrf]").unwrap();
    let token = page
        .select(&selector)
        .next()
        .expect("a logout button")
        .value()
        .attr("value")
        .unwrap()
        .to_string();

    // Act: the button is pressed.
    let res = c.post_raw("/logout", &[("_csrf", &token)]).await;

    // Assert
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    assert_eq!(
        c.get("/dakar-plateau/finance").await.status(),
        StatusCode::SEE_OTHER
    );
}

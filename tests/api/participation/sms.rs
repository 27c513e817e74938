//! Voting by SMS through the gateway's signed webhook: a good vote, a bad signature, a
//! stale or replayed message, an unknown phone and a message that makes no sense; and
//! the person who voted by SMS cannot vote again online.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use super::voting::open_vote_in;
use crate::helpers::{TestApp, DAKAR, SMS_SECRET};

fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

async fn deliver(
    app: &TestApp,
    id: &str,
    from: &str,
    text: &str,
    secret: &str,
    age: i64,
) -> (StatusCode, Value) {
    let body = json!({ "id": id, "from": from, "text": text }).to_string();
    let t = chrono::Utc::now().timestamp() - age;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/{DAKAR}/sms/inbound", app.base))
        .header("Content-Type", "application/json")
        .header("X-Sms-Signature", signature(secret, t, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn count(app: &TestApp, round: i64) -> (i64, i64) {
    use commune::db::schema::{ballots, participations};
    use diesel::prelude::*;
    let mut conn = app.conn();
    let b = ballots::table
        .filter(ballots::round_id.eq(round))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let p = participations::table
        .filter(participations::round_id.eq(round))
        .filter(participations::channel.eq("sms"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    (b, p)
}

#[actix_web::test]
async fn a_registered_phone_votes_by_sms_once_and_every_bad_message_is_refused() {
    let app = TestApp::spawn().await;
    let round = open_vote_in(&mut app.conn(), &app.db.url());
    let vote = format!("VOTE {round} 1 2");

    // Badly signed, or signed too long ago: nothing happens.
    let (status, body) = deliver(&app, "m0", "+221776451230", &vote, "not-the-secret", 0).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_signature"))
    );
    let (status, body) = deliver(&app, "m0", "+221776451230", &vote, SMS_SECRET, 3_600).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("stale"))
    );
    assert_eq!(count(&app, round), (0, 0));

    // Ousmane's phone, as the gateway writes it: the vote counts, the reply carries a receipt.
    let (status, body) = deliver(&app, "m1", "+221776451230", &vote, SMS_SECRET, 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ok"], true, "{body}");
    let reply = body["reply"].as_str().unwrap();
    assert!(
        reply.starts_with("Vote enregistré, merci ! Votre reçu : "),
        "{reply}"
    );
    assert_eq!(count(&app, round), (1, 1));
    let sent: Vec<String> = std::fs::read_dir(app.outbox.path().join("sms"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(sent
        .iter()
        .any(|m| m.starts_with("To: +221776451230") && m.contains(reply)));

    // The same message again (the gateway retries): refused, nothing counted twice.
    let (status, body) = deliver(&app, "m1", "+221776451230", &vote, SMS_SECRET, 0).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("replayed"))
    );
    // Another message from the same voter: already voted.
    let (_, body) = deliver(
        &app,
        "m2",
        "+221776451230",
        &format!("VOTE {round} 3"),
        SMS_SECRET,
        0,
    )
    .await;
    assert_eq!(body["ok"], false);
    assert!(
        body["reply"].as_str().unwrap().contains("déjà voté"),
        "{body}"
    );
    assert_eq!(count(&app, round), (1, 1));

    // A phone not on the register, a message that is not a vote, a vote that breaks the
    // ballot's rules: each gets a clear reply, and no ballot.
    let (_, body) = deliver(&app, "m3", "+221700000000", &vote, SMS_SECRET, 0).await;
    assert!(body["reply"]
        .as_str()
        .unwrap()
        .contains("n’est pas sur la liste des votants"));
    let (_, body) = deliver(
        &app,
        "m4",
        "+221776451230",
        "Bonjour, je vote pour le forage",
        SMS_SECRET,
        0,
    )
    .await;
    assert!(body["reply"]
        .as_str()
        .unwrap()
        .starts_with("Message non compris."));
    let (_, body) = deliver(&app, "m5", "+221776451230", "VOTE 999 1", SMS_SECRET, 0).await;
    assert!(body["reply"]
        .as_str()
        .unwrap()
        .contains("Aucun budget participatif n° 999"));
    assert_eq!(count(&app, round), (1, 1));
}

#[actix_web::test]
async fn an_sms_vote_is_checked_against_the_ballots_rules() {
    let app = TestApp::spawn().await;
    let round = open_vote_in(&mut app.conn(), &app.db.url());
    let (_, body) = deliver(
        &app,
        "r1",
        "77 645 12 30",
        &format!("vote {round} 1 2 3"),
        SMS_SECRET,
        0,
    )
    .await;
    assert_eq!(body["ok"], false);
    assert_eq!(
        body["reply"],
        "Vous avez choisi 3 projets ; c’est au plus 2."
    );
    let (_, body) = deliver(
        &app,
        "r2",
        "77 645 12 30",
        &format!("vote {round} 1"),
        SMS_SECRET,
        0,
    )
    .await;
    assert_eq!(
        body["ok"], true,
        "a retry after fixing the vote works: {body}"
    );
    assert_eq!(count(&app, round), (1, 1));
}

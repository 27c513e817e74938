//! Mail: through a real SMTP server on loopback, and to `.eml` files when none is set.

use reqwest::StatusCode;

use crate::helpers::{demo_email, location, TestApp, DAKAR, DEMO_PASSWORD};
use crate::smtp::SmtpSink;

/// The decoded text of a message: lettre picks quoted-printable or base64 for text
/// that is not plain ASCII, so undo whichever it chose, part by part.
pub fn decoded_body(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let parts: Vec<String> = match raw
        .split_once("boundary=\"")
        .and_then(|(_, rest)| rest.split('"').next())
    {
        Some(boundary) => raw
            .split(&format!("--{boundary}"))
            .skip(1)
            .map(str::to_string)
            .collect(),
        None => vec![raw.clone()],
    };
    let mut out = String::new();
    for part in parts {
        let Some((headers, body)) = part.trim_start_matches('\n').split_once("\n\n") else {
            continue;
        };
        let headers = headers.to_ascii_lowercase();
        if headers.contains("content-transfer-encoding: quoted-printable") {
            out.push_str(&decode_qp(body));
        } else if headers.contains("content-transfer-encoding: base64") {
            use base64::Engine;
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(clean)
                .unwrap_or_default();
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            out.push_str(body);
        }
        out.push('\n');
    }
    out
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            if let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())]).unwrap_or(""),
                16,
            ) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// The first link to a password page in a mail.
pub fn reset_link(mail: &str) -> String {
    let body = decoded_body(mail);
    let start = body.find("http://").expect("a link in the mail");
    let end = body[start..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .map(|e| start + e)
        .unwrap_or(body.len());
    body[start..end].to_string()
}

#[actix_web::test]
async fn a_forgotten_password_is_reset_through_a_link_sent_over_smtp() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::builder().smtp(smtp.url()).spawn().await;
    let email = demo_email(DAKAR, "finance_officer");
    let c = app.visitor();
    let res = c.post_form("/password/forgot", &[("email", &email)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Si un compte existe pour cette adresse"));
    let inbox = smtp.wait_for(1).await;
    assert_eq!(inbox.len(), 1, "one message arrived");
    let mail = &inbox[0];
    assert_eq!(mail.to, vec![email.clone()]);
    assert_eq!(mail.from, "no-reply@commune.localhost");
    assert!(
        mail.data
            .contains("Subject: Commune : choisir un nouveau mot de passe"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("multipart/alternative"));
    let link = reset_link(&mail.data);
    let path = link
        .strip_prefix(&app.base)
        .expect("the link points at the site");
    assert!(path.starts_with("/password/reset/"));
    assert_eq!(c.get(path).await.status(), StatusCode::OK);
    let mismatch = c
        .post_form(
            path,
            &[
                ("password", "brand new secret"),
                ("confirm", "brand new secreT"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = c
        .post_form(
            path,
            &[
                ("password", "brand new secret"),
                ("confirm", "brand new secret"),
            ],
        )
        .await;
    assert_eq!(location(&done), "/login");
    assert_eq!(
        app.visitor()
            .login(&email, "brand new secret")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // The link works once.
    assert_eq!(c.get(path).await.status(), StatusCode::BAD_REQUEST);
    let again = c
        .post_form(
            path,
            &[
                ("password", "another new secret"),
                ("confirm", "another new secret"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Ce lien n’est plus valable"));
}

#[actix_web::test]
async fn the_forgot_form_answers_the_same_for_an_unknown_address_and_sends_nothing() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::builder().smtp(smtp.url()).spawn().await;
    let res = app
        .visitor()
        .post_form("/password/forgot", &[("email", "nobody@nowhere.sn")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Si un compte existe pour cette adresse"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(smtp.inbox.lock().unwrap().is_empty());
}

#[actix_web::test]
async fn an_account_created_by_an_admin_receives_a_welcome_link_in_english_when_asked_in_english() {
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    admin.get("/lang/en").await;
    let res = admin
        .post_form(
            "/dakar-plateau/admin/users",
            &[
                ("email", "ousmane@dakar.sn"),
                ("name", "Ousmane Kane"),
                ("role", "collector"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(admin
        .text("/dakar-plateau/admin/users")
        .await
        .contains("Ousmane Kane"));
    let mails = app.mails_to("ousmane@dakar.sn", 1).await;
    let mail = &mails[0];
    assert!(
        mail.contains("Subject: Commune: your account for Dakar-Plateau"),
        "{mail}"
    );
    let link = reset_link(mail);
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let newcomer = app.visitor();
    let res = newcomer
        .post_form(
            &path,
            &[
                ("password", "my own password"),
                ("confirm", "my own password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        newcomer
            .login("ousmane@dakar.sn", "my own password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        newcomer.get("/dakar-plateau/collect").await.status(),
        StatusCode::OK
    );
    // A second role for the same address creates no second account: its owner is
    // invited by mail, and has the role once they accept.
    let res = admin
        .post_form(
            "/dakar-plateau/admin/users",
            &[
                ("email", "OUSMANE@dakar.sn"),
                ("name", "Ousmane Kane"),
                ("role", "citizen"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mails = app.mails_to("ousmane@dakar.sn", 2).await;
    let invitation = mails
        .iter()
        .find(|m| m.contains("/invitations/"))
        .expect("an invitation mail");
    assert_eq!(
        newcomer.get("/dakar-plateau/me").await.status(),
        StatusCode::FORBIDDEN
    );
    let link = reset_link(invitation);
    assert!(link.contains("/invitations/"), "{link}");
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    assert_eq!(newcomer.get(&path).await.status(), StatusCode::OK);
    let res = newcomer.post_form(&path, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        newcomer.get("/dakar-plateau/me").await.status(),
        StatusCode::OK
    );
    // A link works once.
    assert_eq!(
        newcomer.post_form(&path, &[]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[actix_web::test]
async fn reset_requests_never_lock_the_owner_out_and_send_at_most_three_mails_an_hour() {
    // Arrange
    let app = TestApp::spawn().await;
    let email = demo_email(DAKAR, "treasurer");
    let c = app.visitor();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("csrf"))
            .collect::<Vec<_>>()
            .join("\n")
    };

    // Act: six requests for the same account.
    let mut answers = Vec::new();
    for i in 0..6 {
        let res = c.post_form("/password/forgot", &[("email", &email)]).await;
        assert_eq!(res.status(), StatusCode::OK, "request {i}");
        answers.push(strip(&res.text().await.unwrap()));
    }
    let unknown = c
        .post_form("/password/forgot", &[("email", "nobody@nowhere.sn")])
        .await;

    // Assert: the same answer every time, and for an unknown address too.
    let unknown = strip(&unknown.text().await.unwrap());
    for a in &answers {
        assert_eq!(a, &unknown);
    }
    // The owner still logs in.
    let owner = app.visitor();
    assert_eq!(
        owner.login(&email, DEMO_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    // Three mails were sent, no more.
    let mails = app.mails_to(&email, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent = app.mails_to(&email, 3).await;
    assert_eq!(sent.len(), 3, "{} mails", sent.len());

    // A reset through a link clears the count: the next request sends a mail again.
    let path = reset_link(&mails[2])
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    let done = c
        .post_form(
            &path,
            &[
                ("password", "a fresh secret"),
                ("confirm", "a fresh secret"),
            ],
        )
        .await;
    assert_eq!(location(&done), "/login");
    let res = c.post_form("/password/forgot", &[("email", &email)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.mails_to(&email, 4).await.len(), 4);
}

#[actix_web::test]
async fn a_reset_with_a_wrong_link_is_refused_before_any_work_and_limited_per_address() {
    // Arrange: every request comes through a proxy that names the client.
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1")
        .spawn()
        .await;
    let guesser = app.visitor();
    let pair = [
        ("password", "a guessed secret"),
        ("confirm", "a guessed secret"),
    ];

    // Act: links that do not exist, with a new password that would be accepted.
    for i in 0..10 {
        let res = guesser
            .post_form_forwarded_for("41.82.1.1", &format!("/password/reset/{i:064x}"), &pair)
            .await;
        // Assert: refused for the link, before the form is even read.
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "attempt {i}");
    }
    let mismatch = guesser
        .post_form_forwarded_for(
            "41.82.1.3",
            &format!("/password/reset/{:064x}", 77),
            &[("password", "a guessed secret"), ("confirm", "another one")],
        )
        .await;
    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    let blocked = guesser
        .post_form_forwarded_for("41.82.1.1", &format!("/password/reset/{:064x}", 11), &pair)
        .await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));

    // A real link, from another address, still works.
    let email = demo_email(DAKAR, "citizen");
    let owner = app.visitor();
    let res = owner
        .post_form_forwarded_for("41.82.1.2", "/password/forgot", &[("email", &email)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mails = app.mails_to(&email, 1).await;
    let path = reset_link(&mails[0])
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    let done = owner
        .post_form_forwarded_for(
            "41.82.1.2",
            &path,
            &[
                ("password", "the owner's secret"),
                ("confirm", "the owner's secret"),
            ],
        )
        .await;
    assert_eq!(location(&done), "/login");
    assert_eq!(
        owner
            .login_forwarded_for("41.82.1.2", &email, "the owner's secret")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

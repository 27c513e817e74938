//! The administrator's workflow: inviting people into roles without learning anything
//! about other communes' accounts, and never granting a role to oneself.

use reqwest::StatusCode;

use crate::helpers::{demo_email, location, TestApp, DAKAR};

#[actix_web::test]
async fn an_admin_cannot_grant_a_role_to_themselves() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let me = {
        let mut conn = app.conn();
        commune::accounts::users::by_email(&mut conn, &demo_email(DAKAR, "admin"))
            .unwrap()
            .unwrap()
            .id
    };

    // Act: through the role form, and through the invitation form.
    let grant = admin
        .post_form(
            &format!("/{DAKAR}/admin/users/{me}/roles"),
            &[("role", "finance_officer"), ("action", "grant")],
        )
        .await;
    let invite = admin
        .post_form(
            &format!("/{DAKAR}/admin/users"),
            &[
                ("email", &demo_email(DAKAR, "admin")),
                ("name", "Awa Ndiaye"),
                ("role", "finance_officer"),
            ],
        )
        .await;

    // Assert: both refused, and the admin still cannot open the finance space.
    for res in [grant, invite] {
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Personne ne se donne un rôle"));
    }
    assert_eq!(
        admin.get(&format!("/{DAKAR}/finance")).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn inviting_an_account_of_another_commune_answers_as_for_a_new_address_and_attaches_nothing()
{
    // Arrange: the Dakar admin, and an address that has an account in Abomey-Calavi only.
    let app = TestApp::spawn().await;
    let admin = app.login(&demo_email(DAKAR, "admin")).await;
    let elsewhere = demo_email("abomey-calavi", "collector");
    let invite = |email: String| {
        let admin = &admin;
        async move {
            admin
                .post_form(
                    &format!("/{DAKAR}/admin/users"),
                    &[
                        ("email", email.as_str()),
                        ("name", "Quelqu’un"),
                        ("role", "collector"),
                    ],
                )
                .await
        }
    };

    // Act
    let known = invite(elsewhere.clone()).await;
    let known_to = location(&known);
    let known_page = admin.text(&known_to).await;
    let new = invite("new.person@example.sn".into()).await;
    let new_to = location(&new);
    let new_page = admin.text(&new_to).await;

    // Assert: the same answer, word for word; the existing account is not a member of
    // Dakar until its owner accepts, and gets an invitation, not a password link.
    assert_eq!(known.status(), new.status());
    assert_eq!(known_to, new_to);
    let flash = |page: &str| {
        let doc = scraper::Html::parse_document(page);
        let sel = scraper::Selector::parse("p.flash").unwrap();
        doc.select(&sel)
            .next()
            .map(|e| e.text().collect::<String>())
    };
    assert_eq!(flash(&known_page), flash(&new_page));
    assert!(flash(&known_page).is_some());
    let members = admin.text(&format!("/{DAKAR}/admin/users")).await;
    assert!(!members.contains(&elsewhere), "{members}");
    assert!(members.contains("new.person@example.sn"));
    let mails = app.mails_to(&elsewhere, 1).await;
    assert!(mails[0].contains("/invitations/"), "{}", mails[0]);
    assert!(!mails[0].contains("/password/reset/"));
}

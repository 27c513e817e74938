//! The demo communes: built into the binary, replaced by a folder when one is named, and
//! absent when the application starts without them.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn without_the_demo_the_site_has_no_commune_and_no_demo_account() {
    let app = TestApp::builder().without_demo().spawn().await;
    let home = app.visitor().text("/").await;
    assert!(
        home.contains("Aucune commune n’est encore hébergée"),
        "{home}"
    );
    assert_eq!(
        app.visitor().get("/dakar-plateau").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .visitor()
        .login("admin@dakar-plateau.demo", crate::helpers::DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_seed_folder_named_in_the_settings_replaces_the_built_in_demo() {
    // Arrange: a folder holding one commune of its own.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("demo.toml"),
        "password = \"another-demo\"\n",
    )
    .unwrap();
    let commune = dir.path().join("fatick");
    std::fs::create_dir(&commune).unwrap();
    std::fs::write(
        commune.join("commune.toml"),
        "slug = \"fatick\"\nname = \"Fatick\"\ncountry = \"SN\"\ncode = \"FTK\"\n",
    )
    .unwrap();
    std::fs::write(
        commune.join("districts.csv"),
        "name,kind\nNdiaye-Ndiaye,quartier\n",
    )
    .unwrap();
    std::fs::write(
        commune.join("users.csv"),
        "email,name,role\nadmin@fatick.demo,Fatou Sarr,admin\n",
    )
    .unwrap();

    // Act
    let app = TestApp::builder()
        .seed_dir(dir.path().to_path_buf())
        .spawn()
        .await;

    // Assert: that commune, with that password; not the built-in ones.
    let home = app.visitor().text("/").await;
    assert!(
        home.contains("Fatick") && !home.contains("Dakar-Plateau"),
        "{home}"
    );
    let c = app.visitor();
    let res = c.login("admin@fatick.demo", "another-demo").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

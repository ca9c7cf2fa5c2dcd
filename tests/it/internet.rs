//! What a stranger on the internet can and cannot do: lock the editor out (no), store a form
//! twice by reloading (no), make the admin show a notice of their own (no), see a parser's
//! error (no). And what an operator relies on: the health check, JSON errors from the API,
//! password reset by email, the list of signed-in browsers, a `serve` that needs its address.

use roundtable::store::Backend;

use crate::helpers::{csrf_of, post_url, test_client, visible_text, TestApp};
use crate::smtp::SmtpServer;
use crate::workflow::{seed, sign_in, PASSWORD};

async fn guess(app: &TestApp, client: &reqwest::Client, password: &str) -> u16 {
    client
        .post(app.url("/admin/login"))
        .form(&[
            ("email", "editor@example.org"),
            ("password", password),
            ("next", "/admin/"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn strangers_guessing_cannot_lock_the_editor_out_of_their_own_browser(backend: Backend) {
    let mail = crate::smtp::settings_for_port(crate::smtp::free_port());
    let app = TestApp::empty(backend, mail).await;
    seed(&app.store).await;
    // The editor signed in from this browser before, and signed out again.
    sign_in(&app).await;
    let (_, dashboard) = app.get("/admin/").await;
    let signed_out = app
        .client
        .post(app.url("/admin/logout"))
        .form(&[("csrf", csrf_of(&dashboard))])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status().as_u16(), 303);

    // Forty wrong guesses from browsers that never signed in, 25 of them at the same moment:
    // every one is counted, so no more than the allowance (10) reaches the password check.
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..25 {
        let url = app.url("/admin/login");
        burst.spawn(async move {
            let form = [("email", "editor@example.org"), ("password", "wrong guess")];
            let response = test_client().post(url).form(&form).send().await.unwrap();
            response.status().as_u16()
        });
    }
    let statuses = burst.join_all().await;
    assert!(
        statuses.iter().all(|s| [401, 429].contains(s)),
        "{statuses:?}"
    );
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 10,
        "{checked} of the burst reached the password check"
    );
    for _ in 0..15 {
        guess(&app, &test_client(), "another guess").await;
    }
    assert_eq!(guess(&app, &test_client(), "one more").await, 429);

    // The editor's own browser still has its allowance.
    assert_eq!(guess(&app, &app.client, PASSWORD).await, 303);
    let (status, _) = app.get("/admin/").await;
    assert_eq!(status, 200, "signed in from the known browser");
    // A browser that never signed in is still throttled, right password or not.
    assert_eq!(guess(&app, &test_client(), PASSWORD).await, 429);
}

#[tokio::test]
async fn strangers_guessing_cannot_lock_the_editor_out_on_sqlite() {
    strangers_guessing_cannot_lock_the_editor_out_of_their_own_browser(Backend::Sqlite).await;
}

#[tokio::test]
async fn strangers_guessing_cannot_lock_the_editor_out_on_postgres() {
    strangers_guessing_cannot_lock_the_editor_out_of_their_own_browser(Backend::Postgres).await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_email_once_and_signs_out_every_browser() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let stranger = test_client();
    // The form answers the same for an unknown address, and sends nothing for it.
    for email in ["nobody@example.org", "editor@example.org"] {
        let response = stranger
            .post(app.url("/admin/forgot"))
            .form(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/admin/forgot?sent=1");
    }
    let (_, sent) = app.get("/admin/forgot?sent=1").await;
    assert!(visible_text(&sent).contains("a link to choose a new password is on its way"));
    roundtable::mail::run_once(&app.store, &smtp.settings())
        .await
        .unwrap();
    let messages = smtp.wait_for_messages(1).await;
    assert_eq!(messages.len(), 1, "only the editor's address gets a link");
    let mail = crate::helpers::read_mail(&messages[0]);
    assert_eq!(mail.to, "editor@example.org");
    let link = mail
        .text
        .split_whitespace()
        .find(|w| w.contains("/admin/reset/"))
        .expect("a reset link")
        .to_string();
    assert!(link.starts_with(&app.url("/admin/reset/")), "{link}");
    let path = &link[app.url("").len()..];

    let (status, page) = app.get(path).await;
    assert_eq!(status, 200);
    assert!(visible_text(&page).contains("Choose a new password"));
    // Two different passwords: shown again with the reason, the link still good.
    let mismatch = stranger
        .post(&link)
        .form(&[
            ("password", "new password one"),
            ("again", "new password two"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status().as_u16(), 422);
    assert!(mismatch.text().await.unwrap().contains("differ"));
    let saved = stranger
        .post(&link)
        .form(&[
            ("password", "a brand new password"),
            ("again", "a brand new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(saved.headers()["location"], "/admin/login?reset=1");
    // The browser signed in before is signed out; the link works once.
    let (status, _) = app.get("/admin/").await;
    assert_eq!(status, 303, "the old session ended with the new password");
    let (status, page) = app.get(path).await;
    assert_eq!(status, 404);
    assert!(visible_text(&page).contains("not valid any more"));
    assert_eq!(guess(&app, &app.client, "a brand new password").await, 303);
}

#[tokio::test]
async fn the_editor_sees_their_signed_in_browsers_and_can_end_the_others() {
    let mail = crate::smtp::settings_for_port(crate::smtp::free_port());
    let app = TestApp::empty(Backend::Sqlite, mail).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let laptop = test_client();
    assert_eq!(guess(&app, &laptop, PASSWORD).await, 303);
    let (status, page) = app.get("/admin/sessions/").await;
    assert_eq!(status, 200);
    let text = visible_text(&page);
    assert!(text.contains("(this browser)"), "{text}");
    assert_eq!(page.matches("<tr>").count() - 1, 2, "two browsers listed");
    let ended = app
        .client
        .post(app.url("/admin/sessions/end-others"))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status().as_u16(), 303);
    let (_, page) = app.get("/admin/sessions/").await;
    assert!(visible_text(&page).contains("Every other browser is signed out."));
    let other = laptop.get(app.url("/admin/")).send().await.unwrap();
    assert_eq!(other.status().as_u16(), 303, "the laptop is signed out");
}

#[tokio::test]
async fn reloading_after_a_comment_or_a_suggestion_stores_it_once() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_url(&app, "Salary").await;
    let fields = [
        ("name", "Ada Reader"),
        ("email", "ada@example.org"),
        ("body", "A comment sent twice by a double click."),
    ];
    let mut locations = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url(&format!("{post}comments")))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "answered with a redirect");
        locations.push(response.headers()["location"].to_str().unwrap().to_string());
    }
    assert_eq!(
        locations[0], locations[1],
        "the second sending lands where the first did"
    );
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM comments WHERE body = 'A comment sent twice by a double click.'",
    )
    .fetch_one(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    assert_eq!(stored, 1);
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'alert'")
        .fetch_one(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    assert_eq!(alerts, 1, "the editor is told once");
    // The page it lands on shows the comment as waiting, to its author only.
    let (status, held) = app.get(&locations[0]).await;
    assert_eq!(status, 200);
    let text = visible_text(&held);
    assert!(
        text.contains("A comment sent twice by a double click."),
        "{text}"
    );
    let forged = locations[0].replace("held=", "held=9");
    let (status, _) = app.get(&forged).await;
    assert_eq!(
        status, 303,
        "a forged address shows the post, not the comment"
    );

    // The suggest form carries its own key: sending the same form twice stores one question.
    let (_, form) = app.get("/suggest/").await;
    let key = form
        .split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries a key")
        .to_string();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url("/suggest/"))
            .form(&[
                ("question", "Do you read cover letters first?"),
                ("form_key", key.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/suggest/?sent=1");
    }
    let questions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM questions WHERE prompt = 'Do you read cover letters first?'",
    )
    .fetch_one(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    assert_eq!(questions, 1);
    let (_, thanks) = app.get("/suggest/?sent=1").await;
    assert!(visible_text(&thanks).contains("Your question is in the editor’s queue"));
}

#[tokio::test]
async fn the_admin_shows_only_notices_it_wrote_itself() {
    let mail = crate::smtp::settings_for_port(crate::smtp::free_port());
    let app = TestApp::empty(Backend::Sqlite, mail).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let (status, page) = app
        .get("/admin/?done=Your%20account%20is%20suspended.%20Call%20555-0100")
        .await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("suspended"),
        "text from the address is never shown"
    );
    // A real change leaves its notice for the next page, once.
    let (_, settings) = app.get("/admin/settings/").await;
    let saved = app
        .client
        .post(app.url("/admin/settings/"))
        .form(&[
            ("csrf", csrf_of(&settings)),
            ("site_title", "Test Column".to_string()),
            ("site_tagline", String::new()),
            ("timezone", "UTC".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(saved.headers()["location"], "/admin/settings/");
    let (_, page) = app.get("/admin/settings/").await;
    assert!(visible_text(&page).contains("Settings saved."));
    let (_, page) = app.get("/admin/settings/").await;
    assert!(
        !visible_text(&page).contains("Settings saved."),
        "shown once"
    );
}

#[tokio::test]
async fn malformed_ids_are_not_found_and_api_errors_are_json() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let mail = crate::smtp::settings_for_port(crate::smtp::free_port());
    let editor_app = TestApp::empty(Backend::Sqlite, mail).await;
    seed(&editor_app.store).await;
    sign_in(&editor_app).await;
    for path in [
        "/admin/rounds/abc/",
        "/admin/panel/-1/",
        "/admin/questions/99999999999999999999/",
    ] {
        let (status, body) = editor_app.get(path).await;
        assert_eq!(status, 404, "{path}");
        let text = visible_text(&body);
        assert!(text.contains("Page not found"), "{path}: {text}");
        assert!(!text.contains("Cannot parse"), "{path}: {text}");
    }
    for (path, status) in [
        ("/api/v1/posts/abc", 404),
        ("/api/v1/posts/424242", 404),
        ("/api/v1/nothing-here", 404),
        ("/api/v1/posts?page=zero", 400),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["status"], status, "{path}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}: {body}"
        );
    }
    let response = app
        .client
        .get(app.url("/api/v1/posts?page=zero"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["error"], "page must be a whole number from 1");
}

#[tokio::test]
async fn the_health_check_answers_while_the_database_does() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(response.text().await.unwrap(), "ok\n");
    app.store.close().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
}

#[test]
fn serve_refuses_to_start_without_a_base_url_unless_it_is_a_local_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("column.db").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(["--database-url", &db, "serve", "--addr", "127.0.0.1:0"])
        .env_remove("ROUNDTABLE_BASE_URL")
        .env("ROUNDTABLE_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--base-url"), "{stderr}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args([
            "--database-url",
            &db,
            "serve",
            "--addr",
            "0.0.0.0:0",
            "--demo",
        ])
        .env_remove("ROUNDTABLE_BASE_URL")
        .env("ROUNDTABLE_LOG", "off")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a demo open to the network needs its address too"
    );
}

#[tokio::test]
async fn an_unsubscribe_link_from_an_older_newsletter_still_works() {
    use roundtable::domain::Email;
    use roundtable::tokens::token_hash;
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let email = Email::parse("old-reader@example.org").unwrap();
    app.store
        .add_subscriber(&email, &token_hash("confirm"), None)
        .await
        .unwrap();
    app.store
        .confirm_subscriber(&token_hash("confirm"))
        .await
        .unwrap();
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM subscribers WHERE email = 'old-reader@example.org'")
            .fetch_one(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    // Newsletters sent before tokens were HMACs carry this form of link.
    let secret = app.store.secret("unsubscribe").await.unwrap();
    let legacy = token_hash(&format!("{secret}:unsubscribe:{id}"))[..32].to_string();
    let (status, page) = app.get(&format!("/unsubscribe/{id}/{legacy}")).await;
    assert_eq!(status, 200, "{}", visible_text(&page));
    let (status, _) = app
        .post_form(&format!("/unsubscribe/{id}/{legacy}"), &[])
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get(&format!("/unsubscribe/{id}/{}", "0".repeat(32)))
        .await;
    assert_eq!(status, 404, "a made-up token is refused");
}

//! "Your answers": a panelist's own page, from the link in their invitation and receipts.
//! They sign a published answer anonymously (at once, everywhere), correct their profile,
//! download their data and erase themselves. Over HTTP on both databases, and in Chromium.

use roundtable::store::Backend;

use crate::editorial::{answer_fields, answer_id_of, published, round_sent};
use crate::helpers::{visible_text, TestApp};
use crate::privacy::assert_nowhere_public;
use crate::smtp::SmtpServer;
use crate::workflow::seed;

/// The link to the panelist's own page in the newest mail to them.
async fn yours_link(app: &TestApp, to: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    let at = body.find("/you/").expect("a link to their own page");
    body[at..].split_whitespace().next().unwrap().to_string()
}

/// A published post with Ana's named answer and Bo's; Ana's page link.
async fn ana_published(app: &TestApp) -> (i64, i64, String, String) {
    seed(&app.store).await;
    let (round_id, link) = round_sent(app).await;
    let ana_words = "I ask what they hope to learn, every single time.";
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "named", ana_words),
    )
    .await;
    app.post_form(
        &link("bo"),
        &answer_fields("Bo Rolewright", "named", "I ask about the team."),
    )
    .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let bo = answer_id_of(&app.store, round_id, "Bo Rolewright").await;
    let (_, url) = published(app, round_id, &[ana, bo]).await;
    let page = yours_link(app, "ana@panel.example.org").await;
    (ana, bo, url, page)
}

async fn a_panelist_manages_their_answers_and_data_on_their_own_page(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    let (ana, bo, url, page) = ana_published(&app).await;
    let invitation: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE kind = 'invitation' AND to_addr = 'ana@panel.example.org'",
    )
    .fetch_one(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    assert!(
        invitation.contains(&page),
        "the invitation links to her page too"
    );

    let (status, html) = app.get(&page).await;
    assert_eq!(status, 200);
    let text = visible_text(&html);
    assert!(text.contains("Your answers, Ana Named"), "{text}");
    assert!(text.contains("signed with your name"), "{text}");
    assert!(text.contains("published in “The last question”"), "{text}");
    assert!(
        !text.contains("I ask about the team"),
        "only her own answers"
    );

    // Links that are not hers find nothing.
    let other = page.replacen("/you/", "/you/9", 1);
    assert_eq!(app.get(&other).await.0, 404);
    let (status, html) = app
        .get(&page.replace(|c: char| c.is_ascii_hexdigit() && c != '0', "0"))
        .await;
    assert_eq!(status, 404, "{html}");

    // Someone else's answer is refused; her own is signed anonymously at once, everywhere.
    let (status, html) = app
        .post_form(
            &page,
            &[("action", "anonymous"), ("answer", &bo.to_string())],
        )
        .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("That answer is not one of yours."));
    let (status, html) = app
        .post_form(
            &page,
            &[("action", "anonymous"), ("answer", &ana.to_string())],
        )
        .await;
    assert_eq!(status, 200);
    assert!(visible_text(&html).contains("signed “Anonymous” now"));
    let words = ["Ana", "hope", "learn", "single"];
    let canary = ["Ana Named", "ana@panel.example.org", "ana-named"];
    assert_nowhere_public(&app, &canary, &words, "signing anonymously on her page").await;
    assert!(app.get(&url).await.1.contains("every single time"));

    // The profile: a mistake comes back as typed; then it is saved.
    let profile = [
        ("action", "profile"),
        ("name", ""),
        ("title", "Dean of Libraries"),
        ("institution", "Keene State College"),
    ];
    let (status, html) = app.post_form(&page, &profile).await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"Dean of Libraries\"") && html.contains("Give your name"));
    let mut profile = profile.to_vec();
    profile[1] = ("name", "Ana Named");
    let (status, _) = app.post_form(&page, &profile).await;
    assert_eq!(status, 200);
    let saved = app
        .store
        .panelist_by_email("ana@panel.example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.title.as_deref(), Some("Dean of Libraries"));

    // Her data, whole, as JSON.
    let response = app
        .client
        .get(app.url(&format!("{page}data.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let data: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(data["profile"]["email"], "ana@panel.example.org");
    assert_eq!(
        data["answers"][0]["body"],
        "I ask what they hope to learn, every single time."
    );
    assert_eq!(data["answers"][0]["attribution"], "anonymous");

    // Erasing herself: a choice and a tick first; then nothing of her is left, link included.
    let (status, html) = app
        .post_form(&page, &[("action", "erase"), ("answers", "remove")])
        .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("You are not erased"));
    let (status, html) = app
        .post_form(
            &page,
            &[
                ("action", "erase"),
                ("answers", "remove"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(visible_text(&html).contains("You are erased"));
    assert_eq!(app.get(&page).await.0, 404);
    let gone = ["Ana Named", "every single time", "ana@panel.example.org"];
    assert_nowhere_public(&app, &gone, &words, "her erasure").await;
    let alerts: Vec<String> =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE subject LIKE '%erased themselves%'")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    assert!(
        !alerts.is_empty() && alerts.iter().all(|a| !a.contains("Ana")),
        "{alerts:?}"
    );
}

#[tokio::test]
async fn a_panelist_manages_their_answers_and_data_on_their_own_page_on_sqlite() {
    a_panelist_manages_their_answers_and_data_on_their_own_page(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_panelist_manages_their_answers_and_data_on_their_own_page_on_postgres() {
    a_panelist_manages_their_answers_and_data_on_their_own_page(Backend::Postgres).await;
}

/// In Chromium at desktop and phone widths: her page fits the screen, signs her answer
/// anonymously, gives her data, and erases her; the page and the answer page (with its
/// withdraw form) pass the Nu HTML Checker and axe-core.
#[tokio::test]
async fn a_panelist_uses_their_own_page_in_the_browser() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    let (_, _, url, page) = ana_published(&app).await;
    let answer_link: String = {
        let (_, html) = app.get(&page).await;
        let at = html.find("href=\"/answer/").unwrap() + 6;
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let pages = vec![
        ("yours.html".to_string(), app.get(&page).await.1),
        (
            "answer-withdraw.html".to_string(),
            app.get(&answer_link).await.1,
        ),
    ];
    crate::validators::assert_valid_html(&pages).await;
    crate::validators::assert_accessible(&[app.url(&page), app.url(&answer_link)]).await;

    let scratch = tempfile::tempdir().unwrap();
    let shots = std::env::var_os("ROUNDTABLE_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let browser = crate::browser::Browser::start().await;
    for (width, height, suffix) in [(1280, 900, ""), (390, 844, "-mobile")] {
        browser.resize(width, height).await;
        browser.open(&app.url(&page)).await;
        browser.wait_for_text("Every answer you gave").await;
        browser.assert_fits("her page").await;
        browser
            .screenshot(&shots.join(format!("panelist-yours{suffix}.png")))
            .await;
    }
    browser.submit("Sign it “Anonymous”").await;
    browser.wait_for_text("signed “Anonymous” now").await;
    browser.open(&app.url(&url)).await;
    let text = browser.wait_for_text("every single time").await;
    assert!(!text.contains("Ana Named"), "{text}");
    // The download link is on the page; what it downloads is her data, as it is now.
    browser.open(&app.url(&page)).await;
    browser
        .wait_for_text("Download everything the column holds about you")
        .await;
    let data = app.get(&format!("{page}data.json")).await.1;
    assert!(data.contains("\"attribution\": \"anonymous\""), "{data}");
    browser.open(&app.url(&page)).await;
    browser.wait_for_text("Erase me").await;
    browser.set_checked("e-anonymous", true).await;
    browser.set_checked("e-confirm", true).await;
    browser.submit("Erase me").await;
    browser.wait_for_text("You are erased").await;
    browser.open(&app.url(&url)).await;
    let text = browser.wait_for_text("every single time").await;
    assert!(
        !text.contains("Ana Named") && text.contains("Anonymous"),
        "{text}"
    );
    browser.quit().await;
}

//! The editor's direct control of posts: revisions kept of every published change, compared
//! and restored; plain posts and pages written outside rounds (past dates included); taking
//! a post down (410 Gone, or a redirect) and deleting one. Driven through HTTP as the editor
//! would, on SQLite and PostgreSQL.

use roundtable::store::Backend;

use crate::editorial::{
    answer_fields, answer_id_of, compiled, confirmed_subscriber, published, round_sent,
};
use crate::helpers::{visible_text, TestApp};
use crate::smtp::SmtpServer;
use crate::workflow::{admin_post, seed, sign_in};

fn fields(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// The words a diff marks with `tag` (`ins` or `del`), joined by spaces.
fn marked(html: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    html.split(open.as_str())
        .skip(1)
        .filter_map(|rest| rest.split(close.as_str()).next())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The status and Location header of a GET, redirects not followed.
async fn head_of(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (response.status().as_u16(), location)
}

async fn every_published_change_keeps_a_revision_that_can_be_restored(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let first = "I ask what they want to learn in their first year.";
    app.post_form(&link("ana"), &answer_fields("Ana Named", "named", first))
        .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let (post_id, url) = published(&app, round_id, &[ana]).await;
    sign_in(&app).await;
    let admin_page = format!("/admin/posts/{post_id}/");
    let edit = format!("/admin/posts/{post_id}/edit");
    let revisions = format!("/admin/posts/{post_id}/revisions");

    // A direct edit of the published post: readers see it at once, and a revision is kept.
    let (_, form) = app.get(&edit).await;
    assert!(visible_text(&form).contains("readers see what you save at once"));
    let (status, location, _) = admin_post(
        &app,
        &edit,
        &edit,
        &fields(&[
            ("title", "The last question, revisited"),
            (
                "body",
                "Three hiring managers on the question that ends an interview.",
            ),
            ("tags", "interviews"),
            ("categories", "Hiring"),
        ]),
    )
    .await;
    assert_eq!((status, location.as_str()), (303, admin_page.as_str()));
    let (_, public) = app.get(&url).await;
    assert!(visible_text(&public).contains("The last question, revisited"));
    assert!(visible_text(&public).contains("Three hiring managers"));
    let (_, tag) = app.get("/tag/interviews/").await;
    assert!(visible_text(&tag).contains("The last question, revisited"));

    // A panelist's accepted change is a revision too.
    let second = "I ask what they want to learn, and from whom.";
    app.post_form(&link("ana"), &answer_fields("Ana Named", "named", second))
        .await;
    let proposal = app.store.waiting_proposals(Some(post_id)).await.unwrap()[0].id;
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &format!("/admin/proposals/{proposal}/accept"),
        &[("note", String::new())],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(public.contains("and from whom") && !public.contains("first year"));

    // The list names each change; the newest kept version is compared with now by default.
    let (_, html) = app.get(&revisions).await;
    let text = visible_text(&html);
    assert!(text.contains("Edited directly, by Edie Editor"), "{text}");
    assert!(
        text.contains("Accepted a panelist’s change, by Edie Editor"),
        "{text}"
    );
    assert!(
        html.contains("<del>in</del><ins>and</ins> <del>their first</del><ins>from</ins> <del>year.</del><ins>whom.</ins>"),
        "the answer's change, word by word: {html}"
    );
    assert!(html.contains("— Ana Named, Head of Circulation, Riverbend College:"));
    // Any two versions: the oldest (as first published) against now.
    let kept = app.store.revisions(post_id).await.unwrap();
    assert_eq!(kept.len(), 2);
    let oldest = kept.last().unwrap().id;
    let (_, html) = app.get(&format!("{revisions}?from={oldest}&to=now")).await;
    let (removed, added) = (marked(&html, "del"), marked(&html, "ins"));
    assert!(
        added.contains("revisited") && added.contains("Three hiring managers"),
        "{added}"
    );
    assert!(
        added.contains("whom.") && removed.contains("first year."),
        "{removed}"
    );

    // Restoring the version as first published: readers see it again, and what it replaced
    // is kept in turn.
    let (status, location, _) = admin_post(
        &app,
        &revisions,
        &format!("/admin/revisions/{oldest}/restore"),
        &[],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, revisions.as_str()));
    let (_, public) = app.get(&url).await;
    let text = visible_text(&public);
    assert!(
        text.contains("The last question") && !text.contains("revisited"),
        "{text}"
    );
    assert!(public.contains(first) && !public.contains("from whom"));
    let kept = app.store.revisions(post_id).await.unwrap();
    assert_eq!(kept.len(), 3);
    assert!(kept[0]
        .reason
        .starts_with("Restored the version replaced on "));
    assert!(kept[0].snapshot.answers[0].body.contains("from whom"));
    let (_, found) = app.get("/search?q=whom").await;
    assert!(
        !visible_text(&found).contains("from whom"),
        "search follows the restore"
    );

    // Compiling the published post again keeps one more.
    let (_, compile) = app.get(&format!("/admin/rounds/{round_id}/compile")).await;
    assert!(visible_text(&compile)
        .contains("This post is published: saving changes what readers see at once."));
    assert!(visible_text(&compile).contains("Save and publish the changes"));
    compiled(&app, round_id, &[ana]).await;
    assert_eq!(
        app.store.revisions(post_id).await.unwrap()[0].reason,
        "Compiled again"
    );

    // A revision of another post is not one of this post's versions.
    let (status, _) = app
        .get(&format!(
            "/admin/posts/{post_id}/revisions?from=999999&to=now"
        ))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_published_change_keeps_a_revision_that_can_be_restored_on_sqlite() {
    every_published_change_keeps_a_revision_that_can_be_restored(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_published_change_keeps_a_revision_that_can_be_restored_on_postgres() {
    every_published_change_keeps_a_revision_that_can_be_restored(Backend::Postgres).await;
}

async fn plain_posts_and_pages_are_written_taken_down_and_deleted(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let reader = roundtable::domain::Email::parse("reader@example.org").unwrap();
    let confirm = roundtable::tokens::token_hash("confirm");
    app.store
        .add_subscriber(&reader, &confirm, None)
        .await
        .unwrap();
    app.store.confirm_subscriber(&confirm).await.unwrap();
    sign_in(&app).await;
    let new = "/admin/posts/new";

    // A plain post, published now, is on the home page, its tag and its own address.
    let (status, location, _) = admin_post(
        &app,
        new,
        new,
        &fields(&[
            ("title", "The column takes a summer break"),
            ("body", "We are back in **September** with a new panel."),
            ("tags", "news"),
            ("categories", "Announcements"),
            ("then", "publish"),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    let news_id: i64 = location
        .trim_start_matches("/admin/posts/")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let (_, home) = app.get("/").await;
    assert!(visible_text(&home).contains("The column takes a summer break"));
    let news = app.store.post(news_id).await.unwrap();
    let news_url = roundtable::render::permalink(
        &roundtable::render::SiteClock::new(None),
        news.published_at.unwrap(),
        &news.slug,
    );
    let (status, html) = app.get(&news_url).await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>September</strong>"));
    let (_, tag) = app.get("/tag/news/").await;
    assert!(visible_text(&tag).contains("summer break"));

    // A past date back-fills the column's history: the address follows the date.
    let (status, _, _) = admin_post(
        &app,
        new,
        new,
        &fields(&[
            ("title", "Our first panel"),
            ("body", "Where it all began."),
            ("date", "2013-08-10 10:00"),
            ("then", "publish"),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    let (status, html) = app.get("/2013/08/10/our-first-panel/").await;
    assert_eq!(status, 200, "{html}");

    // What cannot be used comes back as typed, with what to change.
    let (status, _, html) = admin_post(
        &app,
        new,
        new,
        &fields(&[
            ("title", "Later"),
            ("body", "Text kept while the date is fixed."),
            ("date", "next Tuesday"),
            ("then", "publish"),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("Give the date as YYYY-MM-DD"));
    assert!(
        html.contains("value=\"next Tuesday\"")
            && html.contains("Text kept while the date is fixed.")
    );
    let page_form = "/admin/posts/new?page=1";
    let (status, _, html) = admin_post(
        &app,
        page_form,
        new,
        &fields(&[("page", "1"), ("title", "Admin"), ("body", "Who we are.")]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("The address /admin/ belongs to the site itself"));
    assert!(html.contains("Who we are."));

    // A page lives at /slug/, and not on the home page or in the feed.
    let (status, _, _) = admin_post(
        &app,
        page_form,
        new,
        &fields(&[
            ("page", "1"),
            ("title", "About the column"),
            ("slug", "about"),
            ("body", "A panel of people who hire library workers."),
            ("then", "publish"),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    let (status, html) = app.get("/about/").await;
    assert_eq!(status, 200);
    // The same address again is said to be taken, not quietly numbered.
    let (status, _, taken) = admin_post(
        &app,
        page_form,
        new,
        &fields(&[
            ("page", "1"),
            ("title", "About us"),
            ("slug", "about"),
            ("body", "Kept."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(visible_text(&taken).contains("The address /about/ is taken by “About the column”"));
    assert!(taken.contains("Kept."));
    assert!(visible_text(&html).contains("A panel of people who hire library workers."));
    let (_, home) = app.get("/").await;
    assert!(!visible_text(&home).contains("About the column"));
    let (_, feed) = app.get("/feed/").await;
    assert!(!feed.contains("About the column"));
    let (_, list) = app.get("/admin/posts/").await;
    assert!(visible_text(&list).contains("About the column (page)"));
    // Only the post published now is news: the back-filled post and the page are not mailed.
    let newsletters: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM outbox WHERE kind = 'newsletter' ORDER BY id")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    assert_eq!(newsletters.len(), 1, "{newsletters:?}");
    assert!(newsletters[0].contains("summer break"), "{newsletters:?}");

    // Taken down without a new address: 410 Gone, and gone from lists, feeds and search.
    let news_admin = format!("/admin/posts/{news_id}/");
    let unpublish = format!("/admin/posts/{news_id}/unpublish");
    let (status, _, html) = admin_post(
        &app,
        &news_admin,
        &unpublish,
        &fields(&[("redirect", "javascript:alert(1)")]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"javascript:alert(1)\""));
    assert!(visible_text(&html).contains("Give the new address as a path on this site"));
    let (status, _) = app.get(&news_url).await;
    assert_eq!(status, 200, "a refused take-down changes nothing");
    let (status, _, _) =
        admin_post(&app, &news_admin, &unpublish, &fields(&[("redirect", "")])).await;
    assert_eq!(status, 303);
    let (status, html) = app.get(&news_url).await;
    assert_eq!(status, 410);
    assert!(visible_text(&html).contains("taken down"));
    let (_, home) = app.get("/").await;
    assert!(!visible_text(&home).contains("summer break"));
    let (_, feed) = app.get("/feed/").await;
    assert!(!feed.contains("summer break"));
    let (_, found) = app.get("/search?q=September").await;
    assert!(!visible_text(&found).contains("summer break"));
    assert_eq!(app.store.post(news_id).await.unwrap().status, "draft");

    // Published again, it is back at its address.
    let (status, _, _) = admin_post(
        &app,
        &news_admin,
        &format!("/admin/posts/{news_id}/publish"),
        &fields(&[("when", "now")]),
    )
    .await;
    assert_eq!(status, 303);
    let republished = app.store.post(news_id).await.unwrap();
    let again = roundtable::render::permalink(
        &roundtable::render::SiteClock::new(None),
        republished.published_at.unwrap(),
        &republished.slug,
    );
    assert_eq!(
        again, news_url,
        "published again, it keeps its date and address"
    );
    let mailed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'newsletter'")
        .fetch_one(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    assert_eq!(mailed, 1, "subscribers had it the first time");
    assert_eq!(app.get(&again).await.0, 200);

    // The page taken down with a new address sends readers there.
    let about = app
        .store
        .published_page_by_slug("about")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, _, _) = admin_post(
        &app,
        &format!("/admin/posts/{about}/"),
        &format!("/admin/posts/{about}/unpublish"),
        &fields(&[("redirect", "/2013/08/10/our-first-panel/")]),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        head_of(&app, "/about/").await,
        (301, "/2013/08/10/our-first-panel/".to_string())
    );
}

#[tokio::test]
async fn plain_posts_and_pages_are_written_taken_down_and_deleted_on_sqlite() {
    plain_posts_and_pages_are_written_taken_down_and_deleted(Backend::Sqlite).await;
}

#[tokio::test]
async fn plain_posts_and_pages_are_written_taken_down_and_deleted_on_postgres() {
    plain_posts_and_pages_are_written_taken_down_and_deleted(Backend::Postgres).await;
}

async fn deleting_a_round_post_keeps_the_panelists_answers(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let words = "I ask what they hope to learn.";
    app.post_form(&link("ana"), &answer_fields("Ana Named", "named", words))
        .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let (post_id, url) = published(&app, round_id, &[ana]).await;
    sign_in(&app).await;

    // A confirmation first, saying what goes and what stays.
    let confirm = format!("/admin/posts/{post_id}/delete");
    let (status, html) = app.get(&confirm).await;
    assert_eq!(status, 200);
    let text = visible_text(&html);
    assert!(text.contains("Delete “The last question”?"), "{text}");
    assert!(text.contains("answers are kept with their round"), "{text}");
    let (status, location, _) = admin_post(&app, &confirm, &confirm, &[]).await;
    assert_eq!((status, location.as_str()), (303, "/admin/posts/"));
    assert_eq!(app.get(&url).await.0, 410);
    assert!(app.store.post(post_id).await.is_err());

    // Ana's words are still the round's, and the round can be compiled again.
    let answers = app.store.answers_of_round(round_id).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].body, words);
    let round = app.store.round(round_id).await.unwrap();
    assert_eq!((round.status.as_str(), round.post_id), ("closed", None));
    let (status, html) = app.get(&format!("/admin/rounds/{round_id}/compile")).await;
    assert_eq!(status, 200);
    assert!(html.contains(words));
}

#[tokio::test]
async fn deleting_a_round_post_keeps_the_panelists_answers_on_sqlite() {
    deleting_a_round_post_keeps_the_panelists_answers(Backend::Sqlite).await;
}

#[tokio::test]
async fn deleting_a_round_post_keeps_the_panelists_answers_on_postgres() {
    deleting_a_round_post_keeps_the_panelists_answers(Backend::Postgres).await;
}

/// A round's post published at a past date fills in the column's history: its address and
/// its archives follow the date, and no newsletter goes. A published post given another date
/// moves, and its old address sends readers on.
async fn a_round_post_takes_any_date_and_its_address_follows(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    confirmed_subscriber(&app).await;
    let (round_id, link) = round_sent(&app).await;
    let words = "I ask what they hope to learn.";
    app.post_form(&link("ana"), &answer_fields("Ana Named", "named", words))
        .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let post_id = compiled(&app, round_id, &[ana]).await;
    sign_in(&app).await;
    let page = format!("/admin/posts/{post_id}/");
    let action = format!("/admin/posts/{post_id}/publish");

    // A date typed wrong comes back with what was typed.
    let (status, _, html) = admin_post(
        &app,
        &page,
        &action,
        &fields(&[("when", "later"), ("at", "March 5th")]),
    )
    .await;
    assert_eq!(status, 422);
    let text = visible_text(&html);
    assert!(
        text.contains("Give the date and time as YYYY-MM-DD HH:MM."),
        "{text}"
    );
    assert!(html.contains("value=\"March 5th\""));

    // A past date publishes it as of then, without a newsletter.
    let (status, location, _) = admin_post(
        &app,
        &page,
        &action,
        &fields(&[("when", "later"), ("at", "2013-08-05 09:00")]),
    )
    .await;
    assert_eq!((status, location.as_str()), (303, page.as_str()));
    let (_, html) = app.get(&page).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Published as of August 5, 2013, 09:00, without a newsletter"),
        "{text}"
    );
    let (status, html) = app.get("/2013/08/05/the-last-question/").await;
    assert_eq!(status, 200, "the address follows the date");
    assert!(visible_text(&html).contains(words));
    let (_, home) = app.get("/").await;
    assert!(
        visible_text(&home).contains("August 5, 2013"),
        "dated as published"
    );
    let letters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'newsletter'")
        .fetch_one(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    assert_eq!(letters, 0, "an old post is not news");

    // Given another date, it moves; the old address sends readers on.
    let (_, html) = app.get(&page).await;
    assert!(
        html.contains("value=\"2013-08-05 09:00\""),
        "the form starts at its date"
    );
    let (status, _, _) = admin_post(
        &app,
        &page,
        &action,
        &fields(&[("when", "later"), ("at", "2013-08-10 09:00")]),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(app.get("/2013/08/10/the-last-question/").await.0, 200);
    assert_eq!(
        head_of(&app, "/2013/08/05/the-last-question/").await,
        (301, "/2013/08/10/the-last-question/".to_string())
    );
    // Searching finds it under its year, once.
    let (_, found) = app.get("/search?q=hope&year=2013").await;
    assert!(
        visible_text(&found).contains("The last question"),
        "{}",
        visible_text(&found)
    );
}

#[tokio::test]
async fn a_round_post_takes_any_date_and_its_address_follows_on_sqlite() {
    a_round_post_takes_any_date_and_its_address_follows(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_round_post_takes_any_date_and_its_address_follows_on_postgres() {
    a_round_post_takes_any_date_and_its_address_follows(Backend::Postgres).await;
}

/// In Chromium, as the editor works: writing a page, editing a published post in place,
/// comparing and restoring its revisions, and taking it down, at desktop and phone widths.
#[tokio::test]
async fn an_editor_writes_a_page_and_restores_a_revision_in_the_browser() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let first = "I ask what they hope to learn in year one.";
    app.post_form(&link("ana"), &answer_fields("Ana Named", "named", first))
        .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let (post_id, url) = published(&app, round_id, &[ana]).await;
    let scratch = tempfile::tempdir().unwrap();
    let shots = std::env::var_os("ROUNDTABLE_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let browser = crate::browser::Browser::start().await;
    browser.open(&app.url("/admin/")).await;
    browser.fill("Email", "editor@example.org").await;
    browser.fill("Password", crate::workflow::PASSWORD).await;
    browser.submit("Sign in").await;
    browser.wait_for_text("Dashboard").await;

    // A page, written from the list of posts.
    browser.open(&app.url("/admin/posts/")).await;
    browser.click_link("Write a page").await;
    browser.wait_for_text("Write a page").await;
    browser.fill("Title", "About the column").await;
    browser.fill("slug", "about").await;
    browser
        .fill("body", "A panel of people who **hire** library workers.")
        .await;
    browser.screenshot(&shots.join("editor-page-new.png")).await;
    browser.submit("Publish").await;
    browser.wait_for_text("Published.").await;
    browser.click_link("View on the site").await;
    browser
        .wait_for_text("people who hire library workers")
        .await;
    assert_eq!(browser.current_path().await, "/about/");

    // The published round post, edited in place: the old version is kept.
    browser
        .open(&app.url(&format!("/admin/posts/{post_id}/")))
        .await;
    browser.click_link("Edit the title and text").await;
    browser
        .wait_for_text("readers see what you save at once")
        .await;
    browser
        .fill("body", "One hiring manager on the last question.")
        .await;
    browser
        .screenshot(&shots.join("editor-post-edit.png"))
        .await;
    browser.submit("Save").await;
    browser.wait_for_text("Readers see the change now").await;
    browser.open(&app.url(&url)).await;
    browser
        .wait_for_text("One hiring manager on the last question.")
        .await;

    // The revisions: compared, then the first restored.
    for (width, height, suffix) in [(1280, 900, ""), (390, 844, "-mobile")] {
        browser.resize(width, height).await;
        browser
            .open(&app.url(&format!("/admin/posts/{post_id}/")))
            .await;
        browser.wait_for_text("Revisions (1)").await;
        browser.assert_fits("the post's admin page").await;
        browser
            .screenshot(&shots.join(format!("editor-post-actions{suffix}.png")))
            .await;
        browser.click_link("Revisions (1)").await;
        let text = browser.wait_for_text("Differences").await;
        assert!(text.contains("Edited directly, by Edie Editor"), "{text}");
        browser.assert_fits("the revisions page").await;
        browser
            .screenshot(&shots.join(format!("editor-revisions{suffix}.png")))
            .await;
    }
    browser.resize(1280, 900).await;
    browser.submit("Restore this version").await;
    browser.wait_for_text("Restored.").await;
    browser.open(&app.url(&url)).await;
    let text = browser.wait_for_text(first).await;
    assert!(!text.contains("One hiring manager"), "{text}");

    // Taken down: readers of its address are told it is gone.
    browser
        .open(&app.url(&format!("/admin/posts/{post_id}/")))
        .await;
    browser
        .client()
        .find(fantoccini::Locator::Css(".takedown summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.submit("Take it down").await;
    browser.wait_for_text("410 Gone").await;
    browser.open(&app.url(&url)).await;
    browser.wait_for_text("taken down").await;
    browser.quit().await;
}

#[tokio::test]
async fn an_admin_section_typed_without_its_slash_is_found() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    sign_in(&app).await;
    for section in [
        "rounds",
        "posts",
        "panel",
        "questions",
        "comments",
        "settings",
    ] {
        let (status, location) = head_of(&app, &format!("/admin/{section}")).await;
        assert_eq!((status, location), (308, format!("/admin/{section}/")));
        assert_eq!(
            app.get(&format!("/admin/{section}/")).await.0,
            200,
            "{section}"
        );
    }
}

//! The reader's first pages, served by the real server over the demo column, on both databases.

use roundtable::store::Backend;

use crate::demo_test;
use crate::helpers::{post_url, visible_text, TestApp, SALARY_POST};

demo_test!(the_home_page_lists_the_latest_posts_newest_first);
async fn the_home_page_lists_the_latest_posts_newest_first(app: TestApp) {
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    let text = visible_text(&html);
    assert!(text.contains("The Hiring Shelf"), "{text}");
    let remote = text
        .find("How Have Remote Interviews Changed")
        .expect("newest post");
    let salary = text.find(SALARY_POST).expect("middle post");
    let cover = text
        .find("What Makes a Cover Letter Stand Out?")
        .expect("oldest post");
    assert!(remote < salary && salary < cover, "newest first");
    // Each post's opening, with a link to the rest, as a WordPress theme's excerpts.
    assert!(
        text.contains(&format!("Continue reading “Ask the Panel: {SALARY_POST}”")),
        "{text}"
    );
}

demo_test!(a_post_shows_its_answers_with_attribution_notes_and_approved_comments);
async fn a_post_shows_its_answers_with_attribution_notes_and_approved_comments(app: TestApp) {
    let url = post_url(&app, SALARY_POST).await;
    assert!(
        url.starts_with("/20")
            && url.ends_with("/is-it-okay-to-ask-about-salary-in-a-first-interview/"),
        "{url}"
    );
    let (status, html) = app.get(&url).await;
    assert_eq!(status, 200);
    let text = visible_text(&html);
    assert!(
        text.contains("Director, public library, South"),
        "role-only byline: {text}"
    );
    assert!(
        text.contains("Anonymous —"),
        "an anonymous answer with its short answer: {text}"
    );
    assert!(
        text.contains("From the consortium side") && !text.contains("Editor’s note: From the"),
        "the editor's heading, not labelled as a note: {text}"
    );
    assert!(
        text.contains("Short answers: Yes 6 · No 1 · It depends 2"),
        "{text}"
    );
    assert!(text.contains("Filed under"), "{text}");
    assert!(
        html.contains("id=\"answer-"),
        "each answer has its own anchor"
    );
    // Role-only and anonymous authors are never named, nor linked.
    let store = &app.store;
    let post = store
        .published_posts(0, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title.contains(SALARY_POST))
        .expect("the salary post");
    let answers = store.included_answers_of_posts(&[post.id]).await.unwrap();
    let role_only = answers
        .iter()
        .find(|a| a.attribution() == roundtable::domain::Attribution::Role)
        .expect("a role-only answer");
    let author = role_only.panelist_name.clone().expect("its author");
    assert!(!text.contains(&author), "a role-only author's name leaked");
    let tobias = store
        .panelist_by_slug("tobias-renwick")
        .await
        .unwrap()
        .expect("demo panelist");
    let anonymous_section = &html[html.find("Anonymous").unwrap()..];
    let anonymous_section = &anonymous_section[..anonymous_section.find("</section>").unwrap()];
    assert!(!anonymous_section.contains(&tobias.name) && !anonymous_section.contains(&tobias.slug));
}

demo_test!(a_late_answer_appears_with_its_dated_edit_note);
async fn a_late_answer_appears_with_its_dated_edit_note(app: TestApp) {
    let url = post_url(&app, "How Have Remote Interviews Changed").await;
    let (_, html) = app.get(&url).await;
    let text = visible_text(&html);
    let note = text.find("Edited ").expect("an edit note");
    assert!(text[note..].contains("to add"), "{}", &text[note..]);
    assert!(html.contains("class=\"answer late\""));
}

demo_test!(pending_comments_stay_hidden_and_counts_match);
async fn pending_comments_stay_hidden_and_counts_match(app: TestApp) {
    use roundtable::domain::CommentStatus;
    let pending = app
        .store
        .count_comments(CommentStatus::Pending)
        .await
        .unwrap();
    assert!(pending > 0);
    let posts = app.store.published_posts(0, 10).await.unwrap();
    for post in posts {
        let shown = app.store.approved_comments(post.id).await.unwrap();
        let url = post_url(&app, &post.title).await;
        let (_, html) = app.get(&url).await;
        let count = html.matches("class=\"comment\"").count()
            + html.matches("class=\"comment reply\"").count();
        assert_eq!(count, shown.len(), "{}", post.title);
    }
}

demo_test!(unknown_addresses_get_the_not_found_page);
async fn unknown_addresses_get_the_not_found_page(app: TestApp) {
    for path in [
        "/no-such-page/",
        "/2026/13/45/nothing/",
        "/9999/01/01/nothing/",
        "/page/999999999999999999999/",
        "/page/0/",
        "/page/2/",
        "/2026/1/1/%3Cscript%3E/",
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(visible_text(&html).contains("Page not found"), "{path}");
        assert!(!html.contains("<script>"), "{path}");
    }
    let response = app.client.get(app.url("/page/1/")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 308);
}

demo_test!(case_and_slash_variants_redirect_to_the_canonical_address);
async fn case_and_slash_variants_redirect_to_the_canonical_address(app: TestApp) {
    for (variant, canonical) in [
        ("/Tag/Interviews/", "/tag/interviews/"),
        ("/tag/interviews", "/tag/interviews/"),
        ("/SEARCH?q=x", "/search/?q=x"),
    ] {
        let response = app.client.get(app.url(variant)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 308, "{variant}");
        assert_eq!(response.headers()["location"], canonical, "{variant}");
    }
    let (status, _) = app.get("/tag/interviews/").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn pages_carry_security_headers_and_compress() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let response = app
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

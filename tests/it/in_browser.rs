//! What a reader sees: the demo column (on SQLite) in a real Chromium, and the verdicts of the
//! Nu HTML Checker and axe-core on its pages.

use std::path::PathBuf;

use roundtable::store::Backend;

use crate::browser::{Browser, DESKTOP};
use crate::helpers::TestApp;
use crate::validators::{assert_accessible, assert_valid_html};

/// The demo post with short-answer choices, a role-only and an anonymous answer.
const SALARY_POST: &str = "Is It Okay to Ask About Salary in a First Interview?";
const SALARY_SLUG: &str = "is-it-okay-to-ask-about-salary-in-a-first-interview";

/// The address of the demo post whose title is `title`, as the home page links it.
async fn post_path(app: &TestApp, title: &str) -> String {
    let (_, home) = app.get("/").await;
    let at = home
        .find(&format!("{title}</a>"))
        .unwrap_or_else(|| panic!("{title} is linked on the home page"));
    let href = home[..at].rfind("href=\"").expect("the title's link") + "href=\"".len();
    home[href..href + home[href..].find('"').unwrap()].to_string()
}

/// Every demo post's address, newest first.
async fn all_post_paths(app: &TestApp) -> Vec<String> {
    let posts = app.store.published_posts(0, 100).await.unwrap();
    let mut paths = Vec::new();
    for post in posts {
        paths.push(post_path(app, &post.title).await);
    }
    paths
}

#[tokio::test]
async fn a_reader_opens_a_post_from_the_home_page_and_reads_its_answers() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.open(&app.url("/")).await;
    browser.wait_for_text(SALARY_POST).await;

    browser.click_link(SALARY_POST).await;

    let text = browser.wait_for_text("Short answers").await;
    let path = browser.current_path().await;
    assert!(
        path.starts_with("/20") && path.ends_with(&format!("/{SALARY_SLUG}/")),
        "the post's own page: {path}"
    );
    assert!(text.contains(SALARY_POST), "{text}");
    assert!(
        text.contains("Director, public library, South"),
        "a role-only byline: {text}"
    );
    assert!(
        text.lines().any(|line| line.starts_with("Anonymous")),
        "an anonymous answer's byline on a line of its own: {text}"
    );
    assert!(
        !text.contains("What Makes a Cover Letter Stand Out?"),
        "only this post, not the home page's list: {text}"
    );
    browser.quit().await;
}

#[tokio::test]
async fn home_and_post_pages_are_valid_html() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let mut pages = vec![("home.html".to_string(), app.get("/").await.1)];
    for (i, path) in all_post_paths(&app).await.into_iter().enumerate() {
        let (status, html) = app.get(&path).await;
        assert_eq!(status, 200, "{path}");
        pages.push((format!("post-{}.html", i + 1), html));
    }
    pages.push((
        "not-found.html".to_string(),
        app.get("/no-such-page/").await.1,
    ));
    pages.push((
        "style.css".to_string(),
        app.get("/static/style.css").await.1,
    ));
    assert!(pages.len() >= 4, "the demo column has several posts");

    assert_valid_html(&pages).await;
}

#[tokio::test]
async fn home_and_post_pages_have_no_accessibility_violations() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let mut urls = vec![app.url("/")];
    urls.extend(all_post_paths(&app).await.iter().map(|p| app.url(p)));
    urls.push(app.url("/no-such-page/"));

    assert_accessible(&urls).await;
}

/// Width and height of a PNG, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

/// Takes the screenshots in docs/screenshots/ when `ROUNDTABLE_SCREENSHOTS` names a folder
/// (`scripts/screenshots` does that), and into a temporary folder otherwise.
#[tokio::test]
async fn home_and_post_pages_fit_desktop_and_phone_screens() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_path(&app, SALARY_POST).await;
    let scratch = tempfile::tempdir().unwrap();
    let folder = std::env::var_os("ROUNDTABLE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let browser = Browser::start().await;

    for (width, height, suffix) in [(DESKTOP.0, DESKTOP.1, ""), (390, 844, "-mobile")] {
        browser.resize(width, height).await;
        for (name, path, shows) in [
            ("home", "/", "The Hiring Shelf"),
            ("post", post.as_str(), SALARY_POST),
        ] {
            browser.open(&app.url(path)).await;
            browser.wait_for_text(shows).await;
            let overflow = browser
                .client()
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth;",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                overflow.as_i64() <= Some(0),
                "{path} scrolls sideways by {overflow}px at {width}px wide"
            );
            let png = browser
                .screenshot(&folder.join(format!("{name}{suffix}.png")))
                .await;
            assert_eq!(png_size(&png), (width, height), "{name}{suffix}.png");
        }
    }
    browser.quit().await;
}

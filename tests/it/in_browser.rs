//! What a reader sees: the demo column (on SQLite) in a real Chromium, and the verdicts of the
//! Nu HTML Checker and axe-core on its pages.

use std::path::PathBuf;

use fantoccini::Locator;
use roundtable::domain::Attribution;
use roundtable::store::{Backend, PostList, Taxonomy};

use crate::browser::{Browser, DESKTOP};
use crate::helpers::{visible_text, TestApp, SALARY_POST};
use crate::validators::{assert_accessible, assert_valid_html};

/// The demo post with short-answer choices, a role-only and an anonymous answer.
const SALARY_SLUG: &str = "is-it-okay-to-ask-about-salary-in-a-first-interview";

/// A demo post where every answer but one is signed by name.
const COVER_LETTER_POST: &str = "What Makes a Cover Letter Stand Out?";

/// A demo panelist who answered two posts by name and the salary post anonymously.
const TOBIAS: (&str, &str) = ("Tobias Renwick", "tobias-renwick");

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
async fn a_reader_finds_posts_by_tag_from_the_home_page() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let tag = app
        .store
        .term_by_slug(Taxonomy::Tag, "interviews")
        .await
        .unwrap()
        .expect("the demo has an interviews tag");
    let tagged_ids = app
        .store
        .published_post_ids(PostList::Term(Taxonomy::Tag, tag.id), 0, 100)
        .await
        .unwrap();
    let all = app.store.published_posts(0, 100).await.unwrap();
    let (tagged, untagged): (Vec<_>, Vec<_>) = all.iter().partition(|p| tagged_ids.contains(&p.id));
    assert!(
        !tagged.is_empty() && !untagged.is_empty(),
        "the tag is a real choice"
    );
    let browser = Browser::start().await;
    browser.open(&app.url("/")).await;
    browser.wait_for_text("Tagged").await;

    browser.click_link("interviews").await;

    let text = browser.wait_for_text("Tag: interviews").await;
    assert_eq!(browser.current_path().await, "/tag/interviews/");
    assert!(
        text.contains(&format!("{} posts", tagged.len())),
        "the archive counts its posts: {text}"
    );
    for post in &tagged {
        assert!(
            text.contains(&post.title),
            "{} is listed: {text}",
            post.title
        );
    }
    for post in &untagged {
        assert!(!text.contains(&post.title), "{} is not: {text}", post.title);
    }

    browser.click_link(&tagged[0].title).await;

    let text = browser.wait_for_text("Leave a comment").await;
    let path = browser.current_path().await;
    assert!(
        path.starts_with("/20") && path.ends_with(&format!("/{}/", tagged[0].slug)),
        "the post's own page: {path}"
    );
    assert!(text.contains(&tagged[0].title), "{text}");
    browser.quit().await;
}

#[tokio::test]
async fn a_reader_searches_for_a_phrase_and_lands_on_the_answer_that_says_it() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let phrase = "jammed printer";
    let posts = app.store.published_posts(0, 100).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers = app.store.included_answers_of_posts(&ids).await.unwrap();
    let saying_it: Vec<_> = answers
        .iter()
        .filter(|a| a.public_body().contains(phrase))
        .collect();
    assert_eq!(saying_it.len(), 1, "one demo answer says {phrase:?}");
    let answer = saying_it[0];
    let post = posts.iter().find(|p| p.id == answer.post_id).unwrap();
    let browser = Browser::start().await;
    browser.open(&app.url("/search")).await;

    browser.fill("Words to find", phrase).await;
    browser.submit("Search").await;

    let text = browser.wait_for_text("1 result for").await;
    assert!(text.contains(&format!("1 result for “{phrase}”")), "{text}");
    assert!(text.contains(&post.title), "{text}");
    let marked = browser
        .client()
        .find_all(Locator::Css(".search-results mark"))
        .await
        .unwrap();
    let mut highlighted = Vec::new();
    for mark in &marked {
        highlighted.push(mark.text().await.unwrap());
    }
    assert_eq!(
        highlighted,
        ["jammed", "printer"],
        "the words are highlighted"
    );

    browser.click_link(&post.title).await;

    let number = app
        .store
        .public_answers_of_posts(&[post.id])
        .await
        .unwrap()
        .iter()
        .find(|a| a.body.contains(phrase))
        .unwrap()
        .number;
    let anchor = roundtable::store::answer_anchor(post.id, number);
    let url = browser.client().current_url().await.unwrap();
    assert!(
        url.path().ends_with(&format!("/{}/", post.slug)),
        "the post's own page: {url}"
    );
    assert_eq!(url.fragment(), Some(anchor.as_str()), "{url}");
    let target = browser
        .client()
        .find(Locator::Css(":target"))
        .await
        .expect("the page shows the linked answer as its target");
    assert_eq!(target.attr("id").await.unwrap().as_deref(), Some(&*anchor));
    assert!(
        target.text().await.unwrap().contains(phrase),
        "the target is the answer with the phrase"
    );
    browser.quit().await;
}

#[tokio::test]
async fn a_reader_follows_a_panelist_from_their_answer_to_their_page_and_feed() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let (name, slug) = TOBIAS;
    let panelist = app.store.panelist_by_slug(slug).await.unwrap().unwrap();
    let named = app
        .store
        .named_answers_of_panelist(panelist.id)
        .await
        .unwrap();
    let posts = app.store.published_posts(0, 100).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let unnamed_posts: Vec<_> = app
        .store
        .included_answers_of_posts(&ids)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| {
            a.panelist_slug.as_deref() == Some(slug) && a.attribution() != Attribution::Named
        })
        .map(|a| {
            posts
                .iter()
                .find(|p| p.id == a.post_id)
                .unwrap()
                .title
                .clone()
        })
        .collect();
    assert!(named.len() >= 2, "{name} answered more than once by name");
    assert!(!unnamed_posts.is_empty(), "and once without a name");
    let browser = Browser::start().await;
    browser
        .open(&app.url(&post_path(&app, COVER_LETTER_POST).await))
        .await;
    browser.wait_for_text(COVER_LETTER_POST).await;

    browser.click_link(name).await;

    let text = browser.wait_for_text("Answers").await;
    assert_eq!(browser.current_path().await, format!("/panelist/{slug}/"));
    let heading = browser
        .client()
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        heading.starts_with(name),
        "their name heads the page: {heading}"
    );
    for part in [&panelist.title, &panelist.institution, &panelist.city] {
        let part = part
            .as_deref()
            .expect("the demo fills in the whole profile");
        assert!(text.contains(part), "their profile shows {part}: {text}");
    }
    for answer in &named {
        assert!(
            text.contains(&answer.post_title),
            "{} is among their answers: {text}",
            answer.post_title
        );
    }
    for title in &unnamed_posts {
        assert!(
            !text.contains(title.as_str()),
            "the post {title} they answered without their name is not: {text}"
        );
    }
    let feed = browser
        .client()
        .find(Locator::LinkText(&format!(
            "Follow {name}’s answers by RSS"
        )))
        .await
        .expect("a link to their feed");
    assert_eq!(
        feed.attr("href").await.unwrap().as_deref(),
        Some(format!("/panelist/{slug}/feed/").as_str())
    );
    browser.quit().await;
}

#[tokio::test]
async fn a_reader_leaves_a_comment_that_waits_for_moderation() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_path(&app, SALARY_POST).await;
    let comment = "Asking early saved me a wasted trip across the state.";
    let browser = Browser::start().await;
    browser.open(&app.url(&post)).await;
    browser.wait_for_text("Leave a comment").await;

    browser.fill("Name", "Robin Reader").await;
    browser.fill("Email", "robin@example.net").await;
    browser.fill("Comment", comment).await;
    browser.submit("Post comment").await;

    let text = browser
        .wait_for_text("Your comment is awaiting moderation")
        .await;
    assert!(text.contains("Robin Reader"), "{text}");
    assert!(
        text.contains(comment),
        "their comment is shown back: {text}"
    );

    browser.open(&app.url(&post)).await;

    let text = browser.wait_for_text("Leave a comment").await;
    assert!(
        !text.contains(comment) && !text.contains("Robin Reader"),
        "others do not see it before the editor approves it: {text}"
    );
    assert!(!text.contains("awaiting moderation"), "{text}");
    browser.quit().await;
}

#[tokio::test]
async fn a_comment_without_a_name_comes_back_with_the_error_beside_the_field() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_path(&app, SALARY_POST).await;
    let comment = "A long thought I would hate to type twice.";
    let browser = Browser::start().await;
    browser.open(&app.url(&post)).await;
    browser.wait_for_text("Leave a comment").await;

    browser.fill("Email", "robin@example.net").await;
    browser.fill("Comment", comment).await;
    browser.submit("Post comment").await;

    let text = browser.wait_for_text("Please fill in your name").await;
    assert!(!text.contains("awaiting moderation"), "{text}");
    let name = browser.field("Name").await;
    assert_eq!(
        name.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let described_by = name
        .attr("aria-describedby")
        .await
        .unwrap()
        .expect("the name field points to its error");
    let error = browser
        .client()
        .find(Locator::Id(&described_by))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("Please fill in your name"), "{error}");
    let beside = browser
        .client()
        .find(Locator::XPath(&format!(
            "//*[@id='{described_by}']/parent::*//label"
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(beside, "Name", "the error is in the name field's paragraph");
    assert_eq!(
        browser.field("Comment").await.prop("value").await.unwrap(),
        Some(comment.to_string()),
        "the comment is kept"
    );
    assert_eq!(
        browser.field("Email").await.prop("value").await.unwrap(),
        Some("robin@example.net".to_string())
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

/// The archive, panelist, search and public form pages, as (file name, address) pairs.
async fn pages_beyond_posts(app: &TestApp) -> Vec<(String, String)> {
    let panelist = app.store.public_panelist_slugs().await.unwrap()[0].clone();
    [
        ("tag.html", "/tag/interviews/".to_string()),
        ("tags.html", "/tag/".to_string()),
        ("categories.html", "/category/".to_string()),
        ("category.html", "/category/ask-the-panel/".to_string()),
        ("panelist.html", format!("/panelist/{panelist}/")),
        ("search.html", "/search".to_string()),
        ("search-results.html", "/search?q=salary".to_string()),
        (
            "search-nothing.html",
            "/search?q=salary&year=1999".to_string(),
        ),
        ("suggest.html", "/suggest/".to_string()),
        ("join.html", "/join/".to_string()),
        ("subscribe.html", "/subscribe/".to_string()),
    ]
    .into_iter()
    .map(|(name, path)| (name.to_string(), path))
    .collect()
}

/// The pages a reader gets back after a mistake on each form (they have no address of their
/// own), as (file name, page) pairs.
async fn forms_sent_back_with_mistakes(app: &TestApp) -> Vec<(String, String)> {
    let post = post_path(app, COVER_LETTER_POST).await;
    let mut pages = Vec::new();
    for (name, path, fields) in [
        (
            "comment-error.html",
            format!("{post}comments"),
            &[("name", ""), ("email", "not-an-address"), ("body", "Kept.")][..],
        ),
        (
            "suggest-error.html",
            "/suggest/".to_string(),
            &[("question", ""), ("email", "bad")][..],
        ),
        (
            "join-error.html",
            "/join/".to_string(),
            &[("name", ""), ("email", "bad"), ("library_type", "castle")][..],
        ),
        (
            "subscribe-error.html",
            "/subscribe/".to_string(),
            &[("email", "not an address")][..],
        ),
    ] {
        let (status, html) = app.post_form(&path, fields).await;
        assert_eq!(status, 422, "{path} points out the mistakes");
        assert!(html.contains("aria-invalid=\"true\""), "{path}: {html}");
        pages.push((name.to_string(), html));
    }
    pages
}

#[tokio::test]
async fn archive_panelist_search_and_form_pages_are_valid_html() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let mut pages = Vec::new();
    for (name, path) in pages_beyond_posts(&app).await {
        let (status, html) = app.get(&path).await;
        assert_eq!(status, 200, "{path}");
        pages.push((name, html));
    }
    let nothing = &pages
        .iter()
        .find(|(n, _)| n == "search-nothing.html")
        .unwrap()
        .1;
    assert!(visible_text(nothing).contains("Nothing matched"));
    let results = &pages
        .iter()
        .find(|(n, _)| n == "search-results.html")
        .unwrap()
        .1;
    assert!(
        results.contains("<mark>"),
        "the results page has highlights"
    );
    pages.extend(forms_sent_back_with_mistakes(&app).await);

    assert_valid_html(&pages).await;
}

#[tokio::test]
async fn archive_panelist_search_and_form_pages_have_no_accessibility_violations() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let mut urls: Vec<String> = pages_beyond_posts(&app)
        .await
        .iter()
        .map(|(_, path)| app.url(path))
        .collect();
    // Pages answered to a form post are saved, with a <base> so their stylesheet and links
    // still come from the server.
    let folder = tempfile::tempdir().unwrap();
    for (name, html) in forms_sent_back_with_mistakes(&app).await {
        let file = folder.path().join(name);
        let based = html.replacen(
            "<head>",
            &format!("<head><base href=\"{}\">", app.url("/")),
            1,
        );
        assert_ne!(based, html, "the page has a <head>");
        std::fs::write(&file, based).unwrap();
        urls.push(format!("file://{}", file.display()));
    }

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
async fn home_post_tag_and_search_pages_fit_desktop_and_phone_screens() {
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
            ("tag", "/tag/interviews/", "Tag: interviews"),
            ("tags", "/tag/", "Tags"),
            ("categories", "/category/", "Categories"),
            ("search", "/search?q=salary+range", "results for"),
        ] {
            browser.open(&app.url(path)).await;
            browser.wait_for_text(shows).await;
            browser.assert_fits(path).await;
            let png = browser
                .screenshot(&folder.join(format!("{name}{suffix}.png")))
                .await;
            assert_eq!(png_size(&png), (width, height), "{name}{suffix}.png");
        }
    }
    browser.quit().await;
}

#[tokio::test]
async fn a_reader_searches_from_the_header_of_any_page_at_desktop_and_phone_widths() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_path(&app, SALARY_POST).await;
    let browser = Browser::start().await;
    for (width, height) in [DESKTOP, (390, 844)] {
        browser.resize(width, height).await;
        browser.open(&app.url(&post)).await;
        browser.wait_for_text("Leave a comment").await;

        browser.fill("Search the column", "jammed printer").await;
        browser.submit("Search").await;

        let text = browser.wait_for_text("for “jammed printer”").await;
        assert_eq!(
            browser.current_path().await,
            "/search?q=jammed+printer",
            "at {width}px"
        );
        assert!(
            text.contains("result for “jammed printer”")
                || text.contains("results for “jammed printer”"),
            "{text}"
        );
        browser.assert_fits("the search results").await;
    }
    browser.quit().await;
}

/// The smallest computed font size, in CSS pixels, of the tally's visible labels and counts.
async fn tally_text_size(browser: &Browser) -> f64 {
    let size = browser
        .client()
        .execute(
            "const sizes = [...document.querySelectorAll('.tally text, .tally label, .tally .tally-count')]\
               .filter(e => e.getBoundingClientRect().width > 0)\
               .map(e => { const r = e.getBoundingClientRect(); \
                 const svg = e.closest('svg'); \
                 const scale = svg ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1; \
                 return parseFloat(getComputedStyle(e).fontSize) * scale; });\
             return sizes.length ? Math.min(...sizes) : 0;",
            vec![],
        )
        .await
        .unwrap();
    size.as_f64().unwrap()
}

#[tokio::test]
async fn the_short_answer_tally_is_readable_on_a_phone() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_path(&app, SALARY_POST).await;
    let browser = Browser::start().await;
    for (width, height) in [DESKTOP, (390, 844)] {
        browser.resize(width, height).await;
        browser.open(&app.url(&post)).await;
        browser.wait_for_text("Short answers").await;
        let size = tally_text_size(&browser).await;
        assert!(
            size >= 12.0,
            "the tally's labels are {size}px at {width}px wide"
        );
        let text = browser.visible_text().await;
        for label in ["Yes", "No", "It depends"] {
            assert!(
                text.lines().any(|l| l.trim().starts_with(label)),
                "{label} at {width}px: {text}"
            );
        }
    }
    browser.quit().await;
}

#[tokio::test]
async fn an_empty_comment_on_a_phone_shows_its_errors_where_the_reader_is() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let post = post_path(&app, SALARY_POST).await;
    let browser = Browser::start().await;
    browser.resize(390, 844).await;
    browser.open(&app.url(&post)).await;
    browser.wait_for_text("Leave a comment").await;
    browser.scroll_to("#comment-form").await;

    browser.submit("Post comment").await;

    browser.wait_for_text("Please fill in your name").await;
    let seen = browser
        .client()
        .execute(
            "const s = document.querySelector('.error-summary'); \
             if (!s) { return 'no summary'; } \
             const r = s.getBoundingClientRect(); \
             return [r.top >= 0 && r.top < window.innerHeight, document.activeElement === s];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        seen,
        serde_json::json!([true, true]),
        "the error summary is in view and has the focus"
    );

    // The error in the summary leads to its field (a link within the page, no new page).
    browser
        .client()
        .find(Locator::LinkText("Please fill in your name."))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let field_in_view = browser
        .client()
        .execute(
            // (Scrolled to, the field may sit half a pixel above the top.)
            "const r = document.getElementById('comment-name').getBoundingClientRect(); \
             return location.hash === '#comment-name' && r.top >= -1 && r.bottom <= window.innerHeight + 1;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        field_in_view,
        serde_json::json!(true),
        "the error leads to its field"
    );
    browser.quit().await;
}

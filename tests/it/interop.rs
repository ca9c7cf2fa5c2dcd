//! Moving a column in and out: every WXR file of the shared corpus imported (or refused with a
//! clear message and nothing written), old WordPress addresses answering 301 on the real
//! server, the WXR round trip (also of naughty text, which must stay well-formed XML), a static
//! export served by a plain file server, and the roster as CSV from the command line, formula
//! cells included.

use std::path::PathBuf;
use std::process::Command;

use roundtable::config::{Config, MailSettings};
use roundtable::interop::{export, import, static_site, wxr};
use roundtable::store::{Backend, DatabaseUrl, Store};
use roundtable::web::AppState;

use crate::helpers::{TestApp, TestDb};
use crate::store_test;

fn corpus(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpora/wxr")
        .join(file)
}

async fn import_file(store: &Store, file: &str) -> import::ImportReport {
    import::import_file(store, &corpus(file), false)
        .await
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.raw_pool_for_tests())
        .await
        .unwrap()
}

/// `(posts, pages, comments, categories, tags)`.
type Counts = (i64, i64, i64, i64, i64);

/// The counts in the database.
async fn counts(store: &Store) -> Counts {
    (
        store.count_rows("posts:post").await.unwrap(),
        store.count_rows("posts:page").await.unwrap(),
        store.count_rows("comments").await.unwrap(),
        store.count_rows("categories").await.unwrap(),
        store.count_rows("tags").await.unwrap(),
    )
}

async fn small_export_imports_as_wordpress_does_and_twice_changes_nothing(store: Store) {
    import_file(&store, "wordpress-importer/phpunit-data/small-export.xml").await;
    assert_eq!(store.count_rows("editors").await.unwrap(), 3);
    assert_eq!(counts(&store).await, (6, 5, 1, 30, 3));
    let status = |kind: &str, status: &str| {
        format!("SELECT COUNT(*) FROM posts WHERE kind = '{kind}' AND status = '{status}'")
    };
    assert_eq!(count(&store, &status("post", "published")).await, 5);
    assert_eq!(count(&store, &status("post", "private")).await, 1);
    assert_eq!(count(&store, &status("page", "published")).await, 4);
    assert_eq!(count(&store, &status("page", "draft")).await, 1);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM categories c JOIN categories p ON p.id = c.parent_id \
             WHERE c.slug = 'foo-bar' AND p.slug = 'bar'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM post_categories pc JOIN posts p ON p.id = pc.post_id \
             WHERE p.title = 'Many Categories'"
        )
        .await,
        27
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id \
             JOIN tags t ON t.id = pt.tag_id WHERE p.title = 'Private Post' \
             AND t.slug IN ('tag1', 'tag2', 'tag3')"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM posts c JOIN posts p ON p.id = c.parent_id \
             WHERE c.title = 'Child Page' AND p.title = 'Parent Page'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM editors WHERE password_hash IS NOT NULL"
        )
        .await,
        0,
        "imported authors have no password"
    );
    let redirects = store.count_rows("redirects").await.unwrap();
    let again = import_file(&store, "wordpress-importer/phpunit-data/small-export.xml").await;
    assert_eq!(
        again.counts.posts + again.counts.pages + again.counts.comments,
        0
    );
    assert_eq!(store.count_rows("editors").await.unwrap(), 3);
    assert_eq!(counts(&store).await, (6, 5, 1, 30, 3));
    assert_eq!(store.count_rows("redirects").await.unwrap(), redirects);
}
store_test!(small_export_imports_as_wordpress_does_and_twice_changes_nothing);

/// A WXR 1.2 file around `items`, declaring `encoding`.
fn wxr_file(encoding: &str, items: &[u8]) -> Vec<u8> {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<rss version=\"2.0\" \
         xmlns:wp=\"http://wordpress.org/export/1.2/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\n\
         <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>http://odd.example</wp:base_site_url>\n"
    )
    .into_bytes();
    doc.extend_from_slice(items);
    doc.extend_from_slice(b"</channel></rss>\n");
    doc
}

fn wxr_item(id: i64, slug: &str, title: &[u8], date: &str, content: &[u8]) -> Vec<u8> {
    let mut item = b"<item><title>".to_vec();
    item.extend_from_slice(title);
    item.extend_from_slice(
        format!(
            "</title><wp:post_id>{id}</wp:post_id><wp:post_type>post</wp:post_type>\
             <wp:status>publish</wp:status><wp:post_date>{date}</wp:post_date>\
             <wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name>\
             <content:encoded><![CDATA["
        )
        .as_bytes(),
    );
    item.extend_from_slice(content);
    item.extend_from_slice(b"]]></content:encoded></item>\n");
    item
}

async fn body_of(store: &Store, title: &str) -> String {
    sqlx::query_scalar("SELECT body_html FROM posts WHERE title = $1")
        .bind(title)
        .fetch_one(store.raw_pool_for_tests())
        .await
        .unwrap()
}

/// Messy files: a 10 MB post, a Latin-1 export, bytes that are not UTF-8, dates without a
/// zone, scripts and frames in the HTML and two posts with one slug. Each is imported with
/// what was done said in the report, nothing lost but the dangerous markup.
async fn messy_exports_import_with_a_report_of_what_was_done(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    store
        .set_setting("timezone", "America/Chicago")
        .await
        .unwrap();

    let paragraph = "Candid words about hiring library workers, said at length. ".repeat(20);
    let huge: String = std::iter::repeat_n(format!("<p>{paragraph}</p>\n"), 8_800).collect();
    assert!(huge.len() > 10_000_000);
    let mut items = wxr_item(1, "huge", b"Huge", "2020-05-01 09:30:00", huge.as_bytes());
    items.extend(wxr_item(
        2,
        "dangerous",
        b"Dangerous",
        "2020-05-02 09:30:00",
        b"<p>Safe words.</p><script>alert(1)</script><iframe src=\"https://evil.example/\"></iframe>\
          <img src=\"x.png\" onerror=\"alert(2)\"><a href=\"javascript:alert(3)\">link</a>",
    ));
    items.extend(wxr_item(
        3,
        "same",
        b"Same one",
        "2020-05-03 09:30:00",
        b"<p>first</p>",
    ));
    items.extend(wxr_item(
        4,
        "same",
        b"Same two",
        "2020-05-04 09:30:00",
        b"<p>second</p>",
    ));
    items.extend(wxr_item(
        5,
        "broken",
        b"Broken bytes",
        "2020-05-05 09:30:00",
        b"<p>caf\xe9 au lait</p>",
    ));
    let utf8 = dir.path().join("utf8.xml");
    std::fs::write(&utf8, wxr_file("UTF-8", &items)).unwrap();
    let report = import::import_file(&store, &utf8, false).await.unwrap();
    assert_eq!(report.counts.posts, 5, "{:?}", report.lines());

    let stored = body_of(&store, "Huge").await;
    assert!(stored.len() > 10_000_000, "the 10 MB post is kept whole");
    assert_eq!(stored.matches("Candid words").count(), 8_800 * 20);
    // And it is served: too large for the page cache, it is sent without being kept.
    let router = roundtable::web::router(AppState::build(config(), store.clone()).unwrap());
    for _ in 0..2 {
        let response = tower::ServiceExt::oneshot(
            router.clone(),
            axum::http::Request::get("/2020/05/01/huge/")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), 200);
        let page = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(page.len() > 10_000_000);
    }

    let dangerous = body_of(&store, "Dangerous").await;
    assert!(dangerous.contains("Safe words."));
    for gone in ["<script", "alert(1)", "<iframe", "onerror", "javascript:"] {
        assert!(!dangerous.contains(gone), "{gone} survived: {dangerous}");
    }

    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM posts WHERE title LIKE 'Same %' ORDER BY title")
            .fetch_all(store.raw_pool_for_tests())
            .await
            .unwrap();
    assert_eq!(slugs.len(), 2);
    assert_ne!(slugs[0], slugs[1], "a duplicate slug gets a number");

    assert!(body_of(&store, "Broken bytes")
        .await
        .contains("caf\u{fffd} au lait"));
    let lines = report.lines().join("\n");
    assert!(
        lines.contains("item 5 \"Broken bytes\": bytes that are not valid"),
        "{lines}"
    );

    // A date without a zone is read in the site's zone.
    let published: i64 =
        sqlx::query_scalar("SELECT published_at FROM posts WHERE title = 'Same one'")
            .fetch_one(store.raw_pool_for_tests())
            .await
            .unwrap();
    assert_eq!(published, 1_588_516_200, "2020-05-03 09:30:00 in Chicago");

    // An export WordPress wrote for a blog whose charset is Latin-1.
    let latin1 = dir.path().join("latin1.xml");
    std::fs::write(
        &latin1,
        wxr_file(
            "ISO-8859-1",
            &wxr_item(
                9,
                "creme",
                b"Cr\xe8me br\xfbl\xe9e",
                "2020-06-01 10:00:00",
                b"<p>\xc0 la carte, na\xefve</p>",
            ),
        ),
    )
    .unwrap();
    let report = import::import_file(&store, &latin1, false).await.unwrap();
    assert_eq!(report.counts.posts, 1, "{:?}", report.lines());
    assert!(body_of(&store, "Crème brûlée")
        .await
        .contains("À la carte, naïve"));
}
store_test!(messy_exports_import_with_a_report_of_what_was_done);

/// What each corpus file must give: `(posts, pages, comments, categories, tags)`, or the
/// words of its refusal.
const EXPECTED: &[(&str, Result<Counts, &str>)] = &[
    // 110 tags declared; two more (`columns`, `content`) are used by posts without being
    // declared, and are created as WordPress creates them.
    (
        "theme-unit-test/themeunittestdata.wordpress.xml",
        Ok((51, 21, 32, 67, 112)),
    ),
    ("theme-unit-test/theme-preview.xml", Ok((7, 0, 2, 0, 0))),
    (
        "theme-test-data/themeunittestdata.wordpress.xml",
        Ok((58, 21, 33, 68, 114)),
    ),
    (
        "theme-test-data/64-block-test-data.xml",
        Ok((61, 1, 2, 7, 4)),
    ),
    (
        "wordpress-importer/phpunit-data/theme-unit-test-data.xml",
        Ok((58, 21, 33, 68, 114)),
    ),
    (
        "wordpress-importer/phpunit-data/a11y-unit-test-data.xml",
        Ok((47, 17, 26, 28, 71)),
    ),
    (
        "wordpress-importer/phpunit-data/valid-wxr-1.0.xml",
        Ok((3, 3, 1, 5, 4)),
    ),
    (
        "wordpress-importer/phpunit-data/valid-wxr-1.1.xml",
        Ok((1, 1, 1, 1, 1)),
    ),
    (
        "wordpress-importer/phpunit-data/small-export.xml",
        Ok((6, 5, 1, 30, 3)),
    ),
    (
        "wordpress-importer/phpunit-data/wxr-simple.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/wxr-with-sub-data.xml",
        Ok((1, 0, 1, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/wxr-utf-8-challenges.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/post-content-blank-lines.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/blank-lines.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/backslashes.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/multiple-cdata.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/cdata-edge.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/crazy-cdata-escaped.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    // Not well-formed (a raw "]]>" inside CDATA), but the reader takes the text after the
    // early end of the section as ordinary text, as WordPress's lenient parser does.
    (
        "wordpress-importer/phpunit-data/crazy-cdata.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/term-formats.xml",
        Ok((0, 0, 0, 2, 3)),
    ),
    (
        "wordpress-importer/phpunit-data/term-meta.xml",
        Ok((0, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/test-serialized-term-meta.xml",
        Ok((1, 0, 0, 1, 1)),
    ),
    (
        "wordpress-importer/phpunit-data/test-serialized-comment-meta.xml",
        Ok((1, 0, 1, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/test-serialized-postmeta-no-cdata.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/test-serialized-postmeta-with-cdata.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/test-utw-post-meta-import.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/chunked-meta.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/authors-multiline.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/missing-tags.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/slashes.xml",
        Ok((1, 0, 1, 1, 1)),
    ),
    (
        "wordpress-importer/phpunit-data/large-authors.xml",
        Ok((0, 0, 0, 0, 0)),
    ),
    // Post 5 ("Hijacked Namespace") has no id or type in WordPress's namespace: skipped.
    (
        "wordpress-importer/phpunit-data/namespace-edge-cases.xml",
        Ok((5, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/wxr-flat-attachment-same-site.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/wxr-flat-attachment-different-site.xml",
        Ok((1, 0, 0, 0, 0)),
    ),
    (
        "wordpress-importer/e2e-fixtures/wxr-simple.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/e2e-fixtures/wxr-comprehensive.xml",
        Ok((1, 1, 1, 2, 2)),
    ),
    (
        "wordpress-importer/e2e-fixtures/wxr-css-urls.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/e2e-fixtures/wxr-base-url-rewriting.xml",
        Ok((1, 0, 0, 1, 0)),
    ),
    (
        "wordpress-importer/phpunit-data/malformed.xml",
        Err("not well-formed XML at line 90"),
    ),
    (
        "wordpress-importer/phpunit-data/malformed-simple.xml",
        Err("truncated"),
    ),
    (
        "wordpress-importer/phpunit-data/missing-version-tag.xml",
        Err("not WXR: missing version"),
    ),
    (
        "wordpress-importer/phpunit-data/invalid-version-tag.xml",
        Err("invalid WXR version"),
    ),
];

#[tokio::test]
async fn every_corpus_file_imports_with_the_expected_counts_or_is_refused_cleanly() {
    let on_disk = std::fs::read_dir(corpus("wordpress-importer/phpunit-data"))
        .unwrap()
        .chain(std::fs::read_dir(corpus("wordpress-importer/e2e-fixtures")).unwrap())
        .chain(std::fs::read_dir(corpus("theme-unit-test")).unwrap())
        .chain(std::fs::read_dir(corpus("theme-test-data")).unwrap())
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "xml")
        })
        .count();
    assert_eq!(
        on_disk,
        EXPECTED.len(),
        "every corpus file has an expectation"
    );
    for (file, expected) in EXPECTED {
        let db = TestDb::new(Backend::Sqlite).await;
        let store = db.store().await;
        match (
            import::import_file(&store, &corpus(file), false).await,
            expected,
        ) {
            (Ok(_), Ok(want)) => {
                assert_eq!(counts(&store).await, *want, "{file}");
            }
            (Err(e), Err(words)) => {
                let message = e.to_string();
                assert!(message.contains(words), "{file}: {message}");
                assert_eq!(message.lines().count(), 1, "{file}: {message}");
                assert_eq!(counts(&store).await, (0, 0, 0, 0, 0), "{file}");
            }
            (Ok(_), Err(words)) => panic!("{file} was read, but should be refused ({words})"),
            (Err(e), Ok(_)) => panic!("{file} was refused: {e}"),
        }
        store.close().await;
    }
}

#[tokio::test]
async fn corpus_details_survive_the_import_byte_for_byte() {
    let parsed = wxr::read_file(&corpus(
        "wordpress-importer/phpunit-data/wxr-utf-8-challenges.xml",
    ))
    .unwrap();
    assert!(parsed.authors[0].email.contains("ădmĩn@ℓocalhost.com"));
    let parsed =
        wxr::read_file(&corpus("wordpress-importer/phpunit-data/backslashes.xml")).unwrap();
    assert!(parsed.items[0].content.contains(r"C:\xampp\htdocs"));
    let parsed = wxr::read_file(&corpus(
        "wordpress-importer/phpunit-data/multiple-cdata.xml",
    ))
    .unwrap();
    let trimmed: String = parsed.items[0].content.lines().map(str::trim).collect();
    assert_eq!(trimmed, "line oneline twoline three");
    let parsed = wxr::read_file(&corpus("wordpress-importer/phpunit-data/cdata-edge.xml")).unwrap();
    assert!(parsed.items[0].content.trim_end().ends_with("]] >"));
    let parsed = wxr::read_file(&corpus(
        "wordpress-importer/phpunit-data/crazy-cdata-escaped.xml",
    ))
    .unwrap();
    assert_eq!(
        parsed.items[0].content,
        "Content with nested <![CDATA[ tags ]]> :)"
    );
    let parsed = wxr::read_file(&corpus(
        "wordpress-importer/phpunit-data/authors-multiline.xml",
    ))
    .unwrap();
    let logins: Vec<&str> = parsed.authors.iter().map(|a| a.login.as_str()).collect();
    assert_eq!(logins, ["alice", "bob", "carol"]);
    let parsed = wxr::read_file(&corpus(
        "wordpress-importer/phpunit-data/namespace-edge-cases.xml",
    ))
    .unwrap();
    let ids: Vec<Option<i64>> = parsed.items.iter().map(|i| i.post_id).collect();
    assert_eq!(ids, [Some(999), Some(2), Some(3), Some(4), None, Some(6)]);
    assert_eq!(parsed.authors.len(), 2);
    let parsed =
        wxr::read_file(&corpus("theme-unit-test/themeunittestdata.wordpress.xml")).unwrap();
    assert_eq!(
        (
            parsed.authors.len(),
            parsed.categories.len(),
            parsed.tags.len()
        ),
        (2, 67, 110)
    );
}

#[test]
fn a_file_without_a_version_is_refused_in_one_line_by_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(["import", "wxr"])
        .arg(corpus(
            "wordpress-importer/phpunit-data/missing-version-tag.xml",
        ))
        .current_dir(dir.path())
        .env_remove("ROUNDTABLE_DATABASE_URL")
        .env("ROUNDTABLE_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: not WXR: missing version"),
        "{stderr}"
    );
}

#[tokio::test]
async fn old_wordpress_addresses_answer_with_a_permanent_redirect() {
    let app = TestApp::empty(Backend::Sqlite, MailSettings::default()).await;
    let file = "theme-unit-test/themeunittestdata.wordpress.xml";
    import_file(&app.store, file).await;
    let parsed = wxr::read_file(&corpus(file)).unwrap();
    let item = parsed
        .items
        .iter()
        .find(|i| {
            i.post_type == "post"
                && i.status == "publish"
                && i.post_name == "markup-html-tags-and-formatting"
        })
        .expect("a published post");
    let location = |r: &reqwest::Response| {
        r.headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let by_id = app
        .client
        .get(app.url(&format!("/?p={}", item.post_id.unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(by_id.status().as_u16(), 301);
    let new = location(&by_id);
    assert!(new.ends_with("/markup-html-tags-and-formatting/"), "{new}");
    let old = import::old_path(&item.link).unwrap();
    assert_ne!(old, new);
    let by_path = app.client.get(app.url(&old)).send().await.unwrap();
    assert_eq!(by_path.status().as_u16(), 301, "{old}");
    assert_eq!(location(&by_path), new);
    let (status, html) = app.get(&new).await;
    assert_eq!(status, 200);
    assert!(html.contains("Markup: HTML Tags and Formatting"));
    let page = parsed
        .items
        .iter()
        .find(|i| i.post_type == "page" && i.status == "publish" && i.post_parent.is_none())
        .unwrap();
    let r = app
        .client
        .get(app.url(&format!("/?page_id={}", page.post_id.unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(app.get(&location(&r)).await.0, 200, "the page is served");
    assert_eq!(app.get("/?p=987654").await.0, 404);
}

fn config() -> Config {
    Config {
        database_url: DatabaseUrl::Sqlite("unused.db".into()),
        addr: "127.0.0.1:0".parse().unwrap(),
        theme: None,
        base_url: None,
        trusted_proxies: Vec::new(),
        page_cache: false,
        mail: MailSettings::default(),
        comment_rate_max: roundtable::config::DEFAULT_COMMENT_RATE_MAX,
        form_rate_max: roundtable::config::DEFAULT_FORM_RATE_MAX,
    }
}

#[tokio::test]
async fn exporting_wxr_and_importing_it_elsewhere_gives_the_same_public_site() {
    let source = TestApp::with_demo(Backend::Sqlite).await;
    let state = AppState::build(config(), source.store.clone()).unwrap();
    let (xml, written) = export::wxr(&state.column, "https://column.example.org")
        .await
        .unwrap();
    assert!(written.posts > 0);

    // Nobody's email address, and nobody behind a hidden answer.
    let posts = source.store.published_posts(0, 100).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers = source.store.included_answers_of_posts(&ids).await.unwrap();
    let named: Vec<String> = answers
        .iter()
        .filter(|a| a.attribution() == roundtable::domain::Attribution::Named)
        .filter_map(|a| a.panelist_name.clone())
        .collect();
    for a in answers
        .iter()
        .filter(|a| a.attribution() != roundtable::domain::Attribution::Named)
    {
        let name = a.panelist_name.clone().unwrap();
        if !named.contains(&name) {
            assert!(!xml.contains(&name), "{name} appears in the export");
        }
    }
    for p in source.store.panelists("active").await.unwrap() {
        assert!(!xml.contains(&p.email), "{} appears in the export", p.email);
    }

    let target = TestApp::empty(Backend::Sqlite, MailSettings::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.xml");
    std::fs::write(&file, &xml).unwrap();
    import::import_file(&target.store, &file, false)
        .await
        .unwrap();

    let before = source.store.public_entries().await.unwrap();
    let after = target.store.public_entries().await.unwrap();
    let key = |e: &roundtable::store::PublicEntry| {
        (
            e.kind.clone(),
            e.slug.clone(),
            e.title.clone(),
            e.published_at,
        )
    };
    assert_eq!(
        before.iter().map(key).collect::<Vec<_>>(),
        after.iter().map(key).collect::<Vec<_>>()
    );
    for (b, a) in before.iter().zip(&after) {
        let original = source.store.posts_by_id(&[b.id]).await.unwrap();
        let copy = target.store.posts_by_id(&[a.id]).await.unwrap();
        let (original, copy) = (&original[0], &copy[0]);
        let (live_b, live_a) = (
            source
                .get(&roundtable::render::permalink(
                    &site_clock(&source.store).await,
                    b.published_at,
                    &b.slug,
                ))
                .await,
            target
                .get(&roundtable::render::permalink(
                    &site_clock(&target.store).await,
                    a.published_at,
                    &a.slug,
                ))
                .await,
        );
        assert_eq!(live_a.0, 200, "{}", copy.title);
        for taxonomy in [
            roundtable::store::Taxonomy::Tag,
            roundtable::store::Taxonomy::Category,
        ] {
            let terms = |rows: Vec<(i64, roundtable::store::TermRow)>| {
                rows.into_iter()
                    .map(|(_, t)| (t.slug, t.name))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                terms(
                    source
                        .store
                        .terms_of_posts(taxonomy, &[original.id])
                        .await
                        .unwrap()
                ),
                terms(
                    target
                        .store
                        .terms_of_posts(taxonomy, &[copy.id])
                        .await
                        .unwrap()
                ),
            );
        }
        assert_eq!(
            source.store.post(original.id).await.unwrap().comment_count,
            target.store.post(copy.id).await.unwrap().comment_count,
        );
        let text_after = crate::helpers::visible_text(&live_a.1);
        for answer in answers.iter().filter(|x| x.post_id == original.id) {
            let phrase: String = crate::helpers::visible_text(&roundtable::render::markdown_html(
                answer.public_body(),
            ))
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
            assert!(
                text_after.contains(&phrase),
                "{phrase:?} is missing from {}",
                copy.title
            );
        }
        assert_eq!(live_b.0, 200);
    }
}

/// Characters XML 1.0 cannot carry at all (every C0 control but tab and line breaks, U+FFFE,
/// U+FFFF), and markup that ends CDATA sections or starts entities.
const UNWRITABLE: &str = "controls \u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{b}\u{c}\u{e}\u{f}\
    \u{10}\u{11}\u{12}\u{13}\u{14}\u{15}\u{16}\u{17}\u{18}\u{19}\u{1a}\u{1b}\u{1c}\u{1d}\u{1e}\u{1f} \
    \u{fffe}\u{ffff} ]]> ]]]]> <![CDATA[ x ]]> & &amp; &#1; &bogus; < > \" ' end";

/// A post's title that only an ordinary column would have: it must come back as it was.
const ORDINARY: &str = "What is the best part of your job?";

/// Whatever text is stored, the export is well-formed XML to a reader other than ours (Python's
/// expat), and our importer reads it back: every post is there again, with the ordinary title
/// and every naughty title XML can carry exactly as they were.
async fn any_stored_text_exports_as_well_formed_wxr_that_imports_again(store: Store) {
    use roundtable::domain::{Attribution, CommentStatus, Email};
    use roundtable::store::{GeneratedAnswer, GeneratedComment, GeneratedPost, NewPanelist};

    let mut strings = crate::hardening::naughty_strings();
    strings.push(UNWRITABLE.into());
    let panelist = store
        .create_panelist(&NewPanelist {
            name: "Pat Panelist".into(),
            email: "pat@example.org".into(),
            status: "active",
            ..NewPanelist::default()
        })
        .await
        .unwrap();
    let at = 1_700_000_000;
    let post = |title: String, texts: &[String], n: i64| GeneratedPost {
        title,
        prompt: texts.join("\n"),
        follow_up: None,
        choices: Vec::new(),
        intro: texts.join("\n\n"),
        closing: UNWRITABLE.into(),
        series_id: None,
        published_at: at + n * 3600,
        // The number keeps each term's slug apart from the others'.
        tags: texts.iter().map(|t| format!("t{n} {t}")).collect(),
        categories: vec![format!("c{n} {}", texts[0])],
        answers: texts
            .iter()
            .map(|t| GeneratedAnswer {
                panelist_id: panelist,
                attribution: Attribution::Named,
                role_description: None,
                show_library_type: false,
                choice: None,
                body: t.clone(),
                submitted_at: at,
            })
            .collect(),
        comments: texts
            .iter()
            .enumerate()
            .map(|(i, t)| GeneratedComment {
                author_name: t.clone(),
                author_email: format!("reader{i}@example.org"),
                body: t.clone(),
                status: CommentStatus::Approved,
                reply_to: i.checked_sub(1),
                created_at: at + 60,
            })
            .collect(),
    };
    // Five strings a post: every one is in a title, an answer, a comment and a tag.
    let mut posts = vec![post(ORDINARY.into(), &strings[..1], 0)];
    for (i, chunk) in strings.chunks(5).enumerate() {
        let n = i as i64 + 1;
        posts.push(post(format!("N{n}: {}", chunk.join(" | ")), chunk, n));
    }
    store.insert_published_posts(&posts).await.unwrap();

    // What the generator does not write: the site's name, excerpts, authors with WordPress
    // logins, commenters' addresses and term descriptions.
    store.set_setting("site_title", UNWRITABLE).await.unwrap();
    store
        .set_setting("site_tagline", &strings[7])
        .await
        .unwrap();
    let editor = store
        .create_editor(&Email::parse("ed@example.org").unwrap(), UNWRITABLE, "x")
        .await
        .unwrap();
    let pool = store.raw_pool_for_tests();
    for sql in [
        "UPDATE posts SET excerpt = title",
        "UPDATE comments SET author_url = body",
        "UPDATE categories SET description = name",
        "UPDATE tags SET description = name",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    sqlx::query("UPDATE editors SET login = $1 WHERE id = $2")
        .bind(UNWRITABLE)
        .bind(editor)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET author_id = $1")
        .bind(editor)
        .execute(pool)
        .await
        .unwrap();

    let state = AppState::build(config(), store.clone()).unwrap();
    let (xml, written) = export::wxr(&state.column, "https://column.example.org")
        .await
        .unwrap();
    assert_eq!(written.posts, posts.len());
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{fffe}'));
    assert!(
        xml.contains("\u{fffd}"),
        "what XML cannot carry is replaced"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.xml");
    std::fs::write(&file, &xml).unwrap();
    let parsed = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])",
        ])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        parsed.status.success(),
        "not well-formed: {}",
        String::from_utf8_lossy(&parsed.stderr)
    );

    let target_db = TestDb::new(store.backend()).await;
    let target = target_db.store().await;
    let report = import::import_file(&target, &file, false).await.unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.counts.posts, posts.len());
    let titles: Vec<String> = target
        .public_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.title)
        .collect();
    assert!(titles.iter().any(|t| t == ORDINARY), "{titles:?}");
    // Titles with nothing XML must replace or a reader normalises (carriage returns) and no
    // spaces at the end (the importer trims them) come back byte for byte.
    let mut compared = 0;
    for p in &posts {
        let carried = p
            .title
            .chars()
            .all(|c| matches!(c, '\t' | '\n') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}'));
        if carried && p.title.trim_end() == p.title {
            assert!(titles.contains(&p.title), "{:?} did not come back", p.title);
            compared += 1;
        }
    }
    assert!(
        compared > posts.len() / 2,
        "only {compared} titles compared"
    );
    target.close().await;
}
store_test!(any_stored_text_exports_as_well_formed_wxr_that_imports_again);

/// The site's own clock: a post's address carries its day in the site's time zone (the
/// demo's is America/Chicago), not in UTC.
async fn site_clock(store: &roundtable::store::Store) -> roundtable::render::SiteClock {
    let zone = store.setting("timezone").await.unwrap();
    roundtable::render::SiteClock::new(zone.as_deref())
}

/// A free port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_static_export_served_by_a_plain_file_server_matches_the_live_site() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{}", app.addr);
    // As `roundtable export static` does: the site's address is the one the export is for.
    let exporting = || Config {
        base_url: Some(base.clone()),
        ..config()
    };
    let state = AppState::build(exporting(), app.store.clone()).unwrap();
    let first = crate::helpers::export_static(&state, dir.path(), &base).await;
    assert!(first.written > 10, "{first:?}");
    let again = crate::helpers::export_static(&state, dir.path(), &base).await;
    assert_eq!(again.written, 0, "an unchanged site rewrites nothing");

    let port = free_port();
    let mut server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    let plain = reqwest::Client::new();
    let fetch = |path: String| {
        let plain = plain.clone();
        async move {
            for _ in 0..50 {
                if let Ok(r) = plain
                    .get(format!("http://127.0.0.1:{port}{path}"))
                    .send()
                    .await
                {
                    return (r.status().as_u16(), r.text().await.unwrap());
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("the file server did not answer");
        }
    };
    let post = app.store.published_posts(0, 1).await.unwrap().remove(0);
    let clock = site_clock(&app.store).await;
    let post_path = roundtable::render::permalink(&clock, post.published_at.unwrap(), &post.slug);
    let tag = app
        .store
        .used_terms(roundtable::store::Taxonomy::Tag)
        .await
        .unwrap()[0]
        .0
        .clone();
    for path in [
        "/".to_string(),
        post_path.clone(),
        format!("/tag/{}/", tag.slug),
        "/tag/".to_string(),
        "/category/".to_string(),
        "/favicon.svg".to_string(),
    ] {
        let (status, served) = fetch(path.clone()).await;
        let live = app.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(served, live.1, "{path} differs from the live page");
    }
    let (status, css) = fetch("/static/style.css".into()).await;
    assert_eq!(status, 200);
    assert!(!css.is_empty());
    assert_eq!(fetch("/feed/index.xml".into()).await.0, 200);
    let (status, comments) = fetch("/comments/feed/index.xml".into()).await;
    assert_eq!(status, 200);
    assert_eq!(comments, app.get("/comments/feed/").await.1);
    assert_eq!(fetch(format!("{post_path}feed/index.xml")).await.0, 200);
    assert_eq!(fetch("/favicon.ico".into()).await.0, 200);
    let _ = server.kill();
    let _ = server.wait();

    // A post taken down: the next export removes its file and the folders it leaves empty,
    // and leaves files it did not write alone.
    std::fs::write(dir.path().join("CNAME"), "column.example.org\n").unwrap();
    let post_file = static_site::file_for(dir.path(), &post_path);
    assert!(post_file.exists());
    sqlx::query("UPDATE posts SET status = 'draft' WHERE id = $1")
        .bind(post.id)
        .execute(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    sqlx::query("UPDATE content_version SET version = version + 1")
        .execute(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    // Written behind the store's back, like another process: seen within VERSION_TTL.
    tokio::time::sleep(roundtable::store::VERSION_TTL * 2).await;
    let state = AppState::build(exporting(), app.store.clone()).unwrap();
    let after = crate::helpers::export_static(&state, dir.path(), &base).await;
    assert!(after.removed >= 1, "{after:?}");
    assert!(!post_file.exists(), "the taken-down post's file is gone");
    assert!(
        !post_file.parent().unwrap().exists(),
        "and its empty folder"
    );
    assert!(
        dir.path().join("CNAME").exists(),
        "a file the export did not write stays"
    );
    assert!(dir.path().join("index.html").exists());
}

#[tokio::test]
async fn split_answers_turn_a_roundup_into_answers_and_retired_panelists() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("roundup.xml");
    let content = "Would you hire someone with an MLIS for a paraprofessional position?\n\n\
        Amy Tureen (she/her/hers), Head, Library Liaison Program, University of Nevada: Of course.\n\n\
        Gregg Currie, College Librarian, Selkirk College: I have hired them.\n\n\
        It works out.\n\n\
        Anonymous, Public library: No.\n\n\
        Thank you as always to our contributors.";
    std::fs::write(
        &file,
        format!(
            "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
             <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>http://old.example</wp:base_site_url>\
             <item><title>Further Questions: MLIS?</title><wp:post_id>5</wp:post_id>\
             <wp:post_type>post</wp:post_type><wp:status>publish</wp:status>\
             <wp:post_date_gmt>2020-01-02 10:00:00</wp:post_date_gmt><wp:post_name>mlis</wp:post_name>\
             <content:encoded><![CDATA[{content}]]></content:encoded></item>\
             <item><title>Hello</title><wp:post_id>6</wp:post_id><wp:post_type>post</wp:post_type>\
             <wp:status>publish</wp:status><content:encoded><![CDATA[Just a post.]]></content:encoded></item>\
             </channel></rss>"
        ),
    )
    .unwrap();
    let report = import::import_file(&store, &file, true).await.unwrap();
    assert_eq!(report.split, ["Further Questions: MLIS?"]);
    assert_eq!(report.whole, ["Hello"]);
    assert_eq!(store.count_rows("answers").await.unwrap(), 3);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM panelists WHERE status = 'retired'"
        )
        .await,
        2
    );
    let amy = store
        .panelist_by_slug("amy-tureen")
        .await
        .unwrap()
        .expect("Amy is a panelist");
    assert_eq!(amy.institution.as_deref(), Some("University of Nevada"));
    let archive = store.named_answers_of_panelist(amy.id).await.unwrap();
    assert_eq!(archive.len(), 1, "the old answer joins Amy's archive");
    let (hits, _) = store
        .search(&roundtable::store::SearchQuery {
            words: "hired".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        hits.iter()
            .any(|h| h.answer_number.is_some() && h.byline.contains("Gregg Currie")),
        "the split answer is found by search under its byline"
    );
    store.close().await;
}

#[test]
fn the_roster_goes_out_and_comes_back_as_csv_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_roundtable"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("ROUNDTABLE_DATABASE_URL")
            .env("ROUNDTABLE_LOG", "off")
            .output()
            .unwrap()
    };
    std::fs::write(
        dir.path().join("in.csv"),
        "name,email,title,library_type\nJan Smith,jan@example.org,Director,public\n,nobody@example.org,,\nKim Lee,kim@example.org,,moon\n",
    )
    .unwrap();
    let out = run(&["panel", "import", "in.csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1 added, 0 updated, 2 skipped."), "{text}");
    assert!(text.contains("Line 3: no name"), "{text}");
    assert!(
        text.contains("Line 4: 'moon' is not a library type"),
        "{text}"
    );
    let out = run(&["panel", "export", "out.csv"]);
    assert!(out.status.success());
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(csv.starts_with("name,email,"), "{csv}");
    assert!(csv.contains("Jan Smith,jan@example.org"), "{csv}");

    // Cells a spreadsheet would run as formulas go out with a quote in front and come back
    // without it. A quote before a formula character in the file (the city) is taken off on
    // the way in; one before anything else (the pronouns) is part of the value.
    std::fs::write(
        dir.path().join("formulas.csv"),
        "name,email,pronouns,title,department,institution,city\n\
         Dana Cruz,dana@example.org,'80s,\"=HYPERLINK(\"\"http://evil.example\"\")\",+1 555,@home,'-already quoted\n",
    )
    .unwrap();
    let out = run(&["panel", "import", "formulas.csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 added, 0 updated, 0 skipped."), "{text}");
    assert!(run(&["panel", "export", "out.csv"]).status.success());
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(
        csv.contains(
            "Dana Cruz,dana@example.org,'80s,\"'=HYPERLINK(\"\"http://evil.example\"\")\",\
             '+1 555,'@home,'-already quoted,"
        ),
        "{csv}"
    );
    let out = run(&["panel", "import", "out.csv"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 added, 2 updated, 0 skipped."), "{text}");
    assert!(run(&["panel", "export", "again.csv"]).status.success());
    let again = std::fs::read_to_string(dir.path().join("again.csv")).unwrap();
    assert_eq!(
        again, csv,
        "export, import and export again changes nothing"
    );
}

store_test!(imported_html_is_searched_as_its_text_even_for_posts_imported_before_the_text_was_kept);
async fn imported_html_is_searched_as_its_text_even_for_posts_imported_before_the_text_was_kept(
    store: Store,
) {
    import_file(&store, "wordpress-importer/phpunit-data/small-export.xml").await;
    let (post_id, html): (i64, String) = sqlx::query_as(
        "SELECT id, body_html FROM posts WHERE status = 'published' AND body_html LIKE '%<%' ORDER BY id",
    )
    .fetch_one(store.raw_pool_for_tests())
    .await
    .unwrap();
    // A word a reader sees in the post (the longest, so it is unlikely to be elsewhere).
    let text = roundtable::render::plain_text(&html);
    let word = text
        .split(|c: char| !c.is_alphabetic())
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_lowercase();
    let finds = |store: Store, word: String| async move {
        let query = roundtable::store::SearchQuery {
            words: word,
            limit: 50,
            ..Default::default()
        };
        let (hits, _) = store.search(&query).await.unwrap();
        hits.iter().any(|h| h.post_id == post_id)
    };
    assert!(finds(store.clone(), word.clone()).await, "{word} in {text}");

    // A database from before the text was kept: indexing the post again (taken down and
    // published again) loses its body...
    sqlx::query("UPDATE posts SET body_text = NULL")
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    let now = roundtable::store::now();
    store
        .unpublish_post(post_id, "/gone-for-a-moment/", None, now)
        .await
        .unwrap();
    store.publish_post(post_id, now).await.unwrap();
    assert!(!finds(store.clone(), word.clone()).await);
    // ...until the upgrade writes the text of every imported post.
    roundtable::column::migrate(&store).await.unwrap();
    assert!(finds(store.clone(), word.clone()).await, "{word}");
}

store_test!(an_edited_line_at_a_posts_end_imports_as_a_dated_edit_note);
async fn an_edited_line_at_a_posts_end_imports_as_a_dated_edit_note(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    let content = "Our panel answers.\n\nThank YOU for reading!\n\n*edited 8/10/2013 to add Jan Wilbur’s response\n";
    let items = wxr_item(
        7,
        "further-questions",
        b"Further Questions",
        "2013-08-05 09:00:00",
        content.as_bytes(),
    );
    let path = dir.path().join("column.xml");
    std::fs::write(&path, wxr_file("UTF-8", &items)).unwrap();
    import::import_file(&store, &path, false).await.unwrap();
    let body = body_of(&store, "Further Questions").await;
    assert!(
        body.contains("Thank YOU for reading!") && !body.contains("edited 8/10/2013"),
        "{body}"
    );
    let post_id: i64 = sqlx::query_scalar("SELECT id FROM posts WHERE title = 'Further Questions'")
        .fetch_one(store.raw_pool_for_tests())
        .await
        .unwrap();
    let notes = store.notes_of_post(post_id).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0].body,
        "*edited 8/10/2013 to add Jan Wilbur’s response"
    );
    assert_eq!(
        notes[0].noted_at, 1_376_092_800,
        "the day the line names (UTC site)"
    );
}

store_test!(wordpress_as_it_really_is_imports_whole);
/// Items sharing a post id, `[caption]` shortcodes, signatures with pronouns and signatures
/// after their answers, as real exports have them.
async fn wordpress_as_it_really_is_imports_whole(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut items = wxr_item(
        5,
        "code-in-list",
        b"Code in List",
        "2013-07-01 09:00:00",
        b"<ul><li><code>x</code></li></ul>",
    );
    items.extend(wxr_item(
        5,
        "caption-on-image",
        b"Caption on image",
        "2013-07-02 09:00:00",
        b"[caption id=\"attachment_9\" width=\"150\"]<img src=\"/m.jpg\" alt=\"\" width=\"150\"> Marleah Augustine[/caption]I've never hired one.",
    ));
    items.extend(wxr_item(
        6,
        "would-you-hire",
        b"Would You Hire Someone with an MLIS?",
        "2013-07-03 09:00:00",
        "Would you hire someone with an MLIS?\n\n\
         Amy Tureen (she/her/hers), Head, Library Liaison Program, University of Nevada: \n\n\
         Of course I would.\n\n\
         Gregg Currie, College Librarian, Selkirk College: \n\nI have hired them."
            .as_bytes(),
    ));
    items.extend(wxr_item(
        7,
        "certification",
        b"Does Certification Give Candidates an Edge?",
        "2013-07-04 09:00:00",
        "This week: does certification help?\n\n\
         Yes, it does.\n\n– Marleah Augustine, Adult Department Librarian, Hays Public Library\n\n\
         Not much.\n\n– Anonymous"
            .as_bytes(),
    ));
    let path = dir.path().join("column.xml");
    std::fs::write(&path, wxr_file("UTF-8", &items)).unwrap();
    let report = import::import_file(&store, &path, true).await.unwrap();
    assert_eq!(report.counts.posts, 4, "{:?}", report.lines());
    assert_eq!(
        report.counts.already_there, 0,
        "an empty database has nothing already there"
    );
    let lines = report.lines().join("\n");
    assert!(
        lines.contains("\"Caption on image\": its wp:post_id is also \"Code in List\"'s"),
        "{lines}"
    );
    // Importing the file again finds every entry there, the second of the pair included.
    let again = import::import_file(&store, &path, true).await.unwrap();
    assert_eq!((again.counts.posts, again.counts.already_there), (0, 4));

    let caption = body_of(&store, "Caption on image").await;
    assert!(
        caption.contains("<figcaption>Marleah Augustine</figcaption></figure>")
            && !caption.contains("[/caption]"),
        "{caption}"
    );
    let pronouns: Vec<Option<String>> =
        sqlx::query_scalar("SELECT sig_pronouns FROM answers WHERE sig_name = 'Amy Tureen'")
            .fetch_all(store.raw_pool_for_tests())
            .await
            .unwrap();
    assert_eq!(pronouns, vec![Some("she/her/hers".to_string())]);
    let placements: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT slug, signature_placement FROM posts WHERE slug IN ('would-you-hire', 'certification') ORDER BY slug",
    )
    .fetch_all(store.raw_pool_for_tests())
    .await
    .unwrap();
    assert_eq!(
        placements,
        vec![
            ("certification".to_string(), Some("after".to_string())),
            ("would-you-hire".to_string(), Some("before".to_string())),
        ]
    );
    let answers: Vec<String> = store
        .public_answers_of_posts(&[post_id_of(&store, "would-you-hire").await])
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.byline)
        .collect();
    assert_eq!(
        answers[0],
        "Amy Tureen (she/her/hers), Head, Library Liaison Program, University of Nevada"
    );
}

async fn post_id_of(store: &Store, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM posts WHERE slug = $1")
        .bind(slug)
        .fetch_one(store.raw_pool_for_tests())
        .await
        .unwrap()
}

//! What readers of a WordPress column expect of its pages: a search box and feed links in the
//! header, feed autodiscovery, a favicon, tag and category indexes, excerpts on lists, comments
//! feeds and link previews. On the real server over the demo column, on both databases.

use roundtable::render::{markdown_html, plain_text};
use roundtable::store::Taxonomy;

use crate::demo_test;
use crate::helpers::{post_url, visible_text, TestApp, SALARY_POST};
use crate::validators::assert_feed_reads_cleanly;

/// The `<head>` of a page.
fn head(html: &str) -> &str {
    &html[..html.find("</head>").expect("a page has a head")]
}

/// The value of `attribute` in the first tag of `html` that contains `marker`.
fn attribute_of<'a>(html: &'a str, marker: &str, attribute: &str) -> Option<&'a str> {
    let at = html.find(marker)?;
    let start = html[..=at].rfind('<')?;
    let tag = &html[start..start + html[start..].find('>')?];
    let key = format!("{attribute}=\"");
    let value = &tag[tag.find(&key)? + key.len()..];
    Some(&value[..value.find('"')?])
}

/// The text of the salary post's answers, as its page shows them: first to last.
async fn salary_answers(app: &TestApp) -> Vec<String> {
    let post = app
        .store
        .published_posts(0, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title.contains(SALARY_POST))
        .expect("the salary post");
    let answers = app.store.public_answers_of_posts(&[post.id]).await.unwrap();
    answers
        .iter()
        .map(|a| plain_text(&markdown_html(&a.body)))
        .collect()
}

/// Eight words from the middle of `text`.
fn phrase_of(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let from = words.len() / 2;
    words[from..(from + 8).min(words.len())].join(" ")
}

demo_test!(every_page_has_a_search_box_feed_links_and_an_icon);
async fn every_page_has_a_search_box_feed_links_and_an_icon(app: TestApp) {
    let post = post_url(&app, SALARY_POST).await;
    for path in ["/", post.as_str(), "/tag/", "/join/"] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        let header = &html[html.find("<header class=\"site-header\"").unwrap()..];
        let header = &header[..header.find("</header>").unwrap()];
        assert!(
            header.contains("action=\"/search\" method=\"get\""),
            "{path}: a search form that works without JavaScript: {header}"
        );
        assert!(header.contains("name=\"q\""), "{path}");
        assert!(header.contains("href=\"/feed/\""), "{path}: the feed link");
        let head = head(&html);
        for (kind, href) in [
            ("application/rss+xml", "/feed/"),
            ("application/atom+xml", "/feed/atom/"),
            ("application/rss+xml", "/comments/feed/"),
        ] {
            assert!(
                head.contains(&format!("type=\"{kind}\""))
                    && head.contains(&format!("href=\"{href}\"")),
                "{path} announces {href}"
            );
        }
        assert!(
            head.contains("<link rel=\"icon\" href=\"/favicon.svg\""),
            "{path}"
        );
        let footer = &html[html.find("<footer class=\"site-footer\"").unwrap()..];
        assert!(footer.contains("href=\"/tag/\"") && footer.contains("href=\"/category/\""));
    }
    // What the header's box sends is a search.
    let (status, found) = app.get("/search?q=salary+range").await;
    assert_eq!(status, 200);
    assert!(visible_text(&found).contains("results for “salary range”"));
}

demo_test!(archives_and_panelist_pages_announce_their_own_feeds);
async fn archives_and_panelist_pages_announce_their_own_feeds(app: TestApp) {
    let panelist = app.store.public_panelist_slugs().await.unwrap()[0].clone();
    for base in [
        "/tag/interviews/".to_string(),
        "/category/ask-the-panel/".to_string(),
        format!("/panelist/{panelist}/"),
    ] {
        let (status, html) = app.get(&base).await;
        assert_eq!(status, 200, "{base}");
        let head = head(&html);
        for (kind, feed) in [
            ("application/rss+xml", format!("{base}feed/")),
            ("application/atom+xml", format!("{base}feed/atom/")),
        ] {
            assert_eq!(
                attribute_of(head, &format!("href=\"{feed}\""), "type"),
                Some(kind),
                "{base} announces {feed}"
            );
            assert_eq!(app.get(&feed).await.0, 200, "{feed} is there");
        }
        assert!(head.contains("href=\"/feed/\""), "and the site's feed");
    }
}

demo_test!(the_site_has_an_icon_at_both_addresses_browsers_ask_for);
async fn the_site_has_an_icon_at_both_addresses_browsers_ask_for(app: TestApp) {
    let svg = app
        .client
        .get(app.url("/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.status().as_u16(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<svg"));
    let ico = app
        .client
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(ico.status().as_u16(), 200);
    assert_eq!(ico.headers()["content-type"], "image/x-icon");
    let bytes = ico.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"\0\0\x01\0", "an ICO file");
    assert_eq!(&bytes[22..26], b"\x89PNG", "holding a PNG");
}

demo_test!(tag_and_category_indexes_list_each_term_with_its_posts);
async fn tag_and_category_indexes_list_each_term_with_its_posts(app: TestApp) {
    for (taxonomy, path, heading) in [
        (Taxonomy::Tag, "/tag/", "Tags"),
        (Taxonomy::Category, "/category/", "Categories"),
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        let text = visible_text(&html);
        assert!(text.contains(heading), "{text}");
        let terms = app.store.used_terms(taxonomy).await.unwrap();
        assert!(terms.len() > 1, "the demo files posts under several");
        for (term, count) in terms.iter() {
            let archive = format!("{path}{}/", term.slug);
            let plural = if *count == 1 { "" } else { "s" };
            assert!(
                text.contains(&format!("{} ({count} post{plural})", term.name)),
                "{path} counts {}: {text}",
                term.name
            );
            assert!(html.contains(&format!("href=\"{archive}\"")), "{archive}");
            let (status, page) = app.get(&archive).await;
            assert_eq!(status, 200);
            assert!(
                visible_text(&page).contains(&format!("{count} post{plural}")),
                "{archive} has as many posts as the index says"
            );
        }
    }
    // A draft's terms are not public: only published posts count.
    let (_, html) = app.get("/tag/").await;
    assert!(!visible_text(&html).contains("(0 posts)"));
}

demo_test!(lists_show_each_posts_opening_and_its_page_and_feed_the_whole_post);
async fn lists_show_each_posts_opening_and_its_page_and_feed_the_whole_post(app: TestApp) {
    let answers = salary_answers(&app).await;
    assert!(answers.len() > 3, "the salary post has many answers");
    let opening: String = answers[0]
        .split_whitespace()
        .take(8)
        .collect::<Vec<_>>()
        .join(" ");
    let later = phrase_of(answers.last().unwrap());
    let url = post_url(&app, SALARY_POST).await;

    let (_, home) = app.get("/").await;
    let text = visible_text(&home);
    assert!(
        text.contains("question comes from a reader who is two months into a job search"),
        "the intro: {text}"
    );
    assert!(
        text.contains(&opening),
        "the first answer's opening: {text}"
    );
    assert!(!text.contains(&later), "not the last answer: {text}");
    let more = format!("Continue reading “Ask the Panel: {SALARY_POST}”");
    assert!(text.contains(&more), "{text}");
    assert_eq!(
        attribute_of(&home, &format!("{more}</a>"), "href"),
        Some(url.as_str())
    );
    let (_, archive) = app.get("/tag/interviews/").await;
    let archive = visible_text(&archive);
    assert!(
        archive.contains(&more) && !archive.contains(&later),
        "{archive}"
    );

    let (_, page) = app.get(&url).await;
    let page = visible_text(&page);
    assert!(
        page.contains(&opening) && page.contains(&later),
        "the post whole"
    );
    assert!(!page.contains("Continue reading"));
    let (_, feed) = app.get("/feed/").await;
    assert!(feed.contains(&opening), "feeds carry the whole post");
    let ends = later
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        feed.contains(&ends),
        "the last answer is in the feed too: {ends}"
    );
}

demo_test!(comments_feeds_carry_approved_comments_only);
async fn comments_feeds_carry_approved_comments_only(app: TestApp) {
    let pending: Vec<(String, String)> =
        sqlx::query_as("SELECT body, author_email FROM comments WHERE status <> 'approved'")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    let approved: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.author_name, c.author_email, p.slug FROM comments c \
         JOIN posts p ON p.id = c.post_id WHERE c.status = 'approved'",
    )
    .fetch_all(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    assert!(
        !pending.is_empty() && approved.len() > 2,
        "the demo has both"
    );
    let mut forbidden: Vec<String> = pending
        .iter()
        .map(|(body, _)| {
            body.split_whitespace()
                .take(6)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    forbidden.extend(approved.iter().map(|(_, email, _)| email.clone()));
    let mut options: Vec<&str> = vec!["--version", "rss20"];
    for text in &forbidden {
        options.extend(["--forbid", text.as_str()]);
    }

    let site = app.url("/comments/feed/");
    let summary = assert_feed_reads_cleanly(&site, &options).await;
    let shown = summary["entries"].as_u64().unwrap() as usize;
    assert_eq!(shown, approved.len().min(10), "{summary}");
    let (_, xml) = app.get("/comments/feed/").await;
    assert!(
        xml.contains("<title>Comments for The Hiring Shelf</title>"),
        "{xml}"
    );
    assert!(xml.contains("Comment on "), "{xml}");

    // One post's feed: its approved comments, none of another post's.
    let url = post_url(&app, "What Makes a Cover Letter Stand Out?").await;
    let slug = url.trim_end_matches('/').rsplit('/').next().unwrap();
    let (ours, others): (Vec<_>, Vec<_>) = approved.iter().partition(|(_, _, s)| s == slug);
    let feed = app.url(&format!("{url}feed/"));
    let count = ours.len().to_string();
    let mut options = options.clone();
    options.extend(["--entries", count.as_str()]);
    assert_feed_reads_cleanly(&feed, &options).await;
    let (status, xml) = app.get(&format!("{url}feed/")).await;
    assert_eq!(status, 200);
    for (name, _, _) in &ours {
        assert!(xml.contains(&format!("By: {name}")), "{name}: {xml}");
    }
    for (name, _, _) in others.iter().filter(|o| !ours.iter().any(|u| u.0 == o.0)) {
        assert!(!xml.contains(name.as_str()), "{name} commented elsewhere");
    }
    assert_eq!(app.get("/2001/01/01/no-such-post/feed/").await.0, 404);
}

demo_test!(a_post_page_has_a_link_preview_on_the_configured_address_without_bylines);
async fn a_post_page_has_a_link_preview_on_the_configured_address_without_bylines(app: TestApp) {
    let url = post_url(&app, SALARY_POST).await;
    // Whatever Host the request names, the preview names the configured site.
    let html = app
        .client
        .get(app.url(&url))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let head = head(&html).to_string();
    assert!(!head.contains("evil.example"), "{head}");
    let meta = |property: &str| {
        attribute_of(&head, &format!("property=\"{property}\""), "content")
            .unwrap_or_else(|| panic!("{property} in {head}"))
            .to_string()
    };
    assert_eq!(meta("og:type"), "article");
    assert_eq!(meta("og:url"), app.url(&url));
    assert!(meta("og:title").contains(SALARY_POST));
    assert!(meta("og:description")
        .contains("question comes from a reader who is two months into a job search"));
    assert!(meta("article:published_time").starts_with("20"));

    let start = head
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + "<script type=\"application/ld+json\">".len();
    let json = &head[start..start + head[start..].find("</script>").unwrap()];
    let ld: serde_json::Value = serde_json::from_str(json).expect("JSON-LD is JSON");
    assert_eq!(ld["@type"], "BlogPosting");
    assert!(ld["headline"].as_str().unwrap().contains(SALARY_POST));
    assert_eq!(ld["url"], app.url(&url));
    assert_eq!(
        ld["datePublished"].as_str(),
        Some(meta("article:published_time").as_str())
    );
    assert!(ld["dateModified"].as_str().unwrap().starts_with("20"));

    // No panelist is named in the preview, not even those the page shows by name.
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM panelists")
        .fetch_all(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    assert!(names.len() > 3);
    for name in &names {
        assert!(!head.contains(name.as_str()), "{name} is in the preview");
    }
}

demo_test!(the_tally_is_also_drawn_in_the_pages_own_type_but_not_in_feeds);
async fn the_tally_is_also_drawn_in_the_pages_own_type_but_not_in_feeds(app: TestApp) {
    let url = post_url(&app, SALARY_POST).await;
    let (_, html) = app.get(&url).await;
    assert_eq!(html.matches("<meter ").count(), 3, "Yes, No, It depends");
    let yes = attribute_of(&html, "<meter ", "value");
    assert_eq!(yes, Some("6"));
    assert_eq!(attribute_of(&html, "<meter ", "max"), Some("6"));
    let (_, feed) = app.get("/feed/").await;
    assert!(!feed.contains("<meter"), "feeds keep the chart only");
}

demo_test!(a_comment_sent_back_with_mistakes_lists_them_at_the_top_of_the_form);
async fn a_comment_sent_back_with_mistakes_lists_them_at_the_top_of_the_form(app: TestApp) {
    let url = post_url(&app, SALARY_POST).await;
    let (status, html) = app
        .post_form(
            &format!("{url}comments"),
            &[("name", ""), ("email", "robin@example.net"), ("body", "")],
        )
        .await;
    assert_eq!(status, 422);
    let form = &html[html.find("id=\"comment-form\"").unwrap()..];
    let summary = &form[form.find("class=\"error-summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(
        form.find("class=\"error-summary\"") < form.find("<label"),
        "the summary comes before the fields"
    );
    assert!(
        summary.contains("<a href=\"#comment-name\">Please fill in your name.</a>"),
        "{summary}"
    );
    assert!(summary.contains("href=\"#comment-body\""), "{summary}");
    assert!(
        !summary.contains("href=\"#comment-email\""),
        "the email was fine"
    );
}

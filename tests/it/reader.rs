//! The reader's site beyond the home page: archives, panelist pages, search, feeds, comments,
//! public forms, HTTP caching and the JSON API, on the real server over the demo column.

use roundtable::domain::{Attribution, CommentStatus, QuestionState, RoundStatus};
use roundtable::store::{
    now, Backend, NewAnswer, NewPanelist, NewPost, NewQuestion, NewRound, PostList, Taxonomy,
};

use crate::helpers::{post_url, visible_text, TestApp};
use crate::validators::assert_feed_reads_cleanly;

async fn demo() -> TestApp {
    TestApp::with_demo(Backend::Sqlite).await
}

#[tokio::test]
async fn a_tag_archive_lists_only_its_posts_and_links_its_feed() {
    let app = demo().await;
    let (status, html) = app.get("/tag/interviews/").await;
    assert_eq!(status, 200);
    let text = visible_text(&html);
    assert!(text.contains("Tag: interviews"), "{text}");
    assert!(text.contains("2 posts"), "{text}");
    assert!(
        !text.contains("What Makes a Cover Letter Stand Out?"),
        "{text}"
    );
    assert!(html.contains("href=\"/tag/interviews/feed/\""));
    assert_eq!(app.get("/tag/interviews/page/2/").await.0, 404);
    assert_eq!(app.get("/tag/no-such-tag/").await.0, 404);
    let (status, html) = app.get("/category/ask-the-panel/").await;
    assert_eq!(status, 200);
    assert!(visible_text(&html).contains("3 posts"));
}

#[tokio::test]
async fn a_panelist_page_gathers_named_answers_and_never_anonymous_ones() {
    let app = demo().await;
    let posts = app.store.published_posts(0, 10).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers = app.store.included_answers_of_posts(&ids).await.unwrap();
    let mut checked_hidden = 0;
    for answer in answers
        .iter()
        .filter(|a| a.attribution() != Attribution::Named)
    {
        let slug = answer
            .panelist_slug
            .clone()
            .expect("demo answers have panelists");
        let phrase: String = answer
            .body
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        let (status, html) = app.get(&format!("/panelist/{slug}/")).await;
        if status == 404 {
            checked_hidden += 1;
        } else {
            assert_eq!(status, 200);
            assert!(
                !visible_text(&html).contains(&phrase),
                "{slug}'s page shows a non-named answer"
            );
        }
    }
    assert!(
        checked_hidden > 0,
        "panelists who never answered by name have no public page"
    );
    let named = answers
        .iter()
        .find(|a| a.attribution() == Attribution::Named)
        .unwrap();
    let slug = named.panelist_slug.clone().unwrap();
    let (status, html) = app.get(&format!("/panelist/{slug}/")).await;
    assert_eq!(status, 200);
    let number = app
        .store
        .public_answers_of_posts(&[named.post_id])
        .await
        .unwrap()
        .iter()
        .find(|a| a.panelist_slug.as_deref() == Some(&slug))
        .unwrap()
        .number;
    let anchor = roundtable::store::answer_anchor(named.post_id, number);
    assert!(html.contains(&format!("#{anchor}")));
    assert_eq!(app.get(&format!("/panelist/{slug}/feed/")).await.0, 200);
}

#[tokio::test]
async fn search_finds_a_phrase_from_an_answer_and_highlights_it() {
    let app = demo().await;
    let (status, html) = app.get("/search?q=salary").await;
    assert_eq!(status, 200);
    assert!(html.contains("<mark>"), "matches are highlighted");
    let text = visible_text(&html);
    assert!(text.contains("results for “salary”"), "{text}");
    // WordPress's address for search still works.
    let response = app
        .client
        .get(app.url("/?s=salary+range"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/search?q=salary+range");
    // Filters narrow, and a filter that matches nothing says so.
    let (_, html) = app.get("/search?q=salary&year=1999").await;
    assert!(visible_text(&html).contains("Nothing matched"));
}

#[tokio::test]
async fn odd_search_input_gets_a_clear_answer_not_an_error() {
    let app = demo().await;
    let long = "a".repeat(500);
    for (query, expected) in [
        ("/search?q=%F0%9F%98%80+%E2%80%AE", 200),
        // A NUL character (like every control character) is dropped where queries are read.
        ("/search?q=%00", 200),
        ("/search?q=%22unbalanced+AND+(OR", 200),
        ("/search?q=x&page=99999999999999999999", 400),
        ("/search?q=x&page=-1", 400),
        (&format!("/search?q={long}") as &str, 400),
        // A broken percent-escape is read literally, as browsers do.
        ("/search?q=%ZZ", 200),
    ] {
        let (status, html) = app.get(query).await;
        assert_eq!(status, expected, "{query}");
        assert!(!html.contains("Something went wrong"), "{query}");
    }
}

#[tokio::test]
async fn feeds_carry_every_post_in_full_with_stable_ids() {
    let app = demo().await;
    let (status, rss) = app.get("/feed/").await;
    assert_eq!(status, 200);
    assert!(rss.starts_with("<?xml"));
    assert_eq!(rss.matches("<item>").count(), 3);
    assert!(rss.contains("<guid isPermaLink=\"false\">http://127.0.0.1:"));
    assert!(rss.contains("<content:encoded><![CDATA["));
    assert!(
        rss.contains("Short answers: Yes 6 · No 1 · It depends 2"),
        "the tally as text"
    );
    let (status, atom) = app.get("/feed/atom/").await;
    assert_eq!(status, 200);
    assert_eq!(atom.matches("<entry>").count(), 3);
    assert!(atom.contains("<published>20"));
    for path in [
        "/tag/interviews/feed/",
        "/tag/interviews/feed/atom/",
        "/category/ask-the-panel/feed/",
    ] {
        assert_eq!(app.get(path).await.0, 200, "{path}");
    }
    assert_eq!(app.get("/tag/nothing/feed/").await.0, 404);
}

#[tokio::test]
async fn every_feed_reads_cleanly_and_never_names_a_panelist_who_answered_without_their_name() {
    let app = demo().await;
    let posts = app.store.published_posts(0, 100).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers = app.store.included_answers_of_posts(&ids).await.unwrap();
    let named = |a: &&roundtable::store::AnswerRow| a.attribution() == Attribution::Named;
    let public: Vec<String> = answers
        .iter()
        .filter(named)
        .flat_map(|a| [a.sig_name.clone(), a.sig_institution.clone()])
        .flatten()
        .collect();
    // Names and institutions behind role-only and anonymous answers that no named answer
    // makes public anyway.
    let mut secret: Vec<String> = answers
        .iter()
        .filter(|a| !named(a))
        .flat_map(|a| [a.sig_name.clone(), a.sig_institution.clone()])
        .flatten()
        .filter(|s| !public.contains(s))
        .collect();
    secret.sort();
    secret.dedup();
    assert!(
        secret.len() >= 2,
        "the demo has panelists who never answered by name: {secret:?}"
    );
    // A panelist who answered by name and also without it: their feed has only the former.
    let both = answers
        .iter()
        .filter(|a| !named(a))
        .filter_map(|a| a.panelist_slug.clone())
        .find(|slug| {
            answers
                .iter()
                .any(|a| named(&a) && a.panelist_slug.as_ref() == Some(slug))
        })
        .expect("a demo panelist answered both ways");
    let mut their_posts: Vec<i64> = answers
        .iter()
        .filter(|a| named(a) && a.panelist_slug.as_ref() == Some(&both))
        .map(|a| a.post_id)
        .collect();
    their_posts.sort();
    their_posts.dedup();
    let unnamed_post = answers
        .iter()
        .find(|a| !named(a) && a.panelist_slug.as_ref() == Some(&both))
        .unwrap()
        .post_id;
    let interviews = app
        .store
        .term_by_slug(Taxonomy::Tag, "interviews")
        .await
        .unwrap()
        .unwrap();
    let tagged = app
        .store
        .count_published_posts_in(PostList::Term(Taxonomy::Tag, interviews.id))
        .await
        .unwrap();
    let panel = app
        .store
        .term_by_slug(Taxonomy::Category, "ask-the-panel")
        .await
        .unwrap()
        .unwrap();
    let filed = app
        .store
        .count_published_posts_in(PostList::Term(Taxonomy::Category, panel.id))
        .await
        .unwrap();
    assert!(tagged < posts.len() as i64, "the tag's feed is a subset");

    for (path, entries) in [
        ("/feed/".to_string(), posts.len()),
        ("/tag/interviews/feed/".to_string(), tagged as usize),
        ("/category/ask-the-panel/feed/".to_string(), filed as usize),
        (format!("/panelist/{both}/feed/"), their_posts.len()),
    ] {
        for (url, version) in [
            (app.url(&path), "rss20"),
            (app.url(&format!("{path}atom/")), "atom10"),
        ] {
            let entries = entries.to_string();
            let mut options = vec!["--version", version, "--entries", &entries];
            for text in &secret {
                options.extend(["--forbid", text.as_str()]);
            }
            let summary = assert_feed_reads_cleanly(&url, &options).await;
            if path.starts_with("/panelist/") {
                let unnamed_id = format!("/?p={unnamed_post}");
                assert!(
                    summary["ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|id| !id.as_str().unwrap().ends_with(&unnamed_id)),
                    "{url} leaves out the post {both} answered without their name: {summary}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_new_readers_comment_waits_for_moderation_and_is_shown_back_escaped() {
    let app = demo().await;
    let url = post_url(&app, "Is It Okay to Ask About Salary").await;
    let (status, html, _) = app
        .submit(
            &format!("{url}comments"),
            &[
                ("name", "<b>Robin</b>"),
                ("email", "robin@example.net"),
                (
                    "body",
                    "Thanks! <script>alert('x')</script> **Useful** list.",
                ),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let text = visible_text(&html);
    assert!(
        text.contains("Your comment is awaiting moderation"),
        "{text}"
    );
    assert!(
        text.contains("<b>Robin</b>"),
        "the name is shown as typed, escaped"
    );
    assert!(!html.contains("<b>Robin</b>") && !html.contains("<script>alert"));
    assert!(html.contains("<strong>Useful</strong>"));
    // Others do not see it until the editor approves it.
    let (_, page) = app.get(&url).await;
    assert!(!page.contains("Robin"));
    let pending = app
        .store
        .count_comments(CommentStatus::Pending)
        .await
        .unwrap();
    assert!(pending > 0);
}

#[tokio::test]
async fn a_comment_with_mistakes_is_shown_back_with_the_problems_marked() {
    let app = demo().await;
    let url = post_url(&app, "What Makes a Cover Letter").await;
    let typed = "A long thought I would hate to lose.";
    let (status, html, _) = app
        .submit(
            &format!("{url}comments"),
            &[("name", ""), ("email", "not-an-address"), ("body", typed)],
        )
        .await;
    assert_eq!(status, 422);
    let text = visible_text(&html);
    assert!(text.contains("Please fill in your name"), "{text}");
    assert!(text.contains("is not an email address"), "{text}");
    assert!(html.contains(typed), "the comment is kept in the form");
    assert!(html.contains("value=\"not-an-address\""));
    let over_long = "x".repeat(10_001);
    let (status, html, _) = app
        .submit(
            &format!("{url}comments"),
            &[
                ("name", "Al"),
                ("email", "al@example.org"),
                ("body", &over_long),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("the limit is 10000"));
}

#[tokio::test]
async fn a_commenter_approved_before_is_published_at_once() {
    let app = demo().await;
    let url = post_url(&app, "What Makes a Cover Letter").await;
    // Demo comments use example addresses; find one that was approved.
    let row: (String,) =
        sqlx::query_as("SELECT author_email FROM comments WHERE status = 'approved' LIMIT 1")
            .fetch_one(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    let response = app
        .client
        .post(app.url(&format!("{url}comments")))
        .form(&[
            ("name", "Returning"),
            ("email", row.0.as_str()),
            ("body", "Back again."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&url) && location.contains("#comment-"),
        "{location}"
    );
    let (_, page) = app.get(&url).await;
    assert!(visible_text(&page).contains("Back again."));
}

#[tokio::test]
async fn a_flood_of_comments_from_one_address_is_slowed_down() {
    let app = demo().await;
    let url = post_url(&app, "What Makes a Cover Letter").await;
    let mut statuses = Vec::new();
    for i in 0..7 {
        let body = format!("Comment number {i}");
        let (status, _, _) = app
            .submit(
                &format!("{url}comments"),
                &[
                    ("name", "Busy"),
                    ("email", "busy@example.org"),
                    ("body", &body),
                ],
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert_eq!(statuses[6], 429);
}

#[tokio::test]
async fn the_public_forms_store_what_readers_send() {
    let app = demo().await;
    for path in ["/suggest/", "/join/", "/subscribe/"] {
        assert_eq!(app.get(path).await.0, 200, "{path}");
    }
    let (status, html, _) = app
        .submit(
            "/suggest/",
            &[
                ("question", "How do you write a job ad?"),
                ("name", "Kim"),
                ("credit", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(visible_text(&html).contains("in the editor’s queue"));
    let suggested: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM questions WHERE state = 'suggested' AND credit_submitter = 1",
    )
    .fetch_one(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    assert_eq!(suggested, 1);
    let (status, html, _) = app
        .submit("/suggest/", &[("question", ""), ("email", "bad")])
        .await;
    assert_eq!(status, 422);
    assert!(
        visible_text(&html).contains("Please fill in your your question")
            || html.contains("aria-invalid")
    );

    let (status, html, _) = app
        .submit(
            "/join/",
            &[
                ("name", "Pat Doe"),
                ("email", "pat@example.org"),
                ("title", "Director"),
                ("institution", "Town Library"),
                ("library_type", "public"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(app.store.panelists("applied").await.unwrap().len(), 1);
    let (status, html, _) = app
        .submit(
            "/join/",
            &[
                ("name", "Pat"),
                ("email", "pat@example.org"),
                ("title", "T"),
                ("institution", "I"),
                ("library_type", "castle"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("Please choose one of the library types"));

    let (status, html, _) = app
        .submit("/subscribe/", &[("email", "not an address")])
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"not an address\""));
    let (status, _, _) = app
        .submit("/subscribe/", &[("email", "reader@example.org")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.store.subscribers().await.unwrap(),
        vec![("reader@example.org".to_string(), "pending".to_string())]
    );
}

#[tokio::test]
async fn unchanged_pages_answer_304_and_change_when_content_does() {
    let app = demo().await;
    let first = app.client.get(app.url("/")).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(first.headers().contains_key("last-modified"));
    let again = app
        .client
        .get(app.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    app.store
        .set_setting("site_title", "A New Name")
        .await
        .unwrap();
    let changed = app
        .client
        .get(app.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    assert!(changed.text().await.unwrap().contains("A New Name"));
}

#[tokio::test]
async fn the_json_api_serves_public_views_and_describes_itself() {
    let app = demo().await;
    let (status, body) = app.get("/api/v1/posts").await;
    assert_eq!(status, 200);
    let posts: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(posts["total"], 3);
    let id = posts["posts"][0]["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/posts/{id}")).await.0, 200);
    assert_eq!(app.get("/api/v1/posts/999999").await.0, 404);
    assert_eq!(app.get("/api/v1/posts?page=abc").await.0, 400);
    let (_, panelists) = app.get("/api/v1/panelists").await;
    assert!(!panelists.contains('@'), "no email address in the API");
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let (_, search) = app.get("/api/v1/search?q=salary").await;
    let search: serde_json::Value = serde_json::from_str(&search).unwrap();
    assert!(search["total"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn an_anonymous_panelists_identity_appears_in_no_public_output() {
    let app = demo().await;
    let store = &app.store;
    let canary = NewPanelist {
        name: "Zebulon Canaryquist".into(),
        email: "zebulon.canary@canary.example".into(),
        pronouns: Some("ze/zir".into()),
        title: Some("Chief Canary Officer".into()),
        department: Some("Canary Department".into()),
        institution: Some("Canaryvale Athenaeum".into()),
        city: Some("Canaryport".into()),
        library_type: Some("special".into()),
        region: Some("West".into()),
        status: "active",
        ..NewPanelist::default()
    };
    let panelist_id = store.create_panelist(&canary).await.unwrap();
    let question_id = store
        .create_question(&NewQuestion::by_editor(
            "What is one interview question you retired?",
            QuestionState::Accepted,
        ))
        .await
        .unwrap();
    let round_id = store
        .create_round(&NewRound {
            question_id,
            series_id: None,
            prompt: "What is one interview question you retired?".into(),
            examples: None,
            follow_up: None,
            choices: vec![],
            library_types: vec![],
            closes_at: Some(now()),
            status: RoundStatus::Open,
        })
        .await
        .unwrap();
    let answer_id = store
        .submit_answer(&NewAnswer {
            round_id,
            invitation_id: None,
            panelist_id,
            attribution: Attribution::Anonymous,
            role_description: None,
            show_library_type: false,
            choice: None,
            body: "We stopped asking about weaknesses; it told us nothing useful.".into(),
            is_late: false,
            submitted_at: now(),
        })
        .await
        .unwrap();
    let post_id = store
        .compile_post(&NewPost {
            title: "Retired interview questions".into(),
            slug: None,
            intro: "We asked.".into(),
            closing: String::new(),
            series_id: None,
            author_id: None,
            round_id: Some(round_id),
            answer_ids: vec![answer_id],
            tags: vec!["interviews".into()],
            categories: vec!["Special".into()],
        })
        .await
        .unwrap();
    store.publish_post(post_id, now()).await.unwrap();

    let post_path = post_url(&app, "Retired interview questions").await;
    let mut outputs = vec![
        "/".to_string(),
        post_path.clone(),
        "/tag/interviews/".into(),
        "/category/special/".into(),
        "/search?q=weaknesses".into(),
        "/feed/".into(),
        "/feed/atom/".into(),
        "/tag/interviews/feed/".into(),
        "/category/special/feed/atom/".into(),
        "/sitemap.xml".into(),
        "/api/v1/posts".into(),
        "/api/v1/panelists".into(),
        "/api/v1/search?q=weaknesses".into(),
    ];
    for slug in store.public_panelist_slugs().await.unwrap() {
        outputs.push(format!("/panelist/{slug}/"));
        outputs.push(format!("/panelist/{slug}/feed/"));
    }
    let needles = [
        "Zebulon",
        "Canaryquist",
        "canary",
        "Chief Canary",
        "Canaryvale",
        "Canaryport",
        "ze/zir",
        "zebulon",
    ];
    let mut saw_answer = false;
    for path in &outputs {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        saw_answer |= body.contains("stopped asking about weaknesses");
        for needle in needles {
            assert!(
                !body.to_lowercase().contains(&needle.to_lowercase()),
                "{needle} leaked in {path}"
            );
        }
    }
    assert!(saw_answer, "the anonymous answer itself is published");
    // The static export (`roundtable export static DIR`): every file it writes.
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://{}", app.addr);
    crate::helpers::export_static(&app.state, dir.path(), &base).await;
    let mut files = 0;
    let mut saw_answer = false;
    let mut folders = vec![dir.path().to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            files += 1;
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_lowercase();
            saw_answer |= text.contains("stopped asking about weaknesses");
            for needle in needles.iter().chain(&["zebulon.canary@canary.example"]) {
                assert!(
                    !text.contains(&needle.to_lowercase()),
                    "{needle} leaked in the static export's {}",
                    path.display()
                );
            }
        }
    }
    assert!(
        files > 20,
        "the static export wrote the site: {files} files"
    );
    assert!(saw_answer, "the static export has the anonymous answer");
    // Searching for the name finds nothing (the page only repeats what the reader typed).
    let (_, found) = app.get("/search?q=Zebulon+Canaryquist").await;
    assert!(visible_text(&found).contains("Nothing matched"));
    let (_, found) = app.get("/search?q=Canaryvale").await;
    assert!(visible_text(&found).contains("Nothing matched"));
    assert_eq!(app.get("/panelist/zebulon-canaryquist/").await.0, 404);
}

#[tokio::test]
async fn named_answers_show_the_panelists_photo_and_credit_and_anonymous_ones_never_do() {
    let app = demo().await;
    let store = &app.store;
    let posts = store.published_posts(0, 10).await.unwrap();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let answers = store.included_answers_of_posts(&ids).await.unwrap();
    // Give every panelist a photo, including those who answered anonymously.
    // (As the roster import and the admin do: the posts they are in are projected again.)
    for p in store.panelists("active").await.unwrap() {
        let profile = roundtable::store::NewPanelist {
            photo_url: Some(format!("https://photos.example.org/{}.jpg", p.slug)),
            photo_credit: Some(format!("Photo by {} Studio", p.slug)),
            ..p.profile("active")
        };
        store.update_panelist(p.id, &profile).await.unwrap();
    }
    let mut html = String::new();
    for post in &posts {
        html.push_str(&app.get(&post_url(&app, &post.title).await).await.1);
    }
    let named = answers
        .iter()
        .find(|a| a.attribution() == Attribution::Named)
        .unwrap();
    let slug = named.panelist_slug.clone().unwrap();
    assert!(html.contains(&format!("src=\"https://photos.example.org/{slug}.jpg\"")));
    assert!(html.contains(&format!("Photo by {slug} Studio")));
    for hidden in answers
        .iter()
        .filter(|a| a.attribution() != Attribution::Named)
    {
        let slug = hidden.panelist_slug.clone().unwrap();
        let only_hidden = !answers.iter().any(|a| {
            a.attribution() == Attribution::Named
                && a.panelist_slug.as_deref() == Some(slug.as_str())
        });
        if only_hidden {
            assert!(
                !html.contains(&format!("{slug}.jpg")),
                "{slug}'s photo shown beside an answer not signed by name"
            );
        }
    }
}

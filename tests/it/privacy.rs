//! Anonymity through change: a panelist planted as a canary identity is looked for in every
//! public output (pages, search, the JSON API, feeds, the sitemap, the WXR and static
//! exports) after each change. Erasure: `panel erase` and the admin's erase page leave no
//! trace of the panelist but what they chose to keep as anonymous.

use roundtable::store::{Backend, ErasedAnswers};

use crate::editorial::{
    answer_fields, answer_id_of, compiled, confirmed_subscriber, published, round_sent,
};
use crate::helpers::{visible_text, TestApp};
use crate::smtp::{free_port, settings_for_port, SmtpServer};
use crate::workflow::{admin_post, seed, sign_in};

/// Every public output of the site, as `(where, text)`: the pages readers reach, search and
/// the API for `words`, every feed, the sitemap, the WXR export and the static export.
pub async fn public_outputs(app: &TestApp, words: &[&str]) -> Vec<(String, String)> {
    let store = &app.store;
    let mut paths = vec![
        "/".to_string(),
        "/feed/".into(),
        "/feed/atom/".into(),
        "/sitemap.xml".into(),
        "/api/v1/posts".into(),
        "/api/v1/panelists".into(),
        "/api/v1/tags".into(),
        "/comments/feed/".into(),
        "/tag/".into(),
        "/category/".into(),
    ];
    for taxonomy in [
        roundtable::store::Taxonomy::Tag,
        roundtable::store::Taxonomy::Category,
    ] {
        for (term, _) in store.used_terms(taxonomy).await.unwrap().iter() {
            paths.push(format!("/{}/{}/", taxonomy.base(), term.slug));
        }
    }
    for post in store.published_posts(0, 1000).await.unwrap() {
        let clock = roundtable::render::SiteClock::new(None);
        let url = roundtable::render::permalink(&clock, post.published_at.unwrap(), &post.slug);
        paths.push(format!("{url}feed/"));
        paths.push(url);
        paths.push(format!("/api/v1/posts/{}", post.id));
    }
    for slug in store.public_panelist_slugs().await.unwrap() {
        paths.push(format!("/panelist/{slug}/"));
        paths.push(format!("/panelist/{slug}/feed/"));
    }
    for word in words {
        paths.push(format!("/search?q={word}"));
        paths.push(format!("/api/v1/search?q={word}"));
    }
    let mut outputs = Vec::new();
    for path in paths {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, 200, "{path}");
        outputs.push((path, body));
    }
    // The newsletters sent to subscribers are public too.
    let letters: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT body_text, body_html FROM outbox WHERE kind = 'newsletter'")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    for (text, html) in letters {
        outputs.push((
            "a newsletter".into(),
            format!("{text}\n{}", html.unwrap_or_default()),
        ));
    }
    let (xml, _) = roundtable::interop::export::wxr(&app.state.column, "https://column.example")
        .await
        .unwrap();
    outputs.push(("the WXR export".into(), xml));
    let dir = tempfile::tempdir().unwrap();
    crate::helpers::export_static(&app.state, dir.path(), &format!("http://{}", app.addr)).await;
    let mut folders = vec![dir.path().to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
                outputs.push((format!("the static export's {}", path.display()), text));
            }
        }
    }
    outputs
}

/// Fails when any public output holds any of `needles` (case aside).
pub async fn assert_nowhere_public(app: &TestApp, needles: &[&str], words: &[&str], after: &str) {
    for (place, text) in public_outputs(app, words).await {
        let text = text.to_lowercase();
        for needle in needles {
            assert!(
                !text.contains(&needle.to_lowercase()),
                "after {after}: {needle:?} is in {place}"
            );
        }
    }
}

/// Whether any public output holds `text`.
async fn anywhere_public(app: &TestApp, text: &str, words: &[&str]) -> bool {
    public_outputs(app, words)
        .await
        .iter()
        .any(|(_, body)| body.contains(text))
}

// (Every test panelist signs with the same institution: her name and addresses are what is hers.)
const CANARY: [&str; 3] = ["Ana Named", "ana@panel.example.org", "ana-named"];

async fn an_erased_panelist_leaves_no_trace_but_what_they_kept_anonymous(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let ana_words = "I ask what they hope to learn, every single time.";
    let bo_words = "I ask about the team they would like to join.";
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "named", ana_words),
    )
    .await;
    app.post_form(
        &link("bo"),
        &answer_fields("Bo Rolewright", "named", bo_words),
    )
    .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let bo = answer_id_of(&app.store, round_id, "Bo Rolewright").await;
    let (post_id, url) = published(&app, round_id, &[ana, bo]).await;
    // A dated note names her, as the editor's notes do.
    sqlx::query("INSERT INTO edit_notes (post_id, noted_at, body) VALUES ($1, 1, 'Edited to add Ana Named’s answer')")
        .bind(post_id)
        .execute(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    let (_, public) = app.get(&url).await;
    assert!(visible_text(&public).contains("Ana Named"), "named before");

    // The editor erases her from the admin, keeping her answer as anonymous.
    sign_in(&app).await;
    let panelist = app
        .store
        .panelist_by_email("ana@panel.example.org")
        .await
        .unwrap()
        .unwrap();
    let erase = format!("/admin/panel/{}/erase", panelist.id);
    let (status, html) = app.get(&erase).await;
    assert_eq!(status, 200);
    assert!(visible_text(&html).contains("Erase Ana Named?"));
    let (status, _, html) = admin_post(&app, &erase, &erase, &[]).await;
    assert_eq!(status, 422, "a choice for the answers is asked for");
    assert!(visible_text(&html).contains("Choose what becomes of their answers."));
    let (status, _, _) = admin_post(&app, &erase, &erase, &[("answers", "anonymous".into())]).await;
    assert_eq!(status, 303);

    let words = ["Ana", "Riverbend", "hope", "learn", "team"];
    assert_nowhere_public(&app, &CANARY, &words, "erasing Ana, answers kept").await;
    assert!(anywhere_public(&app, "every single time", &words).await);
    let (_, public) = app.get(&url).await;
    let text = visible_text(&public);
    assert!(
        text.contains("Anonymous") && text.contains("Edited to add a panelist’s answer"),
        "{text}"
    );
    assert!(app
        .store
        .panelist_by_email("ana@panel.example.org")
        .await
        .unwrap()
        .is_none());
    let mail: Vec<(String, String)> =
        sqlx::query_as("SELECT to_addr, body_text FROM outbox ORDER BY id")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    for (to, body) in &mail {
        assert!(
            !to.contains("ana@") && !body.contains("Ana Named"),
            "{to}: {body}"
        );
    }
    assert!(mail.iter().any(|(to, _)| to == "erased@invalid"));

    // Bo is erased, his answer removed: gone from the post and from its revisions, so that
    // no restore brings it back.
    compiled(&app, round_id, &[ana, bo]).await;
    assert!(app.store.revisions(post_id).await.unwrap()[0]
        .snapshot
        .answers
        .iter()
        .any(|a| a.id == bo));
    let erased = app
        .store
        .erase_panelist(
            app.store
                .panelist_by_email("bo@panel.example.org")
                .await
                .unwrap()
                .unwrap()
                .id,
            ErasedAnswers::Removed,
        )
        .await
        .unwrap();
    assert_eq!((erased.answers, erased.posts), (1, 1));
    let bo_canary = ["Bo Rolewright", "team they would like", "bo@panel"];
    assert_nowhere_public(&app, &bo_canary, &words, "erasing Bo, answers removed").await;
    for revision in app.store.revisions(post_id).await.unwrap() {
        assert!(revision.snapshot.answers.iter().all(|a| a.id != bo));
    }
}

#[tokio::test]
async fn an_erased_panelist_leaves_no_trace_but_what_they_kept_anonymous_on_sqlite() {
    an_erased_panelist_leaves_no_trace_but_what_they_kept_anonymous(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_erased_panelist_leaves_no_trace_but_what_they_kept_anonymous_on_postgres() {
    an_erased_panelist_leaves_no_trace_but_what_they_kept_anonymous(Backend::Postgres).await;
}

async fn switching_a_published_answer_to_anonymous_unnames_it_everywhere(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let bo_words = "I ask about the team they would like to join.";
    app.post_form(
        &link("bo"),
        &answer_fields("Bo Rolewright", "named", bo_words),
    )
    .await;
    let bo = answer_id_of(&app.store, round_id, "Bo Rolewright").await;
    let (post_id, url) = published(&app, round_id, &[bo]).await;
    // Ana's answer comes late and is added with its note, by name.
    let ana_words = "I ask what they hope to learn, every single time.";
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "named", ana_words),
    )
    .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    roundtable::column::posts::add_late(&app.state.column, post_id, ana, None)
        .await
        .unwrap();
    let (_, public) = app.get(&url).await;
    assert!(visible_text(&public).contains("to add Ana Named’s answer"));

    // She signs it anonymously through her link: at once, everywhere, the note included.
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "anonymous", ana_words),
    )
    .await;
    let words = ["Ana", "hope", "learn", "team"];
    assert_nowhere_public(&app, &CANARY, &words, "switching to anonymous").await;
    let (_, public) = app.get(&url).await;
    let text = visible_text(&public);
    assert!(
        text.contains("to add an anonymous panelist’s answer"),
        "{text}"
    );
    assert!(text.contains("every single time"));
}

#[tokio::test]
async fn switching_a_published_answer_to_anonymous_unnames_it_everywhere_on_sqlite() {
    switching_a_published_answer_to_anonymous_unnames_it_everywhere(Backend::Sqlite).await;
}

#[tokio::test]
async fn switching_a_published_answer_to_anonymous_unnames_it_everywhere_on_postgres() {
    switching_a_published_answer_to_anonymous_unnames_it_everywhere(Backend::Postgres).await;
}

async fn a_withdrawn_answer_leaves_every_public_output_at_once(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let ana_words = "I ask what they hope to learn, every single time.";
    let bo_words = "I ask about the team they would like to join.";
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "named", ana_words),
    )
    .await;
    app.post_form(
        &link("bo"),
        &answer_fields("Bo Rolewright", "named", bo_words),
    )
    .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let bo = answer_id_of(&app.store, round_id, "Bo Rolewright").await;
    let (post_id, url) = published(&app, round_id, &[ana, bo]).await;

    // The page offers it; without the box ticked nothing happens.
    let ana_link = link("ana");
    let (_, page) = app.get(&ana_link).await;
    assert!(visible_text(&page).contains("Withdraw my answer"));
    let (status, page) = app.post_form(&ana_link, &[("action", "withdraw")]).await;
    assert_eq!(status, 422);
    assert!(visible_text(&page).contains("tick “Yes, withdraw my answer” to confirm"));
    assert!(app.get(&url).await.1.contains("every single time"));

    let (status, page) = app
        .post_form(&ana_link, &[("action", "withdraw"), ("confirm", "yes")])
        .await;
    assert_eq!(status, 200);
    assert!(visible_text(&page).contains("Your answer is withdrawn."));
    assert!(page.contains(ana_words), "her text is shown back, kept");
    let words = ["Ana", "hope", "learn", "single", "team"];
    let gone = ["Ana Named", "every single time", "ana-named"];
    assert_nowhere_public(&app, &gone, &words, "withdrawing Ana's answer").await;
    assert!(app.get(&url).await.1.contains("the team they would like"));
    let subjects: Vec<(String, String)> =
        sqlx::query_as("SELECT to_addr, subject FROM outbox ORDER BY id")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    assert!(subjects.iter().any(|(to, s)| to.starts_with("ana@")
        && s == "Your answer is withdrawn: What do you ask at the end of an interview?"));
    assert!(
        subjects
            .iter()
            .any(|(to, s)| to == "editor@example.org" && s.contains("An answer was withdrawn")),
        "{subjects:?}"
    );

    // Nothing the editor does brings it back: compiling with it ticked, restoring, late answers.
    compiled(&app, round_id, &[ana, bo]).await;
    for revision in app.store.revisions(post_id).await.unwrap() {
        assert!(revision.snapshot.answers.iter().all(|a| a.id != ana));
    }
    assert!(app.store.late_answers(post_id).await.unwrap().is_empty());
    assert_nowhere_public(&app, &gone, &words, "compiling again").await;
    let (_, page) = app.get(&ana_link).await;
    assert!(visible_text(&page).contains("You withdrew this answer"));

    // Sent again, it waits for the editor as a late answer.
    app.post_form(&ana_link, &answer_fields("Ana Named", "named", ana_words))
        .await;
    let late = app.store.late_answers(post_id).await.unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].id, ana);
    assert!(!app.get(&url).await.1.contains("every single time"));
}

#[tokio::test]
async fn a_withdrawn_answer_leaves_every_public_output_at_once_on_sqlite() {
    a_withdrawn_answer_leaves_every_public_output_at_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_withdrawn_answer_leaves_every_public_output_at_once_on_postgres() {
    a_withdrawn_answer_leaves_every_public_output_at_once(Backend::Postgres).await;
}

/// The newsletter of a post goes out through the outbox; a mail provider that is down keeps
/// it waiting. A panelist who signs anonymously meanwhile is not named by the mail that goes.
async fn a_newsletter_still_waiting_follows_a_switch_to_anonymous(backend: Backend) {
    // Nothing listens on this port: every mail waits to be tried again.
    let app = TestApp::empty(backend, settings_for_port(free_port())).await;
    seed(&app.store).await;
    confirmed_subscriber(&app).await;
    let (round_id, link) = round_sent(&app).await;
    let words = "I ask about the team they would like to join.";
    app.post_form(&link("bo"), &answer_fields("Bo Rolewright", "named", words))
        .await;
    let bo = answer_id_of(&app.store, round_id, "Bo Rolewright").await;
    published(&app, round_id, &[bo]).await;
    let letter = || async {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT status, body_text, body_html FROM outbox WHERE kind = 'newsletter'",
        )
        .fetch_all(app.store.raw_pool_for_tests())
        .await
        .unwrap();
        assert_eq!(rows.len(), 1, "one newsletter, to the one subscriber");
        rows.into_iter().next().unwrap()
    };
    let (status, text, _) = letter().await;
    assert_eq!(status, "pending");
    assert!(
        text.contains("Bo Rolewright") && text.contains("team they would"),
        "{text}"
    );

    app.post_form(
        &link("bo"),
        &answer_fields("Bo Rolewright", "anonymous", words),
    )
    .await;
    let (status, text, html) = letter().await;
    assert_eq!(status, "pending");
    assert!(
        !text.contains("Bo Rolewright") && !html.contains("Bo Rolewright"),
        "the waiting newsletter still names him: {text}"
    );
    assert!(
        text.contains("Anonymous") && text.contains("team they would"),
        "{text}"
    );
    assert!(
        text.contains("/unsubscribe/"),
        "each mail keeps its own link: {text}"
    );
}

#[tokio::test]
async fn a_newsletter_still_waiting_follows_a_switch_to_anonymous_on_sqlite() {
    a_newsletter_still_waiting_follows_a_switch_to_anonymous(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_newsletter_still_waiting_follows_a_switch_to_anonymous_on_postgres() {
    a_newsletter_still_waiting_follows_a_switch_to_anonymous(Backend::Postgres).await;
}

#[tokio::test]
async fn the_answer_page_warns_when_an_anonymous_answer_names_its_author() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    let (_, link) = round_sent(&app).await;
    let telling = "At Riverbend College we ask what they hope to learn.";
    let (status, page) = app
        .post_form(
            &link("ana"),
            &answer_fields("Ana Named", "anonymous", telling),
        )
        .await;
    assert_eq!(status, 200);
    let text = visible_text(&page);
    assert!(
        text.contains("Your answer is saved"),
        "saved all the same: {text}"
    );
    assert!(
        text.contains("its text mentions your institution (“Riverbend College”): readers could tell who wrote it"),
        "{text}"
    );
    let (_, page) = app
        .post_form(
            &link("bo"),
            &answer_fields("Bo Rolewright", "named", telling),
        )
        .await;
    assert!(!visible_text(&page).contains("readers could tell who wrote it"));
}

//! The editor stays in control after publication: a panelist's change to a published answer
//! waits for the editor, who accepts or declines it; late answers, from anyone, wait under
//! "Late answers" and go in with a dated note. Driven through HTTP as the panelist and the
//! editor would, with mail to a real SMTP server, on SQLite and PostgreSQL.

use roundtable::column::posts::{self, AnswerChoice, Compilation};
use roundtable::column::rounds::{self, RoundDraft};
use roundtable::render::{permalink, SiteClock};
use roundtable::store::{Backend, Store};

use crate::helpers::{read_mail, visible_text, TestApp};
use crate::smtp::SmtpServer;
use crate::workflow::{admin_post, deliver, seed, sign_in};

pub const PROMPT: &str = "What do you ask at the end of an interview?";

/// A round sent to the seeded panel: its id and each panelist's answer link by their key.
pub async fn round_sent(app: &TestApp) -> (i64, impl Fn(&str) -> String + '_) {
    let closes_on = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(7))
        .to_string();
    let draft = RoundDraft {
        prompt: PROMPT.into(),
        closes_on,
        ..RoundDraft::default()
    };
    let plan = rounds::plan(&app.state.column, draft).await.unwrap();
    let round_id = rounds::open(&app.state.column, plan)
        .await
        .unwrap()
        .round_id;
    let invitations: Vec<(String, String)> = sqlx::query_as(
        "SELECT to_addr, body_text FROM outbox WHERE kind = 'invitation' ORDER BY id",
    )
    .fetch_all(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    let link = move |key: &str| {
        let (_, text) = invitations
            .iter()
            .find(|(to, _)| to.starts_with(&format!("{key}@")))
            .unwrap();
        let at = text.find("/answer/").unwrap();
        text[at..].split_whitespace().next().unwrap().to_string()
    };
    (round_id, link)
}

pub fn answer_fields<'a>(
    name: &'a str,
    attribution: &'a str,
    body: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("title", "Head of Circulation"),
        ("institution", "Riverbend College"),
        ("attribution", attribution),
        ("body", body),
        ("action", "save"),
    ]
}

/// Compiles the round (again) with the given answers in that order; returns the post.
pub async fn compiled(app: &TestApp, round_id: i64, answer_ids: &[i64]) -> i64 {
    let answers = answer_ids
        .iter()
        .enumerate()
        .map(|(i, id)| AnswerChoice {
            id: *id,
            included: true,
            position: Some(i as i64),
            ..AnswerChoice::default()
        })
        .collect();
    let compilation = Compilation {
        title: "The last question".into(),
        answers,
        ..Compilation::default()
    };
    posts::compile(&app.state.column, round_id, &compilation)
        .await
        .unwrap()
}

/// Compiles the round with the given answers in that order, and publishes it.
pub async fn published(app: &TestApp, round_id: i64, answer_ids: &[i64]) -> (i64, String) {
    let post_id = compiled(app, round_id, answer_ids).await;
    posts::publish(&app.state.column, post_id).await.unwrap();
    (post_id, post_url(&app.store, post_id).await)
}

/// A reader who subscribed and confirmed: follower@example.net.
pub async fn confirmed_subscriber(app: &TestApp) {
    let follower = roundtable::domain::Email::parse("follower@example.net").unwrap();
    app.store
        .add_subscriber(&follower, "confirm-hash", None)
        .await
        .unwrap();
    assert!(app.store.confirm_subscriber("confirm-hash").await.unwrap());
}

pub async fn post_url(store: &Store, post_id: i64) -> String {
    let post = store.post(post_id).await.unwrap();
    permalink(
        &SiteClock::new(None),
        post.published_at.unwrap(),
        &post.slug,
    )
}

pub async fn answer_id_of(store: &Store, round_id: i64, name: &str) -> i64 {
    let answers = store.answers_of_round(round_id).await.unwrap();
    answers
        .iter()
        .find(|a| a.panelist_name.as_deref() == Some(name))
        .unwrap()
        .id
}

async fn changes_to_published_answers_wait_for_the_editor(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let ana = link("ana");
    let first = "I ask what they want to learn in their first year.";
    app.post_form(&ana, &answer_fields("Ana Named", "named", first))
        .await;
    let ana_id = answer_id_of(&app.store, round_id, "Ana Named").await;
    let (post_id, url) = published(&app, round_id, &[ana_id]).await;

    // Ana opens her link again: the page says what a change does now, and she sends one.
    let (_, page) = app.get(&ana).await;
    assert!(
        visible_text(&page).contains("Your answer is published"),
        "{}",
        visible_text(&page)
    );
    let second = "I ask what they want to learn in their first year, and who they learn from.";
    let (status, page) = app
        .post_form(&ana, &answer_fields("Ana Named", "named", second))
        .await;
    assert_eq!(status, 200);
    assert!(visible_text(&page).contains("your change is with the editor"));
    let (_, public) = app.get(&url).await;
    assert!(public.contains(first) && !public.contains("who they learn from"));
    // Opened again, the page shows the change waiting, not the published text.
    let (_, page) = app.get(&ana).await;
    assert!(page.contains("who they learn from"));
    assert!(visible_text(&page).contains("waits for the editor"));

    // The editor sees it on the dashboard and, word by word, on the post's page; accepts it.
    sign_in(&app).await;
    let (_, dashboard) = app.get("/admin/").await;
    assert!(visible_text(&dashboard).contains("Ana Named proposed a change to “The last question”"));
    let admin_page = format!("/admin/posts/{post_id}/");
    let (_, html) = app.get(&admin_page).await;
    assert!(
        html.contains("first <del>year.</del><ins>year, and who they learn from.</ins>"),
        "the change word by word: {html}"
    );
    let proposal = app.store.waiting_proposals(Some(post_id)).await.unwrap()[0].id;
    let note = "*edited 12/3/2026 to add who Ana learns from";
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &format!("/admin/proposals/{proposal}/accept"),
        &[("note", note.to_string())],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(
        public.contains("who they learn from"),
        "the accepted change is public"
    );
    assert!(visible_text(&public).contains("edited 12/3/2026 to add who Ana learns from"));
    assert_eq!(app.store.revision_count(post_id).await.unwrap(), 1);

    // A second change is declined: the post stays, the change stays readable to the editor.
    let third = "Nothing; I let them ask.";
    app.post_form(&ana, &answer_fields("Ana Named", "named", third))
        .await;
    let proposal = app.store.waiting_proposals(Some(post_id)).await.unwrap()[0].id;
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &format!("/admin/proposals/{proposal}/decline"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(public.contains("who they learn from") && !public.contains("I let them ask"));
    let (_, html) = app.get(&admin_page).await;
    assert!(visible_text(&html).contains("Decided changes (2)"));
    assert!(
        html.contains("<ins>Nothing; </ins>"),
        "a declined change is kept: {html}"
    );

    // Ana was told each time.
    deliver(&app, &smtp).await;
    let subjects: Vec<String> = smtp
        .wait_for_messages(1)
        .await
        .iter()
        .map(|m| read_mail(m))
        .filter(|m| m.to.contains("ana@"))
        .map(|m| m.subject)
        .collect();
    for subject in [
        "We have your change: What do you ask at the end of an interview?",
        "Your change is published: The last question",
        "Your change was not published: The last question",
    ] {
        assert!(
            subjects.iter().any(|s| s == subject),
            "{subject} in {subjects:?}"
        );
    }

    // Signing the answer anonymously is her right: it applies at once, in search too.
    app.post_form(&ana, &answer_fields("Ana Named", "anonymous", third))
        .await;
    let (_, public) = app.get(&url).await;
    assert!(
        !visible_text(&public).contains("Ana Named"),
        "{}",
        visible_text(&public)
    );
    assert!(visible_text(&public).contains("Anonymous"));
    let (_, found) = app.get("/search?q=learn").await;
    assert!(visible_text(&found).contains("learn") && !visible_text(&found).contains("Ana Named"));
}

#[tokio::test]
async fn a_change_to_a_published_answer_waits_for_the_editor_on_sqlite() {
    changes_to_published_answers_wait_for_the_editor(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_change_to_a_published_answer_waits_for_the_editor_on_postgres() {
    changes_to_published_answers_wait_for_the_editor(Backend::Postgres).await;
}

/// A published post with Ana's answer, and `name`'s answer (through `key`'s link) left out
/// of it and sent again, changed, after the round closed.
struct LeftOut {
    app: TestApp,
    _smtp: SmtpServer,
    round_id: i64,
    post_id: i64,
    url: String,
    ana_id: i64,
    other_id: i64,
}

async fn left_out_and_sent_again(backend: Backend, key: &str, name: &str) -> LeftOut {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let ana = answer_fields("Ana Named", "named", "About mentoring.");
    app.post_form(&link("ana"), &ana).await;
    let other = link(key);
    app.post_form(&other, &answer_fields(name, "named", "About budgets."))
        .await;
    let ana_id = answer_id_of(&app.store, round_id, "Ana Named").await;
    let other_id = answer_id_of(&app.store, round_id, name).await;
    let (post_id, url) = published(&app, round_id, &[ana_id]).await;
    rounds::close(&app.state.column, round_id).await.unwrap();
    let again = answer_fields(name, "named", "About budgets, and teams.");
    app.post_form(&other, &again).await;
    drop(link);
    LeftOut {
        app,
        _smtp: smtp,
        round_id,
        post_id,
        url,
        ana_id,
        other_id,
    }
}

async fn a_left_out_answer_sent_again_late_waits_under_late_answers(backend: Backend) {
    let LeftOut {
        app,
        round_id,
        post_id,
        url,
        ana_id,
        other_id: bo_id,
        ..
    } = left_out_and_sent_again(backend, "bo", "Bo Rolewright").await;
    let late = app.store.late_answers(post_id).await.unwrap();
    assert_eq!(late.iter().map(|a| a.id).collect::<Vec<_>>(), vec![bo_id]);

    // The compilation page sends the editor to Late answers; compiling cannot slip it in.
    sign_in(&app).await;
    let compile = format!("/admin/rounds/{round_id}/compile");
    let (_, html) = app.get(&compile).await;
    assert!(visible_text(&html).contains("add it from the post’s page, under Late answers"));
    let fields = vec![
        ("title", "The last question".to_string()),
        ("include", ana_id.to_string()),
        ("include", bo_id.to_string()),
        (format!("position-{bo_id}").leak() as &str, "2".to_string()),
    ];
    let (status, _, _) = admin_post(&app, &compile, &compile, &fields).await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(
        !public.contains("About budgets"),
        "not live without the editor adding it"
    );
    assert_eq!(app.store.late_answers(post_id).await.unwrap().len(), 1);

    // Added from Late answers, it goes in with a dated note.
    let admin_page = format!("/admin/posts/{post_id}/");
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &format!("/admin/posts/{post_id}/late"),
        &[("answer", bo_id.to_string())],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(public.contains("About budgets, and teams."));
    assert!(visible_text(&public).contains("to add Bo Rolewright’s answer"));
}

#[tokio::test]
async fn a_left_out_answer_sent_again_late_waits_under_late_answers_on_sqlite() {
    a_left_out_answer_sent_again_late_waits_under_late_answers(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_left_out_answer_sent_again_late_waits_under_late_answers_on_postgres() {
    a_left_out_answer_sent_again_late_waits_under_late_answers(Backend::Postgres).await;
}

async fn the_editor_rewrites_dates_and_hides_edit_notes(backend: Backend) {
    let LeftOut {
        app, post_id, url, ..
    } = left_out_and_sent_again(backend, "eli", "Jan Wilbur").await;
    let late = app.store.late_answers(post_id).await.unwrap()[0].id;
    posts::add_late(&app.state.column, post_id, late, None)
        .await
        .unwrap();
    let note = app.store.notes_of_post(post_id).await.unwrap()[0].id;

    sign_in(&app).await;
    let admin_page = format!("/admin/posts/{post_id}/");
    let action = format!("/admin/notes/{note}");
    // A date that cannot be read comes back with the words as typed.
    let wording = "*edited 8/10/2013 to add Jan Wilbur’s response";
    let (status, _, html) = admin_post(
        &app,
        &admin_page,
        &action,
        &[("date", "10 August".into()), ("text", wording.into())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(visible_text(&html).contains("Give the note's date as YYYY-MM-DD."));
    assert!(html.contains("value=\"10 August\"") && html.contains(wording));
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &action,
        &[("date", "2013-08-10".into()), ("text", wording.into())],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(visible_text(&public).contains(wording));
    assert!(!visible_text(&public).contains("to add Jan Wilbur’s answer"));
    let saved = app.store.note(note).await.unwrap();
    assert_eq!(saved.noted_at, 1_376_092_800, "the day the editor gave");

    // Hidden, readers no longer see it; the editor still does.
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &action,
        &[
            ("date", "2013-08-10".into()),
            ("text", wording.into()),
            ("hidden", "1".into()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(!visible_text(&public).contains("edited 8/10/2013"));
    let (_, html) = app.get(&admin_page).await;
    assert!(html.contains(wording));
}

#[tokio::test]
async fn the_editor_rewrites_dates_and_hides_edit_notes_on_sqlite() {
    the_editor_rewrites_dates_and_hides_edit_notes(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_editor_rewrites_dates_and_hides_edit_notes_on_postgres() {
    the_editor_rewrites_dates_and_hides_edit_notes(Backend::Postgres).await;
}

/// The edit note offered when accepting a change is public once accepted: for an anonymous
/// answer it names no one.
async fn the_note_offered_for_an_anonymous_change_names_no_one(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    let (round_id, link) = round_sent(&app).await;
    let words = "I ask what they would change about us.";
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "anonymous", words),
    )
    .await;
    let ana = answer_id_of(&app.store, round_id, "Ana Named").await;
    let (post_id, url) = published(&app, round_id, &[ana]).await;
    let changed = "I ask what they would change about us first.";
    app.post_form(
        &link("ana"),
        &answer_fields("Ana Named", "anonymous", changed),
    )
    .await;
    sign_in(&app).await;
    let admin_page = format!("/admin/posts/{post_id}/");
    let (_, html) = app.get(&admin_page).await;
    let offered = html.split("name=\"note\" value=\"").nth(1).unwrap();
    let offered = &offered[..offered.find('"').unwrap()];
    assert!(offered.contains("an anonymous panelist"), "{offered}");
    assert!(!offered.contains("Ana"), "{offered}");
    // Accepted as offered, the post and its note name no one.
    let proposal = app.store.waiting_proposals(Some(post_id)).await.unwrap()[0].id;
    let (status, _, _) = admin_post(
        &app,
        &admin_page,
        &format!("/admin/proposals/{proposal}/accept"),
        &[("note", offered.replace("&#x27;", "'").replace("&amp;", "&"))],
    )
    .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&url).await;
    assert!(public.contains("first.") && !public.contains("Ana Named"));
}

#[tokio::test]
async fn the_note_offered_for_an_anonymous_change_names_no_one_on_sqlite() {
    the_note_offered_for_an_anonymous_change_names_no_one(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_note_offered_for_an_anonymous_change_names_no_one_on_postgres() {
    the_note_offered_for_an_anonymous_change_names_no_one(Backend::Postgres).await;
}

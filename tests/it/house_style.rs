//! A series' house style, set by the editor in the admin and followed by its posts: where
//! signatures go (before, run into the first paragraph, after with a dash), how they are
//! written (a template with connector words), the question and its follow-up on the post,
//! the heading over the comment form, and an editor's heading inside an answer. Through HTTP
//! as the editor and panelists would, on SQLite and PostgreSQL.

use roundtable::column::posts::{self, AnswerChoice, Compilation};
use roundtable::column::rounds::{self, RoundDraft};
use roundtable::store::Backend;

use crate::editorial::{answer_id_of, post_url, PROMPT};
use crate::helpers::{visible_text, TestApp};
use crate::smtp::SmtpServer;
use crate::workflow::{admin_post, seed, sign_in};

fn fields(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

const TEMPLATE: &str = "{name}[ ({pronouns})][, {title}][ at {institution}][ in {city}]";

async fn a_series_house_style_shapes_its_posts(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    sign_in(&app).await;

    // A template that cannot work is refused, and the form keeps what was typed.
    let style = |template: &'static str| {
        fields(&[
            ("name", "Further Questions"),
            ("category", "Further Questions"),
            (
                "default_intro",
                "This week we asked people who hire librarians",
            ),
            ("default_closing", "Thank YOU for reading!"),
            ("signature_placement", "after"),
            ("signature_template", template),
            ("show_question", "yes"),
            ("comments_heading", "What do you think?"),
        ])
    };
    let (status, _, html) = admin_post(
        &app,
        "/admin/series/",
        "/admin/series/",
        &style("{name} at {library}"),
    )
    .await;
    assert_eq!(status, 422);
    let text = visible_text(&html);
    assert!(text.contains("The template names “{library}”"), "{text}");
    assert!(
        html.contains("value=\"What do you think?\""),
        "the form keeps what was typed"
    );
    let (status, location, _) =
        admin_post(&app, "/admin/series/", "/admin/series/", &style(TEMPLATE)).await;
    assert_eq!(status, 303, "{location}");
    let series_id: i64 = location
        .trim_start_matches("/admin/series/")
        .trim_end_matches('/')
        .parse()
        .unwrap();

    // The composer offers the series; the round belongs to it.
    let (_, composer) = app.get("/admin/rounds/new").await;
    assert!(
        composer.contains("Further Questions"),
        "the composer offers the series"
    );
    let closes_on = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(7))
        .to_string();
    let draft = RoundDraft {
        prompt: PROMPT.into(),
        follow_up: "Bonus: what do you wish candidates asked you?".into(),
        closes_on,
        series: series_id.to_string(),
        ..RoundDraft::default()
    };
    let plan = rounds::plan(&app.state.column, draft).await.unwrap();
    let round_id = rounds::open(&app.state.column, plan)
        .await
        .unwrap()
        .round_id;
    let round = app.store.round(round_id).await.unwrap();
    assert_eq!(round.series_id, Some(series_id));
    let invitations: Vec<String> = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE kind = 'invitation' AND to_addr LIKE 'ana@%'",
    )
    .fetch_all(app.store.raw_pool_for_tests())
    .await
    .unwrap();
    let text = &invitations[0];
    let link = text[text.find("/answer/").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let body = "I ask what they hope to learn.\n\nAnd then I listen.\n\nThat is the whole trick.";
    app.post_form(
        &link,
        &[
            ("name", "Celia Rabinowitz"),
            ("title", "Dean of Mason Library"),
            ("institution", "Keene State College"),
            ("city", "Keene, NH"),
            ("attribution", "named"),
            ("body", body),
            ("action", "save"),
        ],
    )
    .await;
    let celia = answer_id_of(&app.store, round_id, "Celia Rabinowitz").await;

    // Compiled with the editor's heading before the second paragraph.
    let compilation = Compilation {
        title: "The last question".into(),
        answers: vec![AnswerChoice {
            id: celia,
            included: true,
            position: Some(1),
            heading: Some("On listening".into()),
            heading_before: Some(2),
            body: body.into(),
            ..AnswerChoice::default()
        }],
        ..Compilation::default()
    };
    let post_id = posts::compile(&app.state.column, round_id, &compilation)
        .await
        .unwrap();
    posts::publish(&app.state.column, post_id).await.unwrap();
    let url = post_url(&app.store, post_id).await;
    let (_, html) = app.get(&url).await;
    let text = visible_text(&html);
    let signed = "– Celia Rabinowitz, Dean of Mason Library at Keene State College in Keene, NH";
    let (answer_at, signed_at) = (
        text.find("That is the whole trick").unwrap(),
        text.find(signed).expect(&text),
    );
    assert!(answer_at < signed_at, "signed after the answer: {text}");
    assert!(
        text.contains(PROMPT) && text.contains("Bonus: what do you wish"),
        "{text}"
    );
    assert!(
        text.contains("What do you think?"),
        "the comment form's heading: {text}"
    );
    let heading = html
        .find("<p class=\"editor-heading\">On listening</p>")
        .expect(&html);
    assert!(
        html.find("I ask what they hope").unwrap() < heading
            && heading < html.find("And then I listen").unwrap(),
        "the heading sits before the second paragraph"
    );
    assert!(
        !text.contains("Editor’s note: On listening"),
        "a heading, not a note"
    );
    let (_, categories) = app.get("/category/further-questions/").await;
    assert!(visible_text(&categories).contains("The last question"));

    // This post runs its signatures into the first paragraph instead.
    let page = format!("/admin/posts/{post_id}/");
    let action = format!("/admin/posts/{post_id}/placement");
    let (status, _, _) =
        admin_post(&app, &page, &action, &fields(&[("placement", "run_in")])).await;
    assert_eq!(status, 303);
    let (_, html) = app.get(&url).await;
    assert!(
        html.contains("<strong class=\"byline run-in\">"),
        "run into the first paragraph"
    );
    // (The page's text puts a space between the signature's element and its colon.)
    let text = visible_text(&html).replace(" :", ":");
    assert!(
        text.contains("Celia Rabinowitz, Dean of Mason Library at Keene State College in Keene, NH: I ask what they hope to learn."),
        "{text}"
    );

    // A new template for the series changes its posts, and what search shows of them.
    let edit = format!("/admin/series/{series_id}/");
    let (status, _, _) = admin_post(&app, &edit, &edit, &style("{name}[, {institution}]")).await;
    assert_eq!(status, 303);
    let (_, html) = app.get(&url).await;
    assert!(visible_text(&html)
        .replace(" :", ":")
        .contains("Celia Rabinowitz, Keene State College: I ask"));
    let (_, found) = app.get("/search?q=listen").await;
    let found = visible_text(&found);
    assert!(
        found.contains("Celia Rabinowitz, Keene State College") && !found.contains("Dean of Mason"),
        "{found}"
    );
}

#[tokio::test]
async fn a_series_house_style_shapes_its_posts_on_sqlite() {
    a_series_house_style_shapes_its_posts(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_series_house_style_shapes_its_posts_on_postgres() {
    a_series_house_style_shapes_its_posts(Backend::Postgres).await;
}

/// The newsletter as mail clients show it: no SVG (the tally as bars of a table), no stray
/// "#" links to the post's own parts, a preheader, and a plain-text part in paragraphs. The
/// editor previews it and sends it to themselves.
#[tokio::test]
async fn the_newsletter_reads_well_in_mail_clients_and_the_editor_can_test_it() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let posts = app.store.published_posts(0, 10).await.unwrap();
    let salary = posts
        .iter()
        .find(|p| p.slug == "is-it-okay-to-ask-about-salary-in-a-first-interview")
        .unwrap();
    let (subject, text, html) = posts::newsletter_preview(&app.state.column, salary.id)
        .await
        .unwrap();
    assert!(subject.contains("Salary"), "{subject}");
    assert!(!html.contains("<svg"), "mail clients show no SVG");
    assert!(
        html.contains("role=\"presentation\""),
        "the tally as a table"
    );
    assert!(html.contains("display:none;max-height:0"), "a preheader");
    assert!(
        html.contains("max-width:600px"),
        "a column that narrows to the screen"
    );
    assert!(!html.contains("aria-label=\"Link to this answer\""));
    assert!(
        !text.contains(" #") && !text.contains("# "),
        "no stray marks: {text}"
    );
    assert!(text.contains("\n\n"), "paragraphs: {text}");
    assert!(!text.contains('<'), "no markup: {text}");

    let editor = app.store.editor_emails().await.unwrap().remove(0);
    posts::send_test_newsletter(&app.state.column, salary.id, &editor)
        .await
        .unwrap();
    let sent: Vec<(String, String)> =
        sqlx::query_as("SELECT to_addr, subject FROM outbox WHERE subject LIKE '[Test]%'")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    assert_eq!(sent, vec![(editor.clone(), format!("[Test] {subject}"))]);
    let letters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'newsletter'")
        .fetch_one(app.store.raw_pool_for_tests())
        .await
        .unwrap();
    assert_eq!(letters, 0, "a test goes to the editor alone");
}

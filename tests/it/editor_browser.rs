//! The editor's side in a real Chromium: signing in through the form, sending a round, compiling
//! its answers (leaving one out, reordering, a heading of the editor's, tags), previewing,
//! publishing and adding a late answer; and the verdicts of the Nu HTML Checker and axe-core on
//! the admin pages and the panelist's answer page.
//!
//! The walk-through also takes the screenshots of docs/editor-guide.md: into docs/screenshots/
//! when `ROUNDTABLE_SCREENSHOTS` names that folder (`scripts/screenshots` does), into a
//! temporary folder otherwise.

use std::path::PathBuf;

use fantoccini::Locator;
use roundtable::store::{Backend, NewPanelist};

use crate::browser::Browser;
use crate::helpers::{read_mail, visible_text, ReadMail, TestApp};
use crate::smtp::SmtpServer;
use crate::validators::{assert_accessible_signed_in, assert_valid_html};
use crate::workflow::{admin_post, deliver, link_in, mail_to, seed, sign_in, PASSWORD};

const QUESTION: &str = "What do you ask at the end of an interview?";

/// A round sent to the five panelists of `workflow::PANEL`, with its invitation links.
struct SentRound {
    id: i64,
    path: String,
    mails: Vec<ReadMail>,
}

impl SentRound {
    fn link(&self, app: &TestApp, key: &str) -> String {
        link_in(&mail_to(&self.mails, key, "What do you ask").text, app)
    }
}

/// Delivers the outbox and reads every message the SMTP server has received, expecting at
/// least `count`.
async fn mails(app: &TestApp, smtp: &SmtpServer, count: usize) -> Vec<ReadMail> {
    deliver(app, smtp).await;
    smtp.wait_for_messages(count)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect()
}

/// Answers through a panelist's link, as `workflow.rs` does; the page must accept it.
async fn answer(app: &TestApp, link: &str, fields: &[(&str, &str)]) {
    assert_eq!(app.get(link).await.0, 200, "{link} opens");
    let mut form = fields.to_vec();
    form.push(("action", "save"));
    let (status, html) = app.post_form(link, &form).await;
    assert_eq!(status, 200, "{}", visible_text(&html));
}

/// Bo answers with their role only, Cy and Di anonymously.
async fn answer_for_bo_cy_and_di(app: &TestApp, round: &SentRound) {
    answer(
        app,
        &round.link(app, "bo"),
        &[
            ("name", "Bo Rolewright"),
            ("attribution", "role"),
            ("role", "Director, public library, Midwest"),
            ("choice", "It depends"),
            ("body", "For directors I ask about the budget."),
        ],
    )
    .await;
    answer(
        app,
        &round.link(app, "cy"),
        &[
            ("name", "Cyrus Hiddenfield"),
            ("attribution", "anonymous"),
            ("choice", "No"),
            ("body", "Nothing at all: their questions matter more."),
        ],
    )
    .await;
    answer(
        app,
        &round.link(app, "di"),
        &[
            ("name", "Dinah Quietwater"),
            ("attribution", "anonymous"),
            ("show_library_type", "yes"),
            ("choice", "Yes"),
            ("body", "Always: what would make you turn this job down?"),
        ],
    )
    .await;
}

/// The id of the answer in `round` written by the panelist called `name`.
async fn answer_id(app: &TestApp, round: i64, name: &str) -> i64 {
    app.store
        .answers_of_round(round)
        .await
        .unwrap()
        .iter()
        .find(|a| a.panelist_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} answered"))
        .id
}

/// Where screenshots go: `ROUNDTABLE_SCREENSHOTS`, or the scratch folder.
fn screenshot_folder(scratch: &tempfile::TempDir) -> PathBuf {
    std::env::var_os("ROUNDTABLE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_path_buf())
}

/// The text of the first element matching `css`.
async fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is on the page: {e}"))
        .text()
        .await
        .unwrap()
}

/// Positions of `parts` in `text`, panicking with the text when one is missing.
fn positions(text: &str, parts: &[&str]) -> Vec<usize> {
    parts
        .iter()
        .map(|p| {
            text.find(p)
                .unwrap_or_else(|| panic!("{p:?} is in:\n{text}"))
        })
        .collect()
}

#[tokio::test]
async fn an_editor_sends_compiles_previews_and_publishes_a_round_in_the_browser() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    app.store
        .create_panelist(&NewPanelist {
            name: "Jo Joiner".into(),
            email: "jo@panel.example.org".into(),
            title: Some("Reference Librarian".into()),
            library_type: Some("academic".into()),
            status: "applied",
            ..NewPanelist::default()
        })
        .await
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let shots = screenshot_folder(&scratch);
    let shot = |name: &str| shots.join(format!("editor-{name}.png"));
    let browser = Browser::start().await;

    // Signing in: the admin sends a stranger to the sign-in form, and back after it.
    browser.open(&app.url("/admin/")).await;
    browser.wait_for_text("Editor sign-in").await;
    browser.fill("Email", "editor@example.org").await;
    browser.fill("Password", PASSWORD).await;
    browser.screenshot(&shot("sign-in")).await;
    browser.submit("Sign in").await;
    browser.wait_for_text("No round is open").await;
    assert_eq!(browser.current_path().await, "/admin/");

    // A question of the editor's own, then a round with short-answer choices.
    browser.click_link("Questions").await;
    browser.fill("Question", QUESTION).await;
    browser.submit("Add to the queue").await;
    browser.open(&app.url("/admin/questions/")).await;
    browser.wait_for_text(QUESTION).await;
    browser.screenshot(&shot("questions")).await;
    browser.click_link("Start a round").await;
    browser.wait_for_text("New round").await;
    browser.fill("choices", "Yes\nNo\nIt depends").await;
    browser.submit("Preview the invitation").await;
    let text = browser.wait_for_text("Invitation preview").await;
    assert!(text.contains("Send to 5 panelists"), "{text}");
    browser.screenshot(&shot("round-new")).await;
    browser.scroll_to(".preview").await;
    browser.screenshot(&shot("round-preview")).await;
    browser.submit("Send to 5 panelists").await;
    let text = browser
        .wait_for_text("Invitations are on their way to 5 panelists")
        .await;
    assert!(text.contains(QUESTION), "{text}");
    let path = browser.current_path().await;
    let path = path.split('?').next().unwrap().to_string();
    let round = SentRound {
        id: path.split('/').nth(3).unwrap().parse().unwrap(),
        path,
        mails: mails(&app, &smtp, 5).await,
    };

    // Ana answers in the browser; three others by form post; Eli not yet.
    browser.open(&round.link(&app, "ana")).await;
    browser.wait_for_text("How your answer is signed").await;
    browser.screenshot(&shot("answer-page")).await;
    browser.set_checked("a-named", true).await;
    browser.set_checked("Yes", true).await;
    browser
        .fill("a-body", "I ask what they hope to learn in year one.")
        .await;
    browser.submit("Send my answer").await;
    browser.wait_for_text("Your answer is saved").await;
    answer_for_bo_cy_and_di(&app, &round).await;

    browser.open(&app.url("/admin/")).await;
    browser.wait_for_text("Open rounds").await;
    browser.screenshot(&shot("dashboard")).await;
    browser.click_link(QUESTION).await;
    let text = browser.wait_for_text("4 of 5 answered (80%)").await;
    assert!(text.contains("Eli Latecomer"), "{text}");
    browser.screenshot(&shot("round-monitor")).await;

    // Compiling: leave Cy out, put Di first and Ana last, a heading over Ana's answer, a tag.
    let ana = answer_id(&app, round.id, "Ana Named").await;
    let bo = answer_id(&app, round.id, "Bo Rolewright").await;
    let cy = answer_id(&app, round.id, "Cyrus Hiddenfield").await;
    let di = answer_id(&app, round.id, "Dinah Quietwater").await;
    browser.click_link("Compile the post").await;
    browser.wait_for_text("Compile:").await;
    browser.set_checked(&format!("include-{cy}"), false).await;
    browser.fill(&format!("position-{di}"), "1").await;
    browser.fill(&format!("position-{bo}"), "2").await;
    browser.fill(&format!("position-{ana}"), "3").await;
    browser
        .fill(&format!("heading-{ana}"), "On first-year goals")
        .await;
    browser
        .fill("Tags", "interviews, Candidate Questions")
        .await;
    browser.scroll_to(".answer-edit").await;
    browser.screenshot(&shot("compile")).await;
    browser.submit("Save and preview").await;

    let text = browser.wait_for_text("As readers will see it").await;
    assert!(text.contains("Status: draft"), "{text}");
    let preview = text_of(&browser, ".reader-preview").await;
    let order = positions(
        &preview,
        &[
            "Anonymous, public library",
            "Director, public library, Midwest",
            "Ana Named, Head of Circulation, Riverbend College",
            "On first-year goals",
            "what they hope to learn in year one",
        ],
    );
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "the editor's order: {order:?}\n{preview}"
    );
    assert!(
        !preview.contains("their questions matter more"),
        "the unticked answer is left out:\n{preview}"
    );
    // A heading of the editor's reads as a heading, styled apart from the notes.
    let heading = text_of(&browser, ".reader-preview .editor-heading").await;
    assert_eq!(heading, "On first-year goals");
    assert!(
        preview.contains("Candidate Questions") && preview.contains("interviews"),
        "{preview}"
    );
    browser.screenshot(&shot("preview")).await;

    // Publish now, and the post is on the public site as previewed.
    browser.submit("Publish now").await;
    browser.wait_for_text("Published.").await;
    browser.click_link("View on the site").await;
    let text = browser.wait_for_text(QUESTION).await;
    let public_path = browser.current_path().await;
    assert!(public_path.starts_with("/20"), "{public_path}");
    let order = positions(
        &text,
        &[
            "Anonymous, public library",
            "Director, public library, Midwest",
            "Ana Named, Head of Circulation, Riverbend College",
            "On first-year goals",
            "what they hope to learn in year one",
        ],
    );
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{text}");
    assert!(!text.contains("their questions matter more"), "{text}");
    browser.open(&app.url("/")).await;
    browser.wait_for_text(QUESTION).await;

    // A late answer, added with one click.
    answer(
        &app,
        &round.link(&app, "eli"),
        &[
            ("name", "Eli Latecomer"),
            ("title", "Coordinator"),
            ("institution", "Tardy School District"),
            ("attribution", "named"),
            ("choice", "It depends"),
            ("body", "Sorry I am late: I ask about mentoring."),
        ],
    )
    .await;
    browser.open(&app.url("/admin/posts/")).await;
    browser.click_link(QUESTION).await;
    browser.wait_for_text("Late answers").await;
    browser.scroll_to("#late-title").await;
    browser.screenshot(&shot("late-answer")).await;
    browser.submit("Add this answer to the post").await;
    browser
        .wait_for_text("The answer is in the post, with a dated note")
        .await;
    browser.open(&app.url(&public_path)).await;
    let text = browser.wait_for_text("I ask about mentoring").await;
    assert!(text.contains("to add Eli Latecomer’s answer"), "{text}");

    // A reader's comment waits for the editor, who approves it.
    let (status, _) = app
        .post_form(
            &format!("{public_path}comments"),
            &[
                ("name", "Robin Reader"),
                ("email", "robin@example.net"),
                ("body", "I will steal the year-one question."),
            ],
        )
        .await;
    assert!(status < 400, "the comment is taken ({status})");
    browser.open(&app.url("/admin/comments/")).await;
    browser.wait_for_text("Robin Reader").await;
    browser.screenshot(&shot("comments")).await;
    browser
        .set_checked("Select the comment by Robin Reader", true)
        .await;
    browser.submit("Approve").await;
    browser.open(&app.url(&public_path)).await;
    browser
        .wait_for_text("I will steal the year-one question.")
        .await;

    // The roster, with a request to join, and the settings.
    browser.open(&app.url("/admin/panel/")).await;
    browser.wait_for_text("Requests to join (1)").await;
    browser.screenshot(&shot("panel")).await;
    browser.open(&app.url("/admin/settings/")).await;
    browser.wait_for_text("Site title").await;
    browser.screenshot(&shot("settings")).await;
    browser.quit().await;
}

/// Sends the round composed with `fields` on the page `compose`, and reads the invitations.
async fn send_round(
    app: &TestApp,
    smtp: &SmtpServer,
    compose: &str,
    fields: &[(&str, String)],
) -> SentRound {
    let (status, location, _) = admin_post(app, compose, "/admin/rounds/new", fields).await;
    assert_eq!(status, 303, "the round is sent");
    let path = location.split('?').next().unwrap().to_string();
    SentRound {
        id: path.split('/').nth(3).unwrap().parse().unwrap(),
        path,
        mails: mails(app, smtp, 5).await,
    }
}

#[tokio::test]
async fn a_compilation_sent_back_for_its_missing_title_keeps_the_order_and_categories_typed() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let closes_on = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(7));
    let fields = vec![
        ("prompt", QUESTION.to_string()),
        ("choices", "Yes\nNo\nIt depends".to_string()),
        ("closes_on", closes_on.to_string()),
        ("reminder_days", String::new()),
        ("action", "send".to_string()),
    ];
    let round = send_round(&app, &smtp, "/admin/rounds/new", &fields).await;
    answer_for_bo_cy_and_di(&app, &round).await;
    let (bo, cy, di) = (
        answer_id(&app, round.id, "Bo Rolewright").await,
        answer_id(&app, round.id, "Cyrus Hiddenfield").await,
        answer_id(&app, round.id, "Dinah Quietwater").await,
    );
    let compile = format!("{}compile", round.path);

    let (status, _, page) = admin_post(
        &app,
        &compile,
        &compile,
        &[
            ("title", String::new()),
            ("include", di.to_string()),
            ("include", bo.to_string()),
            (&format!("position-{di}"), "1".into()),
            (&format!("position-{bo}"), "2".into()),
            (&format!("position-{cy}"), "7".into()),
            ("new_categories", "Hiring, Interviews".into()),
        ],
    )
    .await;

    assert_eq!(status, 422);
    assert!(visible_text(&page).contains("Give the post a title."));
    for (id, position) in [(di, 1), (bo, 2), (cy, 7)] {
        assert!(
            page.contains(&format!("name=\"position-{id}\" value=\"{position}\"")),
            "answer {id} keeps position {position}"
        );
    }
    assert!(
        !page.contains(&format!("value=\"{cy}\" checked")),
        "Cy stays unticked"
    );
    assert!(
        page.contains(&format!("value=\"{di}\" checked")),
        "Di stays ticked"
    );
    assert!(
        page.contains("name=\"new_categories\" value=\"Hiring, Interviews\""),
        "the new categories are kept"
    );
}

/// Signs in with a client of its own and returns the session cookie, as `name=value`, for
/// tools that load pages themselves.
async fn session_cookie(app: &TestApp) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(app.url("/admin/login"))
        .form(&[("email", "editor@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "signed in");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// A column with a published post, a late answer waiting and a join request, so every admin
/// page has something to show. Returns the admin pages and the answer page as (file name,
/// address) pairs; and, as (file name, page) pairs, pages as they were earlier (the round
/// while open) or that answer a form post (previews, forms sent back with a mistake).
/// A working password-reset link for the seeded editor, as the reset email would carry it.
async fn reset_link(app: &TestApp) -> String {
    use roundtable::domain::Email;
    use roundtable::store::{MailKind, OutgoingMail};
    let editor = app
        .store
        .editor_by_email("editor@example.org")
        .await
        .unwrap()
        .unwrap();
    let token = roundtable::tokens::random_token();
    let mail = OutgoingMail {
        kind: MailKind::Alert,
        dedupe_key: None,
        to: Email::parse(&editor.email).unwrap(),
        subject: "Choose a new password".into(),
        body_text: format!("/admin/reset/{token}"),
        body_html: None,
        headers: vec![],
    };
    app.store
        .request_password_reset(
            editor.id,
            &roundtable::tokens::token_hash(&token),
            3600,
            &mail,
        )
        .await
        .unwrap();
    format!("/admin/reset/{token}")
}

async fn admin_pages(
    app: &TestApp,
    smtp: &SmtpServer,
) -> (Vec<(String, String)>, Vec<(String, String)>) {
    seed(&app.store).await;
    app.store
        .create_panelist(&NewPanelist {
            name: "Jo Joiner".into(),
            email: "jo@panel.example.org".into(),
            status: "applied",
            ..NewPanelist::default()
        })
        .await
        .unwrap();
    sign_in(app).await;
    let (_, location, _) = admin_post(
        app,
        "/admin/questions/",
        "/admin/questions/",
        &[("prompt", QUESTION.into())],
    )
    .await;
    let question: i64 = location.split('/').nth(3).unwrap().parse().unwrap();
    let compose = format!("/admin/rounds/new?question={question}");
    let (_, html) = app.get(&compose).await;
    let closes_on = html
        .split("name=\"closes_on\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let fields = |action: &str| {
        vec![
            ("question", question.to_string()),
            ("prompt", QUESTION.to_string()),
            ("choices", "Yes\nNo\nIt depends".to_string()),
            ("closes_on", closes_on.clone()),
            ("reminder_days", "3,1".to_string()),
            ("action", action.to_string()),
        ]
    };
    let (status, _, composer_preview) =
        admin_post(app, &compose, "/admin/rounds/new", &fields("preview")).await;
    assert_eq!(status, 200);
    let mut no_date = fields("send");
    no_date[3].1 = "someday".into();
    let (status, _, composer_error) =
        admin_post(app, &compose, "/admin/rounds/new", &no_date).await;
    assert_eq!(status, 422, "a closing date that is no date is refused");
    let round = send_round(app, smtp, &compose, &fields("send")).await;
    answer_for_bo_cy_and_di(app, &round).await;
    // While the round is open, its page and the dashboard have more to show.
    let (_, round_open) = app.get(&round.path).await;
    assert!(round_open.contains("Send a reminder now"));
    let (_, dashboard_open) = app.get("/admin/").await;
    assert!(dashboard_open.contains("Response rate"));
    // Closing asks first; a closed round's page offers to reopen it, and says why it did not.
    let close = format!("{}close", round.path);
    let (_, round_close) = app.get(&close).await;
    assert!(round_close.contains("Yes, close the round"));
    let (status, _, _) = admin_post(app, &close, &close, &[("confirm", "yes".into())]).await;
    assert_eq!(status, 303);
    let reopen = format!("{}reopen", round.path);
    let (status, _, reopen_error) =
        admin_post(app, &round.path, &reopen, &[("closes_on", "soon".into())]).await;
    assert_eq!(status, 422, "a closing date that is no date is refused");
    let (status, _, _) = admin_post(
        app,
        &round.path,
        &reopen,
        &[("closes_on", closes_on.clone())],
    )
    .await;
    assert_eq!(status, 303);
    let compile = format!("{}compile", round.path);
    let (_, compile_page) = app.get(&compile).await;
    let (status, _, compile_error) =
        admin_post(app, &compile, &compile, &[("title", String::new())]).await;
    assert_eq!(status, 422, "a post without a title is refused");
    let mut fields = vec![
        ("title", QUESTION.to_string()),
        ("tags", "interviews".to_string()),
    ];
    let ids: Vec<String> = app
        .store
        .answers_of_round(round.id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id.to_string())
        .collect();
    for id in &ids {
        fields.push(("include", id.clone()));
    }
    let (status, location, _) = admin_post(app, &compile, &compile, &fields).await;
    assert_eq!(status, 303);
    let post = location.split('?').next().unwrap().to_string();
    let post_id = post.split('/').nth(3).unwrap().to_string();
    let (status, _, schedule_error) = admin_post(
        app,
        &post,
        &format!("/admin/posts/{post_id}/publish"),
        &[("when", "later".into()), ("at", "yesterday".into())],
    )
    .await;
    assert_eq!(status, 422, "a time in the past is refused");
    // Published, with a late answer waiting.
    let (status, _, _) = admin_post(
        app,
        &post,
        &format!("/admin/posts/{post_id}/publish"),
        &[("when", "now".into())],
    )
    .await;
    assert_eq!(status, 303);
    answer(
        app,
        &round.link(app, "eli"),
        &[
            ("name", "Eli Latecomer"),
            ("attribution", "named"),
            ("choice", "Yes"),
            ("body", "Late, but here."),
        ],
    )
    .await;
    // A direct edit, so that the post has a revision to list and compare.
    let edit = format!("/admin/posts/{post_id}/edit");
    let title = app
        .store
        .post(post_id.parse().unwrap())
        .await
        .unwrap()
        .title;
    let (status, _, _) = admin_post(
        app,
        &edit,
        &edit,
        &[("title", title), ("body", "Edited in place.".into())],
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, new_post_error) = admin_post(
        app,
        "/admin/posts/new",
        "/admin/posts/new",
        &[("title", "".into()), ("body", "Kept.".into())],
    )
    .await;
    let public = app.store.post(post_id.parse().unwrap()).await.unwrap();
    let (_, home) = app.get("/").await;
    assert!(home.contains(&public.slug));
    let pages = [
        ("dashboard.html", "/admin/".to_string()),
        ("questions.html", "/admin/questions/".to_string()),
        ("question.html", format!("/admin/questions/{question}/")),
        ("composer.html", compose.clone()),
        ("rounds.html", "/admin/rounds/".to_string()),
        ("round.html", round.path.clone()),
        ("compile.html", compile.clone()),
        ("posts.html", "/admin/posts/".to_string()),
        ("post.html", post.clone()),
        ("post-new.html", "/admin/posts/new".to_string()),
        ("page-new.html", "/admin/posts/new?page=1".to_string()),
        ("post-edit.html", edit.clone()),
        ("post-delete.html", format!("/admin/posts/{post_id}/delete")),
        (
            "revisions.html",
            format!("/admin/posts/{post_id}/revisions"),
        ),
        ("comments.html", "/admin/comments/".to_string()),
        ("panel.html", "/admin/panel/".to_string()),
        ("subscribers.html", "/admin/subscribers/".to_string()),
        ("settings.html", "/admin/settings/".to_string()),
        ("series.html", "/admin/series/".to_string()),
        (
            "newsletter.html",
            format!("/admin/posts/{post_id}/newsletter"),
        ),
        ("sessions.html", "/admin/sessions/".to_string()),
        ("forgot.html", "/admin/forgot".to_string()),
        ("forgot-sent.html", "/admin/forgot?sent=1".to_string()),
        ("reset.html", reset_link(app).await),
        ("answer.html", round.link(app, "ana")),
    ]
    .into_iter()
    .map(|(n, p)| (n.to_string(), p))
    .collect();
    assert!(compile_page.contains("Save and preview"));
    let (_, reset_used) = app.get("/admin/reset/0123456789abcdef").await;
    let earlier = vec![
        ("reset-not-valid.html".to_string(), reset_used),
        ("round-open.html".to_string(), round_open),
        ("round-close.html".to_string(), round_close),
        ("round-reopen-error.html".to_string(), reopen_error),
        ("dashboard-open.html".to_string(), dashboard_open),
        ("composer-preview.html".to_string(), composer_preview),
        ("composer-error.html".to_string(), composer_error),
        ("compile-error.html".to_string(), compile_error),
        ("schedule-error.html".to_string(), schedule_error),
        ("post-new-error.html".to_string(), new_post_error),
    ];
    (pages, earlier)
}

#[tokio::test]
async fn the_send_button_counts_the_ticked_library_types_as_they_change() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    seed(&app.store).await;
    let browser = Browser::start().await;
    browser.open(&app.url("/admin/rounds/new")).await;
    browser.wait_for_text("Editor sign-in").await;
    browser.fill("Email", "editor@example.org").await;
    browser.fill("Password", PASSWORD).await;
    browser.submit("Sign in").await;
    browser.wait_for_text("New round").await;

    // Ticked and unticked, the count follows at once, with no preview.
    let button = "button[name='action'][value='send']";
    assert_eq!(text_of(&browser, button).await, "Send to 5 panelists");
    for (id, ticked, count) in [
        ("lt-public", true, "Send to 2 panelists"),
        ("lt-academic", true, "Send to 3 panelists"),
        ("lt-public", false, "Send to 1 panelist"),
        ("lt-academic", false, "Send to 5 panelists"),
        ("lt-school", true, "Send to 1 panelist"),
    ] {
        browser.set_checked(id, ticked).await;
        assert_eq!(text_of(&browser, button).await, count, "{id} {ticked}");
    }
    browser.fill("Question", QUESTION).await;
    browser.submit("Send to 1 panelist").await;
    browser
        .wait_for_text("The invitation is on its way to 1 panelist.")
        .await;

    // On the round's page, the link's Copy button shows, and copies.
    let copy = browser
        .client()
        .find(Locator::Css("button[data-copy]"))
        .await
        .expect("a copy button");
    assert!(copy.is_displayed().await.unwrap(), "the script shows it");
    copy.click().await.unwrap();
    browser.wait_for_text("Copied").await;
    let link: String = browser
        .client()
        .find(Locator::Css("input.answer-link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(link.starts_with(&app.url("/answer/")), "{link}");
    browser.quit().await;
}

#[tokio::test]
async fn admin_pages_and_the_answer_page_are_valid_html() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    let (pages, earlier) = admin_pages(&app, &smtp).await;
    let mut checked = Vec::new();
    for (name, path) in pages {
        let (status, html) = app.get(&path).await;
        assert_eq!(status, 200, "{path}");
        checked.push((name, html));
    }
    checked.push(("login.html".to_string(), app.get("/admin/login").await.1));
    checked.extend(earlier);

    assert_valid_html(&checked).await;
}

#[tokio::test]
async fn admin_pages_and_the_answer_page_have_no_accessibility_violations() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(Backend::Sqlite, smtp.settings()).await;
    let (pages, earlier) = admin_pages(&app, &smtp).await;
    let mut urls: Vec<String> = pages.iter().map(|(_, path)| app.url(path)).collect();
    urls.push(app.url("/admin/login"));
    // Earlier pages are saved, with a <base> so their stylesheet still comes from the server.
    let folder = tempfile::tempdir().unwrap();
    for (name, html) in earlier {
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
    let cookie = session_cookie(&app).await;

    assert_accessible_signed_in(&urls, &cookie).await;
}

//! Rounds the editor steers from the round's page, driven through HTTP with mail to a real
//! SMTP server, on SQLite and PostgreSQL: closing after a confirmation, reopening, sending one
//! panelist's invitation again, copying their link, the Send button's count following the
//! panel filter, and what the answer page and the round page say at each step. The demo's open
//! round has links that open its panelists' answer pages.

use roundtable::column::posts::{self, AnswerChoice, Compilation};
use roundtable::domain::RoundStatus;
use roundtable::render::{human_date, SiteClock};
use roundtable::store::{now, Backend};

use crate::helpers::{csrf_of, read_mail, visible_text, ReadMail, TestApp};
use crate::smtp::SmtpServer;
use crate::workflow::{admin_post, deliver, link_in, mail_to, seed, sign_in};

const PROMPT: &str = "What do you ask at the end of an interview?";
const DAY: i64 = 86_400;

/// YYYY-MM-DD `days` from today, in UTC (the seeded site's time zone).
fn day_from_now(days: i64) -> String {
    let at = jiff::Timestamp::from_second(now() + days * DAY).unwrap();
    at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

/// The date as the site writes it: "December 16, 2026".
fn written(at: i64) -> String {
    human_date(&SiteClock::new(None), at)
}

/// A round sent from the composer to the seeded panel, as the editor sends one: its page's
/// address, and the five invitations as they arrived.
async fn round_sent(app: &TestApp, smtp: &SmtpServer) -> (String, Vec<ReadMail>) {
    let fields = vec![
        ("prompt", PROMPT.to_string()),
        ("closes_on", day_from_now(7)),
        ("reminder_days", String::new()),
        ("action", "send".to_string()),
    ];
    let (status, location, _) =
        admin_post(app, "/admin/rounds/new", "/admin/rounds/new", &fields).await;
    assert_eq!(status, 303, "the round is sent");
    (location, received(app, smtp, 5).await)
}

/// Delivers the outbox and reads every message the SMTP server has, expecting `count`.
async fn received(app: &TestApp, smtp: &SmtpServer, count: usize) -> Vec<ReadMail> {
    deliver(app, smtp).await;
    let mails: Vec<ReadMail> = smtp
        .wait_for_messages(count)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect();
    assert_eq!(mails.len(), count, "{count} messages at the SMTP server");
    mails
}

fn round_id_of(path: &str) -> i64 {
    path.split('/').nth(3).unwrap().parse().unwrap()
}

/// What a person reads on the page at `path`, which must answer 200.
async fn read(app: &TestApp, path: &str) -> String {
    let (status, html) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {}", visible_text(&html));
    visible_text(&html)
}

/// Answers through a panelist's link; the page must take it.
async fn answer(app: &TestApp, link: &str, name: &str, body: &str) {
    let fields = [
        ("name", name),
        ("title", "Librarian"),
        ("institution", "A Library"),
        ("attribution", "named"),
        ("body", body),
        ("action", "save"),
    ];
    let (status, html) = app.post_form(link, &fields).await;
    assert_eq!(status, 200, "{}", visible_text(&html));
}

async fn closing_asks_first_and_reopening_brings_the_round_back(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let (round, mails) = round_sent(&app, &smtp).await;
    let id = round_id_of(&round);
    let ana = link_in(&mail_to(&mails, "ana", "What do you ask").text, &app);
    let bo = link_in(&mail_to(&mails, "bo", "What do you ask").text, &app);
    answer(&app, &ana, "Ana Named", "I ask what they want to learn.").await;
    let due = app.store.round(id).await.unwrap().closes_at.unwrap();

    // Open: the pages say when it closes.
    let text = read(&app, &round).await;
    assert!(text.contains(&format!("closes {}", written(due))), "{text}");
    let text = read(&app, &bo).await;
    assert!(
        text.contains(&format!("Answers are due by {}.", written(due))),
        "{text}"
    );
    let text = read(&app, &ana).await;
    assert!(
        text.contains("You can change it until the round closes."),
        "{text}"
    );

    // The close button asks first; a form without the editor's yes closes nothing, and one
    // without the CSRF field is refused.
    let (_, html) = app.get(&round).await;
    assert!(html.contains(&format!("href=\"/admin/rounds/{id}/close\"")));
    let close = format!("/admin/rounds/{id}/close");
    let (status, _, html) = admin_post(&app, &round, &close, &[]).await;
    assert_eq!(status, 200);
    assert!(visible_text(&html).contains("Close this round?"), "{html}");
    assert!(visible_text(&html).contains("1 of 5 panelists have answered"));
    let (status, _) = app.post_form(&close, &[("confirm", "yes")]).await;
    assert_eq!(status, 403, "no CSRF field, no change");
    assert_eq!(app.store.round(id).await.unwrap().status, "open");
    let text = read(&app, &close).await;
    assert!(text.contains("Yes, close the round"), "{text}");
    let (status, location, _) =
        admin_post(&app, &close, &close, &[("confirm", "yes".into())]).await;
    assert_eq!((status, location.as_str()), (303, round.as_str()));

    // Closed: "closed on" today, on the round page and the answer pages alike.
    let closed = app.store.round(id).await.unwrap();
    assert_eq!(closed.status, "closed");
    let today = written(closed.closed_at.expect("when it closed"));
    let text = read(&app, &round).await;
    assert!(text.contains(&format!("closed on {today}")), "{text}");
    assert!(!text.contains("closes "), "{text}");
    assert!(text.contains("Reopen the round"), "{text}");
    let text = read(&app, &bo).await;
    assert!(
        text.contains(&format!("This round closed on {today}.")),
        "{text}"
    );
    assert!(
        text.contains("the editor gets it as a late answer"),
        "{text}"
    );
    assert!(!text.contains("Answers are due"), "{text}");
    let text = read(&app, &ana).await;
    assert!(text.contains("it is with the editor"), "{text}");
    assert!(!text.contains("until the round closes"), "{text}");
    let text = read(&app, "/admin/rounds/").await;
    assert!(text.contains(&format!("closed on {today}")), "{text}");

    // Reopening: a date that cannot be read or has passed comes back as typed, with why.
    let reopen = format!("/admin/rounds/{id}/reopen");
    for (typed, why) in [
        (
            "next Tuesday",
            "Give a closing date in the future, as YYYY-MM-DD.",
        ),
        (
            "2020-01-01",
            "Give a closing date in the future, as YYYY-MM-DD.",
        ),
    ] {
        let (status, _, html) =
            admin_post(&app, &round, &reopen, &[("closes_on", typed.into())]).await;
        assert_eq!(status, 422, "{typed}");
        assert!(visible_text(&html).contains(why), "{}", visible_text(&html));
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "{typed} shown back"
        );
    }
    let (status, _) = app
        .post_form(&reopen, &[("closes_on", day_from_now(10).as_str())])
        .await;
    assert_eq!(status, 403, "no CSRF field, no change");
    assert_eq!(app.store.round(id).await.unwrap().status, "closed");
    let (status, _, _) =
        admin_post(&app, &round, &reopen, &[("closes_on", day_from_now(10))]).await;
    assert_eq!(status, 303);

    // Open again until the new date: the answer kept, the links working as before.
    let reopened = app.store.round(id).await.unwrap();
    assert_eq!(reopened.status, "open");
    assert_eq!(reopened.closed_at, None);
    let due = reopened.closes_at.unwrap();
    assert!(due > now() + 9 * DAY);
    let text = read(&app, &round).await;
    assert!(text.contains("The round is open again until"), "{text}");
    assert!(text.contains(&format!("closes {}", written(due))), "{text}");
    assert!(!text.contains("closed on"), "{text}");
    let (status, _, html) =
        admin_post(&app, &round, &reopen, &[("closes_on", day_from_now(10))]).await;
    assert_eq!(status, 422, "an open round is not reopened twice");
    assert!(visible_text(&html).contains("Only a closed round can be reopened."));
    let text = read(&app, &bo).await;
    assert!(
        text.contains(&format!("Answers are due by {}.", written(due))),
        "{text}"
    );
    let text = read(&app, &ana).await;
    assert!(text.contains("I ask what they want to learn."), "{text}");
    assert!(
        text.contains("You can change it until the round closes."),
        "{text}"
    );
    answer(&app, &bo, "Bo Rolewright", "I ask about the budget.").await;
    let answers = app.store.answers_of_round(id).await.unwrap();
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(|a| a.is_late == 0), "both on time");

    // Closed again and published: the round stays closed, and says why.
    assert!(roundtable::column::rounds::close(&app.state.column, id)
        .await
        .unwrap());
    let compilation = Compilation {
        title: "The last question".into(),
        answers: answers
            .iter()
            .map(|a| AnswerChoice {
                id: a.id,
                included: true,
                ..AnswerChoice::default()
            })
            .collect(),
        ..Compilation::default()
    };
    let post = posts::compile(&app.state.column, id, &compilation)
        .await
        .unwrap();
    posts::publish(&app.state.column, post).await.unwrap();
    let text = read(&app, &round).await;
    assert!(text.contains("this round stays closed"), "{text}");
    assert!(text.contains("closed on"), "{text}");
    let (status, _, html) =
        admin_post(&app, &round, &reopen, &[("closes_on", day_from_now(10))]).await;
    assert_eq!(status, 422);
    assert!(
        visible_text(&html).contains("This round's post is published, so the round stays closed"),
        "{}",
        visible_text(&html)
    );
    assert_eq!(app.store.round(id).await.unwrap().status, "published");
    let text = read(&app, &bo).await;
    assert!(text.contains("This round closed on"), "{text}");
}

#[tokio::test]
async fn closing_asks_first_and_reopening_brings_the_round_back_on_sqlite() {
    closing_asks_first_and_reopening_brings_the_round_back(Backend::Sqlite).await;
}

#[tokio::test]
async fn closing_asks_first_and_reopening_brings_the_round_back_on_postgres() {
    closing_asks_first_and_reopening_brings_the_round_back(Backend::Postgres).await;
}

/// The answer link the round page shows in the field `link-ID` for the invitation `ID`.
fn shown_link(html: &str, invitation_id: i64) -> String {
    let field = format!("id=\"link-{invitation_id}\" class=\"answer-link\" value=\"");
    let at = html.find(&field).expect("the link on the round page") + field.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn one_invitation_goes_again_and_its_link_can_be_copied(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let (round, mails) = round_sent(&app, &smtp).await;
    let id = round_id_of(&round);
    let bo = link_in(&mail_to(&mails, "bo", "What do you ask").text, &app);
    let invitations = app.store.invitations_of_round(id).await.unwrap();
    let of = |name: &str| {
        invitations
            .iter()
            .find(|i| i.panelist_name == name)
            .unwrap()
            .id
    };

    // The round page shows each panelist's link, and the one shown is the one mailed.
    let (_, html) = app.get(&round).await;
    assert_eq!(shown_link(&html, of("Bo Rolewright")), app.url(&bo));
    let ana = shown_link(&html, of("Ana Named"));
    let ana_path = ana
        .strip_prefix(&app.url(""))
        .expect("an address of the site");
    let text = read(&app, ana_path).await;
    assert!(
        text.contains(PROMPT) && text.contains("How your answer is signed"),
        "{text}"
    );
    assert!(
        html.contains("data-copy=\"link-"),
        "a copy button for the script to show"
    );

    // Bo's invitation, sent again, arrives with the same working link.
    let resend = format!("/admin/rounds/{id}/resend");
    let bo_id = of("Bo Rolewright").to_string();
    let (status, _) = app
        .post_form(&resend, &[("invitation", bo_id.as_str())])
        .await;
    assert_eq!(status, 403, "no CSRF field, no mail");
    let (status, location, _) =
        admin_post(&app, &round, &resend, &[("invitation", bo_id.clone())]).await;
    assert_eq!((status, location.as_str()), (303, round.as_str()));
    let text = read(&app, &round).await;
    assert!(
        text.contains("The invitation is on its way to Bo Rolewright again, with the same link"),
        "{text}"
    );
    let mails = received(&app, &smtp, 6).await;
    let to_bo: Vec<&ReadMail> = mails.iter().filter(|m| m.to.contains("bo@")).collect();
    assert_eq!(to_bo.len(), 2, "the invitation, and the same again");
    for again in to_bo {
        assert!(
            again.subject.contains("What do you ask"),
            "{}",
            again.subject
        );
        assert_eq!(link_in(&again.text, &app), bo);
    }
    let text = read(&app, &bo).await;
    assert!(text.contains(PROMPT), "{text}");

    // An invitation of no round of this one, or no number, is not found.
    for wrong in ["999999", "bo", ""] {
        let (status, _, _) =
            admin_post(&app, &round, &resend, &[("invitation", wrong.into())]).await;
        assert_eq!(status, 404, "{wrong:?}");
    }
    // A closed round sends nothing until it is reopened.
    roundtable::column::rounds::close(&app.state.column, id)
        .await
        .unwrap();
    let (status, _, html) =
        admin_post(&app, &round, &resend, &[("invitation", bo_id.clone())]).await;
    assert_eq!(status, 400);
    assert!(visible_text(&html).contains("Reopen it before sending an invitation again"));
    let (_, html) = app.get(&round).await;
    assert!(
        !html.contains("Send the invitation again"),
        "no resend while closed"
    );
    assert_eq!(app.store.outbox_counts().await.unwrap().pending, 0);
}

#[tokio::test]
async fn one_invitation_goes_again_and_its_link_can_be_copied_on_sqlite() {
    one_invitation_goes_again_and_its_link_can_be_copied(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_invitation_goes_again_and_its_link_can_be_copied_on_postgres() {
    one_invitation_goes_again_and_its_link_can_be_copied(Backend::Postgres).await;
}

async fn the_send_button_counts_the_panel_the_filter_chooses(backend: Backend) {
    let app = TestApp::empty(backend, Default::default()).await;
    seed(&app.store).await;
    sign_in(&app).await;
    let (_, html) = app.get("/admin/rounds/new").await;
    assert!(visible_text(&html).contains("Send to 5 panelists"));
    assert!(
        html.contains("value=\"public\" data-count=\"2\""),
        "counts for the script"
    );
    let preview = |types: &'static [&'static str]| {
        let mut fields = vec![
            ("prompt", PROMPT.to_string()),
            ("closes_on", day_from_now(7)),
            ("action", "preview".to_string()),
        ];
        fields.extend(types.iter().map(|t| ("library_type", t.to_string())));
        fields
    };
    for (types, count) in [
        (&["public"][..], "Send to 2 panelists"),
        (&["public", "academic"][..], "Send to 3 panelists"),
        (&["school"][..], "Send to 1 panelist"),
        (&[][..], "Send to 5 panelists"),
    ] {
        let (status, _, html) = admin_post(
            &app,
            "/admin/rounds/new",
            "/admin/rounds/new",
            &preview(types),
        )
        .await;
        assert_eq!(status, 200);
        let text = visible_text(&html);
        assert!(
            text.contains("Invitation preview") && text.contains(count),
            "{types:?}: {text}"
        );
    }
}

#[tokio::test]
async fn the_send_button_counts_the_panel_the_filter_chooses_on_sqlite() {
    the_send_button_counts_the_panel_the_filter_chooses(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_send_button_counts_the_panel_the_filter_chooses_on_postgres() {
    the_send_button_counts_the_panel_the_filter_chooses(Backend::Postgres).await;
}

/// Signs in as a second editor of the demo column (whose own editor's password is random).
async fn sign_in_to_the_demo(app: &TestApp) {
    let email = roundtable::domain::Email::parse("second@example.org").unwrap();
    let password = "a long second password";
    let hash = roundtable::auth::hash_password(password).unwrap();
    app.store
        .create_editor(&email, "Second Editor", &hash)
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/admin/login"))
        .form(&[
            ("email", "second@example.org"),
            ("password", password),
            ("next", "/admin/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "signed in");
}

async fn the_demos_open_round_has_links_that_open_answer_pages(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_demo_configured(backend, |c| c.mail = smtp.settings()).await;
    sign_in_to_the_demo(&app).await;
    let open = app.store.rounds(RoundStatus::Open).await.unwrap();
    assert_eq!(open.len(), 1, "the demo has one open round");
    let round = format!("/admin/rounds/{}/", open[0].id);
    let invitations = app.store.invitations_of_round(open[0].id).await.unwrap();
    let waiting = invitations
        .iter()
        .filter(|i| i.answered_at.is_none())
        .count();
    assert!(
        waiting > 0 && waiting < invitations.len(),
        "some answered, some not"
    );

    // A reminder now: every link in it opens the panelist's answer page.
    let (status, _, _) = admin_post(
        &app,
        &round,
        &format!("/admin/rounds/{}/remind", open[0].id),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let mails = received(&app, &smtp, waiting).await;
    for mail in &mails {
        let link = link_in(&mail.text, &app);
        let (status, html) = app.get(&link).await;
        let text = visible_text(&html);
        assert_eq!(status, 200, "{} gets a link that works: {text}", mail.to);
        assert!(!text.contains("This answer link is not valid"), "{text}");
        assert!(text.contains("Answers are due by"), "{text}");
    }

    // Every link on the round page works too, those of panelists who answered included.
    let (_, html) = app.get(&round).await;
    for invitation in &invitations {
        let link = shown_link(&html, invitation.id);
        let path = link.strip_prefix(&app.url("")).unwrap().to_string();
        let text = read(&app, &path).await;
        if invitation.answered_at.is_some() {
            assert!(text.contains("We have your answer"), "{text}");
        }
    }
    // And an invitation sent again goes with the link the panelist already has.
    let first = invitations
        .iter()
        .find(|i| i.answered_at.is_none())
        .unwrap();
    let csrf = csrf_of(&html);
    let (status, _) = app
        .post_form(
            &format!("/admin/rounds/{}/resend", open[0].id),
            &[
                ("csrf", csrf.as_str()),
                ("invitation", &first.id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let mails = received(&app, &smtp, waiting + 1).await;
    let to_them: Vec<&ReadMail> = mails
        .iter()
        .filter(|m| m.to.contains(&first.email))
        .collect();
    assert_eq!(to_them.len(), 2, "the reminder, and the invitation again");
    for mail in to_them {
        assert_eq!(
            app.url(&link_in(&mail.text, &app)),
            shown_link(&html, first.id)
        );
    }
}

#[tokio::test]
async fn the_demos_open_round_has_links_that_open_answer_pages_on_sqlite() {
    the_demos_open_round_has_links_that_open_answer_pages(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_demos_open_round_has_links_that_open_answer_pages_on_postgres() {
    the_demos_open_round_has_links_that_open_answer_pages(Backend::Postgres).await;
}

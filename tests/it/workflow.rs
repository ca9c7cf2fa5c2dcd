//! The panel workflow end to end, with a real SMTP server receiving the mail: an editor signs
//! in, sends a round to five panelists, each follows the link in their invitation and answers
//! (named, role-only, anonymously, with short answers), the editor compiles and publishes, one
//! panelist answers late and the editor adds it; the post, its feed and the newsletter are
//! read back for content, order, attribution and anonymity. The seed and sign-in helpers here
//! serve the editor's browser tests too.

use roundtable::auth::hash_password;
use roundtable::domain::Email;
use roundtable::store::{Backend, NewPanelist, Store};

use crate::helpers::{csrf_of, read_mail, visible_text, ReadMail, TestApp};
use crate::smtp::SmtpServer;

pub const PASSWORD: &str = "a long editor password";

pub struct Panelist {
    pub key: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub institution: &'static str,
    pub library_type: &'static str,
}

pub const PANEL: [Panelist; 5] = [
    Panelist {
        key: "ana",
        name: "Ana Named",
        title: "Head of Circulation",
        institution: "Riverbend College",
        library_type: "academic",
    },
    Panelist {
        key: "bo",
        name: "Bo Rolewright",
        title: "Director",
        institution: "Lakeside Public Library",
        library_type: "public",
    },
    Panelist {
        key: "cy",
        name: "Cyrus Hiddenfield",
        title: "Archivist",
        institution: "Secretvale Museum",
        library_type: "special",
    },
    Panelist {
        key: "di",
        name: "Dinah Quietwater",
        title: "Branch Manager",
        institution: "Hushford Library",
        library_type: "public",
    },
    Panelist {
        key: "eli",
        name: "Eli Latecomer",
        title: "Coordinator",
        institution: "Tardy School District",
        library_type: "school",
    },
];

pub async fn seed(store: &Store) {
    let editor = Email::parse("editor@example.org").unwrap();
    store
        .create_editor(&editor, "Edie Editor", &hash_password(PASSWORD).unwrap())
        .await
        .unwrap();
    for p in &PANEL {
        store
            .create_panelist(&NewPanelist {
                name: p.name.into(),
                email: format!("{}@panel.example.org", p.key),
                title: Some(p.title.into()),
                institution: Some(p.institution.into()),
                library_type: Some(p.library_type.into()),
                status: "active",
                ..NewPanelist::default()
            })
            .await
            .unwrap();
    }
    // A retired panelist is not invited.
    store
        .create_panelist(&NewPanelist {
            name: "Retta Retired".into(),
            email: "retta@panel.example.org".into(),
            status: "retired",
            ..NewPanelist::default()
        })
        .await
        .unwrap();
    store
        .set_setting("site_title", "Test Column")
        .await
        .unwrap();
}

/// Signs the app's client in as the editor.
pub async fn sign_in(app: &TestApp) {
    let response = app
        .client
        .post(app.url("/admin/login"))
        .form(&[
            ("email", "editor@example.org"),
            ("password", PASSWORD),
            ("next", "/admin/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "signed in");
}

/// POSTs an admin form with the CSRF token from `page`, returning status, location and body.
pub async fn admin_post(
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, String)],
) -> (u16, String, String) {
    let (_, html) = app.get(page).await;
    let mut form: Vec<(&str, String)> = vec![("csrf", csrf_of(&html))];
    form.extend(fields.iter().cloned());
    let response = app
        .client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

pub async fn deliver(app: &TestApp, smtp: &SmtpServer) {
    // The server's own mail worker may hold some messages, or have met a slow SMTP answer
    // under load and scheduled a retry: send until nothing waits, treating retries as due.
    for _ in 0..600 {
        roundtable::mail::deliver_due(
            &app.store,
            &smtp.settings(),
            roundtable::store::now() + 3600,
        )
        .await
        .expect("the outbox is sent");
        if app.store.outbox_counts().await.unwrap().pending == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("mail still waiting in the outbox after two minutes");
}

pub fn mail_to<'a>(mails: &'a [ReadMail], key: &str, subject_part: &str) -> &'a ReadMail {
    mails
        .iter()
        .find(|m| m.to.contains(&format!("{key}@")) && m.subject.contains(subject_part))
        .unwrap_or_else(|| panic!("a mail to {key} about {subject_part}"))
}

pub fn link_in(text: &str, app: &TestApp) -> String {
    let base = app.url("/answer/");
    let at = text.find(&base).expect("an answer link");
    let token: String = text[at + base.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("/answer/{token}")
}

async fn answer(app: &TestApp, link: &str, fields: &[(&str, &str)]) -> String {
    let (status, page) = app.get(link).await;
    assert_eq!(status, 200);
    assert!(
        visible_text(&page).contains("What do you ask at the end of an interview?"),
        "the question is on the page"
    );
    let (status, html) = app.post_form(link, fields).await;
    assert_eq!(status, 200, "{}", visible_text(&html));
    html
}

#[tokio::test]
async fn a_round_goes_from_invitation_email_to_published_post_with_a_late_answer_on_sqlite() {
    round_to_post(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_round_goes_from_invitation_email_to_published_post_with_a_late_answer_on_postgres() {
    round_to_post(Backend::Postgres).await;
}

async fn round_to_post(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    // A confirmed subscriber, through the public form and the link in the confirmation email.
    let (status, _, redirected) = app
        .submit("/subscribe/", &[("email", "reader@example.net")])
        .await;
    assert_eq!((status, redirected), (200, true));
    deliver(&app, &smtp).await;
    let confirm = read_mail(&smtp.wait_for_messages(1).await[0]);
    let at = confirm
        .text
        .find("/subscribe/confirm/")
        .expect("a confirmation link");
    let path: String = confirm.text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(app.get(&path).await.0, 200);

    sign_in(&app).await;
    let (status, dashboard) = app.get("/admin/").await;
    assert_eq!(status, 200);
    assert!(visible_text(&dashboard).contains("No round is open"));

    // The editor adds a question and sends it as a round with short-answer choices.
    let (status, location, _) = admin_post(
        &app,
        "/admin/questions/",
        "/admin/questions/",
        &[(
            "prompt",
            "What do you ask at the end of an interview?".into(),
        )],
    )
    .await;
    assert_eq!(status, 303);
    let question_id: i64 = location.split('/').nth(3).unwrap().parse().unwrap();
    let closes_on = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(7));
    let round_fields = vec![
        ("question", question_id.to_string()),
        (
            "prompt",
            "What do you ask at the end of an interview?".to_string(),
        ),
        ("choices", "Yes\nNo\nIt depends".to_string()),
        ("closes_on", closes_on.to_string()),
        ("reminder_days", "3,1".to_string()),
    ];
    let compose = format!("/admin/rounds/new?question={question_id}");
    let mut preview = round_fields.clone();
    preview.push(("action", "preview".into()));
    let (status, _, html) = admin_post(&app, &compose, "/admin/rounds/new", &preview).await;
    assert_eq!(status, 200);
    assert!(
        visible_text(&html).contains("Invitation preview"),
        "the editor sees the email first"
    );
    assert!(visible_text(&html).contains("Send to 5 panelists"));
    let mut send = round_fields.clone();
    send.push(("action", "send".into()));
    let (status, location, _) = admin_post(&app, &compose, "/admin/rounds/new", &send).await;
    assert_eq!(status, 303, "the round is sent");
    let round_path = location.split('?').next().unwrap().to_string();

    // Each panelist reads their invitation and follows the link in it.
    deliver(&app, &smtp).await;
    let mails: Vec<ReadMail> = smtp
        .wait_for_messages(6)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect();
    let invitations: Vec<&ReadMail> = mails
        .iter()
        .filter(|m| m.text.contains("/answer/"))
        .collect();
    assert_eq!(
        invitations.len(),
        5,
        "five invitations, none to the retired panelist"
    );
    assert!(!mails.iter().any(|m| m.to.contains("retta")));
    let link = |key: &str| link_in(&mail_to(&mails, key, "What do you ask").text, &app);
    let ana = link("ana");
    answer(
        &app,
        &ana,
        &[
            ("name", "Ana Named"),
            ("title", "Head of Circulation"),
            ("institution", "Riverbend College"),
            ("attribution", "named"),
            ("choice", "Yes"),
            ("body", "I ask what *they* want to learn in year one."),
            ("action", "save"),
        ],
    )
    .await;
    let bo = link("bo");
    answer(
        &app,
        &bo,
        &[
            ("name", "Bo Rolewright"),
            ("attribution", "role"),
            ("role", "Director, public library, Midwest"),
            ("choice", "It depends"),
            (
                "body",
                "Depends on the role; for directors I ask about budgets.",
            ),
            ("action", "save"),
        ],
    )
    .await;
    let cy = link("cy");
    let html = answer(
        &app,
        &cy,
        &[
            ("name", "Cyrus Hiddenfield"),
            ("title", "Archivist"),
            ("institution", "Secretvale Museum"),
            ("attribution", "anonymous"),
            ("choice", "No"),
            (
                "body",
                "Nothing: the candidate's questions matter more than mine.",
            ),
            ("action", "save"),
        ],
    )
    .await;
    assert!(visible_text(&html).contains("Your answer is saved"));
    let di = link("di");
    // A preview first, then a mistake (no short answer), then the answer.
    let (_, previewed) = app
        .post_form(
            &di,
            &[
                ("attribution", "anonymous"),
                ("body", "Preview *me*"),
                ("action", "preview"),
            ],
        )
        .await;
    assert!(
        previewed.contains("<em>me</em>"),
        "the preview renders Markdown"
    );
    let (status, refused) = app
        .post_form(
            &di,
            &[
                ("attribution", "anonymous"),
                ("body", "Kept text"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        refused.contains("Kept text")
            && visible_text(&refused).contains("Pick one of: Yes, No, It depends")
    );
    answer(
        &app,
        &di,
        &[
            ("name", "Dinah Quietwater"),
            ("attribution", "anonymous"),
            ("show_library_type", "yes"),
            ("choice", "Yes"),
            ("body", "Always: what would make you turn this job down?"),
            ("action", "save"),
        ],
    )
    .await;

    // The round monitor shows who answered.
    let (_, monitor) = app.get(&round_path).await;
    assert!(
        visible_text(&monitor).contains("4 of 5 answered (80%)"),
        "{}",
        visible_text(&monitor)
    );

    // Receipts went out.
    deliver(&app, &smtp).await;
    let mails: Vec<ReadMail> = smtp
        .wait_for_messages(10)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect();
    assert!(mail_to(&mails, "bo", "We have your answer")
        .text
        .contains("with your role only"));

    // The editor compiles: order Di, Ana, Bo, Cy; a heading for Ana's answer.
    let compile = format!("{round_path}compile");
    let (_, page) = app.get(&compile).await;
    let ids: Vec<i64> = page
        .match_indices("name=\"include\" value=\"")
        .map(|(at, m)| {
            page[at + m.len()..]
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 4);
    let store = &app.store;
    let round_id: i64 = round_path.split('/').nth(3).unwrap().parse().unwrap();
    let answers = store.answers_of_round(round_id).await.unwrap();
    let id_of = |name: &str| {
        answers
            .iter()
            .find(|a| a.panelist_name.as_deref() == Some(name))
            .unwrap()
            .id
    };
    let order = [
        ("Dinah Quietwater", 1),
        ("Ana Named", 2),
        ("Bo Rolewright", 3),
        ("Cyrus Hiddenfield", 4),
    ];
    let mut fields: Vec<(&str, String)> = vec![
        (
            "title",
            "What do you ask at the end of an interview?".into(),
        ),
        ("intro", "We asked the panel.".into()),
        ("closing", "Thanks to all.".into()),
        ("tags", "interviews, questions".into()),
        ("category", "Public".into()),
    ];
    let mut keys: Vec<(String, String)> = Vec::new();
    for (name, position) in order {
        let id = id_of(name);
        fields.push(("include", id.to_string()));
        keys.push((format!("position-{id}"), position.to_string()));
        let body = answers.iter().find(|a| a.id == id).unwrap().body.clone();
        keys.push((format!("body-{id}"), body));
    }
    keys.push((
        format!("heading-{}", id_of("Ana Named")),
        "On first-year goals".into(),
    ));
    let key_refs: Vec<(&str, String)> = keys.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    fields.extend(key_refs);
    let (status, location, _) = admin_post(&app, &compile, &compile, &fields).await;
    assert_eq!(status, 303);
    let post_admin = location.split('?').next().unwrap().to_string();
    let (_, preview) = app.get(&post_admin).await;
    assert!(visible_text(&preview).contains("As readers will see it"));

    // Publish now: the newsletter goes to the confirmed subscriber.
    let post_id: i64 = post_admin.split('/').nth(3).unwrap().parse().unwrap();
    let (status, _, _) = admin_post(
        &app,
        &post_admin,
        &format!("/admin/posts/{post_id}/publish"),
        &[("when", "now".into())],
    )
    .await;
    assert_eq!(status, 303);

    // Eli answers after publication: kept as late, and shown back.
    let eli = link("eli");
    let html = answer(
        &app,
        &eli,
        &[
            ("name", "Eli Latecomer"),
            ("title", "Coordinator"),
            ("institution", "Tardy School District"),
            ("attribution", "named"),
            ("choice", "It depends"),
            ("body", "Sorry I'm late: I ask about mentoring."),
            ("action", "save"),
        ],
    )
    .await;
    assert!(
        visible_text(&html).contains("kept for the editor as a late answer"),
        "{}",
        visible_text(&html)
    );
    assert!(
        html.contains("Sorry I&#39;m late") || html.contains("Sorry I'm late"),
        "the text is shown back"
    );
    let (_, post_page) = app.get(&post_admin).await;
    assert!(visible_text(&post_page).contains("Late answers"));
    let late_id = id_of_late(store, round_id).await;
    let (status, _, _) = admin_post(
        &app,
        &post_admin,
        &format!("/admin/posts/{post_id}/late"),
        &[("answer", late_id.to_string())],
    )
    .await;
    assert_eq!(status, 303);

    // What readers see.
    let post = store.post(post_id).await.unwrap();
    let (_, home) = app.get("/").await;
    let href_at = home
        .find("What do you ask at the end of an interview?</a>")
        .unwrap();
    let href_start = home[..href_at].rfind("href=\"").unwrap() + 6;
    let url = home[href_start..].split('"').next().unwrap().to_string();
    assert!(url.ends_with(&format!("/{}/", post.slug)));
    let (_, page) = app.get(&url).await;
    let text = visible_text(&page);
    let positions: Vec<usize> = [
        "Anonymous, public library",
        "Ana Named, Head of Circulation, Riverbend College",
        "Director, public library, Midwest",
        "Anonymous —",
        "Eli Latecomer, Coordinator, Tardy School District",
    ]
    .iter()
    .map(|b| {
        text.find(b)
            .unwrap_or_else(|| panic!("{b} on the post page: {text}"))
    })
    .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "the editor's order, late answer last: {positions:?}"
    );
    assert!(
        text.contains("On first-year goals")
            && !text.contains("Editor’s note: On first-year goals"),
        "the editor's heading, not labelled as a note"
    );
    assert!(
        text.contains("Short answers: Yes 2 · No 1 · It depends 2"),
        "{text}"
    );
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%B %-d, %Y");
    assert!(
        text.contains(&format!("Edited {today} to add Eli Latecomer’s answer")),
        "{text}"
    );
    assert!(text.contains("Filed under Public"));
    assert_eq!(store.revision_count(post_id).await.unwrap(), 1);

    // The feed carries the post with every answer.
    let (_, feed) = app.get("/feed/").await;
    assert!(feed.contains("Sorry I") && feed.contains("Director, public library, Midwest"));

    // The newsletter reached the subscriber, with its unsubscribe header.
    deliver(&app, &smtp).await;
    let mails: Vec<ReadMail> = smtp
        .wait_for_messages(12)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect();
    let letter = mails
        .iter()
        .find(|m| m.to.contains("reader@example.net") && m.subject.contains("What do you ask"))
        .expect("the newsletter");
    assert!(
        letter.headers.contains("List-Unsubscribe: <http://"),
        "{}",
        letter.headers
    );
    assert!(letter
        .headers
        .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(letter.text.contains("Ana Named") && letter.html.contains("Anonymous, public library"));
    // The editor was told about the late answer.
    let alert = mails
        .iter()
        .find(|m| m.to.contains("editor@example.org") && m.subject == "A late answer arrived");
    assert!(alert
        .expect("an alert to the editor")
        .text
        .contains("Eli Latecomer sent an answer after the round closed"));

    // Anonymity: nothing about the anonymous panelists in any public output or the newsletter.
    let public = [
        page.clone(),
        feed.clone(),
        app.get("/feed/atom/").await.1,
        app.get("/search?q=candidate").await.1,
        app.get("/api/v1/posts").await.1,
        app.get("/sitemap.xml").await.1,
        letter.text.clone(),
        letter.html.clone(),
    ];
    for output in &public {
        for secret in [
            "Cyrus",
            "Hiddenfield",
            "Secretvale",
            "Dinah",
            "Quietwater",
            "Hushford",
            "Bo Rolewright",
            "Lakeside",
        ] {
            assert!(!output.contains(secret), "{secret} leaked");
        }
    }
    for slug in ["cyrus-hiddenfield", "dinah-quietwater", "bo-rolewright"] {
        assert_eq!(app.get(&format!("/panelist/{slug}/")).await.0, 404);
    }

    // The unsubscribe link in the newsletter works with one click.
    let at = letter.text.find("/unsubscribe/").unwrap();
    let path: String = letter.text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(app.post_form(&path, &[]).await.0, 200);
    assert_eq!(store.subscribers().await.unwrap()[0].1, "unsubscribed");
}

async fn id_of_late(store: &Store, round_id: i64) -> i64 {
    let answers = store.answers_of_round(round_id).await.unwrap();
    answers
        .iter()
        .find(|a| a.is_late != 0)
        .expect("a late answer")
        .id
}

#[tokio::test]
async fn admin_pages_need_a_signed_in_editor_and_forms_need_the_csrf_token() {
    let app = TestApp::empty(
        Backend::Sqlite,
        crate::smtp::settings_for_port(crate::smtp::free_port()),
    )
    .await;
    seed(&app.store).await;
    for path in [
        "/admin/",
        "/admin/rounds/",
        "/admin/panel/",
        "/admin/comments/",
        "/admin/panel/export.csv",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303, "{path}");
        assert!(response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/admin/login"));
    }
    // A wrong password is refused and the address kept in the form.
    let (status, html) = app
        .post_form(
            "/admin/login",
            &[("email", "editor@example.org"), ("password", "wrong")],
        )
        .await;
    assert_eq!(status, 401);
    assert!(html.contains("value=\"editor@example.org\""));
    sign_in(&app).await;
    let response = app
        .client
        .post(app.url("/admin/questions/"))
        .form(&[("prompt", "Forged?")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403, "no CSRF token, no change");
    assert!(app.store.questions(None).await.unwrap().is_empty());
    // A forged answer link gets a clear page.
    let (status, html) = app
        .get("/answer/0000000000000000000000000000000000000000000000000000000000000000")
        .await;
    assert_eq!(status, 404);
    assert!(visible_text(&html).contains("This answer link is not valid"));
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    let app = TestApp::empty(
        Backend::Sqlite,
        crate::smtp::settings_for_port(crate::smtp::free_port()),
    )
    .await;
    seed(&app.store).await;
    let mut last = 0;
    for _ in 0..12 {
        last = app
            .post_form(
                "/admin/login",
                &[("email", "editor@example.org"), ("password", "guess")],
            )
            .await
            .0;
    }
    assert_eq!(last, 429);
    // Even the right password waits until the window has passed.
    let (status, _) = app
        .post_form(
            "/admin/login",
            &[("email", "editor@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn the_scheduler_reminds_once_closes_rounds_and_publishes_scheduled_posts() {
    use roundtable::domain::{Attribution, QuestionState, RoundStatus};
    use roundtable::store::{now, NewAnswer, NewPost, NewQuestion, NewRound};
    let app = TestApp::empty(
        Backend::Sqlite,
        crate::smtp::settings_for_port(crate::smtp::free_port()),
    )
    .await;
    seed(&app.store).await;
    let store = &app.store;
    let day = 86_400;
    let question_id = store
        .create_question(&NewQuestion::by_editor(
            "Do you check references?",
            QuestionState::Accepted,
        ))
        .await
        .unwrap();
    let closes_at = now() + 2 * day;
    let round_id = store
        .create_round(&NewRound {
            question_id,
            series_id: None,
            prompt: "Do you check references?".into(),
            examples: None,
            follow_up: None,
            choices: vec![],
            library_types: vec![],
            closes_at: Some(closes_at),
            status: RoundStatus::Open,
        })
        .await
        .unwrap();
    let panel = store.panelists("active").await.unwrap();
    for (i, p) in panel.iter().enumerate() {
        store
            .create_invitation(round_id, p.id, &format!("hash-{i}"), closes_at + 14 * day)
            .await
            .unwrap();
    }
    store
        .submit_answer(&NewAnswer {
            round_id,
            invitation_id: None,
            panelist_id: panel[0].id,
            attribution: Attribution::Named,
            role_description: None,
            show_library_type: false,
            choice: None,
            body: "Always.".into(),
            is_late: false,
            submitted_at: now(),
        })
        .await
        .unwrap();
    // The answer above came without its invitation; mark that invitation answered.
    sqlx::query("UPDATE invitations SET answered_at = $1 WHERE round_id = $2 AND panelist_id = $3")
        .bind(now())
        .bind(round_id)
        .bind(panel[0].id)
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();

    // Three days before closing: one reminder each for the four who have not answered.
    let report = roundtable::jobs::tick(&app.state.column, now())
        .await
        .unwrap();
    // The server's own scheduler (every 30 s) may have sent them a moment before this pass,
    // on a machine busy with the rest of the suite: either way they go once.
    assert!(matches!(report.reminders, 0 | 4), "{report:?}");
    assert_eq!(store.outbox_counts().await.unwrap().pending, 4);
    // Running again (a restart, a second server) sends nothing twice.
    assert_eq!(
        roundtable::jobs::tick(&app.state.column, now())
            .await
            .unwrap()
            .reminders,
        0
    );
    // The day before closing: the second reminder of the schedule.
    assert_eq!(
        roundtable::jobs::tick(&app.state.column, closes_at - day / 2)
            .await
            .unwrap()
            .reminders,
        4
    );
    // After the closing time the round is closed.
    let report = roundtable::jobs::tick(&app.state.column, closes_at + 1)
        .await
        .unwrap();
    assert_eq!(report.closed, 1);
    assert_eq!(store.round(round_id).await.unwrap().status, "closed");

    // A post scheduled for later is published when its time comes, not before.
    let answer_id = store.answers_of_round(round_id).await.unwrap()[0].id;
    let post_id = store
        .compile_post(&NewPost {
            title: "References".into(),
            slug: None,
            intro: String::new(),
            closing: String::new(),
            series_id: None,
            author_id: None,
            round_id: Some(round_id),
            answer_ids: vec![answer_id],
            tags: vec![],
            categories: vec![],
        })
        .await
        .unwrap();
    let publish_at = now() + 3 * day;
    store.schedule_post(post_id, publish_at).await.unwrap();
    assert_eq!(
        roundtable::jobs::tick(&app.state.column, publish_at - 60)
            .await
            .unwrap()
            .published,
        0
    );
    assert_eq!(
        roundtable::jobs::tick(&app.state.column, publish_at + 60)
            .await
            .unwrap()
            .published,
        1
    );
    let post = store.post(post_id).await.unwrap();
    assert_eq!(
        (post.status.as_str(), post.published_at),
        ("published", Some(publish_at))
    );
}

#[tokio::test]
async fn successful_sign_ins_do_not_use_up_the_limit() {
    let app = TestApp::empty(
        Backend::Sqlite,
        crate::smtp::settings_for_port(crate::smtp::free_port()),
    )
    .await;
    seed(&app.store).await;
    for _ in 0..12 {
        sign_in(&app).await;
    }
}

#[tokio::test]
async fn a_scheduled_post_that_cannot_go_out_is_tried_again_while_the_others_are_published() {
    use roundtable::store::{now, NewPost};
    // A theme whose newsletter names the post's first tag: it cannot be written for a post
    // without tags, so that post fails to publish while the other goes out.
    let theme = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(theme.path().join("email")).unwrap();
    std::fs::write(
        theme.path().join("email/newsletter.txt"),
        "New on {{ site }}: {{ post.tags[0].name }}\n{{ text }}\n",
    )
    .unwrap();
    let dir = theme.path().to_path_buf();
    let app = TestApp::with_demo_configured(Backend::Sqlite, |c| c.theme = Some(dir)).await;
    let store = &app.store;
    let draft = |title: &str, tags: Vec<String>| NewPost {
        title: title.into(),
        slug: None,
        intro: "An announcement.".into(),
        closing: String::new(),
        series_id: None,
        author_id: None,
        round_id: None,
        answer_ids: vec![],
        tags,
        categories: vec![],
    };
    let tagged = store
        .compile_post(&draft("Tagged news", vec!["news".into()]))
        .await
        .unwrap();
    let untagged = store
        .compile_post(&draft("Untagged news", vec![]))
        .await
        .unwrap();
    let at = now() + 60;
    store.schedule_post(untagged, at).await.unwrap();
    store.schedule_post(tagged, at).await.unwrap();

    let report = roundtable::jobs::tick(&app.state.column, at + 1)
        .await
        .unwrap();
    assert_eq!((report.published, report.failed), (1, 1));
    assert_eq!(store.post(tagged).await.unwrap().status, "published");
    assert_eq!(store.post(untagged).await.unwrap().status, "scheduled");
    // The next pass tries the one that failed again, and only that one.
    let again = roundtable::jobs::tick(&app.state.column, at + 31)
        .await
        .unwrap();
    assert_eq!((again.published, again.failed), (0, 1));
    assert_eq!(store.post(untagged).await.unwrap().status, "scheduled");
}

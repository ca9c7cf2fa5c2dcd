//! Reader credit: a reader suggests a question through the public form, the editor accepts it,
//! sends it to the panel, compiles and publishes the answers, and the post says whom the
//! question came from (only when the reader asked and the editor kept it), while the reader
//! gets one email with the post's link (unless they opted out). Driven through HTTP as the
//! reader, the panelists and the editor would, with mail to a real SMTP server, on SQLite and
//! PostgreSQL.

use roundtable::domain::QuestionState;
use roundtable::store::{now, Backend};

use crate::helpers::{read_mail, visible_text, ReadMail, TestApp};
use crate::smtp::SmtpServer;
use crate::workflow::{admin_post, deliver, link_in, mail_to, seed, sign_in};

const QUESTION: &str = "How do you tell a candidate they did not get the job?";
const TITLE: &str = "Telling candidates no";

/// What the reader types into the suggest form.
struct Suggestion {
    name: &'static str,
    email: &'static str,
    credit: bool,
    notify: bool,
}

impl Suggestion {
    /// The mailbox part of the reader's address: how their mail is found.
    fn key(&self) -> &'static str {
        self.email.split('@').next().unwrap()
    }
}

/// How the editor publishes the compiled post.
#[derive(Clone, Copy, PartialEq)]
enum Publishing {
    Now,
    /// Scheduled, and published by the scheduler's pass.
    Scheduled,
}

/// A published post made from a reader's suggestion.
struct Published {
    app: TestApp,
    smtp: SmtpServer,
    question_id: i64,
    post_id: i64,
    url: String,
}

/// The reader sends the suggestion through the form, as a browser would: the form's own key,
/// and the "email me" box sent only when ticked.
async fn suggest(app: &TestApp, s: &Suggestion) {
    let (status, form) = app.get("/suggest/").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("name=\"notify\" value=\"yes\" checked"),
        "the email box is ticked when the form is first shown"
    );
    let key = form
        .split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form's key")
        .to_string();
    let mut fields = vec![
        ("question", QUESTION),
        ("name", s.name),
        ("email", s.email),
        ("form_key", key.as_str()),
    ];
    if s.credit {
        fields.push(("credit", "yes"));
    }
    if s.notify {
        fields.push(("notify", "yes"));
    }
    let (status, page, redirected) = app.submit("/suggest/", &fields).await;
    assert_eq!((status, redirected), (200, true), "{}", visible_text(&page));
    assert!(visible_text(&page).contains("Your question is in the editor’s queue"));
}

/// The editor saves the question in `state`, with the credit box ticked or not.
async fn save_question(app: &TestApp, question_id: i64, state: &str, credit: bool) {
    let page = format!("/admin/questions/{question_id}/");
    let mut fields = vec![
        ("prompt", QUESTION.to_string()),
        ("state", state.to_string()),
    ];
    if credit {
        fields.push(("credit", "yes".into()));
    }
    let (status, _, _) = admin_post(app, &page, &page, &fields).await;
    assert_eq!(status, 303);
}

/// The editor sends the question to the panel; Ana answers by name, Cy anonymously. Returns
/// the round's id.
async fn round_answered(app: &TestApp, smtp: &SmtpServer, question_id: i64) -> i64 {
    let closes_on = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(7));
    let compose = format!("/admin/rounds/new?question={question_id}");
    let fields = vec![
        ("question", question_id.to_string()),
        ("prompt", QUESTION.to_string()),
        ("closes_on", closes_on.to_string()),
        ("action", "send".to_string()),
    ];
    let (status, location, _) = admin_post(app, &compose, "/admin/rounds/new", &fields).await;
    assert_eq!(status, 303, "the round is sent");
    let round_id: i64 = location.split('/').nth(3).unwrap().parse().unwrap();
    deliver(app, smtp).await;
    let mails: Vec<ReadMail> = smtp
        .wait_for_messages(5)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect();
    for (key, name, attribution, body) in [
        ("ana", "Ana Named", "named", "I call them, always."),
        (
            "cy",
            "Cyrus Hiddenfield",
            "anonymous",
            "A kind email the same week.",
        ),
    ] {
        let link = link_in(&mail_to(&mails, key, "How do you tell").text, app);
        let fields = [
            ("name", name),
            ("attribution", attribution),
            ("body", body),
            ("action", "save"),
        ];
        let (status, html) = app.post_form(&link, &fields).await;
        assert_eq!(status, 200, "{}", visible_text(&html));
    }
    round_id
}

/// The editor compiles every answer into a post; returns the post's id.
async fn compiled(app: &TestApp, round_id: i64) -> i64 {
    let compile = format!("/admin/rounds/{round_id}/compile");
    let mut fields = vec![
        ("title", TITLE.to_string()),
        ("intro", "We asked the panel.".to_string()),
    ];
    for answer in app.store.answers_of_round(round_id).await.unwrap() {
        fields.push(("include", answer.id.to_string()));
    }
    let (status, location, _) = admin_post(app, &compile, &compile, &fields).await;
    assert_eq!(status, 303);
    location.split('/').nth(3).unwrap().parse().unwrap()
}

/// The editor publishes the post now, or schedules it and the scheduler publishes it.
async fn publish(app: &TestApp, post_id: i64, how: Publishing) {
    let page = format!("/admin/posts/{post_id}/");
    let action = format!("/admin/posts/{post_id}/publish");
    if how == Publishing::Now {
        let (status, _, _) = admin_post(app, &page, &action, &[("when", "now".into())]).await;
        assert_eq!(status, 303);
        return;
    }
    let at = jiff::Timestamp::from_second(now() + 3600)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let fields = [("when", "later".to_string()), ("at", at)];
    let (status, _, _) = admin_post(app, &page, &action, &fields).await;
    assert_eq!(status, 303);
    // Two passes once it is due (a restart, a second server): it goes out once.
    for _ in 0..2 {
        roundtable::jobs::tick(&app.state.column, now() + 2 * 3600)
            .await
            .unwrap();
    }
    assert_eq!(app.store.post(post_id).await.unwrap().status, "published");
}

/// From the reader's suggestion to the published post, with a confirmed subscriber for the
/// newsletter.
async fn suggested_and_published(backend: Backend, s: &Suggestion, how: Publishing) -> Published {
    let smtp = SmtpServer::start().await;
    let app = TestApp::empty(backend, smtp.settings()).await;
    seed(&app.store).await;
    crate::editorial::confirmed_subscriber(&app).await;

    suggest(&app, s).await;
    let queued = app
        .store
        .questions(Some(QuestionState::Suggested))
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    let question_id = queued[0].id;
    assert_eq!(queued[0].credit_submitter, i64::from(s.credit));
    assert_eq!(queued[0].notify_submitter, i64::from(s.notify));

    // The editor sees the reader's choices and accepts the question, keeping them.
    sign_in(&app).await;
    let (_, html) = app.get(&format!("/admin/questions/{question_id}/")).await;
    assert_eq!(
        html.contains("name=\"credit\" value=\"yes\" checked"),
        s.credit
    );
    assert_eq!(
        visible_text(&html).contains("They get an email with the link"),
        s.notify
    );
    save_question(&app, question_id, "accepted", s.credit).await;
    let round_id = round_answered(&app, &smtp, question_id).await;
    let post_id = compiled(&app, round_id).await;
    publish(&app, post_id, how).await;
    let url = crate::helpers::post_url(&app, TITLE).await;
    Published {
        app,
        smtp,
        question_id,
        post_id,
        url,
    }
}

/// Every mail the SMTP server received, once the outbox is empty.
async fn all_mail(p: &Published) -> Vec<ReadMail> {
    deliver(&p.app, &p.smtp).await;
    p.smtp
        .wait_for_messages(1)
        .await
        .iter()
        .map(|m| read_mail(m))
        .collect()
}

fn mail_of<'a>(mails: &'a [ReadMail], key: &str) -> Vec<&'a ReadMail> {
    mails
        .iter()
        .filter(|m| m.to.contains(&format!("{key}@")))
        .collect()
}

async fn a_credited_reader_is_named_on_the_post_and_mailed_its_link(backend: Backend) {
    let reader = Suggestion {
        name: "Rosa Asksalot",
        email: "rosa@readers.example.net",
        credit: true,
        notify: true,
    };
    let p = suggested_and_published(backend, &reader, Publishing::Now).await;
    let credit = "This question came from Rosa Asksalot.";
    let (status, page) = p.app.get(&p.url).await;
    assert_eq!(status, 200);
    assert!(
        visible_text(&page).contains(credit),
        "{}",
        visible_text(&page)
    );
    // Where the post is shown whole: the feeds, the API, the newsletter. (Lists show excerpts.)
    for path in ["/feed/", "/feed/atom/", "/api/v1/posts"] {
        let (_, body) = p.app.get(path).await;
        assert!(body.contains("Rosa Asksalot"), "the credit in {path}");
    }
    let mails = all_mail(&p).await;
    let letter = mail_of(&mails, "follower");
    assert!(
        letter.iter().any(|m| m.text.contains("Rosa Asksalot")),
        "in the newsletter"
    );

    // One email to Rosa, with a link that opens the post.
    let told = mail_of(&mails, reader.key());
    assert_eq!(told.len(), 1, "one email to the reader");
    assert!(told[0].subject.contains(TITLE), "{}", told[0].subject);
    let link = told[0]
        .text
        .split_whitespace()
        .find(|w| w.starts_with(&p.app.url("/")) && w.ends_with('/'))
        .expect("the post's link in the email")
        .to_string();
    assert!(link.ends_with(&p.url), "{link} is {}", p.url);
    let response = p.app.client.get(&link).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().contains(TITLE));
    // The reader's address is in no public page.
    assert!(!page.contains(reader.email));

    // Publishing again and compiling again after publication send nothing more.
    publish(&p.app, p.post_id, Publishing::Now).await;
    let round_id = p.app.store.post(p.post_id).await.unwrap().round_id.unwrap();
    assert_eq!(compiled(&p.app, round_id).await, p.post_id);
    let again = all_mail(&p).await;
    assert_eq!(mail_of(&again, reader.key()).len(), 1, "still one email");

    // The editor unticks the credit: readers no longer see the name, at once.
    save_question(&p.app, p.question_id, "published", false).await;
    let (_, page) = p.app.get(&p.url).await;
    assert!(!page.contains("Rosa Asksalot"), "{}", visible_text(&page));
    let (_, feed) = p.app.get("/feed/").await;
    assert!(!feed.contains("Rosa Asksalot"));
}

#[tokio::test]
async fn a_credited_reader_is_named_on_the_post_and_mailed_its_link_on_sqlite() {
    a_credited_reader_is_named_on_the_post_and_mailed_its_link(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_credited_reader_is_named_on_the_post_and_mailed_its_link_on_postgres() {
    a_credited_reader_is_named_on_the_post_and_mailed_its_link(Backend::Postgres).await;
}

async fn a_reader_who_did_not_ask_for_credit_is_named_nowhere_public(backend: Backend) {
    let reader = Suggestion {
        name: "Quentin Quietreader",
        email: "quentin@readers.example.net",
        credit: false,
        notify: true,
    };
    // Published by the scheduler this time: the other way a post goes out.
    let p = suggested_and_published(backend, &reader, Publishing::Scheduled).await;
    let (status, page) = p.app.get(&p.url).await;
    assert_eq!(status, 200);
    assert!(page.contains("I call them, always."));
    assert!(!visible_text(&page).contains("This question came from"));
    let mails = all_mail(&p).await;
    let letter = mail_of(&mails, "follower");
    assert_eq!(letter.len(), 1, "the newsletter went out");
    let mut public = vec![page, letter[0].text.clone(), letter[0].html.clone()];
    for path in [
        "/",
        "/feed/",
        "/feed/atom/",
        "/search?q=candidate",
        "/api/v1/posts",
        &format!("/api/v1/posts/{}", p.post_id),
        "/api/v1/search?q=candidate",
        "/sitemap.xml",
    ] {
        let (status, body) = p.app.get(path).await;
        assert_eq!(status, 200, "{path}");
        public.push(body);
    }
    for output in &public {
        for secret in ["Quentin", "Quietreader", "quentin@"] {
            assert!(!output.contains(secret), "{secret} is public: {output}");
        }
    }
    // Searching for the name finds nothing (the page repeats the words searched for).
    let (_, found) = p.app.get("/api/v1/search?q=Quietreader").await;
    let found: serde_json::Value = serde_json::from_str(&found).unwrap();
    assert_eq!(found["total"], 0, "{found}");

    // He still asked for the email: one, with the link, and it does not claim he is credited.
    let told = mail_of(&mails, reader.key());
    assert_eq!(told.len(), 1, "one email to the reader");
    assert!(told[0].text.contains(&p.url), "{}", told[0].text);
    assert!(!told[0].text.contains("came from you"));
}

#[tokio::test]
async fn a_reader_who_did_not_ask_for_credit_is_named_nowhere_public_on_sqlite() {
    a_reader_who_did_not_ask_for_credit_is_named_nowhere_public(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_reader_who_did_not_ask_for_credit_is_named_nowhere_public_on_postgres() {
    a_reader_who_did_not_ask_for_credit_is_named_nowhere_public(Backend::Postgres).await;
}

async fn a_reader_who_opted_out_of_the_mail_gets_none(backend: Backend) {
    let reader = Suggestion {
        name: "Nora Nomail",
        email: "nora@readers.example.net",
        credit: true,
        notify: false,
    };
    let p = suggested_and_published(backend, &reader, Publishing::Now).await;
    let (_, page) = p.app.get(&p.url).await;
    assert!(visible_text(&page).contains("This question came from Nora Nomail."));
    let mails = all_mail(&p).await;
    assert_eq!(mail_of(&mails, "follower").len(), 1, "the newsletter went");
    assert!(mail_of(&mails, reader.key()).is_empty(), "no email to Nora");
}

#[tokio::test]
async fn a_reader_who_opted_out_of_the_mail_gets_none_on_sqlite() {
    a_reader_who_opted_out_of_the_mail_gets_none(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_reader_who_opted_out_of_the_mail_gets_none_on_postgres() {
    a_reader_who_opted_out_of_the_mail_gets_none(Backend::Postgres).await;
}

#[tokio::test]
async fn credit_asked_without_a_name_is_refused_with_what_was_typed() {
    let app = TestApp::empty(Backend::Sqlite, Default::default()).await;
    let fields = [
        ("question", QUESTION),
        ("email", "anon@readers.example.net"),
        ("credit", "yes"),
    ];
    let (status, page) = app.post_form("/suggest/", &fields).await;
    assert_eq!(status, 422);
    let text = visible_text(&page);
    assert!(text.contains("Give your name to be credited"), "{text}");
    assert!(page.contains(QUESTION) && page.contains("anon@readers.example.net"));
    assert!(page.contains("name=\"credit\" value=\"yes\" checked"));
    assert!(
        !page.contains("name=\"notify\" value=\"yes\" checked"),
        "left unticked, the email box stays unticked"
    );
    assert!(app.store.questions(None).await.unwrap().is_empty());
}

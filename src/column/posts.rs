//! Posts: compiling a round's answers into one (order, inclusion, the editor's headings,
//! notes and edits, intro, closing, tags and categories), publishing it now or at a time, with
//! the newsletter and the suggester's email queued in the same unit of work, and adding late
//! answers once it is out.

use serde::Serialize;

use super::letters::email;
use super::public::{post_views, PostView};
use super::{Column, ColumnError, ColumnResult, SiteView};
use crate::domain::Email;
use crate::render::{
    first_words, human_date, human_datetime, iso_date, mail_text, permalink, plain_text, SiteClock,
};
use crate::store::{now, AnswerEdit, AnswerRow, MailKind, NewPost, Newsletter, OutgoingMail};
use crate::tokens;

/// One answer of the round as the editor leaves it in the compilation.
#[derive(Debug, Clone, Default)]
pub struct AnswerChoice {
    pub id: i64,
    pub included: bool,
    /// Where it goes among the included answers; answers without one go last.
    pub position: Option<i64>,
    pub heading: Option<String>,
    /// The paragraph the heading goes before, counted from 1; none or 1 is the top.
    pub heading_before: Option<i64>,
    pub note: Option<String>,
    /// The text as the editor left it; the panelist's own text when unchanged.
    pub body: String,
}

/// A round's post as the editor compiles it.
#[derive(Debug, Clone, Default)]
pub struct Compilation {
    pub title: String,
    pub intro: String,
    pub closing: String,
    /// Comma-separated, as typed.
    pub tags: String,
    pub categories: Vec<String>,
    /// Comma-separated, as typed.
    pub new_categories: String,
    pub answers: Vec<AnswerChoice>,
    pub editor_id: Option<i64>,
}

pub(super) fn comma_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Compiles the round's post (a draft the first time; the same post, at the same address,
/// after that) with every answer's edits, in one unit of work. Returns the post's id.
pub async fn compile(column: &Column, round_id: i64, c: &Compilation) -> ColumnResult<i64> {
    if c.title.is_empty() {
        return Err(ColumnError::refused("Give the post a title."));
    }
    let round = column.store.round(round_id).await?;
    let answers = column.store.answers_of_round(round_id).await?;
    let waiting = waiting_late(column, round.post_id).await?;
    let choice = |a: &AnswerRow| c.answers.iter().find(|choice| choice.id == a.id);
    let mut order: Vec<(i64, i64)> = answers
        .iter()
        .filter(|a| !waiting.contains(&a.id))
        .filter_map(|a| choice(a).filter(|choice| choice.included))
        .map(|choice| (choice.position.unwrap_or(i64::MAX), choice.id))
        .collect();
    order.sort();
    let edits: Vec<(i64, AnswerEdit)> = answers
        .iter()
        .map(|a| {
            let choice = choice(a).cloned().unwrap_or_default();
            let body = choice.body.replace("\r\n", "\n");
            let edit = AnswerEdit {
                editor_heading: choice.heading,
                editor_heading_at: choice.heading_before.map_or(0, |n| (n - 1).max(0)),
                editor_note: choice.note,
                // Only a real change is kept as the editor's edit; the panelist's words stay.
                edited_body: Some(body)
                    .filter(|b| !b.trim().is_empty() && b.trim() != a.body.trim()),
            };
            (a.id, edit)
        })
        .collect();
    let mut categories = c.categories.clone();
    categories.extend(comma_list(&c.new_categories));
    let post = NewPost {
        title: c.title.clone(),
        slug: None,
        intro: c.intro.replace("\r\n", "\n"),
        closing: c.closing.replace("\r\n", "\n"),
        series_id: round.series_id,
        author_id: c.editor_id,
        round_id: Some(round_id),
        answer_ids: order.into_iter().map(|(_, id)| id).collect(),
        tags: comma_list(&c.tags).collect(),
        categories,
    };
    Ok(column.store.compile_post_with_edits(&post, &edits).await?)
}

/// The late answers waiting to be added to the round's post, once it is published: they go in
/// only through [`add_late`], with a dated note, never by compiling again.
pub async fn waiting_late(column: &Column, post_id: Option<i64>) -> ColumnResult<Vec<i64>> {
    let Some(post_id) = post_id else {
        return Ok(Vec::new());
    };
    if column.store.post(post_id).await?.status != "published" {
        return Ok(Vec::new());
    }
    let late = column.store.late_answers(post_id).await?;
    Ok(late.iter().map(|a| a.id).collect())
}

/// Publishes the post now and queues its newsletter to every confirmed subscriber.
pub async fn publish(column: &Column, post_id: i64) -> ColumnResult<()> {
    publish_at(column, post_id, now()).await
}

/// Publishes the post as of `at` (its scheduled time, for the scheduler), with its newsletter
/// and the mail to the reader who suggested its question, the first time it comes out; a page
/// (`/about/`) is not news, and goes out without a newsletter.
pub async fn publish_at(column: &Column, post_id: i64, at: i64) -> ColumnResult<()> {
    // A post out once before (taken down, now back) was news then; a page never is.
    let row = column.store.post(post_id).await?;
    let letter = match (row.kind.as_str(), row.published_at) {
        ("post", None) => Some(newsletter(column, post_id, at).await?),
        _ => None,
    };
    publish_with(column, post_id, at, letter.as_ref()).await
}

/// Publishes as of `at` with `letter`, telling the reader who suggested the question.
async fn publish_with(
    column: &Column,
    post_id: i64,
    at: i64,
    letter: Option<&Newsletter>,
) -> ColumnResult<()> {
    let told: Vec<OutgoingMail> = suggester_mail(column, post_id, at)
        .await?
        .into_iter()
        .collect();
    column
        .store
        .publish_post_with_newsletter(post_id, at, letter, &told)
        .await?;
    Ok(())
}

/// The email telling the reader who suggested the post's question that it is published, with
/// the post's link: only when they asked for it and gave an address, and only the first time
/// the post goes out (its dedupe key keeps a second publication from sending it again).
async fn suggester_mail(
    column: &Column,
    post_id: i64,
    at: i64,
) -> ColumnResult<Option<OutgoingMail>> {
    let Some(question) = column.store.question_of_post(post_id).await? else {
        return Ok(None);
    };
    let address = question.submitter_email.as_deref().unwrap_or_default();
    let Ok(to) = Email::parse(address) else {
        return Ok(None);
    };
    let post = column.store.post(post_id).await?;
    if question.notify_submitter == 0 || post.status == "published" {
        return Ok(None);
    }
    let (site, clock) = SiteView::load(&column.store).await?;
    #[derive(Serialize)]
    struct Context<'a> {
        site: &'a str,
        name: &'a str,
        title: &'a str,
        url: String,
        credited: bool,
    }
    let context = Context {
        site: &site.title,
        name: question.submitter_name.as_deref().unwrap_or_default(),
        title: &post.title,
        // The address the post has once published as of `at`.
        url: format!("{}{}", column.base_url, permalink(&clock, at, &post.slug)),
        credited: post.credited_name.is_some(),
    };
    let mut mail = email(
        column,
        MailKind::QuestionPublished,
        &to,
        "question_published",
        context,
    )?;
    mail.dedupe_key = Some(format!("question-published:{}", question.id));
    Ok(Some(mail))
}

/// "2026-12-01 09:30" in the site's time zone.
pub fn parse_schedule(clock: &SiteClock, text: &str) -> Option<i64> {
    let text = text.trim().replace('T', " ");
    let datetime = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", &text).ok()?;
    datetime
        .to_zoned(clock.tz.clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// What giving a post a date did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dated {
    /// A future time: the scheduler publishes it then.
    Scheduled(String),
    /// A past time: published now as of then, to fill in the column's history, without a
    /// newsletter (it is not news).
    Backdated(String),
    /// A published post given another date; its old address sends readers to the new one.
    Moved(String),
}

/// Gives the post the time typed (site time zone): a future one schedules it, a past one
/// publishes it as of then, and a published post moves to that date.
pub async fn date(column: &Column, post_id: i64, when: &str) -> ColumnResult<Dated> {
    let (_, clock) = SiteView::load(&column.store).await?;
    let Some(at) = parse_schedule(&clock, when) else {
        return Err(ColumnError::refused(
            "Give the date and time as YYYY-MM-DD HH:MM.",
        ));
    };
    let row = column.store.post(post_id).await?;
    let shown = human_datetime(&clock, at);
    if row.status == "published" {
        let old = super::public::public_path(&clock, &row).unwrap_or_default();
        let mut moved = row.clone();
        moved.published_at = Some(at);
        let new = super::public::public_path(&clock, &moved).unwrap_or_default();
        column
            .store
            .redate_post(post_id, at, (&old, &new), now())
            .await?;
        return Ok(Dated::Moved(shown));
    }
    if at > now() {
        column.store.schedule_post(post_id, at).await?;
        return Ok(Dated::Scheduled(shown));
    }
    // The suggester is still told: their question is answered, whatever the date.
    publish_with(column, post_id, at, None).await?;
    Ok(Dated::Backdated(shown))
}

/// Adds an answer that came after the compilation to the end of the published post, with a
/// dated note and a revision of the post as it was.
pub async fn add_late(
    column: &Column,
    post_id: i64,
    answer_id: i64,
    editor_id: Option<i64>,
) -> ColumnResult<()> {
    let (_, clock) = SiteView::load(&column.store).await?;
    let at = now();
    // The default note is dated as readers see dates; the editor may reword it.
    let date = human_date(&clock, at);
    column
        .store
        .add_late_answer(post_id, answer_id, editor_id, at, &date)
        .await?;
    Ok(())
}

/// Rewrites one of a post's edit notes as the editor typed it: the date (YYYY-MM-DD, site
/// time zone), the words readers see, and whether they see it at all.
pub async fn edit_note(
    column: &Column,
    note_id: i64,
    date: &str,
    text: &str,
    hidden: bool,
) -> ColumnResult<i64> {
    let mut note = column.store.note(note_id).await?;
    let (_, clock) = SiteView::load(&column.store).await?;
    let day: Option<jiff::civil::Date> = date.trim().parse().ok();
    let Some((start, _)) =
        day.and_then(|d| crate::render::day_bounds(&clock, d.year(), d.month(), d.day()))
    else {
        return Err(ColumnError::refused("Give the note's date as YYYY-MM-DD."));
    };
    if text.trim().is_empty() {
        return Err(ColumnError::refused(
            "Write the note's words, or tick \"Hide\" to keep it from readers.",
        ));
    }
    // The same day keeps the note's time, and with it its place among the post's notes.
    if iso_date(&clock, note.noted_at) != date.trim() {
        note.noted_at = start;
    }
    note.body = text.trim().to_string();
    note.hidden = i64::from(hidden);
    column.store.update_note(&note).await?;
    Ok(note.post_id)
}

/// The newsletter for a post: its full content, and one unsubscribe link per subscriber.
pub async fn newsletter(column: &Column, post_id: i64, at: i64) -> ColumnResult<Newsletter> {
    let mut row = column.store.post(post_id).await?;
    let (site, clock) = SiteView::load(&column.store).await?;
    // The address the post will have once published at `at` (its scheduled time, for the
    // scheduler, which may run late).
    row.published_at = Some(row.published_at.unwrap_or(at));
    let post = post_views(&column.store, &clock, vec![row])
        .await?
        .pop()
        .ok_or(crate::store::StoreError::NotFound("post"))?;
    #[derive(Serialize)]
    struct Context<'a> {
        site: &'a str,
        title: &'a str,
        url: String,
        text: String,
        post: &'a PostView,
        base: &'a str,
        /// The post's content is drawn for mail clients: no SVG, no links to its own parts.
        email: bool,
        /// The words mail clients show beside the subject.
        preheader: String,
    }
    let base = column.base_url.as_str();
    let preheader = first_words(&plain_text(&post.intro_html), 25);
    let body_html = column.templates.render(
        "partials/post_body.html",
        Context {
            site: &site.title,
            title: &post.title,
            url: String::new(),
            text: String::new(),
            post: &post,
            base,
            email: true,
            preheader: preheader.clone(),
        },
    )?;
    let context = Context {
        site: &site.title,
        title: &post.title,
        url: format!("{base}{}", post.url),
        text: mail_text(&body_html),
        post: &post,
        base,
        email: true,
        preheader,
    };
    let text = column.templates.render("email/newsletter.txt", &context)?;
    let (subject, text) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let html = column.templates.render("email/newsletter.html", &context)?;
    let secret = column.store.secret("unsubscribe").await?;
    let base = base.to_string();
    Ok(Newsletter {
        subject: subject.trim().to_string(),
        text: text.trim_start().to_string(),
        html,
        unsubscribe_link: Box::new(move |subscriber_id| {
            format!(
                "{base}/unsubscribe/{subscriber_id}/{}",
                tokens::unsubscribe(&secret, subscriber_id)
            )
        }),
    })
}

/// Rewrites every newsletter mail still waiting to be sent from its post as it reads now.
/// Called after each change that hides a panelist (signing, withdrawal, erasure): a mail
/// queued before it must not name them.
pub async fn refresh_queued_newsletters(column: &Column) -> ColumnResult<()> {
    for post_id in column.store.posts_with_queued_newsletter().await? {
        let post = match column.store.post(post_id).await {
            Ok(post) => post,
            Err(crate::store::StoreError::NotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        let at = post.published_at.unwrap_or_else(now);
        let letter = newsletter(column, post_id, at).await?;
        column
            .store
            .rewrite_queued_newsletter(post_id, &letter)
            .await?;
    }
    Ok(())
}

/// The post's newsletter as subscribers will get it (or got it), with the unsubscribe link of
/// no one in particular: for the editor's preview.
pub async fn newsletter_preview(
    column: &Column,
    post_id: i64,
) -> ColumnResult<(String, String, String)> {
    let post = column.store.post(post_id).await?;
    let letter = newsletter(column, post_id, post.published_at.unwrap_or_else(now)).await?;
    let link = format!("{}/unsubscribe/", column.base_url);
    Ok((
        letter.subject,
        letter.text.replace("{unsubscribe}", &link),
        letter.html.replace("{unsubscribe}", &link),
    ))
}

/// Sends the post's newsletter, as it reads now, to `to` alone: the editor's test.
pub async fn send_test_newsletter(column: &Column, post_id: i64, to: &str) -> ColumnResult<()> {
    let to = Email::parse(to).map_err(|e| ColumnError::Refused(e.0))?;
    let (subject, text, html) = newsletter_preview(column, post_id).await?;
    column
        .store
        .enqueue_mail(&OutgoingMail {
            kind: MailKind::Alert,
            dedupe_key: None,
            to,
            subject: format!("[Test] {subject}"),
            body_text: text,
            body_html: Some(html),
            headers: Vec::new(),
        })
        .await?;
    Ok(())
}

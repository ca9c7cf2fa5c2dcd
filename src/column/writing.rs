//! What the editor writes outside rounds: plain posts (announcements) and pages (`/about/`),
//! direct edits of any post, taking a post down (its address answers 410 Gone, or redirects
//! where the editor says) and deleting one.

use super::posts::{comma_list, parse_schedule, publish_at};
use super::public::public_path;
use super::{Column, ColumnError, ColumnResult, SiteView};
use crate::render::{clean_html, plain_text, SiteClock};
use crate::store::{now, PostDraft, PostKind};

/// A post or page as the editor typed it in the form.
#[derive(Debug, Clone, Default)]
pub struct PostForm {
    pub page: bool,
    pub title: String,
    pub slug: String,
    /// Markdown.
    pub body: String,
    pub closing: String,
    /// HTML, for posts imported whole: sanitized before it is kept.
    pub html: Option<String>,
    /// Comma-separated, as typed.
    pub tags: String,
    /// Comma-separated, as typed.
    pub categories: String,
    /// "YYYY-MM-DD HH:MM" in the site's time zone, or empty for now.
    pub date: String,
}

/// What the editor asked for with the new post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    KeepDraft,
    Publish,
}

/// What became of a new post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Draft(i64),
    Published(i64),
    Scheduled(i64),
}

/// Addresses of the site's own pages, which a page's slug must not take.
const RESERVED: &[&str] = &[
    "admin",
    "api",
    "answer",
    "category",
    "feed",
    "healthz",
    "join",
    "page",
    "panelist",
    "search",
    "static",
    "subscribe",
    "suggest",
    "tag",
    "unsubscribe",
];

fn draft_of(form: &PostForm, author_id: Option<i64>) -> ColumnResult<PostDraft> {
    let title = form.title.trim();
    if title.is_empty() {
        return Err(ColumnError::refused("Give it a title."));
    }
    let kind = if form.page {
        PostKind::Page
    } else {
        PostKind::Post
    };
    let slug = Some(form.slug.trim().to_string()).filter(|s| !s.is_empty());
    if kind == PostKind::Page {
        let made = crate::domain::Slug::from_text(slug.as_deref().unwrap_or(title), "page");
        if RESERVED.contains(&made.as_str()) {
            return Err(ColumnError::Refused(format!(
                "The address /{}/ belongs to the site itself: choose another for this page.",
                made.as_str()
            )));
        }
    }
    let body_html = form.html.as_deref().map(|html| {
        let clean = clean_html(html);
        let text = plain_text(&clean);
        (clean, text)
    });
    Ok(PostDraft {
        kind,
        title: title.to_string(),
        slug,
        intro: form.body.replace("\r\n", "\n"),
        closing: form.closing.replace("\r\n", "\n"),
        body_html,
        tags: comma_list(&form.tags).collect(),
        categories: comma_list(&form.categories).collect(),
        author_id,
    })
}

/// An address the editor typed that another post or page has: said, not silently numbered.
async fn refuse_taken_address(column: &Column, draft: &PostDraft) -> ColumnResult<()> {
    let Some(typed) = draft.slug.as_deref() else {
        return Ok(());
    };
    let slug = crate::domain::Slug::from_text(typed, draft.kind.as_str());
    match column.store.slug_taken(draft.kind, slug.as_str()).await? {
        Some(title) => Err(ColumnError::Refused(format!(
            "The address {} is taken by “{title}”: choose another.",
            if draft.kind == PostKind::Page {
                format!("/{}/", slug.as_str())
            } else {
                slug.as_str().to_string()
            }
        ))),
        None => Ok(()),
    }
}

/// The time typed, or `None` for "now"; a clear refusal when it cannot be read.
fn date_of(clock: &SiteClock, text: &str) -> ColumnResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let with_time = if text.len() == 10 {
        format!("{text} 09:00")
    } else {
        text.to_string()
    };
    parse_schedule(clock, &with_time).map(Some).ok_or_else(|| {
        ColumnError::refused("Give the date as YYYY-MM-DD or YYYY-MM-DD HH:MM, or leave it empty.")
    })
}

/// Writes a new post or page; published now, at the date typed (a past date back-fills the
/// column's history, without a newsletter), scheduled for a future one, or kept as a draft.
pub async fn write(
    column: &Column,
    form: &PostForm,
    author_id: Option<i64>,
    then: Then,
) -> ColumnResult<Written> {
    let draft = draft_of(form, author_id)?;
    refuse_taken_address(column, &draft).await?;
    let (_, clock) = SiteView::load(&column.store).await?;
    let date = date_of(&clock, &form.date)?;
    let at = now();
    let post_id = column.store.create_post(&draft, at).await?;
    if then == Then::KeepDraft {
        return Ok(Written::Draft(post_id));
    }
    match date {
        Some(when) if when > at => {
            column.store.schedule_post(post_id, when).await?;
            Ok(Written::Scheduled(post_id))
        }
        Some(when) => {
            column.store.publish_post(post_id, when).await?;
            Ok(Written::Published(post_id))
        }
        None => {
            publish_at(column, post_id, at).await?;
            Ok(Written::Published(post_id))
        }
    }
}

/// Rewrites a post or page directly; a published one changes for readers at once, keeping a
/// revision of how it was.
pub async fn edit(
    column: &Column,
    post_id: i64,
    form: &PostForm,
    editor_id: Option<i64>,
) -> ColumnResult<()> {
    let row = column.store.post(post_id).await?;
    let mut form = form.clone();
    form.page = row.kind == PostKind::Page.as_str();
    if row.body_html.is_none() {
        form.html = None;
    }
    // A direct edit does not change who wrote the post; the editor signs the revision.
    let draft = draft_of(&form, None)?;
    column
        .store
        .edit_post(post_id, &draft, editor_id, now())
        .await?;
    Ok(())
}

/// Where a taken-down address may send readers: a path on this site, or an http(s) address.
fn redirect_of(text: &str) -> ColumnResult<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let on_site = text.starts_with('/') && !text.starts_with("//");
    let elsewhere = ["https://", "http://"].iter().any(|scheme| {
        text.strip_prefix(scheme)
            .is_some_and(|rest| rest.split('/').next().is_some_and(|host| !host.is_empty()))
    });
    let plain = !text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'));
    if (on_site || elsewhere) && plain {
        return Ok(Some(text.to_string()));
    }
    Err(ColumnError::refused(
        "Give the new address as a path on this site (/about/) or a full https:// (or http://) address, or leave it empty for \"410 Gone\".",
    ))
}

/// Takes a published post down: it is a draft again, and its address answers 410 Gone, or
/// redirects to `redirect_to` when the editor gives one.
pub async fn unpublish(column: &Column, post_id: i64, redirect_to: &str) -> ColumnResult<()> {
    let redirect = redirect_of(redirect_to)?;
    let row = column.store.post(post_id).await?;
    let (_, clock) = SiteView::load(&column.store).await?;
    let Some(path) = public_path(&clock, &row).or_else(|| {
        // A scheduled post has no address yet; nothing to retire.
        (row.status == "scheduled").then(String::new)
    }) else {
        return Err(ColumnError::refused("This post is not published."));
    };
    if redirect.as_deref() == Some(path.as_str()) {
        return Err(ColumnError::refused(
            "That is the post's own address: give another, or leave it empty.",
        ));
    }
    column
        .store
        .unpublish_post(post_id, &path, redirect.as_deref(), now())
        .await?;
    Ok(())
}

/// Deletes a post; a published one's address answers 410 Gone from then on.
pub async fn delete(column: &Column, post_id: i64) -> ColumnResult<()> {
    let row = column.store.post(post_id).await?;
    let (_, clock) = SiteView::load(&column.store).await?;
    let path = public_path(&clock, &row);
    column
        .store
        .delete_post(post_id, path.as_deref(), now())
        .await?;
    Ok(())
}

//! Comment moderation (approve, spam, trash or delete, several at a time) and the list of
//! newsletter subscribers.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{done, page, AdminChrome, AdminForm, SignedIn};
use crate::column::public::SiteView;
use crate::domain::CommentStatus;
use crate::render::{comment_html, human_date};
use crate::web::SharedState;
use crate::web::WebError;

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    status: String,
}

#[derive(Serialize)]
struct CommentLine {
    id: i64,
    post_title: String,
    author_name: String,
    author_email: String,
    date: String,
    body_html: String,
}

#[derive(Serialize)]
struct QueuePage {
    chrome: AdminChrome,
    statuses: [&'static str; 4],
    status: &'static str,
    comments: Vec<CommentLine>,
}

pub async fn queue(
    State(state): State<SharedState>,
    who: SignedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let status = CommentStatus::parse(&q.status).unwrap_or(CommentStatus::Pending);
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let comments = state
        .column
        .store
        .comments_with_status(status, 200)
        .await?
        .into_iter()
        .map(|c| CommentLine {
            id: c.id,
            date: human_date(&clock, c.created_at),
            body_html: comment_html(&c.body),
            post_title: c.post_title,
            author_name: c.author_name,
            author_email: c.author_email,
        })
        .collect();
    let context = QueuePage {
        chrome,
        statuses: ["pending", "approved", "spam", "trash"],
        status: status.as_str(),
        comments,
    };
    page(&state, "admin/comments.html", context)
}

pub async fn moderate(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let ids: Vec<i64> = form
        .all("comment")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let back = format!(
        "/admin/comments/?status={}",
        CommentStatus::parse(form.get("from"))
            .unwrap_or(CommentStatus::Pending)
            .as_str()
    );
    if ids.is_empty() {
        return done(&state, &form, &back, "Tick the comments to act on first.").await;
    }
    let (target, verb) = match form.get("action") {
        "approved" => (Some(CommentStatus::Approved), "approved"),
        "spam" => (Some(CommentStatus::Spam), "marked as spam"),
        "trash" => (Some(CommentStatus::Trash), "moved to the trash"),
        "delete" => (None, "deleted"),
        _ => {
            return Err(WebError::BadRequest(
                "Choose approve, spam, trash or delete.".into(),
            ))
        }
    };
    let n = state.column.store.moderate_comments(&ids, target).await?;
    done(
        &state,
        &form,
        &back,
        &format!("{n} comment{} {verb}.", if n == 1 { "" } else { "s" }),
    )
    .await
}

#[derive(Serialize)]
struct SubscribersPage {
    chrome: AdminChrome,
    subscribers: Vec<(String, String)>,
    confirmed: usize,
    pending: usize,
    unsubscribed: usize,
}

pub async fn subscribers(
    State(state): State<SharedState>,
    who: SignedIn,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::new(&state, &who.editor, &who.csrf).await?;
    let subscribers = state.column.store.subscribers().await?;
    let count = |s: &str| subscribers.iter().filter(|(_, status)| status == s).count();
    let context = SubscribersPage {
        confirmed: count("confirmed"),
        pending: count("pending"),
        unsubscribed: count("unsubscribed"),
        chrome,
        subscribers,
    };
    page(&state, "admin/subscribers.html", context)
}

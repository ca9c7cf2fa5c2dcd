//! Readers' comments: keeping one (held for moderation or approved, as the store decides)
//! with the editors' alert in the same unit of work, limited per reader, and stored once
//! however many times the same comment is sent.

use super::letters::editor_alerts;
use super::{Column, ColumnResult};
use crate::domain::{CommentStatus, Email};
use crate::store::{NewComment, Sending, StoreError};
use crate::tokens;

/// A comment as a reader sent it, already checked field by field.
pub struct CommentDraft<'a> {
    pub post_id: i64,
    pub post_title: &'a str,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub email: Email,
    pub url: &'a str,
    pub body: &'a str,
    /// The hidden field only robots fill in.
    pub homepage: &'a str,
    /// The reader's address as [`tokens::client_key`] keys it.
    pub client: String,
}

/// How many comments one reader may send in how many seconds.
pub struct CommentLimit {
    pub max: i64,
    pub window: i64,
}

/// How keeping a comment went, short of a database failure.
pub enum Kept {
    /// Stored now, or by an earlier sending of the same comment.
    Comment(i64, CommentStatus),
    /// An earlier sending of the same comment was stored, and deleted since.
    Deleted,
    /// The reader sent more than the limit allows.
    TooMany,
    /// The comment replied to was deleted meanwhile.
    ReplyGone,
}

/// Keeps a comment: the reader's limit first, then the comment with its editor alerts. The
/// same comment sent again (a reload, a double click) is found, not stored twice: its key is
/// what was said, by whom, where, so the (cached, shared) page needs no key of its own.
pub async fn add(column: &Column, c: CommentDraft<'_>, limit: CommentLimit) -> ColumnResult<Kept> {
    let secret = column.store.secret("form_key").await?;
    let said = format!(
        "{}\0{:?}\0{}\0{}\0{}",
        c.post_id,
        c.parent_id,
        c.email.as_str().to_lowercase(),
        c.name.trim(),
        c.body.trim()
    );
    let form_key = tokens::comment_key(&secret, &said);
    let bucket = format!("comment:{}", c.client);
    if !column
        .store
        .allow_rate(&bucket, limit.window, limit.max)
        .await?
    {
        return Ok(Kept::TooMany);
    }
    let url = c.url.trim();
    let new = NewComment {
        post_id: c.post_id,
        parent_id: c.parent_id,
        author_name: c.name.trim().to_string(),
        author_email: c.email,
        author_url: (!url.is_empty()).then(|| url.to_string()),
        body: c.body.to_string(),
        ip_hash: Some(c.client),
        // Robots fill the hidden field; keep what they sent where the editor can see it.
        status: (!c.homepage.is_empty()).then_some(CommentStatus::Spam),
        created_at: None,
    };
    let alert_text = format!("{} commented on “{}”.", new.author_name, c.post_title);
    let link = format!("{}/admin/comments/", column.base_url);
    let alerts = editor_alerts(column, "A comment awaits moderation", &alert_text, &link).await?;
    match column
        .store
        .add_comment_once(&new, &alerts, Some(&form_key))
        .await
    {
        Ok(Sending::First((id, status)) | Sending::Again(Some((id, status)))) => {
            Ok(Kept::Comment(id, status))
        }
        Ok(Sending::Again(None)) => Ok(Kept::Deleted),
        Err(StoreError::NotFound(_)) => Ok(Kept::ReplyGone),
        Err(e) => Err(e.into()),
    }
}

//! Reader comments: threaded one level, held for moderation unless the commenter was approved
//! before.

use super::{bump_content_version, now, placeholders, Sending, Store, StoreError, StoreResult};
use crate::domain::{CommentStatus, Email};

#[derive(Debug, Clone)]
pub struct NewComment {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: Email,
    pub author_url: Option<String>,
    pub body: String,
    pub ip_hash: Option<String>,
    /// Set by the demo and imports; readers' comments leave it `None` and the store decides.
    pub status: Option<CommentStatus>,
    pub created_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: String,
    pub created_at: i64,
}

impl Store {
    /// Stores a comment and returns its id and status: `approved` when the same address has an
    /// approved comment already, `pending` otherwise. A reply to a reply hangs on the first
    /// comment of the thread, keeping threads one level deep.
    pub async fn add_comment(&self, c: &NewComment) -> StoreResult<(i64, CommentStatus)> {
        self.add_comment_with_alerts(c, &[]).await
    }

    /// As [`Store::add_comment`]; when the comment waits for moderation, `alerts` (emails to
    /// the editors) are queued with it.
    pub async fn add_comment_with_alerts(
        &self,
        c: &NewComment,
        alerts: &[super::OutgoingMail],
    ) -> StoreResult<(i64, CommentStatus)> {
        match self.add_comment_once(c, alerts, None).await? {
            Sending::First(stored) | Sending::Again(Some(stored)) => Ok(stored),
            Sending::Again(None) => Err(StoreError::NotFound("the comment")),
        }
    }

    /// As [`Store::add_comment_with_alerts`], for a form that carries the key `form_key_hash`:
    /// a second sending of the same form stores nothing and gets the first one's comment (or
    /// `None` if that comment has been deleted since).
    pub async fn add_comment_once(
        &self,
        c: &NewComment,
        alerts: &[super::OutgoingMail],
        form_key_hash: Option<&str>,
    ) -> StoreResult<Sending<(i64, CommentStatus)>> {
        let mut tx = self.begin().await?;
        if let Some(key) = form_key_hash {
            if let Some(first) = super::forms::claim(&mut tx, key).await? {
                let row: Option<(i64, String)> =
                    sqlx::query_as("SELECT id, status FROM comments WHERE id = $1")
                        .bind(first)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.commit().await?;
                return Ok(Sending::Again(row.and_then(|(id, status)| {
                    CommentStatus::parse(&status).map(|s| (id, s))
                })));
            }
        }
        let parent_id = match c.parent_id {
            Some(parent) => {
                let row: Option<(Option<i64>, i64)> =
                    sqlx::query_as("SELECT parent_id, post_id FROM comments WHERE id = $1")
                        .bind(parent)
                        .fetch_optional(&mut *tx)
                        .await?;
                match row {
                    Some((grandparent, post_id)) if post_id == c.post_id => {
                        Some(grandparent.unwrap_or(parent))
                    }
                    _ => return Err(StoreError::NotFound("the comment you replied to")),
                }
            }
            None => None,
        };
        let status = match c.status {
            Some(status) => status,
            None => {
                // Matches the index on (LOWER(author_email), status).
                let approved_before: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM comments \
                     WHERE LOWER(author_email) = LOWER($1) AND status = 'approved' LIMIT 1) AS found",
                )
                .bind(c.author_email.as_str())
                .fetch_one(&mut *tx)
                .await?;
                if approved_before > 0 {
                    CommentStatus::Approved
                } else {
                    CommentStatus::Pending
                }
            }
        };
        let id = sqlx::query_scalar(
            "INSERT INTO comments (post_id, parent_id, author_name, author_email, author_url, body, status, ip_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(c.post_id)
        .bind(parent_id)
        .bind(&c.author_name)
        .bind(c.author_email.as_str())
        .bind(&c.author_url)
        .bind(&c.body)
        .bind(status.as_str())
        .bind(&c.ip_hash)
        .bind(c.created_at.unwrap_or_else(now))
        .fetch_one(&mut *tx)
        .await?;
        if status == CommentStatus::Approved {
            bump_content_version(&mut tx).await?;
        }
        if status == CommentStatus::Pending {
            for alert in alerts {
                super::outbox::enqueue(&mut tx, alert).await?;
            }
        }
        if let Some(key) = form_key_hash {
            super::forms::record(&mut tx, key, id).await?;
        }
        tx.commit().await?;
        Ok(Sending::First((id, status)))
    }

    /// One comment, whatever its status.
    pub async fn comment(&self, id: i64) -> StoreResult<Option<CommentRow>> {
        Ok(sqlx::query_as(
            "SELECT id, post_id, parent_id, author_name, author_url, body, status, created_at \
             FROM comments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A post's approved comments, oldest first.
    pub async fn approved_comments(&self, post_id: i64) -> StoreResult<Vec<CommentRow>> {
        self.approved_comments_of_posts(&[post_id]).await
    }

    /// The approved comments of several posts, by post, each post's oldest first.
    pub async fn approved_comments_of_posts(
        &self,
        post_ids: &[i64],
    ) -> StoreResult<Vec<CommentRow>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, post_id, parent_id, author_name, author_url, body, status, created_at \
             FROM comments WHERE post_id IN ({}) AND status = 'approved' \
             ORDER BY post_id, created_at, id",
            placeholders(1, post_ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// The newest approved comments on published posts (on one post when `post_id` is set),
    /// newest first, with the post each was left on: for the comments feeds.
    pub async fn latest_approved_comments(
        &self,
        post_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<FeedCommentRow>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.author_name, c.body, c.created_at, p.title AS post_title, \
             p.slug AS post_slug, COALESCE(p.published_at, p.updated_at) AS post_published_at \
             FROM comments c JOIN posts p ON p.id = c.post_id \
             WHERE c.status = 'approved' AND p.status = 'published' AND p.kind = 'post' \
             AND ($1 IS NULL OR p.id = $1) \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $2",
        )
        .bind(post_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn count_comments(&self, status: CommentStatus) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE status = $1")
                .bind(status.as_str())
                .fetch_one(self.pool())
                .await?,
        )
    }
}

/// An approved comment with the published post it was left on, for the comments feeds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedCommentRow {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    pub post_title: String,
    pub post_slug: String,
    pub post_published_at: i64,
}

/// A comment with the post it was left on, for the moderation queue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ModerationRow {
    pub id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: String,
    pub created_at: i64,
}

impl Store {
    /// Comments in a status, newest first.
    pub async fn comments_with_status(
        &self,
        status: CommentStatus,
        limit: i64,
    ) -> StoreResult<Vec<ModerationRow>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.post_id, p.title AS post_title, c.author_name, c.author_email, c.author_url, c.body, \
             c.status, c.created_at FROM comments c JOIN posts p ON p.id = c.post_id \
             WHERE c.status = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2",
        )
        .bind(status.as_str())
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Moves comments to a status (`None` deletes them), in one unit of work.
    pub async fn moderate_comments(
        &self,
        ids: &[i64],
        status: Option<CommentStatus>,
    ) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let list = placeholders(2, ids.len());
        let sql = match status {
            Some(_) => format!("UPDATE comments SET status = $1 WHERE id IN ({list})"),
            None => format!("DELETE FROM comments WHERE $1 = $1 AND id IN ({list})"),
        };
        let mut query = sqlx::query(&sql).bind(status.map(CommentStatus::as_str).unwrap_or(""));
        for id in ids {
            query = query.bind(id);
        }
        let done = query.execute(&mut *tx).await?.rows_affected();
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(done)
    }
}

//! Posts and pages the editor writes directly (not compiled from a round), direct edits of any
//! post, taking a post down (its address then answers 410 Gone, or redirects) and deleting one.
//! A post's answers are the panelists' words: deleting the post detaches them, never drops them.

use super::posts::{free_slug, PostKind};
use super::projection::project_post;
use super::revisions::{keep_revision, write_content, Snapshot};
use super::taxonomy::{ensure_term, link_term, Taxonomy};
use super::{bump_content_version, Store, StoreError, StoreResult, Tx};
use crate::domain::{PostStatus, QuestionState, RoundStatus};

/// What the editor writes into a post or page.
#[derive(Debug, Clone)]
pub struct PostDraft {
    pub kind: PostKind,
    pub title: String,
    /// Made from the title when absent; changed only while the post is not published.
    pub slug: Option<String>,
    /// Markdown: the whole text of a plain post, or what comes before a round's answers.
    pub intro: String,
    pub closing: String,
    /// Imported HTML (sanitized) and the text a reader sees of it, for posts that have it.
    pub body_html: Option<(String, String)>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub author_id: Option<i64>,
}

/// What a taken-down address answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retired {
    Gone,
    MovedTo(String),
}

impl Store {
    /// Creates a draft post or page; returns its id.
    pub async fn create_post(&self, d: &PostDraft, at: i64) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let slug = free_slug(&mut tx, d.kind, d.slug.as_deref().unwrap_or(&d.title)).await?;
        let (html, text) = d.body_html.clone().unzip();
        let post_id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (kind, slug, title, intro, closing, body_html, body_text, status, \
             author_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9) RETURNING id",
        )
        .bind(d.kind.as_str())
        .bind(slug.as_str())
        .bind(&d.title)
        .bind(&d.intro)
        .bind(&d.closing)
        .bind(html)
        .bind(text)
        .bind(d.author_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        link_terms(&mut tx, post_id, d).await?;
        tx.commit().await?;
        Ok(post_id)
    }

    /// Rewrites a post as the editor typed it. A published post keeps a revision of how it
    /// was, and readers see the change at once.
    pub async fn edit_post(
        &self,
        post_id: i64,
        d: &PostDraft,
        editor_id: Option<i64>,
        at: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let status = status_of(&mut tx, post_id).await?;
        let published = status == PostStatus::Published.as_str();
        if published {
            keep_revision(&mut tx, post_id, editor_id, at, "Edited directly").await?;
        }
        let (html, text) = d.body_html.clone().unzip();
        let content = Snapshot {
            title: d.title.clone(),
            intro: d.intro.clone(),
            closing: d.closing.clone(),
            body_html: html,
            body_text: text,
            answers: Vec::new(),
        };
        write_content(&mut tx, post_id, &content, at).await?;
        // A published address stays what it is: readers and other sites link to it.
        if let (Some(slug), false) = (d.slug.as_deref(), published) {
            let current: String = sqlx::query_scalar("SELECT slug FROM posts WHERE id = $1")
                .bind(post_id)
                .fetch_one(&mut *tx)
                .await?;
            if crate::domain::Slug::from_text(slug, "post").as_str() != current {
                let free = free_slug(&mut tx, d.kind, slug).await?;
                sqlx::query("UPDATE posts SET slug = $1 WHERE id = $2")
                    .bind(free.as_str())
                    .bind(post_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for table in ["post_tags", "post_categories"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
        }
        link_terms(&mut tx, post_id, d).await?;
        project_post(&mut tx, post_id).await?;
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a published or scheduled post down: it becomes a draft again, and its address
    /// `path` answers 410 Gone, or redirects to `redirect_to`.
    pub async fn unpublish_post(
        &self,
        post_id: i64,
        path: &str,
        redirect_to: Option<&str>,
        at: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let status = status_of(&mut tx, post_id).await?;
        if status != PostStatus::Published.as_str() && status != PostStatus::Scheduled.as_str() {
            return Err(StoreError::Conflict("the post is not published".into()));
        }
        sqlx::query(
            "UPDATE posts SET status = 'draft', publish_at = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(at)
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
        if status == PostStatus::Published.as_str() {
            retire(&mut tx, path, Some(post_id), redirect_to, at).await?;
        }
        round_back_to_closed(&mut tx, post_id, at).await?;
        project_post(&mut tx, post_id).await?;
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a published post another date, and with it another address: the old address
    /// (`old_path`) sends readers to the new one (`new_path`).
    pub async fn redate_post(
        &self,
        post_id: i64,
        published_at: i64,
        (old_path, new_path): (&str, &str),
        at: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if status_of(&mut tx, post_id).await? != PostStatus::Published.as_str() {
            return Err(StoreError::Conflict("the post is not published".into()));
        }
        sqlx::query("UPDATE posts SET published_at = $1, updated_at = $2 WHERE id = $3")
            .bind(published_at)
            .bind(at)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        // The new address is the post's own, even if it once pointed elsewhere.
        sqlx::query("DELETE FROM retired_addresses WHERE path = $1")
            .bind(new_path)
            .execute(&mut *tx)
            .await?;
        if old_path != new_path {
            // Not tied to the post: taking it down and publishing it again keeps the redirect.
            retire(&mut tx, old_path, None, Some(new_path), at).await?;
        }
        project_post(&mut tx, post_id).await?;
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a post with its comments, notes and revisions. Its answers stay with their
    /// round, which is closed again so that it can be compiled anew; its address, if it was
    /// published (`path`), answers 410 Gone.
    pub async fn delete_post(&self, post_id: i64, path: Option<&str>, at: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        status_of(&mut tx, post_id).await?;
        sqlx::query("UPDATE answers SET post_id = NULL, included = 0 WHERE post_id = $1")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        round_back_to_closed(&mut tx, post_id, at).await?;
        sqlx::query("UPDATE rounds SET post_id = NULL WHERE post_id = $1")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        if let Some(path) = path {
            retire(&mut tx, path, None, None, at).await?;
        }
        sqlx::query("DELETE FROM posts WHERE id = $1")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The title of the post or page of this kind already at `slug`, if there is one.
    pub async fn slug_taken(&self, kind: PostKind, slug: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT title FROM posts WHERE kind = $1 AND slug = $2")
                .bind(kind.as_str())
                .bind(slug)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Puts a revision back: the post takes its title, text and answers again (answers the
    /// post no longer holds stay out), after a revision of how it is now. `reason` names the
    /// restore in the list ("Restored the version of …").
    pub async fn restore_revision(
        &self,
        revision_id: i64,
        editor_id: Option<i64>,
        at: i64,
        reason: &str,
    ) -> StoreResult<i64> {
        let revision = self.revision(revision_id).await?;
        let (post_id, s) = (revision.post_id, &revision.snapshot);
        let mut tx = self.begin().await?;
        keep_revision(&mut tx, post_id, editor_id, at, reason).await?;
        write_content(&mut tx, post_id, s, at).await?;
        sqlx::query("UPDATE answers SET included = 0 WHERE post_id = $1")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        for answer in &s.answers {
            // The panelist's own words come back as theirs; anything else as the editor's edit.
            sqlx::query(
                "UPDATE answers SET included = 1, position = $1, \
                 edited_body = CASE WHEN body = $2 THEN NULL ELSE $2 END \
                 WHERE id = $3 AND post_id = $4 AND withdrawn_at IS NULL",
            )
            .bind(answer.position)
            .bind(&answer.body)
            .bind(answer.id)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        }
        project_post(&mut tx, post_id).await?;
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(post_id)
    }

    /// What a taken-down address answers, if it is one.
    pub async fn retired_address(&self, path: &str) -> StoreResult<Option<Retired>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT redirect_to FROM retired_addresses WHERE path = $1")
                .bind(path)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|to| to.map_or(Retired::Gone, Retired::MovedTo)))
    }
}

async fn status_of(tx: &mut Tx, post_id: i64) -> StoreResult<String> {
    sqlx::query_scalar("SELECT status FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("post"))
}

/// A post that is no longer public leaves its round closed and its question asked, as they
/// were before publication; publishing again marks them published.
async fn round_back_to_closed(tx: &mut Tx, post_id: i64, at: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE questions SET state = $1 WHERE state = $2 \
         AND id IN (SELECT question_id FROM rounds WHERE post_id = $3)",
    )
    .bind(QuestionState::Asked.as_str())
    .bind(QuestionState::Published.as_str())
    .bind(post_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE rounds SET status = $1, updated_at = $2 WHERE post_id = $3 AND status = $4",
    )
    .bind(RoundStatus::Closed.as_str())
    .bind(at)
    .bind(post_id)
    .bind(RoundStatus::Published.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn link_terms(tx: &mut Tx, post_id: i64, d: &PostDraft) -> StoreResult<()> {
    for (taxonomy, names) in [
        (Taxonomy::Tag, &d.tags),
        (Taxonomy::Category, &d.categories),
    ] {
        for name in names.iter().filter(|n| !n.trim().is_empty()) {
            let term = ensure_term(tx, taxonomy, name).await?;
            link_term(tx, taxonomy, post_id, term).await?;
        }
    }
    Ok(())
}

/// Records a taken-down address; taking the same address down again replaces the record.
async fn retire(
    tx: &mut Tx,
    path: &str,
    post_id: Option<i64>,
    redirect_to: Option<&str>,
    at: i64,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM retired_addresses WHERE path = $1")
        .bind(path)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO retired_addresses (path, post_id, redirect_to, retired_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(path)
    .bind(post_id)
    .bind(redirect_to)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

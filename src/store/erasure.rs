//! Erasing a panelist: their profile, email address and photo go; each of their answers is
//! removed, or kept signed "Anonymous" with nothing of them left on it; their invitations go,
//! and the mail sent to them keeps no address or text. Every post they were in is rebuilt
//! for readers in the same unit of work. Backups made before are the one place left with it.

use super::projection::project_post;
use super::revisions::Snapshot;
use super::{bump_content_version, Store, StoreError, StoreResult, Tx};

/// What becomes of an erased panelist's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasedAnswers {
    /// Deleted, from the posts they were in too.
    Removed,
    /// Kept in their posts, signed "Anonymous", with no signature or link to anyone.
    KeptAnonymous,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    pub answers: usize,
    pub posts: usize,
    pub mails: usize,
}

/// Where mail to an erased panelist was going: no address of theirs is kept.
const ERASED_ADDRESS: &str = "erased@invalid";

impl Store {
    /// Erases the panelist, everywhere but in backups.
    pub async fn erase_panelist(
        &self,
        panelist_id: i64,
        answers: ErasedAnswers,
    ) -> StoreResult<Erasure> {
        let mut tx = self.begin().await?;
        let (name, email, photo): (String, String, Option<i64>) =
            sqlx::query_as("SELECT name, email, photo_media_id FROM panelists WHERE id = $1")
                .bind(panelist_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("panelist"))?;
        let theirs: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, post_id FROM answers WHERE panelist_id = $1")
                .bind(panelist_id)
                .fetch_all(&mut *tx)
                .await?;
        let mut posts: Vec<i64> = theirs.iter().filter_map(|(_, post)| *post).collect();
        posts.sort_unstable();
        posts.dedup();
        for (answer_id, _) in &theirs {
            // Proposed changes carry a signature; they go either way.
            sqlx::query("DELETE FROM answer_proposals WHERE answer_id = $1")
                .bind(answer_id)
                .execute(&mut *tx)
                .await?;
        }
        match answers {
            ErasedAnswers::Removed => {
                sqlx::query("DELETE FROM answers WHERE panelist_id = $1")
                    .bind(panelist_id)
                    .execute(&mut *tx)
                    .await?;
                let removed: Vec<i64> = theirs.iter().map(|(id, _)| *id).collect();
                for post_id in &posts {
                    forget_in_revisions(&mut tx, *post_id, &removed).await?;
                }
            }
            ErasedAnswers::KeptAnonymous => {
                sqlx::query(
                    "UPDATE answers SET attribution = 'anonymous', role_description = NULL, \
                     show_library_type = 0, sig_name = NULL, sig_pronouns = NULL, sig_title = NULL, \
                     sig_department = NULL, sig_institution = NULL, sig_city = NULL, \
                     sig_library_type = NULL, panelist_id = NULL WHERE panelist_id = $1",
                )
                .bind(panelist_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        for post_id in &posts {
            // Edit notes readers see may name them ("… to add Jan Wilbur's answer").
            sqlx::query(
                "UPDATE edit_notes SET body = REPLACE(body, $1, 'a panelist') WHERE post_id = $2",
            )
            .bind(&name)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM invitations WHERE panelist_id = $1")
            .bind(panelist_id)
            .execute(&mut *tx)
            .await?;
        let mails = strip_mail(&mut tx, &email, &name).await?;
        // A question they suggested stays, without who suggested it.
        sqlx::query(
            "UPDATE questions SET submitter_name = NULL, submitter_email = NULL, credit_submitter = 0 \
             WHERE LOWER(submitter_email) = LOWER($1)",
        )
        .bind(&email)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM panelists WHERE id = $1")
            .bind(panelist_id)
            .execute(&mut *tx)
            .await?;
        // Their uploaded photo, every width of it.
        if let Some(photo) = photo {
            super::media::delete_media(&mut tx, photo).await?;
        }
        for post_id in &posts {
            project_post(&mut tx, *post_id).await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Erasure {
            answers: theirs.len(),
            posts: posts.len(),
            mails,
        })
    }
}

/// Removes erased answers from a post's kept revisions, so that no restore brings them back.
pub(super) async fn forget_in_revisions(
    tx: &mut Tx,
    post_id: i64,
    removed: &[i64],
) -> StoreResult<()> {
    let kept: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, snapshot FROM revisions WHERE post_id = $1")
            .bind(post_id)
            .fetch_all(&mut **tx)
            .await?;
    for (id, json) in kept {
        let mut snapshot: Snapshot = serde_json::from_str(&json).unwrap_or_default();
        let before = snapshot.answers.len();
        snapshot.answers.retain(|a| !removed.contains(&a.id));
        if snapshot.answers.len() == before {
            continue;
        }
        let json =
            serde_json::to_string(&snapshot).map_err(|e| StoreError::Conflict(e.to_string()))?;
        sqlx::query("UPDATE revisions SET snapshot = $1 WHERE id = $2")
            .bind(json)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Mail to the address, and mail naming them (the editors' alerts), keeps only that it was
/// sent: no address of theirs, no subject or text. What was still waiting for them is not sent.
async fn strip_mail(tx: &mut Tx, email: &str, name: &str) -> StoreResult<usize> {
    let pattern = format!(
        "%{}%",
        name.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // A name of a letter or two would match nearly every message.
    let named = if name.trim().chars().count() < 3 {
        0
    } else {
        sqlx::query(
            "UPDATE outbox SET subject = '', body_text = '', body_html = NULL \
             WHERE body_text LIKE $1 ESCAPE '\\' OR subject LIKE $1 ESCAPE '\\'",
        )
        .bind(pattern)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    };
    let done = sqlx::query(
        "UPDATE outbox SET to_addr = $1, subject = '', body_text = '', body_html = NULL, headers = '{}', \
         dedupe_key = NULL, last_error = CASE WHEN status = 'sent' THEN last_error ELSE 'the recipient was erased' END, \
         status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END \
         WHERE LOWER(to_addr) = LOWER($2)",
    )
    .bind(ERASED_ADDRESS)
    .bind(email)
    .execute(&mut **tx)
    .await?;
    Ok((done.rows_affected() + named) as usize)
}

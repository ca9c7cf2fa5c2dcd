//! A panelist withdrawing an answer: a privacy right that applies at once, without the
//! editor. The answer leaves its post, its kept revisions and the search index in one unit of
//! work; notes that named it say "a panelist"; it is kept, marked withdrawn, so that the
//! panelist can send it again, and nothing brings it back until they do.

use super::erasure::forget_in_revisions;
use super::posts::answer_in;
use super::projection::project_post;
use super::{bump_content_version, now, OutgoingMail, Store, StoreError, StoreResult};

impl Store {
    /// Withdraws the answer given through the invitation and queues `mails` (the panelist's
    /// receipt, the editors' alerts). Returns the post it was in, if any.
    pub async fn withdraw_answer(
        &self,
        invitation_id: i64,
        mails: &[OutgoingMail],
    ) -> StoreResult<Option<i64>> {
        let at = now();
        let mut tx = self.begin().await?;
        let answer_id: i64 = sqlx::query_scalar(
            "SELECT id FROM answers WHERE invitation_id = $1 AND withdrawn_at IS NULL",
        )
        .bind(invitation_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("answer"))?;
        let answer = answer_in(&mut tx, answer_id).await?;
        let post_id = Some(answer.post_id).filter(|id| *id != 0);
        sqlx::query(
            "UPDATE answers SET withdrawn_at = $1, included = 0, updated_at = $1 WHERE id = $2",
        )
        .bind(at)
        .bind(answer_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM answer_proposals WHERE answer_id = $1 AND decision IS NULL")
            .bind(answer_id)
            .execute(&mut *tx)
            .await?;
        if let Some(post_id) = post_id {
            forget_in_revisions(&mut tx, post_id, &[answer_id]).await?;
            let short = answer.byline().short;
            if !short.trim().is_empty() {
                sqlx::query(
                    "UPDATE edit_notes SET body = REPLACE(body, $1, 'a panelist') WHERE post_id = $2",
                )
                .bind(&short)
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
            }
            project_post(&mut tx, post_id).await?;
        }
        for (n, mail) in mails.iter().enumerate() {
            let mut mail = mail.clone();
            mail.dedupe_key = Some(format!("withdrawn:{answer_id}:{at}:{n}"));
            super::outbox::enqueue(&mut tx, &mail).await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(post_id)
    }

    /// When the answer given through the invitation was withdrawn, if it was.
    pub async fn withdrawn_at(&self, invitation_id: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar::<_, Option<i64>>(
            "SELECT withdrawn_at FROM answers WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(self.pool())
        .await?
        .flatten())
    }
}

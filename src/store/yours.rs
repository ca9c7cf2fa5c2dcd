//! What a panelist's own page ("Your answers") reads and changes: every answer they gave,
//! with its round and post, and how each is signed. Only the panelist's own answers: every
//! query is bound to their id.

use super::projection::project_post;
use super::proposals::{set_signing, Signing};
use super::{bump_content_version, now, Store, StoreError, StoreResult};
use crate::domain::Attribution;

/// One answer a panelist gave, for their own page.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct YourAnswerRow {
    pub id: i64,
    pub invitation_id: Option<i64>,
    pub prompt: String,
    pub attribution: String,
    pub role_description: Option<String>,
    pub show_library_type: i64,
    pub body: String,
    pub submitted_at: i64,
    pub withdrawn_at: Option<i64>,
    pub included: i64,
    pub post_id: Option<i64>,
    pub post_title: Option<String>,
    pub post_slug: Option<String>,
    pub post_status: Option<String>,
    pub published_at: Option<i64>,
}

impl Store {
    /// Every answer the panelist gave, newest first.
    pub async fn answers_of_panelist(&self, panelist_id: i64) -> StoreResult<Vec<YourAnswerRow>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.invitation_id, r.prompt, a.attribution, a.role_description, \
             a.show_library_type, a.body, a.submitted_at, a.withdrawn_at, a.included, a.post_id, \
             p.title AS post_title, p.slug AS post_slug, p.status AS post_status, p.published_at \
             FROM answers a JOIN rounds r ON r.id = a.round_id LEFT JOIN posts p ON p.id = a.post_id \
             WHERE a.panelist_id = $1 ORDER BY a.submitted_at DESC, a.id DESC",
        )
        .bind(panelist_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Signs one of the panelist's answers this way, at once: readers, search and a change
    /// still waiting for the editor all take it.
    pub async fn sign_own_answer(
        &self,
        panelist_id: i64,
        answer_id: i64,
        attribution: Attribution,
        role_description: Option<&str>,
    ) -> StoreResult<()> {
        let at = now();
        let mut tx = self.begin().await?;
        let post_id: Option<Option<i64>> =
            sqlx::query_scalar("SELECT post_id FROM answers WHERE id = $1 AND panelist_id = $2")
                .bind(answer_id)
                .bind(panelist_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(post_id) = post_id else {
            return Err(StoreError::NotFound("answer"));
        };
        let signing = Signing {
            attribution,
            role_description,
            show_library_type: false,
        };
        set_signing(&mut tx, answer_id, &signing, at).await?;
        sqlx::query(
            "UPDATE answer_proposals SET attribution = $1, role_description = $2, show_library_type = 0 \
             WHERE answer_id = $3 AND decision IS NULL",
        )
        .bind(attribution.as_str())
        .bind(role_description)
        .bind(answer_id)
        .execute(&mut *tx)
        .await?;
        if let Some(post_id) = post_id {
            project_post(&mut tx, post_id).await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

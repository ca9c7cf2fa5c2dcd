//! Questions, rounds, their short-answer choices, invitations and the answers that come back.

use super::{flag, now, Store, StoreError, StoreResult, Tx};
use crate::domain::{Attribution, QuestionState, RoundStatus};

/// A question for the queue, from a reader or the editor.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub series_id: Option<i64>,
    pub prompt: String,
    pub examples: Option<String>,
    pub follow_up: Option<String>,
    pub state: QuestionState,
    pub submitter_name: Option<String>,
    pub submitter_email: Option<String>,
    pub credit_submitter: bool,
}

/// A round as the editor composes it.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub question_id: i64,
    pub series_id: Option<i64>,
    pub prompt: String,
    pub examples: Option<String>,
    pub follow_up: Option<String>,
    pub choices: Vec<String>,
    /// Library types the panel is filtered to; empty means the whole panel.
    pub library_types: Vec<String>,
    pub closes_at: Option<i64>,
    pub status: RoundStatus,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub question_id: i64,
    pub series_id: Option<i64>,
    pub post_id: Option<i64>,
    pub prompt: String,
    pub examples: Option<String>,
    pub follow_up: Option<String>,
    pub status: String,
    pub closes_at: Option<i64>,
}

/// An answer as the panelist submits it. The signature is copied from their profile as it is
/// at that moment.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub round_id: i64,
    pub invitation_id: Option<i64>,
    pub panelist_id: i64,
    pub attribution: Attribution,
    pub role_description: Option<String>,
    pub show_library_type: bool,
    pub choice: Option<String>,
    pub body: String,
    pub is_late: bool,
    pub submitted_at: i64,
}

impl Store {
    pub async fn create_question(&self, q: &NewQuestion) -> StoreResult<i64> {
        let at = now();
        Ok(sqlx::query_scalar(
            "INSERT INTO questions (series_id, prompt, original_prompt, examples, follow_up, state, \
             submitter_name, submitter_email, credit_submitter, created_at, updated_at) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(q.series_id)
        .bind(&q.prompt)
        .bind(&q.examples)
        .bind(&q.follow_up)
        .bind(q.state.as_str())
        .bind(&q.submitter_name)
        .bind(&q.submitter_email)
        .bind(flag(q.credit_submitter))
        .bind(at)
        .fetch_one(self.pool())
        .await?)
    }

    /// Creates a round with its choices, and marks its question as asked once it is open.
    pub async fn create_round(&self, r: &NewRound) -> StoreResult<i64> {
        let at = now();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (question_id, series_id, prompt, examples, follow_up, status, library_types, \
             closes_at, sent_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(r.question_id)
        .bind(r.series_id)
        .bind(&r.prompt)
        .bind(&r.examples)
        .bind(&r.follow_up)
        .bind(r.status.as_str())
        .bind(r.library_types.join(","))
        .bind(r.closes_at)
        .bind((r.status != RoundStatus::Draft).then_some(at))
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        for (position, label) in r.choices.iter().enumerate() {
            sqlx::query(
                "INSERT INTO round_choices (round_id, position, label) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(label.trim())
            .execute(&mut *tx)
            .await?;
        }
        if r.status != RoundStatus::Draft {
            set_question_state(&mut tx, r.question_id, QuestionState::Asked).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn round(&self, id: i64) -> StoreResult<RoundRow> {
        sqlx::query_as(
            "SELECT id, question_id, series_id, post_id, prompt, examples, follow_up, status, closes_at \
             FROM rounds WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("round"))
    }

    /// Rounds in a status, newest first.
    pub async fn rounds(&self, status: RoundStatus) -> StoreResult<Vec<RoundRow>> {
        Ok(sqlx::query_as(
            "SELECT id, question_id, series_id, post_id, prompt, examples, follow_up, status, closes_at \
             FROM rounds WHERE status = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(status.as_str())
        .fetch_all(self.pool())
        .await?)
    }

    /// Invites a panelist to a round; the link's token is stored only as its hash.
    pub async fn create_invitation(
        &self,
        round_id: i64,
        panelist_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO invitations (round_id, panelist_id, token_hash, sent_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(round_id)
        .bind(panelist_id)
        .bind(token_hash)
        .bind(now())
        .bind(expires_at)
        .fetch_one(self.pool())
        .await?)
    }

    /// Stores an answer with a snapshot of the panelist's signature as it is now.
    pub async fn submit_answer(&self, a: &NewAnswer) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let choice_id: Option<i64> = match &a.choice {
            Some(label) => Some(
                sqlx::query_scalar(
                    "SELECT id FROM round_choices WHERE round_id = $1 AND label = $2",
                )
                .bind(a.round_id)
                .bind(label.trim())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    StoreError::Conflict(format!("'{label}' is not one of this round's choices"))
                })?,
            ),
            None => None,
        };
        let id = sqlx::query_scalar(
            "INSERT INTO answers (round_id, invitation_id, panelist_id, attribution, role_description, \
             show_library_type, sig_name, sig_pronouns, sig_title, sig_department, sig_institution, sig_city, \
             sig_library_type, choice_id, body, is_late, included, position, submitted_at, updated_at) \
             SELECT $1, $2, p.id, $3, $4, $5, p.name, p.pronouns, p.title, p.department, p.institution, p.city, \
             p.library_type, $6, $7, $8, 1, 0, $9, $9 FROM panelists p WHERE p.id = $10 RETURNING id",
        )
        .bind(a.round_id)
        .bind(a.invitation_id)
        .bind(a.attribution.as_str())
        .bind(&a.role_description)
        .bind(flag(a.show_library_type))
        .bind(choice_id)
        .bind(&a.body)
        .bind(flag(a.is_late))
        .bind(a.submitted_at)
        .bind(a.panelist_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("panelist"))?;
        if let Some(invitation_id) = a.invitation_id {
            sqlx::query("UPDATE invitations SET answered_at = $1 WHERE id = $2")
                .bind(a.submitted_at)
                .bind(invitation_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// `(answer id, panelist name)` of a round's answers in submission order, for the editor.
    pub async fn round_answers(&self, round_id: i64) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, COALESCE(sig_name, '') FROM answers WHERE round_id = $1 ORDER BY submitted_at, id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }
}

pub(crate) async fn set_question_state(
    tx: &mut Tx,
    question_id: i64,
    state: QuestionState,
) -> StoreResult<()> {
    sqlx::query("UPDATE questions SET state = $1, updated_at = $2 WHERE id = $3")
        .bind(state.as_str())
        .bind(now())
        .bind(question_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The editor's light touches on an answer, all visible to readers as such.
#[derive(Debug, Clone, Default)]
pub struct AnswerEdit {
    pub editor_heading: Option<String>,
    pub editor_note: Option<String>,
    pub edited_body: Option<String>,
}

impl Store {
    pub async fn edit_answer(&self, answer_id: i64, edit: &AnswerEdit) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE answers SET editor_heading = $1, editor_note = $2, edited_body = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(&edit.editor_heading)
        .bind(&edit.editor_note)
        .bind(&edit.edited_body)
        .bind(now())
        .bind(answer_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("answer"));
        }
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

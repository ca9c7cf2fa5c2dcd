//! Questions, rounds, their short-answer choices, invitations and the answers that come back.

use super::{flag, now, Sending, Store, StoreError, StoreResult, Tx};
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
    /// The submitter wants an email with the post's link when it is published.
    pub notify_submitter: bool,
}

impl NewQuestion {
    /// A question the editor writes: no submitter to credit.
    pub fn by_editor(prompt: &str, state: QuestionState) -> NewQuestion {
        NewQuestion {
            series_id: None,
            prompt: prompt.to_string(),
            examples: None,
            follow_up: None,
            state,
            submitter_name: None,
            submitter_email: None,
            credit_submitter: false,
            notify_submitter: false,
        }
    }
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
    /// When it stopped taking answers on time, by the editor or on its closing date.
    pub closed_at: Option<i64>,
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
        match self.create_question_once(q, None).await? {
            Sending::First(id) | Sending::Again(Some(id)) => Ok(id),
            Sending::Again(None) => Err(StoreError::NotFound("the question")),
        }
    }

    /// As [`Store::create_question`], for a form that carries the key `form_key_hash`: a second
    /// sending of the same form stores nothing and gets the first one's question id.
    pub async fn create_question_once(
        &self,
        q: &NewQuestion,
        form_key_hash: Option<&str>,
    ) -> StoreResult<Sending<i64>> {
        let at = now();
        // An INSERT … RETURNING runs in a unit of work of its own. Alone, SQLite commits it when
        // the statement is reset after its row has been read, and a commit that fails there
        // (a full disk) is reported to no one: the caller would get an id for a row that was
        // rolled back. COMMIT reports the failure.
        let mut tx = self.begin().await?;
        if let Some(key) = form_key_hash {
            if let Some(first) = super::forms::claim(&mut tx, key).await? {
                tx.commit().await?;
                return Ok(Sending::Again(first));
            }
        }
        let id = sqlx::query_scalar(
            "INSERT INTO questions (series_id, prompt, original_prompt, examples, follow_up, state, \
             submitter_name, submitter_email, credit_submitter, notify_submitter, created_at, updated_at) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(q.series_id)
        .bind(&q.prompt)
        .bind(&q.examples)
        .bind(&q.follow_up)
        .bind(q.state.as_str())
        .bind(&q.submitter_name)
        .bind(&q.submitter_email)
        .bind(flag(q.credit_submitter))
        .bind(flag(q.notify_submitter))
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(key) = form_key_hash {
            super::forms::record(&mut tx, key, id).await?;
        }
        tx.commit().await?;
        Ok(Sending::First(id))
    }

    /// Creates a round with its choices, and marks its question as asked once it is open.
    pub async fn create_round(&self, r: &NewRound) -> StoreResult<i64> {
        let at = now();
        let mut tx = self.begin().await?;
        let id = insert_round(&mut tx, r, "3,1", at).await?;
        if r.status != RoundStatus::Draft {
            set_question_state(&mut tx, r.question_id, QuestionState::Asked).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn round(&self, id: i64) -> StoreResult<RoundRow> {
        sqlx::query_as(
            "SELECT id, question_id, series_id, post_id, prompt, examples, follow_up, status, closes_at, \
             closed_at FROM rounds WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("round"))
    }

    /// Rounds in a status, newest first.
    pub async fn rounds(&self, status: RoundStatus) -> StoreResult<Vec<RoundRow>> {
        Ok(sqlx::query_as(
            "SELECT id, question_id, series_id, post_id, prompt, examples, follow_up, status, closes_at, \
             closed_at FROM rounds WHERE status = $1 ORDER BY created_at DESC, id DESC",
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
        self.create_invitation_for(round_id, panelist_id, expires_at, |_| {
            token_hash.to_string()
        })
        .await
    }

    /// Invites a panelist to a round with the link a real round's invitation carries:
    /// `token_hash(invitation_id)` gives the hash of its token, which is made from the id.
    pub async fn create_invitation_for(
        &self,
        round_id: i64,
        panelist_id: i64,
        expires_at: i64,
        token_hash: impl FnOnce(i64) -> String,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = insert_invitation(&mut tx, round_id, panelist_id, now(), expires_at).await?;
        set_token_hash(&mut tx, id, &token_hash(id)).await?;
        tx.commit().await?;
        Ok(id)
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
        let id = insert_answer(&mut tx, a, choice_id).await?;
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

/// Inserts an invitation whose link is not made yet: the token needs the invitation's id, so
/// the row starts with a placeholder hash that [`set_token_hash`] replaces.
async fn insert_invitation(
    tx: &mut Tx,
    round_id: i64,
    panelist_id: i64,
    at: i64,
    expires_at: i64,
) -> StoreResult<i64> {
    // In a unit of work, as every INSERT … RETURNING: see `create_question`.
    Ok(sqlx::query_scalar(
        "INSERT INTO invitations (round_id, panelist_id, token_hash, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(round_id)
    .bind(panelist_id)
    .bind(format!("pending:{round_id}:{panelist_id}"))
    .bind(at)
    .bind(expires_at)
    .fetch_one(&mut **tx)
    .await?)
}

/// The invitation's link is the token whose hash this is; any other link to it stops working.
async fn set_token_hash(tx: &mut Tx, invitation_id: i64, token_hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE invitations SET token_hash = $1 WHERE id = $2")
        .bind(token_hash)
        .bind(invitation_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Inserts a round and its short-answer choices inside a unit of work.
async fn insert_round(tx: &mut Tx, r: &NewRound, reminder_days: &str, at: i64) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rounds (question_id, series_id, prompt, examples, follow_up, status, library_types, \
         closes_at, reminder_days, sent_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(r.question_id)
    .bind(r.series_id)
    .bind(&r.prompt)
    .bind(&r.examples)
    .bind(&r.follow_up)
    .bind(r.status.as_str())
    .bind(r.library_types.join(","))
    .bind(r.closes_at)
    .bind(reminder_days)
    .bind((r.status != RoundStatus::Draft).then_some(at))
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    for (position, label) in r.choices.iter().enumerate() {
        sqlx::query("INSERT INTO round_choices (round_id, position, label) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(position as i64)
            .bind(label.trim())
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a signature's parts in order: name, pronouns, title, department, institution, city.
fn bind_signature<'q>(query: Query<'q>, s: &'q crate::domain::Signature) -> Query<'q> {
    query
        .bind(&s.name)
        .bind(&s.pronouns)
        .bind(&s.title)
        .bind(&s.department)
        .bind(&s.institution)
        .bind(&s.city)
}

/// Binds how an answer is signed, in order: attribution, role description, whether the
/// library type shows, then the signature's six parts.
pub(super) fn bind_signing<'q>(query: Query<'q>, answer: &'q AnswerSubmission) -> Query<'q> {
    let query = query
        .bind(answer.attribution.as_str())
        .bind(&answer.role_description)
        .bind(flag(answer.show_library_type));
    bind_signature(query, &answer.signature)
}

/// The panelist's profile takes the signature as they last edited it.
pub(super) async fn update_profile(
    tx: &mut Tx,
    panelist_id: i64,
    s: &crate::domain::Signature,
    at: i64,
) -> StoreResult<()> {
    bind_signature(
        sqlx::query(
            "UPDATE panelists SET name = $1, pronouns = $2, title = $3, department = $4, \
             institution = $5, city = $6, updated_at = $7 WHERE id = $8",
        ),
        s,
    )
    .bind(at)
    .bind(panelist_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The id of the round's short-answer choice with this label.
pub(super) async fn choice_id(
    tx: &mut Tx,
    round_id: i64,
    label: Option<&str>,
) -> StoreResult<Option<i64>> {
    let Some(label) = label else {
        return Ok(None);
    };
    Ok(
        sqlx::query_scalar("SELECT id FROM round_choices WHERE round_id = $1 AND label = $2")
            .bind(round_id)
            .bind(label)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Inserts an answer with a snapshot of its panelist's signature as the profile stands now.
/// New answers start outside any post; compiling or adding a late answer puts them in.
async fn insert_answer(tx: &mut Tx, a: &NewAnswer, choice_id: Option<i64>) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO answers (round_id, invitation_id, panelist_id, attribution, role_description, \
         show_library_type, sig_name, sig_pronouns, sig_title, sig_department, sig_institution, sig_city, \
         sig_library_type, choice_id, body, is_late, included, position, submitted_at, updated_at) \
         SELECT $1, $2, p.id, $3, $4, $5, p.name, p.pronouns, p.title, p.department, p.institution, p.city, \
         p.library_type, $6, $7, $8, 0, 0, $9, $9 FROM panelists p WHERE p.id = $10 RETURNING id",
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
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("panelist"))
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
    /// The heading goes before this paragraph (0: at the top).
    pub editor_heading_at: i64,
    pub editor_note: Option<String>,
    pub edited_body: Option<String>,
}

impl Store {
    pub async fn edit_answer(&self, answer_id: i64, edit: &AnswerEdit) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        save_answer_edit(&mut tx, answer_id, edit).await?;
        super::projection::project_post_of_answer(&mut tx, answer_id).await?;
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Keeps the editor's heading, note and edited text of one answer.
pub(super) async fn save_answer_edit(
    tx: &mut Tx,
    answer_id: i64,
    edit: &AnswerEdit,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE answers SET editor_heading = $1, editor_note = $2, edited_body = $3, updated_at = $4, \
         editor_heading_at = $6 WHERE id = $5",
    )
    .bind(&edit.editor_heading)
    .bind(&edit.editor_note)
    .bind(&edit.edited_body)
    .bind(now())
    .bind(answer_id)
    .bind(edit.editor_heading_at)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("answer"));
    }
    Ok(())
}

/// A round with its response numbers, for the dashboard and the list of rounds.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RoundSummary {
    pub id: i64,
    pub prompt: String,
    pub status: String,
    pub closes_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub post_id: Option<i64>,
    pub invited: i64,
    pub opened: i64,
    pub answered: i64,
}

/// One panelist's invitation to a round, as the editor sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct InvitationRow {
    pub id: i64,
    pub panelist_id: i64,
    pub panelist_name: String,
    pub email: String,
    pub sent_at: Option<i64>,
    pub opened_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub reminded_at: Option<i64>,
    /// The hash of the link's token, to tell which way the token was made.
    pub token_hash: String,
}

/// A mail to one invited panelist that carries their link.
#[derive(Debug, Clone)]
pub struct InvitationMail {
    pub invitation_id: i64,
    pub mail: super::OutgoingMail,
    /// The hash of the new token the mail's link carries, when the invitation's own link
    /// could not be made again (see `tokens::invitation_link`).
    pub new_token_hash: Option<String>,
}

/// The invitation takes the new link its mail carries, if it has one.
async fn renew_link(tx: &mut Tx, m: &InvitationMail) -> StoreResult<()> {
    match &m.new_token_hash {
        Some(hash) => set_token_hash(tx, m.invitation_id, hash).await,
        None => Ok(()),
    }
}

/// A question in the queue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct QuestionRow {
    pub id: i64,
    pub prompt: String,
    pub original_prompt: String,
    pub examples: Option<String>,
    pub follow_up: Option<String>,
    pub state: String,
    pub submitter_name: Option<String>,
    pub submitter_email: Option<String>,
    pub credit_submitter: i64,
    /// The submitter asked for an email with the post's link when it is published.
    pub notify_submitter: i64,
    pub created_at: i64,
}

/// Everything the answer page needs, found from the link's token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationContext {
    pub invitation_id: i64,
    pub round_id: i64,
    pub panelist_id: i64,
    pub expires_at: i64,
    pub prompt: String,
    pub examples: Option<String>,
    pub follow_up: Option<String>,
    pub round_status: String,
    pub closes_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub post_id: Option<i64>,
}

/// What the panelist sends from the answer page.
#[derive(Debug, Clone)]
pub struct AnswerSubmission {
    pub signature: crate::domain::Signature,
    pub attribution: Attribution,
    pub role_description: Option<String>,
    pub show_library_type: bool,
    pub choice: Option<String>,
    pub body: String,
    /// Arrived after the round closed or the link expired: kept for the editor as late.
    pub is_late: bool,
}

const INVITATION_ROWS: &str =
    "SELECT i.id, i.panelist_id, p.name AS panelist_name, p.email, i.sent_at, i.opened_at, \
     i.answered_at, i.reminded_at, i.token_hash FROM invitations i JOIN panelists p ON p.id = i.panelist_id";

const QUESTION_COLUMNS: &str =
    "id, prompt, original_prompt, examples, follow_up, state, submitter_name, \
     submitter_email, credit_submitter, notify_submitter, created_at";

impl Store {
    /// Rounds with invited, opened and answered counts, newest first; `status` filters.
    pub async fn round_summaries(
        &self,
        status: Option<RoundStatus>,
    ) -> StoreResult<Vec<RoundSummary>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.prompt, r.status, r.closes_at, r.closed_at, r.post_id, \
             (SELECT COUNT(*) FROM invitations i WHERE i.round_id = r.id) AS invited, \
             (SELECT COUNT(*) FROM invitations i WHERE i.round_id = r.id AND i.opened_at IS NOT NULL) AS opened, \
             (SELECT COUNT(*) FROM answers a WHERE a.round_id = r.id AND a.withdrawn_at IS NULL) AS answered \
             FROM rounds r WHERE ($1 = '' OR r.status = $1) ORDER BY r.created_at DESC, r.id DESC",
        )
        .bind(status.map(RoundStatus::as_str).unwrap_or(""))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn invitations_of_round(&self, round_id: i64) -> StoreResult<Vec<InvitationRow>> {
        Ok(sqlx::query_as(&format!(
            "{INVITATION_ROWS} WHERE i.round_id = $1 ORDER BY p.name, i.id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One invitation of a round: not found when it belongs to another round.
    pub async fn invitation_of_round(
        &self,
        round_id: i64,
        invitation_id: i64,
    ) -> StoreResult<InvitationRow> {
        sqlx::query_as(&format!(
            "{INVITATION_ROWS} WHERE i.round_id = $1 AND i.id = $2"
        ))
        .bind(round_id)
        .bind(invitation_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("invitation"))
    }

    /// The round's short-answer choices, in order.
    pub async fn round_choices(&self, round_id: i64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT label FROM round_choices WHERE round_id = $1 ORDER BY position",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Opens a round: the round, one invitation per panelist and their invitation emails, in
    /// one unit of work — all of it or none. `invite(panelist_id, invitation_id)` gives the
    /// hash of the invitation's link token and the email carrying the link.
    pub async fn open_round<F>(
        &self,
        round: &NewRound,
        reminder_days: &str,
        panelist_ids: &[i64],
        expires_at: i64,
        invite: F,
    ) -> StoreResult<i64>
    where
        F: Fn(i64, i64) -> Result<(String, super::OutgoingMail), String>,
    {
        let at = now();
        let mut tx = self.begin().await?;
        let id = insert_round(&mut tx, round, reminder_days, at).await?;
        for panelist_id in panelist_ids {
            let invitation_id =
                insert_invitation(&mut tx, id, *panelist_id, at, expires_at).await?;
            let (token_hash, mut mail) =
                invite(*panelist_id, invitation_id).map_err(StoreError::Conflict)?;
            set_token_hash(&mut tx, invitation_id, &token_hash).await?;
            mail.dedupe_key = Some(format!("invitation:{id}:{panelist_id}"));
            super::outbox::enqueue(&mut tx, &mail).await?;
        }
        set_question_state(&mut tx, round.question_id, QuestionState::Asked).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Queues reminders for invitations still unanswered, marking them reminded. `mails`
    /// holds each one; `dedupe` names this reminder so a second run queues nothing twice.
    pub async fn queue_reminders(
        &self,
        round_id: i64,
        dedupe: &str,
        mails: &[InvitationMail],
    ) -> StoreResult<usize> {
        let at = now();
        let mut tx = self.begin().await?;
        let mut queued = 0;
        for m in mails {
            let mut mail = m.mail.clone();
            mail.dedupe_key = Some(format!("reminder:{round_id}:{}:{dedupe}", m.invitation_id));
            if super::outbox::enqueue(&mut tx, &mail).await?.is_some() {
                queued += 1;
                renew_link(&mut tx, m).await?;
                sqlx::query("UPDATE invitations SET reminded_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(m.invitation_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues one panelist's invitation again, as the editor asked.
    pub async fn resend_invitation(&self, m: &InvitationMail) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let mut mail = m.mail.clone();
        // Each press of the button sends one mail; a form sent twice in a second, one.
        mail.dedupe_key = Some(format!("resend:{}:{}", m.invitation_id, now()));
        super::outbox::enqueue(&mut tx, &mail).await?;
        renew_link(&mut tx, m).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops taking answers on time; later ones are kept as late answers. False when the
    /// round was not open.
    pub async fn close_round(&self, round_id: i64) -> StoreResult<bool> {
        let at = now();
        let done = sqlx::query(
            "UPDATE rounds SET status = 'closed', closed_at = $1, updated_at = $1 WHERE id = $2 AND status = 'open'",
        )
        .bind(at)
        .bind(round_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Opens a closed round again until `closes_at`; its links work until `expires_at` at
    /// least. Answers kept stay. False when the round was not closed.
    pub async fn reopen_round(
        &self,
        round_id: i64,
        closes_at: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let at = now();
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE rounds SET status = 'open', closes_at = $1, closed_at = NULL, updated_at = $2 \
             WHERE id = $3 AND status = 'closed'",
        )
        .bind(closes_at)
        .bind(at)
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE invitations SET expires_at = $1 WHERE round_id = $2 AND expires_at < $1",
        )
        .bind(expires_at)
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Open rounds whose closing time has passed.
    pub async fn rounds_due_to_close(&self, at: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar("SELECT id FROM rounds WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1")
            .bind(at)
            .fetch_all(self.pool())
            .await?)
    }

    /// `(round id, closes_at, reminder days)` of open rounds, for the reminder schedule.
    pub async fn open_round_schedules(&self) -> StoreResult<Vec<(i64, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, closes_at, reminder_days FROM rounds WHERE status = 'open' AND closes_at IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The invitation a link's token belongs to, with its round.
    pub async fn invitation_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<InvitationContext>> {
        Ok(sqlx::query_as(
            "SELECT i.id AS invitation_id, i.round_id, i.panelist_id, i.expires_at, r.prompt, r.examples, \
             r.follow_up, r.status AS round_status, r.closes_at, r.closed_at, r.post_id \
             FROM invitations i JOIN rounds r ON r.id = i.round_id WHERE i.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn mark_invitation_opened(&self, invitation_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE invitations SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL")
            .bind(now())
            .bind(invitation_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The answer given through an invitation, if any: `(attribution, role, show type, choice,
    /// body, late)`.
    pub async fn answer_of_invitation(
        &self,
        invitation_id: i64,
    ) -> StoreResult<Option<(String, Option<String>, i64, Option<String>, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT a.attribution, a.role_description, a.show_library_type, c.label, a.body, a.is_late \
             FROM answers a LEFT JOIN round_choices c ON c.id = a.choice_id WHERE a.invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Saves a panelist's answer through their invitation: their profile takes the signature
    /// as edited, the answer is created or replaced with a snapshot of it, and the receipt (and
    /// any alerts to editors) queued — in one unit of work.
    pub async fn save_answer(
        &self,
        invitation: &InvitationContext,
        answer: &AnswerSubmission,
        receipt: &super::OutgoingMail,
        alerts: &[super::OutgoingMail],
    ) -> StoreResult<i64> {
        let at = now();
        let mut tx = self.begin().await?;
        let s = &answer.signature;
        update_profile(&mut tx, invitation.panelist_id, s, at).await?;
        let choice_id = choice_id(&mut tx, invitation.round_id, answer.choice.as_deref()).await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM answers WHERE invitation_id = $1")
                .bind(invitation.invitation_id)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match existing {
            Some(id) => {
                bind_signing(
                    sqlx::query(
                        "UPDATE answers SET attribution = $1, role_description = $2, show_library_type = $3, \
                         sig_name = $4, sig_pronouns = $5, sig_title = $6, sig_department = $7, sig_institution = $8, \
                         sig_city = $9, choice_id = $10, body = $11, is_late = $12, updated_at = $13, \
                         withdrawn_at = NULL WHERE id = $14",
                    ),
                    answer,
                )
                .bind(choice_id)
                .bind(&answer.body)
                .bind(flag(answer.is_late))
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let new = NewAnswer {
                    round_id: invitation.round_id,
                    invitation_id: Some(invitation.invitation_id),
                    panelist_id: invitation.panelist_id,
                    attribution: answer.attribution,
                    role_description: answer.role_description.clone(),
                    show_library_type: answer.show_library_type,
                    choice: answer.choice.clone(),
                    body: answer.body.clone(),
                    is_late: answer.is_late,
                    submitted_at: at,
                };
                insert_answer(&mut tx, &new, choice_id).await?
            }
        };
        sqlx::query("UPDATE invitations SET answered_at = $1 WHERE id = $2")
            .bind(at)
            .bind(invitation.invitation_id)
            .execute(&mut *tx)
            .await?;
        let mut receipt = receipt.clone();
        receipt.dedupe_key = Some(format!("receipt:{id}:{at}"));
        super::outbox::enqueue(&mut tx, &receipt).await?;
        for alert in alerts {
            super::outbox::enqueue(&mut tx, alert).await?;
        }
        // An answer in a draft post shows there as it is now. (A published answer's change
        // waits for the editor, and does not come this way.)
        super::projection::project_post_of_answer(&mut tx, id).await?;
        // The profile may have changed, and with it the panelist's public page.
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn questions(&self, state: Option<QuestionState>) -> StoreResult<Vec<QuestionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {QUESTION_COLUMNS} FROM questions WHERE ($1 = '' OR state = $1) ORDER BY created_at DESC, id DESC"
        ))
        .bind(state.map(QuestionState::as_str).unwrap_or(""))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn question(&self, id: i64) -> StoreResult<QuestionRow> {
        sqlx::query_as(&format!(
            "SELECT {QUESTION_COLUMNS} FROM questions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("question"))
    }

    /// The question a post's round asked, if the post comes from a round.
    pub async fn question_of_post(&self, post_id: i64) -> StoreResult<Option<QuestionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {QUESTION_COLUMNS} FROM questions \
             WHERE id = (SELECT question_id FROM rounds WHERE post_id = $1)"
        ))
        .bind(post_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The editor's rewording, state and credit choice for a question. The credit line is on
    /// the question's published post, so readers see the change at once.
    pub async fn update_question(
        &self,
        id: i64,
        prompt: &str,
        examples: Option<&str>,
        follow_up: Option<&str>,
        state: QuestionState,
        credit_submitter: bool,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE questions SET prompt = $1, examples = $2, follow_up = $3, state = $4, credit_submitter = $5, \
             updated_at = $6 WHERE id = $7",
        )
        .bind(prompt)
        .bind(examples)
        .bind(follow_up)
        .bind(state.as_str())
        .bind(flag(credit_submitter))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("question"));
        }
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `(state, count)` of the question queue.
    pub async fn question_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT state, COUNT(*) FROM questions GROUP BY state ORDER BY state")
                .fetch_all(self.pool())
                .await?,
        )
    }
}

//! Changes a panelist proposes to an answer that is already published: kept apart from the
//! answer until the editor accepts (the answer takes them, with a revision of the post and an
//! optional edit note) or declines them (they stay readable). A change that only hides more of
//! who wrote the answer applies at once: that is the panelist's right.

use super::posts::answer_in;
use super::projection::project_post;
use super::revisions::keep_revision;
use super::rounds::{bind_signing, choice_id, update_profile};
use super::{bump_content_version, flag, now, Store, StoreError, StoreResult, Tx};
use super::{AnswerSubmission, InvitationContext, OutgoingMail};
use crate::domain::Attribution;

/// An answer given through an invitation that readers can see: in a published post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublishedAnswer {
    pub answer_id: i64,
    pub post_id: i64,
    pub attribution: String,
}

/// A proposed change, with the answer it would change as readers see it now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProposalRow {
    pub id: i64,
    pub answer_id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub panelist_name: String,
    pub panelist_email: String,
    /// The answer's text as published now.
    pub published_body: String,
    pub body: String,
    pub attribution: String,
    pub proposed_at: i64,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
}

const PROPOSAL_COLUMNS: &str = "pr.id, pr.answer_id, a.post_id, p.title AS post_title, \
     pn.name AS panelist_name, pn.email AS panelist_email, \
     COALESCE(a.edited_body, a.body) AS published_body, pr.body, pr.attribution, pr.proposed_at, \
     pr.decision, pr.decided_at \
     FROM answer_proposals pr JOIN answers a ON a.id = pr.answer_id \
     JOIN posts p ON p.id = a.post_id JOIN panelists pn ON pn.id = a.panelist_id";

/// What the editor decided about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accepted,
    Declined,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Declined => "declined",
        }
    }
}

impl Store {
    /// The answer given through this invitation, when it is in a published post.
    pub async fn published_answer_of_invitation(
        &self,
        invitation_id: i64,
    ) -> StoreResult<Option<PublishedAnswer>> {
        Ok(sqlx::query_as(
            "SELECT a.id AS answer_id, a.post_id, a.attribution \
             FROM answers a JOIN posts p ON p.id = a.post_id \
             WHERE a.invitation_id = $1 AND a.included = 1 AND p.status = 'published'",
        )
        .bind(invitation_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The change waiting for the editor on the answer given through this invitation, as
    /// [`Store::answer_of_invitation`] gives an answer.
    pub async fn waiting_proposal_of_invitation(
        &self,
        invitation_id: i64,
    ) -> StoreResult<Option<(String, Option<String>, i64, Option<String>, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT pr.attribution, pr.role_description, pr.show_library_type, c.label, pr.body, a.is_late \
             FROM answer_proposals pr JOIN answers a ON a.id = pr.answer_id \
             LEFT JOIN round_choices c ON c.id = pr.choice_id \
             WHERE a.invitation_id = $1 AND pr.decision IS NULL",
        )
        .bind(invitation_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Keeps a panelist's change to their published answer for the editor, replacing one
    /// still waiting, and queues the receipt and alerts; with `hide_now`, the answer is signed
    /// that way at once (and searched that way). One unit of work.
    pub async fn propose_answer_change(
        &self,
        invitation: &InvitationContext,
        published: &PublishedAnswer,
        change: &AnswerSubmission,
        hide_now: bool,
        mails: &[OutgoingMail],
    ) -> StoreResult<i64> {
        let at = now();
        let mut tx = self.begin().await?;
        update_profile(&mut tx, invitation.panelist_id, &change.signature, at).await?;
        let choice = choice_id(&mut tx, invitation.round_id, change.choice.as_deref()).await?;
        sqlx::query("DELETE FROM answer_proposals WHERE answer_id = $1 AND decision IS NULL")
            .bind(published.answer_id)
            .execute(&mut *tx)
            .await?;
        let row = bind_signing(
            sqlx::query(
                "INSERT INTO answer_proposals (attribution, role_description, show_library_type, sig_name, \
                 sig_pronouns, sig_title, sig_department, sig_institution, sig_city, answer_id, choice_id, \
                 body, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 RETURNING id",
            ),
            change,
        )
        .bind(published.answer_id)
        .bind(choice)
        .bind(&change.body)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::Row::try_get(&row, 0)?;
        if hide_now {
            sign_answer(&mut tx, published.answer_id, change, at).await?;
            project_post(&mut tx, published.post_id).await?;
        }
        sqlx::query("UPDATE invitations SET answered_at = $1 WHERE id = $2")
            .bind(at)
            .bind(invitation.invitation_id)
            .execute(&mut *tx)
            .await?;
        for (n, mail) in mails.iter().enumerate() {
            let mut mail = mail.clone();
            mail.dedupe_key = Some(format!("proposal:{id}:{n}"));
            super::outbox::enqueue(&mut tx, &mail).await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Proposals waiting for the editor, on every post (`None`) or on one, oldest first.
    pub async fn waiting_proposals(&self, post_id: Option<i64>) -> StoreResult<Vec<ProposalRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} WHERE pr.decision IS NULL AND ($1 = 0 OR a.post_id = $1) \
             ORDER BY pr.proposed_at, pr.id"
        ))
        .bind(post_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?)
    }

    /// Proposals on a post that the editor decided, newest first.
    pub async fn decided_proposals(&self, post_id: i64) -> StoreResult<Vec<ProposalRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} WHERE pr.decision IS NOT NULL AND a.post_id = $1 \
             ORDER BY pr.decided_at DESC, pr.id DESC"
        ))
        .bind(post_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn proposal(&self, id: i64) -> StoreResult<ProposalRow> {
        sqlx::query_as(&format!("SELECT {PROPOSAL_COLUMNS} WHERE pr.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("proposal"))
    }

    /// Records the editor's decision on a waiting proposal and queues the mail telling the
    /// panelist. Accepted, the answer takes the proposal, the post keeps a revision of how it
    /// was, and `note` (when given) becomes an edit note. One unit of work.
    pub async fn decide_proposal(
        &self,
        id: i64,
        decision: Decision,
        editor_id: Option<i64>,
        note: Option<&str>,
        mail: &OutgoingMail,
    ) -> StoreResult<()> {
        let at = now();
        let mut tx = self.begin().await?;
        let decided = sqlx::query(
            "UPDATE answer_proposals SET decision = $1, decided_at = $2, decided_by = $3 \
             WHERE id = $4 AND decision IS NULL",
        )
        .bind(decision.as_str())
        .bind(at)
        .bind(editor_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if decided.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this proposal was decided already".into(),
            ));
        }
        if decision == Decision::Accepted {
            accept(&mut tx, id, editor_id, note, at).await?;
        }
        let mut mail = mail.clone();
        mail.dedupe_key = Some(format!("proposal-decided:{id}"));
        super::outbox::enqueue(&mut tx, &mail).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The answer takes an accepted proposal, after a revision of the post as it was.
async fn accept(
    tx: &mut Tx,
    id: i64,
    editor_id: Option<i64>,
    note: Option<&str>,
    at: i64,
) -> StoreResult<()> {
    let (answer_id, post_id): (i64, i64) = sqlx::query_as(
        "SELECT a.id, a.post_id FROM answer_proposals pr JOIN answers a ON a.id = pr.answer_id \
         WHERE pr.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    keep_revision(tx, post_id, editor_id, at, "Accepted a panelist’s change").await?;
    // The panelist's new words replace the editor's light edit of the old ones.
    sqlx::query(
        "UPDATE answers SET (attribution, role_description, show_library_type, sig_name, sig_pronouns, \
         sig_title, sig_department, sig_institution, sig_city, choice_id, body) = \
         (SELECT attribution, role_description, show_library_type, sig_name, sig_pronouns, sig_title, \
         sig_department, sig_institution, sig_city, choice_id, body FROM answer_proposals WHERE id = $1), \
         edited_body = NULL, updated_at = $2 WHERE id = $3",
    )
    .bind(id)
    .bind(at)
    .bind(answer_id)
    .execute(&mut **tx)
    .await?;
    if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
        sqlx::query("INSERT INTO edit_notes (post_id, noted_at, body) VALUES ($1, $2, $3)")
            .bind(post_id)
            .bind(at)
            .bind(note)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE posts SET updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    project_post(tx, post_id).await?;
    bump_content_version(tx).await
}

/// How an answer is signed, apart from the signature itself.
pub(super) struct Signing<'a> {
    pub attribution: Attribution,
    pub role_description: Option<&'a str>,
    pub show_library_type: bool,
}

/// Signs a published answer as the change says (how it is signed, nothing else).
async fn sign_answer(
    tx: &mut Tx,
    answer_id: i64,
    change: &AnswerSubmission,
    at: i64,
) -> StoreResult<()> {
    let signing = Signing {
        attribution: change.attribution,
        role_description: change.role_description.as_deref(),
        show_library_type: change.show_library_type,
    };
    set_signing(tx, answer_id, &signing, at).await
}

/// Signs an answer this way; notes that named it call it what readers now see.
pub(super) async fn set_signing(
    tx: &mut Tx,
    answer_id: i64,
    signing: &Signing<'_>,
    at: i64,
) -> StoreResult<()> {
    let before = answer_in(tx, answer_id).await?.byline();
    sqlx::query(
        "UPDATE answers SET attribution = $1, role_description = $2, show_library_type = $3, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(signing.attribution.as_str())
    .bind(signing.role_description)
    .bind(flag(signing.show_library_type))
    .bind(at)
    .bind(answer_id)
    .execute(&mut **tx)
    .await?;
    let after = answer_in(tx, answer_id).await?;
    // Notes readers see name the answer as it was signed ("… to add Jan Wilbur's answer"):
    // once it shows less of who wrote it, they call it what readers now see.
    let post_id = Some(after.post_id).filter(|id| *id != 0);
    if let (Some(post_id), true) = (post_id, before.short != after.byline().short) {
        if !before.short.trim().is_empty() {
            sqlx::query("UPDATE edit_notes SET body = REPLACE(body, $1, $2) WHERE post_id = $3")
                .bind(&before.short)
                .bind(&after.byline().short)
                .bind(post_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

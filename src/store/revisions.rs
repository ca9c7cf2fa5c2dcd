//! Revisions: how a published post was before each change to it (compiling again, accepting
//! a panelist's change, adding a late answer, a direct edit, a restore). The editor compares
//! any two and restores one (`writing` puts one back, keeping the version it replaces too).
//! A revision holds public text only: the answers' words, never who wrote them, so a restore
//! cannot bring back a name a panelist has since hidden.

use serde::{Deserialize, Serialize};

use super::{Store, StoreError, StoreResult, Tx};

/// A post's public content at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub closing: String,
    /// Imported HTML, for posts that have it; older revisions did not keep it.
    #[serde(default)]
    pub body_html: Option<String>,
    #[serde(default)]
    pub body_text: Option<String>,
    /// The included answers, in order.
    #[serde(default)]
    pub answers: Vec<SnapshotAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotAnswer {
    pub id: i64,
    pub position: i64,
    /// The text readers saw: the editor's edit when there was one.
    pub body: String,
}

/// A kept revision, for the editor's list.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub id: i64,
    pub post_id: i64,
    pub created_at: i64,
    pub editor_name: Option<String>,
    /// The change that replaced this version.
    pub reason: String,
    pub snapshot: Snapshot,
}

type RawRevision = (i64, i64, i64, Option<String>, String, String, String);

const REVISION_COLUMNS: &str =
    "r.id, r.post_id, r.created_at, e.display_name, r.reason, r.title, r.snapshot \
     FROM revisions r LEFT JOIN editors e ON e.id = r.editor_id";

fn revision_of(
    (id, post_id, created_at, editor_name, reason, title, snapshot): RawRevision,
) -> RevisionRow {
    // The title has its own column; snapshots written before it was in them lack it.
    let mut snapshot: Snapshot = serde_json::from_str(&snapshot).unwrap_or_default();
    snapshot.title = title;
    RevisionRow {
        id,
        post_id,
        created_at,
        editor_name,
        reason,
        snapshot,
    }
}

impl Store {
    /// A post's revisions, newest first.
    pub async fn revisions(&self, post_id: i64) -> StoreResult<Vec<RevisionRow>> {
        let rows: Vec<RawRevision> = sqlx::query_as(&format!(
            "SELECT {REVISION_COLUMNS} WHERE r.post_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ))
        .bind(post_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(revision_of).collect())
    }

    pub async fn revision(&self, id: i64) -> StoreResult<RevisionRow> {
        let row: Option<RawRevision> =
            sqlx::query_as(&format!("SELECT {REVISION_COLUMNS} WHERE r.id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(revision_of).ok_or(StoreError::NotFound("revision"))
    }

    /// The post as readers see it now, in the form revisions keep.
    pub async fn current_snapshot(&self, post_id: i64) -> StoreResult<Snapshot> {
        let mut tx = self.begin().await?;
        let snapshot = snapshot_of(&mut tx, post_id).await?;
        tx.commit().await?;
        Ok(snapshot)
    }
}

async fn snapshot_of(tx: &mut Tx, post_id: i64) -> StoreResult<Snapshot> {
    let (title, intro, closing, body_html, body_text): (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT title, intro, closing, body_html, body_text FROM posts WHERE id = $1",
    )
    .bind(post_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("post"))?;
    let answers: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, position, COALESCE(edited_body, body) FROM answers \
         WHERE post_id = $1 AND included = 1 ORDER BY position, id",
    )
    .bind(post_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Snapshot {
        title,
        intro,
        closing,
        body_html,
        body_text,
        answers: answers
            .into_iter()
            .map(|(id, position, body)| SnapshotAnswer { id, position, body })
            .collect(),
    })
}

/// Rewrites a post's own text (title, intro, closing, and imported HTML when given); its
/// answers are left as they are.
pub(super) async fn write_content(
    tx: &mut Tx,
    post_id: i64,
    content: &Snapshot,
    at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE posts SET title = $1, intro = $2, closing = $3, body_html = COALESCE($4, body_html), \
         body_text = COALESCE($5, body_text), updated_at = $6 WHERE id = $7",
    )
    .bind(&content.title)
    .bind(&content.intro)
    .bind(&content.closing)
    .bind(&content.body_html)
    .bind(&content.body_text)
    .bind(at)
    .bind(post_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps the post as it is now as a revision, before a change to it after publication;
/// `reason` says what change replaced it.
pub(super) async fn keep_revision(
    tx: &mut Tx,
    post_id: i64,
    editor_id: Option<i64>,
    at: i64,
    reason: &str,
) -> StoreResult<()> {
    let snapshot = snapshot_of(tx, post_id).await?;
    let json = serde_json::to_string(&snapshot).map_err(|e| StoreError::Conflict(e.to_string()))?;
    sqlx::query(
        "INSERT INTO revisions (post_id, editor_id, created_at, title, snapshot, reason) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(post_id)
    .bind(editor_id)
    .bind(at)
    .bind(&snapshot.title)
    .bind(json)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

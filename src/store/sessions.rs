//! Editor sessions, kept in the database so that several servers share them and a restart
//! signs nobody out. Only a hash of the cookie's token is stored. Also the single-use links
//! that reset a forgotten password.

use super::{now, EditorRow, OutgoingMail, Store, StoreResult};

/// A session as the editor's session list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Names the session in forms; the cookie's token never leaves the browser.
    pub public_id: String,
    pub token_hash: String,
    pub user_agent: Option<String>,
    pub client: Option<String>,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
}

/// Where a session was opened: for the editor's list of sessions.
#[derive(Debug, Clone, Default)]
pub struct SignInPlace {
    pub user_agent: Option<String>,
    pub client: Option<String>,
}

impl Store {
    /// Opens a session for `editor_id`; `token_hash` is the hash of the cookie's value, `place`
    /// the browser and address it was opened from.
    pub async fn create_session(
        &self,
        token_hash: &str,
        editor_id: i64,
        csrf_token: &str,
        lifetime: i64,
        place: &SignInPlace,
    ) -> StoreResult<()> {
        let at = now();
        let mut tx = self.begin().await?;
        // Expired sessions are swept whenever someone signs in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, editor_id, csrf_token, created_at, expires_at, \
             user_agent, client, last_seen_at, public_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $4, $8)",
        )
        .bind(token_hash)
        .bind(editor_id)
        .bind(csrf_token)
        .bind(at)
        .bind(at + lifetime)
        .bind(&place.user_agent)
        .bind(&place.client)
        .bind(&crate::tokens::random_token()[..16])
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The editor signed in with this session, the session's CSRF token and the notice waiting
    /// for the next page, unless the session has expired.
    pub async fn session(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(EditorRow, String, Option<String>)>> {
        type Row = (i64, String, String, Option<String>, String, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT e.id, e.email, e.display_name, e.password_hash, s.csrf_token, s.notice FROM sessions s \
             JOIN editors e ON e.id = s.editor_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        Ok(
            row.map(|(id, email, display_name, password_hash, csrf, notice)| {
                (
                    EditorRow {
                        id,
                        email,
                        display_name,
                        password_hash,
                    },
                    csrf,
                    notice,
                )
            }),
        )
    }

    /// Leaves `notice` for the next page the session shows.
    pub async fn set_session_notice(&self, token_hash: &str, notice: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET notice = $1 WHERE token_hash = $2")
            .bind(notice)
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Notes that a session was used now and drops its notice, which [`Store::session`] has
    /// just read: one statement, and no write at all within a minute of the last when no
    /// notice waits.
    pub async fn session_seen(&self, token_hash: &str) -> StoreResult<()> {
        let at = now();
        sqlx::query(
            "UPDATE sessions SET notice = NULL, last_seen_at = CASE \
             WHEN last_seen_at IS NULL OR last_seen_at < $3 THEN $1 ELSE last_seen_at END \
             WHERE token_hash = $2 AND (notice IS NOT NULL OR last_seen_at IS NULL OR last_seen_at < $3)",
        )
        .bind(at)
        .bind(token_hash)
        .bind(at - 60)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// An editor's open sessions, the most recently used first.
    pub async fn sessions_of(&self, editor_id: i64) -> StoreResult<Vec<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(public_id, '') AS public_id, token_hash, user_agent, client, created_at, last_seen_at \
             FROM sessions WHERE editor_id = $1 AND expires_at > $2 \
             ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC",
        )
        .bind(editor_id)
        .bind(now())
        .fetch_all(self.pool())
        .await?)
    }

    /// Ends one of the editor's sessions, named by its public id; false when there is none.
    pub async fn end_session(&self, editor_id: i64, public_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE editor_id = $1 AND public_id = $2")
            .bind(editor_id)
            .bind(public_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends every session of the editor but the one with `keep_token_hash`.
    pub async fn end_other_sessions(
        &self,
        editor_id: i64,
        keep_token_hash: &str,
    ) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE editor_id = $1 AND token_hash <> $2")
            .bind(editor_id)
            .bind(keep_token_hash)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Queues the email with a password-reset link, and records the link, together.
    pub async fn request_password_reset(
        &self,
        editor_id: i64,
        token_hash: &str,
        lifetime: i64,
        mail: &OutgoingMail,
    ) -> StoreResult<()> {
        let at = now();
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM password_resets WHERE expires_at < $1")
            .bind(at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, editor_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(editor_id)
        .bind(at)
        .bind(at + lifetime)
        .execute(&mut *tx)
        .await?;
        super::outbox::enqueue(&mut tx, mail).await?;
        tx.commit().await
    }

    /// The editor a reset link belongs to, while it is unused and unexpired.
    pub async fn password_reset_editor(&self, token_hash: &str) -> StoreResult<Option<EditorRow>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.email, e.display_name, e.password_hash FROM password_resets r \
             JOIN editors e ON e.id = r.editor_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Uses a reset link: the editor's password becomes `password_hash` and every session of
    /// theirs ends, in one unit of work. `None` when the link is used, expired or unknown.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> StoreResult<Option<EditorRow>> {
        let at = now();
        let mut tx = self.begin().await?;
        // Claiming the link first makes a second use of it, even at the same moment, find nothing.
        let editor_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING editor_id",
        )
        .bind(at)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(editor_id) = editor_id else {
            return Ok(None);
        };
        sqlx::query("UPDATE editors SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(editor_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE editor_id = $1")
            .bind(editor_id)
            .execute(&mut *tx)
            .await?;
        // Other links asked for in the same hour go too: one new password ends them all.
        sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE editor_id = $2 AND used_at IS NULL",
        )
        .bind(at)
        .bind(editor_id)
        .execute(&mut *tx)
        .await?;
        let editor = sqlx::query_as(
            "SELECT id, email, display_name, password_hash FROM editors WHERE id = $1",
        )
        .bind(editor_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(editor))
    }
}

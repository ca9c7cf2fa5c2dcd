//! Editor sessions, kept in the database so that several servers share them and a restart
//! signs nobody out. Only a hash of the cookie's token is stored.

use super::{now, EditorRow, Store, StoreResult};

impl Store {
    /// Opens a session for `editor_id`; `token_hash` is the hash of the cookie's value.
    pub async fn create_session(
        &self,
        token_hash: &str,
        editor_id: i64,
        csrf_token: &str,
        lifetime: i64,
    ) -> StoreResult<()> {
        let at = now();
        let mut tx = self.begin().await?;
        // Expired sessions are swept whenever someone signs in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, editor_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(editor_id)
        .bind(csrf_token)
        .bind(at)
        .bind(at + lifetime)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The editor signed in with this session and the session's CSRF token, unless expired.
    pub async fn session(&self, token_hash: &str) -> StoreResult<Option<(EditorRow, String)>> {
        let row: Option<(i64, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT e.id, e.email, e.display_name, e.password_hash, s.csrf_token FROM sessions s \
             JOIN editors e ON e.id = s.editor_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id, email, display_name, password_hash, csrf)| {
            (
                EditorRow {
                    id,
                    email,
                    display_name,
                    password_hash,
                },
                csrf,
            )
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

//! Editor accounts. Passwords arrive here already hashed.

use super::{now, Store, StoreError, StoreResult};
use crate::domain::Email;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EditorRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
}

impl Store {
    /// Adds an editor, or says that the address already has an account.
    pub async fn create_editor(
        &self,
        email: &Email,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<i64> {
        // In a unit of work, as every INSERT … RETURNING: see `create_question`.
        let mut tx = self.begin().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO editors (email, display_name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(email.as_str())
        .bind(display_name)
        .bind(password_hash)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)
        .map_err(|e| {
            if e.is_unique_violation() {
                StoreError::Conflict(format!("an editor with the address {email} already exists"))
            } else {
                e
            }
        })?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn editor_by_email(&self, email: &str) -> StoreResult<Option<EditorRow>> {
        Ok(sqlx::query_as(
            "SELECT id, email, display_name, password_hash FROM editors WHERE LOWER(email) = LOWER($1)",
        )
        .bind(email)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn count_editors(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM editors")
            .fetch_one(self.pool())
            .await?)
    }
}

impl Store {
    /// Every editor's address, for alerts.
    pub async fn editor_emails(&self) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT email FROM editors ORDER BY id")
            .fetch_all(self.pool())
            .await?)
    }
}

impl Store {
    /// Replaces an editor's password (an imported author gets their first one) and ends every
    /// session of theirs, together: whoever knew the old password is signed out. False when no
    /// editor has the address.
    pub async fn set_editor_password(&self, email: &str, password_hash: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done =
            sqlx::query("UPDATE editors SET password_hash = $1 WHERE LOWER(email) = LOWER($2)")
                .bind(password_hash)
                .bind(email)
                .execute(&mut *tx)
                .await?;
        sqlx::query(
            "DELETE FROM sessions WHERE editor_id IN (SELECT id FROM editors WHERE LOWER(email) = LOWER($1))",
        )
        .bind(email)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

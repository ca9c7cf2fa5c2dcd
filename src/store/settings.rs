//! Site settings: a small key/value table (title, base URL, time zone, mail sender …).

use super::{Store, StoreResult};

impl Store {
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn settings(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT key, value FROM settings ORDER BY key")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Writes a consistent copy of a SQLite database to `file` while it stays in use.
    pub async fn copy_into(&self, file: &std::path::Path) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(file.to_string_lossy().to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

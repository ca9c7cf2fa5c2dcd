//! What readers send besides comments: newsletter subscriptions, and the counters that keep
//! any one address from flooding a form.

use super::{now, Store, StoreResult};
use crate::domain::Email;

impl Store {
    /// Records a hit on `bucket` and says whether it is within `max` hits per `window` seconds.
    pub async fn allow_rate(&self, bucket: &str, window: i64, max: i64) -> StoreResult<bool> {
        Ok(self.hit(bucket, window).await? <= max)
    }

    /// Adds a hit to `bucket` and returns its hits in the current window of `window` seconds,
    /// this one included. One statement, so concurrent hits are all counted on both databases
    /// (a read followed by a write would let a burst through and lose updates).
    pub async fn hit(&self, bucket: &str, window: i64) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let hits = sqlx::query_scalar(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
             hits = CASE WHEN $2 - rate_limits.window_start < $3 THEN rate_limits.hits + 1 ELSE 1 END, \
             window_start = CASE WHEN $2 - rate_limits.window_start < $3 THEN rate_limits.window_start ELSE $2 END \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(now())
        .bind(window)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(hits)
    }

    /// Takes back one hit of `bucket` (a sign-in that turned out right).
    pub async fn unhit(&self, bucket: &str) -> StoreResult<()> {
        sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
            .bind(bucket)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Adds a pending subscriber and queues the confirmation email, together. An address
    /// already on the list is left as it is (and gets no second email). Returns whether the
    /// address is new.
    pub async fn add_subscriber(
        &self,
        email: &Email,
        confirm_token_hash: &str,
        confirmation: Option<&super::OutgoingMail>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "INSERT INTO subscribers (email, status, confirm_token_hash, unsubscribe_token_hash, created_at) \
             VALUES ($1, 'pending', $2, $2, $3) ON CONFLICT (email) DO NOTHING",
        )
        .bind(email.as_str())
        .bind(confirm_token_hash)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let new = done.rows_affected() == 1;
        if let (true, Some(mail)) = (new, confirmation) {
            super::outbox::enqueue(&mut tx, mail).await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    /// Confirms the subscription whose confirmation link carries this token.
    pub async fn confirm_subscriber(&self, confirm_token_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET status = 'confirmed', confirmed_at = $1, confirm_token_hash = NULL \
             WHERE confirm_token_hash = $2 AND status = 'pending'",
        )
        .bind(now())
        .bind(confirm_token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Unsubscribes a subscriber by id; the caller has checked the link's token.
    pub async fn unsubscribe(&self, subscriber_id: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = $1 WHERE id = $2 AND status <> 'unsubscribed'",
        )
        .bind(now())
        .bind(subscriber_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// `(email, status)` of every subscriber, for the editor.
    pub async fn subscribers(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT email, status FROM subscribers ORDER BY created_at, id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// A random secret kept in the settings, created on first use (for hashing addresses).
    pub async fn secret(&self, name: &str) -> StoreResult<String> {
        let key = format!("secret_{name}");
        if let Some(value) = self.setting(&key).await? {
            return Ok(value);
        }
        let fresh = crate::tokens::random_token();
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&key)
        .bind(&fresh)
        .execute(self.pool())
        .await?;
        Ok(self.setting(&key).await?.unwrap_or(fresh))
    }
}

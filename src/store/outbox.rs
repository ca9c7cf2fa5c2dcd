//! The outbox: every email Roundtable sends is first a row here, queued inside the unit of work
//! that caused it, then claimed with a lease by a mail worker, sent, and marked sent — or retried
//! with exponential backoff, and finally marked failed where an editor can see it.
//!
//! A claim is guarded by the `locked_until` value it wrote: a worker whose lease ran out and was
//! taken over by another cannot mark the row afterwards. Leases only grow (a row is reclaimed
//! only after its lease has passed), so that value identifies one claim.

use std::collections::BTreeMap;
use std::fmt;

use super::{now, Backend, Store, StoreError, StoreResult, Tx};
use crate::domain::Email;

/// After this many failed attempts a message is given up on and marked `failed`.
pub const MAX_ATTEMPTS: i64 = 10;

/// The wait before the first retry; it doubles with every failed attempt.
const FIRST_RETRY_SECONDS: i64 = 30;

/// The longest wait between two attempts.
const LONGEST_RETRY_SECONDS: i64 = 3600;

/// Why a message is sent: each kind comes from one part of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Asks a panelist to answer a round.
    Invitation,
    /// Reminds a panelist whose answer is still missing.
    Reminder,
    /// Tells a panelist or reader that what they sent arrived.
    Receipt,
    /// Asks someone to confirm an address before anything else is sent to it.
    Confirm,
    /// A published post, to subscribers.
    Newsletter,
    /// Tells editors that something needs them.
    Alert,
    /// Tells the reader who suggested a question that its post is published.
    QuestionPublished,
}

impl MailKind {
    /// The word stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
            MailKind::Receipt => "receipt",
            MailKind::Confirm => "confirm",
            MailKind::Newsletter => "newsletter",
            MailKind::Alert => "alert",
            MailKind::QuestionPublished => "question_published",
        }
    }
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One email to queue.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: MailKind,
    /// Names the logical message (for example `invitation:round-7:panelist-12`): a second
    /// message with the same key is not queued. `None` queues every time.
    pub dedupe_key: Option<String>,
    pub to: Email,
    pub subject: String,
    pub body_text: String,
    /// An HTML alternative to the text, when there is one.
    pub body_html: Option<String>,
    /// Extra headers such as `List-Unsubscribe`; a name given twice keeps its last value.
    pub headers: Vec<(String, String)>,
}

/// A queued message as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub dedupe_key: Option<String>,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// A JSON object of header names and values; read it with [`OutboxRow::extra_headers`].
    pub headers: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// While a worker holds the row, the end of its lease.
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl OutboxRow {
    /// The extra headers, by name.
    pub fn extra_headers(&self) -> Result<Vec<(String, String)>, serde_json::Error> {
        let headers: BTreeMap<String, String> = serde_json::from_str(&self.headers)?;
        Ok(headers.into_iter().collect())
    }
}

/// How many messages are in each state, for the editor's dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// Seconds to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min … at most 1 h.
pub fn retry_delay(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 20) - 1;
    (FIRST_RETRY_SECONDS << doublings).min(LONGEST_RETRY_SECONDS)
}

const COLUMNS: &str = "id, kind, dedupe_key, to_addr, subject, body_text, body_html, headers, \
                       status, attempts, next_attempt_at, locked_until, last_error, created_at, sent_at";

/// Queues `mail` inside the caller's unit of work, so it is sent if and only if the write that
/// caused it commits. Returns the new row's id, or `None` when a message with the same dedupe
/// key was queued before.
pub(crate) async fn enqueue(tx: &mut Tx, mail: &OutgoingMail) -> StoreResult<Option<i64>> {
    let headers: BTreeMap<&str, &str> = mail
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let headers = serde_json::to_string(&headers).expect("a map of strings is valid JSON");
    let created_at = now();
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (kind, dedupe_key, to_addr, subject, body_text, body_html, headers, \
                             status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(mail.kind.as_str())
    .bind(mail.dedupe_key.as_deref())
    .bind(mail.to.as_str())
    .bind(&mail.subject)
    .bind(&mail.body_text)
    .bind(mail.body_html.as_deref())
    .bind(headers)
    .bind(created_at)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id)
}

impl Store {
    /// Queues one message on its own; see [`enqueue`] to queue it with the write that causes it.
    pub async fn enqueue_mail(&self, mail: &OutgoingMail) -> StoreResult<Option<i64>> {
        let mut tx = self.begin().await?;
        let id = enqueue(&mut tx, mail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The posts whose newsletter has mails still waiting to be sent.
    pub async fn posts_with_queued_newsletter(&self) -> StoreResult<Vec<i64>> {
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT dedupe_key FROM outbox WHERE kind = $1 AND status = 'pending' \
             AND dedupe_key IS NOT NULL",
        )
        .bind(MailKind::Newsletter.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut posts: Vec<i64> = keys
            .iter()
            .filter_map(|k| {
                k.strip_prefix("newsletter:")?
                    .split(':')
                    .next()?
                    .parse()
                    .ok()
            })
            .collect();
        posts.sort_unstable();
        posts.dedup();
        Ok(posts)
    }

    /// Rewrites a post's newsletter mails that have not gone yet with `newsletter` as the post
    /// reads now: a panelist who signs their answer differently, withdraws it or is erased
    /// after publication is not named by mail still waiting to be sent. Returns how many.
    pub async fn rewrite_queued_newsletter(
        &self,
        post_id: i64,
        newsletter: &super::Newsletter,
    ) -> StoreResult<usize> {
        let prefix = format!("newsletter:{post_id}:");
        let mut tx = self.begin().await?;
        let queued: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, dedupe_key FROM outbox WHERE kind = $1 AND status = 'pending' \
             AND dedupe_key LIKE $2",
        )
        .bind(MailKind::Newsletter.as_str())
        .bind(format!("{prefix}%"))
        .fetch_all(&mut *tx)
        .await?;
        let mut rewritten = 0;
        for (id, key) in queued {
            let Some(Ok(subscriber_id)) = key.strip_prefix(&prefix).map(str::parse::<i64>) else {
                continue;
            };
            let link = (newsletter.unsubscribe_link)(subscriber_id);
            sqlx::query(
                "UPDATE outbox SET subject = $1, body_text = $2, body_html = $3 \
                 WHERE id = $4 AND status = 'pending'",
            )
            .bind(&newsletter.subject)
            .bind(newsletter.text.replace("{unsubscribe}", &link))
            .bind(newsletter.html.replace("{unsubscribe}", &link))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            rewritten += 1;
        }
        tx.commit().await?;
        Ok(rewritten)
    }

    /// Claims up to `limit` messages due at `now`, holding each for `lease_seconds`. Two workers
    /// never claim the same row while its lease lasts.
    pub async fn claim_due_mail(
        &self,
        now: i64,
        limit: i64,
        lease_seconds: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        // PostgreSQL lets many workers claim at once and skips the rows another is claiming;
        // SQLite has one writer at a time (`begin` takes the write lock), so plain is enough.
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET locked_until = $1 \
             WHERE id IN (SELECT id FROM outbox \
                          WHERE status = 'pending' AND next_attempt_at <= $2 \
                            AND (locked_until IS NULL OR locked_until < $2) \
                          ORDER BY next_attempt_at, id LIMIT $3 {lock}) \
             RETURNING {COLUMNS}"
        );
        let mut tx = self.begin().await?;
        let mut rows: Vec<OutboxRow> = sqlx::query_as(&sql)
            .bind(now + lease_seconds)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.sort_by_key(|row| (row.next_attempt_at, row.id));
        Ok(rows)
    }

    /// Records that a claimed message was handed to the SMTP server. Returns false, changing
    /// nothing, when the claim had already lapsed and another worker holds the row.
    pub async fn mark_sent(&self, claimed: &OutboxRow, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, locked_until = NULL, last_error = NULL \
             WHERE id = $2 AND status = 'pending' AND locked_until = $3",
        )
        .bind(now)
        .bind(claimed.id)
        .bind(claimed.locked_until)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt at a claimed message: it is retried after [`retry_delay`], or
    /// marked `failed` when the failure is `permanent` or the attempts are used up. Returns
    /// false, changing nothing, when the claim had already lapsed.
    pub async fn mark_failed_attempt(
        &self,
        claimed: &OutboxRow,
        error: &str,
        permanent: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let attempts = claimed.attempts + 1;
        let status = if permanent || attempts >= MAX_ATTEMPTS {
            "failed"
        } else {
            "pending"
        };
        let done = sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, \
                               locked_until = NULL, last_error = $4 \
             WHERE id = $5 AND status = 'pending' AND locked_until = $6",
        )
        .bind(status)
        .bind(attempts)
        .bind(now + retry_delay(attempts))
        .bind(error)
        .bind(claimed.id)
        .bind(claimed.locked_until)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many messages wait, went out, and were given up on.
    pub async fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status")
                .fetch_all(self.pool())
                .await?;
        let mut counts = OutboxCounts::default();
        for (status, count) in rows {
            match status.as_str() {
                "pending" => counts.pending = count,
                "sent" => counts.sent = count,
                "failed" => counts.failed = count,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// The most recently queued messages that were given up on, newest first.
    pub async fn failed_mail(&self, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Messages still waiting after a failed attempt (the server was away, a certificate did
    /// not check out), the soonest retried first.
    pub async fn retrying_mail(&self, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND last_error IS NOT NULL AND attempts > 0 \
             ORDER BY next_attempt_at, id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// One queued message, whatever its state.
    pub async fn outbox_mail(&self, id: i64) -> StoreResult<Option<OutboxRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Puts a failed message back in the queue, due now, with a fresh set of attempts.
    pub async fn retry_failed(&self, id: i64) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                               locked_until = NULL \
             WHERE id = $2 AND status = 'failed'",
        )
        .bind(now())
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "no failed mail has the id {id}; 'roundtable outbox status' lists the failed ones"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        assert_eq!(retry_delay(1), 30);
        assert_eq!(retry_delay(2), 60);
        assert_eq!(retry_delay(3), 120);
        assert_eq!(retry_delay(7), 1920);
        assert_eq!(retry_delay(8), 3600);
        assert_eq!(retry_delay(MAX_ATTEMPTS), 3600);
        assert_eq!(retry_delay(1000), 3600);
    }
}

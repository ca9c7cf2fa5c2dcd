//! Public forms that must store once however often they are sent: each form carries a random
//! key, and the first sending claims it inside the same unit of work as its write.

use super::{now, Tx};

/// How long a key is remembered. A form kept open longer and then sent twice stores twice.
const KEY_SECONDS: i64 = 7 * 86_400;

/// Claims `key_hash` for this sending. `None` when this is the first; otherwise the id of what
/// the first sending stored (a comment, a question), if it recorded one.
pub(super) async fn claim(tx: &mut Tx, key_hash: &str) -> Result<Option<Option<i64>>, sqlx::Error> {
    let at = now();
    // Old keys go whenever a new one comes: the table stays as small as a week of forms.
    sqlx::query("DELETE FROM form_submissions WHERE created_at < $1")
        .bind(at - KEY_SECONDS)
        .execute(&mut **tx)
        .await?;
    // On PostgreSQL a second sending waits here until the first commits, then finds its row.
    let claimed = sqlx::query(
        "INSERT INTO form_submissions (key_hash, created_at) VALUES ($1, $2) \
         ON CONFLICT (key_hash) DO NOTHING",
    )
    .bind(key_hash)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        return Ok(None);
    }
    let first: Option<i64> =
        sqlx::query_scalar("SELECT result_id FROM form_submissions WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_one(&mut **tx)
            .await?;
    Ok(Some(first))
}

/// Records what the first sending stored, for the sendings after it.
pub(super) async fn record(tx: &mut Tx, key_hash: &str, result_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE form_submissions SET result_id = $1 WHERE key_hash = $2")
        .bind(result_id)
        .bind(key_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

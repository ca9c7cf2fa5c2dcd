//! Full-text search over the public text of published posts and answers, with each database's
//! own engine: FTS5 on SQLite, a weighted tsvector with a GIN index on PostgreSQL.

use super::{Backend, Store, StoreResult};

/// One match: a post, or one answer in it, with a snippet whose matches are wrapped in
/// `[[` and `]]` (the caller escapes the text, then turns those into highlighting).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    pub post_id: i64,
    pub answer_id: Option<i64>,
    pub byline: String,
    pub snippet: String,
}

impl Store {
    /// Matches for the words of `query`, best first. Words are matched as plain terms: the
    /// reader's punctuation never reaches the query syntax of either engine.
    pub async fn search(
        &self,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<SearchHit>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(16)
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let hits = match self.backend() {
            Backend::Sqlite => {
                let fts_query = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ");
                sqlx::query_as(
                    "SELECT d.post_id, d.answer_id, d.byline, \
                     snippet(search_fts, 2, '[[', ']]', '…', 24) AS snippet \
                     FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid \
                     WHERE search_fts MATCH $1 ORDER BY bm25(search_fts, 4.0, 2.0, 1.0) LIMIT $2 OFFSET $3",
                )
                .bind(fts_query)
                .bind(limit)
                .bind(offset)
                .fetch_all(self.pool())
                .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT d.post_id, d.answer_id, d.byline, \
                     ts_headline('english', d.body, q, 'StartSel=[[, StopSel=]], MaxWords=30, MinWords=12') AS snippet \
                     FROM search_documents d, plainto_tsquery('english', $1) q \
                     WHERE d.document @@ q ORDER BY ts_rank(d.document, q) DESC, d.id LIMIT $2 OFFSET $3",
                )
                .bind(words.join(" "))
                .bind(limit)
                .bind(offset)
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(hits)
    }
}

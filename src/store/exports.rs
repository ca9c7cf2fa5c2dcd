//! Reading out what is public, for the WXR export, the static export and the pages
//! (`/slug/`) WordPress sites bring with them. Nothing here selects an email address or the
//! panelist behind an answer.

use super::posts::POST_COLUMNS;
use super::{Store, StoreResult};

/// A published post or page with what WXR needs beyond its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicEntry {
    pub id: i64,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub excerpt: Option<String>,
    pub published_at: i64,
    pub parent_id: Option<i64>,
    pub comments_open: i64,
    /// The author's WordPress login when imported, otherwise `None`.
    pub author_login: Option<String>,
    pub author_name: Option<String>,
}

/// A category or tag with its parent's slug (categories only).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicTerm {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub parent_slug: Option<String>,
}

impl Store {
    /// Every published post and page, oldest first.
    pub async fn public_entries(&self) -> StoreResult<Vec<PublicEntry>> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.kind, p.slug, p.title, p.excerpt, p.published_at, p.parent_id, \
             p.comments_open, e.login AS author_login, e.display_name AS author_name \
             FROM posts p LEFT JOIN editors e ON e.id = p.author_id \
             WHERE p.status = 'published' AND p.published_at IS NOT NULL \
             ORDER BY p.published_at, p.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Categories with their parents' slugs, or tags.
    pub async fn public_terms(&self, categories: bool) -> StoreResult<Vec<PublicTerm>> {
        let sql = if categories {
            "SELECT c.id, c.slug, c.name, c.description, p.slug AS parent_slug \
             FROM categories c LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.id"
        } else {
            "SELECT id, slug, name, description, NULL AS parent_slug FROM tags ORDER BY id"
        };
        Ok(sqlx::query_as(sql).fetch_all(self.pool()).await?)
    }

    /// The published page with this slug.
    pub async fn published_page_by_slug(&self, slug: &str) -> StoreResult<Option<super::PostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN series s ON s.id = p.series_id \
             WHERE p.slug = $1 AND p.kind = 'page' AND p.status = 'published'"
        ))
        .bind(slug)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Slugs of published pages, for the sitemap and the static export.
    pub async fn published_page_slugs(&self) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT slug FROM posts WHERE kind = 'page' AND status = 'published' ORDER BY slug",
        )
        .fetch_all(self.pool())
        .await?)
    }
}

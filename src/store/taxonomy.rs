//! Tags, categories and series: how posts are grouped for readers.

use super::{placeholders, Store, StoreResult, Tx};
use crate::domain::Slug;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TermRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// Which grouping a term belongs to. The table names are fixed, never user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Taxonomy {
    Tag,
    Category,
}

impl Taxonomy {
    fn table(self) -> &'static str {
        match self {
            Taxonomy::Tag => "tags",
            Taxonomy::Category => "categories",
        }
    }

    /// The first segment of the archive's address: `/tag/…/`, `/category/…/`.
    pub fn base(self) -> &'static str {
        match self {
            Taxonomy::Tag => "tag",
            Taxonomy::Category => "category",
        }
    }

    pub(crate) fn link_table(self) -> (&'static str, &'static str) {
        match self {
            Taxonomy::Tag => ("post_tags", "tag_id"),
            Taxonomy::Category => ("post_categories", "category_id"),
        }
    }
}

impl Store {
    /// The term with this name's slug, created when missing.
    pub async fn ensure_term(&self, taxonomy: Taxonomy, name: &str) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = ensure_term(&mut tx, taxonomy, name).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every term that files at least one published post, by name, with its post count.
    pub(super) async fn read_used_terms(
        &self,
        taxonomy: Taxonomy,
    ) -> StoreResult<super::UsedTerms> {
        let (link, column) = taxonomy.link_table();
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(&format!(
            "SELECT t.id, t.slug, t.name, COUNT(*) FROM {table} t JOIN {link} l ON l.{column} = t.id \
             JOIN posts p ON p.id = l.post_id WHERE p.status = 'published' \
             GROUP BY t.id, t.slug, t.name ORDER BY t.name",
            table = taxonomy.table()
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, slug, name, n)| (TermRow { id, slug, name }, n))
            .collect())
    }

    pub async fn term_by_slug(
        &self,
        taxonomy: Taxonomy,
        slug: &str,
    ) -> StoreResult<Option<TermRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT id, slug, name FROM {} WHERE slug = $1",
            taxonomy.table()
        ))
        .bind(slug)
        .fetch_optional(self.pool())
        .await?)
    }

    /// `(post_id, term)` for each of the given posts, terms of one taxonomy by name.
    pub async fn terms_of_posts(
        &self,
        taxonomy: Taxonomy,
        post_ids: &[i64],
    ) -> StoreResult<Vec<(i64, TermRow)>> {
        Ok(self
            .post_terms(post_ids)
            .await?
            .into_iter()
            .filter(|(of, _, _)| *of == taxonomy)
            .map(|(_, post_id, term)| (post_id, term))
            .collect())
    }

    /// `(taxonomy, post_id, term)` for each of the given posts, tags and categories in one
    /// query, terms by name.
    pub async fn post_terms(&self, post_ids: &[i64]) -> StoreResult<Vec<(Taxonomy, i64, TermRow)>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = placeholders(1, post_ids.len());
        // Both halves read the same numbered parameters.
        let sql = format!(
            "SELECT 'tag' AS kind, l.post_id, t.id, t.slug, t.name FROM post_tags l \
             JOIN tags t ON t.id = l.tag_id WHERE l.post_id IN ({ids}) \
             UNION ALL SELECT 'category' AS kind, l.post_id, t.id, t.slug, t.name FROM post_categories l \
             JOIN categories t ON t.id = l.category_id WHERE l.post_id IN ({ids}) ORDER BY name"
        );
        let mut query = sqlx::query_as::<_, (String, i64, i64, String, String)>(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|(kind, post_id, id, slug, name)| {
                let taxonomy = if kind == "tag" {
                    Taxonomy::Tag
                } else {
                    Taxonomy::Category
                };
                (taxonomy, post_id, TermRow { id, slug, name })
            })
            .collect())
    }
}

/// Finds or creates a term inside a unit of work.
pub(crate) async fn ensure_term(tx: &mut Tx, taxonomy: Taxonomy, name: &str) -> StoreResult<i64> {
    let name = name.trim();
    let slug = Slug::from_text(name, taxonomy.table().trim_end_matches('s'));
    let table = taxonomy.table();
    sqlx::query(&format!(
        "INSERT INTO {table} (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING"
    ))
    .bind(slug.as_str())
    .bind(name)
    .execute(&mut **tx)
    .await?;
    Ok(
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE slug = $1"))
            .bind(slug.as_str())
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Files a post under a term inside a unit of work.
pub(crate) async fn link_term(
    tx: &mut Tx,
    taxonomy: Taxonomy,
    post_id: i64,
    term_id: i64,
) -> StoreResult<()> {
    let (link, column) = taxonomy.link_table();
    sqlx::query(&format!(
        "INSERT INTO {link} (post_id, {column}) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    ))
    .bind(post_id)
    .bind(term_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The site's first series as `(id, default intro, default closing)`, for new posts.
    pub async fn first_series(&self) -> StoreResult<Option<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, default_intro, default_closing FROM series ORDER BY id LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?)
    }
}

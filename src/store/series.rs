//! Series: a recurring feature of the column ("Further Questions") with its house style. A
//! change of style changes every post of the series for readers, so each is projected again.

use super::projection::project_post;
use super::taxonomy::{ensure_term, Taxonomy};
use super::{bump_content_version, Store, StoreError, StoreResult};
use crate::domain::Slug;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SeriesRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The category its posts are filed under, by name.
    pub category: Option<String>,
    pub default_intro: String,
    pub default_closing: String,
    /// `before`, `run_in` or `after`.
    pub signature_placement: String,
    /// Empty for the default.
    pub signature_template: String,
    pub show_question: i64,
    /// Empty for the default ("Leave a comment").
    pub comments_heading: String,
}

/// A series as the editor saves it (and its form shows it); the template has been checked.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SeriesStyle {
    pub name: String,
    pub category: String,
    pub default_intro: String,
    pub default_closing: String,
    pub signature_placement: String,
    pub signature_template: String,
    pub show_question: bool,
    pub comments_heading: String,
}

const SERIES_COLUMNS: &str = "s.id, s.slug, s.name, c.name AS category, s.default_intro, \
     s.default_closing, s.signature_placement, s.signature_template, s.show_question, \
     s.comments_heading";

impl Store {
    pub async fn all_series(&self) -> StoreResult<Vec<SeriesRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SERIES_COLUMNS} FROM series s LEFT JOIN categories c ON c.id = s.category_id \
             ORDER BY s.name, s.id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn series(&self, id: i64) -> StoreResult<SeriesRow> {
        sqlx::query_as(&format!(
            "SELECT {SERIES_COLUMNS} FROM series s LEFT JOIN categories c ON c.id = s.category_id \
             WHERE s.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("series"))
    }

    /// Creates a series (`id` None) or saves its style; every post of the series is projected
    /// again in the same unit of work. Returns its id.
    pub async fn save_series(&self, id: Option<i64>, s: &SeriesStyle) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let category = match s.category.trim() {
            "" => None,
            name => Some(ensure_term(&mut tx, Taxonomy::Category, name).await?),
        };
        let id: i64 = match id {
            Some(id) => sqlx::query_scalar(
                "UPDATE series SET name = $1, category_id = $2, default_intro = $3, \
                 default_closing = $4, signature_placement = $5, signature_template = $6, \
                 show_question = $7, comments_heading = $8 WHERE id = $9 RETURNING id",
            )
            .bind(s.name.trim())
            .bind(category)
            .bind(&s.default_intro)
            .bind(&s.default_closing)
            .bind(&s.signature_placement)
            .bind(s.signature_template.trim())
            .bind(i64::from(s.show_question))
            .bind(s.comments_heading.trim())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("series"))?,
            None => {
                let slug = Slug::from_text(&s.name, "series");
                let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM series WHERE slug = $1")
                    .bind(slug.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                if taken > 0 {
                    return Err(StoreError::Conflict(format!(
                        "There is a series called “{}” already: give this one another name.",
                        s.name.trim()
                    )));
                }
                sqlx::query_scalar(
                    "INSERT INTO series (slug, name, category_id, default_intro, default_closing, \
                     attribution_style, signature_placement, signature_template, show_question, \
                     comments_heading) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(slug.as_str())
                .bind(s.name.trim())
                .bind(category)
                .bind(&s.default_intro)
                .bind(&s.default_closing)
                // The old column allows only before and after.
                .bind(match s.signature_placement.as_str() {
                    "after" => "after",
                    _ => "before",
                })
                .bind(&s.signature_placement)
                .bind(s.signature_template.trim())
                .bind(i64::from(s.show_question))
                .bind(s.comments_heading.trim())
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let posts: Vec<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE series_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        for post_id in posts {
            project_post(&mut tx, post_id).await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Places the signatures of one post its own way (`None`: as its series does).
    pub async fn set_post_placement(
        &self,
        post_id: i64,
        placement: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE posts SET signature_placement = $1 WHERE id = $2")
            .bind(placement)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("post"));
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

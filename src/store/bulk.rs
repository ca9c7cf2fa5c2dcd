//! Bulk writes for `roundtable generate`: many published posts, each with its question, round,
//! short-answer choices, answers, tags, categories, comments and search documents, written in
//! one unit of work so that a large synthetic column takes seconds rather than minutes.

use std::collections::HashMap;

use super::posts::free_slug;
use super::projection::project_post;
use super::taxonomy::{ensure_term, link_term, Taxonomy};
use super::{bump_content_version, flag, Store, StoreResult, Tx};
use crate::domain::{Attribution, CommentStatus, PostStatus, QuestionState, RoundStatus, Slug};

/// A post as it will appear, published, with everything that led to it.
#[derive(Debug, Clone)]
pub struct GeneratedPost {
    pub title: String,
    pub prompt: String,
    pub follow_up: Option<String>,
    /// Short-answer choices; empty for an ordinary round.
    pub choices: Vec<String>,
    pub intro: String,
    pub closing: String,
    pub series_id: Option<i64>,
    pub published_at: i64,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    /// In the order readers see them.
    pub answers: Vec<GeneratedAnswer>,
    pub comments: Vec<GeneratedComment>,
}

/// An answer, signed with a snapshot of the panelist's profile as it is when written.
#[derive(Debug, Clone)]
pub struct GeneratedAnswer {
    pub panelist_id: i64,
    pub attribution: Attribution,
    pub role_description: Option<String>,
    pub show_library_type: bool,
    /// Index into the post's `choices`.
    pub choice: Option<usize>,
    pub body: String,
    pub submitted_at: i64,
}

/// A reader's comment on the post, with its moderation status.
#[derive(Debug, Clone)]
pub struct GeneratedComment {
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub status: CommentStatus,
    /// Index of an earlier comment of the same post.
    pub reply_to: Option<usize>,
    pub created_at: i64,
}

impl Store {
    /// True when the database has no posts and no panelists yet.
    pub async fn has_no_column(&self) -> StoreResult<bool> {
        let posts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
            .fetch_one(self.pool())
            .await?;
        let panelists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM panelists")
            .fetch_one(self.pool())
            .await?;
        Ok(posts == 0 && panelists == 0)
    }

    /// Writes published posts in one unit of work and returns their slugs.
    pub async fn insert_published_posts(
        &self,
        posts: &[GeneratedPost],
    ) -> StoreResult<Vec<String>> {
        let mut tx = self.begin().await?;
        let mut terms = HashMap::new();
        let mut slugs = Vec::with_capacity(posts.len());
        for post in posts {
            slugs.push(insert_post(&mut tx, &mut terms, post).await?);
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(slugs)
    }
}

/// Term ids by taxonomy and name, kept across the posts of one unit of work so that each term
/// is looked up once.
type TermIds = HashMap<(&'static str, String), i64>;

/// One published post with everything that led to it; returns its slug.
async fn insert_post(tx: &mut Tx, terms: &mut TermIds, p: &GeneratedPost) -> StoreResult<String> {
    let question_id = insert_question(tx, p).await?;
    let slug = free_slug(tx, super::posts::PostKind::Post, &p.title).await?;
    let post_id = insert_published_post(tx, p, &slug).await?;
    let round_id = insert_round(tx, p, question_id, post_id).await?;
    let choice_ids = insert_choices(tx, round_id, &p.choices).await?;
    insert_answers(tx, round_id, post_id, &p.answers, &choice_ids).await?;
    link_terms(tx, terms, post_id, p).await?;
    insert_comments(tx, post_id, &p.comments).await?;
    project_post(tx, post_id).await?;
    Ok(slug.as_str().to_string())
}

/// The post's question, published, asked when the post appeared; returns its id.
async fn insert_question(tx: &mut Tx, p: &GeneratedPost) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO questions (series_id, prompt, original_prompt, follow_up, state, created_at, updated_at) \
         VALUES ($1, $2, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(p.series_id)
    .bind(&p.prompt)
    .bind(&p.follow_up)
    .bind(QuestionState::Published.as_str())
    .bind(p.published_at)
    .fetch_one(&mut **tx)
    .await?)
}

/// The post itself, published under `slug`; returns its id.
async fn insert_published_post(tx: &mut Tx, p: &GeneratedPost, slug: &Slug) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO posts (kind, slug, title, intro, closing, status, series_id, published_at, created_at, updated_at) \
         VALUES ('post', $1, $2, $3, $4, $5, $6, $7, $7, $7) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(&p.title)
    .bind(&p.intro)
    .bind(&p.closing)
    .bind(PostStatus::Published.as_str())
    .bind(p.series_id)
    .bind(p.published_at)
    .fetch_one(&mut **tx)
    .await?)
}

/// The round the post was compiled from: sent two weeks before the post, closed the day
/// before; returns its id.
async fn insert_round(
    tx: &mut Tx,
    p: &GeneratedPost,
    question_id: i64,
    post_id: i64,
) -> StoreResult<i64> {
    let at = p.published_at;
    Ok(sqlx::query_scalar(
        "INSERT INTO rounds (question_id, series_id, post_id, prompt, follow_up, status, closes_at, sent_at, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $7) RETURNING id",
    )
    .bind(question_id)
    .bind(p.series_id)
    .bind(post_id)
    .bind(&p.prompt)
    .bind(&p.follow_up)
    .bind(RoundStatus::Published.as_str())
    .bind(at - 86_400)
    .bind(at - 14 * 86_400)
    .fetch_one(&mut **tx)
    .await?)
}

/// The round's short-answer choices in order; returns their ids.
async fn insert_choices(tx: &mut Tx, round_id: i64, choices: &[String]) -> StoreResult<Vec<i64>> {
    let mut choice_ids = Vec::with_capacity(choices.len());
    for (position, label) in choices.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO round_choices (round_id, position, label) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(round_id)
        .bind(position as i64)
        .bind(label)
        .fetch_one(&mut **tx)
        .await?;
        choice_ids.push(id);
    }
    Ok(choice_ids)
}

/// The answers, included in the post in order, each signed with the panelist's profile as it
/// is now.
async fn insert_answers(
    tx: &mut Tx,
    round_id: i64,
    post_id: i64,
    answers: &[GeneratedAnswer],
    choice_ids: &[i64],
) -> StoreResult<()> {
    for (position, a) in answers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO answers (round_id, post_id, panelist_id, attribution, role_description, \
             show_library_type, sig_name, sig_pronouns, sig_title, sig_department, sig_institution, sig_city, \
             sig_library_type, choice_id, body, is_late, included, position, submitted_at, updated_at) \
             SELECT $1, $2, p.id, $3, $4, $5, p.name, p.pronouns, p.title, p.department, p.institution, p.city, \
             p.library_type, $6, $7, 0, 1, $8, $9, $9 FROM panelists p WHERE p.id = $10",
        )
        .bind(round_id)
        .bind(post_id)
        .bind(a.attribution.as_str())
        .bind(&a.role_description)
        .bind(flag(a.show_library_type))
        .bind(a.choice.and_then(|i| choice_ids.get(i).copied()))
        .bind(&a.body)
        .bind(position as i64)
        .bind(a.submitted_at)
        .bind(a.panelist_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The series' category, then the post's tags and categories, each term made once.
async fn link_terms(
    tx: &mut Tx,
    terms: &mut TermIds,
    post_id: i64,
    p: &GeneratedPost,
) -> StoreResult<()> {
    if let Some(series_id) = p.series_id {
        let category: Option<i64> =
            sqlx::query_scalar("SELECT category_id FROM series WHERE id = $1")
                .bind(series_id)
                .fetch_optional(&mut **tx)
                .await?
                .flatten();
        if let Some(category) = category {
            link_term(tx, Taxonomy::Category, post_id, category).await?;
        }
    }
    for (taxonomy, names) in [
        (Taxonomy::Tag, &p.tags),
        (Taxonomy::Category, &p.categories),
    ] {
        for name in names {
            let key = (taxonomy.base(), name.clone());
            let term = match terms.get(&key) {
                Some(id) => *id,
                None => {
                    let id = ensure_term(tx, taxonomy, name).await?;
                    terms.insert(key, id);
                    id
                }
            };
            link_term(tx, taxonomy, post_id, term).await?;
        }
    }
    Ok(())
}

/// The comments in order, a reply pointing at the earlier comment it answers.
async fn insert_comments(
    tx: &mut Tx,
    post_id: i64,
    comments: &[GeneratedComment],
) -> StoreResult<()> {
    let mut comment_ids: Vec<i64> = Vec::with_capacity(comments.len());
    for c in comments {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (post_id, parent_id, author_name, author_email, body, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(post_id)
        .bind(c.reply_to.and_then(|i| comment_ids.get(i).copied()))
        .bind(&c.author_name)
        .bind(&c.author_email)
        .bind(&c.body)
        .bind(c.status.as_str())
        .bind(c.created_at)
        .fetch_one(&mut **tx)
        .await?;
        comment_ids.push(id);
    }
    Ok(())
}

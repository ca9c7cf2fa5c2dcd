//! Posts: compiled from a round's answers, published, edited after publication with dated
//! notes and revisions, and read back for the reader's site. Publishing also refreshes the
//! search documents, which hold public text only.

use super::answers::{AnswerRow, ANSWER_COLUMNS, ANSWER_COLUMNS_OF_ROUND, ANSWER_JOINS};
use super::projection::project_post;
use super::revisions::keep_revision;
use super::taxonomy::{ensure_term, link_term, Taxonomy};
use super::{bump_content_version, now, placeholders, Store, StoreError, StoreResult, Tx};
use crate::domain::{PostStatus, QuestionState, RoundStatus, Slug};

/// A post (on the home page, in feeds and archives) or a page (`/slug/`, on none of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Post,
    Page,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Post => "post",
            PostKind::Page => "page",
        }
    }
}

/// A post as the editor compiles it from a round.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub title: String,
    /// Made from the title when absent.
    pub slug: Option<String>,
    pub intro: String,
    pub closing: String,
    pub series_id: Option<i64>,
    pub author_id: Option<i64>,
    pub round_id: Option<i64>,
    /// The answers to include, in the order readers see them.
    pub answer_ids: Vec<i64>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    /// `post` or `page`.
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub intro: String,
    pub closing: String,
    pub body_html: Option<String>,
    pub status: String,
    pub round_id: Option<i64>,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub comments_open: i64,
    /// Where signatures go (`before`, `run_in`, `after`): the post's own, or its series'.
    pub placement: String,
    /// The post's own placement, when it does not follow its series.
    pub own_placement: Option<String>,
    /// How named signatures are written: the series' template (empty for the default).
    pub signature_template: String,
    /// The round's question and follow-up, when the series shows them on the post.
    pub question: Option<String>,
    pub follow_up: Option<String>,
    /// The heading over the comment form, from the series (empty for the default).
    pub comments_heading: String,
    /// Approved comments, edit notes and short-answer choices: a view of the post skips the
    /// queries for what it has none of.
    pub comment_count: i64,
    pub note_count: i64,
    pub choice_count: i64,
    /// The name of the reader who suggested the round's question, only while the question is
    /// to credit them: absent otherwise, so no public view can show it.
    pub credited_name: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EditNoteRow {
    pub post_id: i64,
    pub noted_at: i64,
    pub body: String,
}

/// An edit note as the editor manages it, hidden ones included.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub post_id: i64,
    pub noted_at: i64,
    pub body: String,
    pub hidden: i64,
}

pub(crate) const POST_COLUMNS: &str =
    "p.id, p.kind, p.slug, p.title, p.intro, p.closing, p.body_html, p.status, \
     (SELECT r.id FROM rounds r WHERE r.post_id = p.id) AS round_id, p.published_at, p.updated_at, \
     p.comments_open, COALESCE(p.signature_placement, s.signature_placement, 'before') AS placement, \
     p.signature_placement AS own_placement, \
     COALESCE(s.signature_template, '') AS signature_template, COALESCE(s.comments_heading, '') AS comments_heading, \
     (SELECT r.prompt FROM rounds r WHERE r.post_id = p.id AND s.show_question = 1) AS question, \
     (SELECT NULLIF(TRIM(r.follow_up), '') FROM rounds r WHERE r.post_id = p.id AND s.show_question = 1) AS follow_up, \
     (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved') AS comment_count, \
     (SELECT COUNT(*) FROM edit_notes n WHERE n.post_id = p.id AND n.hidden = 0) AS note_count, \
     (SELECT COUNT(*) FROM rounds r JOIN round_choices rc ON rc.round_id = r.id WHERE r.post_id = p.id) \
     AS choice_count, \
     (SELECT NULLIF(TRIM(q.submitter_name), '') FROM rounds r JOIN questions q ON q.id = r.question_id \
     WHERE r.post_id = p.id AND q.credit_submitter = 1) AS credited_name";

/// An answer of a post's round waiting under "Late answers": not in the post, and arrived
/// after the compilation (no post yet) or after the round closed.
const WAITING_LATE: &str =
    "a.included = 0 AND a.withdrawn_at IS NULL AND (a.post_id IS NULL OR a.is_late = 1)";

impl Store {
    /// Creates a draft post from a round: the chosen answers in order, tags and categories
    /// (the series' category included).
    pub async fn compile_post(&self, p: &NewPost) -> StoreResult<i64> {
        self.compile_post_with_edits(p, &[]).await
    }

    /// As [`Store::compile_post`], with the editor's headings, notes and edits of each
    /// answer saved in the same unit of work.
    pub async fn compile_post_with_edits(
        &self,
        p: &NewPost,
        edits: &[(i64, super::AnswerEdit)],
    ) -> StoreResult<i64> {
        let at = now();
        let mut tx = self.begin().await?;
        if let Some(post_id) = published_post_of_round(&mut tx, p.round_id).await? {
            keep_revision(&mut tx, post_id, p.author_id, at, "Compiled again").await?;
        }
        for (answer_id, edit) in edits {
            super::rounds::save_answer_edit(&mut tx, *answer_id, edit).await?;
        }
        let post_id = write_post_row(&mut tx, p, at).await?;
        if let Some(round_id) = p.round_id {
            sqlx::query("UPDATE rounds SET post_id = $1, updated_at = $2 WHERE id = $3")
                .bind(post_id)
                .bind(at)
                .bind(round_id)
                .execute(&mut *tx)
                .await?;
            // Everything the round received starts left out; the editor's list puts answers back
            // in. Answers that came after a published post was compiled keep waiting, apart.
            sqlx::query(
                "UPDATE answers SET post_id = $1, included = 0 WHERE round_id = $2 AND (post_id IS NOT NULL \
                 OR NOT EXISTS (SELECT 1 FROM posts WHERE id = $1 AND status = 'published'))",
            )
                .bind(post_id)
                .bind(round_id)
                .execute(&mut *tx)
                .await?;
        }
        for (position, answer_id) in p.answer_ids.iter().enumerate() {
            sqlx::query(
                "UPDATE answers SET post_id = $1, included = 1, position = $2 WHERE id = $3 \
                 AND withdrawn_at IS NULL",
            )
            .bind(post_id)
            .bind(position as i64)
            .bind(answer_id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(series_id) = p.series_id {
            let category: Option<i64> =
                sqlx::query_scalar("SELECT category_id FROM series WHERE id = $1")
                    .bind(series_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .flatten();
            if let Some(category) = category {
                link_term(&mut tx, Taxonomy::Category, post_id, category).await?;
            }
        }
        for (taxonomy, names) in [
            (Taxonomy::Tag, &p.tags),
            (Taxonomy::Category, &p.categories),
        ] {
            for name in names.iter().filter(|n| !n.trim().is_empty()) {
                let term = ensure_term(&mut tx, taxonomy, name).await?;
                link_term(&mut tx, taxonomy, post_id, term).await?;
            }
        }
        project_post(&mut tx, post_id).await?;
        // Compiling a published post again changes what readers see.
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(post_id)
    }

    /// Makes a post public as of `at`: home page, archives and search. Its round and question
    /// are marked published too.
    pub async fn publish_post(&self, post_id: i64, at: i64) -> StoreResult<()> {
        self.publish_post_with_newsletter(post_id, at, None, &[])
            .await
    }

    /// Publishes, and queues `newsletter` (subject, text, html, with `{unsubscribe}` standing
    /// for each subscriber's own link) to every confirmed subscriber in the same unit of work,
    /// with the other `mails` publishing causes (the suggester's). Each carries a dedupe key,
    /// so publishing the post again queues none of them twice.
    pub async fn publish_post_with_newsletter(
        &self,
        post_id: i64,
        at: i64,
        newsletter: Option<&Newsletter>,
        mails: &[super::OutgoingMail],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // A post published before (and taken down since) keeps its date, and so its address;
        // one that is out already is left as it is, with no second newsletter.
        let updated = sqlx::query(
            "UPDATE posts SET status = $1, published_at = COALESCE(published_at, $2), publish_at = NULL, \
             updated_at = $2 WHERE id = $3 AND status <> $1",
        )
        .bind(PostStatus::Published.as_str())
        .bind(at)
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1")
                .bind(post_id)
                .fetch_optional(&mut *tx)
                .await?;
            return exists.map(|_| ()).ok_or(StoreError::NotFound("post"));
        }
        let question: Option<i64> =
            sqlx::query_scalar("SELECT question_id FROM rounds WHERE post_id = $1")
                .bind(post_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(question_id) = question {
            // A round that was still open closes when its post comes out.
            sqlx::query(
                "UPDATE rounds SET status = $1, closed_at = COALESCE(closed_at, $2), updated_at = $2 \
                 WHERE post_id = $3",
            )
                .bind(RoundStatus::Published.as_str())
                .bind(at)
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
            super::rounds::set_question_state(&mut tx, question_id, QuestionState::Published)
                .await?;
        }
        // Published again, the post's address is its own again.
        sqlx::query("DELETE FROM retired_addresses WHERE post_id = $1")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        project_post(&mut tx, post_id).await?;
        if let Some(newsletter) = newsletter {
            let subscribers: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, email FROM subscribers WHERE status = 'confirmed' ORDER BY id",
            )
            .fetch_all(&mut *tx)
            .await?;
            for (subscriber_id, email) in subscribers {
                let Ok(to) = crate::domain::Email::parse(&email) else {
                    continue;
                };
                let link = (newsletter.unsubscribe_link)(subscriber_id);
                let mail = super::OutgoingMail {
                    kind: super::MailKind::Newsletter,
                    dedupe_key: Some(format!("newsletter:{post_id}:{subscriber_id}")),
                    to,
                    subject: newsletter.subject.clone(),
                    body_text: newsletter.text.replace("{unsubscribe}", &link),
                    body_html: Some(newsletter.html.replace("{unsubscribe}", &link)),
                    headers: vec![
                        ("List-Unsubscribe".into(), format!("<{link}>")),
                        (
                            "List-Unsubscribe-Post".into(),
                            "List-Unsubscribe=One-Click".into(),
                        ),
                    ],
                };
                super::outbox::enqueue(&mut tx, &mail).await?;
            }
        }
        for mail in mails {
            super::outbox::enqueue(&mut tx, mail).await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an answer that came after publication to the end of a published post, keeping a
    /// revision of the post as it was and a dated note ("Edited 2026-11-30 to add …'s answer").
    pub async fn add_late_answer(
        &self,
        post_id: i64,
        answer_id: i64,
        editor_id: Option<i64>,
        at: i64,
        date_text: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        keep_revision(&mut tx, post_id, editor_id, at, "Added a late answer").await?;
        let next: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM answers WHERE post_id = $1 AND included = 1",
        )
        .bind(post_id)
        .fetch_one(&mut *tx)
        .await?;
        let moved = sqlx::query(
            "UPDATE answers SET post_id = $1, included = 1, position = $2, added_at = $3, is_late = 1 \
             WHERE id = $4 AND withdrawn_at IS NULL",
        )
        .bind(post_id)
        .bind(next)
        .bind(at)
        .bind(answer_id)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::NotFound("answer"));
        }
        let added = answer_in(&mut tx, answer_id).await?;
        let note = format!(
            "Edited {date_text} to add {}’s answer",
            added.byline().short
        );
        sqlx::query("INSERT INTO edit_notes (post_id, noted_at, body) VALUES ($1, $2, $3)")
            .bind(post_id)
            .bind(at)
            .bind(note)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE posts SET updated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        project_post(&mut tx, post_id).await?;
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn post(&self, id: i64) -> StoreResult<PostRow> {
        sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN series s ON s.id = p.series_id WHERE p.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("post"))
    }

    /// Published posts, newest first, one page of them.
    pub async fn published_posts(&self, offset: i64, limit: i64) -> StoreResult<Vec<PostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN series s ON s.id = p.series_id \
             WHERE p.status = 'published' AND p.kind = 'post' \
             ORDER BY p.published_at DESC, p.id DESC LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// The ids of a list's published posts, newest first: `limit` of them from `offset`.
    pub async fn published_post_ids(
        &self,
        list: PostList,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<i64>> {
        let (condition, id) = list.condition();
        let sql = format!(
            "SELECT p.id FROM posts p WHERE p.status = 'published' AND p.kind = 'post' {condition} \
             ORDER BY p.published_at DESC, p.id DESC LIMIT $2 OFFSET $3"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(id)
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?)
    }

    /// How many published posts a list has.
    pub async fn count_published_posts_in(&self, list: PostList) -> StoreResult<i64> {
        let (condition, id) = list.condition();
        let sql = format!(
            "SELECT COUNT(*) FROM posts p WHERE p.status = 'published' AND p.kind = 'post' {condition}"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn count_published_posts(&self) -> StoreResult<i64> {
        self.count_published_posts_in(PostList::All).await
    }

    /// The published post with this slug published in `[from, to)`: one day of the
    /// `/YYYY/MM/DD/slug/` address in the site's time zone.
    pub async fn published_post_by_slug(
        &self,
        slug: &str,
        from: i64,
        to: i64,
    ) -> StoreResult<Option<PostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN series s ON s.id = p.series_id \
             WHERE p.slug = $1 AND p.kind = 'post' AND p.status = 'published' \
             AND p.published_at >= $2 AND p.published_at < $3"
        ))
        .bind(slug)
        .bind(from)
        .bind(to)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The included answers of the given posts with their authors, in each post's order: what
    /// checks of the public output compare it with. Public output itself reads the projection
    /// ([`Store::public_answers_of_posts`]).
    pub async fn included_answers_of_posts(&self, post_ids: &[i64]) -> StoreResult<Vec<AnswerRow>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} {ANSWER_JOINS} WHERE a.included = 1 AND a.post_id IN ({}) \
             ORDER BY a.post_id, a.position, a.id",
            placeholders(1, post_ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    pub async fn edit_notes_of_posts(&self, post_ids: &[i64]) -> StoreResult<Vec<EditNoteRow>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT post_id, noted_at, body FROM edit_notes WHERE hidden = 0 AND post_id IN ({}) \
             ORDER BY noted_at, id",
            placeholders(1, post_ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// Every edit note of a post, hidden ones too, in the order readers see them.
    pub async fn notes_of_post(&self, post_id: i64) -> StoreResult<Vec<NoteRow>> {
        Ok(sqlx::query_as(
            "SELECT id, post_id, noted_at, body, hidden FROM edit_notes WHERE post_id = $1 \
             ORDER BY noted_at, id",
        )
        .bind(post_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn note(&self, id: i64) -> StoreResult<NoteRow> {
        sqlx::query_as("SELECT id, post_id, noted_at, body, hidden FROM edit_notes WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("edit note"))
    }

    /// Rewrites an edit note: its date, its words, and whether readers see it.
    pub async fn update_note(&self, note: &NoteRow) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE edit_notes SET noted_at = $1, body = $2, hidden = $3 WHERE id = $4",
        )
        .bind(note.noted_at)
        .bind(&note.body)
        .bind(note.hidden)
        .bind(note.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("edit note"));
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `(post_id, choice, count)` over each post's included answers, in the round's choice
    /// order; choices nobody picked count 0. Posts without a short-answer round are absent.
    pub async fn choice_tallies(&self, post_ids: &[i64]) -> StoreResult<Vec<(i64, String, i64)>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT r.post_id, c.label, COUNT(a.number) FROM rounds r \
             JOIN round_choices c ON c.round_id = r.id \
             LEFT JOIN public_answers a ON a.post_id = r.post_id AND a.choice = c.label \
             WHERE r.post_id IN ({}) GROUP BY r.post_id, c.id, c.label, c.position \
             ORDER BY r.post_id, c.position",
            placeholders(1, post_ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// Imported posts whose HTML has no plain text beside it yet: `(id, body_html)`.
    pub async fn posts_without_body_text(&self) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, body_html FROM posts WHERE body_html IS NOT NULL AND body_text IS NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Keeps the text a reader sees of a post's HTML, and indexes the post again with it.
    pub async fn set_body_text(&self, post_id: i64, text: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE posts SET body_text = $1 WHERE id = $2")
            .bind(text)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        project_post(&mut tx, post_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many revisions a post has.
    pub async fn revision_count(&self, post_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM revisions WHERE post_id = $1")
                .bind(post_id)
                .fetch_one(self.pool())
                .await?,
        )
    }
}

/// The round's post, when it is published: compiling it again changes what readers see.
async fn published_post_of_round(tx: &mut Tx, round_id: Option<i64>) -> StoreResult<Option<i64>> {
    let Some(round_id) = round_id else {
        return Ok(None);
    };
    Ok(sqlx::query_scalar(
        "SELECT p.id FROM rounds r JOIN posts p ON p.id = r.post_id \
         WHERE r.id = $1 AND p.status = 'published'",
    )
    .bind(round_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The post a compilation writes: the round's post again (its address, if published, stays;
/// its terms are cleared to be linked again), or a new draft. Returns its id.
async fn write_post_row(tx: &mut Tx, p: &NewPost, at: i64) -> StoreResult<i64> {
    let existing: Option<i64> = match p.round_id {
        Some(round_id) => {
            sqlx::query_scalar::<_, Option<i64>>("SELECT post_id FROM rounds WHERE id = $1")
                .bind(round_id)
                .fetch_optional(&mut **tx)
                .await?
                .flatten()
        }
        None => None,
    };
    let post_id: i64 = match existing {
        // Compiling again rewrites the same post: its address, if published, stays.
        Some(post_id) => {
            sqlx::query("UPDATE posts SET title = $1, intro = $2, closing = $3, updated_at = $4 WHERE id = $5")
                .bind(&p.title)
                .bind(&p.intro)
                .bind(&p.closing)
                .bind(at)
                .bind(post_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
                .bind(post_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM post_categories WHERE post_id = $1")
                .bind(post_id)
                .execute(&mut **tx)
                .await?;
            post_id
        }
        None => {
            let slug = free_slug(tx, PostKind::Post, p.slug.as_deref().unwrap_or(&p.title)).await?;
            sqlx::query_scalar(
                "INSERT INTO posts (kind, slug, title, intro, closing, status, series_id, author_id, created_at, updated_at) \
                 VALUES ('post', $1, $2, $3, $4, 'draft', $5, $6, $7, $7) RETURNING id",
            )
            .bind(slug.as_str())
            .bind(&p.title)
            .bind(&p.intro)
            .bind(&p.closing)
            .bind(p.series_id)
            .bind(p.author_id)
            .bind(at)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    Ok(post_id)
}

/// One answer, with what signs it, inside a unit of work (`post_id` 0 when in no post).
pub(super) async fn answer_in(tx: &mut Tx, answer_id: i64) -> StoreResult<AnswerRow> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ANSWER_COLUMNS_OF_ROUND} {ANSWER_JOINS} WHERE a.id = $1"
    ))
    .bind(answer_id)
    .fetch_one(&mut **tx)
    .await?)
}

/// A slug made from `text` that no post has yet.
pub(super) async fn free_slug(tx: &mut Tx, kind: PostKind, text: &str) -> StoreResult<Slug> {
    let base = Slug::from_text(text, kind.as_str());
    let mut slug = base.clone();
    let mut n = 1;
    while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts WHERE kind = $1 AND slug = $2")
        .bind(kind.as_str())
        .bind(slug.as_str())
        .fetch_one(&mut **tx)
        .await?
        > 0
    {
        n += 1;
        slug = base.numbered(n);
    }
    Ok(slug)
}

/// A post as an email to subscribers; `{unsubscribe}` in the bodies becomes each
/// subscriber's own unsubscribe link.
pub struct Newsletter {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe_link: Box<dyn Fn(i64) -> String + Send + Sync>,
}

/// A named answer with the post it appeared in, for a panelist's archive.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedAnswerRow {
    pub post_id: i64,
    pub post_slug: String,
    pub post_title: String,
    pub published_at: i64,
    /// The answer's number in the post: its anchor.
    pub number: i64,
    pub body: String,
}

/// One entry of the sitemap.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SitemapPost {
    pub slug: String,
    pub published_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// The published answers a panelist signed with their name, newest first. Role-only and
    /// anonymous answers are never part of a panelist's archive.
    pub async fn named_answers_of_panelist(
        &self,
        panelist_id: i64,
    ) -> StoreResult<Vec<NamedAnswerRow>> {
        Ok(sqlx::query_as(
            "SELECT p.id AS post_id, p.slug AS post_slug, p.title AS post_title, p.published_at, \
             a.number, a.body FROM public_answers a JOIN posts p ON p.id = a.post_id \
             WHERE a.panelist_id = $1 AND p.status = 'published' \
             ORDER BY p.published_at DESC, a.number",
        )
        .bind(panelist_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// `(id, slug, published_at)` of every published post: what its address is made of.
    pub async fn published_post_addresses(&self) -> StoreResult<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, slug, published_at FROM posts \
             WHERE status = 'published' AND kind = 'post' AND published_at IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn sitemap_posts(&self) -> StoreResult<Vec<SitemapPost>> {
        Ok(sqlx::query_as(
            "SELECT slug, published_at, updated_at FROM posts \
             WHERE status = 'published' AND kind = 'post' ORDER BY published_at DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Slugs of panelists with at least one published named answer: the only panelists whose
    /// membership of the panel is public.
    pub async fn public_panelist_slugs(&self) -> StoreResult<Vec<String>> {
        Ok(self
            .public_panelists()
            .await?
            .into_iter()
            .map(|p| p.slug)
            .collect())
    }

    /// Panelists with at least one published named answer, by name.
    pub async fn public_panelists(&self) -> StoreResult<Vec<super::PanelistRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM panelists WHERE id IN (SELECT a.panelist_id FROM public_answers a \
             JOIN posts p ON p.id = a.post_id WHERE p.status = 'published') ORDER BY name, id",
            super::panel::PANELIST_COLUMNS
        ))
        .fetch_all(self.pool())
        .await?)
    }
}

impl Store {
    /// Posts by id, in no particular order; missing ids are skipped.
    pub async fn posts_by_id(&self, ids: &[i64]) -> StoreResult<Vec<PostRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts p LEFT JOIN series s ON s.id = p.series_id WHERE p.id IN ({})",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }
}

/// A list of published posts that readers page through or follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostList {
    /// Every post: the home page and the site's feed.
    All,
    /// The posts filed under a tag or category.
    Term(Taxonomy, i64),
    /// The posts a panelist answered by name.
    Panelist(i64),
}

impl PostList {
    /// The list's condition on `p`, with its one parameter `$1` (unused, and 0, for `All`).
    fn condition(self) -> (String, i64) {
        match self {
            PostList::All => ("AND $1 = 0".to_string(), 0),
            PostList::Term(taxonomy, id) => {
                let (link, column) = taxonomy.link_table();
                (
                    format!("AND p.id IN (SELECT l.post_id FROM {link} l WHERE l.{column} = $1)"),
                    id,
                )
            }
            PostList::Panelist(id) => (
                "AND p.id IN (SELECT a.post_id FROM public_answers a WHERE a.panelist_id = $1)"
                    .to_string(),
                id,
            ),
        }
    }
}

/// A post as the editor's list shows it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AdminPostRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub slug: String,
    pub status: String,
    pub publish_at: Option<i64>,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub round_id: Option<i64>,
    pub answers: i64,
    pub waiting_late: i64,
}

impl Store {
    /// Every post and page, drafts and scheduled first, then the newest.
    pub async fn admin_posts(&self) -> StoreResult<Vec<AdminPostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT p.id, p.kind, p.title, p.slug, p.status, p.publish_at, p.published_at, p.updated_at, r.id AS round_id, \
             (SELECT COUNT(*) FROM answers a WHERE a.post_id = p.id AND a.included = 1) AS answers, \
             (SELECT COUNT(*) FROM answers a WHERE a.round_id = r.id AND {WAITING_LATE}) AS waiting_late \
             FROM posts p LEFT JOIN rounds r ON r.post_id = p.id \
             ORDER BY CASE p.status WHEN 'draft' THEN 0 WHEN 'scheduled' THEN 1 ELSE 2 END, \
             COALESCE(p.published_at, p.updated_at) DESC, p.id DESC"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// Every answer a round received but those withdrawn, in the post's order, then by arrival.
    pub async fn answers_of_round(&self, round_id: i64) -> StoreResult<Vec<AnswerRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ANSWER_COLUMNS_OF_ROUND} {ANSWER_JOINS} WHERE a.round_id = $1 AND a.withdrawn_at IS NULL \
             ORDER BY a.included DESC, a.position, a.submitted_at, a.id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Answers of a post's round waiting to be added to it: every answer not in the post that
    /// arrived after it was compiled (it has no post yet) or after the round closed, whether
    /// from someone new or from a panelist the compilation left out.
    pub async fn late_answers(&self, post_id: i64) -> StoreResult<Vec<AnswerRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ANSWER_COLUMNS_OF_ROUND} {ANSWER_JOINS} JOIN rounds r ON r.id = a.round_id \
             WHERE r.post_id = $1 AND {WAITING_LATE} \
             ORDER BY a.submitted_at, a.id"
        ))
        .bind(post_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Sets a post to be published at `at` by the scheduler.
    pub async fn schedule_post(&self, post_id: i64, at: i64) -> StoreResult<()> {
        let done = sqlx::query("UPDATE posts SET status = 'scheduled', publish_at = $1, updated_at = $2 WHERE id = $3 AND status <> 'published'")
            .bind(at)
            .bind(now())
            .bind(post_id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("only a draft can be scheduled".into()));
        }
        Ok(())
    }

    /// Scheduled posts whose time has come.
    pub async fn posts_due(&self, at: i64) -> StoreResult<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, publish_at FROM posts WHERE status = 'scheduled' AND publish_at <= $1",
        )
        .bind(at)
        .fetch_all(self.pool())
        .await?)
    }
}

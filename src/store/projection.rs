//! The public projection: each post's answers as readers may see them, and the search
//! documents made from exactly that. Every change to a post, its answers, their signing, a
//! panelist's profile or a panelist's erasure calls [`project_post`] in its own transaction,
//! so no public output (pages, feeds, API, panelist pages, exports, newsletters, search) can
//! drift from another. Nothing public reads the answers table: only this module does, and it
//! turns each answer into public text through [`AnswerRow::byline`] alone.

use super::answers::{AnswerRow, ANSWER_COLUMNS, ANSWER_JOINS};
use super::media::{photo_set, PhotoSet};
use super::{placeholders, Store, StoreResult, Tx};
use crate::domain::{Attribution, PostStatus, SignatureTemplate};

/// The id of an answer's element on every page it is on, `answer-POST-N`: unique on a page
/// that shows several posts, and saying nothing of who wrote the answer or when.
pub fn answer_anchor(post_id: i64, number: i64) -> String {
    format!("answer-{post_id}-{number}")
}

/// One answer of a post as readers see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicAnswerRow {
    pub post_id: i64,
    /// 1, 2, 3 … in the post's order: its anchor is [`answer_anchor`].
    pub number: i64,
    /// Set only for answers signed by name: their panelist page.
    pub panelist_slug: Option<String>,
    pub byline: String,
    pub choice: Option<String>,
    pub editor_heading: Option<String>,
    pub editor_note: Option<String>,
    /// The heading goes before this paragraph of the body (0: at the top).
    pub editor_heading_at: i64,
    /// The text readers see (the editor's light edit, when there is one).
    pub body: String,
    pub late: i64,
    /// Only for answers signed by name: the photo (its narrowest width when uploaded), every
    /// width of an uploaded one, its alt text and its credit.
    pub photo_url: Option<String>,
    pub photo_srcset: Option<String>,
    pub photo_alt: Option<String>,
    pub photo_credit: Option<String>,
}

const PUBLIC_ANSWER_COLUMNS: &str = "post_id, number, panelist_slug, byline, choice, \
     editor_heading, editor_note, editor_heading_at, body, late, photo_url, photo_srcset, photo_alt, \
     photo_credit";

/// The post's own searchable text.
#[derive(sqlx::FromRow)]
struct PostText {
    title: String,
    intro: String,
    closing: String,
    body_text: Option<String>,
    published_at: Option<i64>,
    status: String,
    signature_template: String,
}

/// What one included answer shows, made from the answer and its panelist's current profile.
struct Projected {
    panelist_id: Option<i64>,
    row: PublicAnswerRow,
    /// A search filter: for answers not signed by name, only when the panelist allowed it.
    library_type: Option<String>,
}

/// `uploaded` is the answer's panelist's uploaded photo, if they have one: it is shown, like
/// a linked one, beside answers signed by name and nowhere else. Named signatures are written
/// with the series' `template`.
fn project(
    answer: &AnswerRow,
    number: i64,
    uploaded: Option<&PhotoSet>,
    template: &SignatureTemplate,
) -> Projected {
    let byline = answer.byline_in(template);
    let named = answer.attribution() == Attribution::Named;
    let linked = answer
        .photo_url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/'));
    let (photo_url, photo_srcset) = match (named, uploaded, linked) {
        (false, ..) => (None, None),
        (true, Some(set), _) => (Some(set.src.clone()), Some(set.srcset.clone())),
        (true, None, linked) => (linked, None),
    };
    let library_type = match answer.attribution() {
        Attribution::Named => answer.library_type_name.clone(),
        _ if answer.show_library_type != 0 => answer.library_type_name.clone(),
        _ => None,
    };
    Projected {
        panelist_id: named.then_some(answer.panelist_id).flatten(),
        library_type,
        row: PublicAnswerRow {
            post_id: answer.post_id,
            number,
            panelist_slug: byline.panelist_slug,
            byline: byline.text,
            choice: answer.choice.clone(),
            editor_heading: answer.editor_heading.clone(),
            editor_note: answer.editor_note.clone(),
            editor_heading_at: answer.editor_heading_at,
            body: answer.public_body().to_string(),
            late: answer.is_late,
            photo_credit: photo_url.as_ref().and(answer.photo_credit.clone()),
            photo_alt: photo_url.as_ref().and(answer.photo_alt.clone()),
            photo_srcset,
            photo_url,
        },
    }
}

/// Rebuilds a post's public answers and its search documents from the post and its included
/// answers as they are now in `tx`.
pub(crate) async fn project_post(tx: &mut Tx, post_id: i64) -> StoreResult<()> {
    for table in ["public_answers", "search_documents", "projection_pending"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
            .bind(post_id)
            .execute(&mut **tx)
            .await?;
    }
    let Some(post): Option<PostText> = sqlx::query_as(
        "SELECT p.title, p.intro, p.closing, p.body_text, p.published_at, p.status, \
         COALESCE(s.signature_template, '') AS signature_template \
         FROM posts p LEFT JOIN series s ON s.id = p.series_id WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(());
    };
    let answers: Vec<AnswerRow> = sqlx::query_as(&format!(
        "SELECT {ANSWER_COLUMNS} {ANSWER_JOINS} WHERE a.included = 1 AND a.post_id = $1 \
         ORDER BY a.position, a.id"
    ))
    .bind(post_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut photos = std::collections::HashMap::new();
    for id in answers.iter().filter_map(|a| a.photo_media_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = photos.entry(id) {
            slot.insert(photo_set(tx, id).await?);
        }
    }
    // A template saved is one that parsed; one that no longer does signs the default way.
    let template = SignatureTemplate::parse(&post.signature_template).unwrap_or_default();
    let projected: Vec<Projected> = answers
        .iter()
        .zip(1..)
        .map(|(answer, number)| {
            let uploaded = answer
                .photo_media_id
                .and_then(|id| photos.get(&id))
                .and_then(Option::as_ref);
            project(answer, number, uploaded, &template)
        })
        .collect();
    for p in &projected {
        let a = &p.row;
        sqlx::query(
            "INSERT INTO public_answers (post_id, number, panelist_id, panelist_slug, byline, \
             library_type, choice, editor_heading, editor_note, editor_heading_at, body, late, \
             photo_url, photo_credit, photo_srcset, photo_alt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(post_id)
        .bind(a.number)
        .bind(p.panelist_id)
        .bind(&a.panelist_slug)
        .bind(&a.byline)
        .bind(&p.library_type)
        .bind(&a.choice)
        .bind(&a.editor_heading)
        .bind(&a.editor_note)
        .bind(a.editor_heading_at)
        .bind(&a.body)
        .bind(a.late)
        .bind(&a.photo_url)
        .bind(&a.photo_credit)
        .bind(&a.photo_srcset)
        .bind(&a.photo_alt)
        .execute(&mut **tx)
        .await?;
    }
    if post.status != PostStatus::Published.as_str() {
        return Ok(());
    }
    // Search documents: one for the post, one for each answer, from the same public text.
    let year = post
        .published_at
        .and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|t| i64::from(t.to_zoned(jiff::tz::TimeZone::UTC).year()))
        .unwrap_or(0);
    let post_text = [
        post.intro.as_str(),
        // Imported HTML is searched as the text a reader sees, not its markup.
        post.body_text.as_deref().unwrap_or(""),
        post.closing.as_str(),
    ]
    .join("\n\n");
    let document = Document {
        post_id,
        title: &post.title,
        year,
    };
    document.insert(tx, None, "", &post_text, None).await?;
    for p in &projected {
        let a = &p.row;
        let body = match &a.editor_heading {
            Some(heading) => format!("{}\n\n{heading}", a.body),
            None => a.body.clone(),
        };
        document
            .insert(
                tx,
                Some(a.number),
                &a.byline,
                &body,
                p.library_type.as_deref(),
            )
            .await?;
    }
    Ok(())
}

/// What every search document of one post shares.
struct Document<'a> {
    post_id: i64,
    title: &'a str,
    year: i64,
}

impl Document<'_> {
    async fn insert(
        &self,
        tx: &mut Tx,
        answer_number: Option<i64>,
        byline: &str,
        body: &str,
        library_type: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO search_documents (post_id, answer_number, title, byline, body, library_type, year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.post_id)
        .bind(answer_number)
        .bind(self.title)
        .bind(byline)
        .bind(body)
        .bind(library_type.map(str::to_lowercase))
        .bind(self.year)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

impl Store {
    /// The public answers of the given posts, in each post's order.
    pub async fn public_answers_of_posts(
        &self,
        post_ids: &[i64],
    ) -> StoreResult<Vec<PublicAnswerRow>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {PUBLIC_ANSWER_COLUMNS} FROM public_answers WHERE post_id IN ({}) \
             ORDER BY post_id, number",
            placeholders(1, post_ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// Projects the posts that were written before the projection existed (once, after the
    /// migration that made it). Returns how many.
    pub async fn project_pending(&self) -> StoreResult<usize> {
        let pending: Vec<i64> = sqlx::query_scalar("SELECT post_id FROM projection_pending")
            .fetch_all(self.pool())
            .await?;
        for chunk in pending.chunks(200) {
            let mut tx = self.begin().await?;
            for post_id in chunk {
                project_post(&mut tx, *post_id).await?;
            }
            tx.commit().await?;
        }
        if !pending.is_empty() {
            let mut tx = self.begin().await?;
            super::bump_content_version(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(pending.len())
    }
}

/// Projects again every post with an answer of this panelist: their profile (photo, page)
/// changed, or they were erased.
pub(super) async fn project_posts_of_panelist(tx: &mut Tx, panelist_id: i64) -> StoreResult<()> {
    let posts: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT post_id FROM answers WHERE panelist_id = $1 AND post_id IS NOT NULL",
    )
    .bind(panelist_id)
    .fetch_all(&mut **tx)
    .await?;
    for post_id in posts {
        project_post(tx, post_id).await?;
    }
    Ok(())
}

/// Projects again the post an answer is in, if it is in one.
pub(super) async fn project_post_of_answer(tx: &mut Tx, answer_id: i64) -> StoreResult<()> {
    let post: Option<i64> =
        sqlx::query_scalar("SELECT post_id FROM answers WHERE id = $1 AND included = 1")
            .bind(answer_id)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
    match post {
        Some(post_id) => project_post(tx, post_id).await,
        None => Ok(()),
    }
}

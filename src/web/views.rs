//! What templates receive: posts, answers and comments already turned into public text and
//! safe HTML. Answer authorship enters a view only through `AnswerRow::byline`.

use std::collections::HashMap;

use serde::Serialize;

use crate::render::{
    comment_html, human_date, iso_datetime, markdown_html, permalink, tally_svg, tally_text,
    SiteClock,
};
use crate::store::{AnswerRow, CommentRow, PostRow, Store, StoreResult, Taxonomy, TermRow};

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub tagline: String,
}

impl SiteView {
    pub async fn load(store: &Store) -> StoreResult<(SiteView, SiteClock)> {
        let settings = store.settings_map().await?;
        let site = SiteView {
            title: settings
                .get("site_title")
                .cloned()
                .unwrap_or_else(|| "Roundtable".into()),
            tagline: settings.get("site_tagline").cloned().unwrap_or_default(),
        };
        Ok((
            site,
            SiteClock::new(settings.get("timezone").map(String::as_str)),
        ))
    }
}

#[derive(Serialize)]
pub struct TermView {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct AnswerView {
    pub anchor: String,
    pub byline: String,
    pub panelist_url: Option<String>,
    pub choice: Option<String>,
    pub editor_heading: Option<String>,
    pub editor_note_html: Option<String>,
    pub body_html: String,
    pub late: bool,
    /// Only for answers published by name.
    pub photo_url: Option<String>,
    pub photo_credit: Option<String>,
}

#[derive(Serialize)]
pub struct TallyView {
    pub label: String,
    pub count: i64,
}

#[derive(Serialize)]
pub struct CommentView {
    pub id: i64,
    pub anchor: String,
    pub author: String,
    pub author_url: Option<String>,
    pub date: String,
    pub date_iso: String,
    pub body_html: String,
    pub replies: Vec<CommentView>,
}

#[derive(Serialize)]
pub struct PostView {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_iso: String,
    pub intro_html: String,
    pub body_html: Option<String>,
    pub closing_html: String,
    pub answers: Vec<AnswerView>,
    pub attribution_after: bool,
    pub tally: Vec<TallyView>,
    pub tally_text: String,
    pub tally_svg: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
    pub edit_notes: Vec<String>,
    pub tags: Vec<TermView>,
    pub categories: Vec<TermView>,
    pub comment_count: i64,
}

/// Builds the views of a list of posts with one query per kind of data, whatever their number.
pub async fn post_views(
    store: &Store,
    clock: &SiteClock,
    posts: Vec<PostRow>,
) -> StoreResult<Vec<PostView>> {
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    // Independent queries, sent together: a page waits for the slowest, not for their sum.
    let (answer_rows, tag_rows, category_rows, counts, note_rows, tally_rows) = tokio::try_join!(
        store.answers_of_posts(&ids),
        store.terms_of_posts(Taxonomy::Tag, &ids),
        store.terms_of_posts(Taxonomy::Category, &ids),
        store.comment_counts(&ids),
        store.edit_notes_of_posts(&ids),
        store.choice_tallies(&ids),
    )?;
    let mut answers: HashMap<i64, Vec<AnswerRow>> = HashMap::new();
    for answer in answer_rows {
        answers.entry(answer.post_id).or_default().push(answer);
    }
    let mut tags = group_terms(tag_rows, "tag");
    let mut categories = group_terms(category_rows, "category");
    let counts: HashMap<i64, i64> = counts.into_iter().collect();
    let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
    for note in note_rows {
        notes.entry(note.post_id).or_default().push(note.body);
    }
    let mut tallies: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for (post_id, label, count) in tally_rows {
        tallies.entry(post_id).or_default().push((label, count));
    }
    let mut views = Vec::with_capacity(posts.len());
    for post in posts {
        let published = post.published_at.unwrap_or(post.updated_at);
        let tally = tallies.remove(&post.id).unwrap_or_default();
        views.push(PostView {
            url: permalink(clock, published, &post.slug),
            date: human_date(clock, published),
            date_iso: iso_datetime(clock, published),
            intro_html: markdown_html(&post.intro),
            body_html: post.body_html.clone(),
            closing_html: markdown_html(&post.closing),
            answers: answers
                .remove(&post.id)
                .unwrap_or_default()
                .iter()
                .map(answer_view)
                .collect(),
            attribution_after: post.attribution_style == "after",
            tally_text: tally_text(&tally),
            tally_svg: (!tally.is_empty())
                .then(|| tally_svg(&format!("Short answers to “{}”", post.title), &tally)),
            tally: tally
                .into_iter()
                .map(|(label, count)| TallyView { label, count })
                .collect(),
            id: post.id,
            published_at: published,
            updated_at: post.updated_at,
            edit_notes: notes.remove(&post.id).unwrap_or_default(),
            tags: tags.remove(&post.id).unwrap_or_default(),
            categories: categories.remove(&post.id).unwrap_or_default(),
            comment_count: counts.get(&post.id).copied().unwrap_or(0),
            title: post.title,
        });
    }
    Ok(views)
}

fn answer_view(answer: &AnswerRow) -> AnswerView {
    let byline = answer.byline();
    let named = answer.attribution() == crate::domain::Attribution::Named;
    let photo_url = answer.photo_url.clone().filter(|u| {
        named && (u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/'))
    });
    AnswerView {
        photo_credit: photo_url.as_ref().and(answer.photo_credit.clone()),
        photo_url,
        anchor: format!("answer-{}", answer.id),
        panelist_url: byline
            .panelist_slug
            .as_ref()
            .map(|slug| format!("/panelist/{slug}/")),
        byline: byline.text,
        choice: answer.choice.clone(),
        editor_heading: answer.editor_heading.clone(),
        editor_note_html: answer.editor_note.as_deref().map(markdown_html),
        body_html: markdown_html(answer.public_body()),
        late: answer.is_late != 0,
    }
}

fn group_terms(rows: Vec<(i64, TermRow)>, base: &str) -> HashMap<i64, Vec<TermView>> {
    let mut grouped: HashMap<i64, Vec<TermView>> = HashMap::new();
    for (post_id, term) in rows {
        grouped.entry(post_id).or_default().push(TermView {
            url: format!("/{base}/{}/", term.slug),
            name: term.name,
        });
    }
    grouped
}

/// One comment on its own, such as the commenter's own comment awaiting moderation.
pub fn comment_view(clock: &SiteClock, c: &CommentRow) -> CommentView {
    CommentView {
        id: c.id,
        anchor: format!("comment-{}", c.id),
        author: c.author_name.clone(),
        author_url: c
            .author_url
            .clone()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://")),
        date: human_date(clock, c.created_at),
        date_iso: iso_datetime(clock, c.created_at),
        body_html: comment_html(&c.body),
        replies: Vec::new(),
    }
}

/// Approved comments as threads one level deep, oldest first.
pub fn comment_threads(clock: &SiteClock, comments: Vec<CommentRow>) -> Vec<CommentView> {
    let mut threads: Vec<CommentView> = Vec::new();
    let mut orphans = Vec::new();
    for c in &comments {
        match c.parent_id {
            None => threads.push(comment_view(clock, c)),
            Some(parent) => match threads.iter_mut().find(|t| t.id == parent) {
                Some(thread) => thread.replies.push(comment_view(clock, c)),
                // A reply whose parent is not shown (held or removed) still appears, at the top level.
                None => orphans.push(comment_view(clock, c)),
            },
        }
    }
    threads.extend(orphans);
    threads
}

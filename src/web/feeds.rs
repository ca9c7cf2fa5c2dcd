//! Feeds for every list a reader can follow: the site, each tag, category and panelist, in
//! RSS 2.0 and Atom, with each post's full content; and the comments feeds, site-wide and of
//! each post, in RSS as WordPress has them.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::WebError;
use crate::column::public::{published_count, published_page, SiteView};
use crate::render::{atom, comment_html, permalink, plain_text, rss, FeedEntry, FeedMeta};
use crate::store::{PostList, Taxonomy};
use crate::web::SharedState;

/// Posts per feed: WordPress's default ("Syndication feeds show the most recent 10 items"),
/// and each carries a whole post with all its answers.
const FEED_SIZE: i64 = 10;

#[derive(Clone, Copy)]
pub enum Format {
    Rss,
    Atom,
}

async fn respond(
    state: &SharedState,
    format: Format,
    title: String,
    page_path: &str,
    list: PostList,
) -> Result<Response, WebError> {
    let base = state.column.base_url.clone();
    let (site, clock) = SiteView::load(&state.column.store).await?;
    let posts = published_page(&state.column, &clock, list, 0, FEED_SIZE).await?;
    let mut entries = Vec::with_capacity(posts.len());
    for post in &posts {
        let content_html = post.feed_body(&state.column.templates, &base)?;
        let intro = crate::render::plain_text(&post.intro_html);
        entries.push(FeedEntry {
            id: format!("{base}/?p={}", post.id),
            title: post.title.clone(),
            link: format!("{base}{}", post.url),
            author: site.title.clone(),
            published: post.published_at,
            updated: post.updated_at.max(post.published_at),
            categories: post
                .categories
                .iter()
                .chain(&post.tags)
                .map(|t| t.name.clone())
                .collect(),
            summary: match post.tally_text.as_str() {
                "" => intro,
                tally => format!("{intro} Short answers: {tally}."),
            },
            content_html,
        });
    }
    let feed_path = match format {
        Format::Rss => format!("{page_path}feed/"),
        Format::Atom => format!("{page_path}feed/atom/"),
    };
    let meta = FeedMeta {
        title,
        description: if site.tagline.is_empty() {
            site.title.clone()
        } else {
            site.tagline.clone()
        },
        link: format!("{base}{page_path}"),
        self_url: format!("{base}{feed_path}"),
        updated: entries.iter().map(|e| e.updated).max().unwrap_or(0),
    };
    let (body, content_type) = match format {
        Format::Rss => (rss(&meta, &entries), "application/rss+xml; charset=utf-8"),
        Format::Atom => (
            atom(&meta, &entries, &clock),
            "application/atom+xml; charset=utf-8",
        ),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

pub async fn site_rss(state: State<SharedState>) -> Result<Response, WebError> {
    site_feed(&state, Format::Rss).await
}

pub async fn site_atom(state: State<SharedState>) -> Result<Response, WebError> {
    site_feed(&state, Format::Atom).await
}

async fn site_feed(state: &SharedState, format: Format) -> Result<Response, WebError> {
    let (site, _) = SiteView::load(&state.column.store).await?;
    respond(state, format, site.title, "/", PostList::All).await
}

async fn term_feed(
    state: &SharedState,
    taxonomy: Taxonomy,
    slug: &str,
    format: Format,
) -> Result<Response, WebError> {
    // The feed of a term no published post files yet is empty, not missing.
    let term = match state.column.store.used_term(taxonomy, slug).await? {
        Some(term) => term,
        None => state
            .column
            .store
            .term_by_slug(taxonomy, slug)
            .await?
            .ok_or(WebError::NotFound)?,
    };
    let (site, _) = SiteView::load(&state.column.store).await?;
    let path = format!("/{}/{}/", taxonomy.base(), term.slug);
    respond(
        state,
        format,
        format!("{} · {}", term.name, site.title),
        &path,
        PostList::Term(taxonomy, term.id),
    )
    .await
}

pub async fn tag_rss(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    term_feed(&state, Taxonomy::Tag, &slug, Format::Rss).await
}

pub async fn tag_atom(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    term_feed(&state, Taxonomy::Tag, &slug, Format::Atom).await
}

pub async fn category_rss(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    term_feed(&state, Taxonomy::Category, &slug, Format::Rss).await
}

pub async fn category_atom(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    term_feed(&state, Taxonomy::Category, &slug, Format::Atom).await
}

/// The posts a panelist answered by name; like their page, it exists only once they have one.
async fn panelist_feed(
    state: &SharedState,
    slug: &str,
    format: Format,
) -> Result<Response, WebError> {
    let panelist = state
        .column
        .store
        .public_panelist(slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let list = PostList::Panelist(panelist.id);
    if published_count(&state.column, list).await? == 0 {
        return Err(WebError::NotFound);
    }
    let (site, _) = SiteView::load(&state.column.store).await?;
    let path = format!("/panelist/{}/", panelist.slug);
    respond(
        state,
        format,
        format!("{} · {}", panelist.name, site.title),
        &path,
        list,
    )
    .await
}

pub async fn panelist_rss(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    panelist_feed(&state, &slug, Format::Rss).await
}

pub async fn panelist_atom(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    panelist_feed(&state, &slug, Format::Atom).await
}

/// Comments per comments feed: WordPress's default for every feed.
const COMMENT_FEED_SIZE: i64 = 10;

/// The newest approved comments on every published post, as WordPress's `/comments/feed/`.
pub async fn site_comments_rss(state: State<SharedState>) -> Result<Response, WebError> {
    let (site, _) = SiteView::load(&state.column.store).await?;
    let title = format!("Comments for {}", site.title);
    comments_feed(&state, title, "/", None).await
}

/// One post's approved comments, at `/YYYY/MM/DD/slug/feed/` as on WordPress.
pub async fn post_comments_rss(
    state: State<SharedState>,
    Path((year, month, day, slug)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    let post = super::site::find_post(&state, &year, &month, &day, &slug).await?;
    let title = format!("Comments on: {}", post.view.title);
    comments_feed(&state, title, &post.view.url, Some(post.view.id)).await
}

/// Only approved comments, and only the commenter's name and words: what the post's page shows.
async fn comments_feed(
    state: &SharedState,
    title: String,
    page_path: &str,
    post_id: Option<i64>,
) -> Result<Response, WebError> {
    let base = state.column.base_url.clone();
    let (site, clock) = SiteView::load(&state.column.store).await?;
    let comments = state
        .column
        .store
        .latest_approved_comments(post_id, COMMENT_FEED_SIZE)
        .await?;
    let entries: Vec<FeedEntry> = comments
        .iter()
        .map(|c| {
            let post_url = permalink(&clock, c.post_published_at, &c.post_slug);
            let link = format!("{base}{post_url}#comment-{}", c.id);
            let body_html = comment_html(&c.body);
            FeedEntry {
                id: link.clone(),
                title: match post_id {
                    Some(_) => format!("By: {}", c.author_name),
                    None => format!("Comment on {} by {}", c.post_title, c.author_name),
                },
                link,
                author: c.author_name.clone(),
                published: c.created_at,
                updated: c.created_at,
                categories: Vec::new(),
                summary: plain_text(&body_html),
                content_html: body_html.into(),
            }
        })
        .collect();
    let meta = FeedMeta {
        title,
        description: if site.tagline.is_empty() {
            site.title.clone()
        } else {
            site.tagline.clone()
        },
        link: format!("{base}{page_path}"),
        self_url: match post_id {
            Some(_) => format!("{base}{page_path}feed/"),
            None => format!("{base}/comments/feed/"),
        },
        updated: entries.iter().map(|e| e.updated).max().unwrap_or(0),
    };
    Ok((
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        rss(&meta, &entries),
    )
        .into_response())
}

//! Feeds for every list a reader can follow: the site, each tag, category and panelist, in
//! RSS 2.0 and Atom, with each post's full content.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::WebError;
use crate::column::public::{published_count, published_page, SiteView};
use crate::render::{atom, rss, FeedEntry, FeedMeta};
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

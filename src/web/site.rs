//! The reader's pages: the home page with its pages of older posts, and one post.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::views::{comment_threads, post_views, CommentView, PostView, SiteView};
use super::WebError;
use crate::app::SharedState;
use crate::render::day_bounds;

/// Posts per page on the home page and archives.
const PAGE_SIZE: i64 = 10;

#[derive(Serialize)]
struct HomePage {
    site: SiteView,
    posts: Vec<PostView>,
    page: i64,
    newer_url: Option<String>,
    older_url: Option<String>,
}

pub async fn home(state: State<SharedState>) -> Result<Html<String>, WebError> {
    render_home(&state, 1).await
}

pub async fn home_page(
    state: State<SharedState>,
    Path(n): Path<String>,
) -> Result<Response, WebError> {
    let n: i64 = n.parse().map_err(|_| WebError::NotFound)?;
    if n == 1 {
        return Ok(axum::response::Redirect::permanent("/").into_response());
    }
    if n < 1 {
        return Err(WebError::NotFound);
    }
    Ok(render_home(&state, n).await?.into_response())
}

async fn render_home(state: &SharedState, page: i64) -> Result<Html<String>, WebError> {
    let store = &state.store;
    let total = store.count_published_posts().await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if page > pages {
        return Err(WebError::NotFound);
    }
    let (site, clock) = SiteView::load(store).await?;
    let rows = store
        .published_posts((page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    let posts = post_views(store, &clock, rows).await?;
    let page_url = |n: i64| {
        if n == 1 {
            "/".to_string()
        } else {
            format!("/page/{n}/")
        }
    };
    let html = state.templates.render(
        "pages/home.html",
        HomePage {
            site,
            posts,
            page,
            newer_url: (page > 1).then(|| page_url(page - 1)),
            older_url: (page < pages).then(|| page_url(page + 1)),
        },
    )?;
    Ok(Html(html))
}

#[derive(Serialize)]
struct PostPage {
    site: SiteView,
    post: PostView,
    comments: Vec<CommentView>,
}

pub async fn post(
    state: State<SharedState>,
    Path((year, month, day, slug)): Path<(String, String, String, String)>,
) -> Result<Html<String>, WebError> {
    let (Ok(year), Ok(month), Ok(day)) =
        (year.parse::<i16>(), month.parse::<i8>(), day.parse::<i8>())
    else {
        return Err(WebError::NotFound);
    };
    let store = &state.store;
    let (site, clock) = SiteView::load(store).await?;
    let (from, to) = day_bounds(&clock, year, month, day).ok_or(WebError::NotFound)?;
    let row = store
        .published_post_by_slug(&slug, from, to)
        .await?
        .ok_or(WebError::NotFound)?;
    let comments = comment_threads(&clock, store.approved_comments(row.id).await?);
    let post = post_views(store, &clock, vec![row])
        .await?
        .pop()
        .ok_or(WebError::NotFound)?;
    let html = state.templates.render(
        "pages/post.html",
        PostPage {
            site,
            post,
            comments,
        },
    )?;
    Ok(Html(html))
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

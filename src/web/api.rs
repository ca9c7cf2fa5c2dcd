//! The read-only JSON API under `/api/v1/`, described by an OpenAPI document. It serves the
//! same public views as the pages, so it can reveal nothing the pages do not.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Json, Response};
use serde::{Deserialize, Serialize};

use super::WebError;
use crate::column::public::{post_views, PostView, SiteView};
use crate::render::permalink;
use crate::store::{answer_anchor, SearchQuery, Taxonomy};
use crate::web::SharedState;

const API_PAGE_SIZE: i64 = 20;

/// Every error under `/api/` is JSON, `{"error": "…", "status": 404}`, whatever made it: a
/// handler's [`WebError`], an extractor's rejection, or an unknown address.
pub async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    // A page's "not found" sentence points readers at the home page; the API's says what it is.
    let shown = response
        .extensions()
        .get::<super::error::ErrorMessage>()
        .filter(|_| status != axum::http::StatusCode::NOT_FOUND);
    let message = match shown {
        Some(shown) => shown.0.clone(),
        None => status
            .canonical_reason()
            .unwrap_or("the request could not be answered")
            .to_string(),
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut json = (
        status,
        Json(serde_json::json!({ "error": message, "status": status.as_u16() })),
    )
        .into_response();
    if let Some(value) = retry_after {
        json.headers_mut().insert(header::RETRY_AFTER, value);
    }
    json
}

/// An address under `/api/` that names nothing.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

#[derive(Deserialize)]
pub struct PageParams {
    #[serde(default)]
    page: Option<String>,
}

fn page_of(params: &PageParams) -> Result<i64, WebError> {
    match params.page.as_deref() {
        None | Some("") => Ok(1),
        Some(n) => super::links::page_number(n)
            .map_err(|_| WebError::BadRequest("page must be a whole number from 1".into())),
    }
}

#[derive(Serialize)]
struct PostList {
    page: i64,
    pages: i64,
    total: i64,
    posts: Vec<PostView>,
}

pub async fn posts(
    State(state): State<SharedState>,
    Query(params): Query<PageParams>,
) -> Result<Json<impl Serialize>, WebError> {
    let page = page_of(&params)?;
    let store = &state.column.store;
    let total = store.count_published_posts().await?;
    let (_, clock) = SiteView::load(store).await?;
    let rows = store
        .published_posts((page - 1) * API_PAGE_SIZE, API_PAGE_SIZE)
        .await?;
    let posts = post_views(store, &clock, rows).await?;
    let pages = ((total + API_PAGE_SIZE - 1) / API_PAGE_SIZE).max(1);
    Ok(Json(PostList {
        page,
        pages,
        total,
        posts,
    }))
}

pub async fn post(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<PostView>, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let store = &state.column.store;
    let row = store.post(id).await.map_err(|_| WebError::NotFound)?;
    if row.status != "published" {
        return Err(WebError::NotFound);
    }
    let (_, clock) = SiteView::load(store).await?;
    post_views(store, &clock, vec![row])
        .await?
        .pop()
        .map(Json)
        .ok_or(WebError::NotFound)
}

#[derive(Serialize)]
pub struct TermJson {
    slug: String,
    name: String,
    posts: i64,
    url: String,
}

async fn terms(state: &SharedState, taxonomy: Taxonomy) -> Result<Json<Vec<TermJson>>, WebError> {
    let terms = state.column.store.used_terms(taxonomy).await?;
    Ok(Json(
        terms
            .iter()
            .map(|(t, posts)| TermJson {
                url: format!("/{}/{}/", taxonomy.base(), t.slug),
                slug: t.slug.clone(),
                name: t.name.clone(),
                posts: *posts,
            })
            .collect(),
    ))
}

pub async fn tags(State(state): State<SharedState>) -> Result<Json<Vec<TermJson>>, WebError> {
    terms(&state, Taxonomy::Tag).await
}

pub async fn categories(State(state): State<SharedState>) -> Result<Json<Vec<TermJson>>, WebError> {
    terms(&state, Taxonomy::Category).await
}

/// What the API says of a panelist: their public profile only, never their email.
#[derive(Serialize)]
pub struct PanelistJson {
    slug: String,
    name: String,
    pronouns: Option<String>,
    title: Option<String>,
    institution: Option<String>,
    city: Option<String>,
    url: String,
}

pub async fn panelists(
    State(state): State<SharedState>,
) -> Result<Json<Vec<PanelistJson>>, WebError> {
    let panelists = state.column.store.public_panelists().await?;
    Ok(Json(
        panelists
            .into_iter()
            .map(|p| PanelistJson {
                url: format!("/panelist/{}/", p.slug),
                slug: p.slug,
                name: p.name,
                pronouns: p.pronouns,
                title: p.title,
                institution: p.institution,
                city: p.city,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
}

#[derive(Serialize)]
struct HitJson {
    post_id: i64,
    answer_number: Option<i64>,
    title: String,
    url: String,
    byline: String,
    snippet: String,
}

#[derive(Serialize)]
struct SearchJson {
    query: String,
    total: i64,
    page: i64,
    hits: Vec<HitJson>,
}

pub async fn search(
    State(state): State<SharedState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<impl Serialize>, WebError> {
    if params.q.chars().count() > 200 {
        return Err(WebError::BadRequest(
            "q is too long: use at most 200 characters".into(),
        ));
    }
    let page = page_of(&PageParams {
        page: params.page.clone(),
    })?;
    let store = &state.column.store;
    let (_, clock) = SiteView::load(store).await?;
    let (hits, total) = store
        .search(&SearchQuery {
            words: params.q.clone(),
            limit: API_PAGE_SIZE,
            offset: (page - 1) * API_PAGE_SIZE,
            ..SearchQuery::default()
        })
        .await?;
    let ids: Vec<i64> = hits.iter().map(|h| h.post_id).collect();
    let posts = store.posts_by_id(&ids).await?;
    let hits = hits
        .into_iter()
        .filter_map(|h| {
            let p = posts.iter().find(|p| p.id == h.post_id)?;
            let url = permalink(&clock, p.published_at.unwrap_or(p.updated_at), &p.slug);
            Some(HitJson {
                post_id: h.post_id,
                answer_number: h.answer_number,
                title: p.title.clone(),
                url: match h.answer_number {
                    Some(n) => format!("{url}#{}", answer_anchor(h.post_id, n)),
                    None => url,
                },
                byline: h.byline,
                snippet: h
                    .snippet
                    .replace([crate::store::MATCH_START, crate::store::MATCH_END], ""),
            })
        })
        .collect();
    Ok(Json(SearchJson {
        query: params.q,
        total,
        page,
        hits,
    }))
}

/// The OpenAPI 3 document, with the server's address filled in.
pub async fn openapi(State(state): State<SharedState>) -> Response {
    let base = state.column.base_url.clone();
    let doc = include_str!("openapi.json").replace("{{BASE}}", &base);
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

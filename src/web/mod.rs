//! The HTTP side: the router and one module per area of the site.

mod admin;
mod answer;
mod api;
mod cache;
mod crawl;
mod error;
mod feeds;
mod forms;
mod mailer;
mod search;
mod site;
pub(crate) mod views;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use admin::{newsletter as admin_newsletter, queue_reminders as admin_queue_reminders};
pub use cache::PageCache;
pub use error::WebError;
/// The public forms and the search query as decoded from a request; public for the fuzz
/// targets (`fuzz/`), which decode them as `Form` and `Query` do.
pub use forms::{CommentForm, Typed};
pub use search::{encode_query, SearchParams};
pub use site::page_count;

use crate::app::{AppState, SharedState};

pub fn router(state: SharedState) -> Router {
    let public = Router::new()
        .route("/", get(site::home))
        .route("/page/{n}/", get(site::home_page))
        .route("/{year}/{month}/{day}/{slug}/", get(site::post))
        .route("/tag/{slug}/", get(site::tag))
        .route("/tag/{slug}/page/{n}/", get(site::tag_page))
        .route("/category/{slug}/", get(site::category))
        .route("/category/{slug}/page/{n}/", get(site::category_page))
        .route("/panelist/{slug}/", get(site::panelist))
        .route("/search", get(search::search))
        .route("/search/", get(search::search))
        .route("/feed/", get(feeds::site_rss))
        .route("/feed/atom/", get(feeds::site_atom))
        .route("/tag/{slug}/feed/", get(feeds::tag_rss))
        .route("/tag/{slug}/feed/atom/", get(feeds::tag_atom))
        .route("/category/{slug}/feed/", get(feeds::category_rss))
        .route("/category/{slug}/feed/atom/", get(feeds::category_atom))
        .route("/panelist/{slug}/feed/", get(feeds::panelist_rss))
        .route("/panelist/{slug}/feed/atom/", get(feeds::panelist_atom))
        .route("/sitemap.xml", get(crawl::sitemap))
        .route("/robots.txt", get(crawl::robots))
        .route("/api/v1/posts", get(api::posts))
        .route("/api/v1/posts/{id}", get(api::post))
        .route("/api/v1/tags", get(api::tags))
        .route("/api/v1/categories", get(api::categories))
        .route("/api/v1/panelists", get(api::panelists))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/openapi.json", get(api::openapi))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::cached,
        ));
    let forms = Router::new()
        .route(
            "/{year}/{month}/{day}/{slug}/comments",
            post(forms::post_comment),
        )
        .route("/suggest/", get(forms::suggest).post(forms::suggest_post))
        .route("/join/", get(forms::join).post(forms::join_post))
        .route(
            "/subscribe/",
            get(forms::subscribe).post(forms::subscribe_post),
        );
    public
        .merge(forms)
        .merge(admin::router())
        .route("/answer/{token}", get(answer::page).post(answer::submit))
        .route("/subscribe/confirm/{token}", get(forms::confirm_subscription))
        .route("/join/confirm/{token}", get(forms::confirm_join))
        .route("/unsubscribe/{id}/{token}", get(forms::unsubscribe_page).post(forms::unsubscribe))
        .route("/static/style.css", get(site::stylesheet))
        .fallback(site::not_found)
        .layer(axum::middleware::from_fn(without_nul))
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        ))
        .with_state(state)
}

/// The site's public address: the configured base URL, or the address this request came to.
pub fn site_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &state.config.base_url {
        return base.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Largest form body read, in bytes (forms carry text only).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// NUL characters cannot be stored (PostgreSQL refuses them in text) and mean nothing in text
/// a person typed: forms lose them before any handler reads the body, and an address that
/// contains one is refused.
async fn without_nul(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = request.uri().to_string();
    if uri.contains("%00") || uri.contains('\0') {
        return WebError::BadRequest("Addresses cannot contain a NUL character.".into())
            .into_response();
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return WebError::BadRequest("The form is larger than this site accepts.".into())
            .into_response();
    };
    // In a form body a NUL is written `%00` (or, from a careless client, as a raw byte).
    let text = String::from_utf8_lossy(&bytes)
        .replace("%00", "")
        .replace('\0', "");
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(text),
    ))
    .await
}

//! The HTTP side: the router and one module per area of the site.

mod admin;
mod answer;
mod api;
mod cache;
pub mod client;
mod comment_form;
mod crawl;
mod error;
mod feeds;
mod forms;
pub(crate) mod id;
mod links;
pub(crate) mod media;
mod search;
mod site;
mod state;
mod yours;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use cache::PageCache;
/// The public forms and the search query as decoded from a request; public for the fuzz
/// targets (`fuzz/`), which decode them as `Form` and `Query` do.
pub use comment_form::CommentForm;
pub use error::WebError;
pub use forms::Typed;
pub use links::encode_query;
pub use search::SearchParams;
pub use state::{AppState, SharedState};

pub fn router(state: SharedState) -> Router {
    let public = Router::new()
        .route("/", get(site::home))
        .route("/page/{n}/", get(site::home_page))
        .route("/{year}/{month}/{day}/{slug}/", get(site::post))
        .route("/tag/", get(site::tags))
        .route("/category/", get(site::categories))
        .route("/tag/{slug}/", get(site::tag))
        .route("/tag/{slug}/page/{n}/", get(site::tag_page))
        .route("/category/{slug}/", get(site::category))
        .route("/category/{slug}/page/{n}/", get(site::category_page))
        .route("/panelist/{slug}/", get(site::panelist))
        .route("/search", get(search::search))
        .route("/search/", get(search::search))
        .route("/feed/", get(feeds::site_rss))
        .route("/feed/atom/", get(feeds::site_atom))
        .route("/comments/feed/", get(feeds::site_comments_rss))
        .route(
            "/{year}/{month}/{day}/{slug}/feed/",
            get(feeds::post_comments_rss),
        )
        .route("/tag/{slug}/feed/", get(feeds::tag_rss))
        .route("/tag/{slug}/feed/atom/", get(feeds::tag_atom))
        .route("/category/{slug}/feed/", get(feeds::category_rss))
        .route("/category/{slug}/feed/atom/", get(feeds::category_atom))
        .route("/panelist/{slug}/feed/", get(feeds::panelist_rss))
        .route("/panelist/{slug}/feed/atom/", get(feeds::panelist_atom))
        .route("/sitemap.xml", get(crawl::sitemap))
        .route("/robots.txt", get(crawl::robots))
        .merge(api_router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::cached,
        ));
    let forms = Router::new()
        .route(
            "/{year}/{month}/{day}/{slug}/comments",
            get(forms::held_comment).post(forms::post_comment),
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
        .route("/you/{id}/{token}/", get(yours::page).post(yours::submit))
        .route(
            "/you/{id}/{token}/photo",
            axum::routing::post(yours::photo)
                .layer(axum::extract::DefaultBodyLimit::max(media::MAX_UPLOAD_BODY)),
        )
        .route("/you/{id}/{token}/data.json", get(yours::data))
        .route("/subscribe/confirm/{token}", get(forms::confirm_subscription))
        .route("/join/confirm/{token}", get(forms::confirm_join))
        .route("/unsubscribe/{id}/{token}", get(forms::unsubscribe_page).post(forms::unsubscribe))
        .route("/media/{file}", get(media::serve))
        .route("/static/style.css", get(site::stylesheet))
        .route("/static/admin.js", get(site::admin_script))
        .route("/favicon.svg", get(site::favicon_svg))
        .route("/favicon.ico", get(site::favicon_ico))
        .route("/healthz", get(site::healthz))
        .fallback(site::not_found)
        .layer(axum::middleware::from_fn(without_control_characters))
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
        .layer(axum::middleware::from_fn(client::access_log))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            client::identify,
        ))
        .with_state(state)
}

/// The JSON API, whose errors are JSON too.
fn api_router() -> Router<SharedState> {
    Router::new()
        .route("/api/v1/posts", get(api::posts))
        .route("/api/v1/posts/{id}", get(api::post))
        .route("/api/v1/tags", get(api::tags))
        .route("/api/v1/categories", get(api::categories))
        .route("/api/v1/panelists", get(api::panelists))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api", get(api::not_found))
        .route("/api/", get(api::not_found))
        .route("/api/{*rest}", get(api::not_found))
        .layer(axum::middleware::from_fn(api::json_errors))
}

/// Largest form body read, in bytes (forms carry text only).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Text a person typed never holds control characters other than tab and line breaks; NUL
/// cannot even be stored (PostgreSQL refuses it). This is the one place where they go: each
/// form field and query parameter is decoded, cleaned and encoded again before any handler
/// reads it, so no encoding trick (`%%0000` becomes `%00` if `%00` is removed from the raw
/// text) brings one back. An address whose path holds a NUL is refused.
async fn without_control_characters(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if request.uri().path().contains("%00") {
        return WebError::BadRequest("Addresses cannot contain a NUL character.".into())
            .into_response();
    }
    if let Some(query) = request.uri().query().and_then(|q| cleaned(q.as_bytes())) {
        let path = request.uri().path();
        let Ok(uri) = format!("{path}?{query}").parse() else {
            return WebError::BadRequest("The address could not be read.".into()).into_response();
        };
        *request.uri_mut() = uri;
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
    let body = match cleaned(&bytes) {
        Some(clean) => axum::body::Body::from(clean),
        None => axum::body::Body::from(bytes),
    };
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// `text` (`a=1&b=2`) encoded again without control characters, or `None` when it has none
/// and is UTF-8. Bytes that are not UTF-8 are read as U+FFFD, as the form reader would.
fn cleaned(text: &[u8]) -> Option<String> {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    let pairs: Vec<(String, String)> = form_urlencoded::parse(text)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // A raw control byte (from a careless client) also counts.
    let raw = String::from_utf8_lossy(text);
    let utf8 = matches!(raw, std::borrow::Cow::Borrowed(_));
    if utf8
        && !raw.contains(unwanted)
        && !pairs
            .iter()
            .any(|(k, v)| k.contains(unwanted) || v.contains(unwanted))
    {
        return None;
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        out.append_pair(&key.replace(unwanted, ""), &value.replace(unwanted, ""));
    }
    Some(out.finish())
}

#[cfg(test)]
mod tests {
    use super::cleaned;

    #[test]
    fn control_characters_leave_forms_however_they_are_encoded() {
        assert_eq!(cleaned(b"a=1&b=two+words"), None);
        assert_eq!(cleaned(b"body=x%00y").as_deref(), Some("body=xy"));
        // Removing "%00" from the raw text would have made "%00" of this, and then a NUL.
        let twice = cleaned(b"body=%%0000").unwrap();
        let decoded: Vec<_> = form_urlencoded::parse(twice.as_bytes()).collect();
        assert_eq!(decoded[0].1, "%00");
        assert_eq!(cleaned(b"s=a%01b%1Bc%7Fd").as_deref(), Some("s=abcd"));
        assert_eq!(cleaned(b"t=line%0Aone%09tab"), None);
        // A byte that is not UTF-8 does not let the NUL beside it through.
        let mixed = cleaned(b"body=a%00b&x=\xff").unwrap();
        assert!(!mixed.contains("%00"), "{mixed}");
    }
}

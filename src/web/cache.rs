//! HTTP caching for public pages: an in-memory cache of rendered responses keyed by address
//! and content version, with `ETag` and `Last-Modified` so unchanged pages answer `304`.
//!
//! Every write that changes what readers see bumps the content version in the database, so the
//! cache never serves a stale page, and several servers sharing one database stay in step.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::SharedState;

/// Pages larger than this are served but not kept.
const MAX_CACHED_BODY: usize = 4 * 1024 * 1024;
/// Bytes of pages kept at most, so memory stays bounded however many pages a crawler walks;
/// the whole cache is dropped when it is full (simple, and rare).
const BUDGET: usize = 64 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    version: i64,
    etag: String,
    last_modified: String,
    content_type: HeaderValue,
    body: Bytes,
}

/// Rendered public pages by address (path and query).
#[derive(Default, Clone)]
pub struct PageCache {
    entries: Arc<Mutex<Pages>>,
    /// Set to false to render every page afresh (for benchmarks and debugging).
    pub enabled: bool,
}

#[derive(Default)]
struct Pages {
    by_address: HashMap<String, Entry>,
    bytes: usize,
}

impl PageCache {
    pub fn new(enabled: bool) -> PageCache {
        PageCache {
            entries: Arc::default(),
            enabled,
        }
    }

    fn get(&self, key: &str, version: i64) -> Option<Entry> {
        let pages = self.entries.lock().ok()?;
        pages
            .by_address
            .get(key)
            .filter(|e| e.version == version)
            .cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut pages) = self.entries.lock() {
            if let Some(old) = pages.by_address.remove(&key) {
                pages.bytes -= key.len() + old.body.len();
            }
            let size = key.len() + entry.body.len();
            if pages.bytes + size > BUDGET {
                pages.by_address.clear();
                pages.bytes = 0;
            }
            pages.bytes += size;
            pages.by_address.insert(key, entry);
        }
    }
}

/// The middleware: serves GET and HEAD of public pages from the cache, answers conditional
/// requests with 304, and stores successful responses.
pub async fn cached(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if !(request.method() == Method::GET || request.method() == Method::HEAD) {
        return next.run(request).await;
    }
    let version = match state.column.store.content_version().await {
        Ok(v) => v,
        // Without a version the page cannot be validated; render it, uncached.
        Err(_) => return next.run(request).await,
    };
    let key = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    // Only the conditional headers are needed after the request is passed on.
    let mut request_headers = HeaderMap::new();
    for name in [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE] {
        if let Some(value) = request.headers().get(&name) {
            request_headers.insert(name, value.clone());
        }
    }
    if state.cache.enabled {
        if let Some(entry) = state.cache.get(&key, version) {
            return respond(&request_headers, entry);
        }
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(content_type) = response.headers().get(header::CONTENT_TYPE).cloned() else {
        return response;
    };
    let cacheable = content_type.to_str().is_ok_and(|t| {
        t.starts_with("text/html") || t.contains("xml") || t.starts_with("application/json")
    });
    // Rendered pages know their length: one too large to keep is sent as it is.
    let small = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_CACHED_BODY as u64);
    if !cacheable || !small {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, MAX_CACHED_BODY).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be read",
        )
            .into_response();
    };
    let entry = Entry {
        version,
        etag: format!("\"v{version}-{:x}\"", fnv(&body)),
        last_modified: jiff::Timestamp::now()
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
        content_type,
        body,
    };
    if state.cache.enabled {
        state.cache.put(key, entry.clone());
    }
    let mut response = respond(&request_headers, entry);
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

fn respond(request_headers: &HeaderMap, entry: Entry) -> Response {
    let matches_etag = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim().trim_start_matches("W/") == entry.etag)
        });
    let not_modified_since = request_headers.get(header::IF_NONE_MATCH).is_none()
        && request_headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == entry.last_modified);
    let mut response = if matches_etag || not_modified_since {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(entry.body));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, entry.content_type);
        r
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&entry.etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&entry.last_modified) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    // Readers' browsers may keep a page briefly but must check back: new answers and comments
    // appear without waiting for an expiry.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=0, must-revalidate"),
    );
    response
}

/// FNV-1a over 8-byte words: a fast hash for telling bodies apart in ETags (not for
/// security). Word by word, it hashes a page eight times faster than byte by byte.
fn fnv(bytes: &[u8]) -> u64 {
    let step = |h: u64, word: u64| (h ^ word).wrapping_mul(0x100000001b3);
    let mut words = bytes.chunks_exact(8);
    let h = words.by_ref().fold(0xcbf29ce484222325, |h, w| {
        step(h, u64::from_le_bytes(w.try_into().unwrap_or_default()))
    });
    words
        .remainder()
        .iter()
        .fold(h, |h, b| step(h, u64::from(*b)))
}

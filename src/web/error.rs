//! One error type for every handler. A 4xx tells the reader what they can do; a 5xx shows a
//! plain page and logs the whole cause.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::column::ColumnError;
use crate::render::escape_html;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page not found")]
    NotFound,
    /// An address the editor took down.
    #[error("gone")]
    Gone,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("template: {0:#}")]
    Template(#[from] minijinja::Error),
}

impl From<ColumnError> for WebError {
    fn from(e: ColumnError) -> WebError {
        match e {
            ColumnError::Refused(sentence) => WebError::BadRequest(sentence),
            ColumnError::Store(e) => WebError::Store(e),
            ColumnError::Template(e) => WebError::Template(e),
        }
    }
}

/// A page of a title and one sentence, self-contained like the error page: for links that
/// are not valid, and the page after an erasure.
pub fn plain_page(status: StatusCode, title: &str, sentence: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"wrap\">\
         <h1>{title}</h1><p>{sentence}</p></main></body></html>",
        title = escape_html(title),
        sentence = escape_html(sentence)
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

/// The sentence an error page shows, kept beside the response so that the API can send it as
/// JSON instead (see `api::json_errors`).
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

/// Seconds a client is asked to wait before trying again while the database is unavailable.
const RETRY_AFTER_SECONDS: &str = "30";

/// What a form says above the fields it shows back when the database could not take the write.
pub const NOT_SAVED_UNAVAILABLE: &str = "Nothing was saved: the site's database is not answering at the moment. What you typed is below; please try again in a minute.";
pub const NOT_SAVED_FULL: &str = "Nothing was saved: the server has run out of storage space. What you typed is below; please keep a copy and try again later.";

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Gone => StatusCode::GONE,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(e) if e.is_storage_full() => StatusCode::INSUFFICIENT_STORAGE,
            WebError::Store(_) | WebError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// For a write the database could not take (down, or out of space): the status and the
    /// sentence a form shows above what was typed. `None` for every other error.
    pub fn not_saved(&self) -> Option<(StatusCode, &'static str)> {
        match self.status() {
            StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %self, "a write failed: database unavailable");
                Some((StatusCode::SERVICE_UNAVAILABLE, NOT_SAVED_UNAVAILABLE))
            }
            StatusCode::INSUFFICIENT_STORAGE => {
                tracing::error!(error = %self, "a write failed: no storage space left");
                Some((StatusCode::INSUFFICIENT_STORAGE, NOT_SAVED_FULL))
            }
            _ => None,
        }
    }
}

/// Adds `Retry-After` to a response that says the database is unavailable.
pub fn with_retry_after(mut response: Response) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    response
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (title, message) = match status {
            StatusCode::NOT_FOUND => (
                "Page not found",
                "There is nothing at this address. It may have moved; the home page and search can help you find it."
                    .to_string(),
            ),
            StatusCode::GONE => (
                "No longer here",
                "What was at this address has been taken down by the site's editor. The home page and search can help you find what is still here."
                    .to_string(),
            ),
            StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %self, "database unavailable");
                (
                    "Temporarily unavailable",
                    "The site's database is not answering at the moment, so this page cannot be shown and nothing can be saved. Please try again in a minute."
                        .to_string(),
                )
            }
            StatusCode::INSUFFICIENT_STORAGE => {
                tracing::error!(error = %self, "a write failed: no storage space left");
                (
                    "Not saved",
                    "The server has run out of storage space, so what you sent was not saved. Please try again later."
                        .to_string(),
                )
            }
            StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!(error = %self, "request failed");
                (
                    "Something went wrong",
                    "The server could not show this page. The error has been logged; please try again in a moment."
                        .to_string(),
                )
            }
            _ => ("That did not work", self.to_string()),
        };
        let shown = ErrorMessage(message.clone());
        // The error page is deliberately self-contained: it must render even when templates fail.
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
             <body><main class=\"page error-page\"><h1>{title}</h1><p>{message}</p>\
             <p><a href=\"/\">Go to the home page</a></p></main></body></html>",
            message = escape_html(&message)
        );
        let mut response = (status, Html(body)).into_response();
        response.extensions_mut().insert(shown);
        with_retry_after(response)
    }
}

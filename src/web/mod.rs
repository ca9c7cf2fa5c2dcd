//! The HTTP side: the router and one module per area of the site.

mod error;
mod site;
mod views;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::WebError;

use crate::app::SharedState;

pub fn router(state: SharedState) -> Router {
    Router::new()
        .route("/", get(site::home))
        .route("/page/{n}/", get(site::home_page))
        .route("/{year}/{month}/{day}/{slug}/", get(site::post))
        .route("/static/style.css", get(site::stylesheet))
        .fallback(site::not_found)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .with_state(state)
}

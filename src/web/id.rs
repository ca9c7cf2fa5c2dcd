//! A record's id as it comes in an address (`/admin/rounds/7/`).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::WebError;

/// The id in the address. Anything but a positive whole number finds nothing: a friendly
/// "not found", never the parser's message.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::NotFound)?;
        text.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Id)
            .ok_or(WebError::NotFound)
    }
}

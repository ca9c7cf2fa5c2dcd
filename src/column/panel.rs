//! The panel as the editor manages it beyond the roster: erasing a panelist, on their
//! request or the editor's, from the admin or `roundtable panel erase EMAIL`.

use super::{Column, ColumnError, ColumnResult};
use crate::store::{ErasedAnswers, Erasure};

/// Erases the panelist with this email address: profile, address and photo; each answer
/// removed or kept as anonymous; every post they were in rebuilt for readers.
pub async fn erase(column: &Column, email: &str, answers: ErasedAnswers) -> ColumnResult<Erasure> {
    let Some(panelist) = column.store.panelist_by_email(email.trim()).await? else {
        return Err(ColumnError::Refused(format!(
            "No panelist has the address {}: check it against the roster.",
            email.trim()
        )));
    };
    let erased = column.store.erase_panelist(panelist.id, answers).await?;
    super::posts::refresh_queued_newsletters(column).await?;
    Ok(erased)
}

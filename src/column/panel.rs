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

/// Longest alt text or credit line kept for a photo.
const MAX_PHOTO_TEXT: usize = 300;

/// Sets a panelist's photo, by the editor or the panelist: `file` is the image as sent
/// (`None` keeps the photo they have and changes only its words). The file is refused with a
/// sentence when it is not a JPEG, PNG or WebP image, cannot be read or is too large; what is
/// stored is the image encoded again, without any of the file's metadata.
pub async fn set_photo(
    column: &Column,
    panelist_id: i64,
    file: Option<Vec<u8>>,
    alt: &str,
    credit: &str,
) -> ColumnResult<()> {
    let (alt, credit) = (alt.trim(), credit.trim());
    if alt.chars().count() > MAX_PHOTO_TEXT || credit.chars().count() > MAX_PHOTO_TEXT {
        return Err(ColumnError::Refused(format!(
            "Please keep the description and the credit under {MAX_PHOTO_TEXT} characters each."
        )));
    }
    let prepared = match file {
        // Decoding and resizing take a while: not on the threads that serve requests.
        Some(bytes) => Some(
            tokio::task::spawn_blocking(move || crate::media::photo(&bytes))
                .await
                .map_err(|e| ColumnError::Refused(format!("The photo could not be read: {e}")))?
                .map_err(|refused| ColumnError::Refused(refused.to_string()))?,
        ),
        None => None,
    };
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    column
        .store
        .set_panelist_photo(
            panelist_id,
            prepared.as_ref(),
            some(alt).as_deref(),
            some(credit).as_deref(),
        )
        .await?;
    Ok(())
}

/// Removes a panelist's photo, with its description and credit.
pub async fn remove_photo(column: &Column, panelist_id: i64) -> ColumnResult<()> {
    column.store.remove_panelist_photo(panelist_id).await?;
    Ok(())
}

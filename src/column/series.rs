//! The editor's series and their house style, checked before they are saved.

use super::{Column, ColumnError, ColumnResult};
use crate::domain::{Placement, SignatureTemplate};
use crate::store::{SeriesRow, SeriesStyle, StoreError};

/// Saves a new series (`id` None) or a series' style, as typed; a problem comes back as a
/// sentence, and nothing is saved.
pub async fn save(column: &Column, id: Option<i64>, style: &SeriesStyle) -> ColumnResult<i64> {
    if style.name.trim().is_empty() {
        return Err(ColumnError::refused("Give the series a name."));
    }
    if !Placement::ALL
        .iter()
        .any(|p| p.as_str() == style.signature_placement)
    {
        return Err(ColumnError::refused("Choose where signatures go."));
    }
    SignatureTemplate::parse(&style.signature_template).map_err(|e| ColumnError::Refused(e.0))?;
    match column.store.save_series(id, style).await {
        Err(StoreError::Conflict(sentence)) => Err(ColumnError::Refused(sentence)),
        other => Ok(other?),
    }
}

/// The style as the series has it, for its form.
pub fn style_of(s: &SeriesRow) -> SeriesStyle {
    SeriesStyle {
        name: s.name.clone(),
        category: s.category.clone().unwrap_or_default(),
        default_intro: s.default_intro.clone(),
        default_closing: s.default_closing.clone(),
        signature_placement: s.signature_placement.clone(),
        signature_template: s.signature_template.clone(),
        show_question: s.show_question != 0,
        comments_heading: s.comments_heading.clone(),
    }
}

/// Places one post's signatures its own way: `""` for as its series does.
pub async fn place_post(column: &Column, post_id: i64, placement: &str) -> ColumnResult<()> {
    let placement = match placement {
        "" => None,
        p if Placement::ALL.iter().any(|known| known.as_str() == p) => Some(p),
        _ => return Err(ColumnError::refused("Choose where signatures go.")),
    };
    column.store.set_post_placement(post_id, placement).await?;
    Ok(())
}

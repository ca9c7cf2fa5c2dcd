//! Images: `/media/ID-WIDTH.EXT`, served from the database and cached for good (an image
//! never changes under its id), and the forms that upload one (`multipart/form-data`).

use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{SharedState, WebError};
use crate::media::{extension, MAX_BYTES};

/// The largest body an upload form may send: the largest photo, and room for its fields.
pub const MAX_UPLOAD_BODY: usize = MAX_BYTES + 256 * 1024;

/// The name of the file field in every upload form.
const FILE_FIELD: &str = "photo";
/// The most text a field of an upload form keeps.
const MAX_FIELD_CHARS: usize = 2000;

/// `/media/12-192.jpg`: one width of a stored image. Unknown ids, widths and extensions are
/// a 404.
pub async fn serve(
    State(state): State<SharedState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let parsed = file.split_once('.').and_then(|(stem, ext)| {
        let (id, width) = stem.split_once('-')?;
        Some((id.parse::<i64>().ok()?, width.parse::<i64>().ok()?, ext))
    });
    let Some((id, width, ext)) = parsed else {
        return Err(WebError::NotFound);
    };
    let found = state.column.store.media_file(id, width).await?;
    let Some(media) = found.filter(|m| extension(&m.mime_type) == ext) else {
        return Err(WebError::NotFound);
    };
    let etag = format!("\"{}-{width}\"", media.sha256);
    let caching = [
        (header::ETAG, etag.clone()),
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_string(),
        ),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, caching).into_response());
    }
    Ok((
        caching,
        [(header::CONTENT_TYPE, media.mime_type)],
        media.data,
    )
        .into_response())
}

/// An upload form as sent: its text fields (control characters taken out, as the form
/// middleware does for other forms) and the file, if one was chosen.
#[derive(Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<Vec<u8>>,
    /// The file was over [`MAX_BYTES`]: it was not read to the end, nor anything after it.
    pub too_large: bool,
}

impl Upload {
    /// Reads the form; the fields before a file too large are kept, so the form can be shown
    /// again with them.
    pub async fn read(mut multipart: Multipart) -> Result<Upload, WebError> {
        let mut upload = Upload::default();
        let unreadable = |e: MultipartError| {
            WebError::BadRequest(format!(
                "The form could not be read ({e}). Go back and send it again."
            ))
        };
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    upload.too_large = true;
                    break;
                }
                Err(e) => return Err(unreadable(e)),
            };
            let name = field.name().unwrap_or("").to_string();
            if name == FILE_FIELD {
                let mut field = field;
                let mut data = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            data.extend_from_slice(&chunk);
                            if data.len() > MAX_BYTES {
                                upload.too_large = true;
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            upload.too_large = true;
                            break;
                        }
                        Err(e) => return Err(unreadable(e)),
                    }
                }
                if upload.too_large {
                    break;
                }
                // A form sent without a file chosen has the field, empty.
                if !data.is_empty() {
                    upload.file = Some(data);
                }
                continue;
            }
            let text = match field.text().await {
                Ok(text) => text,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    upload.too_large = true;
                    break;
                }
                Err(e) => return Err(unreadable(e)),
            };
            let clean: String = text
                .chars()
                .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
                .take(MAX_FIELD_CHARS)
                .collect();
            upload.fields.push((name, clean));
        }
        Ok(upload)
    }

    /// The first value of a text field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The file, or the sentence refusing it when it was too large.
    pub fn take_file(&mut self) -> Result<Option<Vec<u8>>, String> {
        if self.too_large {
            return Err(crate::media::ImageRefused::TooLarge.to_string());
        }
        Ok(self.file.take())
    }
}

/// What a photo form did.
pub enum PhotoSaved {
    Saved,
    Removed,
}

/// Carries out a photo form, the editor's or the panelist's own: removes the photo, or keeps
/// the file sent (if any) with its description and credit. A file that cannot be used is
/// refused with a sentence.
pub async fn save_photo_form(
    column: &crate::column::Column,
    panelist_id: i64,
    upload: &mut Upload,
) -> crate::column::ColumnResult<PhotoSaved> {
    use crate::column::{panel, ColumnError};
    if upload.get("action") == "remove" {
        panel::remove_photo(column, panelist_id).await?;
        return Ok(PhotoSaved::Removed);
    }
    let file = upload.take_file().map_err(ColumnError::Refused)?;
    let (alt, credit) = (
        upload.get("alt").to_string(),
        upload.get("credit").to_string(),
    );
    panel::set_photo(column, panelist_id, file, &alt, &credit).await?;
    Ok(PhotoSaved::Saved)
}

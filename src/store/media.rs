//! Stored images (`media` and their `media_renditions`) and the panelist's photo among them.
//! An image never changes once stored: a new photo is a new id, so its addresses can be
//! cached for good, and the old one is deleted with the change.

use sha2::{Digest, Sha256};

use super::{now, Store, StoreResult, Tx};
use crate::media::{extension, Prepared};

/// The public address of one width of an image.
pub fn media_path(id: i64, width: i64, mime_type: &str) -> String {
    format!("/media/{id}-{width}.{}", extension(mime_type))
}

/// One width of a stored image, as served.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaFile {
    pub mime_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

/// Where a photo is shown from: the address of its narrowest width and every width for
/// `srcset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoSet {
    pub src: String,
    pub srcset: String,
}

/// SHA-256 of an image's bytes, in hex.
pub(crate) fn content_hash(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores an image with its renditions; returns its id.
pub(crate) async fn insert_media(tx: &mut Tx, image: &Prepared) -> StoreResult<i64> {
    let widest = image.widest();
    let sha256 = content_hash(&widest.data);
    let bytes: usize = image.renditions.iter().map(|r| r.data.len()).sum();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO media (sha256, mime_type, width, height, bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(sha256)
    .bind(image.mime_type)
    .bind(i64::from(widest.width))
    .bind(i64::from(widest.height))
    .bind(bytes as i64)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    for r in &image.renditions {
        sqlx::query(
            "INSERT INTO media_renditions (media_id, width, height, data) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i64::from(r.width))
        .bind(i64::from(r.height))
        .bind(r.data.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// Deletes an image and its renditions.
pub(crate) async fn delete_media(tx: &mut Tx, id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM media_renditions WHERE media_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM media WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The widths of a stored photo, narrowest first, with its type.
const PHOTO_WIDTHS: &str = "SELECT r.width, m.mime_type FROM media_renditions r \
     JOIN media m ON m.id = r.media_id WHERE r.media_id = $1 ORDER BY r.width";

/// The addresses of a stored photo, or `None` when it has no renditions (it was deleted).
pub(crate) async fn photo_set(tx: &mut Tx, id: i64) -> StoreResult<Option<PhotoSet>> {
    let widths: Vec<(i64, String)> = sqlx::query_as(PHOTO_WIDTHS)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(photo_set_of(id, &widths))
}

fn photo_set_of(id: i64, widths: &[(i64, String)]) -> Option<PhotoSet> {
    let (first, mime) = widths.first()?;
    Some(PhotoSet {
        src: media_path(id, *first, mime),
        srcset: widths
            .iter()
            .map(|(w, mime)| format!("{} {w}w", media_path(id, *w, mime)))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

impl Store {
    /// One width of an image, for `/media/ID-WIDTH.EXT`.
    pub async fn media_file(&self, id: i64, width: i64) -> StoreResult<Option<MediaFile>> {
        Ok(sqlx::query_as(
            "SELECT m.mime_type, m.sha256, r.data FROM media_renditions r \
             JOIN media m ON m.id = r.media_id WHERE r.media_id = $1 AND r.width = $2",
        )
        .bind(id)
        .bind(width)
        .fetch_optional(self.pool())
        .await?)
    }

    /// How many images are stored (the erasure and import tests count them).
    pub async fn media_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM media")
            .fetch_one(self.pool())
            .await?)
    }

    /// A panelist's photo as their pages show it: the uploaded one, else the one linked in
    /// the roster (which has no other widths: its `srcset` is empty).
    pub async fn photo_of_panelist(&self, p: &super::PanelistRow) -> StoreResult<Option<PhotoSet>> {
        let uploaded = match p.photo_media_id {
            Some(id) => {
                let widths: Vec<(i64, String)> = sqlx::query_as(PHOTO_WIDTHS)
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?;
                photo_set_of(id, &widths)
            }
            None => None,
        };
        Ok(uploaded.or_else(|| {
            p.photo_url.clone().map(|src| PhotoSet {
                src,
                srcset: String::new(),
            })
        }))
    }

    /// Stores an image on its own (one from an imported post); returns its id.
    pub async fn store_media(&self, image: &Prepared) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = insert_media(&mut tx, image).await?;
        tx.commit().await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_set_lists_every_width_narrowest_first() {
        let set =
            photo_set_of(7, &[(96, "image/jpeg".into()), (192, "image/jpeg".into())]).unwrap();
        assert_eq!(set.src, "/media/7-96.jpg");
        assert_eq!(set.srcset, "/media/7-96.jpg 96w, /media/7-192.jpg 192w");
        assert_eq!(photo_set_of(7, &[]), None);
    }
}

//! The panel roster: panelists, their profiles, and the library types they are grouped by.

use super::{now, Store, StoreError, StoreResult, Tx};
use crate::domain::{Email, Slug};
use crate::media::Prepared;

/// A panelist as the editor (or a join request) enters them.
#[derive(Debug, Clone, Default)]
pub struct NewPanelist {
    pub name: String,
    pub email: String,
    pub pronouns: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub institution: Option<String>,
    pub city: Option<String>,
    pub library_type: Option<String>,
    pub region: Option<String>,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
    pub photo_credit: Option<String>,
    /// What the photo shows, for those who cannot see it.
    pub photo_alt: Option<String>,
    pub role_description: Option<String>,
    /// `active` for panelists the editor adds, `applied` for join requests.
    pub status: &'static str,
}

impl PanelistRow {
    /// The profile as it stands, with `status`: to change one part of it.
    pub fn profile(&self, status: &'static str) -> NewPanelist {
        NewPanelist {
            name: self.name.clone(),
            email: self.email.clone(),
            pronouns: self.pronouns.clone(),
            title: self.title.clone(),
            department: self.department.clone(),
            institution: self.institution.clone(),
            city: self.city.clone(),
            library_type: self.library_type.clone(),
            region: self.region.clone(),
            bio: self.bio.clone(),
            photo_url: self.photo_url.clone(),
            photo_credit: self.photo_credit.clone(),
            photo_alt: self.photo_alt.clone(),
            role_description: self.role_description.clone(),
            status,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PanelistRow {
    pub id: i64,
    pub slug: String,
    pub email: String,
    pub name: String,
    pub pronouns: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub institution: Option<String>,
    pub city: Option<String>,
    pub library_type: Option<String>,
    pub region: Option<String>,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
    pub photo_credit: Option<String>,
    /// The uploaded photo (`media`), shown instead of `photo_url` when set.
    pub photo_media_id: Option<i64>,
    pub photo_alt: Option<String>,
    pub role_description: Option<String>,
    pub status: String,
}

pub(crate) const PANELIST_COLUMNS: &str =
    "id, slug, email, name, pronouns, title, department, institution, city, \
     library_type, region, bio, photo_url, photo_credit, photo_media_id, photo_alt, role_description, status";

impl Store {
    /// Adds a panelist with a slug made from their name (numbered when taken).
    pub async fn create_panelist(&self, p: &NewPanelist) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = insert_panelist(&mut tx, p).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A request to join the panel: the panelist (as `p` says, usually `applied`), the hash of
    /// the token in their confirmation link, and the email with the link, in one unit of work.
    pub async fn ask_to_join(
        &self,
        p: &NewPanelist,
        token_hash: &str,
        mail: &super::OutgoingMail,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = insert_panelist(&mut tx, p).await?;
        sqlx::query("UPDATE panelists SET confirm_token_hash = $1 WHERE id = $2")
            .bind(token_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        super::outbox::enqueue(&mut tx, mail).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn panelist(&self, id: i64) -> StoreResult<PanelistRow> {
        sqlx::query_as(&format!(
            "SELECT {PANELIST_COLUMNS} FROM panelists WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("panelist"))
    }

    pub async fn panelist_by_slug(&self, slug: &str) -> StoreResult<Option<PanelistRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PANELIST_COLUMNS} FROM panelists WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Panelists in a status (`active`, `applied`, `retired`), by name.
    pub async fn panelists(&self, status: &str) -> StoreResult<Vec<PanelistRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PANELIST_COLUMNS} FROM panelists WHERE status = $1 ORDER BY name, id"
        ))
        .bind(status)
        .fetch_all(self.pool())
        .await?)
    }

    /// `(slug, name)` of every library type, in the editor's order.
    pub async fn library_types(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT slug, name FROM library_types ORDER BY position, slug")
                .fetch_all(self.pool())
                .await?,
        )
    }
}

impl Store {
    /// Replaces a panelist's profile. Answers already given keep the signature they were
    /// submitted with.
    pub async fn update_panelist(&self, id: i64, p: &NewPanelist) -> StoreResult<()> {
        let email = Email::parse(&p.email).map_err(|e| StoreError::Conflict(e.0))?;
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE panelists SET email = $1, name = $2, pronouns = $3, title = $4, department = $5, \
             institution = $6, city = $7, library_type = $8, region = $9, bio = $10, photo_url = $11, \
             photo_credit = $12, role_description = $13, status = $14, updated_at = $15, photo_alt = $17 \
             WHERE id = $16",
        )
        .bind(email.as_str())
        .bind(&p.name)
        .bind(&p.pronouns)
        .bind(&p.title)
        .bind(&p.department)
        .bind(&p.institution)
        .bind(&p.city)
        .bind(&p.library_type)
        .bind(&p.region)
        .bind(&p.bio)
        .bind(&p.photo_url)
        .bind(&p.photo_credit)
        .bind(&p.role_description)
        .bind(p.status)
        .bind(now())
        .bind(id)
        .bind(&p.photo_alt)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("panelist"));
        }
        // Named answers show the current photo; a panelist's page the current profile.
        super::projection::project_posts_of_panelist(&mut tx, id).await?;
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    pub async fn panelist_by_email(&self, email: &str) -> StoreResult<Option<PanelistRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PANELIST_COLUMNS} FROM panelists WHERE LOWER(email) = LOWER($1)"
        ))
        .bind(email.trim())
        .fetch_optional(self.pool())
        .await?)
    }
}

impl Store {
    /// Marks the address of the join request with this token as confirmed.
    pub async fn confirm_join(&self, token_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE panelists SET email_confirmed_at = $1, confirm_token_hash = NULL WHERE confirm_token_hash = $2",
        )
        .bind(now())
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Inserts a panelist with a slug made from their name (numbered when taken).
async fn insert_panelist(tx: &mut Tx, p: &NewPanelist) -> StoreResult<i64> {
    let email = Email::parse(&p.email).map_err(|e| StoreError::Conflict(e.0))?;
    let base = Slug::from_text(&p.name, "panelist");
    let mut slug = base.clone();
    let mut n = 1;
    while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM panelists WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_one(&mut **tx)
        .await?
        > 0
    {
        n += 1;
        slug = base.numbered(n);
    }
    let at = now();
    let id = sqlx::query_scalar(
        "INSERT INTO panelists (slug, email, name, pronouns, title, department, institution, city, \
         library_type, region, bio, photo_url, photo_credit, role_description, status, created_at, updated_at, \
         photo_alt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(email.as_str())
    .bind(&p.name)
    .bind(&p.pronouns)
    .bind(&p.title)
    .bind(&p.department)
    .bind(&p.institution)
    .bind(&p.city)
    .bind(&p.library_type)
    .bind(&p.region)
    .bind(&p.bio)
    .bind(&p.photo_url)
    .bind(&p.photo_credit)
    .bind(&p.role_description)
    .bind(p.status)
    .bind(at)
    .bind(&p.photo_alt)
    .fetch_one(&mut **tx)
    .await
    .map_err(StoreError::from)
    .map_err(|e| {
        if e.is_unique_violation() {
            StoreError::Conflict(format!("a panelist with the address {email} already exists"))
        } else {
            e
        }
    })?;
    Ok(id)
}

/// A panelist's photo: stored with `media`, shown beside their named answers through the
/// projection.
impl Store {
    /// Sets a panelist's photo (a new image, or `None` to keep the one they have), its alt
    /// text and its credit. The photo replaced is deleted; the posts they answered in by name
    /// show the new one at once.
    pub async fn set_panelist_photo(
        &self,
        panelist_id: i64,
        image: Option<&Prepared>,
        alt: Option<&str>,
        credit: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old: Option<i64> =
            sqlx::query_scalar("SELECT photo_media_id FROM panelists WHERE id = $1")
                .bind(panelist_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("panelist"))?;
        let new = match image {
            Some(image) => Some(super::media::insert_media(&mut tx, image).await?),
            None => old,
        };
        sqlx::query(
            "UPDATE panelists SET photo_media_id = $1, photo_alt = $2, photo_credit = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(new)
        .bind(alt)
        .bind(credit)
        .bind(now())
        .bind(panelist_id)
        .execute(&mut *tx)
        .await?;
        if let Some(old) = old.filter(|old| Some(*old) != new) {
            super::media::delete_media(&mut tx, old).await?;
        }
        super::projection::project_posts_of_panelist(&mut tx, panelist_id).await?;
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a panelist's photo: the uploaded one is deleted, a linked one forgotten, and
    /// its alt text and credit go with it.
    pub async fn remove_panelist_photo(&self, panelist_id: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old: Option<i64> =
            sqlx::query_scalar("SELECT photo_media_id FROM panelists WHERE id = $1")
                .bind(panelist_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("panelist"))?;
        sqlx::query(
            "UPDATE panelists SET photo_media_id = NULL, photo_url = NULL, photo_alt = NULL, \
             photo_credit = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(now())
        .bind(panelist_id)
        .execute(&mut *tx)
        .await?;
        if let Some(old) = old {
            super::media::delete_media(&mut tx, old).await?;
        }
        super::projection::project_posts_of_panelist(&mut tx, panelist_id).await?;
        super::bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

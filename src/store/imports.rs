//! Writing a WordPress import in one unit of work: authors as editors without passwords,
//! categories and tags, posts and pages (whole, or split into answers), comments, attachments
//! as links, and redirects from the old addresses. Everything already imported from the same
//! site is found in `wp_imports` and left alone, so importing a file twice changes nothing.

use std::collections::HashMap;

use super::projection::project_post;
use super::{bump_content_version, now, Store, StoreResult, Taxonomy, Tx};
use crate::domain::{CommentStatus, Email, PostStatus, Slug};

#[derive(Debug)]
pub struct WpAuthor {
    pub login: String,
    /// `None` when the export has no usable address; a placeholder on `.invalid` is used.
    pub email: Option<Email>,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct WpTerm {
    pub slug: Slug,
    pub name: String,
    pub parent: Option<Slug>,
    pub description: Option<String>,
    /// The term's address on the old site, when it differs from ours.
    pub old_path: Option<String>,
}

#[derive(Debug)]
pub struct WpEntry {
    pub wp_id: i64,
    pub kind: &'static str,
    pub slug: Slug,
    pub title: String,
    pub body_html: Option<String>,
    pub intro: String,
    pub closing: String,
    pub answers: Vec<WpAnswer>,
    /// Where the old post put its signatures (`before`, `run_in`, `after`), when split.
    pub placement: Option<&'static str>,
    pub excerpt: Option<String>,
    pub status: PostStatus,
    pub published_at: Option<i64>,
    pub publish_at: Option<i64>,
    pub created_at: i64,
    pub author_login: Option<String>,
    pub parent_wp_id: Option<i64>,
    pub comments_open: bool,
    /// `(slug, name)` of each category and tag the entry is filed under.
    pub categories: Vec<(Slug, String)>,
    pub tags: Vec<(Slug, String)>,
    /// Old addresses (`/?p=12`, `/2011/01/hello/`) that should lead to this entry.
    pub old_paths: Vec<String>,
    /// `(date, text)` of the edit notes its content ended with.
    pub edit_notes: Vec<(i64, String)>,
    pub comments: Vec<WpComment>,
}

/// An answer split out of an old roundup post.
#[derive(Debug, Clone, PartialEq)]
pub struct WpAnswer {
    /// `None` for an anonymous answer.
    pub name: Option<String>,
    /// "she/her/hers", from "Amy Tureen (she/her/hers)".
    pub pronouns: Option<String>,
    pub title: Option<String>,
    pub institution: Option<String>,
    /// What remains of the signature after name, title and institution (department, city …).
    pub rest: Option<String>,
    pub body: String,
}

#[derive(Debug)]
pub struct WpComment {
    pub wp_id: Option<i64>,
    pub parent_wp_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: i64,
}

#[derive(Debug)]
pub struct WpAttachment {
    pub wp_id: i64,
    pub parent_wp_id: Option<i64>,
    pub url: String,
    pub title: String,
}

/// What an import wrote, and what it found already there.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportCounts {
    pub authors: usize,
    pub categories: usize,
    pub tags: usize,
    pub posts: usize,
    pub pages: usize,
    pub comments: usize,
    pub attachments: usize,
    /// Images from the uploads folder stored as media.
    pub images: usize,
    pub redirects: usize,
    pub answers: usize,
    pub panelists: usize,
    /// Entries and comments skipped because an earlier import of the same site wrote them.
    pub already_there: usize,
}

impl Store {
    /// Starts an import of entries from the WordPress site `site` (the ids in the file
    /// belong to it). Everything goes into one unit of work: [`WpImporter::finish`] writes it
    /// all, dropping the importer writes nothing.
    pub async fn wordpress_importer(&self, site: &str) -> StoreResult<WpImporter> {
        Ok(WpImporter {
            tx: self.begin().await?,
            site: site.to_string(),
            editors: HashMap::new(),
            category_ids: HashMap::new(),
            tag_ids: HashMap::new(),
            category_parents: Vec::new(),
            post_parents: Vec::new(),
            attachment_parents: Vec::new(),
            counts: ImportCounts::default(),
        })
    }

    /// The new address an old one leads to, if any.
    pub async fn redirect_for(&self, old_path: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT new_path FROM redirects WHERE old_path = $1")
                .bind(old_path)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Rows of a table, for the import report and its tests: `posts:post`, `posts:page`,
    /// or a table name among those an import writes.
    pub async fn count_rows(&self, what: &str) -> StoreResult<i64> {
        let sql = match what {
            "posts:post" => "SELECT COUNT(*) FROM posts WHERE kind = 'post'",
            "posts:page" => "SELECT COUNT(*) FROM posts WHERE kind = 'page'",
            "editors" => "SELECT COUNT(*) FROM editors",
            "categories" => "SELECT COUNT(*) FROM categories",
            "tags" => "SELECT COUNT(*) FROM tags",
            "comments" => "SELECT COUNT(*) FROM comments",
            "attachments" => "SELECT COUNT(*) FROM attachments",
            "redirects" => "SELECT COUNT(*) FROM redirects",
            "answers" => "SELECT COUNT(*) FROM answers",
            "panelists" => "SELECT COUNT(*) FROM panelists",
            _ => return Err(super::StoreError::NotFound("that kind of row")),
        };
        Ok(sqlx::query_scalar(sql).fetch_one(self.pool()).await?)
    }
}

/// An import in progress: each piece of the file is written as it is read, inside one
/// transaction, and only small maps of ids are kept, so memory does not grow with the file.
pub struct WpImporter {
    tx: Tx,
    site: String,
    editors: HashMap<String, i64>,
    category_ids: HashMap<String, i64>,
    tag_ids: HashMap<String, i64>,
    /// `(category id, parent's slug)`, linked at the end: a parent may come later.
    category_parents: Vec<(i64, Slug)>,
    /// `(post id, parent's WordPress id)`, linked at the end for the same reason.
    post_parents: Vec<(i64, i64)>,
    attachment_parents: Vec<(i64, i64)>,
    pub counts: ImportCounts,
}

impl WpImporter {
    pub async fn author(&mut self, author: &WpAuthor) -> StoreResult<()> {
        if !self.editors.contains_key(&author.login) {
            let (id, created) = ensure_editor(&mut self.tx, author).await?;
            self.counts.authors += usize::from(created);
            self.editors.insert(author.login.clone(), id);
        }
        Ok(())
    }

    pub async fn category(&mut self, term: &WpTerm) -> StoreResult<()> {
        let id = self.term(Taxonomy::Category, term).await?;
        if let Some(parent) = &term.parent {
            self.category_parents.push((id, parent.clone()));
        }
        self.redirect_term("category", term).await
    }

    pub async fn tag(&mut self, term: &WpTerm) -> StoreResult<()> {
        self.term(Taxonomy::Tag, term).await?;
        self.redirect_term("tag", term).await
    }

    async fn term(&mut self, taxonomy: Taxonomy, term: &WpTerm) -> StoreResult<i64> {
        let (table, ids, counted) = match taxonomy {
            Taxonomy::Category => (
                "categories",
                &mut self.category_ids,
                &mut self.counts.categories,
            ),
            Taxonomy::Tag => ("tags", &mut self.tag_ids, &mut self.counts.tags),
        };
        if let Some(id) = ids.get(term.slug.as_str()) {
            return Ok(*id);
        }
        let (id, created) = ensure_term(&mut self.tx, table, term).await?;
        *counted += usize::from(created);
        ids.insert(term.slug.as_str().to_string(), id);
        Ok(id)
    }

    async fn redirect_term(&mut self, base: &str, term: &WpTerm) -> StoreResult<()> {
        if let Some(old) = &term.old_path {
            let new = format!("/{base}/{}/", term.slug.as_str());
            self.counts.redirects += add_redirect(&mut self.tx, old, &new).await?;
        }
        Ok(())
    }

    /// Writes a post or page with its terms, answers, comments and old addresses, unless an
    /// earlier import of the same site wrote it. `body_text` is the text a reader sees of its
    /// HTML, which search indexes; `address` gives a published entry's new address from its
    /// kind, publication time and slug.
    pub async fn entry(
        &mut self,
        entry: &WpEntry,
        body_text: Option<&str>,
        address: &(dyn Fn(&str, i64, &str) -> String + Sync),
    ) -> StoreResult<()> {
        if known(&mut self.tx, &self.site, "post", entry.wp_id)
            .await?
            .is_some()
        {
            self.counts.already_there += 1;
            return Ok(());
        }
        if let Some(login) = &entry.author_login {
            // WXR 1.0 names authors only here, in each item's dc:creator.
            self.author(&WpAuthor {
                login: login.clone(),
                email: None,
                display_name: login.clone(),
            })
            .await?;
        }
        let id = insert_entry(&mut self.tx, entry, body_text, &self.editors).await?;
        for (noted_at, text) in &entry.edit_notes {
            sqlx::query("INSERT INTO edit_notes (post_id, noted_at, body) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(noted_at)
                .bind(text)
                .execute(&mut *self.tx)
                .await?;
        }
        remember(&mut self.tx, &self.site, "post", entry.wp_id, id).await?;
        match entry.kind {
            "page" => self.counts.pages += 1,
            _ => self.counts.posts += 1,
        }
        if let Some(parent) = entry.parent_wp_id {
            self.post_parents.push((id, parent));
        }
        for (slug, name) in &entry.categories {
            let term = self.term(Taxonomy::Category, &bare(slug, name)).await?;
            link(&mut self.tx, "post_categories", "category_id", id, term).await?;
        }
        for (slug, name) in &entry.tags {
            let term = self.term(Taxonomy::Tag, &bare(slug, name)).await?;
            link(&mut self.tx, "post_tags", "tag_id", id, term).await?;
        }
        let (answers, panelists) = insert_answers(&mut self.tx, id, entry).await?;
        self.counts.answers += answers;
        self.counts.panelists += panelists;
        let written =
            insert_comments(&mut self.tx, &self.site, id, entry, &mut self.counts).await?;
        self.counts.comments += written;
        let (slug, published_at, status): (String, Option<i64>, String) =
            sqlx::query_as("SELECT slug, published_at, status FROM posts WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *self.tx)
                .await?;
        if status == PostStatus::Published.as_str() {
            let new = address(entry.kind, published_at.unwrap_or(0), &slug);
            for old in &entry.old_paths {
                if *old != new {
                    self.counts.redirects += add_redirect(&mut self.tx, old, &new).await?;
                }
            }
            project_post(&mut self.tx, id).await?;
        }
        Ok(())
    }

    /// Keeps an attachment as a link to its original address.
    pub async fn attachment(&mut self, attachment: &WpAttachment) -> StoreResult<()> {
        if known(&mut self.tx, &self.site, "attachment", attachment.wp_id)
            .await?
            .is_some()
        {
            self.counts.already_there += 1;
            return Ok(());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attachments (post_id, url, title) VALUES (NULL, $1, $2) RETURNING id",
        )
        .bind(&attachment.url)
        .bind(&attachment.title)
        .fetch_one(&mut *self.tx)
        .await?;
        remember(&mut self.tx, &self.site, "attachment", attachment.wp_id, id).await?;
        if let Some(parent) = attachment.parent_wp_id {
            self.attachment_parents.push((id, parent));
        }
        self.counts.attachments += 1;
        Ok(())
    }

    /// Stores an image a post refers to, in the import's unit of work; returns its id. The
    /// same image imported again (the same file, encoded the same way) is the one stored
    /// before, unless it is a panelist's photo, which goes when they do.
    pub async fn media(&mut self, image: &crate::media::Prepared) -> StoreResult<i64> {
        let hash = super::media::content_hash(&image.widest().data);
        let known: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM media WHERE sha256 = $1 AND id NOT IN \
             (SELECT photo_media_id FROM panelists WHERE photo_media_id IS NOT NULL) \
             ORDER BY id LIMIT 1",
        )
        .bind(hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        match known {
            Some(id) => Ok(id),
            None => {
                self.counts.images += 1;
                super::media::insert_media(&mut self.tx, image).await
            }
        }
    }

    /// Links parents now that every entry has its id, and commits the whole import.
    pub async fn finish(mut self) -> StoreResult<ImportCounts> {
        for (id, parent) in std::mem::take(&mut self.category_parents) {
            if let Some(parent_id) = self.category_ids.get(parent.as_str()) {
                sqlx::query(
                    "UPDATE categories SET parent_id = $1 WHERE id = $2 AND parent_id IS NULL AND id <> $1",
                )
                .bind(parent_id)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
            }
        }
        for (update, pending) in [
            (
                "UPDATE posts SET parent_id = $1 WHERE id = $2",
                std::mem::take(&mut self.post_parents),
            ),
            (
                "UPDATE attachments SET post_id = $1 WHERE id = $2",
                std::mem::take(&mut self.attachment_parents),
            ),
        ] {
            for (id, parent_wp_id) in pending {
                if let Some(parent) = known(&mut self.tx, &self.site, "post", parent_wp_id).await? {
                    sqlx::query(update)
                        .bind(parent)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await?;
                }
            }
        }
        bump_content_version(&mut self.tx).await?;
        self.tx.commit().await?;
        Ok(self.counts)
    }
}

/// A term an entry names without the channel declaring it.
fn bare(slug: &Slug, name: &str) -> WpTerm {
    WpTerm {
        slug: slug.clone(),
        name: if name.is_empty() { slug.as_str() } else { name }.to_string(),
        parent: None,
        description: None,
        old_path: None,
    }
}

async fn known(tx: &mut Tx, site: &str, kind: &str, wp_id: i64) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT local_id FROM wp_imports WHERE site = $1 AND kind = $2 AND wp_id = $3",
    )
    .bind(site)
    .bind(kind)
    .bind(wp_id)
    .fetch_optional(&mut **tx)
    .await?)
}

async fn remember(tx: &mut Tx, site: &str, kind: &str, wp_id: i64, id: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO wp_imports (site, kind, wp_id, local_id) VALUES ($1, $2, $3, $4)")
        .bind(site)
        .bind(kind)
        .bind(wp_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Finds the author's editor account by login, then by address; creates it without a password
/// otherwise. Returns the id and whether it was created.
async fn ensure_editor(tx: &mut Tx, author: &WpAuthor) -> StoreResult<(i64, bool)> {
    let by_login: Option<i64> =
        sqlx::query_scalar("SELECT id FROM editors WHERE login = $1 ORDER BY id LIMIT 1")
            .bind(&author.login)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(id) = by_login {
        return Ok((id, false));
    }
    if let Some(email) = &author.email {
        let by_email: Option<i64> =
            sqlx::query_scalar("SELECT id FROM editors WHERE LOWER(email) = LOWER($1)")
                .bind(email.as_str())
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(id) = by_email {
            return Ok((id, false));
        }
    }
    let email = match &author.email {
        Some(email) => email.as_str().to_string(),
        None => {
            // A placeholder on the reserved .invalid domain: no mail can ever go to it.
            let base = Slug::from_text(&author.login, "author");
            let mut candidate = base.clone();
            let mut n = 1;
            while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM editors WHERE email = $1")
                .bind(format!("{}@wordpress-import.invalid", candidate.as_str()))
                .fetch_one(&mut **tx)
                .await?
                > 0
            {
                n += 1;
                candidate = base.numbered(n);
            }
            format!("{}@wordpress-import.invalid", candidate.as_str())
        }
    };
    let id = sqlx::query_scalar(
        "INSERT INTO editors (email, display_name, password_hash, login, created_at) \
         VALUES ($1, $2, NULL, $3, $4) RETURNING id",
    )
    .bind(email)
    .bind(&author.display_name)
    .bind(&author.login)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    Ok((id, true))
}

/// A term by slug, created when missing. Returns the id and whether it was created.
async fn ensure_term(tx: &mut Tx, table: &str, term: &WpTerm) -> StoreResult<(i64, bool)> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO {table} (slug, name, description) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING"
    ))
    .bind(term.slug.as_str())
    .bind(&term.name)
    .bind(&term.description)
    .execute(&mut **tx)
    .await?;
    let id = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE slug = $1"))
        .bind(term.slug.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok((id, inserted.rows_affected() > 0))
}

async fn link(tx: &mut Tx, table: &str, column: &str, post_id: i64, term: i64) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO {table} (post_id, {column}) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    ))
    .bind(post_id)
    .bind(term)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn add_redirect(tx: &mut Tx, old: &str, new: &str) -> StoreResult<usize> {
    let done = sqlx::query(
        "INSERT INTO redirects (old_path, new_path) VALUES ($1, $2) ON CONFLICT (old_path) DO NOTHING",
    )
    .bind(old)
    .bind(new)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() as usize)
}

/// Addresses the reader's site uses itself: a page may not take them.
const RESERVED: [&str; 16] = [
    "page",
    "tag",
    "category",
    "panelist",
    "search",
    "feed",
    "suggest",
    "join",
    "subscribe",
    "admin",
    "api",
    "static",
    "answer",
    "unsubscribe",
    "sitemap.xml",
    "robots.txt",
];

async fn insert_entry(
    tx: &mut Tx,
    entry: &WpEntry,
    body_text: Option<&str>,
    editors: &HashMap<String, i64>,
) -> StoreResult<i64> {
    let mut slug = entry.slug.clone();
    let mut n = 1;
    while (entry.kind == "page" && RESERVED.contains(&slug.as_str()))
        || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts WHERE kind = $1 AND slug = $2")
            .bind(entry.kind)
            .bind(slug.as_str())
            .fetch_one(&mut **tx)
            .await?
            > 0
    {
        n += 1;
        slug = entry.slug.numbered(n);
    }
    let author = match &entry.author_login {
        Some(login) => match editors.get(login) {
            Some(id) => Some(*id),
            None => {
                let (id, _) = ensure_editor(
                    tx,
                    &WpAuthor {
                        login: login.clone(),
                        email: None,
                        display_name: login.clone(),
                    },
                )
                .await?;
                Some(id)
            }
        },
        None => None,
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO posts (kind, slug, title, intro, closing, body_html, excerpt, status, author_id, \
         comments_open, publish_at, published_at, created_at, updated_at, body_text, signature_placement) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(entry.kind)
    .bind(slug.as_str())
    .bind(&entry.title)
    .bind(&entry.intro)
    .bind(&entry.closing)
    .bind(&entry.body_html)
    .bind(&entry.excerpt)
    .bind(entry.status.as_str())
    .bind(author)
    .bind(i64::from(entry.comments_open))
    .bind(entry.publish_at)
    .bind(entry.published_at)
    .bind(entry.created_at)
    .bind(entry.published_at.unwrap_or(entry.created_at))
    .bind(body_text)
    .bind(entry.placement)
    .fetch_one(&mut **tx)
    .await?)
}

/// The answers split out of an old post; named ones join (or create) a retired panelist of
/// that name, so they appear in the panelist's archive but are never invited to a round.
/// Returns how many answers and new panelists.
async fn insert_answers(tx: &mut Tx, post_id: i64, entry: &WpEntry) -> StoreResult<(usize, usize)> {
    let mut created = 0;
    let at = entry.published_at.unwrap_or(entry.created_at);
    for (position, answer) in entry.answers.iter().enumerate() {
        let panelist_id = match &answer.name {
            Some(name) => {
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM panelists WHERE LOWER(name) = LOWER($1) ORDER BY id LIMIT 1",
                )
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?;
                match existing {
                    Some(id) => Some(id),
                    None => {
                        created += 1;
                        Some(insert_retired_panelist(tx, answer).await?)
                    }
                }
            }
            None => None,
        };
        let (department, city) = (answer.rest.clone(), None::<String>);
        sqlx::query(
            "INSERT INTO answers (post_id, panelist_id, attribution, sig_name, sig_title, sig_department, \
             sig_institution, sig_city, body, included, position, submitted_at, updated_at, sig_pronouns) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11, $12)",
        )
        .bind(post_id)
        .bind(panelist_id)
        .bind(if answer.name.is_some() { "named" } else { "anonymous" })
        .bind(&answer.name)
        .bind(&answer.title)
        .bind(&department)
        .bind(&answer.institution)
        .bind(&city)
        .bind(&answer.body)
        .bind(position as i64)
        .bind(at)
        .bind(&answer.pronouns)
        .execute(&mut **tx)
        .await?;
    }
    Ok((entry.answers.len(), created))
}

async fn insert_retired_panelist(tx: &mut Tx, answer: &WpAnswer) -> StoreResult<i64> {
    let name = answer.name.as_deref().unwrap_or_default();
    let base = Slug::from_text(name, "panelist");
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
    Ok(sqlx::query_scalar(
        "INSERT INTO panelists (slug, email, name, title, institution, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'retired', $6, $6) RETURNING id",
    )
    .bind(slug.as_str())
    // The roster needs an address; imported panelists get one on the reserved .invalid domain.
    .bind(format!("{}@imported-panelist.invalid", slug.as_str()))
    .bind(name)
    .bind(&answer.title)
    .bind(&answer.institution)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?)
}

/// Comments of one entry, threaded one level: a reply to a reply hangs on the first comment
/// of its thread. Returns how many were written.
async fn insert_comments(
    tx: &mut Tx,
    site: &str,
    post_id: i64,
    entry: &WpEntry,
    counts: &mut ImportCounts,
) -> StoreResult<usize> {
    let parents: HashMap<i64, Option<i64>> = entry
        .comments
        .iter()
        .filter_map(|c| c.wp_id.map(|id| (id, c.parent_wp_id)))
        .collect();
    let thread_root = |mut id: i64| {
        // Walk up to the thread's first comment; the step limit guards against loops.
        for _ in 0..100 {
            match parents.get(&id).copied().flatten() {
                Some(parent) if parents.contains_key(&parent) => id = parent,
                _ => break,
            }
        }
        id
    };
    let mut local: HashMap<i64, i64> = HashMap::new();
    let mut written = 0;
    let mut pending_parents = Vec::new();
    for c in &entry.comments {
        if let Some(wp_id) = c.wp_id {
            if let Some(id) = known(tx, site, "comment", wp_id).await? {
                local.insert(wp_id, id);
                counts.already_there += 1;
                continue;
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (post_id, author_name, author_email, author_url, body, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(post_id)
        .bind(&c.author_name)
        .bind(&c.author_email)
        .bind(&c.author_url)
        .bind(&c.body)
        .bind(c.status.as_str())
        .bind(c.created_at)
        .fetch_one(&mut **tx)
        .await?;
        if let Some(wp_id) = c.wp_id {
            remember(tx, site, "comment", wp_id, id).await?;
            local.insert(wp_id, id);
            if c.parent_wp_id.is_some() {
                pending_parents.push((id, thread_root(wp_id)));
            }
        }
        written += 1;
    }
    for (id, root) in pending_parents {
        if let Some(root_id) = local.get(&root).filter(|r| **r != id) {
            sqlx::query("UPDATE comments SET parent_id = $1 WHERE id = $2")
                .bind(root_id)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(written)
}

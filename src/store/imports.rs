//! Writing a WordPress import in one unit of work: authors as editors without passwords,
//! categories and tags, posts and pages (whole, or split into answers), comments, attachments
//! as links, and redirects from the old addresses. Everything already imported from the same
//! site is found in `wp_imports` and left alone, so importing a file twice changes nothing.

use std::collections::HashMap;

use super::posts::reindex_post;
use super::{bump_content_version, now, Store, StoreResult, Tx};
use crate::domain::{CommentStatus, Email, PostStatus, Slug};

/// An import ready to write: parsed, mapped to Roundtable's states and sanitized.
#[derive(Debug, Default)]
pub struct WpImport {
    /// The WordPress site the ids belong to.
    pub site: String,
    pub authors: Vec<WpAuthor>,
    pub categories: Vec<WpTerm>,
    pub tags: Vec<WpTerm>,
    pub entries: Vec<WpEntry>,
    pub attachments: Vec<WpAttachment>,
}

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
    pub comments: Vec<WpComment>,
}

/// An answer split out of an old roundup post.
#[derive(Debug, Clone, PartialEq)]
pub struct WpAnswer {
    /// `None` for an anonymous answer.
    pub name: Option<String>,
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
    pub redirects: usize,
    pub answers: usize,
    pub panelists: usize,
    /// Entries and comments skipped because an earlier import of the same site wrote them.
    pub already_there: usize,
}

impl Store {
    /// Writes the whole import, or nothing. `address` gives a published entry's new address
    /// from its kind, publication time and slug.
    pub async fn import_wordpress(
        &self,
        import: &WpImport,
        address: &(dyn Fn(&str, i64, &str) -> String + Sync),
    ) -> StoreResult<ImportCounts> {
        let mut counts = ImportCounts::default();
        let mut tx = self.begin().await?;
        let site = import.site.as_str();

        let mut editors: HashMap<String, i64> = HashMap::new();
        for author in &import.authors {
            let (id, created) = ensure_editor(&mut tx, author).await?;
            counts.authors += usize::from(created);
            editors.insert(author.login.clone(), id);
        }

        let mut category_ids: HashMap<String, i64> = HashMap::new();
        for term in &import.categories {
            let (id, created) = ensure_term(&mut tx, "categories", term).await?;
            counts.categories += usize::from(created);
            category_ids.insert(term.slug.as_str().to_string(), id);
        }
        for term in &import.categories {
            if let (Some(parent), Some(id)) = (&term.parent, category_ids.get(term.slug.as_str())) {
                if let Some(parent_id) = category_ids.get(parent.as_str()) {
                    sqlx::query(
                        "UPDATE categories SET parent_id = $1 WHERE id = $2 AND parent_id IS NULL",
                    )
                    .bind(parent_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let mut tag_ids: HashMap<String, i64> = HashMap::new();
        for term in &import.tags {
            let (id, created) = ensure_term(&mut tx, "tags", term).await?;
            counts.tags += usize::from(created);
            tag_ids.insert(term.slug.as_str().to_string(), id);
        }
        for (base, term) in import
            .categories
            .iter()
            .map(|t| ("category", t))
            .chain(import.tags.iter().map(|t| ("tag", t)))
        {
            if let Some(old) = &term.old_path {
                let new = format!("/{base}/{}/", term.slug.as_str());
                counts.redirects += add_redirect(&mut tx, old, &new).await?;
            }
        }

        let mut post_ids: HashMap<i64, i64> = HashMap::new();
        for entry in &import.entries {
            if let Some(id) = known(&mut tx, site, "post", entry.wp_id).await? {
                post_ids.insert(entry.wp_id, id);
                counts.already_there += 1;
                continue;
            }
            let id = insert_entry(&mut tx, entry, &editors).await?;
            remember(&mut tx, site, "post", entry.wp_id, id).await?;
            post_ids.insert(entry.wp_id, id);
            match entry.kind {
                "page" => counts.pages += 1,
                _ => counts.posts += 1,
            }
            for (slug, name) in &entry.categories {
                let term = match category_ids.get(slug.as_str()) {
                    Some(id) => *id,
                    None => {
                        let (id, created) =
                            ensure_term(&mut tx, "categories", &bare(slug, name)).await?;
                        counts.categories += usize::from(created);
                        category_ids.insert(slug.as_str().to_string(), id);
                        id
                    }
                };
                link(&mut tx, "post_categories", "category_id", id, term).await?;
            }
            for (slug, name) in &entry.tags {
                let term = match tag_ids.get(slug.as_str()) {
                    Some(id) => *id,
                    None => {
                        let (id, created) = ensure_term(&mut tx, "tags", &bare(slug, name)).await?;
                        counts.tags += usize::from(created);
                        tag_ids.insert(slug.as_str().to_string(), id);
                        id
                    }
                };
                link(&mut tx, "post_tags", "tag_id", id, term).await?;
            }
            let (answers, panelists) = insert_answers(&mut tx, id, entry).await?;
            counts.answers += answers;
            counts.panelists += panelists;
        }

        // Parents, comments and addresses once every entry has its id.
        for entry in &import.entries {
            let Some(&id) = post_ids.get(&entry.wp_id) else {
                continue;
            };
            if let Some(parent) = entry.parent_wp_id.and_then(|p| post_ids.get(&p)) {
                sqlx::query("UPDATE posts SET parent_id = $1 WHERE id = $2")
                    .bind(parent)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let written = insert_comments(&mut tx, site, id, entry, &mut counts).await?;
            counts.comments += written;
            let (slug, published_at, status): (String, Option<i64>, String) =
                sqlx::query_as("SELECT slug, published_at, status FROM posts WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if status == PostStatus::Published.as_str() {
                let new = address(entry.kind, published_at.unwrap_or(0), &slug);
                for old in &entry.old_paths {
                    if *old != new {
                        counts.redirects += add_redirect(&mut tx, old, &new).await?;
                    }
                }
                reindex_post(&mut tx, id).await?;
            }
        }

        for attachment in &import.attachments {
            if known(&mut tx, site, "attachment", attachment.wp_id)
                .await?
                .is_some()
            {
                counts.already_there += 1;
                continue;
            }
            let post_id = attachment.parent_wp_id.and_then(|p| post_ids.get(&p));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO attachments (post_id, url, title) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(post_id)
            .bind(&attachment.url)
            .bind(&attachment.title)
            .fetch_one(&mut *tx)
            .await?;
            remember(&mut tx, site, "attachment", attachment.wp_id, id).await?;
            counts.attachments += 1;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
        Ok(counts)
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
         comments_open, publish_at, published_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
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
             sig_institution, sig_city, body, included, position, submitted_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11)",
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

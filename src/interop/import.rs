//! `roundtable import wxr`: turns a parsed export into an import the store can write, mapping
//! WordPress's states, dates and addresses to Roundtable's, sanitizing content, and keeping a
//! report of everything left out and why.

use std::collections::HashMap;

use crate::domain::{CommentStatus, Email, PostStatus, Slug};
use crate::render::SiteClock;
use crate::store::{ImportCounts, WpAttachment, WpAuthor, WpComment, WpEntry, WpTerm};

use super::percent_decode;
use super::wp_html::{autop, sanitize, take_edit_notes};
use super::wxr::{self, Author, Item, Piece, Term, Wxr, WxrError, WxrReader};

/// What an import did, for the person who ran it.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub counts: ImportCounts,
    /// `item 12 "Title": reason`, one for each item left out.
    pub skipped: Vec<String>,
    /// Things imported differently from WordPress, such as password-protected posts.
    pub notes: Vec<String>,
    /// Titles of posts split into answers, and of those `--split-answers` left whole.
    pub split: Vec<String>,
    pub whole: Vec<String>,
    /// With `--uploads`: each image left linking to the old site, and why.
    pub images: Vec<String>,
}

impl ImportReport {
    /// The report as lines of text.
    pub fn lines(&self) -> Vec<String> {
        let c = &self.counts;
        let mut lines = vec![format!(
            "imported {} posts, {} pages, {} comments, {} categories, {} tags, {} authors, \
             {} attachments (as links), {} redirects; {} already there from an earlier import",
            c.posts,
            c.pages,
            c.comments,
            c.categories,
            c.tags,
            c.authors,
            c.attachments,
            c.redirects,
            c.already_there
        )];
        if c.answers > 0 || !self.split.is_empty() || !self.whole.is_empty() {
            lines.push(format!(
                "split {} posts into {} answers ({} new retired panelists); {} left whole",
                self.split.len(),
                c.answers,
                c.panelists,
                self.whole.len()
            ));
            lines.extend(self.split.iter().map(|t| format!("  split: {t}")));
            lines.extend(self.whole.iter().map(|t| format!("  whole: {t}")));
        }
        if c.images > 0 || !self.images.is_empty() {
            lines.push(format!(
                "stored {} images from the uploads folder; {} left linking to the old site",
                c.images,
                self.images.len()
            ));
        }
        lines.extend(self.images.iter().map(|i| format!("  {i}")));
        lines.extend(self.notes.iter().map(|n| format!("note: {n}")));
        lines.extend(self.skipped.iter().map(|s| format!("skipped {s}")));
        lines
    }
}

/// Why an import stopped. Nothing was written: the import is one unit of work.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Wxr(#[from] WxrError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Imports a WXR file in one unit of work, reading it as a stream: each item is mapped and
/// written as it is read, so memory stays flat however large the export. A progress bar
/// shows on a terminal.
pub async fn import_file(
    store: &crate::store::Store,
    path: &std::path::Path,
    split_answers: bool,
) -> Result<ImportReport, ImportError> {
    import_file_with(store, path, split_answers, None).await
}

/// [`import_file`], and with `uploads` (a copy of WordPress's `wp-content/uploads`) the
/// images the posts refer to stored as media, and the posts pointed at them.
pub async fn import_file_with(
    store: &crate::store::Store,
    path: &std::path::Path,
    split_answers: bool,
    uploads: Option<&std::path::Path>,
) -> Result<ImportReport, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| wxr::io_error(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = super::progress_bar("importing", size, super::Unit::Bytes);
    let mut reader = WxrReader::new(std::io::BufReader::new(bar.wrap_read(file)));
    let mut uploads = uploads.map(super::uploads::Uploads::new);
    let result = import_pieces(store, &mut reader, split_answers, uploads.as_mut()).await;
    bar.finish_and_clear();
    result.map_err(|e| match e {
        ImportError::Wxr(e) => ImportError::Wxr(wxr::with_line(path, e)),
        e => e,
    })
}

async fn import_pieces<R: std::io::BufRead>(
    store: &crate::store::Store,
    reader: &mut WxrReader<R>,
    split_answers: bool,
    mut uploads: Option<&mut super::uploads::Uploads>,
) -> Result<ImportReport, ImportError> {
    let (_, clock) = crate::column::public::SiteView::load(store).await?;
    let address = |kind: &str, published_at: i64, slug: &str| match kind {
        "page" => format!("/{slug}/"),
        _ => crate::render::permalink(&clock, published_at, slug),
    };
    let mut report = ImportReport::default();
    let mut mapper = Mapper::new(&clock, split_answers);
    let mut other_terms = 0;
    // The channel's own fields come before its first piece: the site is known after it.
    let mut next = reader.next_piece()?;
    let site = reader.site().trim_end_matches('/').to_string();
    let mut importer = store.wordpress_importer(&site).await?;
    while let Some(piece) = next {
        match piece {
            Piece::Author(a) => {
                if let Some(author) = mapper.author(&a) {
                    importer.author(&author).await?;
                }
            }
            Piece::Category(t) => importer.category(&mapper.category(&t)).await?,
            Piece::Tag(t) => importer.tag(&mapper.tag(&t)).await?,
            Piece::OtherTerm => other_terms += 1,
            Piece::Item(item) => match mapper.item(&item, &mut report) {
                Mapped::Entry(mut e) => {
                    if let Some(uploads) = uploads.as_deref_mut() {
                        uploads
                            .localize(&mut e, &mut importer, &mut report.images)
                            .await?;
                    }
                    let text = e.body_html.as_deref().map(crate::render::plain_text);
                    importer.entry(&e, text.as_deref(), &address).await?
                }
                Mapped::Attachment(a) => importer.attachment(&a).await?,
                Mapped::Skipped => {}
            },
        }
        next = reader.next_piece()?;
    }
    if other_terms > 0 {
        report.notes.push(format!(
            "{} terms of other taxonomies (menus, formats, custom) are not imported",
            other_terms
        ));
    }
    report.counts = importer.finish().await?;
    store.refresh_statistics().await?;
    Ok(report)
}

/// What the import would write for a file already parsed, without a database: the posts and
/// pages, and the report. [`import_file`] maps the same way, one piece at a time; this is for
/// checking the mapping on its own (the fuzz target `wxr_import`).
pub fn plan(wxr: &Wxr, clock: &SiteClock, split_answers: bool) -> (Vec<WpEntry>, ImportReport) {
    let mut report = ImportReport::default();
    let mut mapper = Mapper::new(clock, split_answers);
    for category in &wxr.categories {
        mapper.category(category);
    }
    let mut entries = Vec::new();
    for item in &wxr.items {
        if let Mapped::Entry(e) = mapper.item(item, &mut report) {
            entries.push(*e);
        }
    }
    (entries, report)
}

/// What one item of the file becomes.
enum Mapped {
    Entry(Box<WpEntry>),
    Attachment(WpAttachment),
    Skipped,
}

/// Maps the file's pieces to what the store writes, one at a time.
struct Mapper<'a> {
    clock: &'a SiteClock,
    split_answers: bool,
    /// The title of the first entry seen with each post id, and how many had it.
    seen: HashMap<i64, (String, usize)>,
    /// Category slug to its parent's: a child's old address nests under its parents.
    category_parents: HashMap<String, String>,
}

impl<'a> Mapper<'a> {
    fn new(clock: &'a SiteClock, split_answers: bool) -> Mapper<'a> {
        Mapper {
            clock,
            split_answers,
            seen: HashMap::new(),
            category_parents: HashMap::new(),
        }
    }

    fn author(&self, a: &Author) -> Option<WpAuthor> {
        (!a.login.is_empty()).then(|| WpAuthor {
            login: a.login.clone(),
            email: Email::parse(&a.email).ok(),
            display_name: if a.display_name.is_empty() {
                a.login.clone()
            } else {
                a.display_name.clone()
            },
        })
    }

    fn category(&mut self, c: &Term) -> WpTerm {
        self.category_parents
            .insert(c.slug.clone(), c.parent.clone());
        let slug = term_slug(&c.slug, &c.name);
        // WordPress nests a child's address under its parents: /category/parent/child/.
        let mut chain = vec![percent_decode(&c.slug)];
        let mut parent = c.parent.as_str();
        while !parent.is_empty() && chain.len() < 20 {
            chain.insert(0, percent_decode(parent));
            parent = self
                .category_parents
                .get(parent)
                .map(String::as_str)
                .unwrap_or("");
        }
        let old = format!("/category/{}/", chain.join("/"));
        WpTerm {
            name: if c.name.is_empty() {
                slug.as_str().to_string()
            } else {
                c.name.clone()
            },
            parent: (!c.parent.is_empty()).then(|| term_slug(&c.parent, &c.parent)),
            description: (!c.description.is_empty()).then(|| c.description.clone()),
            old_path: (old != format!("/category/{}/", slug.as_str())).then_some(old),
            slug,
        }
    }

    fn tag(&self, t: &Term) -> WpTerm {
        let slug = term_slug(&t.slug, &t.name);
        let old = format!("/tag/{}/", percent_decode(&t.slug));
        WpTerm {
            name: if t.name.is_empty() {
                slug.as_str().to_string()
            } else {
                t.name.clone()
            },
            parent: None,
            description: (!t.description.is_empty()).then(|| t.description.clone()),
            old_path: (old != format!("/tag/{}/", slug.as_str())).then_some(old),
            slug,
        }
    }

    fn item(&mut self, item: &Item, report: &mut ImportReport) -> Mapped {
        let label = format!(
            "item {} \"{}\"",
            item.post_id
                .map(|i| i.to_string())
                .unwrap_or_else(|| "without id".into()),
            item.title
        );
        if item.replaced_bytes {
            report.notes.push(format!(
                "{label}: bytes that are not valid in the file's encoding were replaced with \u{fffd}"
            ));
        }
        // Some hand-made exports give no id; WordPress's own links still carry it (?p=19).
        let Some(wp_id) = item
            .post_id
            .or_else(|| id_from_link(&item.guid))
            .or_else(|| id_from_link(&item.link))
        else {
            report.skipped.push(format!(
                "{label}: it has no wp:post_id in WordPress's namespace"
            ));
            return Mapped::Skipped;
        };
        match item.post_type.as_str() {
            // WordPress treats an item without a type as a post.
            "post" | "page" => {}
            "" if item.post_id.is_none() && !item.title.is_empty() && !item.content.is_empty() => {}
            "attachment" => {
                let url = if item.attachment_url.is_empty() {
                    &item.guid
                } else {
                    &item.attachment_url
                };
                return Mapped::Attachment(WpAttachment {
                    wp_id,
                    parent_wp_id: item.post_parent,
                    url: url.clone(),
                    title: item.title.clone(),
                });
            }
            "" => {
                report.skipped.push(format!("{label}: it has no post type"));
                return Mapped::Skipped;
            }
            other => {
                report.skipped.push(format!(
                    "{label}: post type '{other}' is not a post or page"
                ));
                return Mapped::Skipped;
            }
        }
        // "*edited 8/10/2013 to add …" lines at the end become the post's edit notes.
        let (content, edit_notes) = take_edit_notes(&item.content, self.clock);
        let item = &Item {
            content,
            ..item.clone()
        };
        let Some(mut e) = entry(item, wp_id, self.clock, report, &label) else {
            return Mapped::Skipped;
        };
        e.edit_notes = edit_notes;
        if self.split_answers && e.kind == "post" {
            match super::roundup::split(&item.content) {
                Some(split) => {
                    e.intro = split.intro;
                    e.closing = split.closing;
                    e.answers = split.answers;
                    e.placement = Some(split.placement);
                    e.body_html = None;
                    report.split.push(e.title.clone());
                }
                None => report.whole.push(e.title.clone()),
            }
        }
        self.own_id(&mut e, report);
        Mapped::Entry(Box::new(e))
    }

    /// Some exports give two items one post id (pelican's test file does). The second is an
    /// entry of its own, never lost: it is known by an id no WordPress item has, the same on
    /// every import of the file, and `/?p=ID` stays the first's.
    fn own_id(&mut self, e: &mut WpEntry, report: &mut ImportReport) {
        let (first, count) = self
            .seen
            .entry(e.wp_id)
            .or_insert_with(|| (e.title.clone(), 0));
        *count += 1;
        if *count == 1 {
            return;
        }
        report.notes.push(format!(
            "item {} \"{}\": its wp:post_id is also \"{}\"'s; imported as an entry of its own, and /?p={} leads to the first",
            e.wp_id, e.title, first, e.wp_id
        ));
        e.old_paths
            .retain(|p| !p.starts_with("/?p=") && !p.starts_with("/?page_id="));
        e.wp_id = -(e.wp_id.saturating_mul(1000).saturating_add(*count as i64));
    }
}

fn term_slug(raw: &str, name: &str) -> Slug {
    let decoded = percent_decode(raw);
    Slug::from_text(if decoded.is_empty() { name } else { &decoded }, "term")
}

/// A post or page as the store writes it, or `None` (with the reason in the report) when its
/// status is not one Roundtable imports.
fn entry(
    item: &Item,
    wp_id: i64,
    clock: &SiteClock,
    report: &mut ImportReport,
    label: &str,
) -> Option<WpEntry> {
    let kind = if item.post_type == "page" {
        "page"
    } else {
        "post"
    };
    let status = post_status(item, report, label)?;
    let when = wp_time(&item.post_date_gmt, &item.post_date, clock);
    let now = crate::store::now();
    let (published_at, publish_at) = match status {
        PostStatus::Published | PostStatus::Private => (Some(when.unwrap_or(now)), None),
        PostStatus::Scheduled => (None, Some(when.unwrap_or(now))),
        PostStatus::Draft => (None, None),
    };
    let name = percent_decode(&item.post_name);
    let fallback = format!("{kind}-{wp_id}");
    let slug = Slug::from_text(if name.is_empty() { &item.title } else { &name }, &fallback);
    let (categories, tags) = categories_and_tags(item);
    Some(WpEntry {
        wp_id,
        kind,
        slug,
        title: item.title.clone(),
        body_html: Some(sanitize(&autop(&item.content))),
        intro: String::new(),
        closing: String::new(),
        answers: Vec::new(),
        placement: None,
        excerpt: (!item.excerpt.trim().is_empty()).then(|| item.excerpt.trim().to_string()),
        status,
        published_at,
        publish_at,
        created_at: when.unwrap_or(now),
        author_login: (!item.creator.is_empty()).then(|| item.creator.clone()),
        parent_wp_id: item.post_parent,
        comments_open: item.comment_status != "closed",
        categories,
        tags,
        old_paths: old_paths(item, kind, wp_id),
        comments: comments(item, clock, now),
        edit_notes: Vec::new(),
    })
}

/// WordPress's status as Roundtable's: a password-protected post becomes private (with a
/// note), and a status with no counterpart is `None` (with the reason in the report).
fn post_status(item: &Item, report: &mut ImportReport, label: &str) -> Option<PostStatus> {
    let status = match item.status.as_str() {
        // Without a status WordPress makes a draft.
        "" => PostStatus::Draft,
        "publish" => PostStatus::Published,
        "draft" | "pending" => PostStatus::Draft,
        "private" => PostStatus::Private,
        "future" => PostStatus::Scheduled,
        other => {
            report
                .skipped
                .push(format!("{label}: status '{other}' is not imported"));
            return None;
        }
    };
    if !item.password.is_empty() && status == PostStatus::Published {
        report.notes.push(format!(
            "{label} is password-protected on WordPress; imported as private"
        ));
        return Some(PostStatus::Private);
    }
    Some(status)
}

/// The addresses that redirect to the entry: WordPress's `?p=` (and a page's `?page_id=`)
/// and the item's own link.
fn old_paths(item: &Item, kind: &str, wp_id: i64) -> Vec<String> {
    let mut old_paths = vec![match kind {
        "page" => format!("/?page_id={wp_id}"),
        _ => format!("/?p={wp_id}"),
    }];
    if kind == "page" {
        old_paths.push(format!("/?p={wp_id}"));
    }
    if let Some(path) = old_path(&item.link) {
        if !old_paths.contains(&path) {
            old_paths.push(path);
        }
    }
    old_paths
}

/// An entry's terms of one taxonomy: each slug with its name.
type Terms = Vec<(Slug, String)>;

/// The item's categories and tags, each slug once; other taxonomies are left out.
fn categories_and_tags(item: &Item) -> (Terms, Terms) {
    let mut categories = Vec::new();
    let mut tags = Vec::new();
    for (domain, nicename, name) in &item.terms {
        let slug = Slug::from_text(
            &if nicename.is_empty() {
                name.clone()
            } else {
                percent_decode(nicename)
            },
            "term",
        );
        let list = match domain.as_str() {
            "category" => &mut categories,
            "post_tag" => &mut tags,
            _ => continue,
        };
        if !list.iter().any(|(s, _): &(Slug, String)| *s == slug) {
            list.push((slug, name.clone()));
        }
    }
    (categories, tags)
}

/// The item's comments, with WordPress's approval states mapped to Roundtable's and `now`
/// for a comment without a date.
fn comments(item: &Item, clock: &SiteClock, now: i64) -> Vec<WpComment> {
    item.comments
        .iter()
        .map(|c| WpComment {
            wp_id: c.id,
            parent_wp_id: c.parent,
            author_name: if c.author.is_empty() {
                "Anonymous".into()
            } else {
                c.author.clone()
            },
            author_email: c.author_email.clone(),
            author_url: (!c.author_url.is_empty()).then(|| c.author_url.clone()),
            body: c.content.clone(),
            status: match c.approved.as_str() {
                "1" | "approve" | "approved" => CommentStatus::Approved,
                "spam" => CommentStatus::Spam,
                "trash" | "post-trashed" => CommentStatus::Trash,
                _ => CommentStatus::Pending,
            },
            created_at: wp_time(&c.date_gmt, &c.date, clock).unwrap_or(now),
        })
        .collect()
}

/// The id in a WordPress address such as `https://example.org/?p=19`.
fn id_from_link(link: &str) -> Option<i64> {
    let query = link.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("p="))
        .and_then(|id| id.parse().ok())
}

/// A WordPress time: the UTC one when set, otherwise the local one in the site's zone.
pub fn wp_time(gmt: &str, local: &str, clock: &SiteClock) -> Option<i64> {
    let parse = |text: &str| -> Option<jiff::civil::DateTime> {
        if text.is_empty() || text.starts_with("0000") {
            return None;
        }
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", text.trim()).ok()
    };
    if let Some(utc) = parse(gmt) {
        return utc
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_second());
    }
    parse(local)
        .and_then(|dt| dt.to_zoned(clock.tz.clone()).ok())
        .map(|z| z.timestamp().as_second())
}

/// The path (and query) of an old address, decoded; `None` for the site's root.
pub fn old_path(link: &str) -> Option<String> {
    let rest = link
        .strip_prefix("http://")
        .or_else(|| link.strip_prefix("https://"))?;
    let path = match rest.find('/') {
        Some(i) => &rest[i..],
        None => return None,
    };
    let path = path.split('#').next().unwrap_or_default();
    let decoded = percent_decode(path);
    (decoded != "/" && !decoded.is_empty()).then_some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt_times_win_and_zero_times_fall_back_to_local() {
        let utc = SiteClock::new(None);
        assert_eq!(wp_time("1970-01-01 00:01:00", "", &utc), Some(60));
        let chicago = SiteClock::new(Some("America/Chicago"));
        assert_eq!(
            wp_time("0000-00-00 00:00:00", "1970-01-01 00:00:00", &chicago),
            Some(6 * 3600)
        );
        assert_eq!(wp_time("0000-00-00 00:00:00", "", &utc), None);
    }

    #[test]
    fn old_addresses_keep_path_and_query() {
        assert_eq!(old_path("http://localhost/?p=1"), Some("/?p=1".into()));
        assert_eq!(
            old_path("https://e.org/2011/01/hello-world/"),
            Some("/2011/01/hello-world/".into())
        );
        assert_eq!(old_path("https://e.org/"), None);
    }
}

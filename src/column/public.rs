//! What templates receive: posts, answers and comments already turned into public text and
//! safe HTML. Answers come from the post's public projection (`PublicAnswerRow`), never from
//! the answers themselves.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde::Serialize;
use tokio::sync::OnceCell;

use super::Column;
use crate::domain::Placement;
use crate::render::{
    comment_html, escape_html, first_words, human_date, iso_datetime, markdown_html, permalink,
    plain_text, tally_svg, tally_text, SiteClock, Templates,
};
use crate::store::{
    answer_anchor, CommentRow, PostList, PostRow, PublicAnswerRow, Store, StoreResult, Taxonomy,
    TermRow,
};

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub tagline: String,
}

impl SiteView {
    pub async fn load(store: &Store) -> StoreResult<(SiteView, SiteClock)> {
        let settings = store.settings_map().await?;
        let site = SiteView {
            title: settings
                .get("site_title")
                .cloned()
                .unwrap_or_else(|| "Roundtable".into()),
            tagline: settings.get("site_tagline").cloned().unwrap_or_default(),
        };
        Ok((
            site,
            SiteClock::new(settings.get("timezone").map(String::as_str)),
        ))
    }
}

#[derive(Serialize)]
pub struct TermView {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct AnswerView {
    pub anchor: String,
    pub byline: String,
    pub panelist_url: Option<String>,
    pub choice: Option<String>,
    pub editor_heading: Option<String>,
    pub editor_note_html: Option<String>,
    /// The answer, with the editor's heading where the editor put it.
    pub body_html: String,
    /// The same split after its first paragraph, for a signature run into it: the first
    /// paragraph's inner HTML, and the rest. Absent when the answer does not open with one.
    pub lead_html: Option<String>,
    pub rest_html: String,
    pub late: bool,
    /// Only for answers published by name.
    pub photo_url: Option<String>,
    pub photo_srcset: Option<String>,
    pub photo_alt: Option<String>,
    pub photo_credit: Option<String>,
}

#[derive(Serialize)]
pub struct TallyView {
    pub label: String,
    pub count: i64,
}

#[derive(Serialize)]
pub struct CommentView {
    pub id: i64,
    pub anchor: String,
    pub author: String,
    pub author_url: Option<String>,
    pub date: String,
    pub date_iso: String,
    pub body_html: String,
    pub replies: Vec<CommentView>,
}

#[derive(Serialize)]
pub struct PostView {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_iso: String,
    pub intro_html: String,
    pub body_html: Option<String>,
    pub closing_html: String,
    /// The name of the reader whose question this was, when they asked to be credited and the
    /// editor kept it: the wording around it is the theme's (`partials/post_body.html`).
    pub credit: Option<String>,
    pub answers: Vec<AnswerView>,
    /// Where signatures go: `before`, `run_in` or `after`.
    pub placement: &'static str,
    /// The round's question and its follow-up, when the series shows them.
    pub question_html: Option<String>,
    pub follow_up_html: Option<String>,
    /// The heading over the comment form.
    pub comments_heading: String,
    pub tally: Vec<TallyView>,
    pub tally_text: String,
    pub tally_svg: Option<String>,
    pub published_at: i64,
    pub updated_at: i64,
    pub edit_notes: Vec<String>,
    pub tags: Vec<TermView>,
    pub categories: Vec<TermView>,
    pub comment_count: i64,
    pub comments_open: bool,
    /// `partials/post_body.html` rendered for the site's pages, once the view is shared: a
    /// post is shown on its page and on several lists. Pages see it through [`ShownPost`].
    #[serde(skip)]
    page_body: OnceLock<minijinja::Value>,
    /// The same with absolute links, for feeds, and the site address it was rendered for: a
    /// post is in several feeds, in two formats each.
    #[serde(skip)]
    feed_body: OnceLock<(String, Arc<str>)>,
}

/// A post as the site's pages show it: its heading, its rendered content and its footer
/// links. Not the answers and the rest the content is rendered from: pages never read them,
/// and copying them into every page's template context cost more than rendering the page.
pub struct ShownPost {
    view: Arc<PostView>,
    content_html: minijinja::Value,
}

impl ShownPost {
    /// Renders the post's content (`partials/post_body.html`) once per view: a post is on its
    /// own page and on several lists.
    pub fn of(templates: &Templates, view: Arc<PostView>) -> Result<ShownPost, minijinja::Error> {
        let content_html = match view.page_body.get() {
            Some(body) => body.clone(),
            None => {
                let body = minijinja::Value::from_safe_string(
                    templates.render("partials/post_body.html", view.body_context(""))?,
                );
                view.page_body.get_or_init(|| body).clone()
            }
        };
        Ok(ShownPost { view, content_html })
    }

    pub fn view(&self) -> &PostView {
        &self.view
    }
}

impl Serialize for ShownPost {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            id: i64,
            title: &'a str,
            url: &'a str,
            date: &'a str,
            date_iso: &'a str,
            comment_count: i64,
            tags: &'a [TermView],
            categories: &'a [TermView],
            comments_heading: &'a str,
            // A minijinja value passes into the template context without being copied.
            content_html: &'a minijinja::Value,
        }
        let v = &self.view;
        Shown {
            id: v.id,
            title: &v.title,
            url: &v.url,
            date: &v.date,
            date_iso: &v.date_iso,
            comment_count: v.comment_count,
            tags: &v.tags,
            categories: &v.categories,
            comments_heading: &v.comments_heading,
            content_html: &self.content_html,
        }
        .serialize(s)
    }
}

/// Words of the first answer (or of the body, for a post without answers) that a list shows:
/// WordPress's excerpt length.
pub const EXCERPT_WORDS: usize = 55;

/// A post as lists show it (home page, archives): its heading, its question or introduction,
/// the opening words of its first answer under that answer's public byline, and a link to
/// the rest. The post's own page and the feeds show it whole.
pub struct ListedPost(Arc<PostView>);

impl ListedPost {
    pub fn all(views: Vec<Arc<PostView>>) -> Vec<ListedPost> {
        views.into_iter().map(ListedPost).collect()
    }
}

impl Serialize for ListedPost {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Lead<'a> {
            byline: &'a str,
            choice: Option<&'a str>,
            text: String,
        }
        #[derive(Serialize)]
        struct Listed<'a> {
            id: i64,
            title: &'a str,
            url: &'a str,
            date: &'a str,
            date_iso: &'a str,
            comment_count: i64,
            tags: &'a [TermView],
            categories: &'a [TermView],
            intro_html: &'a str,
            tally_text: &'a str,
            answer_count: usize,
            lead: Option<Lead<'a>>,
            body_text: Option<String>,
        }
        let v = &self.0;
        let lead = v.answers.first().map(|a| Lead {
            byline: &a.byline,
            choice: a.choice.as_deref(),
            text: first_words(&plain_text(&a.body_html), EXCERPT_WORDS),
        });
        let body_text = match (&lead, &v.body_html) {
            (None, Some(body)) => {
                Some(first_words(&plain_text(body), EXCERPT_WORDS)).filter(|text| !text.is_empty())
            }
            _ => None,
        };
        Listed {
            id: v.id,
            title: &v.title,
            url: &v.url,
            date: &v.date,
            date_iso: &v.date_iso,
            comment_count: v.comment_count,
            tags: &v.tags,
            categories: &v.categories,
            intro_html: &v.intro_html,
            tally_text: &v.tally_text,
            answer_count: v.answers.len(),
            lead,
            body_text,
        }
        .serialize(s)
    }
}

/// Builds the views of a list of posts with one query per kind of data, whatever their number.
pub async fn post_views(
    store: &Store,
    clock: &SiteClock,
    posts: Vec<PostRow>,
) -> StoreResult<Vec<PostView>> {
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    // Most posts have no edit notes and no short answers: ask only about those that do.
    let noted: Vec<i64> = posts
        .iter()
        .filter(|p| p.note_count > 0)
        .map(|p| p.id)
        .collect();
    let with_choices: Vec<i64> = posts
        .iter()
        .filter(|p| p.choice_count > 0)
        .map(|p| p.id)
        .collect();
    // Independent queries, sent together: a page waits for the slowest, not for their sum.
    let (answer_rows, term_rows, note_rows, tally_rows) = tokio::try_join!(
        store.public_answers_of_posts(&ids),
        store.post_terms(&ids),
        store.edit_notes_of_posts(&noted),
        store.choice_tallies(&with_choices),
    )?;
    let mut answers: HashMap<i64, Vec<PublicAnswerRow>> = HashMap::new();
    for answer in answer_rows {
        answers.entry(answer.post_id).or_default().push(answer);
    }
    let (mut tags, mut categories) = group_terms(term_rows);
    let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
    for note in note_rows {
        notes.entry(note.post_id).or_default().push(note.body);
    }
    let mut tallies: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for (post_id, label, count) in tally_rows {
        tallies.entry(post_id).or_default().push((label, count));
    }
    let mut views = Vec::with_capacity(posts.len());
    for post in posts {
        let published = post.published_at.unwrap_or(post.updated_at);
        let tally = tallies.remove(&post.id).unwrap_or_default();
        views.push(PostView {
            url: permalink(clock, published, &post.slug),
            date: human_date(clock, published),
            date_iso: iso_datetime(clock, published),
            intro_html: markdown_html(&post.intro),
            body_html: post.body_html.clone(),
            closing_html: markdown_html(&post.closing),
            credit: post.credited_name.clone(),
            answers: answers
                .remove(&post.id)
                .unwrap_or_default()
                .iter()
                .map(answer_view)
                .collect(),
            placement: Placement::parse(&post.placement).as_str(),
            question_html: post.question.as_deref().map(markdown_html),
            follow_up_html: post.follow_up.as_deref().map(markdown_html),
            comments_heading: Some(post.comments_heading.trim())
                .filter(|h| !h.is_empty())
                .unwrap_or("Leave a comment")
                .to_string(),
            tally_text: tally_text(&tally),
            tally_svg: (!tally.is_empty())
                .then(|| tally_svg(&format!("Short answers to “{}”", post.title), &tally)),
            tally: tally
                .into_iter()
                .map(|(label, count)| TallyView { label, count })
                .collect(),
            id: post.id,
            published_at: published,
            updated_at: post.updated_at,
            edit_notes: notes.remove(&post.id).unwrap_or_default(),
            tags: tags.remove(&post.id).unwrap_or_default(),
            categories: categories.remove(&post.id).unwrap_or_default(),
            comment_count: post.comment_count,
            comments_open: post.comments_open != 0,
            title: post.title,
            page_body: OnceLock::new(),
            feed_body: OnceLock::new(),
        });
    }
    Ok(views)
}

/// Posts on one page of a list (home, archives, search).
pub const PAGE_SIZE: i64 = 10;

/// How many pages `total` items fill, at least one.
pub fn page_count(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// Bytes of post views kept at most; the whole cache is dropped when it is full.
const VIEW_BUDGET: usize = 64 * 1024 * 1024;

/// Views of published posts, and the order of each list of them, as built at one content
/// version. A post is shown on its own page, on home and archive pages and in several feeds:
/// the static export asks for each one about a dozen times, and pages through every list.
/// Every change readers can see bumps the content version, which empties this cache.
pub struct PostViewCache {
    enabled: bool,
    views: Mutex<CachedViews>,
}

#[derive(Default)]
struct CachedViews {
    version: i64,
    bytes: usize,
    /// Each post's view with its approved comments: the export shows every post's page.
    by_post: HashMap<i64, (Arc<PostView>, Arc<[CommentRow]>)>,
    /// Each list is read once even when several pages of it are rendered at the same time.
    lists: HashMap<PostList, Arc<OnceCell<Arc<[i64]>>>>,
    addresses: Arc<OnceCell<Arc<Addresses>>>,
    /// Blocks of [`VIEW_BLOCK`] posts of a list whose views are built: the pages of one
    /// block wait for one build instead of each building (and querying for) the same posts.
    blocks: HashMap<(PostList, usize), Arc<OnceCell<()>>>,
}

/// Posts whose views are built together when a page of a list finds its own missing: the
/// export pages through every list, and one query for 30 posts costs about what one for 10
/// does. Pages of a block wait while it is built, so larger blocks (100) were slower.
const VIEW_BLOCK: usize = 30;

/// Published posts by slug: `(published_at, id)` of each post with that slug (one, nearly
/// always; the address adds the day).
type Addresses = HashMap<String, Vec<(i64, i64)>>;

impl PostViewCache {
    pub fn new(enabled: bool) -> PostViewCache {
        PostViewCache {
            enabled,
            views: Mutex::default(),
        }
    }

    /// The cache at `version`, emptied first when it holds another version, or when adding
    /// `size` more bytes (counted here) would overflow it.
    fn at(&self, version: i64, size: usize) -> Option<MutexGuard<'_, CachedViews>> {
        let mut views = self.views.lock().ok()?;
        if views.version != version || views.bytes + size > VIEW_BUDGET {
            *views = CachedViews {
                version,
                ..CachedViews::default()
            };
        }
        views.bytes += size;
        Some(views)
    }

    fn post(&self, version: i64, post_id: i64) -> Option<Arc<PostView>> {
        Some(self.at(version, 0)?.by_post.get(&post_id)?.0.clone())
    }

    fn comments(&self, version: i64, post_id: i64) -> Option<Arc<[CommentRow]>> {
        Some(self.at(version, 0)?.by_post.get(&post_id)?.1.clone())
    }

    fn put_post(&self, version: i64, view: Arc<PostView>, comments: Arc<[CommentRow]>) {
        let size = view.weight() + comments.iter().map(|c| c.body.len() + 256).sum::<usize>();
        if let Some(mut views) = self.at(version, size) {
            views.by_post.insert(view.id, (view, comments));
        }
    }

    fn block(&self, version: i64, list: PostList, block: usize) -> Option<Arc<OnceCell<()>>> {
        Some(
            self.at(version, 0)?
                .blocks
                .entry((list, block))
                .or_default()
                .clone(),
        )
    }

    fn list(&self, version: i64, list: PostList) -> Option<Arc<OnceCell<Arc<[i64]>>>> {
        Some(self.at(version, 0)?.lists.entry(list).or_default().clone())
    }

    fn addresses(&self, version: i64) -> Option<Arc<OnceCell<Arc<Addresses>>>> {
        Some(self.at(version, 0)?.addresses.clone())
    }

    /// Counts the bytes of a list or of the addresses once they are read.
    fn count(&self, version: i64, bytes: usize) {
        let _ = self.at(version, bytes);
    }
}

#[derive(Serialize)]
struct BodyContext<'a> {
    post: &'a PostView,
    base: &'a str,
}

impl PostView {
    fn body_context<'a>(&'a self, base: &'a str) -> BodyContext<'a> {
        BodyContext { post: self, base }
    }

    /// The post's content for feeds: `partials/post_body.html` with links made absolute with
    /// `base`. Rendered once for the site's address and kept with the view.
    pub fn feed_body(
        &self,
        templates: &Templates,
        base: &str,
    ) -> Result<Arc<str>, minijinja::Error> {
        if let Some((kept_base, body)) = self.feed_body.get() {
            if kept_base == base {
                return Ok(body.clone());
            }
        }
        let body: Arc<str> = templates
            .render("partials/post_body.html", self.body_context(base))?
            .into();
        // Kept only for the first address asked for (the configured one, usually).
        let _ = self.feed_body.set((base.to_string(), body.clone()));
        Ok(body)
    }

    /// Roughly the bytes the view holds: its text, and its rendered bodies.
    fn weight(&self) -> usize {
        let answers: usize = self
            .answers
            .iter()
            .map(|a| 3 * (a.body_html.len() + a.byline.len()) + 256)
            .sum();
        answers
            + self.intro_html.len()
            + self.closing_html.len()
            + self.body_html.as_ref().map_or(0, String::len)
            + self.tally_svg.as_ref().map_or(0, String::len)
            + 1024
    }
}

/// The address readers reach a published post or page at.
pub fn public_path(clock: &SiteClock, row: &PostRow) -> Option<String> {
    let published_at = row.published_at.filter(|_| row.status == "published")?;
    Some(if row.kind == crate::store::PostKind::Page.as_str() {
        format!("/{}/", row.slug)
    } else {
        permalink(clock, published_at, &row.slug)
    })
}

/// How many published posts a list has.
pub async fn published_count(column: &Column, list: PostList) -> StoreResult<i64> {
    match column.views.enabled {
        true => Ok(list_ids(column, list).await?.len() as i64),
        false => column.store.count_published_posts_in(list).await,
    }
}

/// The views of one page of a list of published posts, newest first.
pub async fn published_page(
    column: &Column,
    clock: &SiteClock,
    list: PostList,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Arc<PostView>>> {
    let ids = match column.views.enabled {
        true => {
            let all = list_ids(column, list).await?;
            let from = usize::try_from(offset).unwrap_or(0).min(all.len());
            let to = from.saturating_add(usize::try_from(limit).unwrap_or(0));
            let to = to.min(all.len());
            build_blocks(column, clock, list, &all, from..to).await?;
            all[from..to].to_vec()
        }
        false => column.store.published_post_ids(list, offset, limit).await?,
    };
    published_post_views(column, clock, &ids).await
}

/// Builds the views of the blocks of `list` that positions `range` fall in, each once per
/// content version, so that its pages find them in the cache.
async fn build_blocks(
    column: &Column,
    clock: &SiteClock,
    list: PostList,
    all: &[i64],
    range: std::ops::Range<usize>,
) -> StoreResult<()> {
    if range.is_empty() {
        return Ok(());
    }
    let version = column.store.content_version().await?;
    for block in range.start / VIEW_BLOCK..=(range.end - 1) / VIEW_BLOCK {
        let Some(cell) = column.views.block(version, list, block) else {
            return Ok(());
        };
        let ids = &all[block * VIEW_BLOCK..((block + 1) * VIEW_BLOCK).min(all.len())];
        cell.get_or_try_init(|| async {
            views_of(column, clock, ids, Vec::new()).await.map(|_| ())
        })
        .await?;
    }
    Ok(())
}

/// A list's ids in order, from the cache or read whole (and kept).
async fn list_ids(column: &Column, list: PostList) -> StoreResult<Arc<[i64]>> {
    let read = || async {
        let ids = column.store.published_post_ids(list, 0, i64::MAX).await?;
        StoreResult::Ok(Arc::<[i64]>::from(ids))
    };
    // Read before the list, so a list is never kept under a version newer than itself.
    let version = column.store.content_version().await?;
    let Some(cell) = column.views.list(version, list) else {
        return read().await;
    };
    let fresh = !cell.initialized();
    let ids = cell.get_or_try_init(read).await?.clone();
    if fresh {
        // Twice at worst, when two pages found the list unread at once.
        column.views.count(version, 8 * ids.len());
    }
    Ok(ids)
}

/// A published post as its page shows it.
pub struct FoundPost {
    pub view: Arc<PostView>,
    pub comments: Arc<[CommentRow]>,
}

/// The published post at `slug` published in `[from, to)` (one day of its address), with
/// its approved comments. With the cache on, every post's address is read once per content
/// version, and the comments come with the post's view: the static export asks for every
/// post page in turn.
pub async fn published_post_at(
    column: &Column,
    clock: &SiteClock,
    slug: &str,
    (from, to): (i64, i64),
) -> StoreResult<Option<FoundPost>> {
    let store = &column.store;
    let comments = |id, count| async move {
        StoreResult::Ok(match count {
            0 => Arc::from([]),
            _ => store.approved_comments(id).await?.into(),
        })
    };
    let cached = match column.views.enabled {
        true => {
            let version = store.content_version().await?;
            column.views.addresses(version).map(|cell| (version, cell))
        }
        false => None,
    };
    let Some((version, cell)) = cached else {
        let Some(row) = store.published_post_by_slug(slug, from, to).await? else {
            return Ok(None);
        };
        let (id, count) = (row.id, row.comment_count);
        let ids = [id];
        let (mut views, comments) = tokio::try_join!(
            views_of(column, clock, &ids, vec![row]),
            comments(id, count)
        )?;
        return Ok(views.pop().map(|view| FoundPost { view, comments }));
    };
    let fresh = !cell.initialized();
    let addresses = cell
        .get_or_try_init(|| async {
            let mut addresses = Addresses::new();
            for (id, slug, published_at) in store.published_post_addresses().await? {
                addresses.entry(slug).or_default().push((published_at, id));
            }
            StoreResult::Ok(Arc::new(addresses))
        })
        .await?
        .clone();
    if fresh {
        let bytes = addresses.keys().map(|slug| slug.len() + 64).sum();
        column.views.count(version, bytes);
    }
    let id = addresses
        .get(slug)
        .and_then(|posts| posts.iter().find(|(at, _)| (from..to).contains(at)))
        .map(|(_, id)| *id);
    let Some(view) = (match id {
        Some(id) => views_of(column, clock, &[id], Vec::new()).await?.pop(),
        None => None,
    }) else {
        return Ok(None);
    };
    let comments = match column.views.comments(version, view.id) {
        Some(kept) => kept,
        None => comments(view.id, view.comment_count).await?,
    };
    Ok(Some(FoundPost { view, comments }))
}

/// The views of the given published posts, in that order: from the cache where it holds them
/// at the current content version, built (and kept) otherwise. Not for drafts: editing a
/// draft does not change the content version.
pub async fn published_post_views(
    column: &Column,
    clock: &SiteClock,
    ids: &[i64],
) -> StoreResult<Vec<Arc<PostView>>> {
    views_of(column, clock, ids, Vec::new()).await
}

/// The views of `ids`, building those the cache lacks from `rows` or from rows read now.
async fn views_of(
    column: &Column,
    clock: &SiteClock,
    ids: &[i64],
    mut rows: Vec<PostRow>,
) -> StoreResult<Vec<Arc<PostView>>> {
    let cache = &column.views;
    let version = match cache.enabled {
        // Read before the posts, so a view is never kept under a version newer than itself.
        true => Some(column.store.content_version().await?),
        false => None,
    };
    let mut found: HashMap<i64, Arc<PostView>> = HashMap::with_capacity(ids.len());
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| match version.and_then(|v| cache.post(v, *id)) {
            Some(view) => {
                found.insert(*id, view);
                false
            }
            None => true,
        })
        .collect();
    rows.retain(|r| missing.contains(&r.id));
    let unread: Vec<i64> = missing
        .into_iter()
        .filter(|id| rows.iter().all(|r| r.id != *id))
        .collect();
    if !unread.is_empty() {
        rows.extend(column.store.posts_by_id(&unread).await?);
    }
    // Kept views keep their comments too: the export shows every post's page. (With no rows
    // to build, every query below returns at once without asking the database.)
    let commented: Vec<i64> = match version {
        Some(_) => rows
            .iter()
            .filter(|r| r.comment_count > 0)
            .map(|r| r.id)
            .collect(),
        None => Vec::new(),
    };
    let (views, comment_rows) = tokio::try_join!(
        post_views(&column.store, clock, rows),
        column.store.approved_comments_of_posts(&commented),
    )?;
    let mut comments: HashMap<i64, Vec<CommentRow>> = HashMap::new();
    for comment in comment_rows {
        comments.entry(comment.post_id).or_default().push(comment);
    }
    for view in views {
        let view = Arc::new(view);
        if let Some(version) = version {
            let kept = comments.remove(&view.id).unwrap_or_default();
            cache.put_post(version, view.clone(), kept.into());
        }
        found.insert(view.id, view);
    }
    Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
}

fn answer_view(answer: &PublicAnswerRow) -> AnswerView {
    let body_html = answer_body_html(answer);
    let (lead_html, rest_html) = match body_html
        .strip_prefix("<p>")
        .and_then(|html| html.split_once("</p>"))
    {
        Some((lead, rest)) => (Some(lead.to_string()), rest.to_string()),
        None => (None, body_html.clone()),
    };
    AnswerView {
        lead_html,
        rest_html,
        anchor: answer_anchor(answer.post_id, answer.number),
        panelist_url: answer
            .panelist_slug
            .as_ref()
            .map(|slug| format!("/panelist/{slug}/")),
        byline: answer.byline.clone(),
        choice: answer.choice.clone(),
        editor_heading: answer.editor_heading.clone(),
        editor_note_html: answer.editor_note.as_deref().map(markdown_html),
        body_html,
        late: answer.late != 0,
        photo_url: answer.photo_url.clone(),
        photo_srcset: answer.photo_srcset.clone(),
        photo_alt: answer.photo_alt.clone(),
        photo_credit: answer.photo_credit.clone(),
    }
}

/// The answer's HTML with the editor's heading before its paragraph `editor_heading_at`
/// (counted in blocks of text between blank lines; past the end, it goes last).
fn answer_body_html(answer: &PublicAnswerRow) -> String {
    let Some(heading) = answer
        .editor_heading
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    else {
        return markdown_html(&answer.body);
    };
    let heading = format!("<p class=\"editor-heading\">{}</p>\n", escape_html(heading));
    let normalized = answer.body.replace("\r\n", "\n");
    let blocks: Vec<&str> = normalized
        .split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .collect();
    let at = usize::try_from(answer.editor_heading_at)
        .unwrap_or(0)
        .min(blocks.len());
    let (before, after) = blocks.split_at(at);
    let part = |blocks: &[&str]| match blocks.is_empty() {
        true => String::new(),
        false => markdown_html(&blocks.join("\n\n")),
    };
    format!("{}{heading}{}", part(before), part(after))
}

/// Each post's tags and each post's categories, as links to their archives.
type TermsOfPosts = HashMap<i64, Vec<TermView>>;

fn group_terms(rows: Vec<(Taxonomy, i64, TermRow)>) -> (TermsOfPosts, TermsOfPosts) {
    let (mut tags, mut categories) = (TermsOfPosts::new(), TermsOfPosts::new());
    for (taxonomy, post_id, term) in rows {
        let grouped = match taxonomy {
            Taxonomy::Tag => &mut tags,
            Taxonomy::Category => &mut categories,
        };
        grouped.entry(post_id).or_default().push(TermView {
            url: format!("/{}/{}/", taxonomy.base(), term.slug),
            name: term.name,
        });
    }
    (tags, categories)
}

/// One comment on its own, such as the commenter's own comment awaiting moderation.
pub fn comment_view(clock: &SiteClock, c: &CommentRow) -> CommentView {
    CommentView {
        id: c.id,
        anchor: format!("comment-{}", c.id),
        author: c.author_name.clone(),
        author_url: c
            .author_url
            .clone()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://")),
        date: human_date(clock, c.created_at),
        date_iso: iso_datetime(clock, c.created_at),
        body_html: comment_html(&c.body),
        replies: Vec::new(),
    }
}

/// Approved comments as threads one level deep, oldest first.
pub fn comment_threads(clock: &SiteClock, comments: &[CommentRow]) -> Vec<CommentView> {
    let mut threads: Vec<CommentView> = Vec::new();
    let mut orphans = Vec::new();
    for c in comments {
        match c.parent_id {
            None => threads.push(comment_view(clock, c)),
            Some(parent) => match threads.iter_mut().find(|t| t.id == parent) {
                Some(thread) => thread.replies.push(comment_view(clock, c)),
                // A reply whose parent is not shown (held or removed) still appears, at the top level.
                None => orphans.push(comment_view(clock, c)),
            },
        }
    }
    threads.extend(orphans);
    threads
}

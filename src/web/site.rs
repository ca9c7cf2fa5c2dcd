//! The reader's pages: the home page, one post, tag and category archives, and a panelist's
//! archive of named answers.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::comment_form::CommentForm;
use super::links::{encode_query, neighbours, page_number};
use super::WebError;
use crate::column::public::EXCERPT_WORDS;
use crate::column::public::{
    comment_threads, post_views, published_count, published_page, published_post_at, CommentView,
    FoundPost, ListedPost, PostView, ShownPost, SiteView,
};
use crate::render::{
    day_bounds, first_words, human_date, iso_datetime, markdown_html, permalink, plain_text,
    SiteClock,
};
use crate::store::{answer_anchor, PostList, Retired, Taxonomy};
use crate::web::SharedState;

pub use crate::column::public::{page_count, PAGE_SIZE};

/// WordPress's addresses on `/`: `?s=` searches, `?p=ID` and `?page_id=ID` name a post or
/// page of an imported site (answered from the stored redirects). Anything else is ignored.
#[derive(Deserialize)]
pub struct HomeQuery {
    s: Option<String>,
    p: Option<String>,
    page_id: Option<String>,
}

#[derive(Serialize)]
struct ListPage {
    site: SiteView,
    posts: Vec<ListedPost>,
    page: i64,
    newer_url: Option<String>,
    older_url: Option<String>,
    archive: Option<ArchiveView>,
}

#[derive(Serialize)]
struct ArchiveView {
    kind: &'static str,
    name: String,
    count: i64,
    feed_url: String,
    atom_url: String,
}

pub async fn home(
    state: State<SharedState>,
    Query(q): Query<HomeQuery>,
) -> Result<Response, WebError> {
    if let Some(words) = q.s {
        let target = format!("/search?q={}", encode_query(&words));
        return Ok(Redirect::to(&target).into_response());
    }
    let old = match (&q.p, &q.page_id) {
        (Some(id), _) => Some(format!("/?p={}", id.trim())),
        (None, Some(id)) => Some(format!("/?page_id={}", id.trim())),
        (None, None) => None,
    };
    if let Some(old) = old {
        return match state.column.store.redirect_for(&old).await? {
            Some(new) => Ok(moved_permanently(&new)),
            None => Err(WebError::NotFound),
        };
    }
    Ok(render_home(&state, 1).await?.into_response())
}

pub async fn home_page(
    state: State<SharedState>,
    Path(n): Path<String>,
) -> Result<Response, WebError> {
    match page_number(&n)? {
        1 => Ok(Redirect::permanent("/").into_response()),
        n => Ok(render_home(&state, n).await?.into_response()),
    }
}

async fn render_home(state: &SharedState, page: i64) -> Result<Html<String>, WebError> {
    let pages = page_count(published_count(&state.column, PostList::All).await?);
    if page > pages {
        return Err(WebError::NotFound);
    }
    let (site, clock) = SiteView::load(&state.column.store).await?;
    let offset = (page - 1) * PAGE_SIZE;
    let posts = published_page(&state.column, &clock, PostList::All, offset, PAGE_SIZE).await?;
    let posts = ListedPost::all(posts);
    let (newer_url, older_url) = neighbours("/", page, pages);
    let html = state.column.templates.render(
        "pages/home.html",
        ListPage {
            site,
            posts,
            page,
            newer_url,
            older_url,
            archive: None,
        },
    )?;
    Ok(Html(html))
}

pub async fn tag(
    state: State<SharedState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, WebError> {
    let found = render_archive(&state, Taxonomy::Tag, &slug, 1).await;
    or_old_address(&state, &uri, found).await
}

pub async fn tag_page(
    state: State<SharedState>,
    Path((slug, n)): Path<(String, String)>,
) -> Result<Response, WebError> {
    archive_page(&state, Taxonomy::Tag, &slug, &n).await
}

pub async fn category(
    state: State<SharedState>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, WebError> {
    let found = render_archive(&state, Taxonomy::Category, &slug, 1).await;
    or_old_address(&state, &uri, found).await
}

/// A page, or when there is none at this address, a redirect from an imported site's old
/// address that looks like one of ours (`/2011/01/03/slug/`, `/category/old-slug/`).
async fn or_old_address(
    state: &SharedState,
    uri: &Uri,
    found: Result<Html<String>, WebError>,
) -> Result<Response, WebError> {
    match found {
        Err(WebError::NotFound) => {
            let old = crate::interop::percent_decode(uri.path());
            match state.column.store.redirect_for(&old).await? {
                Some(new) => Ok(moved_permanently(&new)),
                None => retired(state, &old).await,
            }
        }
        other => other.map(IntoResponse::into_response),
    }
}

pub async fn category_page(
    state: State<SharedState>,
    Path((slug, n)): Path<(String, String)>,
) -> Result<Response, WebError> {
    archive_page(&state, Taxonomy::Category, &slug, &n).await
}

async fn archive_page(
    state: &SharedState,
    taxonomy: Taxonomy,
    slug: &str,
    n: &str,
) -> Result<Response, WebError> {
    match page_number(n)? {
        1 => Ok(Redirect::permanent(&format!("/{}/{slug}/", taxonomy.base())).into_response()),
        n => Ok(render_archive(state, taxonomy, slug, n)
            .await?
            .into_response()),
    }
}

async fn render_archive(
    state: &SharedState,
    taxonomy: Taxonomy,
    slug: &str,
    page: i64,
) -> Result<Html<String>, WebError> {
    let store = &state.column.store;
    // A term no published post files has no archive.
    let term = store
        .used_term(taxonomy, slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let list = PostList::Term(taxonomy, term.id);
    let count = published_count(&state.column, list).await?;
    let pages = page_count(count);
    if page > pages || count == 0 {
        return Err(WebError::NotFound);
    }
    let (site, clock) = SiteView::load(store).await?;
    let posts = published_page(
        &state.column,
        &clock,
        list,
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    .await?;
    let posts = ListedPost::all(posts);
    let base = format!("/{}/{}/", taxonomy.base(), term.slug);
    let (newer_url, older_url) = neighbours(&base, page, pages);
    let archive = ArchiveView {
        kind: match taxonomy {
            Taxonomy::Tag => "Tag",
            Taxonomy::Category => "Category",
        },
        name: term.name,
        count,
        feed_url: format!("{base}feed/"),
        atom_url: format!("{base}feed/atom/"),
    };
    let html = state.column.templates.render(
        "pages/archive.html",
        ListPage {
            site,
            posts,
            page,
            newer_url,
            older_url,
            archive: Some(archive),
        },
    )?;
    Ok(Html(html))
}

#[derive(Serialize)]
struct TermsPage {
    site: SiteView,
    /// "Tags" or "Categories".
    kind: &'static str,
    terms: Vec<TermCount>,
}

#[derive(Serialize)]
struct TermCount {
    name: String,
    url: String,
    count: i64,
}

/// `/tag/`: every tag a published post files, with its number of posts.
pub async fn tags(state: State<SharedState>) -> Result<Html<String>, WebError> {
    render_terms(&state, Taxonomy::Tag).await
}

/// `/category/`: every category a published post files, with its number of posts.
pub async fn categories(state: State<SharedState>) -> Result<Html<String>, WebError> {
    render_terms(&state, Taxonomy::Category).await
}

async fn render_terms(state: &SharedState, taxonomy: Taxonomy) -> Result<Html<String>, WebError> {
    let store = &state.column.store;
    let (site, _) = SiteView::load(store).await?;
    let mut terms: Vec<TermCount> = store
        .used_terms(taxonomy)
        .await?
        .iter()
        .map(|(term, count)| TermCount {
            name: term.name.clone(),
            url: format!("/{}/{}/", taxonomy.base(), term.slug),
            count: *count,
        })
        .collect();
    terms.sort_by_cached_key(|t| t.name.to_lowercase());
    let kind = match taxonomy {
        Taxonomy::Tag => "Tags",
        Taxonomy::Category => "Categories",
    };
    Ok(Html(state.column.templates.render(
        "pages/terms.html",
        TermsPage { site, kind, terms },
    )?))
}

#[derive(Serialize)]
struct PanelistPage {
    site: SiteView,
    panelist: PanelistView,
    answers: Vec<PanelistAnswerView>,
}

#[derive(Serialize)]
struct PanelistView {
    name: String,
    pronouns: Option<String>,
    role: String,
    bio_html: Option<String>,
    photo_url: Option<String>,
    photo_srcset: Option<String>,
    photo_alt: Option<String>,
    photo_credit: Option<String>,
    feed_url: String,
}

#[derive(Serialize)]
struct PanelistAnswerView {
    post_title: String,
    url: String,
    date: String,
    date_iso: String,
    body_html: String,
}

/// A panelist's profile and the answers they signed by name. A panelist with no published
/// named answer has no public page: that they are on the panel is itself not public.
pub async fn panelist(
    state: State<SharedState>,
    Path(slug): Path<String>,
) -> Result<Html<String>, WebError> {
    let store = &state.column.store;
    let panelist = store
        .public_panelist(&slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let answers = store.named_answers_of_panelist(panelist.id).await?;
    if answers.is_empty() {
        return Err(WebError::NotFound);
    }
    let (site, clock) = SiteView::load(store).await?;
    let role = [
        &panelist.title,
        &panelist.department,
        &panelist.institution,
        &panelist.city,
    ]
    .into_iter()
    .flatten()
    .map(|s| s.trim())
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let answers = answers
        .iter()
        .map(|a| {
            let url = permalink(&clock, a.published_at, &a.post_slug);
            PanelistAnswerView {
                post_title: a.post_title.clone(),
                url: format!("{url}#{}", answer_anchor(a.post_id, a.number)),
                date: human_date(&clock, a.published_at),
                date_iso: iso_datetime(&clock, a.published_at),
                body_html: markdown_html(&a.body),
            }
        })
        .collect();
    let (photo_url, photo_srcset) = match store.photo_of_panelist(&panelist).await? {
        Some(set) => (Some(set.src), Some(set.srcset).filter(|s| !s.is_empty())),
        None => (None, None),
    };
    let view = PanelistView {
        feed_url: format!("/panelist/{}/feed/", panelist.slug),
        name: panelist.name,
        pronouns: panelist.pronouns,
        role,
        bio_html: panelist.bio.as_deref().map(markdown_html),
        photo_credit: photo_url.as_ref().and(panelist.photo_credit),
        photo_alt: photo_url.as_ref().and(panelist.photo_alt),
        photo_url,
        photo_srcset,
    };
    Ok(Html(state.column.templates.render(
        "pages/panelist.html",
        PanelistPage {
            site,
            panelist: view,
            answers,
        },
    )?))
}

#[derive(Serialize)]
struct PostPage {
    site: SiteView,
    post: ShownPost,
    preview: LinkPreview,
    comments: Vec<CommentView>,
    comments_open: bool,
    form: CommentForm,
    pending: Option<CommentView>,
}

/// What a link preview (Open Graph, JSON-LD) says of a post: its title, its introduction,
/// its dates and its address on the configured site, never on the Host a request names. No
/// answer and no byline is in it, so no panelist's name can be.
#[derive(Serialize)]
struct LinkPreview {
    url: String,
    description: String,
    published: String,
    modified: String,
    /// The JSON-LD `BlogPosting`, with `<`, `>` and `&` escaped so the script element holds it.
    json_ld: String,
}

impl LinkPreview {
    fn of(post: &PostView, site: &SiteView, base: &str, clock: &SiteClock) -> LinkPreview {
        let intro = plain_text(&post.intro_html);
        let text = match (intro.is_empty(), &post.body_html) {
            (true, Some(body)) => plain_text(body),
            _ => intro,
        };
        let description = first_words(&text, EXCERPT_WORDS);
        let url = format!("{base}{}", post.url);
        let published = iso_datetime(clock, post.published_at);
        let modified = iso_datetime(clock, post.updated_at.max(post.published_at));
        let site_entity = serde_json::json!({
            "@type": "Organization",
            "name": site.title,
            "url": format!("{base}/"),
        });
        let json_ld = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": post.title,
            "description": description,
            "datePublished": published,
            "dateModified": modified,
            "url": url,
            "mainEntityOfPage": url,
            "author": site_entity,
            "publisher": site_entity,
        })
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
        LinkPreview {
            url,
            description,
            published,
            modified,
            json_ld,
        }
    }
}

/// The post at `/YYYY/MM/DD/slug/`, or not found.
pub async fn find_post(
    state: &SharedState,
    year: &str,
    month: &str,
    day: &str,
    slug: &str,
) -> Result<FoundPost, WebError> {
    let (Ok(year), Ok(month), Ok(day)) =
        (year.parse::<i16>(), month.parse::<i8>(), day.parse::<i8>())
    else {
        return Err(WebError::NotFound);
    };
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let day = day_bounds(&clock, year, month, day).ok_or(WebError::NotFound)?;
    published_post_at(&state.column, &clock, slug, day)
        .await?
        .ok_or(WebError::NotFound)
}

pub async fn post(
    state: State<SharedState>,
    Path((year, month, day, slug)): Path<(String, String, String, String)>,
    uri: Uri,
) -> Result<Response, WebError> {
    let found = match find_post(&state, &year, &month, &day, &slug).await {
        Ok(post) => render_post(&state, post, CommentForm::default(), None)
            .await
            .map(Html),
        Err(e) => Err(e),
    };
    or_old_address(&state, &uri, found).await
}

/// Renders a post page (found by [`find_post`]); the comment form carries what was typed and
/// any errors, and `pending` is the reader's own comment awaiting moderation.
pub async fn render_post(
    state: &SharedState,
    FoundPost {
        view: post,
        comments,
    }: FoundPost,
    form: CommentForm,
    pending: Option<CommentView>,
) -> Result<String, WebError> {
    let (site, clock) = SiteView::load(&state.column.store).await?;
    let preview = LinkPreview::of(&post, &site, &state.column.base_url, &clock);
    let post = ShownPost::of(&state.column.templates, post)?;
    let comments = comment_threads(&clock, &comments);
    Ok(state.column.templates.render(
        "pages/post.html",
        PostPage {
            site,
            preview,
            comments_open: post.view().comments_open,
            post,
            comments,
            form,
            pending,
        },
    )?)
}

/// For the proxy's health checks: 200 while the database answers, 503 otherwise. Never cached.
pub async fn healthz(State(state): State<SharedState>) -> Response {
    let answer = |status, text: &'static str| {
        (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
    };
    match state.column.store.ping().await {
        Ok(()) => answer(StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the database does not answer");
            answer(StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

/// The site's icon, drawn as a round table with four seats.
pub async fn favicon_svg() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
}

/// The same icon at 32 pixels for browsers and tools that ask for `/favicon.ico` whatever
/// the page says: a PNG in an ICO file (made from the SVG).
pub async fn favicon_ico() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../../static/favicon.ico").as_slice(),
    )
}

/// The editor's pages' script (the live recipient count, copying answer links).
pub async fn admin_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/admin.js"),
    )
}

#[derive(Serialize)]
struct PageOfSite {
    site: SiteView,
    page: PostView,
}

/// Addresses no route claims: an old address of an imported site (a permanent redirect to
/// its new one), a page at `/slug/`, the canonical form of an address that differs only in
/// case or a missing trailing slash; anything else is the not-found page.
pub async fn not_found(state: State<SharedState>, uri: Uri) -> Result<Response, WebError> {
    let decoded = crate::interop::percent_decode(uri.path());
    let old = match uri.query() {
        Some(q) => format!("{decoded}?{}", crate::interop::percent_decode(q)),
        None => decoded.clone(),
    };
    if let Some(new) = state.column.store.redirect_for(&old).await? {
        return Ok(moved_permanently(&new));
    }
    let segments: Vec<&str> = decoded.trim_matches('/').split('/').collect();
    if decoded.ends_with('/') && segments.len() == 1 && !segments[0].is_empty() {
        if let Some(row) = state
            .column
            .store
            .published_page_by_slug(segments[0])
            .await?
        {
            let (site, clock) = SiteView::load(&state.column.store).await?;
            let mut page = post_views(&state.column.store, &clock, vec![row])
                .await?
                .pop()
                .ok_or(WebError::NotFound)?;
            page.url = decoded.clone();
            let html = state
                .column
                .templates
                .render("pages/page.html", PageOfSite { site, page })?;
            return Ok(Html(html).into_response());
        }
    }
    match retired(&state, &decoded).await {
        Err(WebError::NotFound) => canonical_redirect(&uri).map(IntoResponse::into_response),
        other => other,
    }
}

/// An address the editor took down: a 301 to where they said, or 410 Gone; otherwise 404.
async fn retired(state: &SharedState, path: &str) -> Result<Response, WebError> {
    match state.column.store.retired_address(path).await? {
        Some(Retired::MovedTo(to)) => Ok(moved_permanently(&to)),
        Some(Retired::Gone) => Err(WebError::Gone),
        None => Err(WebError::NotFound),
    }
}

/// A 301 to `path`, as WordPress answers for a moved address (axum's permanent redirect is a
/// 308). Letters outside ASCII are percent-encoded for the Location header.
fn moved_permanently(path: &str) -> Response {
    let mut location = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_graphic() {
            location.push(byte as char);
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    (
        axum::http::StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}

fn canonical_redirect(uri: &Uri) -> Result<Redirect, WebError> {
    let path = uri.path();
    let looks_like_a_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if looks_like_a_file || path.starts_with("/admin") || path.starts_with("/api/") {
        return Err(WebError::NotFound);
    }
    let mut canonical = path.to_lowercase();
    if !canonical.ends_with('/') {
        canonical.push('/');
    }
    if canonical != path && !canonical.contains("//") {
        let target = match uri.query() {
            Some(q) => format!("{canonical}?{q}"),
            None => canonical,
        };
        return Ok(Redirect::permanent(&target));
    }
    Err(WebError::NotFound)
}

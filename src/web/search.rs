//! Search: `/search?q=words` (and WordPress's `/?s=words`, which redirects here), ranked by
//! the database's own full-text engine, with highlighted snippets and filters.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::links::{encode_query, page_number};
use super::WebError;
use crate::column::public::{page_count, PAGE_SIZE};
use crate::column::SiteView;
use crate::render::{permalink, SiteClock};
use crate::store::{
    answer_anchor, SearchQuery, Store, StoreResult, Taxonomy, MATCH_END, MATCH_START,
};
use crate::web::SharedState;

/// Longer queries are refused with a message rather than searched.
const MAX_QUERY_CHARS: usize = 200;

/// The query string of `/search`: the words, the filters and the result page.
#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    library_type: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    page: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Filters {
    library_types: Vec<Choice>,
    tags: Vec<Choice>,
    years: Vec<Choice>,
}

#[derive(Serialize)]
struct HitView {
    title: String,
    url: String,
    byline: Option<String>,
    snippet_html: String,
}

#[derive(Serialize)]
struct SearchPage {
    site: SiteView,
    query: String,
    message: Option<String>,
    hits: Vec<HitView>,
    total: i64,
    filters: Filters,
    newer_url: Option<String>,
    older_url: Option<String>,
}

/// Escapes a snippet and turns the engine's match markers into `<mark>`.
fn snippet_html(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 32);
    for c in snippet.chars() {
        match c {
            MATCH_START => out.push_str("<mark>"),
            MATCH_END => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The search page: the filters always, and for a query the page of hits asked for.
pub async fn search(
    State(state): State<SharedState>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let store = &state.column.store;
    let (site, clock) = SiteView::load(store).await?;
    let query = params.q.trim().to_string();
    let page = page_param(&params.page)?;
    let year: Option<i64> = params.year.parse().ok();
    let (filters, chosen_type) = filters(store, &params, year).await?;
    let mut message = None;
    let mut status = StatusCode::OK;
    let (mut hits, mut total) = (Vec::new(), 0);
    if query.chars().count() > MAX_QUERY_CHARS {
        message = Some(format!(
            "That search is too long: use at most {MAX_QUERY_CHARS} characters."
        ));
        status = StatusCode::BAD_REQUEST;
    } else if !query.is_empty() {
        let search = SearchQuery {
            words: query.clone(),
            library_type: chosen_type,
            tag: Some(params.tag.clone()).filter(|t| !t.is_empty()),
            year,
            any_word: false,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        };
        (hits, total) = find(store, &clock, &search).await?;
        if total == 0 {
            message =
                Some("Nothing matched. Try fewer or different words, or remove a filter.".into());
        }
    }
    let (newer_url, older_url) = page_links(&query, &params, page, total);
    let html = state.column.templates.render(
        "pages/search.html",
        SearchPage {
            site,
            query,
            message,
            hits,
            total,
            filters,
            newer_url,
            older_url,
        },
    )?;
    Ok((status, Html(html)).into_response())
}

/// The result page asked for: the first when none is given.
fn page_param(text: &str) -> Result<i64, WebError> {
    match text {
        "" => Ok(1),
        n => page_number(n).map_err(|_| {
            WebError::BadRequest("The page number is not one of the result pages.".into())
        }),
    }
}

/// The choices of library type, tag and year, with those of the query selected; and the
/// chosen library type's name as the search matches it.
async fn filters(
    store: &Store,
    params: &SearchParams,
    year: Option<i64>,
) -> StoreResult<(Filters, Option<String>)> {
    let library_types = store.library_types().await?;
    let chosen_type = library_types
        .iter()
        .find(|(slug, _)| *slug == params.library_type)
        .map(|(_, name)| name.to_lowercase());
    let tags = store.used_terms(Taxonomy::Tag).await?;
    let filters = Filters {
        library_types: library_types
            .iter()
            .map(|(slug, name)| Choice {
                selected: *slug == params.library_type,
                value: slug.clone(),
                label: name.clone(),
            })
            .collect(),
        tags: tags
            .iter()
            .map(|(t, _)| Choice {
                selected: t.slug == params.tag,
                value: t.slug.clone(),
                label: t.name.clone(),
            })
            .collect(),
        years: store
            .search_years()
            .await?
            .into_iter()
            .map(|y| Choice {
                selected: Some(y) == year,
                value: y.to_string(),
                label: y.to_string(),
            })
            .collect(),
    };
    Ok((filters, chosen_type))
}

/// One page of hits, each linked to its post (or the answer in it), and how many there are
/// in all.
async fn find(
    store: &Store,
    clock: &SiteClock,
    search: &SearchQuery,
) -> StoreResult<(Vec<HitView>, i64)> {
    let (found, total) = store.search(search).await?;
    let post_ids: Vec<i64> = found.iter().map(|h| h.post_id).collect();
    let posts: HashMap<i64, (String, String)> = store
        .posts_by_id(&post_ids)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id,
                (
                    p.title,
                    permalink(clock, p.published_at.unwrap_or(p.updated_at), &p.slug),
                ),
            )
        })
        .collect();
    let hits = found
        .into_iter()
        .filter_map(|h| {
            let (title, url) = posts.get(&h.post_id)?.clone();
            Some(HitView {
                title,
                url: match h.answer_number {
                    Some(n) => format!("{url}#{}", answer_anchor(h.post_id, n)),
                    None => url,
                },
                byline: Some(h.byline).filter(|b| !b.is_empty()),
                snippet_html: snippet_html(&h.snippet),
            })
        })
        .collect();
    Ok((hits, total))
}

/// The addresses of the newer and older result pages, where there are such pages; they keep
/// the query and its filters.
fn page_links(
    query: &str,
    params: &SearchParams,
    page: i64,
    total: i64,
) -> (Option<String>, Option<String>) {
    let pages = page_count(total);
    let base = format!(
        "/search?q={}&type={}&tag={}&year={}&",
        encode_query(query),
        encode_query(&params.library_type),
        encode_query(&params.tag),
        encode_query(&params.year)
    );
    let newer_url = (page > 1).then(|| format!("{base}page={}", page - 1));
    let older_url = (page < pages).then(|| format!("{base}page={}", page + 1));
    (newer_url, older_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_and_marked() {
        let raw = format!("a <b> {MATCH_START}word{MATCH_END} & more");
        assert_eq!(
            snippet_html(&raw),
            "a &lt;b&gt; <mark>word</mark> &amp; more"
        );
    }

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(encode_query("a b&c/é"), "a+b%26c%2F%C3%A9");
    }
}

//! For crawlers: `/sitemap.xml` with every public page and `/robots.txt` pointing at it.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::WebError;
use crate::column::public::SiteView;
use crate::render::escape_html;
use crate::render::{iso_datetime, permalink};
use crate::store::Taxonomy;
use crate::web::SharedState;

pub async fn sitemap(State(state): State<SharedState>) -> Result<Response, WebError> {
    let store = &state.column.store;
    let base = state.column.base_url.clone();
    let (_, clock) = SiteView::load(store).await?;
    let mut urls: Vec<(String, Option<String>)> = vec![(format!("{base}/"), None)];
    for post in store.sitemap_posts().await? {
        let lastmod = iso_datetime(&clock, post.updated_at.max(post.published_at));
        urls.push((
            format!("{base}{}", permalink(&clock, post.published_at, &post.slug)),
            Some(lastmod),
        ));
    }
    for taxonomy in [Taxonomy::Category, Taxonomy::Tag] {
        for (term, _) in store.used_terms(taxonomy).await?.iter() {
            urls.push((format!("{base}/{}/{}/", taxonomy.base(), term.slug), None));
        }
    }
    for slug in store.published_page_slugs().await? {
        urls.push((format!("{base}/{slug}/"), None));
    }
    for slug in store.public_panelist_slugs().await? {
        urls.push((format!("{base}/panelist/{slug}/"), None));
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        xml.push_str("<url><loc>");
        xml.push_str(&escape_html(&loc));
        xml.push_str("</loc>");
        if let Some(lastmod) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&lastmod);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

pub async fn robots(State(state): State<SharedState>) -> impl IntoResponse {
    let base = state.column.base_url.clone();
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nDisallow: /admin/\nDisallow: /answer/\n\nSitemap: {base}/sitemap.xml\n"
        ),
    )
}

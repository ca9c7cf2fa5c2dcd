//! `roundtable export static`: the whole public site as files, for any web server or CDN.
//! Every page is rendered by the real router in-process, so the files are the live pages
//! byte for byte. Addresses ending in `/` become `…/index.html`; feeds become
//! `…/feed/index.xml` and `…/feed/atom/index.xml` (a server that lists `index.xml` as an index
//! file serves them at the same addresses). Search needs the live site: `search/index.html`
//! says so. Files whose content has not changed are left untouched, and files an earlier
//! export wrote for addresses that are gone (a post made private, a tag no longer used) are
//! removed: the export keeps a list of its files in [`MANIFEST`]. Other files are never
//! touched.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

use crate::column::public::page_count;
use crate::column::public::SiteView;
use crate::column::Column;
use crate::render::escape_html;
use crate::render::permalink;
use crate::store::Taxonomy;

/// What an export wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StaticReport {
    pub written: usize,
    pub unchanged: usize,
    /// Files of an earlier export whose address is gone.
    pub removed: usize,
}

/// The list of files the last export wrote, one path relative to the folder a line.
pub const MANIFEST: &str = ".roundtable-export";

/// Pages rendered at once.
const EXPORT_WORKERS: usize = 4;

/// Every public address of the site, in a stable order.
pub async fn addresses(column: &Column) -> anyhow::Result<Vec<String>> {
    let store = &column.store;
    let (_, clock) = SiteView::load(store).await?;
    let mut paths = vec!["/".to_string()];
    let pages = page_count(store.count_published_posts().await?);
    paths.extend((2..=pages).map(|n| format!("/page/{n}/")));
    for e in store.public_entries().await? {
        match e.kind.as_str() {
            "page" => paths.push(format!("/{}/", e.slug)),
            _ => {
                let post = permalink(&clock, e.published_at, &e.slug);
                // The post's comments feed.
                paths.push(format!("{post}feed/"));
                paths.push(post);
            }
        }
    }
    paths.push("/tag/".to_string());
    paths.push("/category/".to_string());
    for taxonomy in [Taxonomy::Tag, Taxonomy::Category] {
        for (term, count) in store.used_terms(taxonomy).await?.iter() {
            let base = format!("/{}/{}/", taxonomy.base(), term.slug);
            let pages = page_count(*count);
            paths.push(base.clone());
            paths.extend((2..=pages).map(|n| format!("{base}page/{n}/")));
            paths.push(format!("{base}feed/"));
            paths.push(format!("{base}feed/atom/"));
        }
    }
    for slug in store.public_panelist_slugs().await? {
        paths.push(format!("/panelist/{slug}/"));
        paths.push(format!("/panelist/{slug}/feed/"));
        paths.push(format!("/panelist/{slug}/feed/atom/"));
    }
    for extra in [
        "/feed/",
        "/feed/atom/",
        "/comments/feed/",
        "/sitemap.xml",
        "/robots.txt",
        "/static/style.css",
        "/favicon.svg",
        "/favicon.ico",
    ] {
        paths.push(extra.to_string());
    }
    Ok(paths)
}

/// The file an address is written to, under `dir`.
pub fn file_for(dir: &Path, address: &str) -> PathBuf {
    let relative = address.trim_start_matches('/');
    let is_feed = address.ends_with("/feed/") || address.ends_with("/feed/atom/");
    let file = if address.ends_with('/') {
        format!(
            "{relative}{}",
            if is_feed { "index.xml" } else { "index.html" }
        )
    } else {
        relative.to_string()
    };
    dir.join(file)
}

/// Renders every address through the router and writes the files that changed.
pub async fn export(
    router: axum::Router,
    column: &Column,
    dir: &Path,
    base: &str,
) -> anyhow::Result<StaticReport> {
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split('/')
        .next()
        .unwrap_or("localhost")
        .to_string();
    let addresses = addresses(column).await?;
    let progress = super::progress_bar("exporting", addresses.len() as u64 + 1, super::Unit::Items);
    // A few pages at a time: rendering waits on the database as much as it computes.
    let next = Arc::new(AtomicUsize::new(0));
    let addresses = Arc::new(addresses);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..EXPORT_WORKERS {
        let (next, addresses, router) = (next.clone(), addresses.clone(), router.clone());
        let (host, dir, progress) = (host.clone(), dir.to_path_buf(), progress.clone());
        workers.spawn(async move {
            let mut report = StaticReport::default();
            let mut files = Vec::new();
            while let Some(address) = addresses.get(next.fetch_add(1, Ordering::Relaxed)) {
                let request = Request::builder()
                    .uri(address.as_str())
                    .header(header::HOST, &host)
                    .body(Body::empty())?;
                let response = router.clone().oneshot(request).await?;
                if response.status() != StatusCode::OK {
                    anyhow::bail!("{address} answered {} instead of a page", response.status());
                }
                let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
                let file = file_for(&dir, address);
                write_if_changed(&file, &body, &mut report)?;
                files.push(file);
                progress.inc(1);
            }
            Ok::<_, anyhow::Error>((report, files))
        });
    }
    let mut report = StaticReport::default();
    let mut files = Vec::with_capacity(addresses.len() + 1);
    while let Some(done) = workers.join_next().await {
        let (part, written) = done??;
        report.written += part.written;
        report.unchanged += part.unchanged;
        files.extend(written);
    }
    let (site, _) = SiteView::load(&column.store).await?;
    let search = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Search · {title}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\n\
         <body><main><h1>Search</h1><p>This is a static copy of {title}: searching needs the live \
         site, at <a href=\"{base}/search\">{base}/search</a>.</p><p><a href=\"/\">Back to the \
         latest posts</a></p></main></body>\n</html>\n",
        title = escape_html(&site.title),
        base = escape_html(base),
    );
    let file = dir.join("search/index.html");
    write_if_changed(&file, search.as_bytes(), &mut report)?;
    files.push(file);
    report.removed = replace_manifest(dir, &files)?;
    progress.finish_and_clear();
    Ok(report)
}

/// Removes the files the previous export listed that this one did not write, with the
/// folders they leave empty, then records this export's list. Returns how many were removed.
fn replace_manifest(dir: &Path, files: &[PathBuf]) -> anyhow::Result<usize> {
    use anyhow::Context;
    let manifest = dir.join(MANIFEST);
    let mut relative: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(dir).ok())
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    relative.sort();
    let current: std::collections::HashSet<&str> = relative.iter().map(String::as_str).collect();
    let mut removed = 0;
    if let Ok(old) = std::fs::read_to_string(&manifest) {
        for line in old.lines() {
            // Only plain relative paths: a tampered list must not reach outside the folder.
            let safe = Path::new(line)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if line.is_empty() || !safe || current.contains(line) {
                continue;
            }
            let path = dir.join(line);
            if std::fs::remove_file(&path).is_ok() {
                removed += 1;
                let mut folder = path.parent();
                while let Some(f) = folder.filter(|f| *f != dir) {
                    // Fails, and stops, at the first folder that still holds something.
                    if std::fs::remove_dir(f).is_err() {
                        break;
                    }
                    folder = f.parent();
                }
            }
        }
    }
    let mut list = relative.join("\n");
    list.push('\n');
    std::fs::write(&manifest, list)
        .with_context(|| format!("cannot write {}", manifest.display()))?;
    Ok(removed)
}

fn write_if_changed(path: &Path, body: &[u8], report: &mut StaticReport) -> anyhow::Result<()> {
    use anyhow::Context;
    if std::fs::read(path).is_ok_and(|old| old == body) {
        report.unchanged += 1;
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
    report.written += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_map_to_files_a_plain_server_serves() {
        let dir = Path::new("/out");
        assert_eq!(file_for(dir, "/"), Path::new("/out/index.html"));
        assert_eq!(
            file_for(dir, "/tag/x/page/2/"),
            Path::new("/out/tag/x/page/2/index.html")
        );
        assert_eq!(file_for(dir, "/feed/"), Path::new("/out/feed/index.xml"));
        assert_eq!(
            file_for(dir, "/tag/x/feed/atom/"),
            Path::new("/out/tag/x/feed/atom/index.xml")
        );
        assert_eq!(file_for(dir, "/sitemap.xml"), Path::new("/out/sitemap.xml"));
    }
}

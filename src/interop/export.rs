//! `roundtable export wxr`: everything public as WordPress WXR 1.2, so a column can leave as
//! easily as it came. Posts carry their content rendered exactly as the site shows it (answers
//! with their public bylines only); comments are the approved ones. No email address of anyone
//! is written, and nothing about who wrote an anonymous or role-only answer.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use crate::app::AppState;
use crate::render::SiteClock;
use crate::web::views::{post_views, PostView, SiteView};

#[derive(Serialize)]
struct BodyContext<'a> {
    post: &'a PostView,
    base: &'a str,
}

/// How many posts and pages were written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExportCounts {
    pub posts: usize,
    pub pages: usize,
    pub comments: usize,
}

/// Writes the site as WXR 1.2. `base` is the site's public address, without a final slash.
pub async fn wxr(state: &AppState, base: &str) -> anyhow::Result<(String, ExportCounts)> {
    let store = &state.store;
    let (site, clock) = SiteView::load(store).await?;
    let entries = store.public_entries().await?;
    let rows = store
        .posts_by_id(&entries.iter().map(|e| e.id).collect::<Vec<_>>())
        .await?;
    let mut views: HashMap<i64, PostView> = post_views(store, &clock, rows)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let mut counts = ExportCounts::default();
    let progress = super::progress_bar("exporting", entries.len() as u64, super::Unit::Items);

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n");
    out.push_str(
        "<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n",
    );
    element(&mut out, "title", &site.title);
    element(&mut out, "link", base);
    element(&mut out, "description", &site.tagline);
    element(&mut out, "generator", "Roundtable");
    element(&mut out, "wp:wxr_version", "1.2");
    element(&mut out, "wp:base_site_url", base);
    element(&mut out, "wp:base_blog_url", base);

    // Authors by login; editors created in Roundtable get one made from their name.
    let mut logins: Vec<(String, String)> = Vec::new();
    let login_of = |login: &Option<String>, name: &Option<String>| -> Option<(String, String)> {
        let name = name.clone()?;
        let login = login.clone().unwrap_or_else(|| {
            crate::domain::Slug::from_text(&name, "editor")
                .as_str()
                .into()
        });
        Some((login, name))
    };
    for e in &entries {
        if let Some(pair) = login_of(&e.author_login, &e.author_name) {
            if !logins.contains(&pair) {
                logins.push(pair);
            }
        }
    }
    for (i, (login, name)) in logins.iter().enumerate() {
        out.push_str("<wp:author>");
        element(&mut out, "wp:author_id", &(i + 1).to_string());
        element(&mut out, "wp:author_login", login);
        element(&mut out, "wp:author_display_name", name);
        out.push_str("</wp:author>\n");
    }
    for c in store.public_terms(true).await? {
        out.push_str("<wp:category>");
        element(&mut out, "wp:term_id", &c.id.to_string());
        element(&mut out, "wp:category_nicename", &c.slug);
        element(
            &mut out,
            "wp:category_parent",
            c.parent_slug.as_deref().unwrap_or(""),
        );
        element(&mut out, "wp:cat_name", &c.name);
        if let Some(d) = &c.description {
            element(&mut out, "wp:category_description", d);
        }
        out.push_str("</wp:category>\n");
    }
    for t in store.public_terms(false).await? {
        out.push_str("<wp:tag>");
        element(&mut out, "wp:term_id", &t.id.to_string());
        element(&mut out, "wp:tag_slug", &t.slug);
        element(&mut out, "wp:tag_name", &t.name);
        if let Some(d) = &t.description {
            element(&mut out, "wp:tag_description", d);
        }
        out.push_str("</wp:tag>\n");
    }

    for e in &entries {
        progress.inc(1);
        let Some(view) = views.remove(&e.id) else {
            continue;
        };
        let page = e.kind == "page";
        let url = if page {
            format!("/{}/", e.slug)
        } else {
            view.url.clone()
        };
        let content = state
            .templates
            .render("partials/post_body.html", BodyContext { post: &view, base })?;
        out.push_str("<item>\n");
        element(&mut out, "title", &e.title);
        element(&mut out, "link", &format!("{base}{url}"));
        element(&mut out, "pubDate", &rfc2822(e.published_at));
        element(
            &mut out,
            "dc:creator",
            &login_of(&e.author_login, &e.author_name)
                .map(|(l, _)| l)
                .unwrap_or_default(),
        );
        out.push_str(&format!(
            "<guid isPermaLink=\"false\">{}</guid>\n",
            escape(&format!("{base}/?p={}", e.id))
        ));
        out.push_str("<description></description>\n");
        cdata(&mut out, "content:encoded", &tidy(&content));
        cdata(
            &mut out,
            "excerpt:encoded",
            e.excerpt.as_deref().unwrap_or(""),
        );
        element(&mut out, "wp:post_id", &e.id.to_string());
        element(
            &mut out,
            "wp:post_date",
            &wp_date(&clock, e.published_at, false),
        );
        element(
            &mut out,
            "wp:post_date_gmt",
            &wp_date(&clock, e.published_at, true),
        );
        element(
            &mut out,
            "wp:comment_status",
            if e.comments_open != 0 {
                "open"
            } else {
                "closed"
            },
        );
        element(&mut out, "wp:ping_status", "closed");
        element(&mut out, "wp:post_name", &e.slug);
        element(&mut out, "wp:status", "publish");
        element(
            &mut out,
            "wp:post_parent",
            &e.parent_id.unwrap_or(0).to_string(),
        );
        element(&mut out, "wp:menu_order", "0");
        element(&mut out, "wp:post_type", &e.kind);
        element(&mut out, "wp:post_password", "");
        element(&mut out, "wp:is_sticky", "0");
        for (domain, terms) in [("category", &view.categories), ("post_tag", &view.tags)] {
            for term in terms {
                let slug = term
                    .url
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                out.push_str(&format!(
                    "<category domain=\"{domain}\" nicename=\"{}\">",
                    escape(slug)
                ));
                push_cdata(&mut out, &term.name);
                out.push_str("</category>\n");
            }
        }
        for c in store.approved_comments(e.id).await? {
            out.push_str("<wp:comment>\n");
            element(&mut out, "wp:comment_id", &c.id.to_string());
            cdata(&mut out, "wp:comment_author", &c.author_name);
            element(&mut out, "wp:comment_author_email", "");
            element(
                &mut out,
                "wp:comment_author_url",
                c.author_url.as_deref().unwrap_or(""),
            );
            element(&mut out, "wp:comment_author_IP", "");
            element(
                &mut out,
                "wp:comment_date",
                &wp_date(&clock, c.created_at, false),
            );
            element(
                &mut out,
                "wp:comment_date_gmt",
                &wp_date(&clock, c.created_at, true),
            );
            cdata(&mut out, "wp:comment_content", &c.body);
            element(&mut out, "wp:comment_approved", "1");
            element(&mut out, "wp:comment_type", "comment");
            element(
                &mut out,
                "wp:comment_parent",
                &c.parent_id.unwrap_or(0).to_string(),
            );
            element(&mut out, "wp:comment_user_id", "0");
            out.push_str("</wp:comment>\n");
            counts.comments += 1;
        }
        out.push_str("</item>\n");
        if page {
            counts.pages += 1;
        } else {
            counts.posts += 1;
        }
    }
    progress.finish_and_clear();
    out.push_str("</channel>\n</rss>\n");
    Ok((out, counts))
}

/// Rendered template output without its blank lines, so the HTML reads as one block.
fn tidy(html: &str) -> String {
    html.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn element(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "<{name}>{}</{name}>", escape(value));
}

fn push_cdata(out: &mut String, value: &str) {
    // "]]>" cannot appear inside CDATA: split it across two sections.
    out.push_str("<![CDATA[");
    out.push_str(&value.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

fn cdata(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "<{name}>");
    push_cdata(out, value);
    let _ = writeln!(out, "</{name}>");
}

fn zoned(clock: &SiteClock, seconds: i64, utc: bool) -> jiff::Zoned {
    let tz = if utc {
        jiff::tz::TimeZone::UTC
    } else {
        clock.tz.clone()
    };
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz)
}

/// `2026-11-28 14:00:00`, in the site's zone or in UTC.
fn wp_date(clock: &SiteClock, seconds: i64, utc: bool) -> String {
    zoned(clock, seconds, utc)
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn rfc2822(seconds: i64) -> String {
    zoned(&SiteClock::new(None), seconds, true)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_end_markers_are_split() {
        let mut out = String::new();
        cdata(&mut out, "x", "a ]]> b");
        assert_eq!(out, "<x><![CDATA[a ]]]]><![CDATA[> b]]></x>\n");
    }
}

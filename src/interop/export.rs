//! `roundtable export wxr`: everything public as WordPress WXR 1.2, so a column can leave as
//! easily as it came. Posts carry their content rendered exactly as the site shows it (answers
//! with their public bylines only); comments are the approved ones. No email address of anyone
//! is written, and nothing about who wrote an anonymous or role-only answer.
//! Written with quick-xml's writer, which escapes every text; characters XML cannot carry
//! become U+FFFD, so the file is well-formed whatever the database holds.

use std::collections::HashMap;
use std::io;

use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde::Serialize;

use crate::column::public::{post_views, PostView, SiteView};
use crate::column::Column;
use crate::render::{xml_text, SiteClock};
use crate::store::{CommentRow, PublicEntry, PublicTerm};

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

/// The export is written to memory: the command writes it to its file in one go.
type Xml = Writer<Vec<u8>>;

/// What every item needs to know about the site: its address and its clock.
struct Site<'a> {
    base: &'a str,
    clock: &'a SiteClock,
}

/// Writes the site as WXR 1.2. `base` is the site's public address, without a final slash.
pub async fn wxr(column: &Column, base: &str) -> anyhow::Result<(String, ExportCounts)> {
    let store = &column.store;
    let (site_view, clock) = SiteView::load(store).await?;
    let entries = store.public_entries().await?;
    let rows = store
        .posts_by_id(&entries.iter().map(|e| e.id).collect::<Vec<_>>())
        .await?;
    let mut views: HashMap<i64, PostView> = post_views(store, &clock, rows)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let site = Site {
        base,
        clock: &clock,
    };
    let mut counts = ExportCounts::default();
    let progress = super::progress_bar("exporting", entries.len() as u64, super::Unit::Items);

    // Indented with tabs, one element a line, as WordPress writes its own exports.
    let mut w = Writer::new_with_indent(Vec::new(), b'\t', 1);
    channel_head(&mut w, &site_view, base)?;
    authors(&mut w, &author_logins(&entries))?;
    terms(
        &mut w,
        &store.public_terms(true).await?,
        &store.public_terms(false).await?,
    )?;
    for e in &entries {
        progress.inc(1);
        let Some(view) = views.remove(&e.id) else {
            continue;
        };
        let content = column
            .templates
            .render("partials/post_body.html", BodyContext { post: &view, base })?;
        let comments = store.approved_comments(e.id).await?;
        item(&mut w, &site, e, &view, &tidy(&content), &comments)?;
        counts.comments += comments.len();
        if e.kind == "page" {
            counts.pages += 1;
        } else {
            counts.posts += 1;
        }
    }
    progress.finish_and_clear();
    end(&mut w, "channel")?;
    end(&mut w, "rss")?;
    let mut out = w.into_inner();
    out.push(b'\n');
    // Every piece written was a `&str`, so this cannot fail; checked all the same.
    Ok((String::from_utf8(out)?, counts))
}

/// The declaration, the namespaces WordPress's importer looks for, and the channel's own
/// elements up to the first author.
fn channel_head(w: &mut Xml, site: &SiteView, base: &str) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("rss").with_attributes([
        ("version", "2.0"),
        ("xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/"),
        ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
        ("xmlns:wfw", "http://wellformedweb.org/CommentAPI/"),
        ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
        ("xmlns:wp", "http://wordpress.org/export/1.2/"),
    ])))?;
    start(w, "channel")?;
    text(w, "title", &site.title)?;
    text(w, "link", base)?;
    text(w, "description", &site.tagline)?;
    text(w, "generator", "Roundtable")?;
    text(w, "wp:wxr_version", "1.2")?;
    text(w, "wp:base_site_url", base)?;
    text(w, "wp:base_blog_url", base)
}

/// An entry's author as `(login, display name)`. Editors created in Roundtable have no
/// WordPress login: they get one made from their name.
fn login_of(e: &PublicEntry) -> Option<(String, String)> {
    let name = e.author_name.clone()?;
    let login = e.author_login.clone().unwrap_or_else(|| {
        crate::domain::Slug::from_text(&name, "editor")
            .as_str()
            .into()
    });
    Some((login, name))
}

/// The authors of the entries, each once, in the order they first appear.
fn author_logins(entries: &[PublicEntry]) -> Vec<(String, String)> {
    let mut logins: Vec<(String, String)> = Vec::new();
    for pair in entries.iter().filter_map(login_of) {
        if !logins.contains(&pair) {
            logins.push(pair);
        }
    }
    logins
}

/// A `<wp:author>` for each author, numbered from 1 in the order given.
fn authors(w: &mut Xml, logins: &[(String, String)]) -> io::Result<()> {
    for (i, (login, name)) in logins.iter().enumerate() {
        start(w, "wp:author")?;
        text(w, "wp:author_id", &(i + 1).to_string())?;
        text(w, "wp:author_login", login)?;
        text(w, "wp:author_display_name", name)?;
        end(w, "wp:author")?;
    }
    Ok(())
}

/// Every category (with its parent's slug) and every tag, used or not.
fn terms(w: &mut Xml, categories: &[PublicTerm], tags: &[PublicTerm]) -> io::Result<()> {
    for c in categories {
        start(w, "wp:category")?;
        text(w, "wp:term_id", &c.id.to_string())?;
        text(w, "wp:category_nicename", &c.slug)?;
        text(
            w,
            "wp:category_parent",
            c.parent_slug.as_deref().unwrap_or(""),
        )?;
        text(w, "wp:cat_name", &c.name)?;
        if let Some(d) = &c.description {
            text(w, "wp:category_description", d)?;
        }
        end(w, "wp:category")?;
    }
    for t in tags {
        start(w, "wp:tag")?;
        text(w, "wp:term_id", &t.id.to_string())?;
        text(w, "wp:tag_slug", &t.slug)?;
        text(w, "wp:tag_name", &t.name)?;
        if let Some(d) = &t.description {
            text(w, "wp:tag_description", d)?;
        }
        end(w, "wp:tag")?;
    }
    Ok(())
}

/// One post or page: `content` is its body as the site shows it, `comments` the approved ones.
fn item(
    w: &mut Xml,
    site: &Site,
    e: &PublicEntry,
    view: &PostView,
    content: &str,
    comments: &[CommentRow],
) -> io::Result<()> {
    let base = site.base;
    let url = if e.kind == "page" {
        format!("/{}/", e.slug)
    } else {
        view.url.clone()
    };
    start(w, "item")?;
    text(w, "title", &e.title)?;
    text(w, "link", &format!("{base}{url}"))?;
    text(w, "pubDate", &rfc2822(e.published_at))?;
    let creator = login_of(e).map(|(login, _)| login).unwrap_or_default();
    text(w, "dc:creator", &creator)?;
    w.create_element("guid")
        .with_attribute(("isPermaLink", "false"))
        .write_text_content(BytesText::new(&xml_text(&format!("{base}/?p={}", e.id))))?;
    text(w, "description", "")?;
    cdata(w, "content:encoded", content)?;
    cdata(w, "excerpt:encoded", e.excerpt.as_deref().unwrap_or(""))?;
    text(w, "wp:post_id", &e.id.to_string())?;
    text(
        w,
        "wp:post_date",
        &wp_date(site.clock, e.published_at, false),
    )?;
    text(
        w,
        "wp:post_date_gmt",
        &wp_date(site.clock, e.published_at, true),
    )?;
    let open = if e.comments_open != 0 {
        "open"
    } else {
        "closed"
    };
    text(w, "wp:comment_status", open)?;
    text(w, "wp:ping_status", "closed")?;
    text(w, "wp:post_name", &e.slug)?;
    text(w, "wp:status", "publish")?;
    text(w, "wp:post_parent", &e.parent_id.unwrap_or(0).to_string())?;
    text(w, "wp:menu_order", "0")?;
    text(w, "wp:post_type", &e.kind)?;
    text(w, "wp:post_password", "")?;
    text(w, "wp:is_sticky", "0")?;
    for (domain, terms) in [("category", &view.categories), ("post_tag", &view.tags)] {
        for term in terms {
            // The view carries the term's address; its last segment is the slug.
            let slug = term
                .url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            let slug = xml_text(slug);
            w.write_event(Event::Start(
                BytesStart::new("category")
                    .with_attributes([("domain", domain), ("nicename", slug.as_ref())]),
            ))?;
            cdata_sections(w, &term.name)?;
            end(w, "category")?;
        }
    }
    for c in comments {
        comment(w, site.clock, c)?;
    }
    end(w, "item")
}

/// An approved comment, without the commenter's email or IP address.
fn comment(w: &mut Xml, clock: &SiteClock, c: &CommentRow) -> io::Result<()> {
    start(w, "wp:comment")?;
    text(w, "wp:comment_id", &c.id.to_string())?;
    cdata(w, "wp:comment_author", &c.author_name)?;
    text(w, "wp:comment_author_email", "")?;
    text(
        w,
        "wp:comment_author_url",
        c.author_url.as_deref().unwrap_or(""),
    )?;
    text(w, "wp:comment_author_IP", "")?;
    text(w, "wp:comment_date", &wp_date(clock, c.created_at, false))?;
    text(
        w,
        "wp:comment_date_gmt",
        &wp_date(clock, c.created_at, true),
    )?;
    cdata(w, "wp:comment_content", &c.body)?;
    text(w, "wp:comment_approved", "1")?;
    text(w, "wp:comment_type", "comment")?;
    text(
        w,
        "wp:comment_parent",
        &c.parent_id.unwrap_or(0).to_string(),
    )?;
    text(w, "wp:comment_user_id", "0")?;
    end(w, "wp:comment")
}

fn start(w: &mut Xml, name: &str) -> io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))
}

fn end(w: &mut Xml, name: &str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// `<name>value</name>`, escaped by the writer; characters XML cannot carry become U+FFFD.
fn text(w: &mut Xml, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_text(value)))?;
    Ok(())
}

/// `<name>` with its value as CDATA, as WordPress writes content, excerpts and comments.
fn cdata(w: &mut Xml, name: &str, value: &str) -> io::Result<()> {
    start(w, name)?;
    cdata_sections(w, value)?;
    end(w, name)
}

/// The value as CDATA, copied as it is. A `]]>` inside would end the section, so
/// `BytesCData::escaped` splits it across two; readers join adjacent sections again.
fn cdata_sections(w: &mut Xml, value: &str) -> io::Result<()> {
    for section in BytesCData::escaped(&xml_text(value)) {
        w.write_event(Event::CData(section))?;
    }
    Ok(())
}

/// Rendered template output without its blank lines, so the HTML reads as one block.
fn tidy(html: &str) -> String {
    html.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
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

    fn written(write: impl FnOnce(&mut Xml) -> io::Result<()>) -> String {
        let mut w = Writer::new(Vec::new());
        write(&mut w).unwrap();
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn cdata_end_markers_are_split() {
        let out = written(|w| cdata(w, "x", "a ]]> b"));
        assert_eq!(out, "<x><![CDATA[a ]]]]><![CDATA[> b]]></x>");
    }

    #[test]
    fn text_is_escaped_and_characters_xml_cannot_carry_are_replaced() {
        let out = written(|w| text(w, "t", "a&b<c>\"d'\u{1}e\u{fffe}\tf"));
        assert_eq!(
            out,
            "<t>a&amp;b&lt;c&gt;&quot;d&apos;\u{fffd}e\u{fffd}\tf</t>"
        );
        let out = written(|w| cdata(w, "c", "<p>\u{0}x\u{1b}</p>"));
        assert_eq!(out, "<c><![CDATA[<p>\u{fffd}x\u{fffd}</p>]]></c>");
    }
}

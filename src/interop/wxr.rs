//! Reading WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2) with a streaming XML reader: no
//! document tree, one pass over the file, elements matched by namespace URI rather than by
//! prefix. What comes out is plain data ([`Wxr`]); `store::imports` writes it.
//!
//! WordPress's own exports declare the export namespace as `http://` or `https://`
//! `wordpress.org/export/1.N/`; both schemes and every `1.x` version are accepted. The XML must
//! be well-formed: a truncated or mismatched file is refused as a whole, with its line number.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Why a file could not be read as WXR. Each reads as one line.
#[derive(Debug, thiserror::Error)]
pub enum WxrError {
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("not well-formed XML at line {line}: {reason}")]
    Xml { line: u64, reason: String },
    #[error("not WXR: missing version (no <wp:wxr_version> in the channel)")]
    MissingVersion,
    #[error("invalid WXR version '{0}': this program reads WXR 1.0, 1.1 and 1.2")]
    InvalidVersion(String),
}

/// A whole export, as far as Roundtable uses it.
#[derive(Debug, Default, Clone)]
pub struct Wxr {
    pub version: String,
    pub title: String,
    /// `<wp:base_site_url>`, or the channel's `<link>` when absent: the site the ids belong to.
    pub base_site_url: String,
    pub authors: Vec<Author>,
    pub categories: Vec<Term>,
    pub tags: Vec<Term>,
    /// Custom taxonomy terms (`<wp:term>`): counted, not imported.
    pub other_terms: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Author {
    pub login: String,
    pub email: String,
    pub display_name: String,
}

/// A category or tag declared in the channel.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Term {
    pub slug: String,
    pub name: String,
    /// The parent category's slug, empty for none.
    pub parent: String,
    pub description: String,
}

/// An `<item>`: a post, page, attachment or anything else WordPress stores as a post.
#[derive(Debug, Default, Clone)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub creator: String,
    pub guid: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: Option<i64>,
    /// `YYYY-MM-DD HH:MM:SS` in the site's zone.
    pub post_date: String,
    /// The same in UTC; `0000-00-00 00:00:00` for drafts and some old exports.
    pub post_date_gmt: String,
    pub comment_status: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: Option<i64>,
    pub post_type: String,
    pub password: String,
    pub attachment_url: String,
    /// `(domain, slug, name)` of each `<category>`: `category`, `post_tag`, `post_format` …
    pub terms: Vec<(String, String, String)>,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Default, Clone)]
pub struct Comment {
    pub id: Option<i64>,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub date: String,
    pub date_gmt: String,
    pub content: String,
    /// `1`, `0`, `spam`, `trash`, `post-trashed`.
    pub approved: String,
    pub kind: String,
    pub parent: Option<i64>,
}

/// The namespaces WXR uses, whatever prefix a file binds them to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    None,
    Wp,
    Excerpt,
    Content,
    Dc,
    Other,
}

fn classify(uri: &[u8]) -> Ns {
    let uri = String::from_utf8_lossy(uri);
    let rest = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"));
    let Some(rest) = rest else {
        return Ns::Other;
    };
    if let Some(version) = rest.strip_prefix("wordpress.org/export/1.") {
        let (digits, tail) = version.split_at(
            version
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(version.len()),
        );
        if !digits.is_empty() {
            return match tail {
                "/" | "" => Ns::Wp,
                "/excerpt/" | "/excerpt" => Ns::Excerpt,
                _ => Ns::Other,
            };
        }
    }
    match rest {
        "purl.org/rss/1.0/modules/content/" => Ns::Content,
        "purl.org/dc/elements/1.1/" => Ns::Dc,
        _ => Ns::Other,
    }
}

/// A WXR version this program reads: `1.` followed by digits.
fn version_is_known(version: &str) -> bool {
    version
        .strip_prefix("1.")
        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
}

/// Reads a WXR file from disk; `path` only names it in errors.
pub fn read_file(path: &std::path::Path) -> Result<Wxr, WxrError> {
    let io = |e: std::io::Error| WxrError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    parse(std::io::BufReader::new(file)).map_err(|e| match e {
        // The reader knows the byte offset; the line is what a person can look up.
        WxrError::Xml {
            line: offset,
            reason,
        } => WxrError::Xml {
            line: line_of(path, offset),
            reason,
        },
        e => e,
    })
}

fn line_of(path: &std::path::Path, offset: u64) -> u64 {
    let Ok(bytes) = std::fs::read(path) else {
        return 0;
    };
    let end = (offset as usize).min(bytes.len());
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count() as u64
}

/// Parses WXR from any reader. On an XML error, `WxrError::Xml::line` holds the byte offset;
/// [`read_file`] turns it into a line number.
pub fn parse<R: BufRead>(input: R) -> Result<Wxr, WxrError> {
    let mut reader = NsReader::from_reader(input);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    config.trim_text(false);

    let mut wxr = Wxr::default();
    let mut channel_link = String::new();
    // The path of open elements, each as (namespace, local name).
    let mut path: Vec<(Ns, String)> = Vec::new();
    let mut text = String::new();
    let mut author = Author::default();
    let mut term = Term::default();
    let mut tag = Term::default();
    let mut item: Option<Item> = None;
    let mut comment = Comment::default();
    let mut category_attrs = (String::new(), String::new());
    let mut saw_root = false;
    let mut buf = Vec::new();

    loop {
        let xml_error = |reader: &NsReader<R>, e: &dyn std::fmt::Display| WxrError::Xml {
            line: reader.error_position(),
            reason: e.to_string(),
        };
        let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, event)) => (ns, event),
            Err(e) => return Err(xml_error(&reader, &e)),
        };
        match event {
            Event::Start(start) => {
                saw_root = true;
                let ns = match ns {
                    ResolveResult::Bound(uri) => classify(uri.as_ref()),
                    ResolveResult::Unbound => Ns::None,
                    ResolveResult::Unknown(_) => Ns::Other,
                };
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                text.clear();
                match (ns, name.as_str(), item.is_some()) {
                    (Ns::None, "item", false) if in_channel(&path) => item = Some(Item::default()),
                    (Ns::Wp, "author", false) => author = Author::default(),
                    (Ns::Wp, "category", false) => term = Term::default(),
                    (Ns::Wp, "tag", false) => tag = Term::default(),
                    (Ns::Wp, "comment", true) => comment = Comment::default(),
                    (Ns::None, "category", true) => {
                        category_attrs = (String::new(), String::new());
                        for attr in start.attributes().with_checks(false).flatten() {
                            let value = attr
                                .unescape_value()
                                .map(|v| v.into_owned())
                                .unwrap_or_default();
                            match attr.key.local_name().as_ref() {
                                b"domain" => category_attrs.0 = value,
                                b"nicename" => category_attrs.1 = value,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                path.push((ns, name));
            }
            Event::Text(t) => match t.unescape() {
                Ok(s) => text.push_str(&s),
                // HTML entities such as &nbsp; are not XML's: keep them as written.
                Err(_) => text.push_str(&String::from_utf8_lossy(&t)),
            },
            Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c)),
            Event::End(_) => {
                let Some((ns, name)) = path.pop() else {
                    return Err(xml_error(&reader, &"a closing tag with no opening tag"));
                };
                let value = std::mem::take(&mut text);
                let parent = path.last().map(|(ns, n)| (*ns, n.as_str()));
                match item.as_mut() {
                    Some(it) => {
                        let in_comment = parent == Some((Ns::Wp, "comment"));
                        match (ns, name.as_str()) {
                            (Ns::None, "item") => {
                                if let Some(it) = item.take() {
                                    wxr.items.push(it);
                                }
                            }
                            (Ns::Wp, "comment") => it.comments.push(std::mem::take(&mut comment)),
                            _ if in_comment => set_comment_field(&mut comment, &name, value),
                            (Ns::None, "category") => {
                                let (domain, slug) = std::mem::take(&mut category_attrs);
                                it.terms.push((domain, slug, value.trim().to_string()));
                            }
                            _ if parent == Some((Ns::None, "item")) => {
                                set_item_field(it, ns, &name, value)
                            }
                            _ => {}
                        }
                    }
                    None => match (ns, name.as_str(), parent) {
                        (Ns::Wp, "wxr_version", _) => wxr.version = value.trim().to_string(),
                        (Ns::Wp, "base_site_url", _) => wxr.base_site_url = value.trim().into(),
                        (Ns::None, "title", Some((Ns::None, "channel"))) => {
                            wxr.title = value.trim().into()
                        }
                        (Ns::None, "link", Some((Ns::None, "channel"))) => {
                            channel_link = value.trim().into()
                        }
                        (Ns::Wp, "author", _) => wxr.authors.push(std::mem::take(&mut author)),
                        (Ns::Wp, "category", _) => wxr.categories.push(std::mem::take(&mut term)),
                        (Ns::Wp, "tag", _) => wxr.tags.push(std::mem::take(&mut tag)),
                        (Ns::Wp, "term", _) => wxr.other_terms += 1,
                        (Ns::Wp, field, Some((Ns::Wp, "author"))) => {
                            let v = value.trim().to_string();
                            match field {
                                "author_login" => author.login = v,
                                "author_email" => author.email = v,
                                "author_display_name" => author.display_name = v,
                                _ => {}
                            }
                        }
                        (Ns::Wp, field, Some((Ns::Wp, "category"))) => {
                            let v = value.trim().to_string();
                            match field {
                                "category_nicename" => term.slug = v,
                                "cat_name" => term.name = v,
                                "category_parent" => term.parent = v,
                                "category_description" => term.description = v,
                                _ => {}
                            }
                        }
                        (Ns::Wp, field, Some((Ns::Wp, "tag"))) => {
                            let v = value.trim().to_string();
                            match field {
                                "tag_slug" => tag.slug = v,
                                "tag_name" => tag.name = v,
                                "tag_description" => tag.description = v,
                                _ => {}
                            }
                        }
                        _ => {}
                    },
                }
            }
            Event::Eof => {
                if !path.is_empty() {
                    return Err(xml_error(
                        &reader,
                        &format!(
                            "the file ends inside <{}>: it is truncated",
                            path.last().map(|(_, n)| n.as_str()).unwrap_or("?")
                        ),
                    ));
                }
                break;
            }
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err(WxrError::Xml {
            line: 0,
            reason: "the file has no XML elements".into(),
        });
    }
    if wxr.version.is_empty() {
        return Err(WxrError::MissingVersion);
    }
    if !version_is_known(&wxr.version) {
        return Err(WxrError::InvalidVersion(wxr.version));
    }
    if wxr.base_site_url.is_empty() {
        wxr.base_site_url = channel_link;
    }
    Ok(wxr)
}

fn in_channel(path: &[(Ns, String)]) -> bool {
    path.last()
        .is_some_and(|(ns, n)| *ns == Ns::None && n == "channel")
}

fn number(value: &str) -> Option<i64> {
    value.trim().parse().ok().filter(|n| *n != 0)
}

fn set_item_field(it: &mut Item, ns: Ns, name: &str, value: String) {
    let trimmed = || value.trim().to_string();
    match (ns, name) {
        (Ns::None, "title") => it.title = trimmed(),
        (Ns::None, "link") => it.link = trimmed(),
        (Ns::None, "guid") => it.guid = trimmed(),
        (Ns::Dc, "creator") => it.creator = trimmed(),
        (Ns::Content, "encoded") => it.content = value,
        (Ns::Excerpt, "encoded") => it.excerpt = value,
        (Ns::Wp, "post_id") => it.post_id = number(&value),
        (Ns::Wp, "post_date") => it.post_date = trimmed(),
        (Ns::Wp, "post_date_gmt") => it.post_date_gmt = trimmed(),
        (Ns::Wp, "comment_status") => it.comment_status = trimmed(),
        (Ns::Wp, "post_name") => it.post_name = trimmed(),
        (Ns::Wp, "status") => it.status = trimmed(),
        (Ns::Wp, "post_parent") => it.post_parent = number(&value),
        (Ns::Wp, "post_type") => it.post_type = trimmed(),
        (Ns::Wp, "post_password") => it.password = value,
        (Ns::Wp, "attachment_url") => it.attachment_url = trimmed(),
        _ => {}
    }
}

fn set_comment_field(c: &mut Comment, name: &str, value: String) {
    let trimmed = || value.trim().to_string();
    match name {
        "comment_id" => c.id = number(&value),
        "comment_author" => c.author = trimmed(),
        "comment_author_email" => c.author_email = trimmed(),
        "comment_author_url" => c.author_url = trimmed(),
        "comment_date" => c.date = trimmed(),
        "comment_date_gmt" => c.date_gmt = trimmed(),
        "comment_content" => c.content = value,
        "comment_approved" => c.approved = trimmed(),
        "comment_type" => c.kind = trimmed(),
        "comment_parent" => c.parent = number(&value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wxr(body: &str) -> Result<Wxr, WxrError> {
        let doc = format!(
            "<?xml version=\"1.0\"?><rss xmlns:wp=\"https://wordpress.org/export/1.2/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>{body}</channel></rss>"
        );
        parse(doc.as_bytes())
    }

    #[test]
    fn https_namespaces_and_any_prefix_are_read() {
        let w = wxr("<wp:wxr_version>1.2</wp:wxr_version><item><title>A</title>\
             <x:post_id xmlns:x=\"http://wordpress.org/export/1.1/\">7</x:post_id>\
             <content:encoded><![CDATA[<p>hi</p>]]></content:encoded></item>")
        .unwrap();
        assert_eq!(w.items.len(), 1);
        assert_eq!(w.items[0].post_id, Some(7));
        assert_eq!(w.items[0].content, "<p>hi</p>");
    }

    #[test]
    fn a_missing_or_unknown_version_is_refused() {
        assert!(matches!(wxr(""), Err(WxrError::MissingVersion)));
        assert!(matches!(
            wxr("<wp:wxr_version>abc</wp:wxr_version>"),
            Err(WxrError::InvalidVersion(_))
        ));
        assert!(matches!(
            wxr("<wp:wxr_version>2.0</wp:wxr_version>"),
            Err(WxrError::InvalidVersion(_))
        ));
    }

    #[test]
    fn a_truncated_file_is_refused() {
        let doc = "<rss><channel><wp:wxr_version xmlns:wp=\"http://wordpress.org/export/1.2/\">1.2</wp:wxr_version><item>";
        assert!(matches!(parse(doc.as_bytes()), Err(WxrError::Xml { .. })));
    }

    #[test]
    fn namespaces_outside_wordpress_are_not_mistaken_for_it() {
        assert_eq!(classify(b"http://wordpress.org/export/1.0/"), Ns::Wp);
        assert_eq!(
            classify(b"https://wordpress.org/export/1.2/excerpt/"),
            Ns::Excerpt
        );
        assert_eq!(classify(b"http://wordpress.org/export/2.0/"), Ns::Other);
        assert_eq!(classify(b"http://malicious.example.com/hijack/"), Ns::Other);
    }
}

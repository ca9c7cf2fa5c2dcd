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
    /// Some of the item's bytes were not valid in the file's encoding and were replaced.
    pub replaced_bytes: bool,
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

/// Reads a whole WXR file from disk into memory; `path` only names it in errors. Imports
/// use [`WxrReader`] instead, one piece at a time.
pub fn read_file(path: &std::path::Path) -> Result<Wxr, WxrError> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    parse(std::io::BufReader::new(file)).map_err(|e| with_line(path, e))
}

/// The error for a file that cannot be opened or read.
pub fn io_error(path: &std::path::Path, e: std::io::Error) -> WxrError {
    WxrError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Turns the byte offset in an XML error into the line a person can look up in `path`.
pub fn with_line(path: &std::path::Path, e: WxrError) -> WxrError {
    match e {
        WxrError::Xml {
            line: offset,
            reason,
        } => WxrError::Xml {
            line: line_of(path, offset),
            reason,
        },
        e => e,
    }
}

/// Counts lines up to `offset` reading the file in blocks, so a huge file is not loaded.
fn line_of(path: &std::path::Path, offset: u64) -> u64 {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let mut rest = file.take(offset);
    let mut block = vec![0u8; 64 * 1024];
    let mut lines = 1;
    while let Ok(n) = rest.read(&mut block) {
        if n == 0 {
            break;
        }
        lines += block[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    lines
}

/// Parses a whole export from any reader into memory. On an XML error,
/// `WxrError::Xml::line` holds the byte offset; [`with_line`] turns it into a line number.
pub fn parse<R: BufRead>(input: R) -> Result<Wxr, WxrError> {
    let mut reader = WxrReader::new(input);
    let mut wxr = Wxr::default();
    while let Some(piece) = reader.next_piece()? {
        match piece {
            Piece::Author(a) => wxr.authors.push(a),
            Piece::Category(t) => wxr.categories.push(t),
            Piece::Tag(t) => wxr.tags.push(t),
            Piece::OtherTerm => wxr.other_terms += 1,
            Piece::Item(it) => wxr.items.push(*it),
        }
    }
    wxr.version = reader.version().to_string();
    wxr.title = reader.title.clone();
    wxr.base_site_url = reader.site().to_string();
    Ok(wxr)
}

/// One piece of an export, in the order of the file.
#[derive(Debug)]
pub enum Piece {
    Author(Author),
    Category(Term),
    Tag(Term),
    /// A term of another taxonomy (`<wp:term>`): counted, not imported.
    OtherTerm,
    Item(Box<Item>),
}

/// Reads an export one piece at a time, holding no more than the piece being read, so
/// memory stays flat however large the file. The version is checked before the first item
/// (WordPress writes the channel's fields first) and again at the end.
pub struct WxrReader<R: BufRead> {
    reader: NsReader<R>,
    /// The path of open elements, each as (namespace, local name).
    path: Vec<(Ns, String)>,
    text: String,
    author: Author,
    term: Term,
    tag: Term,
    item: Option<Item>,
    comment: Comment,
    category_attrs: (String, String),
    version: String,
    title: String,
    base_site_url: String,
    channel_link: String,
    saw_root: bool,
    checked: bool,
    done: bool,
}

impl<R: BufRead> WxrReader<R> {
    pub fn new(input: R) -> WxrReader<R> {
        let mut reader = NsReader::from_reader(input);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        WxrReader {
            reader,
            path: Vec::new(),
            text: String::new(),
            author: Author::default(),
            term: Term::default(),
            tag: Term::default(),
            item: None,
            comment: Comment::default(),
            category_attrs: Default::default(),
            version: String::new(),
            title: String::new(),
            base_site_url: String::new(),
            channel_link: String::new(),
            saw_root: false,
            checked: false,
            done: false,
        }
    }

    /// The `<wp:wxr_version>` read so far.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `<wp:base_site_url>`, or the channel's `<link>` when absent: the site the ids belong
    /// to. Known once the first piece has been read.
    pub fn site(&self) -> &str {
        if self.base_site_url.is_empty() {
            &self.channel_link
        } else {
            &self.base_site_url
        }
    }

    /// Bytes of input consumed so far.
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn check_version(&mut self) -> Result<(), WxrError> {
        if !self.checked {
            if self.version.is_empty() {
                return Err(WxrError::MissingVersion);
            }
            if !version_is_known(&self.version) {
                return Err(WxrError::InvalidVersion(self.version.clone()));
            }
            self.checked = true;
        }
        Ok(())
    }

    fn xml_error(&self, e: &dyn std::fmt::Display) -> WxrError {
        WxrError::Xml {
            line: self.reader.error_position(),
            reason: e.to_string(),
        }
    }

    /// The next piece, or `None` at the end of a well-formed export.
    pub fn next_piece(&mut self) -> Result<Option<Piece>, WxrError> {
        if self.done {
            return Ok(None);
        }
        // Events borrow this buffer, not the reader's state, so the pieces' fields can be
        // filled in place without copying each event.
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let (ns, event) = match self.reader.read_resolved_event_into(&mut buf) {
                Ok(read) => read,
                Err(e) => return Err(self.xml_error(&e)),
            };
            match event {
                Event::Start(start) => {
                    self.saw_root = true;
                    let ns = match ns {
                        ResolveResult::Bound(uri) => classify(uri.as_ref()),
                        ResolveResult::Unbound => Ns::None,
                        ResolveResult::Unknown(_) => Ns::Other,
                    };
                    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                    self.text.clear();
                    match (ns, name.as_str(), self.item.is_some()) {
                        (Ns::None, "item", false) if in_channel(&self.path) => {
                            self.check_version()?;
                            self.item = Some(Item::default());
                        }
                        (Ns::Wp, "author", false) => self.author = Author::default(),
                        (Ns::Wp, "category", false) => self.term = Term::default(),
                        (Ns::Wp, "tag", false) => self.tag = Term::default(),
                        (Ns::Wp, "comment", true) => self.comment = Comment::default(),
                        (Ns::None, "category", true) => {
                            self.category_attrs = Default::default();
                            for attr in start.attributes().with_checks(false).flatten() {
                                let value = attr
                                    .decode_and_unescape_value(self.reader.decoder())
                                    .map(|v| v.into_owned())
                                    .unwrap_or_default();
                                match attr.key.local_name().as_ref() {
                                    b"domain" => self.category_attrs.0 = value,
                                    b"nicename" => self.category_attrs.1 = value,
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                    self.path.push((ns, name));
                }
                Event::Text(t) => {
                    let raw = self.decode(&t);
                    match quick_xml::escape::unescape(&raw) {
                        Ok(s) => self.text.push_str(&s),
                        // HTML entities such as &nbsp; are not XML's: keep them as written.
                        Err(_) => self.text.push_str(&raw),
                    }
                }
                Event::CData(c) => {
                    let raw = self.decode(&c);
                    self.text.push_str(&raw);
                }
                Event::End(_) => {
                    if let Some(piece) = self.end_element()? {
                        return Ok(Some(piece));
                    }
                }
                Event::Eof => {
                    if let Some((_, name)) = self.path.last() {
                        let reason = format!("the file ends inside <{name}>: it is truncated");
                        return Err(self.xml_error(&reason));
                    }
                    if !self.saw_root {
                        return Err(WxrError::Xml {
                            line: 0,
                            reason: "the file has no XML elements".into(),
                        });
                    }
                    self.check_version()?;
                    self.done = true;
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// Text in the file's declared encoding as UTF-8. Bytes that are not valid in it are
    /// replaced (U+FFFD) and the item they are in is marked, so the report can name it.
    fn decode(&mut self, bytes: &[u8]) -> String {
        match self.reader.decoder().decode(bytes) {
            Ok(text) => text.into_owned(),
            Err(_) => {
                if let Some(item) = self.item.as_mut() {
                    item.replaced_bytes = true;
                }
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
    }

    /// Files the text of the element just closed; returns a piece when one is complete.
    fn end_element(&mut self) -> Result<Option<Piece>, WxrError> {
        let Some((ns, name)) = self.path.pop() else {
            return Err(self.xml_error(&"a closing tag with no opening tag"));
        };
        let value = std::mem::take(&mut self.text);
        let parent = self.path.last().map(|(ns, n)| (*ns, n.as_str()));
        if let Some(it) = self.item.as_mut() {
            let in_comment = parent == Some((Ns::Wp, "comment"));
            match (ns, name.as_str()) {
                (Ns::None, "item") => {
                    return Ok(self.item.take().map(|i| Piece::Item(Box::new(i))))
                }
                (Ns::Wp, "comment") => it.comments.push(std::mem::take(&mut self.comment)),
                _ if in_comment => set_comment_field(&mut self.comment, &name, value),
                (Ns::None, "category") => {
                    let (domain, slug) = std::mem::take(&mut self.category_attrs);
                    it.terms.push((domain, slug, value.trim().to_string()));
                }
                _ if parent == Some((Ns::None, "item")) => set_item_field(it, ns, &name, value),
                _ => {}
            }
            return Ok(None);
        }
        let v = value.trim().to_string();
        let piece = match (ns, name.as_str(), parent) {
            (Ns::Wp, "wxr_version", _) => {
                self.version = v;
                None
            }
            (Ns::Wp, "base_site_url", _) => {
                self.base_site_url = v;
                None
            }
            (Ns::None, "title", Some((Ns::None, "channel"))) => {
                self.title = v;
                None
            }
            (Ns::None, "link", Some((Ns::None, "channel"))) => {
                self.channel_link = v;
                None
            }
            (Ns::Wp, "author", _) => Some(Piece::Author(std::mem::take(&mut self.author))),
            (Ns::Wp, "category", _) => Some(Piece::Category(std::mem::take(&mut self.term))),
            (Ns::Wp, "tag", _) => Some(Piece::Tag(std::mem::take(&mut self.tag))),
            (Ns::Wp, "term", _) => Some(Piece::OtherTerm),
            (Ns::Wp, field, Some((Ns::Wp, "author"))) => {
                match field {
                    "author_login" => self.author.login = v,
                    "author_email" => self.author.email = v,
                    "author_display_name" => self.author.display_name = v,
                    _ => {}
                }
                None
            }
            (Ns::Wp, field, Some((Ns::Wp, "category"))) => {
                match field {
                    "category_nicename" => self.term.slug = v,
                    "cat_name" => self.term.name = v,
                    "category_parent" => self.term.parent = v,
                    "category_description" => self.term.description = v,
                    _ => {}
                }
                None
            }
            (Ns::Wp, field, Some((Ns::Wp, "tag"))) => {
                match field {
                    "tag_slug" => self.tag.slug = v,
                    "tag_name" => self.tag.name = v,
                    "tag_description" => self.tag.description = v,
                    _ => {}
                }
                None
            }
            _ => None,
        };
        Ok(piece)
    }
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

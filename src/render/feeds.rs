//! RSS 2.0 and Atom documents, written with quick-xml so every text is escaped by the writer.

use std::borrow::Cow;
use std::io::Cursor;

use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::time::SiteClock;

/// The feed as a whole.
pub struct FeedMeta {
    pub title: String,
    pub description: String,
    /// The page the feed follows (home page, archive), absolute.
    pub link: String,
    /// The feed's own address, absolute.
    pub self_url: String,
    pub updated: i64,
}

/// One post in a feed.
pub struct FeedEntry {
    /// Stable across slug changes: `BASE/?p=ID`.
    pub id: String,
    pub title: String,
    pub link: String,
    pub author: String,
    pub published: i64,
    pub updated: i64,
    pub categories: Vec<String>,
    pub summary: String,
    pub content_html: std::sync::Arc<str>,
}

type Xml = Writer<Cursor<Vec<u8>>>;

/// Text as XML 1.0 can carry it. Characters outside its `Char` production (the C0 controls
/// other than tab and line breaks, U+FFFE and U+FFFF) cannot be written even escaped, and one
/// makes the whole feed unreadable, so each becomes U+FFFD. Replaced, not dropped: dropping
/// them would join what they separated, and `java\u{1}script:` (a harmless relative address
/// in the page) would become a `javascript:` link in the feed. The WXR export uses it too.
pub(crate) fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    };
    // Most text is fine: checked a byte at a time (every byte of a multi-byte character is
    // above the controls) before any character is decoded.
    let clean = text
        .bytes()
        .all(|b| b >= b' ' || matches!(b, b'\t' | b'\n' | b'\r'))
        && !text.contains('\u{fffe}')
        && !text.contains('\u{ffff}');
    if clean {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{fffd}' })
                .collect(),
        )
    }
}

fn text(w: &mut Xml, name: &str, value: &str) -> quick_xml::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_text(value)))?;
    Ok(())
}

/// HTML as CDATA: copied as it is rather than escaped character by character (a feed carries
/// whole posts), which is the same text to any XML reader. A `]]>` inside is split across two
/// sections, as XML requires.
fn cdata(w: &mut Xml, html: &str) -> quick_xml::Result<()> {
    for section in BytesCData::escaped(&xml_text(html)) {
        w.write_event(Event::CData(section))?;
    }
    Ok(())
}

fn finish(w: Xml) -> String {
    String::from_utf8(w.into_inner().into_inner()).unwrap_or_default()
}

/// RFC 2822 in UTC, as RSS readers expect.
fn rfc2822(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

pub fn rss(meta: &FeedMeta, entries: &[FeedEntry]) -> String {
    write_rss(meta, entries).unwrap_or_default()
}

fn write_rss(meta: &FeedMeta, entries: &[FeedEntry]) -> quick_xml::Result<String> {
    let mut w = Writer::new(Cursor::new(Vec::new()));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("rss").with_attributes([
        ("version", "2.0"),
        ("xmlns:atom", "http://www.w3.org/2005/Atom"),
        ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
        ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    ])))?;
    w.write_event(Event::Start(BytesStart::new("channel")))?;
    text(&mut w, "title", &meta.title)?;
    text(&mut w, "link", &meta.link)?;
    text(&mut w, "description", &meta.description)?;
    text(&mut w, "language", "en")?;
    text(&mut w, "lastBuildDate", &rfc2822(meta.updated))?;
    w.create_element("atom:link")
        .with_attributes([
            ("href", xml_text(&meta.self_url).as_ref()),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ])
        .write_empty()?;
    for e in entries {
        w.write_event(Event::Start(BytesStart::new("item")))?;
        text(&mut w, "title", &e.title)?;
        text(&mut w, "link", &e.link)?;
        w.create_element("guid")
            .with_attribute(("isPermaLink", "false"))
            .write_text_content(BytesText::new(&xml_text(&e.id)))?;
        text(&mut w, "pubDate", &rfc2822(e.published))?;
        text(&mut w, "dc:creator", &e.author)?;
        for c in &e.categories {
            text(&mut w, "category", c)?;
        }
        text(&mut w, "description", &e.summary)?;
        w.write_event(Event::Start(BytesStart::new("content:encoded")))?;
        cdata(&mut w, &e.content_html)?;
        w.write_event(Event::End(BytesEnd::new("content:encoded")))?;
        w.write_event(Event::End(BytesEnd::new("item")))?;
    }
    w.write_event(Event::End(BytesEnd::new("channel")))?;
    w.write_event(Event::End(BytesEnd::new("rss")))?;
    Ok(finish(w))
}

pub fn atom(meta: &FeedMeta, entries: &[FeedEntry], clock: &SiteClock) -> String {
    write_atom(meta, entries, clock).unwrap_or_default()
}

fn write_atom(
    meta: &FeedMeta,
    entries: &[FeedEntry],
    clock: &SiteClock,
) -> quick_xml::Result<String> {
    let date = |t: i64| super::time::iso_datetime(clock, t);
    let mut w = Writer::new(Cursor::new(Vec::new()));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("feed").with_attributes([
        ("xmlns", "http://www.w3.org/2005/Atom"),
        ("xml:lang", "en"),
    ])))?;
    text(&mut w, "id", &meta.self_url)?;
    text(&mut w, "title", &meta.title)?;
    text(&mut w, "subtitle", &meta.description)?;
    text(&mut w, "updated", &date(meta.updated))?;
    w.create_element("link")
        .with_attributes([
            ("rel", "alternate"),
            ("href", xml_text(&meta.link).as_ref()),
        ])
        .write_empty()?;
    w.create_element("link")
        .with_attributes([("rel", "self"), ("href", xml_text(&meta.self_url).as_ref())])
        .write_empty()?;
    for e in entries {
        w.write_event(Event::Start(BytesStart::new("entry")))?;
        text(&mut w, "id", &e.id)?;
        text(&mut w, "title", &e.title)?;
        w.create_element("link")
            .with_attributes([("rel", "alternate"), ("href", xml_text(&e.link).as_ref())])
            .write_empty()?;
        text(&mut w, "published", &date(e.published))?;
        text(&mut w, "updated", &date(e.updated))?;
        w.write_event(Event::Start(BytesStart::new("author")))?;
        text(&mut w, "name", &e.author)?;
        w.write_event(Event::End(BytesEnd::new("author")))?;
        for c in &e.categories {
            w.create_element("category")
                .with_attribute(("term", xml_text(c).as_ref()))
                .write_empty()?;
        }
        w.create_element("summary")
            .write_text_content(BytesText::new(&xml_text(&e.summary)))?;
        w.write_event(Event::Start(
            BytesStart::new("content").with_attributes([("type", "html")]),
        ))?;
        cdata(&mut w, &e.content_html)?;
        w.write_event(Event::End(BytesEnd::new("content")))?;
        w.write_event(Event::End(BytesEnd::new("entry")))?;
    }
    w.write_event(Event::End(BytesEnd::new("feed")))?;
    Ok(finish(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (FeedMeta, Vec<FeedEntry>) {
        let meta = FeedMeta {
            title: "Column & <Co>".into(),
            description: "Answers".into(),
            link: "http://example.org/".into(),
            self_url: "http://example.org/feed/".into(),
            updated: 1_700_000_000,
        };
        let entry = FeedEntry {
            id: "http://example.org/?p=1".into(),
            title: "Q&A <1>".into(),
            link: "http://example.org/2023/11/14/q/".into(),
            author: "Editor".into(),
            published: 1_700_000_000,
            updated: 1_700_000_100,
            categories: vec!["Public".into()],
            summary: "A summary".into(),
            content_html: "<p>Body with ]]> inside</p>".into(),
        };
        (meta, vec![entry])
    }

    #[test]
    fn rss_escapes_text_and_keeps_html_in_cdata() {
        let (meta, entries) = sample();
        let xml = rss(&meta, &entries);
        assert!(
            xml.contains("<title>Column &amp; &lt;Co&gt;</title>"),
            "{xml}"
        );
        assert!(
            xml.contains("<pubDate>Tue, 14 Nov 2023 22:13:20 +0000</pubDate>"),
            "{xml}"
        );
        assert!(
            xml.contains("<guid isPermaLink=\"false\">http://example.org/?p=1</guid>"),
            "{xml}"
        );
        // The content survives a `]]>` inside it.
        assert!(xml.contains("Body with ]]"), "{xml}");
        assert_eq!(xml.matches("<item>").count(), 1);
    }

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        // Found by the feed_xml fuzz target: a control character in a title (pasted text, an
        // imported post) made the whole feed ill-formed.
        let (mut meta, mut entries) = sample();
        meta.title = "Col\u{0}umn\u{b}".into();
        meta.self_url = "http://example.org/\u{1}feed/".into();
        entries[0].title = "Q\u{1b}&A\u{fffe}\t".into();
        entries[0].content_html = "<p>a\u{8}b ]]> c</p>".into();
        entries[0].categories = vec!["x\u{c}y".into()];
        let rss = rss(&meta, &entries);
        assert!(
            rss.contains("<title>Col\u{fffd}umn\u{fffd}</title>"),
            "{rss}"
        );
        assert!(
            rss.contains("href=\"http://example.org/\u{fffd}feed/\""),
            "{rss}"
        );
        assert!(
            rss.contains("<title>Q\u{fffd}&amp;A\u{fffd}\t</title>"),
            "{rss}"
        );
        assert!(rss.contains("<p>a\u{fffd}b ]]"), "{rss}");
        let atom = atom(&meta, &entries, &SiteClock::new(None));
        assert!(atom.contains("term=\"x\u{fffd}y\""), "{atom}");
        assert!(atom.contains("<![CDATA[<p>a\u{fffd}b ]]"), "{atom}");
        // What the controls separated stays apart: no script address is made of a harmless one.
        entries[0].content_html = "<a href=\"java\u{1}script:alert(1)\">x</a>".into();
        assert!(!super::rss(&meta, &entries).contains("javascript:"));
        for xml in [rss, atom] {
            assert!(!xml
                .chars()
                .any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r')));
        }
    }

    #[test]
    fn atom_dates_carry_the_site_offset() {
        let (meta, entries) = sample();
        let xml = atom(&meta, &entries, &SiteClock::new(Some("America/Chicago")));
        assert!(
            xml.contains("<published>2023-11-14T16:13:20-06:00</published>"),
            "{xml}"
        );
        assert!(
            xml.contains("<content type=\"html\"><![CDATA[<p>Body with ]]"),
            "{xml}"
        );
    }
}

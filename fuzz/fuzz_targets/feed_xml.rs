//! The RSS and Atom writers, fed any titles, bodies, names, categories, addresses and
//! times. Checks: the writer returns a document (never the empty string of an error); the
//! document is well-formed XML, every character allowed by XML 1.0, re-read with quick-xml
//! with end-tag checking; it holds one item per entry; and the RSS item titles and HTML
//! content come back as written, apart from characters XML cannot carry.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use quick_xml::Reader;
use roundtable::render::{atom, rss, FeedEntry, FeedMeta, SiteClock};

#[derive(Arbitrary, Debug)]
struct Input {
    title: String,
    description: String,
    link: String,
    self_url: String,
    updated: i64,
    zone: u8,
    entries: Vec<Entry>,
}

#[derive(Arbitrary, Debug)]
struct Entry {
    id: String,
    title: String,
    link: String,
    author: String,
    published: i64,
    updated: i64,
    categories: Vec<String>,
    summary: String,
    content_html: String,
}

/// XML 1.0's `Char` production (a Rust `char` is never a surrogate).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

/// What an XML document read back can hold of `text`: characters XML cannot carry become
/// U+FFFD.
fn carried(text: &str) -> String {
    text.chars()
        .map(|c| if xml_char(c) { c } else { '\u{fffd}' })
        .collect()
}

/// Well-formedness as far as quick-xml checks it, plus the character check it leaves out.
/// Returns (item or entry count, RSS item titles, RSS item contents).
fn read_back(xml: &str, item: &[u8]) -> (usize, Vec<String>, Vec<String>) {
    assert!(!xml.is_empty(), "the writer failed");
    if let Some(bad) = xml.chars().find(|c| !xml_char(*c)) {
        panic!("character {bad:?} is not allowed in XML: {xml:?}");
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    reader.config_mut().trim_text(false);
    let (mut depth, mut roots, mut items) = (0usize, 0usize, 0usize);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let (mut titles, mut contents) = (Vec::new(), Vec::new());
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!(
                "not well-formed at {}: {e}: {xml:?}",
                reader.error_position()
            )
        });
        match event {
            Event::Start(s) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
                let name = s.name().as_ref().to_vec();
                if name == item {
                    items += 1;
                }
                if path.last().is_some_and(|p| p == b"item") {
                    match name.as_slice() {
                        b"title" => titles.push(String::new()),
                        b"content:encoded" => contents.push(String::new()),
                        _ => {}
                    }
                }
                path.push(name);
            }
            Event::Empty(s) => {
                if depth == 0 {
                    roots += 1;
                }
                for a in s.attributes() {
                    let a = a.unwrap_or_else(|e| panic!("bad attribute: {e}: {xml:?}"));
                    a.decode_and_unescape_value(reader.decoder())
                        .unwrap_or_else(|e| panic!("bad attribute value: {e}: {xml:?}"));
                }
            }
            Event::End(_) => {
                depth -= 1;
                path.pop();
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .unwrap_or_else(|e| panic!("bad text: {e}: {xml:?}"));
                assert!(depth > 0 || text.trim().is_empty(), "text outside the root");
                match path.iter().rev().take(2).collect::<Vec<_>>().as_slice() {
                    [n, p] if n.as_slice() == b"title" && p.as_slice() == b"item" => {
                        titles.last_mut().unwrap().push_str(&text)
                    }
                    [n, _] if n.as_slice() == b"content:encoded" => {
                        panic!("text outside CDATA in content:encoded: {xml:?}")
                    }
                    _ => {}
                }
            }
            Event::CData(c) => {
                let text = std::str::from_utf8(&c).expect("CDATA is UTF-8");
                if path.last().is_some_and(|n| n == b"content:encoded") {
                    contents.last_mut().unwrap().push_str(text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements: {xml:?}");
    assert_eq!(roots, 1, "not one root element: {xml:?}");
    (items, titles, contents)
}

fuzz_target!(|input: Input| {
    let meta = FeedMeta {
        title: input.title,
        description: input.description,
        link: input.link,
        self_url: input.self_url,
        updated: input.updated,
    };
    let entries: Vec<FeedEntry> = input
        .entries
        .into_iter()
        .map(|e| FeedEntry {
            id: e.id,
            title: e.title,
            link: e.link,
            author: e.author,
            published: e.published,
            updated: e.updated,
            categories: e.categories,
            summary: e.summary,
            content_html: e.content_html.as_str().into(),
        })
        .collect();
    let zone = [
        "UTC",
        "America/Chicago",
        "Asia/Kathmandu",
        "Pacific/Chatham",
    ][usize::from(input.zone) % 4];
    let clock = SiteClock::new(Some(zone));

    let (items, titles, contents) = read_back(&rss(&meta, &entries), b"item");
    assert_eq!(items, entries.len());
    for (e, (title, content)) in entries.iter().zip(titles.iter().zip(&contents)) {
        assert_eq!(*title, carried(&e.title));
        assert_eq!(*content, carried(&e.content_html));
    }

    let (items, _, _) = read_back(&atom(&meta, &entries, &clock), b"entry");
    assert_eq!(items, entries.len());
});

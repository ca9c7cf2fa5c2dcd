//! Markdown to HTML that is safe to put in a page: pulldown-cmark renders, ammonia removes
//! anything that could run or restyle the page.
//!
//! Sanitizing is the costliest step of drawing a page, and the same answer appears on its
//! post, the home page, archives, panelist pages and feeds; so results are remembered, by
//! their exact source text, in a bounded cache. The functions are pure: a remembered result
//! is the one that would be computed again.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use pulldown_cmark::{html, Options, Parser};

/// Answers, intros and closings: the whole of CommonMark plus tables, strikethrough and
/// smart punctuation, sanitized.
pub fn markdown_html(text: &str) -> String {
    remembered(Kind::Markdown, text, markdown_uncached)
}

/// Comments: paragraphs, emphasis, links, quotes, lists and code; no images, headings or tables.
pub fn comment_html(text: &str) -> String {
    remembered(Kind::Comment, text, comment_uncached)
}

fn markdown_uncached(text: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("noopener nofollow ugc"));
        b
    });
    cleaner.clean(&render(text)).to_string()
}

/// The only tags a reader's comment keeps (public for the fuzz target, which checks that the
/// sanitized output holds no other).
pub const COMMENT_TAGS: [&str; 12] = [
    "p",
    "br",
    "em",
    "strong",
    "a",
    "blockquote",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "del",
];

fn comment_uncached(text: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags(COMMENT_TAGS);
        b.add_tag_attributes("a", ["href"]);
        b.url_schemes(["http", "https", "mailto"].into_iter().collect());
        b.link_rel(Some("noopener nofollow ugc"));
        b
    });
    cleaner.clean(&render(text)).to_string()
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Markdown,
    Comment,
    Plain,
}

/// Bytes of source and HTML kept at most; the cache is emptied when it would grow past this
/// (simple, and rare: a large site's working set is its recent posts).
const CACHE_BUDGET: usize = 32 * 1024 * 1024;

#[derive(Default)]
struct Remembered {
    entries: HashMap<(Kind, String), String>,
    bytes: usize,
}

fn remembered(kind: Kind, text: &str, compute: fn(&str) -> String) -> String {
    static CACHE: OnceLock<Mutex<Remembered>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let key = (kind, text.to_string());
    if let Some(html) = cache.lock().ok().and_then(|c| c.entries.get(&key).cloned()) {
        return html;
    }
    // Computed outside the lock: other pages go on meanwhile.
    let html = compute(text);
    if let Ok(mut c) = cache.lock() {
        let size = key.1.len() + html.len();
        if c.bytes + size > CACHE_BUDGET {
            c.entries.clear();
            c.bytes = 0;
        }
        if size <= CACHE_BUDGET && c.entries.insert(key, html.clone()).is_none() {
            c.bytes += size;
        }
    }
    html
}

fn render(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION;
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(text, options));
    out
}

/// The text of an HTML fragment, tags removed and whitespace folded: for feed summaries.
pub fn plain_text(html: &str) -> String {
    remembered(Kind::Plain, html, plain_text_uncached)
}

fn plain_text_uncached(html: &str) -> String {
    let text = unescape_text(&ammonia::Builder::empty().clean(html).to_string());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML as the plain-text part of an email: one paragraph a block, separated by blank lines,
/// list items after a dash.
pub fn mail_text(html: &str) -> String {
    const BREAK: &str = "\u{2042}p\u{2042}";
    const ITEM: &str = "\u{2042}li\u{2042}";
    let mut marked = html.replace("<li", &format!(" {BREAK} {ITEM} <li"));
    for end in [
        "</p>",
        "</li>",
        "</h1>",
        "</h2>",
        "</h3>",
        "</h4>",
        "</div>",
        "</tr>",
        "</figure>",
        "</figcaption>",
        "</section>",
        "</blockquote>",
        "</ul>",
        "</ol>",
        "<br>",
        "<br/>",
    ] {
        marked = marked.replace(end, &format!("{end} {BREAK} "));
    }
    let text = unescape_text(&ammonia::Builder::empty().clean(&marked).to_string());
    text.split(BREAK)
        .map(|block| {
            let words = block.split_whitespace().collect::<Vec<_>>().join(" ");
            words.replace(ITEM, "-").trim().to_string()
        })
        .filter(|block| !block.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The first `count` words of plain text, with "…" when there were more: WordPress's
/// excerpt, which is 55 words of the post's text.
pub fn first_words(text: &str, count: usize) -> String {
    let mut words = text.split_whitespace();
    let mut out = words.by_ref().take(count).collect::<Vec<_>>().join(" ");
    if words.next().is_some() {
        out.push_str(" …");
    }
    out
}

/// Undoes the escaping ammonia's serializer applies to text, in one pass: the text `&lt;`
/// (written `&amp;lt;`) stays `&lt;` rather than becoming `<`.
fn unescape_text(text: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&nbsp;", '\u{a0}'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (entity, c) = ENTITIES
            .into_iter()
            .find(|(entity, _)| rest.starts_with(entity))
            .unwrap_or(("&", '&'));
        out.push(c);
        rest = &rest[entity.len()..];
    }
    out.push_str(rest);
    out
}

/// HTML from another system (an import, an editor's pasted HTML) made safe: scripts, frames,
/// styles and event handlers go, the ordinary markup of an article stays.
pub fn clean_html(html: &str) -> String {
    ammonia::clean(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_text_keeps_paragraphs_and_lists() {
        let text = mail_text(
            "<h1>Title</h1><p>One &amp; <em>two</em>.</p>\n<ul><li>first</li><li>second</li></ul><p>Last<br>line</p>",
        );
        assert_eq!(
            text,
            "Title\n\nOne & two.\n\n- first\n\n- second\n\nLast\n\nline"
        );
    }

    #[test]
    fn markdown_becomes_html() {
        let html = markdown_html("Some *emphasis* and a list:\n\n- one\n- two");
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = markdown_html("<script>alert(1)</script><img src=x onerror=alert(2)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        let html = markdown_html(
            "A [link](javascript:alert(3)) and <a href=\"javascript:alert(4)\">another</a>.",
        );
        assert!(!html.contains("href=\"javascript"), "{html}");
    }

    #[test]
    fn remembered_results_are_the_computed_ones() {
        let text = "A *remembered* answer with <script>alert(1)</script> in it.";
        assert_eq!(markdown_html(text), markdown_uncached(text));
        assert_eq!(markdown_html(text), markdown_uncached(text));
        // The same text as a comment is sanitized by the comment rules, not served from the
        // answer's entry.
        assert_eq!(comment_html(text), comment_uncached(text));
        assert_ne!(markdown_html("# Heading"), comment_html("# Heading"));
    }

    #[test]
    fn plain_text_decodes_entities_once() {
        // Found by the markdown_html fuzz target: `&amp;lt;` became `<`, and `&nbsp;` stayed.
        assert_eq!(
            plain_text("<p>&amp;lt;script&amp;gt; &lt;b&gt;&nbsp;&amp;amp; &quot;x&quot;</p>"),
            "&lt;script&gt; <b> &amp; \"x\""
        );
    }

    #[test]
    fn comments_keep_links_but_lose_images_and_headings() {
        let html = comment_html("# Big\n\n![x](http://e.org/a.png) [site](https://example.org)");
        assert!(!html.contains("<h1"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(html.contains("nofollow"), "{html}");
    }

    #[test]
    fn first_words_cuts_at_a_word_and_says_so() {
        assert_eq!(first_words("one  two\nthree four", 3), "one two three …");
        assert_eq!(first_words("one two", 3), "one two");
        assert_eq!(first_words("", 3), "");
    }
}

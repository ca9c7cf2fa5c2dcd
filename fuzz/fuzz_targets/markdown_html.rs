//! Markdown (and HTML pasted into it) to the HTML readers get: answers and intros through
//! `markdown_html`, comments through `comment_html`, imported WordPress content through
//! `autop` + `sanitize`, feed summaries through `plain_text`. Checks that none panics, that
//! the output never carries a script, an event handler or a script address, and that comments
//! keep only the tags and attributes their sanitizer allows; and that the plain text of
//! escaped text is that text.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roundtable::interop::wp_html::{autop, sanitize};
use roundtable::render::{comment_html, markdown_html, plain_text, COMMENT_TAGS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    let html = markdown_html(text);
    common::assert_safe_html(&html);

    let html = comment_html(text);
    common::assert_safe_html(&html);
    for tag in common::tags(&html) {
        assert!(
            COMMENT_TAGS.contains(&tag.name.as_str()),
            "<{}> in a comment: {html:?}",
            tag.name
        );
        for (name, value) in &tag.attributes {
            match (tag.name.as_str(), name.as_str()) {
                ("a", "rel") => assert_eq!(value, "noopener nofollow ugc"),
                ("a", "href") => {
                    let scheme = common::url_scheme(value);
                    assert!(
                        scheme.is_none_or(|s| ["http", "https", "mailto"].contains(&s.as_str())),
                        "href {value:?} in a comment: {html:?}"
                    );
                }
                // ammonia's default attributes, which `Builder::empty` keeps; harmless.
                (_, "title" | "lang") | ("a", "hreflang") | ("ol", "start") => {}
                _ => panic!("attribute {name} on <{}> in a comment: {html:?}", tag.name),
            }
        }
    }

    common::assert_safe_html(&sanitize(&autop(text)));

    let plain = plain_text(text);
    assert!(!plain.contains("  "), "whitespace not folded: {plain:?}");
    // The plain text of escaped text is that text, whitespace folded (control characters
    // aside: the HTML parser drops some of them, as it drops a byte order mark at the start).
    let text = text.trim_start_matches('\u{feff}');
    if !text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(plain_text(&escaped), folded, "plain text of {escaped:?}");
    }
});

//! Checks shared by the fuzz targets: what sanitized HTML may contain.
//!
//! ammonia serializes with html5ever, so in its output every `<` in text is written `&lt;` and
//! every attribute value is double-quoted with `"` written `&quot;`. A literal `<` therefore
//! always starts a tag, and a small scanner can list every tag and attribute exactly.

#![allow(dead_code)]

/// One start tag of the output: its name and its attributes, values with `&amp;`, `&quot;`
/// and `&nbsp;` decoded as a browser would.
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// Every start tag in `html`, or a panic naming the first place the scanner does not
/// understand (which would itself mean the serializer wrote something unexpected).
pub fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        if bytes.get(i) == Some(&b'/') {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(html.len(), |n| i + n);
        assert!(
            name_end > i,
            "a '<' that starts no tag at byte {i}: {html:?}"
        );
        let mut tag = Tag {
            name: html[i..name_end].to_ascii_lowercase(),
            attributes: Vec::new(),
        };
        i = name_end;
        loop {
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                None => panic!("an unterminated tag: {html:?}"),
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') => {
                    i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let name_end = html[i..]
                .find(|c: char| c == '=' || c == '>' || c == '/' || c.is_ascii_whitespace())
                .map_or(html.len(), |n| i + n);
            let name = html[i..name_end].to_ascii_lowercase();
            i = name_end;
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                assert_eq!(
                    bytes.get(i + 1),
                    Some(&b'"'),
                    "an unquoted attribute value: {html:?}"
                );
                let start = i + 2;
                let end = html[start..]
                    .find('"')
                    .map(|n| start + n)
                    .unwrap_or_else(|| panic!("an unterminated attribute value: {html:?}"));
                value = html[start..end]
                    .replace("&quot;", "\"")
                    .replace("&nbsp;", "\u{a0}")
                    .replace("&amp;", "&");
                i = end + 1;
            }
            tag.attributes.push((name, value));
        }
        out.push(tag);
    }
    out
}

/// Tags that run code, load other documents or restyle the page: never in sanitized output.
const FORBIDDEN_TAGS: [&str; 16] = [
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "textarea", "link", "meta", "base", "svg",
];

/// The properties every sanitized fragment has: no script (or other forbidden) tags, no event
/// handler or style attributes, and no link or source that runs script.
pub fn assert_safe_html(html: &str) {
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "<script in sanitized output: {html:?}"
    );
    for tag in tags(html) {
        assert!(
            !FORBIDDEN_TAGS.contains(&tag.name.as_str()),
            "<{}> in sanitized output: {html:?}",
            tag.name
        );
        for (name, value) in &tag.attributes {
            assert!(
                !name.starts_with("on"),
                "event handler attribute {name} in sanitized output: {html:?}"
            );
            assert_ne!(
                name, "style",
                "style attribute in sanitized output: {html:?}"
            );
            if ["href", "src", "cite", "action", "formaction", "srcset"].contains(&name.as_str()) {
                let scheme = url_scheme(value).unwrap_or_default();
                assert!(
                    !["javascript", "vbscript", "data"].contains(&scheme.as_str()),
                    "a {scheme}: address in {name}: {html:?}"
                );
            }
        }
    }
}

/// The scheme of an address as a browser's URL parser reads it (leading C0 controls and
/// spaces dropped, tabs and line breaks dropped anywhere), lowercased; `None` for a relative
/// address.
pub fn url_scheme(value: &str) -> Option<String> {
    let url: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then(|| scheme.to_ascii_lowercase())
}

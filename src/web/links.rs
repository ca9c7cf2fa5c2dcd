//! The parts of addresses: page numbers read from them, links to a list's neighbouring pages,
//! and values encoded for query strings.

use super::WebError;

/// A page number from the address: 1 or more, and small enough to mean something.
pub fn page_number(text: &str) -> Result<i64, WebError> {
    match text.parse::<i64>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(WebError::NotFound),
    }
}

/// Links to the neighbouring pages of a list whose first page is `base`.
pub fn neighbours(base: &str, page: i64, pages: i64) -> (Option<String>, Option<String>) {
    let url = |n: i64| {
        if n == 1 {
            base.to_string()
        } else {
            format!("{base}page/{n}/")
        }
    };
    (
        (page > 1).then(|| url(page - 1)),
        (page < pages).then(|| url(page + 1)),
    )
}

/// Percent-encodes a query-string value.
pub fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

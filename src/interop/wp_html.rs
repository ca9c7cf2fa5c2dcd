//! WordPress's content as HTML: its automatic paragraphs, and markup from elsewhere made safe.
//! Shared by the import and the splitting of old roundup posts into answers.

/// Content as WordPress shows it: paragraphs separated by blank lines become `<p>`, and single
/// line breaks inside them `<br>`. Block markup (and block-editor content) is left as it is.
pub fn autop(content: &str) -> String {
    if content.contains("<!-- wp:") {
        return content.to_string();
    }
    const BLOCKS: [&str; 24] = [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "table",
        "figure",
        "hr",
        "dl",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "address",
        "form",
    ];
    let normalized = content.replace("\r\n", "\n");
    let mut out = Vec::new();
    for chunk in normalized.split("\n\n") {
        let trimmed = chunk.trim();
        if trimmed.is_empty() {
            continue;
        }
        let starts_block = trimmed.strip_prefix('<').is_some_and(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            BLOCKS.contains(&name.as_str()) || rest.starts_with("!--")
        });
        if starts_block {
            out.push(trimmed.to_string());
        } else {
            out.push(format!("<p>{}</p>", trimmed.replace('\n', "<br>\n")));
        }
    }
    out.join("\n\n")
}

/// HTML from another system made safe: scripts, frames, styles and event handlers go, the
/// ordinary markup of an article stays.
pub fn sanitize(html: &str) -> String {
    ammonia::clean(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_come_from_blank_lines() {
        assert_eq!(
            autop("one\ntwo\n\nthree"),
            "<p>one<br>\ntwo</p>\n\n<p>three</p>"
        );
        assert_eq!(autop("<ul><li>x</li></ul>"), "<ul><li>x</li></ul>");
    }

    #[test]
    fn scripts_and_frames_are_removed_but_links_stay() {
        let html = sanitize(
            "<p>Hi <a href=\"https://e.org\">there</a></p><script>x()</script><iframe src=\"https://e.org\"></iframe>",
        );
        assert!(html.contains("href=\"https://e.org\""), "{html}");
        assert!(
            !html.contains("script") && !html.contains("iframe"),
            "{html}"
        );
    }
}

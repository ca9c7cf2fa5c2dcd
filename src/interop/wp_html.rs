//! WordPress's content as HTML: its automatic paragraphs, and markup from elsewhere made safe.
//! Shared by the import and the splitting of old roundup posts into answers.

use crate::render::{day_bounds, SiteClock};

/// Content as WordPress shows it: paragraphs separated by blank lines become `<p>`, and single
/// line breaks inside them `<br>`. Block markup (and block-editor content) is left as it is.
pub fn autop(content: &str) -> String {
    let content = &captions(content);
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

/// WordPress's `[caption …]<img …> Words[/caption]` shortcodes as figures with their caption
/// (the words, or the shortcode's `caption="…"`), each a block of its own.
pub fn captions(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(start) = rest.find("[caption") {
        let Some(open_end) = rest[start..].find(']').map(|i| start + i) else {
            break;
        };
        let Some(close) = rest[open_end..].find("[/caption]").map(|i| open_end + i) else {
            break;
        };
        let attributes = &rest[start + "[caption".len()..open_end];
        let inner = rest[open_end + 1..close].trim();
        // The image (perhaps in a link) ends at the last tag; the words after it are the caption.
        let media_end = inner.rfind('>').map_or(0, |i| i + 1);
        let (media, words) = inner.split_at(media_end);
        let words = match words.trim() {
            "" => attribute(attributes, "caption").unwrap_or_default(),
            words => words.to_string(),
        };
        out.push_str(&rest[..start]);
        out.push_str("\n\n<figure>");
        out.push_str(media.trim());
        if !words.is_empty() {
            out.push_str(&format!("<figcaption>{words}</figcaption>"));
        }
        out.push_str("</figure>\n\n");
        rest = &rest[close + "[/caption]".len()..];
    }
    out.push_str(rest);
    out
}

/// The value of `name="…"` in a shortcode's attributes.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let at = attributes.find(&key)? + key.len();
    let end = attributes[at..].find('"')?;
    Some(attributes[at..at + end].to_string())
}

/// HTML from another system made safe (see `render::clean_html`).
pub use crate::render::clean_html as sanitize;

/// Takes the edit notes off the end of WordPress content: the last lines that say "edited
/// M/D/YYYY …" (with or without a leading `*`, as columns write them), each kept as written,
/// dated that day in the site's time zone. Returns the content without them, and the notes in
/// the order they were written.
pub fn take_edit_notes(content: &str, clock: &SiteClock) -> (String, Vec<(i64, String)>) {
    let mut lines: Vec<&str> = content.trim_end().lines().collect();
    let mut notes = Vec::new();
    while let Some(last) = lines.last() {
        let text = ammonia::Builder::empty().clean(last).to_string();
        let text = text.trim();
        if text.is_empty() && !notes.is_empty() {
            lines.pop();
            continue;
        }
        match edit_note_date(text, clock) {
            Some(at) => {
                notes.push((at, text.replace("&amp;", "&")));
                lines.pop();
            }
            None => break,
        }
    }
    notes.reverse();
    (lines.join("\n"), notes)
}

/// The day an edit note line names ("*edited 8/10/2013 to add …"): its start, site time.
fn edit_note_date(text: &str, clock: &SiteClock) -> Option<i64> {
    let rest = text.trim_start_matches('*').trim_start();
    let rest = rest
        .get(..6)
        .filter(|w| w.eq_ignore_ascii_case("edited"))
        .map(|_| &rest[6..])?;
    let date = rest.split_whitespace().next()?;
    let mut parts = date.trim_end_matches([',', ':', '.']).split('/');
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    let (month, day, year) = (month.parse().ok()?, day.parse().ok()?, year.parse().ok()?);
    day_bounds(clock, year, month, day).map(|(start, _)| start)
}

/// Where WordPress keeps uploaded files, in every address of one.
const UPLOADS: &str = "/wp-content/uploads/";

/// Every address in the HTML of a file in WordPress's uploads folder, as written (absolute or
/// not), with the file's path under that folder (`2013/08/jan.jpg`), in order and once each.
/// An address ends where an attribute value or a `srcset` entry does.
pub fn upload_addresses(html: &str) -> Vec<(String, String)> {
    let ends =
        |c: char| c == '"' || c == '\'' || c == '<' || c == '>' || c == ',' || c.is_whitespace();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(UPLOADS).map(|i| i + from) {
        let start = html[..at].rfind(ends).map(|i| i + 1).unwrap_or(0);
        let path_start = at + UPLOADS.len();
        let end = html[path_start..]
            .find(ends)
            .map(|i| i + path_start)
            .unwrap_or(html.len());
        from = end.max(path_start);
        let address = &html[start..end];
        // The file's path, without a query or fragment.
        let path = html[path_start..end]
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_string();
        if !path.is_empty() && !found.iter().any(|(a, _)| a == address) {
            found.push((address.to_string(), path));
        }
    }
    found
}

/// The HTML with each address replaced where it is a whole attribute value or `srcset`
/// entry, and nowhere else.
pub fn replace_addresses(html: &str, replacements: &[(String, String)]) -> String {
    let mut out = html.to_string();
    for (old, new) in replacements {
        for (before, after) in [
            ('"', '"'),
            ('\'', '\''),
            ('"', ' '),
            (' ', ' '),
            (' ', ','),
            (' ', '"'),
        ] {
            out = out.replace(
                &format!("{before}{old}{after}"),
                &format!("{before}{new}{after}"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_addresses_are_found_in_src_href_and_srcset() {
        let html = r#"<a href="https://old.example/wp-content/uploads/2013/08/jan.jpg"><img src="https://old.example/wp-content/uploads/2013/08/jan-150x150.jpg" srcset="/wp-content/uploads/2013/08/jan-150x150.jpg 150w, /wp-content/uploads/2013/08/jan.jpg?v=2 600w"></a> see /wp-content/uploads/"#;
        let found = upload_addresses(html);
        let paths: Vec<&str> = found.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "2013/08/jan.jpg",
                "2013/08/jan-150x150.jpg",
                "2013/08/jan-150x150.jpg",
                "2013/08/jan.jpg"
            ]
        );
        assert_eq!(found[3].0, "/wp-content/uploads/2013/08/jan.jpg?v=2");
        let replaced = replace_addresses(
            html,
            &[
                (found[1].0.clone(), "/media/1-150.jpg".into()),
                (found[2].0.clone(), "/media/1-150.jpg".into()),
            ],
        );
        assert!(replaced.contains(r#"src="/media/1-150.jpg""#), "{replaced}");
        assert!(
            replaced.contains(r#"srcset="/media/1-150.jpg 150w"#),
            "{replaced}"
        );
        assert!(
            replaced.contains(r#"href="https://old.example/wp-content/uploads/2013/08/jan.jpg""#)
        );
    }

    #[test]
    fn paragraphs_come_from_blank_lines() {
        assert_eq!(
            autop("one\ntwo\n\nthree"),
            "<p>one<br>\ntwo</p>\n\n<p>three</p>"
        );
        assert_eq!(autop("<ul><li>x</li></ul>"), "<ul><li>x</li></ul>");
    }

    #[test]
    fn captions_become_figures_with_their_words() {
        let content = "[caption id=\"attachment_9\" align=\"alignleft\" width=\"150\"]<a href=\"/m.jpg\"><img src=\"/m.jpg\" alt=\"\" width=\"150\"></a> Marleah Augustine[/caption]I've never hired one.";
        let html = sanitize(&autop(content));
        assert!(
            html.contains("<figure><a href=\"/m.jpg\" rel=\"noopener noreferrer\"><img src=\"/m.jpg\" alt=\"\" width=\"150\"></a><figcaption>Marleah Augustine</figcaption></figure>"),
            "{html}"
        );
        assert!(html.contains("<p>I've never hired one.</p>"), "{html}");
        assert!(!html.contains("[/caption]"));
        let attributed =
            captions("[caption caption=\"Photo by Lora Gordon\"]<img src=\"/a.jpg\">[/caption]");
        assert!(
            attributed.contains("<figcaption>Photo by Lora Gordon</figcaption>"),
            "{attributed}"
        );
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

    #[test]
    fn edit_note_lines_at_the_end_become_dated_notes() {
        let clock = SiteClock::new(None);
        let content = "Thank you for reading!\n\n*edited 8/10/2013 to add Jan Wilbur’s response\n";
        let (rest, notes) = take_edit_notes(content, &clock);
        assert_eq!(rest, "Thank you for reading!");
        assert_eq!(
            notes,
            vec![(
                1_376_092_800,
                "*edited 8/10/2013 to add Jan Wilbur’s response".to_string()
            )]
        );
        let (rest, notes) = take_edit_notes("I edited 8/10/2013 nothing.\nThe end.", &clock);
        assert_eq!(
            (rest.as_str(), notes.len()),
            ("I edited 8/10/2013 nothing.\nThe end.", 0)
        );
    }
}

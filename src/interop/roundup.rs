//! Splitting an old roundup post into its answers, best effort. Two styles are recognised,
//! both seen in the column's old posts: each answer opening with its signature
//! ("Name, Title, Institution: answer…"), or each answer followed by a line of its own
//! ("– Name, Title, Institution"). A post is split only when every paragraph lands in the
//! intro, an answer or the closing; otherwise it stays whole.

use crate::store::WpAnswer;

use super::wp_html::{autop, sanitize};

/// A post taken apart: intro and closing as HTML, answers in order.
#[derive(Debug, PartialEq)]
pub struct Split {
    /// Where the post put its signatures: `before` (on a line of their own ending in a
    /// colon), `run_in` (the answer goes on after the colon) or `after`.
    pub placement: &'static str,
    pub intro: String,
    pub answers: Vec<WpAnswer>,
    pub closing: String,
}

/// Splits `content` (WordPress post content), or `None` when it does not look like a roundup
/// of at least two signed answers.
pub fn split(content: &str) -> Option<Split> {
    let normalized = content.replace("\r\n", "\n");
    let paragraphs: Vec<&str> = normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.trim().is_empty())
        .collect();
    split_before(&paragraphs).or_else(|| split_after(&paragraphs))
}

/// The text of a paragraph without tags and entities of emphasis.
fn text_of(paragraph: &str) -> String {
    crate::render::plain_text(paragraph)
}

/// "Name, Title, Institution: rest" → the signature and the rest (as raw HTML).
fn leading_signature(paragraph: &str) -> Option<(WpAnswer, String)> {
    let text = text_of(paragraph);
    let colon = text.find(':')?;
    let signature = parse_signature(&text[..colon])?;
    let raw_colon = paragraph.find(':')?;
    let rest = paragraph[raw_colon + 1..].trim().to_string();
    Some((signature, rest))
}

/// "– Name, Title, Institution" on a line of its own.
fn trailing_signature(paragraph: &str) -> Option<WpAnswer> {
    let text = text_of(paragraph);
    let rest = text
        .strip_prefix('–')
        .or_else(|| text.strip_prefix('—'))
        .or_else(|| text.strip_prefix("- "))
        .or_else(|| text.strip_prefix("--"))?;
    if rest.contains(':') || rest.len() > 250 {
        return None;
    }
    parse_signature(rest.trim())
}

/// A signature: "Anonymous…", or a name that looks like one followed by at least a title.
fn parse_signature(text: &str) -> Option<WpAnswer> {
    let text = text.trim();
    if text.is_empty() || text.len() > 250 || text.contains('\n') {
        return None;
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts[0].eq_ignore_ascii_case("anonymous") {
        return Some(WpAnswer {
            name: None,
            pronouns: None,
            title: parts.get(1).map(|s| s.to_string()),
            institution: None,
            rest: (parts.len() > 2).then(|| parts[2..].join(", ")),
            body: String::new(),
        });
    }
    if parts.len() < 2 {
        return None;
    }
    // "Amy Tureen (she/her/hers)": the pronouns are not part of the name, but are kept.
    let name = parts[0].split('(').next().unwrap_or_default().trim();
    let pronouns = parts[0]
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(p, _)| p.trim().to_string())
        .filter(|p| !p.is_empty());
    let words: Vec<&str> = name.split_whitespace().collect();
    let looks_like_a_name = (2..=5).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && !w.chars().any(|c| c.is_ascii_digit())
        });
    if !looks_like_a_name {
        return None;
    }
    Some(WpAnswer {
        name: Some(name.to_string()),
        pronouns,
        title: Some(parts[1].to_string()),
        institution: (parts.len() > 2).then(|| parts[parts.len() - 1].to_string()),
        rest: (parts.len() > 3).then(|| parts[2..parts.len() - 1].join(", ")),
        body: String::new(),
    })
}

fn html(paragraphs: &[String]) -> String {
    sanitize(&autop(&paragraphs.join("\n\n")))
}

/// The closing paragraphs the column has used ("Thank you as always to our contributors…").
fn is_closing(paragraph: &str) -> bool {
    let text = text_of(paragraph).to_lowercase();
    text.starts_with("thank you") || text.starts_with("thanks")
}

fn split_before(paragraphs: &[&str]) -> Option<Split> {
    let starts: Vec<usize> = (0..paragraphs.len())
        .filter(|i| leading_signature(paragraphs[*i]).is_some())
        .collect();
    if starts.len() < 2 {
        return None;
    }
    let intro: Vec<String> = paragraphs[..starts[0]]
        .iter()
        .map(|p| p.to_string())
        .collect();
    let mut answers = Vec::new();
    let mut closing = Vec::new();
    // "Name, Title: Absolutely!" runs into the answer; "Name, Title:" alone stands above it.
    let run_in =
        leading_signature(paragraphs[starts[0]]).is_some_and(|(_, first)| !first.is_empty());
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(paragraphs.len());
        let (mut answer, first) = leading_signature(paragraphs[start])?;
        let mut body: Vec<String> = Vec::new();
        if !first.is_empty() {
            body.push(first);
        }
        for p in &paragraphs[start + 1..end] {
            if n + 1 == starts.len() && (is_closing(p) || !closing.is_empty()) {
                closing.push(p.to_string());
            } else {
                body.push(p.to_string());
            }
        }
        if body.is_empty() {
            return None;
        }
        answer.body = html(&body);
        answers.push(answer);
    }
    Some(Split {
        placement: if run_in { "run_in" } else { "before" },
        intro: html(&intro),
        answers,
        closing: html(&closing),
    })
}

fn split_after(paragraphs: &[&str]) -> Option<Split> {
    let ends: Vec<usize> = (0..paragraphs.len())
        .filter(|i| trailing_signature(paragraphs[*i]).is_some())
        .collect();
    if ends.len() < 2 {
        return None;
    }
    // The intro runs up to the question: the last paragraph before the first answer that
    // ends with a question mark. Without one, there is no telling intro from answer.
    let question = paragraphs[..ends[0]]
        .iter()
        .rposition(|p| text_of(p).trim_end().ends_with('?'))?;
    let intro: Vec<String> = paragraphs[..=question]
        .iter()
        .map(|p| p.to_string())
        .collect();
    let mut answers = Vec::new();
    let mut from = question + 1;
    for &end in &ends {
        let body: Vec<String> = paragraphs[from..end]
            .iter()
            .map(|p| p.to_string())
            .collect();
        if body.is_empty() {
            return None;
        }
        let mut answer = trailing_signature(paragraphs[end])?;
        answer.body = html(&body);
        answers.push(answer);
        from = end + 1;
    }
    let closing: Vec<String> = paragraphs[from..].iter().map(|p| p.to_string()).collect();
    Some(Split {
        placement: "after",
        intro: html(&intro),
        answers,
        closing: html(&closing),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_before_answers_are_split_out() {
        let post = "Would you hire someone with an MLIS?\n\n\
            Amy Tureen (she/her/hers), Head, Library Liaison Program, University of Nevada: \n\n\
            Of course I would.\n\n\
            Gregg Currie, College Librarian, Selkirk College: I have hired them.\n\n\
            It works out.\n\n\
            Anonymous, Public library: No.\n\n\
            Thank you as always to our contributors.";
        let split = split(post).expect("a roundup");
        assert!(split.intro.contains("MLIS?"));
        assert_eq!(split.answers.len(), 3);
        assert_eq!(split.placement, "before");
        assert_eq!(split.answers[0].name.as_deref(), Some("Amy Tureen"));
        assert_eq!(split.answers[0].pronouns.as_deref(), Some("she/her/hers"));
        assert_eq!(split.answers[0].title.as_deref(), Some("Head"));
        assert_eq!(
            split.answers[0].institution.as_deref(),
            Some("University of Nevada")
        );
        assert!(split.answers[1].body.contains("I have hired them."));
        assert!(split.answers[1].body.contains("It works out."));
        assert_eq!(split.answers[2].name, None);
        assert!(split.closing.contains("Thank you"));
    }

    #[test]
    fn signatures_after_answers_are_split_out() {
        let post = "This week's question: what do you look for?\n\n\
            Enthusiasm.\n\n– Jan Smith, Director, Town Library\n\n\
            Curiosity, mostly.\n\n— Anonymous";
        let split = split(post).expect("a roundup");
        assert_eq!(split.answers.len(), 2);
        assert_eq!(split.placement, "after");
        assert_eq!(split.answers[0].name.as_deref(), Some("Jan Smith"));
        assert!(split.answers[1].body.contains("Curiosity"));
    }

    #[test]
    fn a_signature_that_runs_into_its_answer_keeps_that_style() {
        let post = "Would you hire someone with an MLIS?\n\n\
            Alison Armstrong, Collection Management Librarian, Radford University: Absolutely!\n\n\
            Julie Todaro, Dean, Austin Community College: It depends.";
        let split = split(post).expect("a roundup");
        assert_eq!(split.placement, "run_in");
        assert!(split.answers[0].body.contains("Absolutely!"));
    }

    #[test]
    fn ordinary_posts_stay_whole() {
        assert!(split("Hello world.\n\nThis is my first post: welcome!").is_none());
        assert!(split("Note: one.\n\nAlso: two.").is_none());
    }
}

//! What changed between two texts, word by word, as HTML the editor reads: removed words in
//! `<del>`, added words in `<ins>`, the rest as it was.

use similar::{ChangeTag, TextDiff};

use super::escape_html;

/// The word-level difference from `old` to `new`, escaped; line breaks stay as they are, for
/// an element that keeps them (`white-space: pre-wrap`).
pub fn word_diff_html(old: &str, new: &str) -> String {
    let diff = TextDiff::from_words(old, new);
    let mut out = String::with_capacity(old.len() + new.len() / 4);
    // Runs of words with the same tag are marked once: "<ins>three times.</ins>".
    let mut run: Option<(ChangeTag, String)> = None;
    for change in diff.iter_all_changes() {
        match &mut run {
            Some((tag, text)) if *tag == change.tag() => text.push_str(change.value()),
            _ => {
                if let Some((tag, text)) = run.take() {
                    push_run(&mut out, tag, &text);
                }
                run = Some((change.tag(), change.value().to_string()));
            }
        }
    }
    if let Some((tag, text)) = run {
        push_run(&mut out, tag, &text);
    }
    out
}

fn push_run(out: &mut String, tag: ChangeTag, text: &str) {
    let text = escape_html(text);
    match tag {
        ChangeTag::Equal => out.push_str(&text),
        ChangeTag::Delete => out.push_str(&format!("<del>{text}</del>")),
        ChangeTag::Insert => out.push_str(&format!("<ins>{text}</ins>")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked_and_markup_escaped() {
        let html = word_diff_html("Ask <why> twice.", "Ask <why> three times.");
        assert_eq!(
            html,
            "Ask &lt;why&gt; <del>twice.</del><ins>three times.</ins>"
        );
    }
}

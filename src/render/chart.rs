//! The short-answer tally as a small horizontal bar chart in SVG, drawn on the server so it
//! needs no JavaScript, with its numbers also given as text for screen readers and feeds.

use super::escape_html;
use std::fmt::Write;

const BAR_HEIGHT: u32 = 22;
const GAP: u32 = 8;
const LABEL_WIDTH: u32 = 150;
const BAR_WIDTH: u32 = 260;

/// An SVG bar chart of `(choice, count)`; `title` names it for assistive technology.
pub fn tally_svg(title: &str, tally: &[(String, i64)]) -> String {
    let max = tally.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = tally.len() as u32 * (BAR_HEIGHT + GAP);
    let width = LABEL_WIDTH + BAR_WIDTH + 50;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tally-chart\" role=\"img\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title>{}</title>",
        escape_html(title)
    );
    for (i, (label, count)) in tally.iter().enumerate() {
        let y = i as u32 * (BAR_HEIGHT + GAP);
        let bar = (BAR_WIDTH as i64 * count / max) as u32;
        let text_y = y + BAR_HEIGHT / 2 + 5;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\" font-size=\"14\">{}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{bar}\" height=\"{BAR_HEIGHT}\" fill=\"#1f5c99\"/>\
             <text x=\"{}\" y=\"{text_y}\" font-size=\"14\">{count}</text>",
            LABEL_WIDTH - 8,
            escape_html(label),
            LABEL_WIDTH + bar + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// "Yes 9 · It depends 1": the tally as one line of text.
pub fn tally_text(tally: &[(String, i64)]) -> String {
    tally
        .iter()
        .map(|(label, n)| format!("{label} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_a_bar_and_a_count_per_choice() {
        let tally = vec![
            ("Yes".to_string(), 9),
            ("It depends".to_string(), 1),
            ("No".to_string(), 0),
        ];
        let svg = tally_svg("Would you hire?", &tally);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(">It depends</text>") && svg.contains(">9</text>"));
        assert!(svg.contains("<title>Would you hire?</title>"));
        assert_eq!(tally_text(&tally), "Yes 9 · It depends 1 · No 0");
    }

    #[test]
    fn labels_are_escaped() {
        let svg = tally_svg("<b>", &[("<script>".to_string(), 1)]);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
    }
}

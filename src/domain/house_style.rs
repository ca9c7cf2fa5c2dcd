//! A series' house style for signatures: where they go, and how one is written.
//!
//! A signature template names the parts of a signature in braces and puts the words between
//! them as the column writes them. A part in square brackets goes with the words around it
//! when the panelist left that part empty:
//!
//! `{name}[ ({pronouns})][, {title}][ at {institution}][ in {city}]` writes
//! "Celia Rabinowitz, Dean of Mason Library at Keene State College in Keene, NH".

use super::Invalid;

/// Where an answer's signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On its own line above the answer.
    Before,
    /// At the start of the answer's first paragraph, followed by a colon.
    RunIn,
    /// On its own line below the answer, after a dash.
    After,
}

impl Placement {
    pub const ALL: [Placement; 3] = [Placement::Before, Placement::RunIn, Placement::After];

    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Before => "before",
            Placement::RunIn => "run_in",
            Placement::After => "after",
        }
    }

    /// What the editor's forms call it.
    pub fn label(self) -> &'static str {
        match self {
            Placement::Before => "Before the answer, on its own line",
            Placement::RunIn => "Run into the answer's first paragraph",
            Placement::After => "After the answer, on its own line with a dash",
        }
    }

    /// Anything unknown is the default, before.
    pub fn parse(text: &str) -> Placement {
        match text {
            "run_in" => Placement::RunIn,
            "after" => Placement::After,
            _ => Placement::Before,
        }
    }
}

/// The default: every part, separated by commas.
pub const DEFAULT_TEMPLATE: &str =
    "{name}[ ({pronouns})][, {title}][, {department}][, {institution}][, {city}]";

const PARTS: [&str; 6] = [
    "name",
    "pronouns",
    "title",
    "department",
    "institution",
    "city",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Part(&'static str),
    /// Left out whole when one of its parts is empty.
    Optional(Vec<Piece>),
}

/// A parsed signature template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureTemplate {
    pieces: Vec<Piece>,
}

impl Default for SignatureTemplate {
    fn default() -> Self {
        SignatureTemplate::parse(DEFAULT_TEMPLATE).expect("the default template parses")
    }
}

impl SignatureTemplate {
    /// An empty template is the default.
    pub fn parse(text: &str) -> Result<SignatureTemplate, Invalid> {
        if text.trim().is_empty() {
            return Ok(SignatureTemplate::default());
        }
        let mut stack: Vec<Vec<Piece>> = vec![Vec::new()];
        let mut chars = text.chars();
        let mut literal = String::new();
        let flush = |literal: &mut String, stack: &mut Vec<Vec<Piece>>| {
            if !literal.is_empty() {
                if let Some(top) = stack.last_mut() {
                    top.push(Piece::Text(std::mem::take(literal)));
                }
            }
        };
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    flush(&mut literal, &mut stack);
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    let Some(part) = PARTS.iter().find(|p| **p == name.trim()) else {
                        return Err(Invalid(format!(
                            "The template names “{{{name}}}”: the parts are {{name}}, {{pronouns}}, {{title}}, {{department}}, {{institution}} and {{city}}."
                        )));
                    };
                    if let Some(top) = stack.last_mut() {
                        top.push(Piece::Part(part));
                    }
                }
                '[' => {
                    flush(&mut literal, &mut stack);
                    stack.push(Vec::new());
                }
                ']' => {
                    flush(&mut literal, &mut stack);
                    let group = stack.pop().unwrap_or_default();
                    let Some(top) = stack.last_mut() else {
                        return Err(Invalid("The template closes a “]” it never opened.".into()));
                    };
                    top.push(Piece::Optional(group));
                }
                c => literal.push(c),
            }
        }
        flush(&mut literal, &mut stack);
        if stack.len() != 1 {
            return Err(Invalid("The template opens a “[” it never closes.".into()));
        }
        let pieces = stack.pop().unwrap_or_default();
        if !pieces.iter().any(|p| p == &Piece::Part("name")) {
            return Err(Invalid(
                "The template needs {name}, outside square brackets.".into(),
            ));
        }
        Ok(SignatureTemplate { pieces })
    }

    /// A signature as this template writes it; `part` gives each part's value by name
    /// (`name`, `pronouns` …), empty when the panelist left it out.
    pub fn write(&self, part: &dyn Fn(&str) -> String) -> String {
        let value = |name: &str| part(name).trim().to_string();
        fn write(pieces: &[Piece], value: &dyn Fn(&str) -> String) -> String {
            let mut out = String::new();
            for piece in pieces {
                match piece {
                    Piece::Text(t) => out.push_str(t),
                    Piece::Part(p) => out.push_str(&value(p)),
                    Piece::Optional(group) => {
                        let complete = group_parts(group).iter().all(|p| !value(p).is_empty());
                        if complete {
                            out.push_str(&write(group, value));
                        }
                    }
                }
            }
            out
        }
        fn group_parts(pieces: &[Piece]) -> Vec<&'static str> {
            pieces
                .iter()
                .flat_map(|p| match p {
                    Piece::Part(p) => vec![*p],
                    _ => Vec::new(),
                })
                .collect()
        }
        write(&self.pieces, &value).trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn celia() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("name", "Celia Rabinowitz"),
            ("title", "Dean of Mason Library"),
            ("institution", "Keene State College"),
            ("city", "Keene, NH"),
        ])
    }

    fn parts<'a>(s: &'a HashMap<&'static str, &'static str>) -> impl Fn(&str) -> String + 'a {
        |name| s.get(name).copied().unwrap_or_default().to_string()
    }

    #[test]
    fn the_default_writes_every_part_with_commas() {
        let mut s = celia();
        s.insert("pronouns", "she/her");
        assert_eq!(
            SignatureTemplate::parse("").unwrap().write(&parts(&s)),
            "Celia Rabinowitz (she/her), Dean of Mason Library, Keene State College, Keene, NH"
        );
    }

    #[test]
    fn connector_words_and_order_are_the_columns() {
        let t = SignatureTemplate::parse(
            "{name}[ ({pronouns})][, {title}][ at {institution}][ in {city}]",
        )
        .unwrap();
        assert_eq!(
            t.write(&parts(&celia())),
            "Celia Rabinowitz, Dean of Mason Library at Keene State College in Keene, NH"
        );
        let mut no_city = celia();
        no_city.insert("city", "  ");
        assert_eq!(
            t.write(&parts(&no_city)),
            "Celia Rabinowitz, Dean of Mason Library at Keene State College"
        );
    }

    #[test]
    fn a_template_that_cannot_work_says_why() {
        for (text, says) in [
            ("{name}, {job}", "{job}"),
            ("{name}[, {title}", "never closes"),
            ("{name}], {title}", "never opened"),
            ("[{name}], {title}", "needs {name}"),
        ] {
            let e = SignatureTemplate::parse(text).unwrap_err();
            assert!(e.0.contains(says), "{text}: {e}");
        }
    }
}

//! `Slug`: the lowercase, hyphenated name of a post, tag, category or panelist in an address.

use std::fmt;

use super::Invalid;

/// A URL path segment: lowercase letters, digits and single hyphens, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Longer slugs make unwieldy addresses; WordPress cuts at 200 bytes too.
const MAX_LEN: usize = 200;

impl Slug {
    /// Makes a slug from any text: letters are lowercased and stripped of accents where that
    /// is simple, everything else becomes a hyphen. Text with no usable character gets `fallback`.
    pub fn from_text(text: &str, fallback: &str) -> Slug {
        let mut out = String::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            let c = fold_accent(c);
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if c.is_alphanumeric() {
                // Non-Latin letters stay: WordPress keeps them (percent-encoded) too.
                out.push(c);
            } else if c == '\'' || c == '’' {
                // "what's" reads better as "whats" than "what-s".
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        if out.len() > MAX_LEN {
            let mut cut = MAX_LEN;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            while out.ends_with('-') {
                out.pop();
            }
        }
        if out.is_empty() {
            Slug(fallback.to_string())
        } else {
            Slug(out)
        }
    }

    /// Accepts a slug exactly as given, or says why not.
    pub fn parse(text: &str) -> Result<Slug, Invalid> {
        let ok = !text.is_empty()
            && text.len() <= MAX_LEN
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--")
            && text.chars().all(|c| {
                c == '-' || c.is_ascii_digit() || (c.is_alphanumeric() && !c.is_uppercase())
            });
        if ok {
            Ok(Slug(text.to_string()))
        } else {
            Err(Invalid(format!(
                "'{text}' is not a slug: use lowercase letters, digits and single hyphens"
            )))
        }
    }

    /// The same slug with "-2", "-3" … appended, for when the plain one is taken.
    pub fn numbered(&self, n: u32) -> Slug {
        Slug(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ĩ' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ş' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ť' => 't',
        'ď' => 'd',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_readable_slugs() {
        let slug = Slug::from_text("Would You Hire Someone with an MLIS?", "post");
        assert_eq!(slug.as_str(), "would-you-hire-someone-with-an-mlis");
        assert_eq!(
            Slug::from_text("What's next — Inés", "x").as_str(),
            "whats-next-ines"
        );
    }

    #[test]
    fn text_without_letters_gets_the_fallback() {
        assert_eq!(Slug::from_text("?!… ", "post").as_str(), "post");
        assert_eq!(Slug::from_text("", "tag").as_str(), "tag");
    }

    #[test]
    fn non_latin_letters_survive() {
        assert_eq!(
            Slug::from_text("Ελληνικά κείμενα", "x").as_str(),
            "ελληνικά-κείμενα"
        );
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let slug = Slug::from_text(&"ж".repeat(300), "x");
        assert!(slug.as_str().len() <= MAX_LEN);
    }

    #[test]
    fn parse_refuses_what_from_text_would_change() {
        assert!(Slug::parse("good-slug-2").is_ok());
        for bad in [
            "",
            "Bad",
            "two--hyphens",
            "-lead",
            "trail-",
            "sp ace",
            "a/b",
            "<script>",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn numbered_slugs_count_up() {
        assert_eq!(Slug::parse("post").unwrap().numbered(2).as_str(), "post-2");
    }
}

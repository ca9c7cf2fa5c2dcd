//! How an answer is signed. A `Signature` is the snapshot of a panelist's profile taken when the
//! answer was submitted; the `Attribution` the panelist chose decides how much of it readers see.
//! `Byline` is the only way answer authorship reaches public output, so the anonymity rules
//! live here and nowhere else.

use serde::Serialize;

use super::house_style::SignatureTemplate;

/// The profile fields that sign a named answer, as they were when the answer was submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signature {
    pub name: String,
    pub pronouns: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub institution: Option<String>,
    pub city: Option<String>,
}

impl Signature {
    /// One part of the signature by its name in a template (`name`, `pronouns` …).
    pub fn part(&self, name: &str) -> String {
        let value = match name {
            "name" => Some(self.name.as_str()),
            "pronouns" => self.pronouns.as_deref(),
            "title" => self.title.as_deref(),
            "department" => self.department.as_deref(),
            "institution" => self.institution.as_deref(),
            "city" => self.city.as_deref(),
            _ => None,
        };
        value.unwrap_or_default().to_string()
    }

    /// "Name (pronouns), Title, Department, Institution, City", skipping empty parts.
    pub fn line(&self) -> String {
        let mut first = self.name.trim().to_string();
        if let Some(p) = non_empty(&self.pronouns) {
            first = format!("{first} ({p})");
        }
        let mut parts = vec![first];
        for part in [&self.title, &self.department, &self.institution, &self.city] {
            if let Some(p) = non_empty(part) {
                parts.push(p.to_string());
            }
        }
        parts.retain(|p| !p.is_empty());
        parts.join(", ")
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// How the panelist chose to publish one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Attribution {
    /// The full signature, linked to the panelist's archive.
    Named,
    /// Only a description the panelist approved, such as "Director, public library, Midwest".
    Role,
    /// "Anonymous", optionally with the library type.
    Anonymous,
}

impl Attribution {
    pub fn as_str(self) -> &'static str {
        match self {
            Attribution::Named => "named",
            Attribution::Role => "role",
            Attribution::Anonymous => "anonymous",
        }
    }

    pub fn parse(text: &str) -> Option<Attribution> {
        match text {
            "named" => Some(Attribution::Named),
            "role" => Some(Attribution::Role),
            "anonymous" => Some(Attribution::Anonymous),
            _ => None,
        }
    }

    /// True when signing an answer this way instead of `before` shows less of who wrote it:
    /// anonymous instead of a name or a role, or a role instead of a name. Such a change is
    /// the panelist's right and never waits for the editor.
    pub fn hides_more_than(self, before: Attribution) -> bool {
        matches!(
            (before, self),
            (
                Attribution::Named | Attribution::Role,
                Attribution::Anonymous
            ) | (Attribution::Named, Attribution::Role)
        )
    }
}

/// What readers see of an answer's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Byline {
    /// The attribution line as printed.
    pub text: String,
    /// The panelist archive to link to: set for named answers only.
    pub panelist_slug: Option<String>,
    /// The name alone, for short mentions such as edit notes ("to add Jan's answer").
    pub short: String,
}

impl Byline {
    /// Builds the public byline. `role_description` is used for role-only answers and
    /// `library_type_name` ("Public") only for anonymous answers that allowed it; neither the
    /// signature nor the slug is looked at unless the answer is named.
    pub fn new(
        attribution: Attribution,
        signature: &Signature,
        panelist_slug: Option<&str>,
        role_description: Option<&str>,
        library_type_name: Option<&str>,
    ) -> Byline {
        Byline::written(
            attribution,
            signature,
            panelist_slug,
            role_description,
            library_type_name,
            &SignatureTemplate::default(),
        )
    }

    /// As [`Byline::new`], a named answer's signature written with the series' `template`.
    pub fn written(
        attribution: Attribution,
        signature: &Signature,
        panelist_slug: Option<&str>,
        role_description: Option<&str>,
        library_type_name: Option<&str>,
        template: &SignatureTemplate,
    ) -> Byline {
        match attribution {
            Attribution::Named => Byline {
                text: template.write(&|part| signature.part(part)),
                panelist_slug: panelist_slug.map(str::to_string),
                short: signature.name.trim().to_string(),
            },
            Attribution::Role => {
                let text = role_description
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .unwrap_or("A panelist")
                    .to_string();
                Byline {
                    short: text.clone(),
                    text,
                    panelist_slug: None,
                }
            }
            Attribution::Anonymous => {
                let text = match library_type_name.map(str::trim).filter(|t| !t.is_empty()) {
                    Some(kind) => format!("Anonymous, {} library", kind.to_lowercase()),
                    None => "Anonymous".to_string(),
                };
                Byline {
                    text,
                    panelist_slug: None,
                    short: "an anonymous panelist".to_string(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature() -> Signature {
        Signature {
            name: "Rosa Quill".into(),
            pronouns: Some("she/her".into()),
            title: Some("Head of Access Services".into()),
            department: Some(" ".into()),
            institution: Some("Fernbrook College".into()),
            city: None,
        }
    }

    #[test]
    fn a_named_answer_prints_the_whole_signature() {
        let byline = Byline::new(
            Attribution::Named,
            &signature(),
            Some("rosa-quill"),
            None,
            None,
        );
        assert_eq!(
            byline.text,
            "Rosa Quill (she/her), Head of Access Services, Fernbrook College"
        );
        assert_eq!(byline.panelist_slug.as_deref(), Some("rosa-quill"));
        assert_eq!(byline.short, "Rosa Quill");
    }

    #[test]
    fn the_default_template_writes_the_whole_signature_line() {
        let s = signature();
        assert_eq!(
            SignatureTemplate::default().write(&|part| s.part(part)),
            s.line()
        );
    }

    #[test]
    fn a_role_only_answer_shows_the_approved_description_and_nothing_else() {
        let byline = Byline::new(
            Attribution::Role,
            &signature(),
            Some("rosa-quill"),
            Some("Director, public library, Midwest"),
            Some("Public"),
        );
        assert_eq!(byline.text, "Director, public library, Midwest");
        assert_eq!(byline.panelist_slug, None);
        assert!(!format!("{byline:?}").contains("Rosa"));
    }

    #[test]
    fn an_anonymous_answer_shows_at_most_the_library_type() {
        let plain = Byline::new(
            Attribution::Anonymous,
            &signature(),
            Some("rosa-quill"),
            None,
            None,
        );
        assert_eq!(plain.text, "Anonymous");
        let typed = Byline::new(
            Attribution::Anonymous,
            &signature(),
            None,
            None,
            Some("Public"),
        );
        assert_eq!(typed.text, "Anonymous, public library");
        for b in [plain, typed] {
            let all = format!("{b:?}");
            assert!(
                !all.contains("Rosa") && !all.contains("Fernbrook") && !all.contains("rosa-quill")
            );
        }
    }
}

//! The comment form under each post, as typed, and what is wrong with it; and the length
//! check every public form makes, in a person's words.

use serde::{Deserialize, Serialize};

use crate::domain::Email;

/// The comment form as typed, and what is wrong with it.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CommentForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub body: String,
    #[serde(default, deserialize_with = "optional_id")]
    pub parent_id: Option<i64>,
    /// The honeypot: hidden from people, filled in by robots.
    #[serde(default, skip_serializing)]
    pub homepage: String,
    #[serde(skip_deserializing)]
    pub errors: CommentErrors,
}

#[derive(Debug, Default, Serialize)]
pub struct CommentErrors {
    pub form: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub body: Option<String>,
}

/// An empty or unreadable reply-to id means "reply to the post".
fn optional_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.and_then(|t| t.trim().parse().ok()))
}

/// Checks a typed value's length, counting characters as a person would. `what` names the
/// field in a sentence: "your name".
pub(super) fn check_len(value: &str, what: &str, required: bool, max: usize) -> Option<String> {
    let count = value.chars().count();
    if required && value.trim().is_empty() {
        Some(format!("Please fill in {what}."))
    } else if count > max {
        let mut sentence = what.to_string();
        sentence[..1].make_ascii_uppercase();
        Some(format!(
            "{sentence} is {count} characters long; the limit is {max}."
        ))
    } else {
        None
    }
}

impl CommentForm {
    /// Checks every field, noting each problem in `errors`; the address when all are fine.
    /// Public for the fuzz targets (`fuzz/`).
    pub fn validate(&mut self) -> Option<Email> {
        self.errors.name = check_len(&self.name, "your name", true, 100);
        self.errors.body = check_len(&self.body, "your comment", true, 10_000);
        self.errors.url = check_len(&self.url, "your website address", false, 300).or_else(|| {
            let url = self.url.trim();
            let acceptable =
                url.is_empty() || url.starts_with("http://") || url.starts_with("https://");
            (!acceptable).then(|| "A website address starts with http:// or https://.".to_string())
        });
        let email = match Email::parse(&self.email) {
            Ok(email) => Some(email),
            Err(e) => {
                self.errors.email = Some(format!("{e}."));
                None
            }
        };
        let ok =
            self.errors.name.is_none() && self.errors.body.is_none() && self.errors.url.is_none();
        email.filter(|_| ok)
    }
}

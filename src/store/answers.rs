//! An answer as the store reads it back: the panelist's words, the signature they gave with
//! it, and how they chose to sign. Only [`AnswerRow::byline`] turns it into public text about
//! its author, and only the projection (`projection.rs`) does so for readers.

use crate::domain::{Attribution, Byline, Signature, SignatureTemplate};

/// An included answer of a post, with what is needed to sign it. Only [`AnswerRow::byline`]
/// may turn it into public text about its author.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub id: i64,
    pub post_id: i64,
    pub panelist_id: Option<i64>,
    pub panelist_slug: Option<String>,
    pub attribution: String,
    pub role_description: Option<String>,
    pub show_library_type: i64,
    pub sig_name: Option<String>,
    pub sig_pronouns: Option<String>,
    pub sig_title: Option<String>,
    pub sig_department: Option<String>,
    pub sig_institution: Option<String>,
    pub sig_city: Option<String>,
    pub library_type_name: Option<String>,
    pub choice: Option<String>,
    pub body: String,
    pub edited_body: Option<String>,
    pub editor_heading: Option<String>,
    pub editor_note: Option<String>,
    /// The editor's heading goes before this paragraph of the answer (0: at the top).
    pub editor_heading_at: i64,
    pub is_late: i64,
    pub added_at: Option<i64>,
    pub position: i64,
    pub included: i64,
    pub submitted_at: i64,
    /// The panelist's current name: for the editor's screens only, never for public output.
    pub panelist_name: Option<String>,
    /// The panelist's photo and its credit: shown beside named answers only.
    pub photo_url: Option<String>,
    pub photo_credit: Option<String>,
    /// The uploaded photo, which wins over `photo_url`, and its alt text.
    pub photo_media_id: Option<i64>,
    pub photo_alt: Option<String>,
}

impl AnswerRow {
    pub fn attribution(&self) -> Attribution {
        // The column has a CHECK constraint; anything else is treated as the safest choice.
        Attribution::parse(&self.attribution).unwrap_or(Attribution::Anonymous)
    }

    /// The public byline, following the panelist's choice for this answer.
    pub fn byline(&self) -> Byline {
        self.byline_in(&SignatureTemplate::default())
    }

    /// The public byline with a named signature written in the series' `template`.
    pub fn byline_in(&self, template: &SignatureTemplate) -> Byline {
        let signature = Signature {
            name: self.sig_name.clone().unwrap_or_default(),
            pronouns: self.sig_pronouns.clone(),
            title: self.sig_title.clone(),
            department: self.sig_department.clone(),
            institution: self.sig_institution.clone(),
            city: self.sig_city.clone(),
        };
        let library_type = (self.show_library_type != 0)
            .then_some(())
            .and(self.library_type_name.as_deref());
        Byline::written(
            self.attribution(),
            &signature,
            self.panelist_slug.as_deref(),
            self.role_description.as_deref(),
            library_type,
            template,
        )
    }

    /// The text readers see: the editor's light edit when there is one.
    pub fn public_body(&self) -> &str {
        self.edited_body.as_deref().unwrap_or(&self.body)
    }
}

pub(super) const ANSWER_COLUMNS: &str = "a.id, a.post_id, a.panelist_id, pn.slug AS panelist_slug, a.attribution, a.role_description, \
     a.show_library_type, a.sig_name, a.sig_pronouns, a.sig_title, a.sig_department, a.sig_institution, \
     a.sig_city, lt.name AS library_type_name, c.label AS choice, a.body, a.edited_body, a.editor_heading, \
     a.editor_note, a.editor_heading_at, a.is_late, a.added_at, a.position, a.included, a.submitted_at, \
     pn.name AS panelist_name, pn.photo_url, pn.photo_credit, pn.photo_media_id, pn.photo_alt";

/// The same columns for answers that may not be in a post yet.
pub(super) const ANSWER_COLUMNS_OF_ROUND: &str = "a.id, COALESCE(a.post_id, 0) AS post_id, a.panelist_id, pn.slug AS panelist_slug, \
     a.attribution, a.role_description, a.show_library_type, a.sig_name, a.sig_pronouns, a.sig_title, \
     a.sig_department, a.sig_institution, a.sig_city, lt.name AS library_type_name, c.label AS choice, a.body, \
     a.edited_body, a.editor_heading, a.editor_note, a.editor_heading_at, a.is_late, a.added_at, a.position, a.included, \
     a.submitted_at, pn.name AS panelist_name, pn.photo_url, pn.photo_credit, pn.photo_media_id, \
     pn.photo_alt";

pub(super) const ANSWER_JOINS: &str =
    "FROM answers a LEFT JOIN panelists pn ON pn.id = a.panelist_id \
     LEFT JOIN library_types lt ON lt.slug = a.sig_library_type \
     LEFT JOIN round_choices c ON c.id = a.choice_id";

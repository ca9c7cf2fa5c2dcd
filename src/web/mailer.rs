//! Emails written from templates: `templates/email/NAME.txt` holds the subject on its first
//! line and the body after it.

use serde::Serialize;

use super::WebError;
use crate::app::AppState;
use crate::domain::Email;
use crate::store::{MailKind, OutgoingMail};

/// Renders `email/{template}.txt` into a message to `to`.
pub fn email<S: Serialize>(
    state: &AppState,
    kind: MailKind,
    to: &Email,
    template: &str,
    context: S,
) -> Result<OutgoingMail, WebError> {
    let text = state
        .templates
        .render(&format!("email/{template}.txt"), context)?;
    let (subject, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    Ok(OutgoingMail {
        kind,
        dedupe_key: None,
        to: to.clone(),
        subject: subject.trim().to_string(),
        body_text: body.trim_start_matches('\n').to_string(),
        body_html: None,
        headers: Vec::new(),
    })
}

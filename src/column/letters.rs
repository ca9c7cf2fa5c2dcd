//! Emails written from templates: `templates/email/NAME.txt` holds the subject on its first
//! line and the body after it.

use serde::Serialize;

use super::{Column, ColumnResult};
use crate::domain::Email;
use crate::store::{MailKind, OutgoingMail};

/// Renders `email/{template}.txt` into a message to `to`.
pub fn email<S: Serialize>(
    column: &Column,
    kind: MailKind,
    to: &Email,
    template: &str,
    context: S,
) -> ColumnResult<OutgoingMail> {
    let text = column
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

/// One email a piece to every editor, from `email/alert.txt` with `subject`, `text` and `link`.
pub async fn editor_alerts(
    column: &Column,
    subject: &str,
    text: &str,
    link: &str,
) -> ColumnResult<Vec<OutgoingMail>> {
    #[derive(Serialize)]
    struct Context<'a> {
        subject: &'a str,
        text: &'a str,
        link: &'a str,
    }
    let mut alerts = Vec::new();
    for address in column.store.editor_emails().await? {
        if let Ok(to) = Email::parse(&address) {
            alerts.push(email(
                column,
                MailKind::Alert,
                &to,
                "alert",
                Context {
                    subject,
                    text,
                    link,
                },
            )?);
        }
    }
    Ok(alerts)
}

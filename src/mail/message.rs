//! Turning an outbox row into an RFC 5322 message: From, To, Subject, a stable Message-ID, the
//! text body with an optional HTML alternative, and the row's extra headers.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use crate::store::OutboxRow;

/// Headers the message builder sets itself; a row may not replace them.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "sender",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

/// Why a row cannot become a message. Sending it again would fail the same way.
#[derive(Debug, thiserror::Error)]
pub enum BadMessage {
    #[error("the recipient '{0}' is not an address the mail library accepts")]
    Recipient(String),
    #[error("the stored headers are not a JSON object of strings: {0}")]
    Headers(#[from] serde_json::Error),
    #[error("'{0}' cannot be a mail header name")]
    HeaderName(String),
    #[error("the header '{0}' is set by Roundtable itself and cannot be queued")]
    ReservedHeader(String),
    #[error("the message cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Builds the message for `row`, from `sender`. Its Message-ID, `<outbox-ID@sender-domain>`,
/// is the same on every attempt, so a receiver can tell a resent copy from a new message.
pub fn build_message(row: &OutboxRow, sender: &Mailbox) -> Result<Message, BadMessage> {
    let to: Mailbox = row
        .to_addr
        .parse()
        .map_err(|_| BadMessage::Recipient(row.to_addr.clone()))?;
    let mut builder = Message::builder()
        .from(sender.clone())
        .to(to)
        .subject(row.subject.as_str())
        .message_id(Some(format!(
            "<outbox-{}@{}>",
            row.id,
            sender.email.domain()
        )));
    for (name, value) in row.extra_headers()? {
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(BadMessage::ReservedHeader(name));
        }
        let header =
            HeaderName::new_from_ascii(name.clone()).map_err(|_| BadMessage::HeaderName(name))?;
        builder = builder.raw_header(HeaderValue::new(header, value));
    }
    let message = match &row.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            html.clone(),
        ))?,
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(row.body_text.clone())?,
    };
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(headers: &str, body_html: Option<&str>) -> OutboxRow {
        OutboxRow {
            id: 42,
            kind: "newsletter".into(),
            dedupe_key: None,
            to_addr: "reader@example.org".into(),
            subject: "This week: cover letters".into(),
            body_text: "Plain words.".into(),
            body_html: body_html.map(Into::into),
            headers: headers.into(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: 0,
            locked_until: Some(600),
            last_error: None,
            created_at: 0,
            sent_at: None,
        }
    }

    fn sender() -> Mailbox {
        "The Column <column@example.org>".parse().unwrap()
    }

    #[test]
    fn a_message_carries_a_stable_message_id_and_its_extra_headers() {
        let headers = r#"{"List-Unsubscribe": "<https://example.org/u/abc>"}"#;
        let message = build_message(&row(headers, Some("<p>Plain words.</p>")), &sender()).unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(
            text.contains("Message-ID: <outbox-42@example.org>"),
            "{text}"
        );
        assert!(
            text.contains("List-Unsubscribe: <https://example.org/u/abc>"),
            "{text}"
        );
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(
            text.contains("From: \"The Column\" <column@example.org>"),
            "{text}"
        );
    }

    #[test]
    fn a_text_only_message_is_a_single_plain_part() {
        let message = build_message(&row("{}", None), &sender()).unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(text.contains("Content-Type: text/plain"), "{text}");
        assert!(!text.contains("multipart"), "{text}");
    }

    #[test]
    fn headers_that_would_replace_the_envelope_or_break_the_format_are_refused() {
        for headers in [
            r#"{"From": "someone@else.org"}"#,
            r#"{"bad name": "x"}"#,
            r#"["not", "an object"]"#,
        ] {
            assert!(
                build_message(&row(headers, None), &sender()).is_err(),
                "{headers} should be refused"
            );
        }
    }
}

//! The editor's side of a change a panelist proposed to a published answer: accepting it (the
//! post changes, with a revision and, if the editor writes one, an edit note) or declining it
//! (the post stays; the proposal stays readable). Either way the panelist gets an email.

use serde::Serialize;

use super::letters::email;
use super::{Column, ColumnError, ColumnResult, SiteView};
use crate::domain::Email;
use crate::render::{human_date, SiteClock};
use crate::store::{Decision, MailKind};

/// Decides a waiting proposal; `note` is the edit note readers see, when accepted. Returns
/// the id of the post the answer is in.
pub async fn decide(
    column: &Column,
    proposal_id: i64,
    decision: Decision,
    editor_id: Option<i64>,
    note: Option<&str>,
) -> ColumnResult<i64> {
    let proposal = column.store.proposal(proposal_id).await?;
    if proposal.decision.is_some() {
        return Err(ColumnError::refused("This change was decided already."));
    }
    #[derive(Serialize)]
    struct Context<'a> {
        site: String,
        name: &'a str,
        title: &'a str,
        accepted: bool,
        body: &'a str,
    }
    let (site, _) = SiteView::load(&column.store).await?;
    let to = Email::parse(&proposal.panelist_email).map_err(|e| ColumnError::Refused(e.0))?;
    let context = Context {
        site: site.title,
        name: &proposal.panelist_name,
        title: &proposal.post_title,
        accepted: decision == Decision::Accepted,
        body: &proposal.body,
    };
    let mail = email(column, MailKind::Receipt, &to, "proposal_decided", context)?;
    column
        .store
        .decide_proposal(proposal_id, decision, editor_id, note, &mail)
        .await?;
    Ok(proposal.post_id)
}

/// The edit note offered when accepting a change: "Edited December 3, 2026 to update
/// BYLINE's answer", with the answer's public byline: readers see the note, and an anonymous
/// panelist's name must not reach them through it.
pub fn default_note(clock: &SiteClock, byline: &str) -> String {
    let date = human_date(clock, crate::store::now());
    format!("Edited {date} to update {byline}’s answer")
}

//! Answers: what a panelist sends through their invitation's link. Checking it, keeping it
//! (on time, or late once the round has closed) with their signature as edited, and queueing
//! their receipt, and the editors' alert for a late answer, in the same unit of work.

use serde::Serialize;

use super::letters::{editor_alerts, email};
use super::{Column, ColumnError, ColumnResult, SiteView};
use crate::domain::{Attribution, Email, Signature};
use crate::store::{
    now, AnswerSubmission, InvitationContext, MailKind, OutgoingMail, PanelistRow, PublishedAnswer,
};
use crate::tokens::token_hash;

/// Answers longer than this are refused, with the reason.
const MAX_CHARS: usize = 50_000;

/// An answer as the panelist typed it on their page.
#[derive(Debug, Serialize, Default, Clone)]
pub struct AnswerDraft {
    pub name: String,
    pub pronouns: String,
    pub title: String,
    pub department: String,
    pub institution: String,
    pub city: String,
    /// `named`, `role` or `anonymous`.
    pub attribution: String,
    pub role: String,
    pub show_library_type: bool,
    pub choice: String,
    pub body: String,
}

impl AnswerDraft {
    /// For an answer not signed by name: a warning when its text names the panelist, their
    /// institution or their city, which would tell readers who wrote it. Their choice still.
    pub fn self_identifying(&self) -> Option<String> {
        if self.attribution == "named" || self.body.trim().is_empty() {
            return None;
        }
        let body = self.body.to_lowercase();
        let words: Vec<&str> = body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        // A phrase is found as whole words, so "Ana" is not found in "banana".
        let mentions = |phrase: &str| {
            let phrase: Vec<String> = phrase
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect();
            !phrase.is_empty()
                && words
                    .windows(phrase.len())
                    .any(|w| w.iter().zip(&phrase).all(|(a, b)| a == b))
        };
        let mut found = Vec::new();
        let names: Vec<&str> = self
            .name
            .split_whitespace()
            .filter(|part| part.chars().count() >= 3)
            .collect();
        if let Some(part) = names.iter().find(|part| mentions(part)) {
            found.push(format!("your name (“{part}”)"));
        }
        for (what, value) in [
            ("your institution", &self.institution),
            ("your city", &self.city),
        ] {
            if mentions(value) {
                found.push(format!("{what} (“{}”)", value.trim()));
            }
        }
        if found.is_empty() {
            return None;
        }
        Some(format!(
            "Your answer is not signed with your name, but its text mentions {}: readers could tell who wrote it. Change the text if you do not want that.",
            found.join(" and ")
        ))
    }

    /// The signature as typed, empty parts left out.
    pub fn signature(&self) -> Signature {
        let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        Signature {
            name: self.name.trim().to_string(),
            pronouns: opt(&self.pronouns),
            title: opt(&self.title),
            department: opt(&self.department),
            institution: opt(&self.institution),
            city: opt(&self.city),
        }
    }
}

/// What keeps an answer from being saved, field by field, in the panelist's words.
#[derive(Debug, Serialize, Default)]
pub struct AnswerProblems {
    pub attribution: Option<String>,
    pub choice: Option<String>,
    pub body: Option<String>,
}

/// An answer that was kept: whether it came late (the round had closed), and whether it was
/// a change to a published answer, kept as a proposal for the editor.
pub struct Saved {
    pub late: bool,
    pub proposal: bool,
}

/// The invitation a link's token belongs to, if any.
pub async fn invitation(column: &Column, token: &str) -> ColumnResult<Option<InvitationContext>> {
    Ok(column.store.invitation_by_token(&token_hash(token)).await?)
}

/// Whether an answer sent now arrives too late for the round.
pub fn is_late(invitation: &InvitationContext) -> bool {
    let now = now();
    invitation.round_status != "open"
        || invitation.closes_at.is_some_and(|t| now > t)
        || now > invitation.expires_at
}

/// The problems of a draft against the round's choices; `None` when it can be saved.
fn problems(draft: &AnswerDraft, choices: &[String]) -> Option<AnswerProblems> {
    let mut problems = AnswerProblems::default();
    if draft.body.trim().is_empty() {
        problems.body = Some("Please write your answer.".into());
    } else if draft.body.chars().count() > MAX_CHARS {
        problems.body =
            Some("Your answer is longer than 50,000 characters; please shorten it.".into());
    }
    problems.attribution = match Attribution::parse(&draft.attribution) {
        None => Some("Choose how your answer is signed.".into()),
        Some(Attribution::Named) if draft.name.trim().is_empty() => {
            Some("To publish with your name, fill in your name.".into())
        }
        Some(Attribution::Role) if draft.role.trim().is_empty() => {
            Some("To publish with your role only, describe the role as it should appear.".into())
        }
        _ => None,
    };
    if !choices.is_empty() && !choices.contains(&draft.choice) {
        problems.choice = Some(format!("Pick one of: {}.", choices.join(", ")));
    }
    let any =
        problems.attribution.is_some() || problems.choice.is_some() || problems.body.is_some();
    any.then_some(problems)
}

/// Keeps a panelist's answer sent through the link `token`: refused field by field when it
/// cannot be used; otherwise saved with the receipt (and, when late, the editors' alert).
pub async fn submit(
    column: &Column,
    token: &str,
    invitation: &InvitationContext,
    panelist: &PanelistRow,
    draft: &AnswerDraft,
) -> ColumnResult<Result<Saved, AnswerProblems>> {
    let choices = column.store.round_choices(invitation.round_id).await?;
    if let Some(problems) = problems(draft, &choices) {
        return Ok(Err(problems));
    }
    let attribution = Attribution::parse(&draft.attribution).unwrap_or(Attribution::Named);
    let late = is_late(invitation);
    let mut signature = draft.signature();
    if signature.name.is_empty() {
        // Answers not signed by name may leave the name out; the profile keeps the one it had.
        signature.name = panelist.name.clone();
    }
    let submission = AnswerSubmission {
        signature,
        attribution,
        role_description: (attribution == Attribution::Role).then(|| draft.role.trim().to_string()),
        show_library_type: attribution == Attribution::Anonymous && draft.show_library_type,
        choice: Some(draft.choice.clone()).filter(|c| !c.is_empty()),
        body: draft.body.clone(),
        is_late: late,
    };
    let published = column
        .store
        .published_answer_of_invitation(invitation.invitation_id)
        .await?;
    if let Some(published) = published {
        propose(column, token, invitation, panelist, &published, &submission).await?;
        // Signing it so it shows less applies at once, to mail still waiting too.
        super::posts::refresh_queued_newsletters(column).await?;
        return Ok(Ok(Saved {
            late,
            proposal: true,
        }));
    }
    let receipt = receipt(column, token, panelist, invitation, &submission, false).await?;
    // A late answer needs the editor: the post may be out already.
    let alerts = if late {
        let link = format!("{}/admin/rounds/{}/", column.base_url, invitation.round_id);
        let text = format!(
            "{} sent an answer after the round closed: “{}”.",
            panelist.name, invitation.prompt
        );
        editor_alerts(column, "A late answer arrived", &text, &link).await?
    } else {
        Vec::new()
    };
    column
        .store
        .save_answer(invitation, &submission, &receipt, &alerts)
        .await?;
    Ok(Ok(Saved {
        late,
        proposal: false,
    }))
}

/// A change to an answer readers can already see: kept for the editor to accept or decline,
/// except a change to how it is signed that hides more of its author, which applies at once.
async fn propose(
    column: &Column,
    token: &str,
    invitation: &InvitationContext,
    panelist: &PanelistRow,
    published: &PublishedAnswer,
    change: &AnswerSubmission,
) -> ColumnResult<()> {
    let before = Attribution::parse(&published.attribution).unwrap_or(Attribution::Named);
    let hide_now = change.attribution.hides_more_than(before);
    let mut mails = vec![receipt(column, token, panelist, invitation, change, true).await?];
    let link = format!("{}/admin/posts/{}/", column.base_url, published.post_id);
    let text = format!(
        "{} proposed a change to their published answer to “{}”.",
        panelist.name, invitation.prompt
    );
    mails.extend(editor_alerts(column, "A change to a published answer", &text, &link).await?);
    column
        .store
        .propose_answer_change(invitation, published, change, hide_now, &mails)
        .await?;
    Ok(())
}

async fn receipt(
    column: &Column,
    token: &str,
    panelist: &PanelistRow,
    invitation: &InvitationContext,
    submission: &AnswerSubmission,
    proposal: bool,
) -> ColumnResult<OutgoingMail> {
    #[derive(Serialize)]
    struct Context<'a> {
        site: String,
        name: &'a str,
        prompt: &'a str,
        signed_as: String,
        choice: Option<&'a str>,
        body: &'a str,
        late: bool,
        proposal: bool,
        link: String,
        yours: String,
    }
    let (site, _) = SiteView::load(&column.store).await?;
    let to = Email::parse(&panelist.email).map_err(|e| ColumnError::Refused(e.0))?;
    let signed_as = match submission.attribution {
        Attribution::Named => format!("with your name, as “{}”", submission.signature.line()),
        Attribution::Role => format!(
            "with your role only, as “{}”",
            submission.role_description.as_deref().unwrap_or("")
        ),
        Attribution::Anonymous => "anonymously".to_string(),
    };
    let context = Context {
        site: site.title,
        name: &panelist.name,
        prompt: &invitation.prompt,
        signed_as,
        choice: submission.choice.as_deref(),
        body: &submission.body,
        late: submission.is_late,
        proposal,
        link: format!("{}/answer/{token}", column.base_url),
        yours: super::yours::link(column, panelist.id).await?,
    };
    email(column, MailKind::Receipt, &to, "receipt", context)
}

/// Withdraws the panelist's answer at once, wherever it is (published or not): readers no
/// longer see it, the editor is told, and the panelist gets a receipt.
pub async fn withdraw(
    column: &Column,
    token: &str,
    invitation: &InvitationContext,
    panelist: &PanelistRow,
) -> ColumnResult<()> {
    #[derive(Serialize)]
    struct Context<'a> {
        site: String,
        name: &'a str,
        prompt: &'a str,
        link: String,
        yours: String,
    }
    let (site, _) = SiteView::load(&column.store).await?;
    let to = Email::parse(&panelist.email).map_err(|e| ColumnError::Refused(e.0))?;
    let context = Context {
        site: site.title,
        name: &panelist.name,
        prompt: &invitation.prompt,
        link: format!("{}/answer/{token}", column.base_url),
        yours: super::yours::link(column, panelist.id).await?,
    };
    let mut mails = vec![email(column, MailKind::Receipt, &to, "withdrawn", context)?];
    let text = format!(
        "{} withdrew their answer to “{}”. It is out of the post; readers no longer see it.",
        panelist.name, invitation.prompt
    );
    let link = format!("{}/admin/rounds/{}/", column.base_url, invitation.round_id);
    mails.extend(editor_alerts(column, "An answer was withdrawn", &text, &link).await?);
    match column
        .store
        .withdraw_answer(invitation.invitation_id, &mails)
        .await
    {
        Ok(_) => Ok(super::posts::refresh_queued_newsletters(column).await?),
        Err(crate::store::StoreError::NotFound(_)) => Err(ColumnError::refused(
            "There is no answer of yours to withdraw.",
        )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::AnswerDraft;

    fn draft(attribution: &str, body: &str) -> AnswerDraft {
        AnswerDraft {
            name: "Ana Named".into(),
            institution: "Riverbend College".into(),
            city: "Hays".into(),
            attribution: attribution.into(),
            body: body.into(),
            ..AnswerDraft::default()
        }
    }

    #[test]
    fn an_anonymous_answer_that_names_its_author_is_warned_about() {
        let warning = draft(
            "anonymous",
            "At Riverbend College, ana and I ask about goals.",
        )
        .self_identifying()
        .unwrap();
        assert!(warning.contains("your name (“Ana”)"), "{warning}");
        assert!(
            warning.contains("your institution (“Riverbend College”)"),
            "{warning}"
        );
        assert!(!warning.contains("city"), "{warning}");
        let warning = draft("role", "Here in HAYS we hire twice a year.")
            .self_identifying()
            .unwrap();
        assert!(warning.contains("your city (“Hays”)"), "{warning}");
    }

    #[test]
    fn whole_words_only_and_named_answers_are_never_warned_about() {
        assert_eq!(
            draft("anonymous", "A banana, a riverbend, a college.").self_identifying(),
            None
        );
        assert_eq!(
            draft("named", "At Riverbend College, Ana asks.").self_identifying(),
            None
        );
    }
}

//! Rounds: a question put to the panel. Planning one from the composer's draft (who it goes
//! to, when it closes, when reminders go), opening it with every invitation mailed in the same
//! unit of work, reminding those who have not answered, sending one panelist's invitation
//! again, closing it and opening it again.

use serde::Serialize;

use super::letters::email;
use super::{Column, ColumnError, ColumnResult, SiteView};
use crate::domain::{Email, QuestionState, RoundStatus};
use crate::render::{day_bounds, human_date, SiteClock};
use crate::store::{
    InvitationMail, InvitationRow, MailKind, NewQuestion, NewRound, OutgoingMail, PanelistRow,
    RoundRow,
};
use crate::tokens;

/// Links keep working this long after the round closes, so late answers still arrive.
pub const GRACE_SECONDS: i64 = 14 * 86_400;
const DAY: i64 = 86_400;

/// A round as the editor types it in the composer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundDraft {
    /// The queued question it asks, as typed (empty: a question of the editor's own).
    pub question: String,
    pub prompt: String,
    pub examples: String,
    pub follow_up: String,
    /// The short-answer choices, one a line.
    pub choices: String,
    /// The closing day, YYYY-MM-DD in the site's time zone.
    pub closes_on: String,
    /// Days before closing that reminders go, such as "3,1".
    pub reminder_days: String,
    /// The series it belongs to, by id as the form sends it (empty: none).
    pub series: String,
    /// Library types the panel is filtered to; none means the whole active panel.
    #[serde(skip)]
    pub library_types: Vec<String>,
}

/// A draft that can be sent: when it closes, and the panelists it goes to.
pub struct RoundPlan {
    pub draft: RoundDraft,
    pub closes_at: i64,
    pub panel: Vec<PanelistRow>,
    choices: Vec<String>,
    reminder_days: Vec<i64>,
    site: SiteView,
    clock: SiteClock,
    /// For each panelist's link to their own page.
    yours_secret: String,
    base_url: String,
}

/// The invitation's words for one panelist.
#[derive(Serialize, Clone)]
struct InvitationText {
    site: String,
    name: String,
    prompt: String,
    examples: String,
    follow_up: String,
    choices: String,
    link: String,
    closes: String,
    /// The panelist's own page: every answer, their profile, their data.
    yours: String,
}

/// True when a panelist is among those a round filtered to `types` goes to.
pub fn in_filter(p: &PanelistRow, types: &[String]) -> bool {
    types.is_empty() || p.library_type.as_ref().is_some_and(|t| types.contains(t))
}

/// True when an active panelist can be sent an invitation: one whose address cannot take mail
/// is left out of a round, and out of the count the composer shows.
pub fn invitable(p: &PanelistRow) -> bool {
    Email::parse(&p.email).is_ok()
}

/// Checks a draft and finds its panel; refused with the sentence the composer shows.
pub async fn plan(column: &Column, draft: RoundDraft) -> ColumnResult<RoundPlan> {
    let (site, clock) = SiteView::load(&column.store).await?;
    let closes_at = parse_closing(&clock, &draft.closes_on);
    let reminder_days = parse_reminders(&draft.reminder_days);
    let panel: Vec<PanelistRow> = column
        .store
        .panelists("active")
        .await?
        .into_iter()
        .filter(|p| invitable(p) && in_filter(p, &draft.library_types))
        .collect();
    let series_known = match draft.series.trim().parse::<i64>() {
        _ if draft.series.trim().is_empty() => true,
        Ok(id) => match column.store.series(id).await {
            Ok(_) => true,
            Err(crate::store::StoreError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        },
        Err(_) => false,
    };
    let refusal = if draft.prompt.is_empty() {
        Some("Write the question the panel will answer.")
    } else if !series_known {
        Some("Choose the round’s series from the list.")
    } else if closes_at.is_none_or(|t| t <= crate::store::now()) {
        Some("Give a closing date in the future, as YYYY-MM-DD.")
    } else if reminder_days.is_none() {
        Some("Reminders are days before closing, separated by commas, such as 3,1.")
    } else if panel.is_empty() {
        Some("No active panelist matches the chosen library types.")
    } else {
        None
    };
    if let Some(sentence) = refusal {
        return Err(ColumnError::refused(sentence));
    }
    let choices = draft
        .choices
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    Ok(RoundPlan {
        closes_at: closes_at.unwrap_or_default(),
        reminder_days: reminder_days.unwrap_or_default(),
        panel,
        choices,
        draft,
        site,
        clock,
        yours_secret: column.store.secret(super::yours::SECRET).await?,
        base_url: column.base_url.clone(),
    })
}

impl RoundPlan {
    fn invitation_text(&self, panelist: &PanelistRow, link: String) -> InvitationText {
        InvitationText {
            site: self.site.title.clone(),
            name: panelist.name.clone(),
            prompt: self.draft.prompt.clone(),
            examples: self.draft.examples.clone(),
            follow_up: self.draft.follow_up.clone(),
            choices: self.choices.join(" / "),
            link,
            closes: human_date(&self.clock, self.closes_at),
            yours: super::yours::link_with(&self.base_url, &self.yours_secret, panelist.id),
        }
    }
}

/// The invitation the first panelist of the plan would get, its links left out.
pub fn preview(column: &Column, plan: &RoundPlan) -> ColumnResult<(String, OutgoingMail)> {
    let sample = &plan.panel[0];
    let to = Email::parse(&sample.email).map_err(|e| ColumnError::Refused(e.0))?;
    let mut text = plan.invitation_text(sample, format!("{}/answer/…", column.base_url));
    text.yours = format!("{}/you/…", column.base_url);
    let mail = email(column, MailKind::Invitation, &to, "invitation", text)?;
    Ok((sample.name.clone(), mail))
}

/// A round that was opened: its id and how many panelists it was sent to.
pub struct Opened {
    pub round_id: i64,
    pub invited: usize,
}

/// Opens the planned round: the question (the editor's own one is added to the queue as
/// accepted), the round, and one invitation with its email per panelist, in one unit of work.
pub async fn open(column: &Column, plan: RoundPlan) -> ColumnResult<Opened> {
    let question_id = match plan.draft.question.parse::<i64>() {
        Ok(id) => id,
        Err(_) => {
            column
                .store
                .create_question(&NewQuestion::by_editor(
                    &plan.draft.prompt,
                    QuestionState::Accepted,
                ))
                .await?
        }
    };
    let panel: Vec<&PanelistRow> = plan.panel.iter().collect();
    let ids: Vec<i64> = panel.iter().map(|p| p.id).collect();
    let secret = column.store.secret("invitations").await?;
    let invite = |panelist_id: i64, invitation_id: i64| {
        let p = panel
            .iter()
            .find(|p| p.id == panelist_id)
            .ok_or("unknown panelist")?;
        let to = Email::parse(&p.email).map_err(|e| e.0)?;
        let token = tokens::invitation(&secret, invitation_id);
        let text = plan.invitation_text(p, format!("{}/answer/{token}", column.base_url));
        let mail = email(column, MailKind::Invitation, &to, "invitation", text)
            .map_err(|e| e.to_string())?;
        Ok((tokens::token_hash(&token), mail))
    };
    let draft = &plan.draft;
    let round = NewRound {
        question_id,
        series_id: draft.series.trim().parse().ok(),
        prompt: draft.prompt.clone(),
        examples: Some(draft.examples.clone()).filter(|v| !v.is_empty()),
        follow_up: Some(draft.follow_up.clone()).filter(|v| !v.is_empty()),
        choices: plan.choices.clone(),
        library_types: draft.library_types.clone(),
        closes_at: Some(plan.closes_at),
        status: RoundStatus::Open,
    };
    let reminder_days = plan
        .reminder_days
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let expires_at = plan.closes_at + GRACE_SECONDS;
    let round_id = column
        .store
        .open_round(&round, &reminder_days, &ids, expires_at, invite)
        .await?;
    Ok(Opened {
        round_id,
        invited: ids.len(),
    })
}

/// The words of a round's invitation or reminder, for one invited panelist.
struct RoundLetter {
    site: SiteView,
    clock: SiteClock,
    round: RoundRow,
    choices: String,
    secret: String,
    yours_secret: String,
}

impl RoundLetter {
    async fn load(column: &Column, round_id: i64) -> ColumnResult<RoundLetter> {
        let round = column.store.round(round_id).await?;
        let (site, clock) = SiteView::load(&column.store).await?;
        Ok(RoundLetter {
            choices: column.store.round_choices(round_id).await?.join(" / "),
            secret: column.store.secret("invitations").await?,
            yours_secret: column.store.secret(super::yours::SECRET).await?,
            site,
            clock,
            round,
        })
    }

    /// The mail of `kind` (written with the email template `template`) to the panelist of
    /// `invitation`, with their link; `None` when their address cannot take mail.
    fn mail(
        &self,
        column: &Column,
        (kind, template): (MailKind, &str),
        invitation: &InvitationRow,
    ) -> ColumnResult<Option<InvitationMail>> {
        let Ok(to) = Email::parse(&invitation.email) else {
            return Ok(None);
        };
        let (token, new_token_hash) = link_token(&self.secret, invitation);
        let text = InvitationText {
            site: self.site.title.clone(),
            name: invitation.panelist_name.clone(),
            prompt: self.round.prompt.clone(),
            examples: self.round.examples.clone().unwrap_or_default(),
            follow_up: self.round.follow_up.clone().unwrap_or_default(),
            choices: self.choices.clone(),
            link: format!("{}/answer/{token}", column.base_url),
            closes: self
                .round
                .closes_at
                .map(|t| human_date(&self.clock, t))
                .unwrap_or_default(),
            yours: super::yours::link_with(
                &column.base_url,
                &self.yours_secret,
                invitation.panelist_id,
            ),
        };
        Ok(Some(InvitationMail {
            invitation_id: invitation.id,
            mail: email(column, kind, &to, template, text)?,
            new_token_hash,
        }))
    }
}

/// The token of an invitation's link, and the hash to keep when it is a new one: the link it
/// was sent with when that can be made again, or else (a token made at random, as the demo's
/// once were) a new link, which its row takes in the unit of work that mails it.
fn link_token(secret: &str, invitation: &InvitationRow) -> (String, Option<String>) {
    match tokens::invitation_link(secret, invitation.id, &invitation.token_hash) {
        Some(token) => (token, None),
        None => {
            let token = tokens::invitation(secret, invitation.id);
            let hash = tokens::token_hash(&token);
            (token, Some(hash))
        }
    }
}

/// Queues a reminder to everyone in the round who has not answered; `label` names this
/// reminder, so running it again queues nothing twice. Returns how many were queued.
pub async fn remind(column: &Column, round_id: i64, label: &str) -> ColumnResult<usize> {
    let letter = RoundLetter::load(column, round_id).await?;
    let mut mails = Vec::new();
    for invitation in column.store.invitations_of_round(round_id).await? {
        if invitation.answered_at.is_some() {
            continue;
        }
        mails.extend(letter.mail(column, (MailKind::Reminder, "reminder"), &invitation)?);
    }
    Ok(column
        .store
        .queue_reminders(round_id, label, &mails)
        .await?)
}

/// An invitation sent again: to whom, and whether its link is a new one.
pub struct Resent {
    pub name: String,
    /// True when the link they had could not be made again and the mail carries a new one.
    pub new_link: bool,
}

/// Sends one panelist's invitation again, with the link they were sent. Only while the round
/// is open: a closed one is reopened first.
pub async fn resend(column: &Column, round_id: i64, invitation_id: i64) -> ColumnResult<Resent> {
    let letter = RoundLetter::load(column, round_id).await?;
    if letter.round.status != RoundStatus::Open.as_str() {
        return Err(ColumnError::refused(
            "This round is not open. Reopen it before sending an invitation again.",
        ));
    }
    let invitation = column
        .store
        .invitation_of_round(round_id, invitation_id)
        .await?;
    let Some(mail) = letter.mail(column, (MailKind::Invitation, "invitation"), &invitation)? else {
        return Err(ColumnError::Refused(format!(
            "{}'s address cannot take mail; correct it on the panel page first.",
            invitation.panelist_name
        )));
    };
    column.store.resend_invitation(&mail).await?;
    Ok(Resent {
        name: invitation.panelist_name,
        new_link: mail.new_token_hash.is_some(),
    })
}

/// An invitation as the round's page shows it to the editor, with the panelist's link.
pub struct Invited {
    pub invitation: InvitationRow,
    /// The link the panelist was sent; `None` when it cannot be made again (a token made at
    /// random): sending the invitation again gives them a new one.
    pub link: Option<String>,
}

/// The round's invitations, each with the link its panelist answers through.
pub async fn invitations(column: &Column, round_id: i64) -> ColumnResult<Vec<Invited>> {
    let secret = column.store.secret("invitations").await?;
    Ok(column
        .store
        .invitations_of_round(round_id)
        .await?
        .into_iter()
        .map(|invitation| Invited {
            link: tokens::invitation_link(&secret, invitation.id, &invitation.token_hash)
                .map(|token| format!("{}/answer/{token}", column.base_url)),
            invitation,
        })
        .collect())
}

/// Stops taking answers on time; answers from now on are kept as late answers. False when the
/// round was not open (closed already, say, by the scheduler a moment before).
pub async fn close(column: &Column, round_id: i64) -> ColumnResult<bool> {
    Ok(column.store.close_round(round_id).await?)
}

/// Opens a closed round again, until the day `closes_on` (YYYY-MM-DD in the site's time zone)
/// or, left empty, until its closing date if that is still to come. The answers kept stay,
/// and every link works again. A round whose post is published stays closed: what arrives
/// now waits on the post's page as a late answer. Returns the new closing time.
pub async fn reopen(column: &Column, round_id: i64, closes_on: &str) -> ColumnResult<i64> {
    let round = column.store.round(round_id).await?;
    let refusal = match RoundStatus::parse(&round.status) {
        Some(RoundStatus::Closed) => None,
        Some(RoundStatus::Published) => Some(
            "This round's post is published, so the round stays closed; answers that still \
             come through the links wait on the post's page as late answers.",
        ),
        _ => Some("Only a closed round can be reopened."),
    };
    if let Some(sentence) = refusal {
        return Err(ColumnError::refused(sentence));
    }
    let (_, clock) = SiteView::load(&column.store).await?;
    let closes_at = if closes_on.trim().is_empty() {
        round
            .closes_at
            .filter(|t| *t > crate::store::now())
            .ok_or_else(|| {
                ColumnError::refused(
                    "The round's closing date has passed: give a new one, as YYYY-MM-DD.",
                )
            })?
    } else {
        parse_closing(&clock, closes_on)
            .filter(|t| *t > crate::store::now())
            .ok_or_else(|| {
                ColumnError::refused("Give a closing date in the future, as YYYY-MM-DD.")
            })?
    };
    column
        .store
        .reopen_round(round_id, closes_at, closes_at + GRACE_SECONDS)
        .await?;
    Ok(closes_at)
}

/// The reminders due at `at`: `(round id, label)` for each open round whose schedule has a
/// reminder day that `at` falls within.
pub async fn reminders_due(column: &Column, at: i64) -> ColumnResult<Vec<(i64, String)>> {
    let mut due = Vec::new();
    for (round_id, closes_at, days) in column.store.open_round_schedules().await? {
        for day in days.split(',').filter_map(|d| d.trim().parse::<i64>().ok()) {
            if at >= closes_at - day * DAY && at < closes_at {
                due.push((round_id, format!("{day}d")));
            }
        }
    }
    Ok(due)
}

/// The closing time: the end of the given day in the site's time zone.
fn parse_closing(clock: &SiteClock, text: &str) -> Option<i64> {
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    day_bounds(clock, date.year(), date.month(), date.day()).map(|(_, end)| end - 1)
}

fn parse_reminders(text: &str) -> Option<Vec<i64>> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<i64>().ok().filter(|d| (0..=60).contains(d)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_days_are_small_numbers_separated_by_commas() {
        assert_eq!(parse_reminders("3, 1"), Some(vec![3, 1]));
        assert_eq!(parse_reminders(""), Some(vec![]));
        assert_eq!(parse_reminders("3,x"), None);
        assert_eq!(parse_reminders("90"), None);
    }
}

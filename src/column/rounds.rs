//! Rounds: a question put to the panel. Planning one from the composer's draft (who it goes
//! to, when it closes, when reminders go), opening it with every invitation mailed in the same
//! unit of work, reminding those who have not answered, and closing it.

use serde::Serialize;

use super::letters::email;
use super::{Column, ColumnError, ColumnResult, SiteView};
use crate::domain::{Email, QuestionState, RoundStatus};
use crate::render::{day_bounds, human_date, SiteClock};
use crate::store::{MailKind, NewQuestion, NewRound, OutgoingMail, PanelistRow};
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
}

/// True when a panelist is among those a round filtered to `types` goes to.
pub fn in_filter(p: &PanelistRow, types: &[String]) -> bool {
    types.is_empty() || p.library_type.as_ref().is_some_and(|t| types.contains(t))
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
        .filter(|p| in_filter(p, &draft.library_types))
        .collect();
    let refusal = if draft.prompt.is_empty() {
        Some("Write the question the panel will answer.")
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
        }
    }
}

/// The invitation the first panelist of the plan would get, its link left out.
pub fn preview(column: &Column, plan: &RoundPlan) -> ColumnResult<(String, OutgoingMail)> {
    let sample = &plan.panel[0];
    let to = Email::parse(&sample.email).map_err(|e| ColumnError::Refused(e.0))?;
    let text = plan.invitation_text(sample, format!("{}/answer/…", column.base_url));
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
    let panel: Vec<&PanelistRow> = plan
        .panel
        .iter()
        .filter(|p| Email::parse(&p.email).is_ok())
        .collect();
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
        series_id: None,
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

/// Queues a reminder to everyone in the round who has not answered; `label` names this
/// reminder, so running it again queues nothing twice. Returns how many were queued.
pub async fn remind(column: &Column, round_id: i64, label: &str) -> ColumnResult<usize> {
    let round = column.store.round(round_id).await?;
    let (site, clock) = SiteView::load(&column.store).await?;
    let closes = round
        .closes_at
        .map(|t| human_date(&clock, t))
        .unwrap_or_default();
    let secret = column.store.secret("invitations").await?;
    let mut mails: Vec<(i64, OutgoingMail)> = Vec::new();
    for invitation in column.store.invitations_of_round(round_id).await? {
        if invitation.answered_at.is_some() {
            continue;
        }
        let Ok(to) = Email::parse(&invitation.email) else {
            continue;
        };
        let token = tokens::invitation_for_reminder(&secret, invitation.id, &invitation.token_hash);
        let text = InvitationText {
            site: site.title.clone(),
            name: invitation.panelist_name.clone(),
            prompt: round.prompt.clone(),
            examples: round.examples.clone().unwrap_or_default(),
            follow_up: round.follow_up.clone().unwrap_or_default(),
            choices: String::new(),
            link: format!("{}/answer/{token}", column.base_url),
            closes: closes.clone(),
        };
        let mail = email(column, MailKind::Reminder, &to, "reminder", text)?;
        mails.push((invitation.id, mail));
    }
    Ok(column
        .store
        .queue_reminders(round_id, label, &mails)
        .await?)
}

/// Stops taking answers on time; answers from now on are kept as late answers.
pub async fn close(column: &Column, round_id: i64) -> ColumnResult<()> {
    Ok(column.store.close_round(round_id).await?)
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

//! Rounds: composing one from a question (panel, choices, closing date, reminders), previewing
//! the invitation, sending it, and watching who opened and answered.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::dashboard::RoundLine;
use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::app::SharedState;
use crate::auth::token_hash;
use crate::domain::{Email, RoundStatus};
use crate::render::{day_bounds, human_date, SiteClock};
use crate::store::{MailKind, NewRound, OutgoingMail, PanelistRow};
use crate::web::id::Id;
use crate::web::views::SiteView;
use crate::web::{mailer, WebError};

/// The token in an invitation's link: derived from a 256-bit secret kept in the database and
/// the invitation's id, so the same link can be written again in reminders while the database
/// keeps only its hash. Without the secret it cannot be guessed.
pub fn invitation_token(secret: &str, invitation_id: i64) -> String {
    crate::auth::derived_token(secret, "invitation", &invitation_id.to_string())
}

/// The token of an invitation sent before tokens were HMACs (a plain SHA-256 of the secret
/// and the id): a reminder for such an invitation must carry the link its database row knows.
fn reminder_token(secret: &str, invitation_id: i64, stored_hash: &str) -> String {
    let legacy = token_hash(&format!("{secret}:invitation:{invitation_id}"));
    if token_hash(&legacy) == stored_hash {
        legacy
    } else {
        invitation_token(secret, invitation_id)
    }
}

/// Links keep working this long after the round closes, so late answers still arrive.
pub const GRACE_SECONDS: i64 = 14 * 86_400;

#[derive(Serialize)]
struct RoundsPage {
    chrome: AdminChrome,
    rounds: Vec<RoundLine>,
}

pub async fn list(State(state): State<SharedState>, who: SignedIn) -> Result<Response, WebError> {
    let (_, clock) = SiteView::load(&state.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let rounds = state
        .store
        .round_summaries(None)
        .await?
        .into_iter()
        .map(|r| RoundLine::new(r, &clock))
        .collect();
    page(&state, "admin/rounds.html", RoundsPage { chrome, rounds })
}

#[derive(Deserialize)]
pub struct ComposeQuery {
    #[serde(default)]
    question: Option<i64>,
}

#[derive(Serialize, Default)]
struct ComposeForm {
    question: String,
    prompt: String,
    examples: String,
    follow_up: String,
    choices: String,
    closes_on: String,
    reminder_days: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Preview {
    to: String,
    subject: String,
    body: String,
}

#[derive(Serialize)]
struct ComposePage {
    chrome: AdminChrome,
    form: ComposeForm,
    library_types: Vec<Choice>,
    panel_size: usize,
    recipients: usize,
    preview: Option<Preview>,
    error: Option<String>,
}

/// The invitation's words for one panelist.
#[derive(Serialize, Clone)]
pub struct InvitationText {
    pub site: String,
    pub name: String,
    pub prompt: String,
    pub examples: String,
    pub follow_up: String,
    pub choices: String,
    pub link: String,
    pub closes: String,
}

async fn compose_context(
    state: &SharedState,
    chrome: AdminChrome,
    form: ComposeForm,
    chosen_types: &[String],
) -> Result<ComposePage, WebError> {
    let panel = state.store.panelists("active").await?;
    let recipients = panel.iter().filter(|p| in_filter(p, chosen_types)).count();
    let library_types = state
        .store
        .library_types()
        .await?
        .into_iter()
        .map(|(value, label)| Choice {
            selected: chosen_types.contains(&value),
            value,
            label,
        })
        .collect();
    Ok(ComposePage {
        chrome,
        form,
        library_types,
        panel_size: panel.len(),
        recipients,
        preview: None,
        error: None,
    })
}

fn in_filter(p: &PanelistRow, types: &[String]) -> bool {
    types.is_empty() || p.library_type.as_ref().is_some_and(|t| types.contains(t))
}

pub async fn compose_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::new(&state, &who.editor, &who.csrf).await?;
    let (_, clock) = SiteView::load(&state.store).await?;
    let in_two_weeks = jiff::Timestamp::now()
        .to_zoned(clock.tz.clone())
        .date()
        .saturating_add(jiff::Span::new().days(14));
    let mut form = ComposeForm {
        closes_on: in_two_weeks.to_string(),
        reminder_days: "3,1".into(),
        ..ComposeForm::default()
    };
    if let Some(id) = q.question {
        let question = state.store.question(id).await?;
        form.question = id.to_string();
        form.prompt = question.prompt;
        form.examples = question.examples.unwrap_or_default();
        form.follow_up = question.follow_up.unwrap_or_default();
    }
    page(
        &state,
        "admin/round_new.html",
        compose_context(&state, chrome, form, &[]).await?,
    )
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

pub async fn compose(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let (site, clock) = SiteView::load(&state.store).await?;
    let chosen: Vec<String> = form
        .all("library_type")
        .into_iter()
        .map(str::to_string)
        .collect();
    let compose_form = ComposeForm {
        question: form.get("question").to_string(),
        prompt: form.get("prompt").to_string(),
        examples: form.get("examples").to_string(),
        follow_up: form.get("follow_up").to_string(),
        choices: form.raw("choices").to_string(),
        closes_on: form.get("closes_on").to_string(),
        reminder_days: form.get("reminder_days").to_string(),
    };
    let closes_at = parse_closing(&clock, &compose_form.closes_on);
    let reminders = parse_reminders(&compose_form.reminder_days);
    let question_id: Option<i64> = compose_form.question.parse().ok();
    let choices: Vec<String> = compose_form
        .choices
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let panel: Vec<PanelistRow> = state
        .store
        .panelists("active")
        .await?
        .into_iter()
        .filter(|p| in_filter(p, &chosen))
        .collect();
    let error = if compose_form.prompt.is_empty() {
        Some("Write the question the panel will answer.")
    } else if closes_at.is_none_or(|t| t <= crate::store::now()) {
        Some("Give a closing date in the future, as YYYY-MM-DD.")
    } else if reminders.is_none() {
        Some("Reminders are days before closing, separated by commas, such as 3,1.")
    } else if panel.is_empty() {
        Some("No active panelist matches the chosen library types.")
    } else {
        None
    };
    let base = state.base_url.clone();
    let closes = closes_at.map(|t| human_date(&clock, t)).unwrap_or_default();
    let template = InvitationText {
        site: site.title.clone(),
        name: String::new(),
        prompt: compose_form.prompt.clone(),
        examples: compose_form.examples.clone(),
        follow_up: compose_form.follow_up.clone(),
        choices: choices.join(" / "),
        link: String::new(),
        closes,
    };
    let text_for = |p: &PanelistRow, link: String| InvitationText {
        name: p.name.clone(),
        link,
        ..template.clone()
    };
    if error.is_some() || form.get("action") != "send" {
        let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
        let mut context = compose_context(&state, chrome, compose_form, &chosen).await?;
        let status = if let Some(error) = error {
            context.error = Some(error.to_string());
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            let sample = &panel[0];
            let to = Email::parse(&sample.email).map_err(|e| WebError::BadRequest(e.0))?;
            let mail = mailer::email(
                &state,
                MailKind::Invitation,
                &to,
                "invitation",
                text_for(sample, format!("{base}/answer/…")),
            )?;
            context.preview = Some(Preview {
                to: sample.name.clone(),
                subject: mail.subject,
                body: mail.body_text,
            });
            StatusCode::OK
        };
        return page_with_status(&state, status, "admin/round_new.html", context);
    }
    let question_id = match question_id {
        Some(id) => id,
        None => {
            state
                .store
                .create_question(&crate::store::NewQuestion::by_editor(
                    &compose_form.prompt,
                    crate::domain::QuestionState::Accepted,
                ))
                .await?
        }
    };
    let closes_at = closes_at.unwrap_or_default();
    let panel: Vec<&PanelistRow> = panel
        .iter()
        .filter(|p| Email::parse(&p.email).is_ok())
        .collect();
    let ids: Vec<i64> = panel.iter().map(|p| p.id).collect();
    let secret = state.store.secret("invitations").await?;
    let invite = |panelist_id: i64, invitation_id: i64| {
        let p = panel
            .iter()
            .find(|p| p.id == panelist_id)
            .ok_or("unknown panelist")?;
        let to = Email::parse(&p.email).map_err(|e| e.0)?;
        let token = invitation_token(&secret, invitation_id);
        let text = text_for(p, format!("{base}/answer/{token}"));
        let mail = mailer::email(&state, MailKind::Invitation, &to, "invitation", text)
            .map_err(|e| e.to_string())?;
        Ok((token_hash(&token), mail))
    };
    let round = NewRound {
        question_id,
        series_id: None,
        prompt: compose_form.prompt.clone(),
        examples: Some(compose_form.examples.clone()).filter(|v| !v.is_empty()),
        follow_up: Some(compose_form.follow_up.clone()).filter(|v| !v.is_empty()),
        choices,
        library_types: chosen,
        closes_at: Some(closes_at),
        status: RoundStatus::Open,
    };
    let reminder_days = reminders
        .unwrap_or_default()
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let id = state
        .store
        .open_round(
            &round,
            &reminder_days,
            &ids,
            closes_at + GRACE_SECONDS,
            invite,
        )
        .await?;
    done(
        &state,
        &form,
        &format!("/admin/rounds/{id}/"),
        &format!("Invitations are on their way to {} panelists.", ids.len()),
    )
    .await
}

#[derive(Serialize)]
struct InvitationLine {
    name: String,
    sent: String,
    opened: String,
    answered: String,
    reminded: String,
}

#[derive(Serialize)]
struct RoundView {
    id: i64,
    prompt: String,
    status: String,
}

#[derive(Serialize)]
struct MonitorPage {
    chrome: AdminChrome,
    round: RoundView,
    closes: String,
    invitations: Vec<InvitationLine>,
    answered: usize,
    opened: usize,
    rate: usize,
}

pub async fn monitor(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let round = state.store.round(id).await?;
    let (_, clock) = SiteView::load(&state.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let when = |t: Option<i64>| {
        t.map(|t| human_date(&clock, t))
            .unwrap_or_else(|| "—".into())
    };
    let invitations: Vec<InvitationLine> = state
        .store
        .invitations_of_round(id)
        .await?
        .into_iter()
        .map(|i| InvitationLine {
            name: i.panelist_name,
            sent: when(i.sent_at),
            opened: when(i.opened_at),
            answered: when(i.answered_at),
            reminded: when(i.reminded_at),
        })
        .collect();
    let answered = invitations.iter().filter(|i| i.answered != "—").count();
    let opened = invitations.iter().filter(|i| i.opened != "—").count();
    let rate = if invitations.is_empty() {
        0
    } else {
        answered * 100 / invitations.len()
    };
    let context = MonitorPage {
        chrome,
        closes: round
            .closes_at
            .map(|t| human_date(&clock, t))
            .unwrap_or_default(),
        round: RoundView {
            id: round.id,
            prompt: round.prompt,
            status: round.status,
        },
        invitations,
        answered,
        opened,
        rate,
    };
    page(&state, "admin/round.html", context)
}

/// Reminder emails for everyone in the round who has not answered; `label` keeps each
/// scheduled reminder from being queued twice.
pub async fn queue_reminders(
    state: &SharedState,
    base: &str,
    round_id: i64,
    label: &str,
) -> Result<usize, WebError> {
    let round = state.store.round(round_id).await?;
    let (site, clock) = SiteView::load(&state.store).await?;
    let closes = round
        .closes_at
        .map(|t| human_date(&clock, t))
        .unwrap_or_default();
    let secret = state.store.secret("invitations").await?;
    let mut mails: Vec<(i64, OutgoingMail)> = Vec::new();
    for invitation in state.store.invitations_of_round(round_id).await? {
        if invitation.answered_at.is_some() {
            continue;
        }
        let Ok(to) = Email::parse(&invitation.email) else {
            continue;
        };
        let token = reminder_token(&secret, invitation.id, &invitation.token_hash);
        let text = InvitationText {
            site: site.title.clone(),
            name: invitation.panelist_name.clone(),
            prompt: round.prompt.clone(),
            examples: round.examples.clone().unwrap_or_default(),
            follow_up: round.follow_up.clone().unwrap_or_default(),
            choices: String::new(),
            link: format!("{base}/answer/{token}"),
            closes: closes.clone(),
        };
        mails.push((
            invitation.id,
            mailer::email(state, MailKind::Reminder, &to, "reminder", text)?,
        ));
    }
    Ok(state.store.queue_reminders(round_id, label, &mails).await?)
}

pub async fn remind(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let base = state.base_url.clone();
    let label = format!("manual-{}", crate::store::now());
    let n = queue_reminders(&state, &base, id, &label).await?;
    done(
        &state,
        &form,
        &format!("/admin/rounds/{id}/"),
        &format!("Reminders queued for {n} panelists."),
    )
    .await
}

pub async fn close(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    state.store.close_round(id).await?;
    done(
        &state,
        &form,
        &format!("/admin/rounds/{id}/"),
        "The round is closed; answers from now on are kept as late answers.",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_carries_the_link_its_invitation_was_sent_with() {
        let secret = "s3cret";
        let legacy = token_hash(&format!("{secret}:invitation:7"));
        assert_eq!(reminder_token(secret, 7, &token_hash(&legacy)), legacy);
        let current = invitation_token(secret, 7);
        assert_eq!(reminder_token(secret, 7, &token_hash(&current)), current);
    }
}

//! Rounds: composing one from a question (panel, choices, closing date, reminders), previewing
//! the invitation, sending it, and watching who opened and answered; from the round's page,
//! sending one panelist's invitation again or copying their link, closing the round (after a
//! confirmation) and reopening it.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::rounds::{self, in_filter, invitable, RoundDraft};
use crate::column::{ColumnError, SiteView};
use crate::domain::RoundStatus;
use crate::render::{human_date, SiteClock};
use crate::store::{RoundRow, RoundSummary};
use crate::web::id::Id;
use crate::web::{SharedState, WebError};

#[derive(Serialize)]
struct RoundsPage {
    chrome: AdminChrome,
    rounds: Vec<RoundLine>,
}

pub async fn list(State(state): State<SharedState>, who: SignedIn) -> Result<Response, WebError> {
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let rounds = state
        .column
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

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
    /// How many of the panel the round goes to have this library type, for the live count.
    count: usize,
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
    /// The series a round may belong to.
    series: Vec<crate::store::SeriesRow>,
    form: RoundDraft,
    library_types: Vec<Choice>,
    panel_size: usize,
    recipients: usize,
    preview: Option<Preview>,
    error: Option<String>,
}

async fn compose_context(
    state: &SharedState,
    chrome: AdminChrome,
    form: RoundDraft,
    chosen_types: &[String],
) -> Result<ComposePage, WebError> {
    let panel: Vec<_> = state
        .column
        .store
        .panelists("active")
        .await?
        .into_iter()
        .filter(invitable)
        .collect();
    let recipients = panel.iter().filter(|p| in_filter(p, chosen_types)).count();
    let library_types = state
        .column
        .store
        .library_types()
        .await?
        .into_iter()
        .map(|(value, label)| Choice {
            selected: chosen_types.contains(&value),
            count: panel
                .iter()
                .filter(|p| p.library_type.as_ref() == Some(&value))
                .count(),
            value,
            label,
        })
        .collect();
    let series = state.column.store.all_series().await?;
    Ok(ComposePage {
        chrome,
        series,
        form,
        library_types,
        panel_size: panel.len(),
        recipients,
        preview: None,
        error: None,
    })
}

pub async fn compose_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::new(&state, &who.editor, &who.csrf).await?;
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let in_two_weeks = jiff::Timestamp::now()
        .to_zoned(clock.tz.clone())
        .date()
        .saturating_add(jiff::Span::new().days(14));
    // The first series is the usual one.
    let series = state.column.store.all_series().await?;
    let mut form = RoundDraft {
        closes_on: in_two_weeks.to_string(),
        reminder_days: "3,1".into(),
        series: series.first().map(|s| s.id.to_string()).unwrap_or_default(),
        ..RoundDraft::default()
    };
    if let Some(id) = q.question {
        let question = state.column.store.question(id).await?;
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

pub async fn compose(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let draft = RoundDraft {
        question: form.get("question").to_string(),
        prompt: form.get("prompt").to_string(),
        examples: form.get("examples").to_string(),
        follow_up: form.get("follow_up").to_string(),
        choices: form.raw("choices").to_string(),
        closes_on: form.get("closes_on").to_string(),
        reminder_days: form.get("reminder_days").to_string(),
        series: form.get("series").to_string(),
        library_types: form
            .all("library_type")
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    let chosen = draft.library_types.clone();
    let planned = rounds::plan(&state.column, draft.clone()).await;
    let plan = match planned {
        Ok(plan) if form.get("action") == "send" => plan,
        Ok(plan) => {
            let (to, mail) = rounds::preview(&state.column, &plan)?;
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let mut context = compose_context(&state, chrome, plan.draft, &chosen).await?;
            context.preview = Some(Preview {
                to,
                subject: mail.subject,
                body: mail.body_text,
            });
            return page(&state, "admin/round_new.html", context);
        }
        Err(ColumnError::Refused(error)) => {
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let mut context = compose_context(&state, chrome, draft, &chosen).await?;
            context.error = Some(error);
            return page_with_status(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/round_new.html",
                context,
            );
        }
        Err(e) => return Err(e.into()),
    };
    let opened = rounds::open(&state.column, plan).await?;
    done(
        &state,
        &form,
        &format!("/admin/rounds/{}/", opened.round_id),
        &match opened.invited {
            1 => "The invitation is on its way to 1 panelist.".to_string(),
            n => format!("Invitations are on their way to {n} panelists."),
        },
    )
    .await
}

/// A round as the lists show it (the rounds page, the dashboard): its state and its replies.
#[derive(Serialize)]
pub struct RoundLine {
    id: i64,
    prompt: String,
    status: String,
    closes: String,
    invited: i64,
    opened: i64,
    answered: i64,
    rate: i64,
}

impl RoundLine {
    pub fn new(r: RoundSummary, clock: &SiteClock) -> RoundLine {
        RoundLine {
            rate: if r.invited > 0 {
                r.answered * 100 / r.invited
            } else {
                0
            },
            closes: closing_words(&r.status, r.closes_at, r.closed_at, clock),
            id: r.id,
            prompt: r.prompt,
            status: r.status,
            invited: r.invited,
            opened: r.opened,
            answered: r.answered,
        }
    }
}

/// What a round's date means now: "closes …" while it is open, "closed on …" once it is not.
pub fn closing_words(
    status: &str,
    closes_at: Option<i64>,
    closed_at: Option<i64>,
    clock: &SiteClock,
) -> String {
    let date = |t: i64| human_date(clock, t);
    match RoundStatus::parse(status) {
        Some(RoundStatus::Open) => closes_at.map(|t| format!("closes {}", date(t))),
        Some(RoundStatus::Closed | RoundStatus::Published) => closed_at
            .or(closes_at)
            .map(|t| format!("closed on {}", date(t))),
        _ => None,
    }
    .unwrap_or_default()
}

#[derive(Serialize)]
struct InvitationLine {
    id: i64,
    name: String,
    sent: String,
    opened: String,
    answered: String,
    reminded: String,
    /// The panelist's answer link, for the editor to copy; `None` when it cannot be made
    /// again, and sending the invitation again gives them a new one.
    link: Option<String>,
}

#[derive(Serialize)]
struct RoundView {
    id: i64,
    prompt: String,
    status: String,
    /// "closes …" or "closed on …".
    when: String,
}

impl RoundView {
    fn new(round: RoundRow, clock: &SiteClock) -> RoundView {
        RoundView {
            when: closing_words(&round.status, round.closes_at, round.closed_at, clock),
            id: round.id,
            prompt: round.prompt,
            status: round.status,
        }
    }
}

/// The reopen form as it is shown: the date as typed, and why it was refused.
#[derive(Serialize, Default)]
struct ReopenForm {
    closes_on: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct MonitorPage {
    chrome: AdminChrome,
    round: RoundView,
    invitations: Vec<InvitationLine>,
    answered: usize,
    opened: usize,
    rate: usize,
    reopen: ReopenForm,
}

pub async fn monitor(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    monitor_page(&state, chrome, id, None).await
}

/// The round's page; `reopen` is the reopen form sent back with its refusal.
async fn monitor_page(
    state: &SharedState,
    chrome: AdminChrome,
    id: i64,
    reopen: Option<ReopenForm>,
) -> Result<Response, WebError> {
    let round = state.column.store.round(id).await?;
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let when = |t: Option<i64>| {
        t.map(|t| human_date(&clock, t))
            .unwrap_or_else(|| "—".into())
    };
    let invitations: Vec<InvitationLine> = rounds::invitations(&state.column, id)
        .await?
        .into_iter()
        .map(
            |rounds::Invited {
                 invitation: i,
                 link,
             }| InvitationLine {
                id: i.id,
                name: i.panelist_name,
                sent: when(i.sent_at),
                opened: when(i.opened_at),
                answered: when(i.answered_at),
                reminded: when(i.reminded_at),
                link,
            },
        )
        .collect();
    let answered = invitations.iter().filter(|i| i.answered != "—").count();
    let opened = invitations.iter().filter(|i| i.opened != "—").count();
    let rate = (answered * 100)
        .checked_div(invitations.len())
        .unwrap_or_default();
    // The reopen form offers the round's own closing date while it is still to come.
    let reopen = reopen.unwrap_or_else(|| ReopenForm {
        closes_on: round
            .closes_at
            .filter(|t| *t > crate::store::now())
            .map(|t| crate::render::iso_date(&clock, t))
            .unwrap_or_default(),
        error: None,
    });
    let status = match reopen.error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let context = MonitorPage {
        chrome,
        round: RoundView::new(round, &clock),
        invitations,
        answered,
        opened,
        rate,
        reopen,
    };
    page_with_status(state, status, "admin/round.html", context)
}

pub async fn remind(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let label = format!("manual-{}", crate::store::now());
    let n = rounds::remind(&state.column, id, &label).await?;
    done(
        &state,
        &form,
        &format!("/admin/rounds/{id}/"),
        &format!("Reminders queued for {n} panelists."),
    )
    .await
}

/// One panelist's invitation, sent again with their link.
pub async fn resend(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let invitation = form
        .get("invitation")
        .parse::<i64>()
        .map_err(|_| WebError::NotFound)?;
    let resent = rounds::resend(&state.column, id, invitation).await?;
    let link = if resent.new_link {
        "with a new link (the one they had could not be made again, and no longer works)"
    } else {
        "with the same link as before"
    };
    done(
        &state,
        &form,
        &format!("/admin/rounds/{id}/"),
        &format!(
            "The invitation is on its way to {} again, {link}.",
            resent.name
        ),
    )
    .await
}

#[derive(Serialize)]
struct ClosePage {
    chrome: AdminChrome,
    round: RoundView,
    answered: i64,
    invited: i64,
}

/// Asks before closing: what closing does, and how many have answered.
async fn close_page(
    state: &SharedState,
    chrome: AdminChrome,
    id: i64,
) -> Result<Response, WebError> {
    let round = state.column.store.round(id).await?;
    if round.status != RoundStatus::Open.as_str() {
        return Ok(Redirect::to(&format!("/admin/rounds/{id}/")).into_response());
    }
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let invitations = state.column.store.invitations_of_round(id).await?;
    let context = ClosePage {
        chrome,
        answered: invitations
            .iter()
            .filter(|i| i.answered_at.is_some())
            .count() as i64,
        invited: invitations.len() as i64,
        round: RoundView::new(round, &clock),
    };
    page(state, "admin/round_close.html", context)
}

pub async fn confirm_close(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::new(&state, &who.editor, &who.csrf).await?;
    close_page(&state, chrome, id).await
}

/// Closes the round once the editor has said yes on the confirmation; without that answer,
/// the confirmation is what comes back.
pub async fn close(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    if form.get("confirm") != "yes" {
        let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
        return close_page(&state, chrome, id).await;
    }
    let notice = if rounds::close(&state.column, id).await? {
        "The round is closed; answers from now on are kept as late answers. You can reopen it here."
    } else {
        "The round was already closed."
    };
    done(&state, &form, &format!("/admin/rounds/{id}/"), notice).await
}

/// Opens a closed round again until the date typed, or its own if that is still to come; a
/// refusal shows the round's page again with the date as typed.
pub async fn reopen(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let typed = form.get("closes_on").to_string();
    match rounds::reopen(&state.column, id, &typed).await {
        Ok(closes_at) => {
            let (_, clock) = SiteView::load(&state.column.store).await?;
            let notice = format!(
                "The round is open again until {}; every panelist's link works as before.",
                human_date(&clock, closes_at)
            );
            done(&state, &form, &format!("/admin/rounds/{id}/"), &notice).await
        }
        Err(ColumnError::Refused(error)) => {
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let reopen = ReopenForm {
                closes_on: typed,
                error: Some(error),
            };
            monitor_page(&state, chrome, id, Some(reopen)).await
        }
        Err(e) => Err(e.into()),
    }
}

//! Rounds: composing one from a question (panel, choices, closing date, reminders), previewing
//! the invitation, sending it, and watching who opened and answered.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::dashboard::RoundLine;
use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::rounds::{self, in_filter, RoundDraft};
use crate::column::{ColumnError, SiteView};
use crate::render::human_date;
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
    let panel = state.column.store.panelists("active").await?;
    let recipients = panel.iter().filter(|p| in_filter(p, chosen_types)).count();
    let library_types = state
        .column
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
    let mut form = RoundDraft {
        closes_on: in_two_weeks.to_string(),
        reminder_days: "3,1".into(),
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
        &format!(
            "Invitations are on their way to {} panelists.",
            opened.invited
        ),
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
    let round = state.column.store.round(id).await?;
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let when = |t: Option<i64>| {
        t.map(|t| human_date(&clock, t))
            .unwrap_or_else(|| "—".into())
    };
    let invitations: Vec<InvitationLine> = state
        .column
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

pub async fn close(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    rounds::close(&state.column, id).await?;
    done(
        &state,
        &form,
        &format!("/admin/rounds/{id}/"),
        "The round is closed; answers from now on are kept as late answers.",
    )
    .await
}

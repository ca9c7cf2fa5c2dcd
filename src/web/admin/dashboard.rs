//! The dashboard (open rounds and their response rates, queues, mail failures) and settings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::rounds::RoundLine;
use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::public::SiteView;
use crate::domain::{CommentStatus, RoundStatus};
use crate::store::OutboxCounts;
use crate::web::SharedState;
use crate::web::WebError;

#[derive(Serialize)]
struct Failure {
    to: String,
    kind: String,
    error: String,
}

#[derive(Serialize)]
struct DashboardPage {
    chrome: AdminChrome,
    rounds: Vec<RoundLine>,
    questions: Vec<(String, i64)>,
    pending_comments: i64,
    applicants: usize,
    /// `(post id, post title, panelist)` of each change to a published answer that waits.
    proposals: Vec<(i64, String, String)>,
    outbox: OutboxCounts,
    failures: Vec<Failure>,
}

pub async fn dashboard(
    State(state): State<SharedState>,
    who: SignedIn,
) -> Result<Response, WebError> {
    let store = &state.column.store;
    let (_, clock) = SiteView::load(store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let rounds = store
        .round_summaries(Some(RoundStatus::Open))
        .await?
        .into_iter()
        .map(|r| RoundLine::new(r, &clock))
        .collect();
    let failures = store
        .failed_mail(10)
        .await?
        .into_iter()
        .map(|m| Failure {
            to: m.to_addr,
            kind: m.kind,
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    let context = DashboardPage {
        chrome,
        rounds,
        questions: store.question_counts().await?,
        pending_comments: store.count_comments(CommentStatus::Pending).await?,
        applicants: store.panelists("applied").await?.len(),
        proposals: store
            .waiting_proposals(None)
            .await?
            .into_iter()
            .map(|p| (p.post_id, p.post_title, p.panelist_name))
            .collect(),
        outbox: store.outbox_counts().await?,
        failures,
    };
    page(&state, "admin/dashboard.html", context)
}

#[derive(Serialize)]
struct SettingsView {
    site_title: String,
    site_tagline: String,
    timezone: String,
    base_url: String,
    smtp: String,
    sender: String,
}

#[derive(Serialize)]
struct SettingsPage {
    chrome: AdminChrome,
    settings: SettingsView,
    error: Option<String>,
}

async fn settings_view(state: &SharedState) -> Result<SettingsView, WebError> {
    let store = &state.column.store;
    Ok(SettingsView {
        site_title: store.setting("site_title").await?.unwrap_or_default(),
        site_tagline: store.setting("site_tagline").await?.unwrap_or_default(),
        timezone: store
            .setting("timezone")
            .await?
            .unwrap_or_else(|| "UTC".into()),
        base_url: state.column.base_url.clone(),
        smtp: format!(
            "{}:{} ({})",
            state.config.mail.smtp_host,
            state.config.mail.smtp_port,
            state.config.mail.tls.describe()
        ),
        sender: state.config.mail.sender.to_string(),
    })
}

pub async fn settings_page(
    State(state): State<SharedState>,
    who: SignedIn,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let settings = settings_view(&state).await?;
    page(
        &state,
        "admin/settings.html",
        SettingsPage {
            chrome,
            settings,
            error: None,
        },
    )
}

pub async fn save_settings(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let timezone = form.get("timezone");
    if !timezone.is_empty() && jiff::tz::TimeZone::get(timezone).is_err() {
        let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
        let mut settings = settings_view(&state).await?;
        settings.site_title = form.get("site_title").to_string();
        settings.site_tagline = form.get("site_tagline").to_string();
        settings.timezone = timezone.to_string();
        let error = Some(format!(
            "'{timezone}' is not a time zone name; use one like Europe/London."
        ));
        return page_with_status(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/settings.html",
            SettingsPage {
                chrome,
                settings,
                error,
            },
        );
    }
    for key in ["site_title", "site_tagline", "timezone"] {
        state.column.store.set_setting(key, form.get(key)).await?;
    }
    done(&state, &form, "/admin/settings/", "Settings saved.").await
}

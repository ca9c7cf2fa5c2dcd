//! Scheduled work: closing rounds at their closing time, sending the reminders of each round's
//! schedule, and publishing scheduled posts. Each pass reads what is due from the database and
//! does it, so a restart loses nothing, and every step is safe to run twice (reminders carry a
//! dedupe key; closing and publishing only change rows still waiting).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::SharedState;
use crate::store::now;
use crate::web::{admin_newsletter, admin_queue_reminders, WebError};

/// How often the scheduler looks for due work.
const INTERVAL: Duration = Duration::from_secs(30);
const DAY: i64 = 86_400;

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub closed: usize,
    pub reminders: usize,
    pub published: usize,
}

/// Does everything due at `at`.
pub async fn tick(state: &SharedState, at: i64) -> Result<TickReport, WebError> {
    let store = &state.store;
    let base = state.base_url.clone();
    let mut report = TickReport::default();
    for (round_id, closes_at, days) in store.open_round_schedules().await? {
        for day in days.split(',').filter_map(|d| d.trim().parse::<i64>().ok()) {
            if at >= closes_at - day * DAY && at < closes_at {
                report.reminders +=
                    admin_queue_reminders(state, &base, round_id, &format!("{day}d")).await?;
            }
        }
    }
    for round_id in store.rounds_due_to_close(at).await? {
        store.close_round(round_id).await?;
        report.closed += 1;
    }
    for (post_id, publish_at) in store.posts_due(at).await? {
        let letter = admin_newsletter(state, &base, post_id).await?;
        store
            .publish_post_with_newsletter(post_id, publish_at, Some(&letter))
            .await?;
        report.published += 1;
    }
    Ok(report)
}

/// Runs [`tick`] every half minute until `shutdown` turns true.
pub fn spawn_scheduler(state: SharedState, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !*shutdown.borrow() {
            match tick(&state, now()).await {
                Ok(report) if report != TickReport::default() => {
                    tracing::info!(?report, "scheduled work done")
                }
                Ok(_) => {}
                Err(e) => tracing::error!("scheduled work failed: {e}"),
            }
            tokio::select! {
                changed = shutdown.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(INTERVAL) => {}
            }
        }
    })
}

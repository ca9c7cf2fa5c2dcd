//! Scheduled work: sending the reminders of each round's schedule, closing rounds at their
//! closing time, and publishing scheduled posts. Each pass reads what is due from the database
//! and does it through the column's workflow, so a restart loses nothing, and every step is
//! safe to run twice (reminders carry a dedupe key; closing and publishing only change rows
//! still waiting). Each due item is done on its own: one that fails is logged and tried again
//! on the next pass, and the others go on.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::column::{posts, rounds, Column, ColumnResult};
use crate::store::now;

/// How often the scheduler looks for due work.
const INTERVAL: Duration = Duration::from_secs(30);

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub closed: usize,
    pub reminders: usize,
    pub published: usize,
    /// Due items that failed this time; they are due again on the next pass.
    pub failed: usize,
}

/// Does everything due at `at`. Fails only when the database cannot say what is due.
pub async fn tick(column: &Column, at: i64) -> ColumnResult<TickReport> {
    let mut report = TickReport::default();
    for (round_id, label) in rounds::reminders_due(column, at).await? {
        let done = rounds::remind(column, round_id, &label);
        if let Some(queued) = each(&mut report, "reminders of round", round_id, done).await {
            report.reminders += queued;
        }
    }
    for round_id in column.store.rounds_due_to_close(at).await? {
        let done = rounds::close(column, round_id);
        // False when the editor closed it a moment before: nothing was closed by this pass.
        if each(&mut report, "closing round", round_id, done).await == Some(true) {
            report.closed += 1;
        }
    }
    for (post_id, publish_at) in column.store.posts_due(at).await? {
        let done = posts::publish_at(column, post_id, publish_at);
        if each(&mut report, "publishing post", post_id, done)
            .await
            .is_some()
        {
            report.published += 1;
        }
    }
    Ok(report)
}

/// Waits for one due item; a failure is logged and counted, and the pass goes on.
async fn each<T>(
    report: &mut TickReport,
    what: &str,
    id: i64,
    work: impl Future<Output = ColumnResult<T>>,
) -> Option<T> {
    match work.await {
        Ok(done) => Some(done),
        Err(e) => {
            tracing::error!(
                id,
                "scheduled work failed ({what}), tried again next pass: {e}"
            );
            report.failed += 1;
            None
        }
    }
}

/// Runs [`tick`] every half minute until `shutdown` turns true.
pub fn spawn_scheduler(column: Arc<Column>, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !*shutdown.borrow() {
            match tick(&column, now()).await {
                Ok(report) if report != TickReport::default() => {
                    tracing::info!(?report, "scheduled work done")
                }
                Ok(_) => {}
                Err(e) => tracing::error!("scheduled work could not be read: {e}"),
            }
            tokio::select! {
                changed = shutdown.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(INTERVAL) => {}
            }
        }
    })
}

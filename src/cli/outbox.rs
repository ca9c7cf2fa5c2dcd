//! `roundtable outbox run`, `status` and `retry`: the queued email, sent once, counted, or
//! queued again.

use clap::Subcommand;

use super::{open_store, Globals, MailArgs};
use crate::config::Flags;

/// The subcommands of `outbox`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Send the mail that is due now, once, and print "sent N, failed N, waiting N".
    ///
    /// Failed attempts are counted and retried later, and still exit 0; only a problem that
    /// stops the whole pass (such as an unreachable database) is an error.
    Run {
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Count the mail waiting, sent and given up on, and list the latest failures.
    Status,
    /// Queue a failed message again, due now, with a fresh set of attempts.
    Retry {
        /// The message's number, as `outbox status` shows it (#ID).
        id: i64,
    },
}

/// Runs one of the subcommands of `outbox`.
pub async fn run(command: OutboxCommand, globals: Globals) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Run { mail } => send_due(globals, mail).await,
        OutboxCommand::Status => status(globals).await,
        OutboxCommand::Retry { id } => retry(globals, id).await,
    }
}

/// Sends the mail that is due now, once, and prints how it went.
async fn send_due(globals: Globals, mail: MailArgs) -> anyhow::Result<()> {
    let config = globals.config_with(|flags| Flags {
        mail: mail.into_flags(),
        ..flags
    })?;
    let store = open_store(&config.database_url).await?;
    let report = crate::mail::run_once(&store, &config.mail).await?;
    let mut line = format!(
        "sent {}, failed {}, waiting {}",
        report.sent, report.failed, report.waiting
    );
    if let Some(error) = report.last_error {
        line.push_str(&format!("; last error: {error}"));
    }
    println!("{line}");
    Ok(())
}

/// Prints the counts, then the mail being retried and the mail given up on, ten of each.
async fn status(globals: Globals) -> anyhow::Result<()> {
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    let counts = store.outbox_counts().await?;
    println!(
        "waiting {}, sent {}, failed {}",
        counts.pending, counts.sent, counts.failed
    );
    for mail in store.retrying_mail(10).await? {
        println!(
            "waiting #{} {} to {} after {} failed attempts, retried by itself: {}",
            mail.id,
            mail.kind,
            mail.to_addr,
            mail.attempts,
            mail.last_error.as_deref().unwrap_or("no reason recorded")
        );
    }
    for mail in store.failed_mail(10).await? {
        println!(
            "failed #{} {} to {} after {} attempts: {}",
            mail.id,
            mail.kind,
            mail.to_addr,
            mail.attempts,
            mail.last_error.as_deref().unwrap_or("no reason recorded")
        );
    }
    Ok(())
}

/// Queues a failed message again, due now.
async fn retry(globals: Globals, id: i64) -> anyhow::Result<()> {
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    store.retry_failed(id).await?;
    println!("mail #{id} is queued again and goes out with the next outbox run");
    Ok(())
}

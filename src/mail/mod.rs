//! Sending the outbox over SMTP: claim what is due, build each message, hand it to the server,
//! record the outcome. [`run_once`] is one pass (what `roundtable outbox run` does);
//! [`spawn_worker`] repeats it inside `serve` until shutdown.
//!
//! Delivery is at-least-once in one narrow window: if the program dies after the SMTP server
//! accepted a message but before `mark_sent` committed, the lease runs out and the message is
//! sent again. SMTP gives no way to ask a server "did you already take this?", so that window
//! cannot be closed from here; the stable `Message-ID` (`<outbox-ID@sender-domain>`) lets
//! downstream software drop the duplicate. Everywhere else a message is sent once.
//!
//! The connection is encrypted as `smtp_tls` says (STARTTLS, TLS from the start, STARTTLS when
//! offered, or none for a relay on this machine), with rustls; the server's certificate is
//! checked against the system's roots and `smtp_ca_file`. A certificate that fails is an
//! ordinary transient failure: the mail stays queued with the reason and is retried.

mod message;

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{MailSettings, SmtpTls};
use crate::store::{OutboxRow, Store, StoreError};

pub use message::{build_message, BadMessage};

/// How many messages one claim takes. Small, so that a batch is sent well within its lease.
const BATCH_SIZE: i64 = 10;

/// How long a claim holds its messages: longer than a batch can take at [`SMTP_TIMEOUT`] each.
const LEASE_SECONDS: i64 = 600;

/// How long to wait for the SMTP server at each step before counting the attempt as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the worker in `serve` looks for due mail.
const WORKER_INTERVAL: Duration = Duration::from_secs(5);

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages the SMTP server accepted.
    pub sent: usize,
    /// Attempts that failed; the messages are retried later unless the failure was permanent.
    pub failed: usize,
    /// Messages still waiting to be sent after this pass (including those to retry).
    pub waiting: i64,
    /// The last failure's reason, for the operator.
    pub last_error: Option<String>,
}

/// Why a pass over the outbox stopped.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up TLS for the SMTP server: {0}")]
    Tls(String),
}

/// What became of one attempt to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth trying again later: the server was unreachable, busy, or answered 4xx.
    Transient(String),
    /// Trying again will not help: the server answered 5xx, or the message cannot be built.
    Permanent(String),
}

/// Sends everything due now, once each.
pub async fn run_once(store: &Store, settings: &MailSettings) -> Result<DeliveryReport, MailError> {
    deliver_due(store, settings, crate::store::now()).await
}

/// Sends everything due at `now`: claims batches until none is left. Messages that fail are
/// rescheduled after `now`, so the pass ends.
pub async fn deliver_due(
    store: &Store,
    settings: &MailSettings,
    now: i64,
) -> Result<DeliveryReport, MailError> {
    // Made only when there is mail: it reads the system's certificates from disk, and the
    // worker's pass every few seconds usually finds nothing to send.
    let mut transport = None;
    let mut report = DeliveryReport::default();
    loop {
        let batch = store.claim_due_mail(now, BATCH_SIZE, LEASE_SECONDS).await?;
        if batch.is_empty() {
            break;
        }
        let transport = match &mut transport {
            Some(made) => made,
            None => transport.insert(self::transport(settings)?),
        };
        for claimed in &batch {
            match send(transport, settings, claimed).await {
                Ok(()) => {
                    // Mark at once: the time between these two lines is the only window in
                    // which a crash makes a message go out twice.
                    if !store.mark_sent(claimed, crate::store::now()).await? {
                        tracing::warn!(
                            id = claimed.id,
                            "mail was sent after its lease ran out; another worker may send it again"
                        );
                    }
                    report.sent += 1;
                }
                Err(failure) => {
                    let (reason, permanent) = match &failure {
                        Failure::Transient(reason) => (reason, false),
                        Failure::Permanent(reason) => (reason, true),
                    };
                    tracing::warn!(id = claimed.id, to = %claimed.to_addr, permanent, "mail not sent: {reason}");
                    store
                        .mark_failed_attempt(claimed, reason, permanent, now)
                        .await?;
                    report.failed += 1;
                    report.last_error = Some(reason.clone());
                }
            }
        }
    }
    report.waiting = store.outbox_counts().await?.pending;
    Ok(report)
}

/// Runs [`run_once`] every few seconds until `shutdown` turns true (or its sender is dropped).
/// A pass in progress is finished first, so no claimed message is left mid-send.
pub fn spawn_worker(
    store: Store,
    settings: MailSettings,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!(
            "mail worker sends through {}:{} ({})",
            settings.smtp_host,
            settings.smtp_port,
            settings.tls.describe()
        );
        while !*shutdown.borrow() {
            match run_once(&store, &settings).await {
                Ok(report) if report.sent + report.failed > 0 => tracing::info!(
                    sent = report.sent,
                    failed = report.failed,
                    waiting = report.waiting,
                    "mail worker pass"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!("mail worker: {e}"),
            }
            tokio::select! {
                changed = shutdown.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(WORKER_INTERVAL) => {}
            }
        }
    })
}

/// One SMTP transport per pass; each message opens its own connection.
fn transport(settings: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.smtp_host.as_str())
            .port(settings.smtp_port)
            .tls(tls(settings)?)
            .timeout(Some(SMTP_TIMEOUT));
    Ok(match &settings.smtp_login {
        Some((username, password)) => builder
            .credentials(Credentials::new(username.clone(), password.clone()))
            .build(),
        None => builder.build(),
    })
}

/// How the connection is encrypted, with the certificates it trusts.
fn tls(settings: &MailSettings) -> Result<Tls, MailError> {
    let parameters = || {
        let mut builder = TlsParameters::builder(settings.smtp_host.clone());
        if let Some(pem) = &settings.ca_pem {
            builder = builder.add_root_certificate(
                Certificate::from_pem(pem).map_err(|e| MailError::Tls(chain(&e)))?,
            );
        }
        builder
            .build_rustls()
            .map_err(|e| MailError::Tls(chain(&e)))
    };
    Ok(match settings.tls {
        SmtpTls::Starttls => Tls::Required(parameters()?),
        SmtpTls::Tls => Tls::Wrapper(parameters()?),
        SmtpTls::Opportunistic => Tls::Opportunistic(parameters()?),
        SmtpTls::None => Tls::None,
    })
}

/// An error and its causes on one line: lettre's own message ("tls error") says little, the
/// cause ("invalid peer certificate: UnknownIssuer") says what to fix.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    settings: &MailSettings,
    claimed: &OutboxRow,
) -> Result<(), Failure> {
    let mut message =
        build_message(claimed, &settings.sender).map_err(|e| Failure::Permanent(e.to_string()))?;
    if let Some(dkim) = &settings.dkim {
        message.sign(dkim);
    }
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| classify(&e, settings))
}

/// Sorts an SMTP error: only a 5xx answer is permanent; a refused connection, a timeout or a
/// 4xx answer may pass.
fn classify(error: &lettre::transport::smtp::Error, settings: &MailSettings) -> Failure {
    let server = format!("{}:{}", settings.smtp_host, settings.smtp_port);
    // A server's answer may run over several lines; the outbox keeps one.
    let reason = chain(error).replace(['\r', '\n'], " ");
    if error.is_permanent() {
        Failure::Permanent(format!(
            "the SMTP server {server} refused the message: {reason}"
        ))
    } else if error.is_transient() {
        Failure::Transient(format!(
            "the SMTP server {server} deferred the message: {reason}"
        ))
    } else {
        Failure::Transient(format!(
            "cannot deliver to the SMTP server {server}: {reason}"
        ))
    }
}

//! Email through the outbox, delivered to a real SMTP server (aiosmtpd): each message once, with
//! its parts and headers; retried while the server is away; given up on when refused. Store
//! tests run on SQLite and on PostgreSQL.

use std::process::{Command, Output};

use roundtable::domain::Email;
use roundtable::mail::{deliver_due, run_once, spawn_worker};
use roundtable::store::{now, Backend, MailKind, OutgoingMail, Store, MAX_ATTEMPTS};

use crate::helpers::TestDb;
use crate::smtp::{free_port, settings_for_port, SmtpServer};
use crate::store_test;

fn mail(to: &str, subject: &str, dedupe_key: Option<&str>) -> OutgoingMail {
    OutgoingMail {
        kind: MailKind::Reminder,
        dedupe_key: dedupe_key.map(Into::into),
        to: Email::parse(to).unwrap(),
        subject: subject.into(),
        body_text: format!("Text of: {subject}"),
        body_html: None,
        headers: vec![],
    }
}

fn newsletter() -> OutgoingMail {
    OutgoingMail {
        kind: MailKind::Newsletter,
        dedupe_key: Some("newsletter:post-7:reader-3".into()),
        to: Email::parse("reader@example.org").unwrap(),
        subject: "Do you read cover letters?".into(),
        body_text: "Five librarians answer in plain text.".into(),
        body_html: Some("<p>Five librarians answer in <em>HTML</em>.</p>".into()),
        headers: vec![
            (
                "List-Unsubscribe".into(),
                "<https://column.example.org/unsubscribe/abc>".into(),
            ),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
    }
}

/// How many of `messages` carry `subject`.
fn count_subject(messages: &[String], subject: &str) -> usize {
    let header = format!("Subject: {subject}\n");
    messages
        .iter()
        .filter(|m| m.replace("\r\n", "\n").contains(&header))
        .count()
}

async fn queued_mail_is_delivered_once_with_its_parts_and_unsubscribe_header(store: Store) {
    let server = SmtpServer::start().await;
    let id = store.enqueue_mail(&newsletter()).await.unwrap().unwrap();

    let report = run_once(&store, &server.settings()).await.unwrap();
    assert_eq!((report.sent, report.failed, report.waiting), (1, 0, 0));

    let messages = server.wait_for_messages(1).await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    for expected in [
        "Subject: Do you read cover letters?",
        "To: reader@example.org",
        "From: \"The Column\" <column@example.org>",
        &format!("Message-ID: <outbox-{id}@example.org>"),
        "List-Unsubscribe: <https://column.example.org/unsubscribe/abc>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "multipart/alternative",
        "text/plain",
        "Five librarians answer in plain text.",
        "text/html",
        "<p>Five librarians answer in <em>HTML</em>.</p>",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing in:\n{message}"
        );
    }

    let again = run_once(&store, &server.settings()).await.unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(server.messages().len(), 1);
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 1, 0));
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!(row.status, "sent");
    assert!(row.sent_at.is_some() && row.locked_until.is_none());
}
store_test!(queued_mail_is_delivered_once_with_its_parts_and_unsubscribe_header);

async fn the_same_dedupe_key_queued_twice_is_sent_once(store: Store) {
    let server = SmtpServer::start().await;
    let first = mail(
        "ada@example.org",
        "Round 7 is open",
        Some("invitation:7:ada"),
    );
    assert!(store.enqueue_mail(&first).await.unwrap().is_some());
    assert!(store.enqueue_mail(&first).await.unwrap().is_none());
    // Without a key, every message is its own.
    let unkeyed = mail("ada@example.org", "Hello", None);
    store.enqueue_mail(&unkeyed).await.unwrap().unwrap();
    store.enqueue_mail(&unkeyed).await.unwrap().unwrap();

    let report = run_once(&store, &server.settings()).await.unwrap();
    assert_eq!(report.sent, 3);
    let messages = server.wait_for_messages(3).await;
    assert_eq!(count_subject(&messages, "Round 7 is open"), 1);
    assert_eq!(count_subject(&messages, "Hello"), 2);
}
store_test!(the_same_dedupe_key_queued_twice_is_sent_once);

async fn mail_waits_while_smtp_is_down_and_goes_out_once_when_it_returns(store: Store) {
    let port = free_port();
    let settings = settings_for_port(port);
    let id = store
        .enqueue_mail(&mail("bo@example.org", "Your answer is in", None))
        .await
        .unwrap()
        .unwrap();
    let t0 = now();

    let report = deliver_due(&store, &settings, t0).await.unwrap();
    assert_eq!((report.sent, report.failed, report.waiting), (0, 1, 1));
    assert!(
        report
            .last_error
            .as_deref()
            .unwrap()
            .contains("cannot deliver"),
        "{report:?}"
    );
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.next_attempt_at >= t0 + 30, "{row:?}");
    assert!(row.locked_until.is_none() && row.last_error.is_some());

    // Before the backoff has passed the message is not tried again.
    let early = deliver_due(&store, &settings, t0 + 1).await.unwrap();
    assert_eq!((early.sent, early.failed, early.waiting), (0, 0, 1));

    let server = SmtpServer::start_on(port).await;
    let later = deliver_due(&store, &settings, t0 + 60).await.unwrap();
    assert_eq!((later.sent, later.failed, later.waiting), (1, 0, 0));
    let much_later = deliver_due(&store, &settings, t0 + 86_400).await.unwrap();
    assert_eq!(much_later.sent, 0);
    let messages = server.wait_for_messages(1).await;
    assert_eq!(count_subject(&messages, "Your answer is in"), 1);
    assert_eq!(messages.len(), 1);
}
store_test!(mail_waits_while_smtp_is_down_and_goes_out_once_when_it_returns);

async fn mail_is_given_up_on_after_the_last_attempt(store: Store) {
    let settings = settings_for_port(free_port());
    let id = store
        .enqueue_mail(&mail("cy@example.org", "Never arrives", None))
        .await
        .unwrap()
        .unwrap();
    let mut clock = now();
    for _ in 0..MAX_ATTEMPTS {
        let report = deliver_due(&store, &settings, clock).await.unwrap();
        assert_eq!(report.failed, 1);
        clock += 3600;
    }
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("failed", MAX_ATTEMPTS)
    );
    let report = deliver_due(&store, &settings, clock).await.unwrap();
    assert_eq!((report.failed, report.waiting), (0, 0));
    let failed = store.failed_mail(10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, id);
}
store_test!(mail_is_given_up_on_after_the_last_attempt);

async fn two_workers_deliver_each_of_twenty_messages_exactly_once(store: Store) {
    let server = SmtpServer::start().await;
    for i in 0..20 {
        let subject = format!("Message {i}");
        store
            .enqueue_mail(&mail("reader@example.org", &subject, None))
            .await
            .unwrap();
    }
    let worker =
        |store: Store, settings| tokio::spawn(async move { run_once(&store, &settings).await });
    let a = worker(store.clone(), server.settings());
    let b = worker(store.clone(), server.settings());
    let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    assert_eq!(a.sent + b.sent, 20, "{a:?} {b:?}");
    assert_eq!(a.failed + b.failed, 0);

    let messages = server.wait_for_messages(20).await;
    assert_eq!(messages.len(), 20);
    for i in 0..20 {
        assert_eq!(
            count_subject(&messages, &format!("Message {i}")),
            1,
            "Message {i}"
        );
    }
    assert_eq!(store.outbox_counts().await.unwrap().sent, 20);
}
store_test!(two_workers_deliver_each_of_twenty_messages_exactly_once);

async fn a_permanent_refusal_is_marked_failed_and_can_be_retried(store: Store) {
    let server = SmtpServer::start().await;
    let refused = store
        .enqueue_mail(&mail("reject@example.org", "Bounces", None))
        .await
        .unwrap()
        .unwrap();
    let fine = store
        .enqueue_mail(&mail("ada@example.org", "Arrives", None))
        .await
        .unwrap()
        .unwrap();

    let report = run_once(&store, &server.settings()).await.unwrap();
    assert_eq!((report.sent, report.failed, report.waiting), (1, 1, 0));
    let failed = store.failed_mail(10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].id, failed[0].attempts), (refused, 1));
    let reason = failed[0].last_error.clone().unwrap();
    assert!(
        reason.contains("550") && reason.contains("refused"),
        "{reason}"
    );
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 1, 1));

    store.retry_failed(refused).await.unwrap();
    let row = store.outbox_mail(refused).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
    let err = store.retry_failed(fine).await.unwrap_err().to_string();
    assert!(err.contains("no failed mail"), "{err}");
}
store_test!(a_permanent_refusal_is_marked_failed_and_can_be_retried);

async fn a_deferral_is_retried_later_rather_than_given_up(store: Store) {
    let server = SmtpServer::start().await;
    let id = store
        .enqueue_mail(&mail("busy@example.org", "Deferred", None))
        .await
        .unwrap()
        .unwrap();
    let report = run_once(&store, &server.settings()).await.unwrap();
    assert_eq!((report.sent, report.failed, report.waiting), (0, 1, 1));
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.last_error.unwrap().contains("451"));
}
store_test!(a_deferral_is_retried_later_rather_than_given_up);

async fn simultaneous_claims_never_take_the_same_message(store: Store) {
    for i in 0..40 {
        store
            .enqueue_mail(&mail("reader@example.org", &format!("Claim {i}"), None))
            .await
            .unwrap();
    }
    let t0 = now();
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_due_mail(t0, 5, 600).await.unwrap() })
        })
        .collect();
    let mut ids = Vec::new();
    for claim in claims {
        ids.extend(claim.await.unwrap().into_iter().map(|row| row.id));
    }
    let claimed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "a message was claimed twice");
    assert_eq!(claimed, 40);
}
store_test!(simultaneous_claims_never_take_the_same_message);

async fn a_claim_that_ran_out_cannot_mark_the_message(store: Store) {
    store
        .enqueue_mail(&mail("ada@example.org", "Slow", None))
        .await
        .unwrap();
    let t0 = now();
    let first = store.claim_due_mail(t0, 10, 60).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(store
        .claim_due_mail(t0 + 30, 10, 60)
        .await
        .unwrap()
        .is_empty());
    let second = store.claim_due_mail(t0 + 61, 10, 60).await.unwrap();
    assert_eq!(second.len(), 1);

    assert!(!store.mark_sent(&first[0], t0 + 62).await.unwrap());
    assert!(!store
        .mark_failed_attempt(&first[0], "late", false, t0 + 62)
        .await
        .unwrap());
    assert!(store.mark_sent(&second[0], t0 + 62).await.unwrap());
    assert_eq!(store.outbox_counts().await.unwrap().sent, 1);
}
store_test!(a_claim_that_ran_out_cannot_mark_the_message);

async fn the_worker_in_serve_sends_queued_mail_and_stops_on_shutdown(store: Store) {
    let server = SmtpServer::start().await;
    store
        .enqueue_mail(&mail("ada@example.org", "From the worker", None))
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = spawn_worker(store.clone(), server.settings(), stopped);
    let messages = server.wait_for_messages(1).await;
    assert_eq!(count_subject(&messages, "From the worker"), 1);

    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(60), worker)
        .await
        .expect("the worker stops after shutdown")
        .unwrap();
}
store_test!(the_worker_in_serve_sends_queued_mail_and_stops_on_shutdown);

fn roundtable(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args(args)
        .current_dir(dir)
        .env_remove("ROUNDTABLE_DATABASE_URL")
        .env_remove("ROUNDTABLE_SMTP_HOST")
        .env_remove("ROUNDTABLE_SMTP_PORT")
        .env_remove("ROUNDTABLE_SMTP_USERNAME")
        .env_remove("ROUNDTABLE_SMTP_PASSWORD")
        .env_remove("ROUNDTABLE_SENDER")
        .env("ROUNDTABLE_LOG", "off")
        .output()
        .expect("the roundtable binary starts")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn outbox_run_without_an_smtp_server_counts_the_failure_in_one_line() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    store
        .enqueue_mail(&mail("ada@example.org", "Waits", None))
        .await
        .unwrap();
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.display();
    let port = free_port().to_string();

    let run = roundtable(
        &[
            "outbox",
            "run",
            "--database-url",
            &url,
            "--smtp-port",
            &port,
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines = stdout_lines(&run);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("sent 0, failed 1, waiting 1; last error: cannot deliver"),
        "{lines:?}"
    );

    let status = roundtable(&["outbox", "status", "--database-url", &url], dir.path());
    assert!(status.status.success());
    let lines = stdout_lines(&status);
    assert_eq!(lines[0], "waiting 1, sent 0, failed 0");
    // The message waiting for its retry is listed with the reason it has not gone yet.
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].starts_with("waiting #1 reminder to ada@example.org after 1 failed attempts, retried by itself: cannot deliver"),
        "{lines:?}"
    );

    let retry = roundtable(
        &["outbox", "retry", "99", "--database-url", &url],
        dir.path(),
    );
    assert!(!retry.status.success());
    let stderr = String::from_utf8_lossy(&retry.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: no failed mail has the id 99"),
        "{stderr}"
    );
}

#[tokio::test]
async fn outbox_run_sends_what_is_due_and_status_lists_failures() {
    let server = SmtpServer::start().await;
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    for to in ["ada@example.org", "reject@example.org"] {
        store
            .enqueue_mail(&mail(to, "From the command line", None))
            .await
            .unwrap();
    }
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.display();
    let port = server.port.to_string();

    let run = roundtable(
        &[
            "outbox",
            "run",
            "--database-url",
            &url,
            "--smtp-port",
            &port,
            "--sender",
            "column@example.org",
        ],
        dir.path(),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines = stdout_lines(&run);
    assert!(
        lines[0].starts_with("sent 1, failed 1, waiting 0"),
        "{lines:?}"
    );
    let messages = server.wait_for_messages(1).await;
    assert!(
        messages[0].contains("From: column@example.org"),
        "{}",
        messages[0]
    );

    let status = roundtable(&["outbox", "status", "--database-url", &url], dir.path());
    let lines = stdout_lines(&status);
    assert_eq!(lines[0], "waiting 0, sent 1, failed 1");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].starts_with("failed #2 reminder to reject@example.org after 1 attempts:"),
        "{lines:?}"
    );
    let retry = roundtable(
        &["outbox", "retry", "2", "--database-url", &url],
        dir.path(),
    );
    assert!(retry.status.success());
    let status = roundtable(&["outbox", "status", "--database-url", &url], dir.path());
    assert_eq!(stdout_lines(&status), ["waiting 1, sent 1, failed 0"]);
}

/// Checks a received message's DKIM signature with dkimpy, the public key served as if from DNS.
fn dkim_verifies(raw: &[u8], dns_record: &str) -> bool {
    use std::io::Write;
    const SCRIPT: &str = r#"
import sys, dkim
record = sys.argv[1].encode()
message = sys.stdin.buffer.read()
print(dkim.verify(message, dnsfunc=lambda name, timeout=5: record))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT, dns_record])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "True"
}

#[tokio::test]
async fn mail_is_signed_with_dkim_when_a_key_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dkim.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let public = std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    let public_b64 = {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, base64; print(base64.b64encode(sys.stdin.buffer.read()).decode())",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let mut out = out;
        out.stdin.take().unwrap().write_all(&public.stdout).unwrap();
        String::from_utf8(out.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string()
    };
    let smtp = SmtpServer::start().await;
    let file = roundtable::config::FileSettings {
        dkim_key_file: Some(key.clone()),
        dkim_selector: Some("rt2026".into()),
        ..Default::default()
    };
    let flags = roundtable::config::MailFlags {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(smtp.port),
        sender: Some("The Column <column@example.org>".into()),
        ..Default::default()
    };
    let settings = roundtable::config::MailSettings::resolve(&file, flags).unwrap();
    let db = crate::helpers::TestDb::new(roundtable::store::Backend::Sqlite).await;
    let store = db.store().await;
    store
        .enqueue_mail(&mail("signed@example.net", "Signed", None))
        .await
        .unwrap();
    roundtable::mail::run_once(&store, &settings).await.unwrap();
    smtp.wait_for_messages(1).await;
    let raw = smtp.raw_messages().remove(0);
    let text = String::from_utf8_lossy(&raw).to_string();
    assert!(
        text.contains("DKIM-Signature:")
            && text.contains("d=example.org")
            && text.contains("s=rt2026"),
        "{text}"
    );
    let record = format!("v=DKIM1; k=rsa; p={public_b64}");
    assert!(
        dkim_verifies(&raw, &record),
        "the signature verifies with the published key"
    );
    let forged = text.replace("Subject: Signed", "Subject: Forged");
    assert!(
        !dkim_verifies(forged.as_bytes(), &record),
        "a changed subject does not verify"
    );
}

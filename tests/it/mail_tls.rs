//! Mail to providers that require encryption: a real STARTTLS server and a real implicit-TLS
//! server (aiosmtpd), with a certificate from a test CA given in `smtp_ca_file`. A certificate
//! the client must not trust keeps the mail queued, with the reason shown by `outbox status`.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use roundtable::config::{FileSettings, MailFlags, MailSettings, SmtpTls};
use roundtable::domain::Email;
use roundtable::mail::{deliver_due, run_once};
use roundtable::store::{now, Backend, MailKind, OutgoingMail};

use crate::helpers::TestDb;
use crate::smtp::{free_port, SmtpServer};

/// Runs openssl, failing the test with its output when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA named `name` in `dir` (`name-ca.pem`) and a server certificate for 127.0.0.1 signed
/// by it (`name-server.pem`, `name-server.key`).
fn make_ca_and_server_cert(dir: &Path, name: &str) {
    let ca_key = format!("{name}-ca.key");
    let ca = format!("{name}-ca.pem");
    let key = format!("{name}-server.key");
    let csr = format!("{name}-server.csr");
    let cert = format!("{name}-server.pem");
    let subject = format!("/CN=Roundtable test CA {name}");
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", &subject,
            "-keyout", &ca_key, "-out", &ca,
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            &key,
            "-out",
            &csr,
        ],
    );
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            &cert,
        ],
    );
}

/// Mail settings for a server on `port`, encrypted as `tls`, trusting the CA in `ca_file`.
fn settings(port: u16, tls: &str, ca_file: &Path) -> MailSettings {
    let flags = MailFlags {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(port),
        smtp_tls: Some(tls.into()),
        smtp_ca_file: Some(ca_file.to_path_buf()),
        sender: Some("The Column <column@example.org>".into()),
        ..MailFlags::default()
    };
    MailSettings::resolve(&FileSettings::default(), flags).expect("the mail settings are valid")
}

fn letter(subject: &str) -> OutgoingMail {
    OutgoingMail {
        kind: MailKind::Receipt,
        dedupe_key: None,
        to: Email::parse("panelist@example.org").unwrap(),
        subject: subject.into(),
        body_text: "Thank you for your answer.".into(),
        body_html: None,
        headers: vec![],
    }
}

fn arg(text: &str) -> &OsStr {
    OsStr::new(text)
}

#[tokio::test]
async fn mail_goes_over_starttls_and_over_implicit_tls_with_a_private_ca() {
    let certs = tempfile::tempdir().unwrap();
    make_ca_and_server_cert(certs.path(), "good");
    let cert = certs.path().join("good-server.pem");
    let key = certs.path().join("good-server.key");
    let ca = certs.path().join("good-ca.pem");
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;

    // STARTTLS: aiosmtpd refuses mail until the client has upgraded the connection.
    let port = free_port();
    let starttls = SmtpServer::start_with(
        port,
        &[
            arg("--tlscert"),
            cert.as_os_str(),
            arg("--tlskey"),
            key.as_os_str(),
        ],
    )
    .await;
    let mail_settings = settings(port, "starttls", &ca);
    assert_eq!(mail_settings.tls, SmtpTls::Starttls);
    store.enqueue_mail(&letter("Over STARTTLS")).await.unwrap();
    let report = run_once(&store, &mail_settings).await.unwrap();
    assert_eq!(
        (report.sent, report.failed),
        (1, 0),
        "{:?}",
        report.last_error
    );
    let messages = starttls.wait_for_messages(1).await;
    assert!(
        messages[0].contains("Subject: Over STARTTLS"),
        "{}",
        messages[0]
    );

    // Implicit TLS ("SMTPS", as on port 465).
    let port = free_port();
    let smtps = SmtpServer::start_with(
        port,
        &[
            arg("--smtpscert"),
            cert.as_os_str(),
            arg("--smtpskey"),
            key.as_os_str(),
        ],
    )
    .await;
    store.enqueue_mail(&letter("Over TLS")).await.unwrap();
    let report = run_once(&store, &settings(port, "tls", &ca)).await.unwrap();
    assert_eq!(
        (report.sent, report.failed),
        (1, 0),
        "{:?}",
        report.last_error
    );
    let messages = smtps.wait_for_messages(1).await;
    assert!(messages[0].contains("Subject: Over TLS"), "{}", messages[0]);
}

#[tokio::test]
async fn a_certificate_the_client_does_not_trust_keeps_the_mail_queued_with_the_reason() {
    let certs = tempfile::tempdir().unwrap();
    make_ca_and_server_cert(certs.path(), "good");
    make_ca_and_server_cert(certs.path(), "stranger");
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    // The server shows a certificate from a CA the client was not told to trust.
    let port = free_port();
    let server = SmtpServer::start_with(
        port,
        &[
            arg("--tlscert"),
            certs.path().join("stranger-server.pem").as_os_str(),
            arg("--tlskey"),
            certs.path().join("stranger-server.key").as_os_str(),
        ],
    )
    .await;
    let id = store
        .enqueue_mail(&letter("Never in clear"))
        .await
        .unwrap()
        .unwrap();
    let mail_settings = settings(port, "starttls", &certs.path().join("good-ca.pem"));
    let report = run_once(&store, &mail_settings).await.unwrap();
    assert_eq!((report.sent, report.failed, report.waiting), (0, 1, 1));
    let reason = report.last_error.unwrap_or_default();
    assert!(reason.contains("certificate"), "{reason}");
    assert!(
        server.messages().is_empty(),
        "nothing may be sent without a trusted certificate"
    );
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!(row.status, "pending", "retried later, with backoff");
    assert_eq!(row.attempts, 1);

    // The operator sees it, with the reason, in `roundtable outbox status`.
    let out = Command::new(env!("CARGO_BIN_EXE_roundtable"))
        .args([
            "--database-url",
            &crate::backup::url_text(&db.url),
            "outbox",
            "status",
        ])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("waiting 1, sent 0, failed 0"), "{shown}");
    assert!(
        shown.contains(&format!("waiting #{id}")) && shown.contains("certificate"),
        "{shown}"
    );

    // Once the operator trusts the right CA, the retry (after its backoff) delivers it.
    let trusted = settings(port, "starttls", &certs.path().join("stranger-ca.pem"));
    let report = deliver_due(&store, &trusted, now() + 3600).await.unwrap();
    assert_eq!(
        (report.sent, report.failed),
        (1, 0),
        "{:?}",
        report.last_error
    );
    assert_eq!(server.wait_for_messages(1).await.len(), 1);
}

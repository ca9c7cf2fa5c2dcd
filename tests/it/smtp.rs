//! A real SMTP server for tests: Python's aiosmtpd on a free port, writing each message it
//! accepts as a file in a maildir. Recipients starting with `reject` are refused with a
//! permanent 550, those starting with `busy` deferred with a transient 451.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use roundtable::config::MailSettings;

/// aiosmtpd's maildir handler, taught to refuse some recipients.
const HANDLER: &str = r#"
from aiosmtpd.handlers import Mailbox

class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such mailbox here"
        if address.startswith("busy"):
            return "451 4.3.0 busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Also keep the bytes exactly as sent, for checks (DKIM) that re-serializing would break.
        import os, uuid
        raw = os.path.join(os.path.dirname(os.path.abspath(self.mail_dir)), "raw")
        os.makedirs(raw, exist_ok=True)
        with open(os.path.join(raw, uuid.uuid4().hex), "wb") as f:
            f.write(envelope.original_content)
        return await super().handle_DATA(server, session, envelope)
"#;

/// How long to wait for the server to start or for mail to arrive before failing the test.
const PATIENCE: Duration = Duration::from_secs(30);

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub async fn start() -> SmtpServer {
        SmtpServer::start_on(free_port()).await
    }

    /// Starts a server on `port` and waits until it accepts connections.
    pub async fn start_on(port: u16) -> SmtpServer {
        SmtpServer::start_with(port, &[]).await
    }

    /// Starts a server with TLS: `--tlscert`/`--tlskey` for STARTTLS (required before mail is
    /// taken), `--smtpscert`/`--smtpskey` for TLS from the first byte.
    pub async fn start_with(port: u16, tls_args: &[&std::ffi::OsStr]) -> SmtpServer {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join("rt_test_smtp.py"), HANDLER).unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-u", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(tls_args)
            .args(["-c", "rt_test_smtp.Handler"])
            .arg(dir.path().join("maildir"))
            .env("PYTHONPATH", dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("python3 starts (scripts/test installs aiosmtpd)");
        let mut server = SmtpServer { port, child, dir };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "the SMTP server exited ({status}): {}",
                    std::fs::read_to_string(server.dir.path().join("server.log"))
                        .unwrap_or_default()
                );
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the SMTP server did not start on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// Mail settings that send to this server, from `The Column <column@example.org>`.
    pub fn settings(&self) -> MailSettings {
        settings_for_port(self.port)
    }

    /// Every message received so far, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let folder: PathBuf = self.dir.path().join("maildir").join("new");
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Vec::new();
        };
        entries
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect()
    }

    /// Every message received so far, as the exact bytes sent.
    pub fn raw_messages(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("raw")) else {
            return Vec::new();
        };
        entries
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .collect()
    }

    /// Waits until at least `count` messages have arrived, and returns all of them.
    pub async fn wait_for_messages(&self, count: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "expected {count} messages, got {}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Mail settings for an SMTP server on `port` of this machine (running or not).
pub fn settings_for_port(port: u16) -> MailSettings {
    MailSettings {
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        // The test servers speak plain SMTP unless a test starts one with TLS.
        tls: roundtable::config::SmtpTls::Opportunistic,
        ca_pem: None,
        smtp_login: None,
        sender: "The Column <column@example.org>".parse().unwrap(),
        dkim: None,
    }
}

/// A port nothing listens on (at the moment of asking).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

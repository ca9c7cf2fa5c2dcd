//! Faults: the server killed with SIGKILL in the middle of a burst of answers loses none of the
//! answers that got a success page; PostgreSQL restarted under load (`postgres_restart`); the
//! SQLite disk filling up (`disk_full`).

mod disk_full;
mod postgres_restart;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roundtable::domain::{QuestionState, RoundStatus};
use roundtable::store::{now, Backend, NewPanelist, NewQuestion, NewRound};
use roundtable::tokens::token_hash;

use crate::helpers::TestDb;
use crate::smtp::free_port;

const PANEL: usize = 40;

/// `roundtable serve` on `port` for `url`, mail to a port nobody listens on.
fn serve_command(url: &str, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roundtable"));
    command
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .env("ROUNDTABLE_SMTP_PORT", free_port().to_string())
        .stdout(Stdio::null());
    command
}

fn start_server(url: &str, port: u16) -> Child {
    serve_command(url, port)
        .env("ROUNDTABLE_LOG", "off")
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts")
}

/// The real `roundtable serve` as a child process, killed when dropped. Its log goes to a file
/// the test can show when an assertion fails.
struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    /// Serves `url` on `port`, reading `config` (a roundtable.toml); `extra` are more flags.
    fn start(url: &str, port: u16, config: &Path, log: &Path, extra: &[&str]) -> Server {
        let log_file = std::fs::File::create(log).expect("server log file");
        let child = serve_command(url, port)
            .args(extra)
            .env("ROUNDTABLE_CONFIG", config)
            .env("ROUNDTABLE_LOG", "info")
            .stderr(log_file)
            .spawn()
            .expect("the server starts");
        Server {
            child,
            log: log.to_path_buf(),
        }
    }

    /// Panics, with the end of the server's log, if the process has exited.
    fn assert_running(&mut self, pid: u32) {
        assert_eq!(self.child.id(), pid);
        if let Some(status) = self.child.try_wait().expect("process status") {
            panic!(
                "the server process {pid} exited ({status}); its log ends:\n{}",
                self.log_tail()
            );
        }
    }

    /// The last lines the server logged.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address of the newest post on the home page.
async fn first_post_path(client: &reqwest::Client, base: &str) -> String {
    let home = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = home.find("href=\"/20").expect("a post on the home page");
    let rest = &home[at + 6..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Starts `roundtable serve` for `url` on a free port and waits until it answers `own` (an
/// address only this server has) with 200. Another test's server can take the port between
/// the choice and the bind, and answer in its place: then this one exits, and starts again
/// on another port.
async fn start_own_server(url: &str, client: &reqwest::Client, own: &str) -> (Child, u16) {
    for _ in 0..10 {
        let port = free_port();
        let mut server = start_server(url, port);
        for _ in 0..600 {
            if server.try_wait().expect("process status").is_some() {
                break;
            }
            let answer = client
                .get(format!("http://127.0.0.1:{port}{own}"))
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return (server, port);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = server.kill();
        let _ = server.wait();
    }
    panic!("the server did not come up on any of ten ports");
}

async fn wait_until_up(client: &reqwest::Client, port: u16) {
    for _ in 0..600 {
        if client
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up on port {port}");
}

#[tokio::test]
async fn answers_that_got_a_success_page_survive_a_kill_9() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let question_id = store
        .create_question(&NewQuestion::by_editor(
            "Crash test?",
            QuestionState::Accepted,
        ))
        .await
        .unwrap();
    let round_id = store
        .create_round(&NewRound {
            question_id,
            series_id: None,
            prompt: "Crash test?".into(),
            examples: None,
            follow_up: None,
            choices: vec![],
            library_types: vec![],
            closes_at: Some(now() + 86_400),
            status: RoundStatus::Open,
        })
        .await
        .unwrap();
    // Links as rounds make them, so that a reminder the server's scheduler sends meanwhile
    // (the round closes within a day) repeats them instead of issuing new ones.
    let secret = store.secret("invitations").await.unwrap();
    let mut tokens = Vec::new();
    for i in 0..PANEL {
        let id = store
            .create_panelist(&NewPanelist {
                name: format!("Panelist {i}"),
                email: format!("p{i}@example.org"),
                status: "active",
                ..NewPanelist::default()
            })
            .await
            .unwrap();
        let invitation = store
            .create_invitation_for(round_id, id, now() + 86_400, |invitation| {
                token_hash(&roundtable::tokens::invitation(&secret, invitation))
            })
            .await
            .unwrap();
        tokens.push(roundtable::tokens::invitation(&secret, invitation));
    }
    store.close().await;

    let url = match &db.url {
        roundtable::store::DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        other => panic!("{other:?}"),
    };
    let client = reqwest::Client::new();
    let (mut server, port) =
        start_own_server(&url, &client, &format!("/answer/{}", tokens[0])).await;

    let confirmed: Arc<Mutex<Vec<usize>>> = Arc::default();
    // What each answer got back, for the failure message.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().cloned().enumerate() {
        let client = client.clone();
        let confirmed = confirmed.clone();
        let seen = seen.clone();
        tasks.push(tokio::spawn(async move {
            let body = format!("Answer number {i}, sent in a burst.");
            let form = [
                ("name", format!("Panelist {i}")),
                ("attribution", "named".into()),
                ("body", body),
                ("action", "save".into()),
            ];
            let sent = client
                .post(format!("http://127.0.0.1:{port}/answer/{token}"))
                .form(&form)
                .send()
                .await;
            match &sent {
                Ok(response) => seen.lock().unwrap().push(response.status().to_string()),
                Err(e) => seen.lock().unwrap().push(e.to_string()),
            }
            if let Ok(response) = sent {
                if response.status().is_success()
                    && response
                        .text()
                        .await
                        .is_ok_and(|t| t.contains("Your answer is saved"))
                {
                    confirmed.lock().unwrap().push(i);
                }
            }
        }));
    }
    // Kill the server once part of the burst has been confirmed, while the rest is in flight.
    // Confirmations come within a fraction of a second; the long ceiling is for a machine
    // busy with the rest of the test suite.
    for _ in 0..24_000 {
        if confirmed.lock().unwrap().len() >= PANEL / 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    for task in tasks {
        let _ = task.await;
    }
    let confirmed = confirmed.lock().unwrap().clone();
    assert!(
        !confirmed.is_empty(),
        "some answers were confirmed before the kill; the server answered: {:?}",
        seen.lock().unwrap()
    );

    // Restarted, the server still has every confirmed answer, word for word.
    let mut server = start_server(&url, port);
    wait_until_up(&client, port).await;
    let store = db.store().await;
    let answers: Vec<(String, String)> = sqlx::query_as("SELECT sig_name, body FROM answers")
        .fetch_all(store.raw_pool_for_tests())
        .await
        .unwrap();
    for i in confirmed {
        let expected = (
            format!("Panelist {i}"),
            format!("Answer number {i}, sent in a burst."),
        );
        assert!(
            answers.contains(&expected),
            "answer {i} got a success page and was lost"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test]
async fn sigterm_lets_the_server_finish_and_exit_cleanly_with_each_request_in_its_log() {
    let db = TestDb::new(Backend::Sqlite).await;
    roundtable::demo::load(&db.store().await).await.unwrap();
    let url = match &db.url {
        roundtable::store::DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        other => panic!("{other:?}"),
    };
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("roundtable.toml");
    std::fs::write(&config, "").unwrap();
    let log = work.path().join("server.log");
    let port = free_port();
    let mut server = Server::start(&url, port, &config, &log, &[]);
    let client = crate::helpers::test_client();
    wait_until_up(&client, port).await;
    let response = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(response.status().as_u16(), 200);

    // What systemd sends to stop a service.
    let pid = server.child.id();
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(status) = server.child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status =
        exited.unwrap_or_else(|| panic!("still running after SIGTERM:\n{}", server.log_tail()));
    assert!(status.success(), "{status}:\n{}", server.log_tail());
    let log = std::fs::read_to_string(&log).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("roundtable::access") && l.contains(&id))
        .unwrap_or_else(|| panic!("an access-log line for request {id}:\n{log}"));
    for part in [
        "method=GET",
        "path=/healthz",
        "status=200",
        "client=127.0.0.1",
        "ms=",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
    assert!(!log.contains("panicked"), "{log}");
}

//! PostgreSQL stopped and restarted under load: while it is down every request fails cleanly
//! (503 with `Retry-After` and a readable page, within a deadline), the server process lives on,
//! and once PostgreSQL is back the same process reads and writes again by itself.
//!
//! The test runs its own throw-away cluster (initdb into a temporary folder, its own port), so
//! stopping it disturbs no other test.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{first_post_path, wait_until_up, Server};
use crate::helpers::visible_text;
use crate::smtp::free_port;

/// Longest any one request may take, outage or not.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// Longest the test waits for the load to show an expected change.
const PHASE_DEADLINE: Duration = Duration::from_secs(120);

/// A PostgreSQL cluster of the test's own, stopped and deleted when dropped.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    /// Creates and starts a cluster, or returns `None` when PostgreSQL is not installed.
    fn start() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("initdb").is_file())
            .max_by_key(|bin| {
                let version = bin.parent().and_then(|v| v.file_name());
                version.and_then(|v| v.to_str()?.parse::<u32>().ok())
            })?;
        let dir = tempfile::tempdir().expect("temporary folder");
        if running_as_root() {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            run(Command::new("chown").arg("postgres").arg(dir.path()));
        }
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
        };
        cluster.pg(
            "initdb",
            &["-D", &cluster.data(), "-U", "postgres", "--auth=trust"],
        );
        cluster.ctl(&["start", "-o", &cluster.server_options()]);
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn server_options(&self) -> String {
        format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        )
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl ARGS`, waiting for it to finish what it was asked.
    fn ctl(&self, args: &[&str]) {
        let log = self.dir.path().join("log").display().to_string();
        let mut all = vec!["-D", &self.data(), "-l", &log, "-w"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        all.extend(args.iter().map(|a| a.to_string()));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.pg("pg_ctl", &all);
    }

    /// Runs one of the cluster's programs as the postgres user when we are root.
    fn pg(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.args(args);
        run(&mut command);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let log = self.dir.path().join("log").display().to_string();
        let _ = self.pg_quiet(&["-D", &self.data(), "-l", &log, "-m", "immediate", "stop"]);
    }
}

impl Cluster {
    fn pg_quiet(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        let program = self.bin.join("pg_ctl");
        if running_as_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        }
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(command: &mut Command) {
    let out = command.output().expect("the program runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What the load saw, request by request.
#[derive(Debug, Default, Clone)]
struct Tally {
    reads_ok: usize,
    writes_ok: usize,
    reads_unavailable: usize,
    writes_unavailable: usize,
    /// Every answer that was neither a success nor a clean 503: the test fails on any.
    bad: Vec<String>,
}

enum Outcome {
    Ok,
    Unavailable,
    Bad(String),
}

/// Judges one response: a success, a clean "unavailable", or anything else.
async fn judge(what: &str, sent: Result<reqwest::Response, reqwest::Error>) -> Outcome {
    let response = match sent {
        Ok(r) => r,
        Err(e) => return Outcome::Bad(format!("{what}: no answer: {e}")),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = match response.text().await {
        Ok(body) => body,
        Err(e) => return Outcome::Bad(format!("{what}: status {status}, body cut: {e}")),
    };
    match status {
        200 | 303 => Outcome::Ok,
        503 => {
            let text = visible_text(&body);
            if retry_after.is_none() {
                Outcome::Bad(format!("{what}: 503 without a Retry-After in seconds"))
            } else if !text.to_lowercase().contains("try again") {
                Outcome::Bad(format!("{what}: 503 without a readable message: {text}"))
            } else {
                Outcome::Unavailable
            }
        }
        _ => {
            let text: String = visible_text(&body).chars().take(300).collect();
            Outcome::Bad(format!("{what}: status {status}: {text}"))
        }
    }
}

fn record(tally: &Mutex<Tally>, write: bool, outcome: Outcome) {
    let mut t = tally.lock().unwrap();
    match (outcome, write) {
        (Outcome::Ok, false) => t.reads_ok += 1,
        (Outcome::Ok, true) => t.writes_ok += 1,
        (Outcome::Unavailable, false) => t.reads_unavailable += 1,
        (Outcome::Unavailable, true) => t.writes_unavailable += 1,
        (Outcome::Bad(why), _) => t.bad.push(why),
    }
}

/// Polls until `done` holds for the tally, failing with the server's log after the deadline.
async fn wait_for(
    tally: &Mutex<Tally>,
    server: &mut Server,
    pid: u32,
    what: &str,
    done: impl Fn(&Tally) -> bool,
) {
    let start = Instant::now();
    loop {
        server.assert_running(pid);
        let t = tally.lock().unwrap().clone();
        if done(&t) {
            return;
        }
        assert!(
            start.elapsed() < PHASE_DEADLINE,
            "{what}: not seen within {PHASE_DEADLINE:?}; the load saw {t:?}; the server log ends:\n{}",
            server.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_server_recovers_by_itself_after_postgresql_restarts_under_load() {
    let Some(cluster) = Cluster::start() else {
        println!(
            "SKIPPED: PostgreSQL's initdb is not installed under /usr/lib/postgresql \
             (scripts/test installs it); the restart test needs a cluster of its own"
        );
        return;
    };
    let work = tempfile::tempdir().expect("temporary folder");
    let config = work.path().join("roundtable.toml");
    // Every comment of the load comes from 127.0.0.1: lift the per-address limit.
    std::fs::write(&config, "comment_rate_max = 1000000\n").unwrap();
    let port = free_port();
    let mut server = Server::start(
        &cluster.url(),
        port,
        &config,
        &work.path().join("server.log"),
        &["--demo"],
    );
    let pid = server.child.id();
    let client = reqwest::Client::builder()
        .timeout(REQUEST_DEADLINE)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    wait_until_up(&client, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let post = first_post_path(&client, &base).await;

    // The load: three readers going round the public pages, one commenter.
    let tally: Arc<Mutex<Tally>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for reader in 0..3 {
        let (client, tally, stop) = (client.clone(), tally.clone(), stop.clone());
        let pages = [
            "/".to_string(),
            post.clone(),
            "/search?q=hiring".into(),
            "/feed/".into(),
            "/api/v1/posts".into(),
            "/sitemap.xml".into(),
        ];
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = reader;
            while !stop.load(Ordering::Relaxed) {
                let page = &pages[i % pages.len()];
                let sent = client.get(format!("{base}{page}")).send().await;
                record(&tally, false, judge(&format!("GET {page}"), sent).await);
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    {
        let (client, tally, stop) = (client.clone(), tally.clone(), stop.clone());
        let (base, post) = (base.clone(), post.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let sent = client
                    .post(format!("{base}{post}comments"))
                    .form(&comment(n))
                    .send()
                    .await;
                record(&tally, true, judge("POST a comment", sent).await);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }

    wait_for(&tally, &mut server, pid, "reads and writes before", |t| {
        t.reads_ok >= 30 && t.writes_ok >= 3
    })
    .await;

    // 1. A fast shutdown (clients disconnected, server gone) held for a while.
    cluster.ctl(&["stop", "-m", "fast"]);
    let before = tally.lock().unwrap().clone();
    wait_for(&tally, &mut server, pid, "clean failures while down", |t| {
        t.reads_unavailable >= before.reads_unavailable + 3
            && t.writes_unavailable > before.writes_unavailable
    })
    .await;
    // One request of our own, looked at closely.
    let started = Instant::now();
    let down = client
        .get(format!("{base}/"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(down.status().as_u16(), 503, "the home page while down");
    assert!(down.headers().contains_key(reqwest::header::RETRY_AFTER));
    let text = visible_text(&down.text().await.unwrap());
    assert!(text.contains("try again"), "a readable message: {text}");
    assert!(started.elapsed() < REQUEST_DEADLINE);

    cluster.ctl(&["start", "-o", &cluster.server_options()]);
    let before = tally.lock().unwrap().clone();
    wait_for(
        &tally,
        &mut server,
        pid,
        "recovery after a fast stop",
        |t| t.reads_ok >= before.reads_ok + 30 && t.writes_ok >= before.writes_ok + 3,
    )
    .await;

    // 2. An immediate restart: connections cut without a word, crash recovery on start.
    cluster.ctl(&["restart", "-m", "immediate"]);
    let before = tally.lock().unwrap().clone();
    wait_for(
        &tally,
        &mut server,
        pid,
        "recovery after a crash restart",
        |t| t.reads_ok >= before.reads_ok + 30 && t.writes_ok >= before.writes_ok + 3,
    )
    .await;

    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        tokio::time::timeout(REQUEST_DEADLINE * 2, task)
            .await
            .expect("the load stops")
            .expect("a load task panicked");
    }
    server.assert_running(pid);
    let tally = tally.lock().unwrap().clone();
    assert!(
        tally.bad.is_empty(),
        "requests that failed without a clean 503 ({} of them): {:#?}\nserver log ends:\n{}",
        tally.bad.len(),
        &tally.bad[..tally.bad.len().min(20)],
        server.log_tail()
    );
    println!("load seen: {tally:?}");
}

fn comment(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Load Tester".into()),
        ("email", "load@example.org".into()),
        ("url", String::new()),
        ("body", format!("Comment number {n} of the restart test.")),
    ]
}

//! A soak of mixed reading and writing against the real server: not part of the normal run
//! (it takes minutes). Run it with
//!
//! ```sh
//! SOAK_SECONDS=600 cargo test --release --test it soak -- --ignored --nocapture
//! ```
//!
//! It asserts zero 5xx responses and prints the request counts and the process's memory at the
//! start, middle and end, for docs/soak.md.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roundtable::store::{now, Backend};
use roundtable::tokens::token_hash;

use crate::helpers::TestApp;

/// Resident memory of this process (server included), in kilobytes.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes minutes; run on purpose (see the module comment)"]
async fn a_mixed_soak_of_reads_and_writes_gets_no_server_errors() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let app = Arc::new(TestApp::with_demo(Backend::Sqlite).await);
    let store = &app.store;
    // Answer links with known tokens, for the writes.
    let round = store
        .rounds(roundtable::domain::RoundStatus::Open)
        .await
        .unwrap()
        .remove(0);
    let panel = store.panelists("active").await.unwrap();
    let mut links = Vec::new();
    for (i, p) in panel.iter().enumerate() {
        let token = format!("soak-{i}");
        sqlx::query("UPDATE invitations SET token_hash = $1, expires_at = $2 WHERE round_id = $3 AND panelist_id = $4")
            .bind(token_hash(&token))
            .bind(now() + 86_400)
            .bind(round.id)
            .bind(p.id)
            .execute(store.raw_pool_for_tests())
            .await
            .unwrap();
        links.push((format!("/answer/{token}"), p.name.clone()));
    }
    let (_, home) = app.get("/").await;
    let at = home.find("class=\"post-title\"").unwrap();
    let rest = &home[at..];
    let rest = &rest[rest.find("href=\"").unwrap() + 6..];
    let post = rest[..rest.find('"').unwrap()].to_string();
    let reads = vec![
        "/".to_string(),
        post.clone(),
        "/tag/interviews/".into(),
        "/feed/".into(),
        "/search?q=salary".into(),
        "/api/v1/posts".into(),
    ];

    let requests = Arc::new(AtomicU64::new(0));
    let writes = Arc::new(AtomicU64::new(0));
    let server_errors = Arc::new(AtomicU64::new(0));
    let start_rss = rss_kb();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for worker in 0..16u64 {
        let (app, reads, links, post) = (app.clone(), reads.clone(), links.clone(), post.clone());
        let (requests, writes, server_errors) =
            (requests.clone(), writes.clone(), server_errors.clone());
        workers.push(tokio::spawn(async move {
            let mut n = worker;
            while Instant::now() < deadline {
                n += 16;
                // One request in twelve writes: an answer, or now and then a comment.
                let response = if n % 12 == 0 {
                    writes.fetch_add(1, Ordering::Relaxed);
                    if n % 96 == 0 {
                        let body = format!("Soak comment {n}");
                        app.client
                            .post(app.url(&format!("{post}comments")))
                            .form(&[
                                ("name", "Soak"),
                                ("email", "soak@example.org"),
                                ("body", &body),
                            ])
                            .send()
                            .await
                    } else {
                        let (link, name) = &links[(n as usize / 12) % links.len()];
                        let body = format!("Soak answer {n}: long enough to be a real answer.");
                        app.client
                            .post(app.url(link))
                            .form(&[
                                ("name", name.as_str()),
                                ("attribution", "named"),
                                ("body", &body),
                                ("action", "save"),
                            ])
                            .send()
                            .await
                    }
                } else {
                    app.client
                        .get(app.url(&reads[n as usize % reads.len()]))
                        .send()
                        .await
                };
                requests.fetch_add(1, Ordering::Relaxed);
                match response {
                    Ok(r) if r.status().is_server_error() => {
                        server_errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => {
                        let _ = r.bytes().await;
                    }
                    Err(_) => {
                        server_errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let mut middle_rss = 0;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if middle_rss == 0 && started.elapsed() >= Duration::from_secs(seconds / 2) {
            middle_rss = rss_kb();
        }
    }
    for w in workers {
        w.await.unwrap();
    }
    let end_rss = rss_kb();
    let total = requests.load(Ordering::Relaxed);
    let wrote = writes.load(Ordering::Relaxed);
    println!(
        "soak: {seconds} s, {total} requests ({:.0}/s), {wrote} writes ({:.1}%), {} server errors; memory {start_rss} kB at start, {middle_rss} kB midway, {end_rss} kB at the end",
        total as f64 / seconds as f64,
        100.0 * wrote as f64 / total.max(1) as f64,
        server_errors.load(Ordering::Relaxed)
    );
    assert_eq!(server_errors.load(Ordering::Relaxed), 0);
    assert!(wrote * 100 >= total * 5, "at least 5% writes");
}

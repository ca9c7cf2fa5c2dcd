//! Outside judges of what the server sends: the Nu HTML Checker (`vnu`) for valid HTML, axe-core
//! in Chromium for WCAG 2 A and AA, and feedparser for feeds. Each is a separate program that
//! `scripts/test` installs; a missing one fails the test with a message saying so.
//!
//! The programs run on tokio's blocking pool, so the test's own server keeps answering the
//! requests they make.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::browser::heavy_tool_turn;

/// A file under `tests/support/`.
pub fn support_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// Runs `command` off the async runtime; panics with `install_hint` when it cannot start.
async fn run(mut command: Command, install_hint: &'static str) -> Output {
    let program = command.get_program().to_string_lossy().into_owned();
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the checker's thread")
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {install_hint}"))
}

/// Checks every page with one run of the Nu HTML Checker (each start costs seconds) and panics
/// with its error messages when any page is invalid. `pages` are (file name, content) pairs: the
/// names show in the messages, and a name ending in `.css` is checked as a stylesheet.
pub async fn assert_valid_html(pages: &[(String, String)]) {
    let folder = tempfile::tempdir().expect("temporary folder for the pages");
    let files: Vec<PathBuf> = pages
        .iter()
        .map(|(name, html)| {
            let file = folder.path().join(name);
            std::fs::write(&file, html).expect("save the page");
            file
        })
        .collect();
    let vnu = std::env::var("ROUNDTABLE_TEST_VNU").unwrap_or_else(|_| "vnu".into());
    let mut command = Command::new(vnu);
    command
        .args(["--errors-only", "--also-check-css", "--format", "gnu"])
        .args(&files);
    let _turn = heavy_tool_turn().await;
    let output = run(
        command,
        "run the tests with scripts/test, which installs the npm package vnu-jar \
         (or set ROUNDTABLE_TEST_VNU)",
    )
    .await;
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
    .replace(&format!("{}/", folder.path().display()), "");
    assert!(
        output.status.success() && messages.trim().is_empty(),
        "the Nu HTML Checker found errors:\n{messages}"
    );
}

/// Runs axe-core's WCAG 2 A and AA rules (tests/support/axe.js) on each page and panics with
/// the violations, as JSON, when there are any.
pub async fn assert_accessible(urls: &[String]) {
    accessible(urls, None).await;
}

/// `assert_accessible` for pages behind a sign-in: the browser sends `cookie` (`name=value`,
/// such as an editor's session) with every http:// page it loads.
pub async fn assert_accessible_signed_in(urls: &[String], cookie: &str) {
    accessible(urls, Some(cookie)).await;
}

async fn accessible(urls: &[String], cookie: Option<&str>) {
    let mut command = Command::new("node");
    command.arg(support_file("axe.js")).args(urls);
    if let Some(cookie) = cookie {
        command.env("ROUNDTABLE_AXE_COOKIE", cookie);
    }
    let _turn = heavy_tool_turn().await;
    let output = run(
        command,
        "run the tests with scripts/test, which installs Node's axe-core and puppeteer-core",
    )
    .await;
    let report = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(1) => panic!("axe found accessibility violations:\n{report}"),
        _ => {
            panic!("axe could not check the pages (scripts/test installs what it needs):\n{errors}")
        }
    }
}

/// Reads a feed (a file path or an http:// URL) with feedparser through
/// tests/support/feedcheck.py, panics with every problem it finds, and returns its summary:
/// `{"version": …, "title": …, "entries": N, "ids": […]}`. `options` are the script's own:
/// `--version atom10`, `--entries 3`, `--forbid "a name"`.
pub async fn assert_feed_reads_cleanly(feed: &str, options: &[&str]) -> serde_json::Value {
    let mut command = Command::new("python3");
    command
        .arg(support_file("feedcheck.py"))
        .arg(feed)
        .args(options);
    let output = run(
        command,
        "run the tests with scripts/test, which installs Python's feedparser",
    )
    .await;
    let problems = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "a feed reader stumbles on {feed}:\n{problems}"
    );
    serde_json::from_slice(&output.stdout).expect("feedcheck prints a JSON summary")
}

// The judges themselves: each must reject what it is there to catch.

#[tokio::test]
#[should_panic(expected = "Unclosed element")]
async fn the_html_checker_rejects_a_page_with_an_unclosed_element() {
    let page = "<!doctype html><html lang=\"en\"><title>Broken</title><div><span></div>";
    assert_valid_html(&[("broken.html".to_string(), page.to_string())]).await;
}

#[tokio::test]
#[should_panic(expected = "image-alt")]
async fn axe_rejects_an_image_without_alternative_text() {
    let folder = tempfile::tempdir().unwrap();
    let page = folder.path().join("image.html");
    std::fs::write(
        &page,
        "<!doctype html><html lang=\"en\"><title>Image</title><main><img src=\"a.png\"></main>",
    )
    .unwrap();
    assert_accessible(&[format!("file://{}", page.display())]).await;
}

#[tokio::test]
async fn the_feed_checker_accepts_a_clean_feed_and_passes_its_own_self_test() {
    let folder = tempfile::tempdir().unwrap();
    let feed = folder.path().join("feed.xml");
    std::fs::write(
        &feed,
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>The Hiring Shelf</title><id>urn:rt:feed</id>
<updated>2024-05-07T09:00:00Z</updated>
<entry><title>Salary</title><link href="http://example.test/salary/"/><id>urn:rt:1</id>
<updated>2024-05-07T09:00:00Z</updated><content type="html">Anonymous — Yes</content></entry>
</feed>"#,
    )
    .unwrap();
    let summary = assert_feed_reads_cleanly(feed.to_str().unwrap(), &["--version", "atom10"]).await;
    assert_eq!(summary["entries"], 1);
    assert_eq!(summary["ids"][0], "urn:rt:1");

    let output = std::process::Command::new("python3")
        .arg(support_file("feedcheck.py"))
        .arg("--self-test")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

//! A real Chromium, driven over WebDriver, for tests of what a person sees and does: open a
//! page, click a link by its text, read the page's visible text, fill in and submit a form, take
//! a screenshot. Each `Browser` starts its own `chromedriver` on a free port with a fresh
//! profile, and stops it (and Chromium with it) when dropped.
//!
//! Every wait polls with a generous deadline instead of sleeping, so a slow machine makes the
//! tests slower, never flaky.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long any one wait (chromedriver starting, a page loading, a link appearing) may take.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The window size pages open at unless a test resizes it.
pub const DESKTOP: (u32, u32) = (1280, 900);

/// Chromium's flags: headless, and nothing that reaches the internet or needs a sandbox (the
/// tests run as root). See docs/TESTING-TOOLS.md.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
];

/// The Chromium binary: `ROUNDTABLE_TEST_CHROMIUM`, or Debian's.
pub fn chromium_path() -> PathBuf {
    tool_path("ROUNDTABLE_TEST_CHROMIUM", "/usr/bin/chromium")
}

fn chromedriver_path() -> PathBuf {
    tool_path("ROUNDTABLE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
}

fn tool_path(variable: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| default.into());
    assert!(
        path.exists(),
        "{} is missing: run the tests with scripts/test, which installs Chromium and \
         ChromeDriver (or set {variable})",
        path.display()
    );
    path
}

/// Browsers, axe's Chromium and the HTML checker are heavy; tests take turns using them so a
/// two-core machine is not asked to run several at once.
pub async fn heavy_tool_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// One headless Chromium session.
pub struct Browser {
    client: Client,
    driver: Child,
    // Chromium's profile folder and chromedriver's log; removed on drop.
    _folder: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromedriver and a Chromium window of `DESKTOP` size.
    pub async fn start() -> Browser {
        let turn = heavy_tool_turn().await;
        let folder = tempfile::tempdir().expect("temporary folder for the browser");
        let port = free_port();
        let log = std::fs::File::create(folder.path().join("chromedriver.log")).unwrap();
        let mut command = Command::new(chromedriver_path());
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // Its own process group, so dropping the browser can end Chromium too.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command.spawn().expect("chromedriver starts");
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&webdriver, folder.path()).await;

        let profile = folder.path().join("profile");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={},{}", DESKTOP.0, DESKTOP.1));
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium_path(),
                "args": args,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("capabilities are an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "Chromium does not start through chromedriver: {e}\n{}",
                    driver_log(folder.path())
                )
            });
        let browser = Browser {
            client,
            driver,
            _folder: folder,
            _turn: turn,
        };
        browser.resize(DESKTOP.0, DESKTOP.1).await;
        browser
    }

    /// The WebDriver client, for anything the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `url` and waits until the page has loaded.
    pub async fn open(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        self.wait_for_load().await;
    }

    /// Sets the size of the page's viewport, in CSS pixels.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
        // The window includes no toolbars in headless mode, but make sure: grow the window by
        // whatever the viewport lacks.
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("read the viewport size");
        let (w, h) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (w, h) != (width, height) && w > 0 && h > 0 {
            self.client
                .set_window_size(
                    width + (width - w.min(width)),
                    height + (height - h.min(height)),
                )
                .await
                .expect("resize the window");
        }
    }

    /// The path and query of the page the browser shows, e.g. `/2024/05/06/a-post/`.
    pub async fn current_path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The page's text as a person reads it (`document.body.innerText`): hidden elements left
    /// out, line breaks where the layout puts them.
    pub async fn visible_text(&self) -> String {
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .expect("read the page's text");
        text.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the page shows `text`, and returns the page's visible text.
    pub async fn wait_for_text(&self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let seen = self.visible_text().await;
            if seen.contains(text) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "the page at {} never showed {text:?}; it shows:\n{seen}",
                self.current_path().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the link whose visible text is `text` (spaces folded), or else the first link
    /// whose text contains it, then waits for the page it leads to.
    pub async fn click_link(&self, text: &str) {
        let t = xpath_literal(text);
        let link = self
            .wait_for(
                &[
                    &format!("//a[normalize-space(.)={t}]"),
                    &format!("//a[contains(normalize-space(.), {t})]"),
                ],
                &format!("a link {text:?}"),
            )
            .await;
        self.mark_page().await;
        link.click()
            .await
            .unwrap_or_else(|e| panic!("click {text:?}: {e}"));
        self.wait_for_new_page().await;
    }

    /// Types `value` into the form field labelled `field` (its `<label>` text, or the start of
    /// it: "Email" for "Email (never shown)"), or else named `field` (its `name` attribute), or
    /// else with the `id` `field`, replacing what it held.
    pub async fn fill(&self, field: &str, value: &str) {
        let input = self.field(field).await;
        input.clear().await.ok();
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into {field:?}: {e}"));
    }

    /// Ticks (`true`) or unticks (`false`) the checkbox or radio button `field` names (its label,
    /// `name` or `id`, as for `fill`), by clicking it as a person would, only when it is not
    /// already so.
    pub async fn set_checked(&self, field: &str, checked: bool) {
        let input = self.field(field).await;
        let now = input
            .prop("checked")
            .await
            .unwrap_or_else(|e| panic!("read whether {field:?} is ticked: {e}"));
        if (now.as_deref() == Some("true")) != checked {
            input
                .click()
                .await
                .unwrap_or_else(|e| panic!("click {field:?}: {e}"));
        }
    }

    /// Scrolls the first element matching the CSS `selector` to the top of the viewport, so a
    /// screenshot shows it.
    pub async fn scroll_to(&self, selector: &str) {
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 if (!e) { return false; } e.scrollIntoView(); return true;",
                vec![json!(selector)],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .filter(|found| *found)
            .unwrap_or_else(|| panic!("nothing matches {selector:?} to scroll to"));
    }

    /// The form field `fill` would type into, to read what it holds (`prop("value")`) or how
    /// it is described (`attr("aria-describedby")`).
    pub async fn field(&self, field: &str) -> fantoccini::elements::Element {
        let f = xpath_literal(field);
        let controls = "self::input or self::textarea or self::select";
        let labelled = |label: &str| {
            format!(
                "//*[({controls}) and @id=//label[{label}]/@for] | //label[{label}]//*[{controls}]"
            )
        };
        self.wait_for(
            &[
                &labelled(&format!("normalize-space(.)={f}")),
                &format!("//*[({controls}) and @name={f}]"),
                &format!("//*[({controls}) and @id={f}]"),
                &labelled(&format!("starts-with(normalize-space(.), {f})")),
            ],
            &format!("a field {field:?}"),
        )
        .await
    }

    /// Presses the submit button whose text (or `value`) is `button`, then waits for the page
    /// the form leads to.
    pub async fn submit(&self, button: &str) {
        let b = xpath_literal(button);
        let xpath = format!(
            "//button[normalize-space(.)={b}] \
             | //input[(@type='submit' or @type='button') and @value={b}]"
        );
        let control = self
            .wait_for(&[&xpath], &format!("a button {button:?}"))
            .await;
        self.mark_page().await;
        control
            .click()
            .await
            .unwrap_or_else(|e| panic!("press {button:?}: {e}"));
        self.wait_for_new_page().await;
    }

    /// Fails when the page scrolls sideways: wider than the window it is shown in.
    pub async fn assert_fits(&self, what: &str) {
        let overflow = self
            .client
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        let width = self
            .client
            .execute("return window.innerWidth;", vec![])
            .await
            .unwrap();
        assert!(
            overflow.as_i64() <= Some(0),
            "{what} scrolls sideways by {overflow}px at {width}px wide"
        );
    }

    /// Saves what the viewport shows as a PNG file, and returns the PNG's bytes.
    pub async fn screenshot(&self, path: &Path) -> Vec<u8> {
        let png = self.client.screenshot().await.expect("take a screenshot");
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).expect("screenshot folder");
        }
        std::fs::write(path, &png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        png
    }

    /// Ends the Chromium session cleanly; dropping the browser also stops everything.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }

    /// Waits for an element matching one of `xpaths` (tried in order) to be in the page.
    async fn wait_for(&self, xpaths: &[&str], what: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            for xpath in xpaths {
                if let Ok(element) = self.client.find(Locator::XPath(xpath)).await {
                    return element;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the page at {} has no {what}; it shows:\n{}",
                self.current_path().await,
                self.visible_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Marks the current document, so `wait_for_new_page` can tell when another replaced it,
    /// even at the same URL (a form that redirects back to its own page).
    async fn mark_page(&self) {
        self.client
            .execute("window.__roundtableOldPage = true;", vec![])
            .await
            .expect("mark the page");
    }

    async fn wait_for_new_page(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            // While navigating, scripts may fail: that is not yet a new page.
            let replaced = self
                .client
                .execute(
                    "return window.__roundtableOldPage === undefined \
                     && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if replaced {
                return;
            }
            assert!(Instant::now() < deadline, "no new page came");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for_load(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let state = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .ok();
            if state.as_ref().and_then(|s| s.as_str()) == Some("complete") {
                return;
            }
            assert!(Instant::now() < deadline, "the page never finished loading");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver leads its own process group; ending the group ends Chromium as well.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn wait_until_ready(webdriver: &str, folder: &Path) {
    let deadline = Instant::now() + PATIENCE;
    let client = reqwest::Client::new();
    loop {
        if let Ok(response) = client.get(format!("{webdriver}/status")).send().await {
            if response
                .text()
                .await
                .unwrap_or_default()
                .contains("\"ready\":true")
            {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start at {webdriver}\n{}",
            driver_log(folder)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn driver_log(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("chromedriver.log")).unwrap_or_default()
}

/// `text` as an XPath 1.0 string literal, whatever quotes it holds.
fn xpath_literal(text: &str) -> String {
    if !text.contains('"') {
        format!("\"{text}\"")
    } else if !text.contains('\'') {
        format!("'{text}'")
    } else {
        let parts: Vec<String> = text.split('"').map(|p| format!("\"{p}\"")).collect();
        format!("concat({})", parts.join(", '\"', "))
    }
}

#[test]
fn xpath_literals_quote_text_with_either_kind_of_quote() {
    assert_eq!(xpath_literal("Latest"), "\"Latest\"");
    assert_eq!(xpath_literal("Say \"hi\""), "'Say \"hi\"'");
    assert_eq!(
        xpath_literal("It's \"odd\""),
        "concat(\"It's \", '\"', \"odd\", '\"', \"\")"
    );
}

#[tokio::test]
async fn the_browser_fills_a_field_by_its_label_and_submits_the_form() {
    let app = crate::helpers::TestApp::with_demo(roundtable::store::Backend::Sqlite).await;
    let browser = Browser::start().await;
    // A form of the test's own, until the site has forms: searching sends the query along.
    let form = format!(
        "<!doctype html><title>Form</title><form action=\"{}\">\
         <label for=\"q\">Search the column</label> <input id=\"q\" name=\"q\">\
         <input name=\"page\" type=\"hidden\" value=\"1\">\
         <textarea name=\"note\"></textarea> <button>Look it up</button></form>",
        app.url("/search")
    );
    browser
        .open(&format!("data:text/html,{}", form.replace('#', "%23")))
        .await;

    browser.fill("Search the column", "salary & offers").await;
    browser.fill("note", "by name").await;
    browser.submit("Look it up").await;

    assert_eq!(
        browser.current_path().await,
        "/search?q=salary+%26+offers&page=1&note=by+name"
    );
    browser.quit().await;
}

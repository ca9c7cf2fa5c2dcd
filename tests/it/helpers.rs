//! Test databases (a SQLite file or a fresh PostgreSQL database, dropped afterwards) and a
//! `TestApp` that runs the real server on a random port.

use std::net::SocketAddr;
use std::path::PathBuf;

use roundtable::app::Application;
use roundtable::config::{Config, MailSettings};
use roundtable::store::{Backend, DatabaseUrl, Store};

/// The PostgreSQL server tests create their databases on; `scripts/test` sets it.
pub fn postgres_admin_url() -> String {
    std::env::var("ROUNDTABLE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: DatabaseUrl,
    // Kept so the SQLite file's folder lives as long as the test.
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path: PathBuf = dir.path().join("roundtable.db");
                TestDb {
                    url: DatabaseUrl::Sqlite(path),
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("rt_test_{}_{}", std::process::id(), rand_suffix());
                let admin = postgres_admin_url();
                let mut conn = connect_admin(&admin).await;
                sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap_or_else(|e| panic!("cannot create test database on {admin}: {e}"));
                let base = admin
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .unwrap_or(&admin);
                TestDb {
                    url: DatabaseUrl::Postgres(format!("{base}/{name}")),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Connects and applies the migrations.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside async code: use a runtime of its own on a separate thread.
            let admin = postgres_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let mut conn = connect_admin(&admin).await;
                    let _ = sqlx::Executor::execute(
                        &mut conn,
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                    )
                    .await;
                });
            })
            .join();
        }
    }
}

async fn connect_admin(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {url} (run the tests with scripts/test): {e}")
    })
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Runs one store test body against one backend with a fresh database.
pub async fn with_store<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    body(store.clone()).await;
    store.close().await;
}

/// The demo post with short-answer choices, and role-only and anonymous answers.
pub const SALARY_POST: &str = "Is It Okay to Ask About Salary in a First Interview?";

/// Declares a test over the demo column, served by the real server, that runs once on SQLite
/// and once on PostgreSQL: `demo_test!(name)` for an `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! demo_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                super::$name(
                    $crate::helpers::TestApp::with_demo(roundtable::store::Backend::Sqlite).await,
                )
                .await;
            }
            #[tokio::test]
            async fn on_postgres() {
                super::$name(
                    $crate::helpers::TestApp::with_demo(roundtable::store::Backend::Postgres).await,
                )
                .await;
            }
        }
    };
}

/// Declares a store test that runs once on SQLite and once on PostgreSQL:
/// `store_test!(name)` for an `async fn name(store: Store)` in the same module.
#[macro_export]
macro_rules! store_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                $crate::helpers::with_store(roundtable::store::Backend::Sqlite, super::$name).await;
            }
            #[tokio::test]
            async fn on_postgres() {
                $crate::helpers::with_store(roundtable::store::Backend::Postgres, super::$name)
                    .await;
            }
        }
    };
}

/// The real server on a random port, with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's shared state, for driving scheduled work directly.
    pub state: roundtable::web::SharedState,
    pub store: Store,
    pub client: reqwest::Client,
    _db: TestDb,
}

impl TestApp {
    /// Starts a server over a database holding the demo column.
    pub async fn with_demo(backend: Backend) -> TestApp {
        TestApp::with_demo_configured(backend, |_| {}).await
    }

    /// Starts a server over the demo column with settings of the test's own (a higher comment
    /// rate limit, say).
    pub async fn with_demo_configured(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        roundtable::demo::load(&store)
            .await
            .expect("demo column loads")
            .expect("database was empty");
        TestApp::start(db, store, MailSettings::default(), configure).await
    }

    /// Starts a server over an empty database, sending mail with `mail`.
    pub async fn empty(backend: Backend, mail: MailSettings) -> TestApp {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        TestApp::start(db, store, mail, |_| {}).await
    }

    async fn start(
        db: TestDb,
        store: Store,
        mail: MailSettings,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let (addr, state) = serve(&db.url, store.clone(), mail, configure).await;
        TestApp {
            addr,
            state,
            store,
            client: test_client(),
            _db: db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a form; the response as it came (redirects not followed).
    async fn send_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// POSTs a form and returns the status and body of the response (redirects not followed).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.send_form(path, fields).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// POSTs a form as a browser does: a redirect after it (a form that was taken) is followed
    /// with a GET. Returns the last status and body, and whether a redirect was followed.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, bool) {
        let response = self.send_form(path, fields).await;
        let status = response.status().as_u16();
        if status != 303 {
            return (status, response.text().await.expect("body"), false);
        }
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let (status, body) = self.get(&location).await;
        (status, body, true)
    }

    /// GETs a page and returns its status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }
}

/// Runs the real server over `store` (whose address is `url`) on a random port, with the
/// test configuration changed by `configure`.
pub async fn serve(
    url: &DatabaseUrl,
    store: Store,
    mail: MailSettings,
    configure: impl FnOnce(&mut Config),
) -> (SocketAddr, roundtable::web::SharedState) {
    let mut config = Config {
        database_url: url.clone(),
        addr: "127.0.0.1:0".parse().unwrap(),
        theme: None,
        base_url: None,
        trusted_proxies: Vec::new(),
        page_cache: true,
        comment_rate_max: roundtable::config::DEFAULT_COMMENT_RATE_MAX,
        form_rate_max: roundtable::config::DEFAULT_FORM_RATE_MAX,
        mail,
    };
    configure(&mut config);
    let app = Application::build(config, store)
        .await
        .expect("server builds");
    let (addr, state) = (app.addr(), app.state());
    tokio::spawn(app.run_until_stopped());
    (addr, state)
}

/// Exports the site `state` serves into `dir`, as `roundtable export static` does.
pub async fn export_static(
    state: &roundtable::web::SharedState,
    dir: &std::path::Path,
    base: &str,
) -> roundtable::interop::static_site::StaticReport {
    let router = roundtable::web::router(state.clone());
    roundtable::interop::static_site::export(router, &state.column, dir, base)
        .await
        .expect("static export")
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The text a person would read in a page: tags removed, entities decoded, spaces folded.
pub fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One email as a person reads it: parsed by Python's `email` package, a real MIME reader.
pub struct ReadMail {
    pub to: String,
    pub subject: String,
    pub headers: String,
    pub text: String,
    pub html: String,
}

pub fn read_mail(raw: &str) -> ReadMail {
    use std::io::Write;
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
m = email.message_from_string(sys.stdin.read(), policy=email.policy.default)
text = m.get_body(preferencelist=("plain",))
html = m.get_body(preferencelist=("html",))
print(json.dumps({
    "to": str(m["To"]), "subject": str(m["Subject"]),
    "headers": "\n".join(f"{k}: {v}" for k, v in m.items()),
    "text": text.get_content() if text else "",
    "html": html.get_content() if html else "",
}))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the message parses");
    let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    ReadMail {
        to: field("to"),
        subject: field("subject"),
        headers: field("headers"),
        text: field("text"),
        html: field("html"),
    }
}

/// The CSRF token of the first form in an admin page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The address of the first post on the home page whose title contains `title_part`.
pub async fn post_url(app: &TestApp, title_part: &str) -> String {
    let (_, home) = app.get("/").await;
    let at = home
        .find(title_part)
        .unwrap_or_else(|| panic!("{title_part} on the home page"));
    let href = home[..at].rfind("href=\"").unwrap();
    let rest = &home[href + 6..];
    rest[..rest.find('"').unwrap()].to_string()
}

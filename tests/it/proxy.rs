//! Behind a reverse proxy: a real nginx terminating HTTPS in front of the real server, as an
//! operator runs it. Each reader behind the proxy has a comment allowance of their own, links
//! are built from `base_url` alone, and a sign-in over HTTPS gets a `Secure` cookie. Sent
//! straight to the server by a stranger, the same headers (`Host`, `X-Forwarded-For`,
//! `X-Forwarded-Proto`) change nothing.
//!
//! nginx (`apt-get install nginx-light`), `openssl` and `curl` are separate programs; a missing
//! one fails the test with a message saying so. They run on tokio's blocking pool, so the
//! test's own server keeps answering the requests they make.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use roundtable::auth::hash_password;
use roundtable::domain::Email;
use roundtable::store::Backend;

use crate::helpers::{post_url, TestApp};

const NGINX: &str = "/usr/sbin/nginx";
const BASE_URL: &str = "https://column.test";
const EDITOR: &str = "proxy-editor@example.org";
const PASSWORD: &str = "correct horse battery staple";
const TOO_MANY: &str = "You have posted several comments in a short time";

/// A real nginx in the foreground, with its configuration, certificate and temporary files in
/// a folder of its own; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Listens with TLS on a free port of 127.0.0.1 and passes every request to `app`, adding
    /// the headers a typical site configuration adds.
    async fn start(app: SocketAddr) -> Nginx {
        assert!(
            Path::new(NGINX).exists(),
            "{NGINX} is missing: apt-get install nginx-light"
        );
        let dir = tempfile::tempdir().expect("temporary folder for nginx");
        let d = dir.path().to_path_buf();
        let mut openssl = Command::new("openssl");
        openssl
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
            ])
            .arg(d.join("k.pem"))
            .arg("-out")
            .arg(d.join("c.pem"));
        let made = run(openssl, "apt-get install openssl").await;
        assert!(
            made.status.success(),
            "openssl made no certificate: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let port = free_port();
        let p = |name: &str| d.join(name).display().to_string();
        let conf = format!(
            "daemon off;
master_process off;
error_log {error_log} info;
pid {pid};
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    access_log off;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://{app};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
",
            error_log = p("error.log"),
            pid = p("nginx.pid"),
            body = p("client_body"),
            proxy = p("proxy"),
            fastcgi = p("fastcgi"),
            uwsgi = p("uwsgi"),
            scgi = p("scgi"),
            cert = p("c.pem"),
            key = p("k.pem"),
        );
        std::fs::write(d.join("nginx.conf"), conf).expect("write nginx.conf");
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(&d)
            .arg("-e")
            .arg(d.join("error.log"))
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {NGINX} ({e}): apt-get install nginx-light"));
        let mut nginx = Nginx { child, port, dir };
        nginx.wait_until_listening().await;
        nginx
    }

    async fn wait_until_listening(&mut self) {
        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx stopped ({status}): {}", self.error_log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "nginx does not answer on port {} after 30 s: {}",
                self.port,
                self.error_log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// The address of `path` through nginx, over HTTPS.
    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on just now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Runs `command` off the async runtime; panics with `install_hint` when it cannot start.
async fn run(mut command: Command, install_hint: &'static str) -> std::process::Output {
    let program = command.get_program().to_string_lossy().into_owned();
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {install_hint}"))
}

/// One answer as curl received it.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

impl Answer {
    /// The `Set-Cookie` header that sets `name`.
    fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (field, value) = line.split_once(':')?;
            let value = value.trim();
            (field.eq_ignore_ascii_case("set-cookie") && value.starts_with(&format!("{name}=")))
                .then_some(value)
        })
    }
}

/// One request with curl (which accepts nginx's self-signed certificate and sends exactly the
/// headers it is given, `Host` included). `form` makes it a POST of those fields.
async fn curl(url: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Answer {
    let mut command = Command::new("curl");
    command.args([
        "--silent",
        "--show-error",
        "--insecure",
        "--noproxy",
        "*",
        "--max-time",
        "20",
        "--include",
    ]);
    for (name, value) in headers {
        command.arg("--header").arg(format!("{name}: {value}"));
    }
    for (name, value) in form {
        command
            .arg("--data-urlencode")
            .arg(format!("{name}={value}"));
    }
    command.arg(url);
    let out = run(command, "apt-get install curl").await;
    assert!(
        out.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("curl {url}: no status line in {head}"));
    Answer {
        status,
        headers: head.to_string(),
        body: body.to_string(),
    }
}

/// An editor the test knows the password of.
async fn add_editor(app: &TestApp) {
    app.store
        .create_editor(
            &Email::parse(EDITOR).unwrap(),
            "Proxy Editor",
            &hash_password(PASSWORD).unwrap(),
        )
        .await
        .unwrap();
}

fn sign_in_form() -> [(&'static str, &'static str); 3] {
    [
        ("email", EDITOR),
        ("password", PASSWORD),
        ("next", "/admin/"),
    ]
}

fn comment<'a>(name: &'a str, email: &'a str, body: &'a str) -> [(&'a str, &'a str); 3] {
    [("name", name), ("email", email), ("body", body)]
}

/// An address from a documentation range, different each call.
fn random_address() -> String {
    let [a, b]: [u8; 2] = rand::random();
    format!("198.51.{a}.{b}")
}

#[tokio::test]
async fn behind_nginx_each_reader_has_their_own_comment_limit_and_links_use_the_base_url() {
    let app = TestApp::with_demo_configured(Backend::Sqlite, |config| {
        config.base_url = Some(BASE_URL.into());
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.comment_rate_max = 2;
    })
    .await;
    add_editor(&app).await;
    let post = post_url(&app, "What Makes a Cover Letter").await;
    let nginx = Nginx::start(app.addr).await;

    // Reader A (who reached nginx from 203.0.113.1, as the hop before it says) posts three
    // comments: the third is one too many.
    let from_a = [("X-Forwarded-For", "203.0.113.1")];
    let mut statuses = Vec::new();
    for i in 1..=3 {
        let body = format!("Reader A's thought number {i}.");
        let answer = curl(
            &nginx.url(&format!("{post}comments")),
            &from_a,
            &comment("Reader A", "reader-a@example.net", &body),
        )
        .await;
        statuses.push(answer.status);
        if i == 3 {
            assert!(answer.body.contains(TOO_MANY), "{}", answer.body);
            assert!(
                answer.body.contains("Reader A&#39;s thought number 3.")
                    || answer.body.contains("Reader A's thought number 3."),
                "the refused comment is kept in the form"
            );
        }
    }
    assert!(
        matches!(statuses[..], [302 | 303, 302 | 303, 429]),
        "{statuses:?}"
    );

    // Reader B, behind the same nginx, has an allowance of their own.
    let answer = curl(
        &nginx.url(&format!("{post}comments")),
        &[("X-Forwarded-For", "203.0.113.2")],
        &comment(
            "Reader B",
            "reader-b@example.net",
            "Reader B's first thought.",
        ),
    )
    .await;
    assert!(
        matches!(answer.status, 302 | 303),
        "reader B is not held back by reader A: {} {}",
        answer.status,
        answer.body
    );
    assert!(!answer.body.contains(TOO_MANY));
    // The redirect stays on the site: the post's own address, relative.
    let location = answer
        .headers
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or(l.strip_prefix("Location: "))
        })
        .expect("a Location header")
        .to_string();
    assert!(location.starts_with(&post), "{location}");

    // Links in the feed and the sitemap are the configured site's, not the proxy's address
    // (nginx passed Host: 127.0.0.1 on).
    for path in ["/feed/", "/feed/atom/", "/sitemap.xml", "/robots.txt"] {
        let answer = curl(&nginx.url(path), &[], &[]).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(
            answer.body.contains(&format!("{BASE_URL}/")),
            "{path} links to {BASE_URL}/: {}",
            answer.body
        );
        for wrong in ["localhost", "127.0.0.1", "http://column.test"] {
            assert!(!answer.body.contains(wrong), "{path} mentions {wrong}");
        }
    }
    let sitemap = curl(&nginx.url("/sitemap.xml"), &[], &[]).await;
    assert!(
        sitemap
            .body
            .contains(&format!("<loc>{BASE_URL}{post}</loc>")),
        "{}",
        sitemap.body
    );

    // Signing in through nginx, over HTTPS: the session cookie is only ever sent back over
    // HTTPS.
    let answer = curl(&nginx.url("/admin/login"), &[], &sign_in_form()).await;
    assert_eq!(answer.status, 303, "signed in: {}", answer.body);
    let session = answer
        .set_cookie("rt_session")
        .expect("a session cookie")
        .to_string();
    assert!(session.contains("; Secure"), "{session}");
    assert!(session.contains("HttpOnly"), "{session}");
    // The cookie opens the admin pages through nginx.
    let token = session.split(';').next().unwrap();
    let admin = curl(&nginx.url("/admin/"), &[("Cookie", token)], &[]).await;
    assert_eq!(admin.status, 200, "{}", admin.headers);

    // The health check answers through nginx as a load balancer would ask it.
    let health = curl(&nginx.url("/healthz"), &[], &[]).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body.trim(), "ok");
    drop(nginx);
}

#[tokio::test]
async fn behind_nginx_a_sign_in_over_https_gets_a_secure_cookie_even_when_the_base_url_is_http() {
    // A site still configured with an http address, but reached over HTTPS through nginx:
    // X-Forwarded-Proto from the trusted proxy is what tells the server.
    let app = TestApp::with_demo_configured(Backend::Sqlite, |config| {
        config.base_url = Some("http://column.test".into());
        config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    add_editor(&app).await;
    let nginx = Nginx::start(app.addr).await;

    let through_nginx = curl(&nginx.url("/admin/login"), &[], &sign_in_form()).await;
    assert_eq!(through_nginx.status, 303, "{}", through_nginx.body);
    let session = through_nginx.set_cookie("rt_session").expect("a session");
    assert!(session.contains("; Secure"), "{session}");

    // Plain HTTP straight to the server: no Secure, or the browser would never send it back.
    let direct = curl(&app.url("/admin/login"), &[], &sign_in_form()).await;
    assert_eq!(direct.status, 303, "{}", direct.body);
    let session = direct.set_cookie("rt_session").expect("a session");
    assert!(!session.contains("Secure"), "{session}");
    drop(nginx);
}

#[tokio::test]
async fn forged_host_and_forwarded_headers_sent_straight_to_the_app_change_nothing() {
    // No proxy is trusted: the headers below come from a stranger.
    let app = TestApp::with_demo_configured(Backend::Sqlite, |config| {
        config.base_url = Some(BASE_URL.into());
        config.trusted_proxies = Vec::new();
        config.comment_rate_max = 2;
    })
    .await;
    let post = post_url(&app, "What Makes a Cover Letter").await;
    let paths = [
        "/",
        post.as_str(),
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/api/v1/openapi.json",
        "/robots.txt",
    ];
    for path in paths {
        let xff = random_address();
        let forged = [
            ("Host", "evil.example"),
            ("X-Forwarded-For", xff.as_str()),
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "http"),
            ("Forwarded", "for=192.0.2.9;host=evil.example;proto=http"),
        ];
        let answer = curl(&app.url(path), &forged, &[]).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(!answer.body.contains("evil.example"), "{path}");
        assert!(!answer.headers.contains("evil.example"), "{path}");
    }
    // The pages the forged requests filled the cache with are what a reader gets next.
    for path in paths {
        let answer = curl(&app.url(path), &[], &[]).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(
            !answer.body.contains("evil.example"),
            "{path} from the cache"
        );
    }
    for path in [
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/api/v1/openapi.json",
    ] {
        let answer = curl(&app.url(path), &[], &[]).await;
        assert!(
            answer.body.contains(&format!("{BASE_URL}/")),
            "{path} links to {BASE_URL}: {}",
            answer.body
        );
    }

    // A new X-Forwarded-For with every comment does not make a new reader of the sender.
    let mut statuses = Vec::new();
    for i in 1..=3 {
        let xff = random_address();
        let body = format!("Disguised comment number {i}.");
        let answer = curl(
            &app.url(&format!("{post}comments")),
            &[("X-Forwarded-For", xff.as_str()), ("Host", "evil.example")],
            &comment("Shifty", "shifty@example.net", &body),
        )
        .await;
        if i == 3 {
            assert!(answer.body.contains(TOO_MANY), "{}", answer.body);
        }
        statuses.push(answer.status);
    }
    assert!(
        matches!(statuses[..], [302 | 303, 302 | 303, 429]),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_forged_x_forwarded_proto_does_not_make_the_session_cookie_secure() {
    // An http site with no trusted proxy: a client claiming HTTPS is still on plain HTTP, and a
    // Secure cookie would never come back to the server.
    let app = TestApp::with_demo_configured(Backend::Sqlite, |config| {
        config.base_url = Some("http://column.test".into());
        config.trusted_proxies = Vec::new();
    })
    .await;
    add_editor(&app).await;
    let answer = curl(
        &app.url("/admin/login"),
        &[
            ("X-Forwarded-Proto", "https"),
            ("Forwarded", "proto=https"),
            ("X-Forwarded-For", "203.0.113.7"),
        ],
        &sign_in_form(),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let session = answer.set_cookie("rt_session").expect("a session");
    assert!(!session.contains("Secure"), "{session}");
    // And the session works on the plain-HTTP site it was given for.
    let token = session.split(';').next().unwrap();
    let admin = curl(&app.url("/admin/"), &[("Cookie", token)], &[]).await;
    assert_eq!(admin.status, 200, "{}", admin.headers);
}

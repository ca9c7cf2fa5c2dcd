//! Hardening: access control on every admin route, security headers, the Big List of Naughty
//! Strings through what readers can send, and panelist links that reach only their own answer.

use roundtable::store::Backend;

use crate::helpers::{visible_text, TestApp};

/// Every route the router declares, read from its source so a new route is covered the day
/// it is added.
fn declared_routes() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut routes = Vec::new();
    for file in ["src/web/mod.rs", "src/web/admin/mod.rs"] {
        let source = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
        for (at, _) in source.match_indices(".route(") {
            let rest = source[at + ".route(".len()..].trim_start();
            if let Some(rest) = rest.strip_prefix('"') {
                routes.push(rest[..rest.find('"').unwrap()].to_string());
            }
        }
    }
    assert!(
        routes.len() > 40,
        "the router's routes were found: {routes:?}"
    );
    routes
}

/// A concrete address for a route pattern: every `{param}` becomes `1`.
fn concrete(route: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in route.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push('1');
            }
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn every_admin_route_refuses_a_request_without_an_editor_session() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let admin: Vec<String> = declared_routes()
        .into_iter()
        // Signing in, and resetting a forgotten password, are for editors without a session.
        .filter(|r| {
            r.starts_with("/admin")
                && ![
                    "/admin/login",
                    "/admin",
                    "/admin/forgot",
                    "/admin/reset/{token}",
                ]
                .contains(&r.as_str())
        })
        .collect();
    assert!(admin.len() >= 20, "{admin:?}");
    for route in admin {
        let path = concrete(&route);
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let response = app
                .client
                .request(method.clone(), app.url(&path))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            // Either sent to sign in, or the method does not exist there: never the page itself.
            let to_login = status == 303
                && response.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/admin/login");
            assert!(
                to_login || status == 405,
                "{method} {path} answered {status} without a session"
            );
        }
    }
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    for path in [
        "/",
        "/search?q=x",
        "/suggest/",
        "/admin/login",
        "/no-such-page/",
        "/feed/",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
    }
}

/// The strings of the Big List of Naughty Strings (MIT; see tests/corpora).
pub fn naughty_strings() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpora/naughty-strings/blns.json"
    );
    let text = std::fs::read_to_string(path).expect("the naughty strings corpus");
    serde_json::from_str(&text).unwrap()
}

async fn naughty_input_is_stored_exactly_and_shown_escaped(backend: Backend) {
    let app = TestApp::with_demo_configured(backend, |config| {
        // Every string is suggested from the same address.
        config.form_rate_max = 1_000_000;
    })
    .await;
    let strings = naughty_strings();
    for s in &strings {
        let (status, html) = app.get(&format!("/search?q={}", urlencode(s))).await;
        assert!(
            status == 200 || status == 400,
            "search for {s:?} answered {status}"
        );
        assert!(
            !html.contains("<script>alert"),
            "search echoed markup unescaped for {s:?}"
        );
    }
    for s in strings.iter().filter(|s| !s.trim().is_empty()) {
        let (status, html, _) = app
            .submit(
                "/suggest/",
                &[
                    ("question", s),
                    ("name", &s.chars().take(100).collect::<String>()),
                ],
            )
            .await;
        assert!(
            status == 200 || status == 422,
            "suggesting {s:?} answered {status}"
        );
        assert!(
            !html.contains("<script>alert"),
            "the form echoed markup unescaped for {s:?}"
        );
    }
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT prompt FROM questions WHERE state = 'suggested'")
            .fetch_all(app.store.raw_pool_for_tests())
            .await
            .unwrap();
    for s in strings
        .iter()
        .filter(|s| !crate::naughty::kept(s).trim().is_empty() && s.chars().count() <= 2000)
    {
        let kept = crate::naughty::kept(s).trim().to_string();
        assert!(stored.contains(&kept), "{s:?} did not read back exactly");
    }
}

#[tokio::test]
async fn naughty_input_is_stored_exactly_and_shown_escaped_on_sqlite() {
    naughty_input_is_stored_exactly_and_shown_escaped(Backend::Sqlite).await;
}

#[tokio::test]
async fn naughty_input_is_stored_exactly_and_shown_escaped_on_postgres() {
    naughty_input_is_stored_exactly_and_shown_escaped(Backend::Postgres).await;
}

#[tokio::test]
async fn a_comment_with_a_nul_byte_and_script_payloads_never_breaks_the_page() {
    let app = TestApp::with_demo(Backend::Postgres).await;
    let (_, home) = app.get("/").await;
    let at = home.find("class=\"post-title\"").unwrap();
    let href = &home[at..];
    let href = &href[href.find("href=\"").unwrap() + 6..];
    let url = &href[..href.find('"').unwrap()];
    let (status, html, _) = app
        .submit(
            &format!("{url}comments"),
            &[
                ("name", "Nul\0 <img src=x onerror=alert(1)>"),
                ("email", "nul@example.org"),
                (
                    "body",
                    "Body\0 with <script>alert(2)</script> and [x](javascript:alert(3))",
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{}", visible_text(&html));
    assert!(
        !html.contains("<script>alert")
            && !html.contains("<img src=x")
            && !html.contains("href=\"javascript")
    );
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_panelists_link_neither_reads_nor_changes_another_panelists_answer() {
    use roundtable::tokens::token_hash;
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let store = &app.store;
    let round = store
        .rounds(roundtable::domain::RoundStatus::Open)
        .await
        .unwrap()
        .remove(0);
    let panel = store.panelists("active").await.unwrap();
    let answered: Vec<String> = store
        .round_answers(round.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let free: Vec<_> = panel
        .iter()
        .filter(|p| !answered.contains(&p.name))
        .collect();
    let (first, second) = (free[0], free[1]);
    // The demo's invitations to these two were never mailed; give them known links.
    for (p, token) in [(first, "first-token"), (second, "second-token")] {
        sqlx::query(
            "UPDATE invitations SET token_hash = $1 WHERE round_id = $2 AND panelist_id = $3",
        )
        .bind(token_hash(token))
        .bind(round.id)
        .bind(p.id)
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    }
    let secret_text = "Only the first panelist wrote this sentence.";
    let (status, _) = app
        .post_form(
            "/answer/first-token",
            &[
                ("name", &first.name),
                ("attribution", "anonymous"),
                ("body", secret_text),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let (_, other) = app.get("/answer/second-token").await;
    assert!(
        !other.contains(secret_text),
        "another panelist's link shows nothing of it"
    );
    assert!(
        other.contains(&format!("value=\"{}\"", second.name)),
        "the page is the second panelist's own"
    );
    // The second panelist's answer is theirs alone; the first answer is unchanged.
    app.post_form(
        "/answer/second-token",
        &[
            ("name", &second.name),
            ("attribution", "named"),
            ("body", "Mine."),
            ("action", "save"),
        ],
    )
    .await;
    let (_, mine) = app.get("/answer/first-token").await;
    assert!(mine.contains(secret_text));
}

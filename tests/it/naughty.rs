//! The Big List of Naughty Strings through every form field and query parameter the router
//! accepts, public and admin, on both databases: never a server error; what is accepted reads
//! back exactly (NUL characters dropped, surrounding spaces trimmed where the form trims);
//! what is refused comes back as typed beside an error; and no page ever carries markup that
//! could run script.

use roundtable::auth::hash_password;
use roundtable::domain::{CommentStatus, Email, RoundStatus};
use roundtable::store::{Backend, Store, Taxonomy};
use roundtable::tokens::token_hash;

use crate::hardening::{naughty_strings, urlencode};
use crate::helpers::{csrf_of, post_url, TestApp};

pub const EDITOR: &str = "naughty-editor@example.org";
pub const PASSWORD: &str = "a long naughty password";

/// Elements that run or embed other documents; none belongs in a Roundtable page.
const ACTIVE_ELEMENTS: [&str; 8] = [
    "script", "iframe", "object", "embed", "base", "frame", "frameset", "applet",
];

/// The one script a page may carry: the editor's, served by the site itself (the live
/// recipient count and copying answer links on the round pages).
pub const OWN_SCRIPT: &str = "<script src=\"/static/admin.js\" defer></script>";

/// A post page's link-preview data (JSON-LD), which browsers never run: the site writes it
/// with every `<`, `>` and `&` escaped, so nothing typed can close it. Checked here too.
fn without_link_preview(html: &str) -> String {
    const OPEN: &str = "<script type=\"application/ld+json\">{\"@context\"";
    let Some(start) = html.find(OPEN) else {
        return html.to_string();
    };
    let end = html[start..]
        .find("</script>")
        .map_or(html.len(), |e| start + e + 9);
    let data = &html[start + OPEN.len() - "{\"@context\"".len()..end - "</script>".len()];
    assert!(
        !data.contains('<') && !data.contains('>'),
        "the JSON-LD is escaped: {data}"
    );
    format!("{}{}", &html[..start], &html[end..])
}

/// Markup in `html` that could run script: active elements, event-handler attributes and
/// script addresses in links, the site's own script aside. Empty for a page whose typed text
/// was all escaped.
pub fn active_markup(html: &str) -> Vec<String> {
    let lower = without_link_preview(&html.replace(OWN_SCRIPT, "")).to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = lower[i..].find('<') {
        let start = i + at;
        if lower[start..].starts_with("<!--") {
            i = lower[start..]
                .find("-->")
                .map_or(lower.len(), |end| start + end + 3);
            continue;
        }
        let mut j = start + 1;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        let name = &lower[start + 1..j];
        if name.is_empty() {
            i = start + 1;
            continue;
        }
        if ACTIVE_ELEMENTS.contains(&name) {
            found.push(format!("a <{name}> element"));
        }
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let attr_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>') {
                j += 1;
            }
            let attr = &lower[attr_start..j];
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = "";
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j] as char;
                    let end = lower[j + 1..]
                        .find(quote)
                        .map_or(lower.len(), |e| j + 1 + e);
                    value = &lower[j + 1..end];
                    j = (end + 1).min(lower.len());
                } else {
                    let value_start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = &lower[value_start..j];
                }
            }
            if attr.starts_with("on") {
                found.push(format!("<{name} {attr}=…>"));
            }
            if matches!(
                attr,
                "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "srcdoc"
            ) {
                // As browsers read an address: C0 controls and spaces around it dropped, and
                // tabs and line breaks anywhere in it.
                let address: String = decode(value)
                    .trim_matches(|c: char| c <= ' ')
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                    .collect();
                if ["javascript:", "vbscript:", "data:text/html"]
                    .iter()
                    .any(|scheme| address.starts_with(scheme))
                {
                    found.push(format!("<{name} {attr}=\"{value}\">"));
                }
            }
            if j == attr_start {
                j += 1;
            }
        }
        i = j.max(start + 1).min(lower.len());
    }
    found
}

/// HTML text with the entities templates and Markdown write turned back into characters.
pub fn decode(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&colon;", ":")
        .replace("&#58;", ":")
        .replace("&amp;", "&")
}

/// The page carries no markup that could run script.
pub fn assert_safe(html: &str, what: &str) {
    let found = active_markup(html);
    assert!(found.is_empty(), "{what}: {found:?}");
}

/// The page is safe, and the typed text `s` never appears in it as markup.
fn assert_escaped(html: &str, s: &str, what: &str) {
    assert_safe(html, what);
    let s = kept(s);
    let s = s.trim();
    let tag_like = s
        .char_indices()
        .any(|(at, c)| c == '<' && s[at + 1..].starts_with(|n: char| n.is_ascii_alphabetic()));
    if tag_like {
        assert!(!html.contains(s), "{what}: {s:?} is in the page unescaped");
    }
}

/// The text as a form keeps it: NUL characters are dropped before any handler reads it.
/// What the site keeps of typed text: everything but control characters other than tab and
/// line breaks, which are removed where forms are decoded.
pub fn kept(s: &str) -> String {
    s.replace(
        |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r'),
        "",
    )
}

fn trimmed(s: &str) -> String {
    kept(s).trim().to_string()
}

fn optional(s: &str) -> Option<String> {
    Some(trimmed(s)).filter(|t| !t.is_empty())
}

/// The id at the end of a redirect to `/admin/THING/ID/…`.
fn id_in(location: &str) -> i64 {
    location
        .split('/')
        .nth(3)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("an id in {location}"))
}

/// Signs the app's client in as an editor of the test's own.
pub async fn sign_in_editor(app: &TestApp) -> String {
    app.store
        .create_editor(
            &Email::parse(EDITOR).unwrap(),
            "Naughty Editor",
            &hash_password(PASSWORD).unwrap(),
        )
        .await
        .unwrap();
    let (status, _) = app
        .post_form(
            "/admin/login",
            &[
                ("email", EDITOR),
                ("password", PASSWORD),
                ("next", "/admin/"),
            ],
        )
        .await;
    assert_eq!(status, 303, "the editor signs in");
    csrf_of(&app.get("/admin/settings/").await.1)
}

/// A free invitation of the demo's open round, given the link `/answer/{token}`; returns its
/// round and invitation ids.
pub async fn invitation_with_token(store: &Store, token: &str) -> (i64, i64) {
    let round = store.rounds(RoundStatus::Open).await.unwrap().remove(0);
    let answered: Vec<String> = store
        .round_answers(round.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let panel = store.panelists("active").await.unwrap();
    let free = panel
        .iter()
        .find(|p| !answered.contains(&p.name))
        .expect("a panelist who has not answered");
    sqlx::query("UPDATE invitations SET token_hash = $1 WHERE round_id = $2 AND panelist_id = $3")
        .bind(token_hash(token))
        .bind(round.id)
        .bind(free.id)
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    let invitation = store
        .invitation_by_token(&token_hash(token))
        .await
        .unwrap()
        .expect("the invitation");
    (round.id, invitation.invitation_id)
}

/// A POST with the client (and its session), returning status, location and body.
async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let response = app
        .client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, response.text().await.expect("body"))
}

/// POSTs a public form as a browser does: a redirect after it (the form was taken) is followed,
/// and the page it leads to is returned as the answer.
async fn post_following(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let (status, location, html) = post(app, path, fields).await;
    if status != 303 {
        return (status, location, html);
    }
    let (status, html) = app.get(&location).await;
    (status, location, html)
}

/// GETs `path`, which must not fail on the server's side.
async fn get_ok(app: &TestApp, path: &str) -> (u16, String) {
    let (status, html) = app.get(path).await;
    assert!(status < 500, "GET {path} answered {status}");
    (status, html)
}

/// Every query parameter and address segment the router accepts, public and admin.
async fn through_addresses(app: &TestApp, s: &str) {
    let e = urlencode(s);
    let paths = [
        format!("/search?q={e}&type={e}&tag={e}&year={e}"),
        format!("/search/?q=interview&page={e}"),
        format!("/?s={e}"),
        format!("/?p={e}"),
        format!("/?page_id={e}"),
        format!("/page/{e}/"),
        format!("/tag/{e}/"),
        format!("/tag/{e}/page/{e}/"),
        format!("/category/{e}/page/2/"),
        format!("/panelist/{e}/"),
        format!("/tag/{e}/feed/"),
        format!("/category/{e}/feed/atom/"),
        format!("/panelist/{e}/feed/"),
        format!("/{e}/{e}/{e}/{e}/"),
        format!("/{e}/"),
        format!("/api/v1/posts?page={e}"),
        format!("/api/v1/posts/{e}"),
        format!("/api/v1/search?q={e}&page={e}"),
        format!("/answer/{e}"),
        format!("/subscribe/confirm/{e}"),
        format!("/join/confirm/{e}"),
        format!("/unsubscribe/{e}/{e}"),
        format!("/admin/?done={e}"),
        format!("/admin/login?next={e}"),
        format!("/admin/questions/?state={e}&done={e}"),
        format!("/admin/questions/{e}/"),
        format!("/admin/rounds/new?question={e}"),
        format!("/admin/rounds/{e}/?done={e}"),
        format!("/admin/panel/?done={e}"),
        format!("/admin/panel/{e}/"),
        format!("/admin/posts/{e}/"),
        format!("/admin/posts/{e}/edit"),
        format!("/admin/posts/{e}/delete"),
        format!("/admin/posts/{e}/revisions?from={e}&to={e}"),
        format!("/admin/posts/1/revisions?from={e}&to={e}"),
        format!("/admin/posts/new?page={e}"),
        format!("/admin/comments/?status={e}&done={e}"),
        format!("/admin/settings/?done={e}"),
    ];
    for path in &paths {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        assert!(status < 500, "GET {path} answered {status}");
        let html = response
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap_or("").starts_with("text/html"));
        let body = response.text().await.unwrap();
        // JSON and plain text (axum's refusal of a malformed id) are not read as HTML, and
        // `nosniff` says so: only their status matters.
        if html {
            assert_escaped(&body, s, path);
        }
    }
    let (status, body) = app.post_form(&format!("/unsubscribe/{e}/{e}"), &[]).await;
    assert!(status < 500, "unsubscribing {s:?} answered {status}");
    assert_safe(&body, "unsubscribe");
}

/// The public forms: comment, suggest, join, subscribe.
async fn through_public_forms(app: &TestApp, s: &str, n: usize, post_path: &str) {
    let store = &app.store;
    let comments = format!("{post_path}comments");
    let (status, _, html) = post_following(
        app,
        &comments,
        &[("name", s), ("email", "reader@example.org"), ("body", s)],
    )
    .await;
    assert!(status == 200 || status == 422, "comment {s:?}: {status}");
    assert_safe(&html, "the post page after a comment");
    if status == 200 {
        // By what was sent, not the newest row: the list has repeats, and the same comment
        // sent again by the same reader is stored once.
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM comments WHERE author_name = $1 AND body = $2",
        )
        .bind(trimmed(s))
        .bind(kept(s))
        .fetch_one(store.raw_pool_for_tests())
        .await
        .unwrap();
        assert_eq!(found, 1, "the comment {s:?} reads back, once");
    } else {
        assert!(html.contains("not posted yet"), "{s:?}: an error is shown");
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    }
    let (status, _, html) = post_following(
        app,
        &comments,
        &[
            ("name", "Naughty reader"),
            ("email", s),
            ("url", s),
            ("body", "Fine."),
        ],
    )
    .await;
    assert_eq!(status, 422, "comment with address and website {s:?}");
    assert!(html.contains("not posted yet"), "{s:?}: an error is shown");
    assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    assert_escaped(&html, s, "the comment form sent back");

    let (status, _, html) = post_following(app, "/suggest/", &[("question", s), ("name", s)]).await;
    assert!(status == 200 || status == 422, "suggest {s:?}: {status}");
    assert_escaped(&html, s, "the suggest form");
    if status == 200 {
        let (prompt, name): (String, Option<String>) =
            sqlx::query_as("SELECT prompt, submitter_name FROM questions ORDER BY id DESC LIMIT 1")
                .fetch_one(store.raw_pool_for_tests())
                .await
                .unwrap();
        assert_eq!(prompt, trimmed(s));
        assert_eq!(name, optional(s));
    } else {
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    }
    let (status, _, html) = post_following(
        app,
        "/suggest/",
        &[("question", "A naughty address?"), ("email", s)],
    )
    .await;
    assert!(
        status == 200 || status == 422,
        "suggest email {s:?}: {status}"
    );
    assert_escaped(&html, s, "the suggest form");
    if status == 422 {
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
        assert!(html.contains("not sent yet"), "{s:?}: an error is shown");
    }

    let email = format!("joiner{n}@example.org");
    let (status, _, html) = post_following(
        app,
        "/join/",
        &[
            ("name", s),
            ("email", &email),
            ("pronouns", s),
            ("title", s),
            ("institution", s),
            ("city", s),
            ("library_type", "public"),
            ("region", s),
        ],
    )
    .await;
    assert!(status == 200 || status == 422, "join {s:?}: {status}");
    assert_escaped(&html, s, "the join form");
    if status == 200 {
        let p = store
            .panelist_by_email(&email)
            .await
            .unwrap()
            .expect("the request to join is stored");
        assert_eq!(p.name, trimmed(s));
        assert_eq!(p.pronouns, optional(s));
        assert_eq!(p.title, optional(s));
        assert_eq!(p.institution, optional(s));
        assert_eq!(p.city, optional(s));
        assert_eq!(p.region, optional(s));
    } else {
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    }
    let (status, _, html) = post_following(
        app,
        "/join/",
        &[
            ("name", "Naughty Joiner"),
            ("email", s),
            ("title", "Director"),
            ("institution", "Naughty Library"),
            ("library_type", s),
        ],
    )
    .await;
    assert_eq!(status, 422, "join with address and type {s:?}");
    assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    assert_escaped(&html, s, "the join form");

    let (status, _, html) = post_following(app, "/subscribe/", &[("email", s)]).await;
    assert_eq!(status, 422, "subscribe {s:?}");
    assert!(
        html.contains("not subscribed yet"),
        "{s:?}: an error is shown"
    );
    assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    assert_escaped(&html, s, "the subscribe form");
}

/// The panelist's answer page: signature, role, short answer, Markdown body and preview.
async fn through_answer_form(app: &TestApp, s: &str, token: &str, invitation_id: i64) {
    let store = &app.store;
    let link = format!("/answer/{token}");
    let round = store
        .invitation_by_token(&token_hash(token))
        .await
        .unwrap()
        .unwrap()
        .round_id;
    let choice = store
        .round_choices(round)
        .await
        .unwrap()
        .first()
        .cloned()
        .unwrap_or_default();
    let (status, _, html) = post(
        app,
        &link,
        &[
            ("name", s),
            ("pronouns", s),
            ("title", s),
            ("department", s),
            ("institution", s),
            ("city", s),
            ("attribution", "named"),
            ("role", s),
            ("choice", &choice),
            ("body", s),
            ("action", "save"),
        ],
    )
    .await;
    assert!(status == 200 || status == 422, "answer {s:?}: {status}");
    assert_escaped(&html, s, "the answer page");
    if status == 200 {
        let (_, _, _, _, body, _) = saved_answer(store, invitation_id).await;
        assert_eq!(body, kept(s).replace("\r\n", "\n"), "the answer reads back");
        let (name, title, institution): (Option<String>, Option<String>, Option<String>) =
            sqlx::query_as(
                "SELECT sig_name, sig_title, sig_institution FROM answer_proposals \
                 WHERE decision IS NULL AND answer_id = (SELECT id FROM answers WHERE invitation_id = $1) \
                 UNION ALL SELECT sig_name, sig_title, sig_institution FROM answers \
                 WHERE invitation_id = $1 AND NOT EXISTS (SELECT 1 FROM answer_proposals pr \
                 WHERE pr.answer_id = answers.id AND pr.decision IS NULL)",
            )
            .bind(invitation_id)
            .fetch_one(store.raw_pool_for_tests())
            .await
            .unwrap();
        assert_eq!(name, optional(s), "the signed name reads back");
        assert_eq!(title, optional(s));
        assert_eq!(institution, optional(s));
    } else {
        assert!(html.contains("not saved yet"), "{s:?}: an error is shown");
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
    }
    let (status, _, html) = post(
        app,
        &link,
        &[
            ("name", "Naughty Panelist"),
            ("attribution", "role"),
            ("role", s),
            ("choice", &choice),
            ("body", "By role."),
            ("action", "save"),
        ],
    )
    .await;
    assert!(status == 200 || status == 422, "role {s:?}: {status}");
    assert_escaped(&html, s, "the answer page");
    if status == 200 {
        let (_, role, _, _, _, _) = saved_answer(store, invitation_id).await;
        assert_eq!(role, optional(s), "the role reads back");
    }
    let (status, _, html) = post(
        app,
        &link,
        &[
            ("attribution", s),
            ("show_library_type", s),
            ("choice", s),
            ("body", s),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(status, 200, "preview {s:?}");
    assert_safe(&html, "the answer preview");
    let (status, _, html) = post(
        app,
        &link,
        &[
            ("name", "Naughty Panelist"),
            ("attribution", "named"),
            ("choice", s),
            ("body", "A choice."),
            ("action", s),
        ],
    )
    .await;
    assert!(status == 200 || status == 422, "choice {s:?}: {status}");
    assert_escaped(&html, s, "the answer page");
}

/// The question queue, the settings and the round composer.
async fn through_admin_forms(app: &TestApp, s: &str, n: usize, csrf: &str) {
    let store = &app.store;
    let (status, location, html) =
        post(app, "/admin/questions/", &[("csrf", csrf), ("prompt", s)]).await;
    assert!(status == 303 || status == 422, "question {s:?}: {status}");
    assert_escaped(&html, s, "the question queue");
    if status == 303 {
        let id = id_in(&location);
        assert_eq!(store.question(id).await.unwrap().prompt, trimmed(s));
        let (_, page) = get_ok(app, &format!("/admin/questions/{id}/")).await;
        assert_escaped(&page, s, "the question's page");
        let (status, _, html) = post(
            app,
            &format!("/admin/questions/{id}/"),
            &[
                ("csrf", csrf),
                ("prompt", "A naughty question"),
                ("examples", s),
                ("follow_up", s),
                ("state", "accepted"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{s:?}: {}", html);
        let q = store.question(id).await.unwrap();
        assert_eq!(q.examples, optional(s));
        assert_eq!(q.follow_up, optional(s));
        let (status, _, html) = post(
            app,
            &format!("/admin/questions/{id}/"),
            &[("csrf", csrf), ("prompt", s), ("examples", s), ("state", s)],
        )
        .await;
        assert_eq!(status, 422, "question state {s:?}");
        assert!(decode(&html).contains(&trimmed(s)), "{s:?} is shown back");
        assert_escaped(&html, s, "the question's page sent back");
    } else {
        assert!(decode(&html).contains(&trimmed(s)), "{s:?} is shown back");
    }

    let (status, _, html) = post(
        app,
        "/admin/settings/",
        &[
            ("csrf", csrf),
            ("site_title", s),
            ("site_tagline", s),
            ("timezone", "America/Chicago"),
        ],
    )
    .await;
    assert_eq!(status, 303, "settings {s:?}: {html}");
    assert_eq!(
        store
            .setting("site_title")
            .await
            .unwrap()
            .unwrap_or_default(),
        trimmed(s)
    );
    assert_eq!(
        store
            .setting("site_tagline")
            .await
            .unwrap()
            .unwrap_or_default(),
        trimmed(s)
    );
    for path in ["/", "/admin/settings/", "/feed/"] {
        let (status, page) = get_ok(app, path).await;
        assert_eq!(status, 200, "{path} with the title {s:?}");
        assert_escaped(&page, s, path);
    }
    let (status, _, html) = post(
        app,
        "/admin/settings/",
        &[
            ("csrf", csrf),
            ("site_title", "Naughty column"),
            ("timezone", s),
        ],
    )
    .await;
    assert!(status == 303 || status == 422, "time zone {s:?}: {status}");
    if status == 422 {
        assert!(decode(&html).contains(&trimmed(s)), "{s:?} is shown back");
    }
    assert_escaped(&html, s, "the settings sent back");
    store
        .set_setting("timezone", "America/Chicago")
        .await
        .unwrap();

    let closes_on = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .saturating_add(jiff::Span::new().days(20))
        .to_string();
    let (status, _, html) = post(
        app,
        "/admin/rounds/new",
        &[
            ("csrf", csrf),
            ("prompt", s),
            ("examples", s),
            ("follow_up", s),
            ("choices", s),
            ("closes_on", &closes_on),
            ("reminder_days", "3,1"),
            ("action", "preview"),
        ],
    )
    .await;
    assert!(
        status == 200 || status == 422,
        "round preview {s:?}: {status}"
    );
    assert!(decode(&html).contains(&trimmed(s)), "{s:?} is shown back");
    assert_escaped(&html, s, "the round composer");
    let (status, _, html) = post(
        app,
        "/admin/rounds/new",
        &[
            ("csrf", csrf),
            ("question", s),
            ("prompt", "A naughty round"),
            ("closes_on", s),
            ("reminder_days", s),
            ("library_type", s),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(status, 422, "round dates {s:?}");
    assert_escaped(&html, s, "the round composer sent back");
    // Sending invites the whole panel: a sample of the strings is enough.
    if n.is_multiple_of(16) {
        let (status, location, html) = post(
            app,
            "/admin/rounds/new",
            &[
                ("csrf", csrf),
                ("prompt", s),
                ("examples", s),
                ("follow_up", s),
                ("choices", s),
                ("closes_on", &closes_on),
                ("reminder_days", "3,1"),
                ("action", "send"),
            ],
        )
        .await;
        assert!(status == 303 || status == 422, "round {s:?}: {status}");
        if status == 303 {
            let id = id_in(&location);
            let round = store.round(id).await.unwrap();
            assert_eq!(round.prompt, trimmed(s));
            let lines: Vec<String> = kept(s)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            assert_eq!(store.round_choices(id).await.unwrap(), lines);
            let (_, page) = get_ok(app, &format!("/admin/rounds/{id}/")).await;
            assert_escaped(&page, s, "the round's page");
            store.close_round(id).await.unwrap();
        } else {
            assert_escaped(&html, s, "the round composer");
        }
    }
}

/// Compiling the demo's open round into a post, which is published.
async fn through_compile(app: &TestApp, s: &str, round_id: i64, csrf: &str) {
    let store = &app.store;
    let answers = store.answers_of_round(round_id).await.unwrap();
    let first = answers[0].id;
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("title".into(), s.into()),
        ("intro".into(), s.into()),
        ("closing".into(), s.into()),
        ("tags".into(), s.into()),
        ("new_categories".into(), s.into()),
        ("category".into(), s.into()),
        (format!("heading-{first}"), s.into()),
        (format!("note-{first}"), s.into()),
        (format!("body-{first}"), s.into()),
        (format!("position-{first}"), s.into()),
    ];
    for a in &answers {
        fields.push(("include".into(), a.id.to_string()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let compile = format!("/admin/rounds/{round_id}/compile");
    let (status, location, html) = post(app, &compile, &fields).await;
    assert!(status == 303 || status == 422, "compile {s:?}: {status}");
    if status == 422 {
        assert!(html.contains("Give the post a title."));
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
        assert_safe(&html, "the compilation sent back");
        return;
    }
    let post_id = id_in(&location);
    let row = store.post(post_id).await.unwrap();
    assert_eq!(row.title, trimmed(s));
    assert_eq!(row.intro, kept(s).replace("\r\n", "\n"));
    assert_eq!(row.closing, kept(s).replace("\r\n", "\n"));
    let a = store
        .answers_of_round(round_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id == first)
        .unwrap();
    assert_eq!(a.editor_heading, optional(s));
    assert_eq!(a.editor_note, optional(s));
    let body = kept(s).replace("\r\n", "\n");
    if !body.trim().is_empty() && body.trim() != a.body.trim() {
        assert_eq!(a.edited_body.as_deref(), Some(body.as_str()));
    }
    if row.status != "published" {
        store
            .publish_post(post_id, roundtable::store::now())
            .await
            .unwrap();
    }
    let row = store.post(post_id).await.unwrap();
    let clock = roundtable::render::SiteClock::new(Some("America/Chicago"));
    let public = roundtable::render::permalink(&clock, row.published_at.unwrap(), &row.slug);
    for path in [format!("/admin/posts/{post_id}/"), compile.clone(), public] {
        let (status, page) = get_ok(app, &path).await;
        assert_eq!(status, 200, "{path} after compiling {s:?}");
        assert_safe(&page, &path);
    }
    for taxonomy in [Taxonomy::Tag, Taxonomy::Category] {
        for (_, term) in store.terms_of_posts(taxonomy, &[post_id]).await.unwrap() {
            let base = format!("/{}/{}/", taxonomy.base(), term.slug);
            for path in [base.clone(), format!("{base}feed/")] {
                let (status, page) = get_ok(app, &path).await;
                assert_eq!(status, 200, "{path} for {s:?}");
                assert_safe(&page, &path);
            }
        }
    }
}

/// A plain post written with the string in every field, published, edited in place; a page
/// with it as its address; a take-down sending readers to it.
async fn through_writing(app: &TestApp, s: &str, csrf: &str) {
    let store = &app.store;
    let fields = [
        ("csrf", csrf),
        ("title", s),
        ("slug", s),
        ("body", s),
        ("tags", s),
        ("categories", s),
        ("then", "publish"),
    ];
    let (status, location, html) = post(app, "/admin/posts/new", &fields).await;
    assert!(status == 303 || status == 422, "new post {s:?}: {status}");
    if status == 422 {
        // An empty title, or an address an earlier string already took.
        assert!(
            html.contains("Give it a title.") || decode(&html).contains("is taken by"),
            "{s:?}: {html}"
        );
        assert!(decode(&html).contains(&kept(s)), "{s:?} is shown back");
        assert_safe(&html, "the post form sent back");
        return;
    }
    let post_id = id_in(&location);
    let row = store.post(post_id).await.unwrap();
    assert_eq!(row.title, trimmed(s));
    assert_eq!(row.intro, kept(s).replace("\r\n", "\n"));
    let clock = roundtable::render::SiteClock::new(Some("America/Chicago"));
    let public = roundtable::render::permalink(&clock, row.published_at.unwrap(), &row.slug);
    let edit = format!("/admin/posts/{post_id}/edit");
    let (status, _, _) = post(app, &edit, &[("csrf", csrf), ("title", s), ("body", s)]).await;
    assert_eq!(status, 303, "edit {s:?}");
    for path in [
        format!("/admin/posts/{post_id}/"),
        edit,
        format!("/admin/posts/{post_id}/revisions"),
        public.clone(),
    ] {
        let (status, page) = get_ok(app, &path).await;
        assert_eq!(status, 200, "{path} for {s:?}");
        assert_safe(&page, &path);
    }
    let page = [
        ("csrf", csrf),
        ("page", "1"),
        ("title", "A page"),
        ("slug", s),
        ("body", s),
    ];
    let (status, _, html) = post(app, "/admin/posts/new", &page).await;
    assert!(status == 303 || status == 422, "new page {s:?}: {status}");
    assert_safe(&html, "the page form");
    let takedown = format!("/admin/posts/{post_id}/unpublish");
    let (status, _, html) = post(app, &takedown, &[("csrf", csrf), ("redirect", s)]).await;
    assert!(
        status == 303 || status == 422,
        "take-down to {s:?}: {status}"
    );
    assert_safe(&html, "the take-down sent back");
    let response = app.client.get(app.url(&public)).send().await.unwrap();
    let status = response.status().as_u16();
    assert!(
        matches!(status, 200 | 301 | 410),
        "{public} after a take-down to {s:?}: {status}"
    );
}

/// The roster: adding a panelist, and editing one, with every profile field.
async fn through_roster(app: &TestApp, s: &str, n: usize, csrf: &str, holder: i64) {
    let store = &app.store;
    let email = format!("rostered{n}@example.org");
    let profile = [
        "pronouns",
        "title",
        "department",
        "institution",
        "city",
        "region",
        "role_description",
        "bio",
    ];
    let mut fields = vec![("csrf", csrf), ("name", s), ("email", email.as_str())];
    fields.extend(profile.iter().map(|f| (*f, s)));
    let (status, _, html) = post(app, "/admin/panel/", &fields).await;
    assert!(status == 303 || status == 422, "add {s:?}: {status}");
    if status == 303 {
        let p = store.panelist_by_email(&email).await.unwrap().unwrap();
        assert_eq!(p.name, trimmed(s));
        for (field, value) in [
            ("pronouns", &p.pronouns),
            ("title", &p.title),
            ("department", &p.department),
            ("institution", &p.institution),
            ("city", &p.city),
            ("region", &p.region),
            ("role_description", &p.role_description),
            ("bio", &p.bio),
        ] {
            assert_eq!(value, &optional(s), "{field} reads back");
        }
        let (_, page) = get_ok(app, &format!("/admin/panel/{}/", p.id)).await;
        assert!(
            decode(&page).contains(&trimmed(s)),
            "{s:?} on the edit page"
        );
        assert_escaped(&page, s, "the panelist's page");
        // Retired at once, so later rounds do not invite hundreds.
        let (status, _, _) = post(
            app,
            &format!("/admin/panel/{}/status", p.id),
            &[("csrf", csrf), ("status", "retired")],
        )
        .await;
        assert_eq!(status, 303);
    } else {
        assert!(decode(&html).contains(&trimmed(s)), "{s:?} is shown back");
        assert_escaped(&html, s, "the roster sent back");
    }
    let holder_email = store.panelist(holder).await.unwrap().email;
    let mut fields = vec![
        ("csrf", csrf),
        ("name", "Holder Panelist"),
        ("email", holder_email.as_str()),
        ("library_type", s),
    ];
    fields.extend(profile.iter().map(|f| (*f, s)));
    let (status, _, html) = post(app, &format!("/admin/panel/{holder}/"), &fields).await;
    assert!(status == 303 || status == 422, "edit {s:?}: {status}");
    assert_escaped(&html, s, "the panelist's page sent back");
    let (status, _, html) = post(
        app,
        &format!("/admin/panel/{holder}/"),
        &[("csrf", csrf), ("name", s), ("email", s)],
    )
    .await;
    assert!(status == 303 || status == 422, "edit email {s:?}: {status}");
    if status == 422 {
        assert!(decode(&html).contains(&trimmed(s)), "{s:?} is shown back");
    }
    assert_escaped(&html, s, "the panelist's page sent back");
    let (status, _, html) = post(
        app,
        "/admin/panel/import",
        &[
            ("csrf", csrf),
            (
                "csv",
                &format!("name,email,title\n{s},x{n}@example.org,{s}\n"),
            ),
        ],
    )
    .await;
    assert!(status == 200 || status == 422, "import {s:?}: {status}");
    assert_safe(&html, "the roster after an import");
}

async fn naughty_strings_go_through_every_form_field_and_query_parameter(backend: Backend) {
    let app = TestApp::with_demo_configured(backend, |config| {
        config.comment_rate_max = 1_000_000;
        config.form_rate_max = 1_000_000;
    })
    .await;
    let store = &app.store;
    let csrf = sign_in_editor(&app).await;
    let token = "naughty-token";
    let (round_id, invitation_id) = invitation_with_token(store, token).await;
    let first = store.published_posts(0, 1).await.unwrap().remove(0);
    let post_path = post_url(&app, &first.title).await;
    let holder = store
        .create_panelist(&roundtable::store::NewPanelist {
            name: "Holder Panelist".into(),
            email: "holder@example.org".into(),
            status: "retired",
            ..Default::default()
        })
        .await
        .unwrap();
    let strings = naughty_strings();
    // The addresses first, while the lists they show (every question, every comment) are short.
    for s in &strings {
        through_addresses(&app, s).await;
    }
    for (n, s) in strings.iter().enumerate() {
        through_public_forms(&app, s, n, &post_path).await;
        through_answer_form(&app, s, token, invitation_id).await;
        through_admin_forms(&app, s, n, &csrf).await;
        through_compile(&app, s, round_id, &csrf).await;
        through_roster(&app, s, n, &csrf, holder).await;
        through_writing(&app, s, &csrf).await;
    }
    // Every comment is shown on the post, and the pages listing everything stay safe.
    let (_, queue) = get_ok(&app, "/admin/comments/").await;
    assert_safe(&queue, "the comment queue");
    let pending: Vec<i64> = sqlx::query_scalar("SELECT id FROM comments WHERE status = 'pending'")
        .fetch_all(store.raw_pool_for_tests())
        .await
        .unwrap();
    store
        .moderate_comments(&pending, Some(CommentStatus::Approved))
        .await
        .unwrap();
    for path in [
        post_path.clone(),
        "/".into(),
        "/admin/".into(),
        "/admin/questions/".into(),
        "/admin/panel/".into(),
        "/admin/rounds/".into(),
        "/admin/posts/".into(),
        "/admin/comments/?status=approved".into(),
        "/feed/".into(),
        "/api/v1/posts".into(),
        "/sitemap.xml".into(),
    ] {
        let (status, page) = get_ok(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        assert_safe(&page, &path);
    }
}

#[tokio::test]
async fn naughty_strings_go_through_every_form_field_and_query_parameter_on_sqlite() {
    naughty_strings_go_through_every_form_field_and_query_parameter(Backend::Sqlite).await;
}

#[tokio::test]
async fn naughty_strings_go_through_every_form_field_and_query_parameter_on_postgres() {
    naughty_strings_go_through_every_form_field_and_query_parameter(Backend::Postgres).await;
}

#[test]
fn the_markup_check_finds_what_could_run_and_passes_escaped_text() {
    let escaped = "<p title=\"x onerror=1\">&lt;script&gt;alert(1)&lt;/script&gt;</p>\
                   <a href=\"https://example.org/?a=javascript:1\">ok</a><!-- <script> -->";
    assert_eq!(active_markup(escaped), Vec::<String>::new());
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=\"alert(1)\">",
        "<svg/onload=alert(1)>",
        "<a href=\" java\tscript:alert(1)\">x</a>",
        "<a href='JavaScript&colon;alert(1)'>x</a>",
        "<iframe src=x>",
    ] {
        assert!(!active_markup(bad).is_empty(), "{bad}");
    }
}

/// Script payloads as people type them: each sets `window.__pwned` if it ever runs.
const PAYLOADS: [&str; 7] = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "<svg onload=\"window.__pwned=1\"></svg>",
    "\"><script>window.__pwned=1</script>",
    "[click me](javascript:window.__pwned=1)",
    "<a href=\"javascript:window.__pwned=1\">click me too</a>",
    "<iframe src=\"javascript:window.__pwned=1\"></iframe>",
];

/// What a page did with the payloads, read from the live DOM: whether any ran, and any
/// script, frame, event handler or script link they left.
const DOM_CHECK: &str = "
    const found = [];
    if (typeof window.__pwned !== 'undefined') { found.push('window.__pwned is set'); }
    for (const s of document.querySelectorAll('script, iframe, object, embed')) {
        if (s.outerHTML === '<script src=\"/static/admin.js\" defer=\"\"></script>') { continue; }
        if (s.type === 'application/ld+json' && s.parentNode === document.head) { continue; }
        found.push('a <' + s.tagName.toLowerCase() + '> element');
    }
    for (const e of document.querySelectorAll('*')) {
        for (const a of e.attributes) {
            if (a.name.toLowerCase().startsWith('on')) { found.push(e.tagName + ' ' + a.name); }
        }
    }
    for (const a of document.querySelectorAll('a[href]')) {
        if (!/^(https?|mailto):$/.test(a.protocol)) { found.push('a link to ' + a.href); }
    }
    return found;";

#[tokio::test]
async fn script_payloads_never_run_in_a_browser_on_any_page_that_shows_them() {
    use crate::browser::Browser;
    use roundtable::interop::import;

    let app = TestApp::with_demo_configured(Backend::Sqlite, |config| {
        config.comment_rate_max = 1_000;
        config.form_rate_max = 1_000;
    })
    .await;
    let store = &app.store;
    let csrf = sign_in_editor(&app).await;
    let all = PAYLOADS.join("\n\n");

    // A comment, approved so readers see it.
    let first = store.published_posts(0, 1).await.unwrap().remove(0);
    let post_path = post_url(&app, &first.title).await;
    for (name, url) in [
        (PAYLOADS[3], "javascript:window.__pwned=1"),
        (
            PAYLOADS[1],
            "https://example.org/\"><script>window.__pwned=1</script>",
        ),
    ] {
        let (status, _, _) = post_following(
            &app,
            &format!("{post_path}comments"),
            &[
                ("name", name),
                ("email", "x@example.org"),
                ("url", url),
                ("body", &all),
            ],
        )
        .await;
        assert!(status == 200 || status == 422, "{status}");
    }
    let pending: Vec<i64> = sqlx::query_scalar("SELECT id FROM comments WHERE status = 'pending'")
        .fetch_all(store.raw_pool_for_tests())
        .await
        .unwrap();
    assert!(!pending.is_empty(), "a comment waits for moderation");
    store
        .moderate_comments(&pending, Some(CommentStatus::Approved))
        .await
        .unwrap();

    // An answer signed with payloads, compiled with payloads and published.
    let token = "payload-token";
    let (round_id, _) = invitation_with_token(store, token).await;
    let choice = store
        .round_choices(round_id)
        .await
        .unwrap()
        .first()
        .cloned()
        .unwrap_or_default();
    let (status, _, _) = post(
        &app,
        &format!("/answer/{token}"),
        &[
            ("name", PAYLOADS[3]),
            ("title", PAYLOADS[1]),
            ("institution", PAYLOADS[2]),
            ("attribution", "named"),
            ("choice", &choice),
            ("body", &all),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(status, 200, "the answer is saved");
    let mut fields = vec![
        ("csrf".to_string(), csrf.clone()),
        ("title".to_string(), PAYLOADS[3].to_string()),
        ("intro".to_string(), all.clone()),
        ("closing".to_string(), all.clone()),
        ("tags".to_string(), PAYLOADS[1].to_string()),
    ];
    for a in store.answers_of_round(round_id).await.unwrap() {
        fields.push(("include".into(), a.id.to_string()));
        fields.push((format!("heading-{}", a.id), PAYLOADS[0].into()));
        fields.push((format!("note-{}", a.id), PAYLOADS[4].into()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, location, _) =
        post(&app, &format!("/admin/rounds/{round_id}/compile"), &fields).await;
    assert_eq!(status, 303, "compiled");
    let post_id = id_in(&location);
    store
        .publish_post(post_id, roundtable::store::now())
        .await
        .unwrap();
    let row = store.post(post_id).await.unwrap();
    let clock = roundtable::render::SiteClock::new(Some("America/Chicago"));
    let answered_path = roundtable::render::permalink(&clock, row.published_at.unwrap(), &row.slug);

    // A suggested question, and one the editor adds.
    let (status, _, _) = post(
        &app,
        "/suggest/",
        &[("question", &all), ("name", PAYLOADS[1])],
    )
    .await;
    assert_eq!(status, 303, "the question is taken");
    let (status, location, _) = post(
        &app,
        "/admin/questions/",
        &[("csrf", &csrf), ("prompt", &all)],
    )
    .await;
    assert_eq!(status, 303);
    let question_path = location.split('?').next().unwrap().to_string();

    // A WordPress export with payloads in titles, content and comments.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payloads.xml");
    let cdata = |s: &str| format!("<![CDATA[{s}]]>");
    std::fs::write(
        &file,
        format!(
            "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
             <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>http://old.example</wp:base_site_url>\
             <item><title>{title}</title><wp:post_id>77</wp:post_id>\
             <wp:post_type>post</wp:post_type><wp:status>publish</wp:status>\
             <wp:post_date_gmt>2020-01-02 10:00:00</wp:post_date_gmt><wp:post_name>payloads</wp:post_name>\
             <content:encoded>{content}</content:encoded>\
             <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>{author}</wp:comment_author>\
             <wp:comment_author_email>old@example.org</wp:comment_author_email>\
             <wp:comment_author_url>javascript:window.__pwned=1</wp:comment_author_url>\
             <wp:comment_date_gmt>2020-01-03 10:00:00</wp:comment_date_gmt>\
             <wp:comment_content>{content}</wp:comment_content><wp:comment_approved>1</wp:comment_approved>\
             </wp:comment></item></channel></rss>",
            title = cdata(PAYLOADS[3]),
            content = cdata(&PAYLOADS.join("<br>")),
            author = cdata(PAYLOADS[1]),
        ),
    )
    .unwrap();
    import::import_file(store, &file, false).await.unwrap();
    let (published_at,): (i64,) =
        sqlx::query_as("SELECT published_at FROM posts WHERE slug = 'payloads'")
            .fetch_one(store.raw_pool_for_tests())
            .await
            .unwrap();
    let imported = roundtable::render::permalink(&clock, published_at, "payloads");
    assert_eq!(
        app.get(&imported).await.0,
        200,
        "the imported post at {imported}"
    );

    let browser = Browser::start().await;
    // The judge itself: a page where a payload did run is caught.
    browser
        .open("data:text/html,<img src=x onerror=\"window.__pwned=1\">")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let found = browser.client().execute(DOM_CHECK, vec![]).await.unwrap();
    assert_eq!(
        found,
        serde_json::json!(["window.__pwned is set", "IMG onerror"]),
        "the check sees a payload that ran"
    );
    browser.open(&app.url("/admin/login")).await;
    browser.fill("email", EDITOR).await;
    browser.fill("password", PASSWORD).await;
    browser.submit("Sign in").await;
    let pages = [
        "/".to_string(),
        post_path.clone(),
        answered_path.clone(),
        imported.clone(),
        "/feed/".into(),
        "/admin/comments/?status=approved".into(),
        "/admin/questions/".into(),
        question_path,
        format!("/admin/posts/{post_id}/"),
        format!("/admin/rounds/{round_id}/compile"),
        "/admin/panel/".into(),
    ];
    for path in &pages {
        browser.open(&app.url(path)).await;
        // Follow every link the payloads could have left in what people wrote.
        browser
            .client()
            .execute(
                "for (const a of document.querySelectorAll(\
                 '.comment-body a, .comment-meta a, .answer-body a, .intro a, .closing a, .editor-note a, .body a')) {\
                 if (!/^https?:$/.test(a.protocol)) { a.click(); } }",
                vec![],
            )
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(
            browser.client().get_alert_text().await.is_err(),
            "{path} opened a dialog"
        );
        let found = browser.client().execute(DOM_CHECK, vec![]).await.unwrap();
        assert_eq!(found, serde_json::json!([]), "{path}");
    }
    browser.quit().await;
}

/// What a panelist's last sending saved: once the answer is in a published post, it is kept
/// as a change proposed to the editor; before, it is the answer itself.
async fn saved_answer(
    store: &Store,
    invitation_id: i64,
) -> (String, Option<String>, i64, Option<String>, String, i64) {
    match store
        .waiting_proposal_of_invitation(invitation_id)
        .await
        .unwrap()
    {
        Some(proposal) => proposal,
        None => store
            .answer_of_invitation(invitation_id)
            .await
            .unwrap()
            .expect("the answer is saved"),
    }
}

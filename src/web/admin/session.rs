//! Signing in and out, resetting a forgotten password by email, and the list of browsers
//! signed in. Sign-in follows OWASP's "device cookies": a browser that signed in before carries
//! a signed cookie and keeps its own allowance of attempts, while unknown browsers are
//! throttled per account and per client address, so a stranger guessing passwords can slow
//! down strangers but never lock the editor out of their own browser.

use std::sync::OnceLock;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::{
    cookie, done, page, page_with_status, AdminChrome, AdminForm, SignedIn, SESSION_COOKIE,
};
use crate::auth::{hash_password, verify_password, PasswordError, MIN_PASSWORD_LEN};
use crate::column::public::SiteView;
use crate::domain::Email;
use crate::store::{MailKind, SignInPlace};
use crate::tokens::{random_token, token_hash};
use crate::web::client::Client;
use crate::web::forms::client_hash;
use crate::web::SharedState;
use crate::web::WebError;

/// A session lasts two weeks.
const SESSION_SECONDS: i64 = 14 * 86_400;
/// The window, in seconds, in which sign-in attempts are counted.
const LOGIN_WINDOW: i64 = 900;
/// Attempts allowed in the window: from a browser that signed in to the account before…
const DEVICE_MAX: i64 = 10;
/// …for one account from all unknown browsers together…
const ACCOUNT_MAX: i64 = 10;
/// …and from one client address.
const CLIENT_MAX: i64 = 20;
/// The cookie that marks a browser that signed in before, and how long it is kept.
const DEVICE_COOKIE: &str = "rt_device";
const DEVICE_SECONDS: i64 = 365 * 86_400;
/// A reset link works this long, once.
const RESET_SECONDS: i64 = 3600;
/// Reset requests allowed per hour, per client address and per account.
const RESET_MAX: i64 = 5;

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    /// Set after a new password was saved.
    #[serde(default)]
    reset: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Serialize)]
struct LoginPage {
    email: String,
    next: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// Only addresses inside the admin are followed after sign-in.
fn safe_next(next: &str) -> &str {
    if next.starts_with("/admin/")
        && !next.starts_with("//")
        && !next.contains("://")
        && !next.contains(|c: char| c.is_control() || c.is_whitespace() || c == '\\')
    {
        next
    } else {
        "/admin/"
    }
}

pub async fn login_page(
    State(state): State<SharedState>,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let context = LoginPage {
        email: String::new(),
        next: safe_next(&q.next).to_string(),
        notice: (!q.reset.is_empty()).then_some(
            "Your new password is saved, and every browser was signed out. Sign in with it now.",
        ),
        error: None,
    };
    page_with_status(&state, StatusCode::OK, "admin/login.html", context)
}

/// A browser that signed in to an account before: `EDITOR.NONCE.MAC` in its cookie.
struct Device {
    editor_id: i64,
    nonce: String,
}

impl Device {
    fn parse(cookie: &str, secret: &str) -> Option<Device> {
        let mut parts = cookie.splitn(3, '.');
        let (id, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let editor_id = id.parse().ok()?;
        crate::tokens::device_matches(secret, id, nonce, mac).then(|| Device {
            editor_id,
            nonce: nonce.to_string(),
        })
    }

    fn cookie_value(editor_id: i64, secret: &str) -> String {
        let nonce = &random_token()[..24];
        let mac = crate::tokens::device(secret, editor_id, nonce);
        format!("{editor_id}.{nonce}.{mac}")
    }
}

/// Checks a password off the async threads: Argon2 takes tens of milliseconds of CPU on
/// purpose. Without an account, a dummy hash is checked, so timing does not tell who has one.
async fn password_matches(password: &str, hash: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    // One check per core at a time: each takes 19 MiB, and a flood of attempts from many
    // addresses must queue rather than take the machine's memory.
    static CHECKS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let checks = CHECKS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let Ok(_permit) = checks.acquire().await else {
        return false;
    };
    let password = password.to_string();
    let hash = hash.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let dummy = DUMMY.get_or_init(|| {
            hash_password("a password nobody has").expect("a long password hashes")
        });
        match hash {
            Some(hash) => verify_password(&password, &hash),
            None => {
                verify_password(&password, dummy);
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// Cookies get `Secure` when the site is HTTPS or the request came over HTTPS.
fn secure(state: &SharedState, client: &Client) -> &'static str {
    if state.column.base_url.starts_with("https://") || client.https {
        "; Secure"
    } else {
        ""
    }
}

pub async fn login(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next).to_string();
    let refuse = |status: StatusCode, error: &str| {
        let context = LoginPage {
            email: form.email.clone(),
            next: next.clone(),
            notice: None,
            error: Some(error.to_string()),
        };
        page_with_status(&state, status, "admin/login.html", context)
    };
    let email = form.email.trim().to_lowercase();
    let editor = state.column.store.editor_by_email(&email).await?;
    let device_secret = state.column.store.secret("device").await?;
    let device = cookie(&headers, DEVICE_COOKIE)
        .and_then(|c| Device::parse(c, &device_secret))
        .filter(|d| editor.as_ref().is_some_and(|e| e.id == d.editor_id));
    let buckets = match &device {
        Some(d) => vec![(format!("login-device:{}", d.nonce), DEVICE_MAX)],
        None => vec![
            (format!("login-account:{}", token_hash(&email)), ACCOUNT_MAX),
            (
                format!("login-client:{}", client_hash(&state, &client).await?),
                CLIENT_MAX,
            ),
        ],
    };
    // Every attempt is counted before the password is checked, in one statement per bucket,
    // so a burst of guesses at once gets no more tries than guesses one after another.
    let mut over = false;
    for (bucket, max) in &buckets {
        over |= state.column.store.hit(bucket, LOGIN_WINDOW).await? > *max;
    }
    if over {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts. Wait fifteen minutes and try again, or use “Forgot your password?” below.",
        );
    }
    let hash = editor.as_ref().and_then(|e| e.password_hash.as_deref());
    let Some(editor) = editor.clone().filter(|_| hash.is_some()) else {
        password_matches(&form.password, None).await;
        return refuse(
            StatusCode::UNAUTHORIZED,
            "That email address and password do not match an editor account.",
        );
    };
    if !password_matches(&form.password, hash).await {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "That email address and password do not match an editor account.",
        );
    }
    // A right password does not use up the allowance.
    for (bucket, _) in &buckets {
        state.column.store.unhit(bucket).await?;
    }
    let token = random_token();
    let place = SignInPlace {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(200).collect()),
        client: Some(client.ip.to_string()),
    };
    state
        .column
        .store
        .create_session(
            &token_hash(&token),
            editor.id,
            &random_token(),
            SESSION_SECONDS,
            &place,
        )
        .await?;
    let secure = secure(&state, &client);
    let mut response = Redirect::to(&next).into_response();
    let session = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}{secure}"
    );
    let mut cookies = vec![session];
    if device.is_none() {
        cookies.push(format!(
            "{DEVICE_COOKIE}={}; Path=/admin/; HttpOnly; SameSite=Lax; Max-Age={DEVICE_SECONDS}{secure}",
            Device::cookie_value(editor.id, &device_secret)
        ));
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

pub async fn logout(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    _form: AdminForm,
) -> Result<Response, WebError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state
            .column
            .store
            .delete_session(&token_hash(token))
            .await?;
    }
    let mut response = Redirect::to("/admin/login").into_response();
    let cleared = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        secure(&state, &client)
    );
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct ForgotQuery {
    #[serde(default)]
    sent: String,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

#[derive(Serialize)]
struct ForgotPage {
    sent: bool,
    email: String,
    error: Option<&'static str>,
}

pub async fn forgot_page(
    State(state): State<SharedState>,
    Query(q): Query<ForgotQuery>,
) -> Result<Response, WebError> {
    let context = ForgotPage {
        sent: !q.sent.is_empty(),
        email: String::new(),
        error: None,
    };
    page(&state, "admin/forgot.html", context)
}

/// Sends a reset link when the address is an editor's; the answer is the same either way, so
/// the form does not tell who has an account.
pub async fn forgot(
    State(state): State<SharedState>,
    client: Client,
    Form(form): Form<ForgotForm>,
) -> Result<Response, WebError> {
    let email = form.email.trim().to_lowercase();
    let by_client = format!("reset-client:{}", client_hash(&state, &client).await?);
    let by_account = format!("reset-account:{}", token_hash(&email));
    let client_ok = state
        .column
        .store
        .allow_rate(&by_client, 3600, RESET_MAX)
        .await?;
    let account_ok = state
        .column
        .store
        .allow_rate(&by_account, 3600, RESET_MAX)
        .await?;
    if !(client_ok && account_ok) {
        let context = ForgotPage {
            sent: false,
            email: form.email.clone(),
            error: Some("Several links were asked for in the last hour. Please use the one already sent, or try again in an hour."),
        };
        return page_with_status(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "admin/forgot.html",
            context,
        );
    }
    let editor = state.column.store.editor_by_email(&email).await?;
    if let Some((editor, to)) = editor.and_then(|e| Email::parse(&e.email).ok().map(|to| (e, to))) {
        #[derive(Serialize)]
        struct Context<'a> {
            site: String,
            name: &'a str,
            email: &'a str,
            link: String,
        }
        let token = random_token();
        let (site, _) = SiteView::load(&state.column.store).await?;
        let mail = crate::column::letters::email(
            &state.column,
            MailKind::Alert,
            &to,
            "password_reset",
            Context {
                site: site.title,
                name: &editor.display_name,
                email: &editor.email,
                link: format!("{}/admin/reset/{token}", state.column.base_url),
            },
        )?;
        state
            .column
            .store
            .request_password_reset(editor.id, &token_hash(&token), RESET_SECONDS, &mail)
            .await?;
    }
    Ok(Redirect::to("/admin/forgot?sent=1").into_response())
}

#[derive(Serialize)]
struct ResetPage {
    valid: bool,
    email: String,
    token: String,
    min_len: usize,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

fn reset_page(
    state: &SharedState,
    status: StatusCode,
    token: &str,
    email: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let valid = email.is_some();
    let context = ResetPage {
        valid,
        email: email.unwrap_or_default(),
        // Only a well-formed token is written back into the page.
        token: token.chars().filter(char::is_ascii_hexdigit).collect(),
        min_len: MIN_PASSWORD_LEN,
        error,
    };
    let status = if valid { status } else { StatusCode::NOT_FOUND };
    let mut response = page_with_status(state, status, "admin/reset.html", context)?;
    // The page's address holds the secret: no Referer may carry it to another site.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

pub async fn reset_form(
    State(state): State<SharedState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let editor = state
        .column
        .store
        .password_reset_editor(&token_hash(&token))
        .await?;
    reset_page(
        &state,
        StatusCode::OK,
        &token,
        editor.map(|e| e.email),
        None,
    )
}

pub async fn reset(
    State(state): State<SharedState>,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let hashed = token_hash(&token);
    let Some(editor) = state.column.store.password_reset_editor(&hashed).await? else {
        return reset_page(&state, StatusCode::NOT_FOUND, &token, None, None);
    };
    let again = |error: String| {
        reset_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            Some(editor.email.clone()),
            Some(error),
        )
    };
    if form.password != form.again {
        return again(sentence(&PasswordError::Mismatch));
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WebError::BadRequest(format!("The password could not be saved: {e}")))?;
    let hash = match hash {
        Ok(hash) => hash,
        Err(e) => return again(sentence(&e)),
    };
    match state.column.store.reset_password(&hashed, &hash).await? {
        Some(_) => Ok(Redirect::to("/admin/login?reset=1").into_response()),
        None => reset_page(&state, StatusCode::NOT_FOUND, &token, None, None),
    }
}

/// A password error as the page says it: a sentence, capitalised, with its full stop.
fn sentence(error: &PasswordError) -> String {
    let text = error.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => text,
    }
}

/// A user-agent string as a person names a browser: "Firefox on Linux", or the string cut short.
fn browser_name(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        _ => user_agent.chars().take(40).collect(),
    }
}

#[derive(Serialize)]
struct SessionLine {
    id: String,
    browser: String,
    client: String,
    created: String,
    last_seen: String,
    current: bool,
}

#[derive(Serialize)]
struct SessionsPage {
    chrome: AdminChrome,
    sessions: Vec<SessionLine>,
}

pub async fn sessions(
    State(state): State<SharedState>,
    who: SignedIn,
) -> Result<Response, WebError> {
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let when = |at: i64| crate::render::human_datetime(&clock, at);
    let sessions = state
        .column
        .store
        .sessions_of(who.editor.id)
        .await?
        .into_iter()
        .map(|s| SessionLine {
            current: s.token_hash == who.session,
            id: s.public_id,
            browser: s
                .user_agent
                .as_deref()
                .map(browser_name)
                .unwrap_or_else(|| "unknown".into()),
            client: s.client.unwrap_or_else(|| "unknown".into()),
            created: when(s.created_at),
            last_seen: s.last_seen_at.map(when).unwrap_or_default(),
        })
        .collect();
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    page(
        &state,
        "admin/sessions.html",
        SessionsPage { chrome, sessions },
    )
}

pub async fn end_session(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let ended = state
        .column
        .store
        .end_session(form.editor.id, form.get("session"))
        .await?;
    let notice = if ended {
        "That browser is signed out."
    } else {
        "That browser was signed out already."
    };
    done(&state, &form, "/admin/sessions/", notice).await
}

pub async fn end_other_sessions(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    state
        .column
        .store
        .end_other_sessions(form.editor.id, &form.session)
        .await?;
    done(
        &state,
        &form,
        "/admin/sessions/",
        "Every other browser is signed out.",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_addresses_inside_the_admin_are_followed_after_sign_in() {
        assert_eq!(safe_next("/admin/rounds/3/"), "/admin/rounds/3/");
        for bad in [
            "//evil.example/",
            "https://evil.example/admin/",
            "/admin/\r\nSet-Cookie: x=1",
            "/admin/\\evil",
            "/admin/ x",
        ] {
            assert_eq!(safe_next(bad), "/admin/", "{bad:?}");
        }
    }

    #[test]
    fn browsers_are_named_as_people_name_them() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(browser_name(firefox), "Firefox on Linux");
        assert_eq!(browser_name("curl/7.88.1"), "curl");
    }
}

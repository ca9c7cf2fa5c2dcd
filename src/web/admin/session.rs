//! Signing in and out. Failed attempts are counted per address and per account, so guessing
//! passwords is slow; a successful sign-in opens a session kept in the database.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::{cookie, page_with_status, AdminForm, SESSION_COOKIE};
use crate::app::SharedState;
use crate::auth::{random_token, token_hash, verify_password};
use crate::web::WebError;

/// A session lasts two weeks.
const SESSION_SECONDS: i64 = 14 * 86_400;
/// Failed sign-ins allowed per address or account in `LOGIN_WINDOW` seconds.
const LOGIN_MAX: i64 = 10;
const LOGIN_WINDOW: i64 = 900;

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
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
    error: Option<String>,
}

/// Only addresses inside the admin are followed after sign-in.
fn safe_next(next: &str) -> &str {
    if next.starts_with("/admin/") && !next.starts_with("//") && !next.contains("://") {
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
        error: None,
    };
    page_with_status(&state, StatusCode::OK, "admin/login.html", context)
}

pub async fn login(
    State(state): State<SharedState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next).to_string();
    let refuse = |status: StatusCode, error: &str| {
        let context = LoginPage {
            email: form.email.clone(),
            next: next.clone(),
            error: Some(error.to_string()),
        };
        page_with_status(&state, status, "admin/login.html", context)
    };
    let secret = state.store.secret("address_hash").await?;
    let buckets = [
        format!(
            "login-addr:{}",
            token_hash(&format!("{secret}:{}", addr.ip()))
        ),
        format!(
            "login-account:{}",
            token_hash(&form.email.trim().to_lowercase())
        ),
    ];
    // Only failed attempts count; an address or account over the limit waits, whatever it types.
    for bucket in &buckets {
        if state.store.rate_hits(bucket, LOGIN_WINDOW).await? >= LOGIN_MAX {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failed sign-in attempts. Wait fifteen minutes, then try again.",
            );
        }
    }
    let editor = state.store.editor_by_email(form.email.trim()).await?;
    let verified = editor
        .as_ref()
        .and_then(|e| e.password_hash.as_deref())
        .is_some_and(|hash| verify_password(&form.password, hash));
    let Some(editor) = editor.filter(|_| verified) else {
        for bucket in &buckets {
            state
                .store
                .allow_rate(bucket, LOGIN_WINDOW, LOGIN_MAX)
                .await?;
        }
        return refuse(
            StatusCode::UNAUTHORIZED,
            "That email address and password do not match an editor account.",
        );
    };
    let token = random_token();
    state
        .store
        .create_session(
            &token_hash(&token),
            editor.id,
            &random_token(),
            SESSION_SECONDS,
        )
        .await?;
    let secure = state
        .config
        .base_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

pub async fn logout(
    State(state): State<SharedState>,
    headers: axum::http::HeaderMap,
    _form: AdminForm,
) -> Result<Response, WebError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    let mut response = Redirect::to("/admin/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("rt_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(response)
}

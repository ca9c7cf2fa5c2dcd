//! The editor's side under `/admin/`: sign-in, and one module per part of the work. Every
//! page needs a signed-in editor ([`SignedIn`]); every change comes through an [`AdminForm`],
//! which refuses a form without the session's CSRF token.

mod comments;
mod dashboard;
mod newsletter;
mod panel;
mod posts;
mod questions;
mod rounds;
mod series;
mod session;
mod writing;

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use super::WebError;
use crate::store::EditorRow;
use crate::tokens::token_hash;
use crate::web::SharedState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rt_session";

pub fn router() -> Router<SharedState> {
    let mut router = Router::new()
        .route("/admin/", get(dashboard::dashboard))
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route(
            "/admin/login",
            get(session::login_page).post(session::login),
        )
        .route("/admin/logout", post(session::logout))
        .route(
            "/admin/forgot",
            get(session::forgot_page).post(session::forgot),
        )
        .route(
            "/admin/reset/{token}",
            get(session::reset_form).post(session::reset),
        )
        .route("/admin/sessions/", get(session::sessions))
        .route("/admin/sessions/end", post(session::end_session))
        .route(
            "/admin/sessions/end-others",
            post(session::end_other_sessions),
        )
        .route("/admin/panel/", get(panel::roster).post(panel::add))
        .route("/admin/panel/export.csv", get(panel::export_csv))
        .route("/admin/panel/import", post(panel::import_csv))
        .route(
            "/admin/panel/{id}/",
            get(panel::edit_page).post(panel::save),
        )
        .route(
            "/admin/panel/{id}/photo",
            post(panel::save_photo).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::media::MAX_UPLOAD_BODY,
            )),
        )
        .route("/admin/panel/{id}/status", post(panel::set_status))
        .route(
            "/admin/panel/{id}/erase",
            get(panel::erase_page).post(panel::erase),
        )
        .route(
            "/admin/questions/",
            get(questions::queue).post(questions::add),
        )
        .route(
            "/admin/questions/{id}/",
            get(questions::edit_page).post(questions::save),
        )
        .route("/admin/rounds/", get(rounds::list))
        .route(
            "/admin/rounds/new",
            get(rounds::compose_page).post(rounds::compose),
        )
        .route("/admin/rounds/{id}/", get(rounds::monitor))
        .route("/admin/rounds/{id}/remind", post(rounds::remind))
        .route("/admin/rounds/{id}/resend", post(rounds::resend))
        .route(
            "/admin/rounds/{id}/close",
            get(rounds::confirm_close).post(rounds::close),
        )
        .route("/admin/rounds/{id}/reopen", post(rounds::reopen))
        .route(
            "/admin/rounds/{id}/compile",
            get(posts::compile_page).post(posts::compile),
        )
        .route("/admin/posts/", get(posts::list))
        .route(
            "/admin/posts/new",
            get(writing::new_page).post(writing::create),
        )
        .route("/admin/posts/{id}/", get(posts::edit_page))
        .route(
            "/admin/posts/{id}/edit",
            get(writing::edit_page).post(writing::edit),
        )
        .route("/admin/posts/{id}/unpublish", post(writing::unpublish))
        .route(
            "/admin/posts/{id}/delete",
            get(writing::delete_page).post(writing::delete),
        )
        .route("/admin/posts/{id}/revisions", get(writing::revisions_page))
        .route("/admin/revisions/{id}/restore", post(writing::restore))
        .route("/admin/posts/{id}/publish", post(posts::publish))
        .route("/admin/posts/{id}/placement", post(series::place_post))
        .route("/admin/posts/{id}/newsletter", get(newsletter::preview))
        .route(
            "/admin/posts/{id}/newsletter/test",
            post(newsletter::send_test),
        )
        .route("/admin/series/", get(series::list).post(series::create))
        .route(
            "/admin/series/{id}/",
            get(series::edit_page).post(series::update),
        )
        .route("/admin/posts/{id}/late", post(posts::add_late))
        .route("/admin/notes/{id}", post(posts::save_note))
        .route("/admin/proposals/{id}/accept", post(posts::accept_proposal))
        .route(
            "/admin/proposals/{id}/decline",
            post(posts::decline_proposal),
        )
        .route(
            "/admin/comments/",
            get(comments::queue).post(comments::moderate),
        )
        .route("/admin/subscribers/", get(comments::subscribers))
        .route(
            "/admin/settings/",
            get(dashboard::settings_page).post(dashboard::save_settings),
        );
    // A section's address typed without its closing slash finds the section.
    for section in [
        "rounds",
        "posts",
        "panel",
        "questions",
        "comments",
        "subscribers",
        "settings",
        "sessions",
    ] {
        let to = format!("/admin/{section}/");
        router = router.route(
            &format!("/admin/{section}"),
            get(move || async move { Redirect::permanent(&to) }),
        );
    }
    router
}

/// The editor making the request, from the session cookie. Without a valid session the
/// request is sent to the sign-in page.
pub struct SignedIn {
    pub editor: EditorRow,
    pub csrf: String,
    /// The hash of the session's token: names this session in the store.
    pub session: String,
    /// The confirmation of the change that led here, left by [`done`]; read once.
    pub notice: Option<String>,
}

/// Reads one cookie from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

impl FromRequestParts<SharedState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/admin/");
            Redirect::to(&format!(
                "/admin/login?next={}",
                super::links::encode_query(next)
            ))
            .into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let session = token_hash(token);
        let found = async {
            let Some((editor, csrf, notice)) = state.column.store.session(&session).await? else {
                return Ok(None);
            };
            state.column.store.session_seen(&session).await?;
            Ok::<_, crate::store::StoreError>(Some(SignedIn {
                editor,
                csrf,
                session: session.clone(),
                notice,
            }))
        };
        match found.await {
            Ok(Some(signed_in)) => Ok(signed_in),
            Ok(None) => Err(to_login()),
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

/// A form sent by a signed-in editor, its CSRF token checked. Fields keep their order and
/// repeats (checkbox lists).
pub struct AdminForm {
    pub editor: EditorRow,
    pub csrf: String,
    /// The hash of the session's token, as in [`SignedIn`].
    pub session: String,
    pub fields: Vec<(String, String)>,
}

impl AdminForm {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The value of a field exactly as typed (for Markdown, where spaces matter).
    pub fn raw(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether the form sent the field at all, even empty.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == name)
    }

    /// A field as text, or `None` when left empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|v| !v.is_empty())
    }
}

/// Refuses a form whose CSRF token is not the session's.
fn check_csrf(sent: &str, signed_in: &SignedIn) -> Result<(), WebError> {
    if crate::tokens::constant_time_eq(sent.as_bytes(), signed_in.csrf.as_bytes()) {
        return Ok(());
    }
    Err(WebError::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and send it again.".into(),
    ))
}

impl FromRequest<SharedState> for AdminForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &SharedState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let signed_in = SignedIn::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|e| {
                WebError::BadRequest(format!("The form could not be read: {e}")).into_response()
            })?;
        let sent = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        check_csrf(sent, &signed_in).map_err(IntoResponse::into_response)?;
        Ok(AdminForm {
            editor: signed_in.editor,
            csrf: signed_in.csrf,
            session: signed_in.session,
            fields,
        })
    }
}

/// A form with a file (`multipart/form-data`) sent by a signed-in editor, its CSRF token
/// checked as an [`AdminForm`]'s is. The token field comes before the file in every such
/// form, so even a file too large to read leaves it, and the fields typed, readable.
pub struct AdminUpload {
    pub editor: EditorRow,
    pub csrf: String,
    pub session: String,
    pub upload: crate::web::media::Upload,
}

impl FromRequest<SharedState> for AdminUpload {
    type Rejection = Response;

    async fn from_request(request: Request, state: &SharedState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let signed_in = SignedIn::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|e| {
                WebError::BadRequest(format!("The form could not be read: {e}")).into_response()
            })?;
        let upload = crate::web::media::Upload::read(multipart)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent = upload.get("csrf");
        check_csrf(sent, &signed_in).map_err(IntoResponse::into_response)?;
        Ok(AdminUpload {
            editor: signed_in.editor,
            csrf: signed_in.csrf,
            session: signed_in.session,
            upload,
        })
    }
}

/// What every admin page shows around its content.
#[derive(Serialize)]
pub struct AdminChrome {
    pub editor: String,
    pub csrf: String,
    pub site_title: String,
    pub notice: Option<String>,
}

impl AdminChrome {
    pub async fn new(
        state: &SharedState,
        editor: &EditorRow,
        csrf: &str,
    ) -> Result<AdminChrome, WebError> {
        Ok(AdminChrome {
            editor: editor.display_name.clone(),
            csrf: csrf.to_string(),
            site_title: state
                .column
                .store
                .setting("site_title")
                .await?
                .unwrap_or_else(|| "Roundtable".into()),
            notice: None,
        })
    }
}

impl AdminChrome {
    /// The chrome of a page that shows the confirmation of the change that led here, if any.
    pub async fn with_notice(state: &SharedState, who: &SignedIn) -> Result<AdminChrome, WebError> {
        let mut chrome = AdminChrome::new(state, &who.editor, &who.csrf).await?;
        chrome.notice = who.notice.clone();
        Ok(chrome)
    }
}

/// Renders an admin template; admin pages are never cached by browsers or proxies.
pub fn page<S: Serialize>(
    state: &SharedState,
    name: &str,
    context: S,
) -> Result<Response, WebError> {
    let html = state.column.templates.render(name, context)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

/// Renders an admin template with a status, for forms shown again with their errors.
pub fn page_with_status<S: Serialize>(
    state: &SharedState,
    status: StatusCode,
    name: &str,
    context: S,
) -> Result<Response, WebError> {
    let mut response = page(state, name, context)?;
    *response.status_mut() = status;
    Ok(response)
}

/// After a change: back to a page that shows a short confirmation. The confirmation waits in
/// the editor's session, never in the address, so no link can make the admin say anything.
pub async fn done(
    state: &SharedState,
    form: &AdminForm,
    to: &str,
    notice: &str,
) -> Result<Response, WebError> {
    state
        .column
        .store
        .set_session_notice(&form.session, notice)
        .await?;
    Ok(Redirect::to(to).into_response())
}

//! A post's newsletter as subscribers get it: previewed in the admin, and sent to the editor
//! alone as a test.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::{done, page, AdminChrome, AdminForm, SignedIn};
use crate::column::posts;
use crate::web::id::Id;
use crate::web::{SharedState, WebError};

#[derive(Serialize)]
struct PreviewPage {
    chrome: AdminChrome,
    post_id: i64,
    title: String,
    subject: String,
    text: String,
    /// The whole mail, shown in a frame of its own (`srcdoc`): its styles stay out of the admin.
    html: String,
    to: String,
}

pub async fn preview(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let post = state.column.store.post(id).await?;
    let (subject, text, html) = posts::newsletter_preview(&state.column, id).await?;
    page(
        &state,
        "admin/newsletter.html",
        PreviewPage {
            chrome,
            post_id: id,
            title: post.title,
            subject,
            text,
            html,
            to: who.editor.email.clone(),
        },
    )
}

pub async fn send_test(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    posts::send_test_newsletter(&state.column, id, &form.editor.email).await?;
    let notice = format!("A test is on its way to {}.", form.editor.email);
    done(
        &state,
        &form,
        &format!("/admin/posts/{id}/newsletter"),
        &notice,
    )
    .await
}

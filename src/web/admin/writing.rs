//! Writing outside rounds and changing any post directly: a new post or page, a direct edit,
//! taking a post down, deleting one after a confirmation, and its revisions (compare any two,
//! restore one).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::posts::post_page;
use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::revisions::{self, Version};
use crate::column::writing::{self, PostForm, Then, Written};
use crate::column::{ColumnError, SiteView};
use crate::render::human_datetime;
use crate::store::{PostKind, Taxonomy};
use crate::web::id::Id;
use crate::web::{SharedState, WebError};

/// The post form's fields as the template shows them.
#[derive(Serialize, Default)]
struct FormView {
    page: bool,
    title: String,
    slug: String,
    body: String,
    closing: String,
    html: Option<String>,
    tags: String,
    categories: String,
    date: String,
}

impl From<&PostForm> for FormView {
    fn from(f: &PostForm) -> FormView {
        FormView {
            page: f.page,
            title: f.title.clone(),
            slug: f.slug.clone(),
            body: f.body.clone(),
            closing: f.closing.clone(),
            html: f.html.clone(),
            tags: f.tags.clone(),
            categories: f.categories.clone(),
            date: f.date.clone(),
        }
    }
}

#[derive(Serialize)]
struct PostFormPage {
    chrome: AdminChrome,
    /// `None` for a new post or page.
    post_id: Option<i64>,
    /// Whether the post is from a round (it has a closing, and its answers are edited in
    /// the compilation) and whether it is published (its address is fixed).
    from_round: bool,
    published: bool,
    form: FormView,
    error: Option<String>,
}

fn form_of(form: &AdminForm) -> PostForm {
    PostForm {
        page: form.get("page") == "1",
        title: form.get("title").to_string(),
        slug: form.get("slug").to_string(),
        body: form.raw("body").to_string(),
        closing: form.raw("closing").to_string(),
        html: Some(form.raw("html").to_string()).filter(|_| form.has("html")),
        tags: form.get("tags").to_string(),
        categories: form.get("categories").to_string(),
        date: form.get("date").to_string(),
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    page: Option<String>,
}

pub async fn new_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Query(query): Query<NewQuery>,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let form = FormView {
        page: query.page.as_deref() == Some("1"),
        ..FormView::default()
    };
    let context = PostFormPage {
        chrome,
        post_id: None,
        from_round: false,
        published: false,
        form,
        error: None,
    };
    page(&state, "admin/post_form.html", context)
}

pub async fn create(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let typed = form_of(&form);
    let then = if form.get("then") == "draft" {
        Then::KeepDraft
    } else {
        Then::Publish
    };
    let error = match writing::write(&state.column, &typed, Some(form.editor.id), then).await {
        Ok(written) => {
            let (id, notice) = match written {
                Written::Draft(id) => (id, "Saved as a draft."),
                Written::Published(id) => (id, "Published."),
                Written::Scheduled(id) => (id, "Scheduled for the date you gave."),
            };
            return done(&state, &form, &format!("/admin/posts/{id}/"), notice).await;
        }
        Err(ColumnError::Refused(error)) => error,
        Err(e) => return Err(e.into()),
    };
    form_again(&state, &form, None, &typed, error).await
}

/// The post form shown again as it was sent, with what to change.
async fn form_again(
    state: &SharedState,
    form: &AdminForm,
    post_id: Option<i64>,
    typed: &PostForm,
    error: String,
) -> Result<Response, WebError> {
    let row = match post_id {
        Some(id) => Some(state.column.store.post(id).await?),
        None => None,
    };
    let context = PostFormPage {
        chrome: AdminChrome::new(state, &form.editor, &form.csrf).await?,
        post_id,
        from_round: row.as_ref().is_some_and(|r| r.round_id.is_some()),
        published: row.as_ref().is_some_and(|r| r.status == "published"),
        form: FormView::from(typed),
        error: Some(error),
    };
    page_with_status(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/post_form.html",
        context,
    )
}

async fn terms_text(
    state: &SharedState,
    taxonomy: Taxonomy,
    post_id: i64,
) -> Result<String, WebError> {
    Ok(state
        .column
        .store
        .terms_of_posts(taxonomy, &[post_id])
        .await?
        .into_iter()
        .map(|(_, t)| t.name)
        .collect::<Vec<_>>()
        .join(", "))
}

pub async fn edit_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let row = state.column.store.post(id).await?;
    let form = FormView {
        page: row.kind == PostKind::Page.as_str(),
        tags: terms_text(&state, Taxonomy::Tag, id).await?,
        categories: terms_text(&state, Taxonomy::Category, id).await?,
        title: row.title.clone(),
        slug: row.slug.clone(),
        body: row.intro.clone(),
        closing: row.closing.clone(),
        html: row.body_html.clone(),
        date: String::new(),
    };
    let context = PostFormPage {
        chrome: AdminChrome::with_notice(&state, &who).await?,
        post_id: Some(id),
        from_round: row.round_id.is_some(),
        published: row.status == "published",
        form,
        error: None,
    };
    page(&state, "admin/post_form.html", context)
}

pub async fn edit(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let typed = form_of(&form);
    let error = match writing::edit(&state.column, id, &typed, Some(form.editor.id)).await {
        Ok(()) => {
            let notice =
                "Saved. Readers see the change now; the version before is kept under Revisions.";
            return done(&state, &form, &format!("/admin/posts/{id}/"), notice).await;
        }
        Err(ColumnError::Refused(error)) => error,
        Err(e) => return Err(e.into()),
    };
    form_again(&state, &form, Some(id), &typed, error).await
}

pub async fn unpublish(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let to = form.get("redirect");
    match writing::unpublish(&state.column, id, to).await {
        Ok(()) => {}
        Err(ColumnError::Refused(error)) => {
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let mut context = post_page(&state, chrome, id, String::new(), None).await?;
            context.takedown = to.to_string();
            context.takedown_error = Some(error);
            return page_with_status(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/post.html",
                context,
            );
        }
        Err(e) => return Err(e.into()),
    }
    let notice = if to.is_empty() {
        "Taken down: it is a draft again, and its address answers “410 Gone”."
    } else {
        "Taken down: it is a draft again, and its address sends readers to the one you gave."
    };
    done(&state, &form, &format!("/admin/posts/{id}/"), notice).await
}

#[derive(Serialize)]
struct DeletePage {
    chrome: AdminChrome,
    id: i64,
    title: String,
    published: bool,
    comments: i64,
    from_round: bool,
}

pub async fn delete_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let row = state.column.store.post(id).await?;
    let context = DeletePage {
        chrome: AdminChrome::with_notice(&state, &who).await?,
        id,
        published: row.status == "published",
        comments: row.comment_count,
        from_round: row.round_id.is_some(),
        title: row.title,
    };
    page(&state, "admin/post_delete.html", context)
}

pub async fn delete(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    writing::delete(&state.column, id).await?;
    done(&state, &form, "/admin/posts/", "Deleted.").await
}

#[derive(Serialize)]
struct RevisionLine {
    id: i64,
    /// When this version was replaced, by whom, and by what change.
    replaced: String,
    editor: String,
    reason: String,
    title: String,
}

#[derive(Serialize)]
struct RevisionsPage {
    chrome: AdminChrome,
    post_id: i64,
    title: String,
    revisions: Vec<RevisionLine>,
    from: String,
    to: String,
    diff_html: Option<String>,
}

#[derive(Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

pub async fn revisions_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
    Query(query): Query<CompareQuery>,
) -> Result<Response, WebError> {
    let row = state.column.store.post(id).await?;
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let kept = state.column.store.revisions(id).await?;
    // Without a choice, the newest kept version against the post as it is now.
    let from = query
        .from
        .clone()
        .or_else(|| kept.first().map(|r| r.id.to_string()))
        .unwrap_or_else(|| "now".into());
    let to = query.to.clone().unwrap_or_else(|| "now".into());
    let diff_html = match (Version::parse(&from), Version::parse(&to)) {
        (Some(a), Some(b)) if !kept.is_empty() => {
            Some(revisions::compare(&state.column, id, a, b).await?)
        }
        (Some(_), Some(_)) => None,
        _ => {
            return Err(WebError::BadRequest(
                "Choose two versions to compare.".into(),
            ))
        }
    };
    let revisions = kept
        .into_iter()
        .map(|r| RevisionLine {
            id: r.id,
            replaced: human_datetime(&clock, r.created_at),
            editor: r.editor_name.unwrap_or_default(),
            reason: r.reason,
            title: r.snapshot.title,
        })
        .collect();
    let context = RevisionsPage {
        chrome: AdminChrome::with_notice(&state, &who).await?,
        post_id: id,
        title: row.title,
        revisions,
        from,
        to,
        diff_html,
    };
    page(&state, "admin/revisions.html", context)
}

pub async fn restore(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let post_id = revisions::restore(&state.column, id, Some(form.editor.id)).await?;
    let notice =
        "Restored. Readers see this version now; the one it replaced is kept as a revision.";
    done(
        &state,
        &form,
        &format!("/admin/posts/{post_id}/revisions"),
        notice,
    )
    .await
}

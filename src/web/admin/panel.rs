//! The panel roster: approving requests to join, adding, editing and retiring panelists, and
//! the roster as CSV in and out.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{done, page, page_with_status, AdminChrome, AdminForm, AdminUpload, SignedIn};
use crate::interop::roster::{self, field_of, status_of};
use crate::store::{NewPanelist, PanelistRow, StoreError};
use crate::web::id::Id;
use crate::web::media::PhotoSaved;
use crate::web::SharedState;
use crate::web::WebError;

#[derive(Serialize)]
struct Group {
    title: &'static str,
    panelists: Vec<PanelistRow>,
    actions: Vec<(&'static str, &'static str)>,
}

#[derive(Serialize)]
struct Field {
    name: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct PanelistForm {
    action: String,
    submit: &'static str,
    error: Option<String>,
    fields: Vec<Field>,
    library_types: Vec<(String, String)>,
}

#[derive(Serialize)]
struct ImportReport {
    summary: String,
    problems: Vec<String>,
}

#[derive(Serialize)]
struct RosterPage {
    chrome: AdminChrome,
    groups: Vec<Group>,
    form: PanelistForm,
    csv: String,
    import_report: Option<ImportReport>,
}

const FORM_FIELDS: [(&str, &str); 11] = [
    ("name", "Name"),
    ("email", "Email"),
    ("pronouns", "Pronouns"),
    ("title", "Title"),
    ("department", "Department"),
    ("institution", "Institution"),
    ("city", "City"),
    ("library_type", "Library type"),
    ("region", "Region"),
    ("role_description", "Usual role-only description"),
    ("bio", "Short bio"),
];

async fn panelist_form(
    state: &SharedState,
    action: String,
    submit: &'static str,
    value: impl Fn(&str) -> String,
) -> Result<PanelistForm, WebError> {
    Ok(PanelistForm {
        action,
        submit,
        error: None,
        fields: FORM_FIELDS
            .iter()
            .map(|(name, label)| Field {
                name,
                label,
                value: value(name),
            })
            .collect(),
        library_types: state.column.store.library_types().await?,
    })
}

fn from_form(form: &AdminForm, status: &'static str) -> NewPanelist {
    NewPanelist {
        name: form.get("name").to_string(),
        email: form.get("email").to_string(),
        pronouns: form.optional("pronouns"),
        title: form.optional("title"),
        department: form.optional("department"),
        institution: form.optional("institution"),
        city: form.optional("city"),
        library_type: form.optional("library_type"),
        region: form.optional("region"),
        bio: form.optional("bio"),
        role_description: form.optional("role_description"),
        status,
        ..NewPanelist::default()
    }
}

async fn roster_page(
    state: &SharedState,
    chrome: AdminChrome,
    form: PanelistForm,
    csv: String,
    import_report: Option<ImportReport>,
) -> Result<RosterPage, WebError> {
    let store = &state.column.store;
    Ok(RosterPage {
        chrome,
        groups: vec![
            Group {
                title: "Requests to join",
                panelists: store.panelists("applied").await?,
                actions: vec![("active", "Approve"), ("retired", "Decline")],
            },
            Group {
                title: "Active",
                panelists: store.panelists("active").await?,
                actions: vec![("retired", "Retire")],
            },
            Group {
                title: "Retired",
                panelists: store.panelists("retired").await?,
                actions: vec![("active", "Bring back")],
            },
        ],
        form,
        csv,
        import_report,
    })
}

pub async fn roster(State(state): State<SharedState>, who: SignedIn) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let form = panelist_form(&state, "/admin/panel/".into(), "Add to the panel", |_| {
        String::new()
    })
    .await?;
    page(
        &state,
        "admin/panel.html",
        roster_page(&state, chrome, form, String::new(), None).await?,
    )
}

/// Explains a refused panelist in the editor's words.
fn refusal(e: StoreError) -> Result<String, WebError> {
    match e {
        StoreError::Conflict(message) => Ok(message),
        e if e.is_unique_violation() => {
            Ok("Another panelist already has that email address.".into())
        }
        e => Err(e.into()),
    }
}

/// What is wrong with a panelist as the editor typed it, before the store sees it: a name
/// is needed, and the library type must be one of those listed (the form offers only those,
/// but a hand-made request could send anything).
async fn typed_problem(state: &SharedState, p: &NewPanelist) -> Result<Option<String>, WebError> {
    if p.name.is_empty() {
        return Ok(Some("Please give the panelist's name.".to_string()));
    }
    if let Some(kind) = &p.library_type {
        let known = state.column.store.library_types().await?;
        if !known.iter().any(|(slug, _)| slug == kind) {
            return Ok(Some("Choose one of the library types listed.".to_string()));
        }
    }
    Ok(None)
}

pub async fn add(State(state): State<SharedState>, form: AdminForm) -> Result<Response, WebError> {
    let new = from_form(&form, "active");
    let problem = typed_problem(&state, &new).await?;
    let problem = match problem {
        Some(p) => Some(p),
        None => match state.column.store.create_panelist(&new).await {
            Ok(_) => None,
            Err(e) => Some(refusal(e)?),
        },
    };
    let Some(problem) = problem else {
        return done(
            &state,
            &form,
            "/admin/panel/",
            &format!("{} joined the panel.", new.name),
        )
        .await;
    };
    let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
    let mut panel_form =
        panelist_form(&state, "/admin/panel/".into(), "Add to the panel", |name| {
            form.get(name).to_string()
        })
        .await?;
    panel_form.error = Some(problem);
    let context = roster_page(&state, chrome, panel_form, String::new(), None).await?;
    page_with_status(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/panel.html",
        context,
    )
}

#[derive(Serialize)]
struct EditPage {
    chrome: AdminChrome,
    name: String,
    status: String,
    form: PanelistForm,
    photo: PhotoForm,
}

/// The panelist's photo on their page: the one they have, and its words as stored or typed.
#[derive(Serialize)]
struct PhotoForm {
    action: String,
    current: Option<String>,
    alt: String,
    credit: String,
    error: Option<String>,
}

async fn photo_form(state: &SharedState, p: &PanelistRow) -> Result<PhotoForm, WebError> {
    let current = state
        .column
        .store
        .photo_of_panelist(p)
        .await?
        .map(|set| set.src);
    Ok(PhotoForm {
        action: format!("/admin/panel/{}/photo", p.id),
        current,
        alt: p.photo_alt.clone().unwrap_or_default(),
        credit: p.photo_credit.clone().unwrap_or_default(),
        error: None,
    })
}

/// Uploads, describes or removes a panelist's photo. A refused file shows the page again with
/// the sentence and the words typed.
pub async fn save_photo(
    State(state): State<SharedState>,
    Id(id): Id,
    sent: AdminUpload,
) -> Result<Response, WebError> {
    let AdminUpload {
        editor,
        csrf,
        session,
        mut upload,
    } = sent;
    let p = state.column.store.panelist(id).await?;
    let (alt, credit) = (
        upload.get("alt").to_string(),
        upload.get("credit").to_string(),
    );
    let done = crate::web::media::save_photo_form(&state.column, id, &mut upload)
        .await
        .map(|saved| match saved {
            PhotoSaved::Saved => "The photo is saved.",
            PhotoSaved::Removed => "The photo is removed.",
        });
    let problem = match done {
        Ok(notice) => {
            state
                .column
                .store
                .set_session_notice(&session, notice)
                .await?;
            return Ok(axum::response::Redirect::to(&format!("/admin/panel/{id}/")).into_response());
        }
        Err(crate::column::ColumnError::Refused(sentence)) => sentence,
        Err(e) => return Err(e.into()),
    };
    let mut photo = photo_form(&state, &p).await?;
    photo.alt = alt;
    photo.credit = credit;
    photo.error = Some(problem);
    let form = panelist_form(&state, format!("/admin/panel/{id}/"), "Save", |name| {
        field_of(&p, name)
    })
    .await?;
    let context = EditPage {
        chrome: AdminChrome::new(&state, &editor, &csrf).await?,
        name: p.name,
        status: p.status,
        form,
        photo,
    };
    page_with_status(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/panelist.html",
        context,
    )
}

pub async fn edit_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let p = state.column.store.panelist(id).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let form = panelist_form(&state, format!("/admin/panel/{id}/"), "Save", |name| {
        field_of(&p, name)
    })
    .await?;
    let photo = photo_form(&state, &p).await?;
    page(
        &state,
        "admin/panelist.html",
        EditPage {
            chrome,
            name: p.name,
            status: p.status,
            form,
            photo,
        },
    )
}

pub async fn save(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let current = state.column.store.panelist(id).await?;
    let status = status_of(&current.status).unwrap_or("active");
    let mut updated = from_form(&form, status);
    updated.photo_url = current.photo_url.clone();
    updated.photo_credit = current.photo_credit.clone();
    updated.photo_alt = current.photo_alt.clone();
    let problem = match typed_problem(&state, &updated).await? {
        Some(problem) => Some(problem),
        None => match state.column.store.update_panelist(id, &updated).await {
            Ok(()) => None,
            Err(e) => Some(refusal(e)?),
        },
    };
    let Some(problem) = problem else {
        return done(&state, &form, &format!("/admin/panel/{id}/"), "Saved.").await;
    };
    let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
    let mut edit = panelist_form(&state, format!("/admin/panel/{id}/"), "Save", |name| {
        form.get(name).to_string()
    })
    .await?;
    edit.error = Some(problem);
    let photo = photo_form(&state, &current).await?;
    let context = EditPage {
        chrome,
        name: current.name,
        status: current.status,
        form: edit,
        photo,
    };
    page_with_status(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/panelist.html",
        context,
    )
}

pub async fn set_status(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let status = status_of(form.get("status"))
        .ok_or_else(|| WebError::BadRequest("Choose applied, active or retired.".into()))?;
    let p = state.column.store.panelist(id).await?;
    state
        .column
        .store
        .update_panelist(id, &p.profile(status))
        .await?;
    let what = match status {
        "active" => "is on the active panel",
        "retired" => "is retired from the panel",
        _ => "is waiting for approval",
    };
    done(
        &state,
        &form,
        "/admin/panel/",
        &format!("{} {what}.", p.name),
    )
    .await
}

pub async fn export_csv(
    State(state): State<SharedState>,
    _who: SignedIn,
) -> Result<Response, WebError> {
    let body = roster::export(&state.column.store).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"panel.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// Imports rows by email (see `interop::roster`), then shows the report above the roster.
pub async fn import_csv(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    let text = form.raw("csv").to_string();
    let result = roster::import(&state.column.store, &text).await?;
    let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
    let panel_form = panelist_form(&state, "/admin/panel/".into(), "Add to the panel", |_| {
        String::new()
    })
    .await?;
    let report = ImportReport {
        summary: result.summary(),
        problems: result.problems,
    };
    let keep = if report.problems.is_empty() {
        String::new()
    } else {
        text
    };
    page(
        &state,
        "admin/panel.html",
        roster_page(&state, chrome, panel_form, keep, Some(report)).await?,
    )
}

#[derive(Serialize)]
struct ErasePage {
    chrome: AdminChrome,
    id: i64,
    name: String,
    email: String,
    error: Option<String>,
}

/// What erasing a panelist does, and the choice of what becomes of their answers.
pub async fn erase_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let p = state.column.store.panelist(id).await?;
    let context = ErasePage {
        chrome: AdminChrome::with_notice(&state, &who).await?,
        id,
        name: p.name,
        email: p.email,
        error: None,
    };
    page(&state, "admin/panelist_erase.html", context)
}

pub async fn erase(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let p = state.column.store.panelist(id).await?;
    let answers = match form.get("answers") {
        "anonymous" => Some(crate::store::ErasedAnswers::KeptAnonymous),
        "remove" => Some(crate::store::ErasedAnswers::Removed),
        _ => None,
    };
    let Some(answers) = answers else {
        let context = ErasePage {
            chrome: AdminChrome::new(&state, &form.editor, &form.csrf).await?,
            id,
            name: p.name,
            email: p.email,
            error: Some("Choose what becomes of their answers.".into()),
        };
        return page_with_status(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/panelist_erase.html",
            context,
        );
    };
    let erased = crate::column::panel::erase(&state.column, &p.email, answers).await?;
    let notice = format!(
        "{} is erased: {} answers {}, {} posts rebuilt for readers.",
        p.name,
        erased.answers,
        match answers {
            crate::store::ErasedAnswers::KeptAnonymous => "kept as anonymous",
            crate::store::ErasedAnswers::Removed => "removed",
        },
        erased.posts
    );
    done(&state, &form, "/admin/panel/", &notice).await
}

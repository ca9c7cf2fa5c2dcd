//! The editor's series: each with its category, default intro and closing, and house style
//! (where signatures go and how they are written, the question on the post, the comment
//! form's heading).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::{series, ColumnError};
use crate::domain::{Placement, DEFAULT_TEMPLATE};
use crate::store::{SeriesRow, SeriesStyle};
use crate::web::id::Id;
use crate::web::{SharedState, WebError};

#[derive(Serialize)]
pub(super) struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct SeriesPage {
    chrome: AdminChrome,
    /// Every series, for the list; empty on a series' own page.
    series: Vec<SeriesRow>,
    /// The series edited, or `None` for the new-series form.
    id: Option<i64>,
    /// The form's fields, as typed or saved.
    form: SeriesStyle,
    placements: Vec<Choice>,
    default_template: &'static str,
    error: Option<String>,
}

pub(super) fn placements() -> Vec<Choice> {
    Placement::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str(),
            label: p.label(),
        })
        .collect()
}

fn style_of(form: &AdminForm) -> SeriesStyle {
    SeriesStyle {
        name: form.get("name").to_string(),
        category: form.get("category").to_string(),
        default_intro: form.raw("default_intro").to_string(),
        default_closing: form.raw("default_closing").to_string(),
        signature_placement: form.get("signature_placement").to_string(),
        signature_template: form.get("signature_template").to_string(),
        show_question: form.get("show_question") == "yes",
        comments_heading: form.get("comments_heading").to_string(),
    }
}

async fn series_page(
    state: &SharedState,
    chrome: AdminChrome,
    id: Option<i64>,
    form: SeriesStyle,
    error: Option<String>,
) -> Result<SeriesPage, WebError> {
    let series = match id {
        None => state.column.store.all_series().await?,
        Some(_) => Vec::new(),
    };
    Ok(SeriesPage {
        chrome,
        series,
        id,
        form,
        placements: placements(),
        default_template: DEFAULT_TEMPLATE,
        error,
    })
}

pub async fn list(State(state): State<SharedState>, who: SignedIn) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let form = SeriesStyle {
        signature_placement: Placement::Before.as_str().into(),
        ..SeriesStyle::default()
    };
    let context = series_page(&state, chrome, None, form, None).await?;
    page(&state, "admin/series.html", context)
}

pub async fn edit_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let row = state.column.store.series(id).await?;
    let form = series::style_of(&row);
    let context = series_page(&state, chrome, Some(id), form, None).await?;
    page(&state, "admin/series.html", context)
}

async fn save(state: SharedState, id: Option<i64>, form: AdminForm) -> Result<Response, WebError> {
    let style = style_of(&form);
    match series::save(&state.column, id, &style).await {
        Ok(saved) => {
            let notice = format!(
                "Saved “{}”; its posts show the style now.",
                style.name.trim()
            );
            done(&state, &form, &format!("/admin/series/{saved}/"), &notice).await
        }
        Err(ColumnError::Refused(error)) => {
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let context = series_page(&state, chrome, id, style, Some(error)).await?;
            page_with_status(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/series.html",
                context,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<SharedState>,
    form: AdminForm,
) -> Result<Response, WebError> {
    save(state, None, form).await
}

pub async fn update(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    state.column.store.series(id).await?;
    save(state, Some(id), form).await
}

/// Places one post's signatures its own way, or as its series does.
pub async fn place_post(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    match series::place_post(&state.column, id, form.get("placement")).await {
        Ok(()) => {
            done(
                &state,
                &form,
                &format!("/admin/posts/{id}/"),
                "Saved where this post’s signatures go.",
            )
            .await
        }
        Err(ColumnError::Refused(error)) => Err(WebError::BadRequest(error)),
        Err(e) => Err(e.into()),
    }
}

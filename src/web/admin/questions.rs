//! The question queue: suggestions from readers and the editor's own, reworded, accepted or
//! declined, with earlier posts that resemble each question.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::public::SiteView;
use crate::domain::QuestionState;
use crate::render::permalink;
use crate::store::{NewQuestion, QuestionRow, SearchQuery};
use crate::web::id::Id;
use crate::web::SharedState;
use crate::web::WebError;

const STATES: [&str; 5] = ["suggested", "accepted", "asked", "published", "declined"];

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    state: String,
}

#[derive(Serialize)]
struct QueuePage {
    chrome: AdminChrome,
    states: [&'static str; 5],
    state: String,
    questions: Vec<QuestionRow>,
    prompt: String,
    error: Option<String>,
}

pub async fn queue(
    State(state): State<SharedState>,
    who: SignedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let filter = QuestionState::parse(&q.state);
    let questions = state.column.store.questions(filter).await?;
    let context = QueuePage {
        chrome,
        states: STATES,
        state: q.state,
        questions,
        prompt: String::new(),
        error: None,
    };
    page(&state, "admin/questions.html", context)
}

pub async fn add(State(state): State<SharedState>, form: AdminForm) -> Result<Response, WebError> {
    let prompt = form.get("prompt");
    if prompt.is_empty() || prompt.chars().count() > 2000 {
        let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
        let questions = state.column.store.questions(None).await?;
        let context = QueuePage {
            chrome,
            states: STATES,
            state: String::new(),
            questions,
            prompt: prompt.to_string(),
            error: Some("Write the question (at most 2000 characters).".into()),
        };
        return page_with_status(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/questions.html",
            context,
        );
    }
    let id = state
        .column
        .store
        .create_question(&NewQuestion::by_editor(prompt, QuestionState::Accepted))
        .await?;
    done(
        &state,
        &form,
        &format!("/admin/questions/{id}/"),
        "Question added to the queue.",
    )
    .await
}

#[derive(Serialize)]
struct Similar {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct QuestionPage {
    chrome: AdminChrome,
    q: QuestionRow,
    states: [&'static str; 5],
    similar: Vec<Similar>,
    error: Option<String>,
}

/// Published posts whose text shares the question's longer words, best first.
async fn similar_posts(state: &SharedState, prompt: &str) -> Result<Vec<Similar>, WebError> {
    let (hits, _) = state
        .column
        .store
        .search(&SearchQuery {
            words: prompt.to_string(),
            any_word: true,
            limit: 20,
            ..SearchQuery::default()
        })
        .await?;
    let mut ids: Vec<i64> = Vec::new();
    for hit in hits {
        if !ids.contains(&hit.post_id) {
            ids.push(hit.post_id);
        }
    }
    ids.truncate(5);
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let posts = state.column.store.posts_by_id(&ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| posts.iter().find(|p| p.id == *id))
        .map(|p| Similar {
            title: p.title.clone(),
            url: permalink(&clock, p.published_at.unwrap_or(p.updated_at), &p.slug),
        })
        .collect())
}

pub async fn edit_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let question = state.column.store.question(id).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let similar = similar_posts(&state, &question.prompt).await?;
    page(
        &state,
        "admin/question.html",
        QuestionPage {
            chrome,
            q: question,
            states: STATES,
            similar,
            error: None,
        },
    )
}

pub async fn save(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let mut question = state.column.store.question(id).await?;
    let prompt = form.get("prompt");
    let chosen = QuestionState::parse(form.get("state"));
    let error = if prompt.is_empty() {
        Some("The question cannot be empty.")
    } else if chosen.is_none() {
        Some("Choose one of the states listed.")
    } else {
        None
    };
    if let (None, Some(new_state)) = (error, chosen) {
        state
            .column
            .store
            .update_question(
                id,
                prompt,
                Some(form.get("examples")).filter(|v| !v.is_empty()),
                Some(form.get("follow_up")).filter(|v| !v.is_empty()),
                new_state,
                !form.get("credit").is_empty(),
            )
            .await?;
        return done(
            &state,
            &form,
            &format!("/admin/questions/{id}/"),
            "Question saved.",
        )
        .await;
    }
    question.prompt = prompt.to_string();
    question.examples = form.optional("examples");
    question.follow_up = form.optional("follow_up");
    question.credit_submitter = i64::from(!form.get("credit").is_empty());
    let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
    let similar = similar_posts(&state, &question.prompt).await?;
    let context = QuestionPage {
        chrome,
        q: question,
        states: STATES,
        similar,
        error: error.map(str::to_string),
    };
    page_with_status(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/question.html",
        context,
    )
}

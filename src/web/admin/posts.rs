//! Compiling a round into a post (order, inclusion, editor's headings and notes, light edits,
//! intro, closing, tags and categories), previewing it as readers will see it, publishing now
//! or later, and adding late answers to a published post.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::column::posts::{self, AnswerChoice, Compilation, Dated};
use crate::column::proposals;
use crate::column::public::{post_views, PostView};
use crate::column::{ColumnError, SiteView};
use crate::render::{human_date, human_datetime, iso_date, markdown_html, word_diff_html};
use crate::store::{AnswerRow, Decision, ProposalRow, Taxonomy};
use crate::web::id::Id;
use crate::web::{AppState, SharedState, WebError};

#[derive(Serialize)]
struct AnswerEditView {
    id: i64,
    who: String,
    byline: String,
    choice: Option<String>,
    late: bool,
    /// Waiting under "Late answers" on the published post's page, where it is added.
    waiting: bool,
    included: bool,
    position: i64,
    heading: String,
    /// The paragraph the heading goes before, from 1.
    heading_before: i64,
    note: String,
    body: String,
}

#[derive(Serialize, Default)]
struct CompileForm {
    title: String,
    intro: String,
    closing: String,
    tags: String,
    new_categories: String,
}

#[derive(Serialize)]
struct CategoryChoice {
    name: String,
    checked: bool,
    suggested: bool,
}

#[derive(Serialize)]
struct CompilePage {
    chrome: AdminChrome,
    round_id: i64,
    prompt: String,
    form: CompileForm,
    answers: Vec<AnswerEditView>,
    categories: Vec<CategoryChoice>,
    error: Option<String>,
    /// The round's post is out: saving changes what readers see at once.
    published: bool,
}

fn edit_view(a: &AnswerRow, fresh: bool, index: usize) -> AnswerEditView {
    AnswerEditView {
        id: a.id,
        who: a
            .panelist_name
            .clone()
            .unwrap_or_else(|| "A former panelist".into()),
        byline: a.byline().text,
        choice: a.choice.clone(),
        late: a.is_late != 0,
        waiting: false,
        // Before the first compilation every answer is in, in the order it arrived.
        included: fresh || a.included != 0,
        position: if fresh {
            index as i64 + 1
        } else {
            a.position + 1
        },
        heading: a.editor_heading.clone().unwrap_or_default(),
        heading_before: a.editor_heading_at + 1,
        note: a.editor_note.clone().unwrap_or_default(),
        body: a.public_body().to_string(),
    }
}

/// Categories to offer: every category used so far, with those matching the library types of
/// the answers ticked as suggestions.
async fn category_choices(
    state: &AppState,
    answers: &[AnswerRow],
    chosen: Option<&[String]>,
) -> Result<Vec<CategoryChoice>, WebError> {
    let mut names: Vec<String> = state
        .column
        .store
        .used_terms(Taxonomy::Category)
        .await?
        .iter()
        .map(|(t, _)| t.name.clone())
        .collect();
    let suggested: Vec<String> = answers
        .iter()
        .filter_map(|a| a.library_type_name.clone())
        .collect();
    for s in &suggested {
        if !names.contains(s) {
            names.push(s.clone());
        }
    }
    Ok(names
        .into_iter()
        .map(|name| CategoryChoice {
            checked: match chosen {
                Some(chosen) => chosen.contains(&name),
                None => suggested.contains(&name),
            },
            suggested: suggested.contains(&name),
            name,
        })
        .collect())
}

pub async fn compile_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(round_id): Id,
) -> Result<Response, WebError> {
    let round = state.column.store.round(round_id).await?;
    let answers = state.column.store.answers_of_round(round_id).await?;
    let chrome = AdminChrome::new(&state, &who.editor, &who.csrf).await?;
    let (form, fresh) = match round.post_id {
        Some(post_id) => {
            let post = state.column.store.post(post_id).await?;
            let tags = state
                .column
                .store
                .terms_of_posts(Taxonomy::Tag, &[post_id])
                .await?;
            let form = CompileForm {
                title: post.title,
                intro: post.intro,
                closing: post.closing,
                tags: tags
                    .into_iter()
                    .map(|(_, t)| t.name)
                    .collect::<Vec<_>>()
                    .join(", "),
                new_categories: String::new(),
            };
            (form, false)
        }
        None => {
            // The round's series gives the text around the answers.
            let series = match round.series_id {
                Some(id) => Some(state.column.store.series(id).await?),
                None => None,
            };
            let (intro, closing) = series
                .map(|s| (s.default_intro, s.default_closing))
                .unwrap_or_default();
            (
                CompileForm {
                    title: round.prompt.clone(),
                    intro,
                    closing,
                    tags: String::new(),
                    new_categories: String::new(),
                },
                true,
            )
        }
    };
    let chosen = match round.post_id {
        Some(post_id) => Some(
            state
                .column
                .store
                .terms_of_posts(Taxonomy::Category, &[post_id])
                .await?
                .into_iter()
                .map(|(_, t)| t.name)
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    let categories = category_choices(&state, &answers, chosen.as_deref()).await?;
    let waiting = posts::waiting_late(&state.column, round.post_id).await?;
    let views = answers
        .iter()
        .enumerate()
        .map(|(i, a)| AnswerEditView {
            waiting: waiting.contains(&a.id),
            ..edit_view(a, fresh, i)
        })
        .collect();
    let context = CompilePage {
        chrome,
        round_id,
        prompt: round.prompt,
        form,
        answers: views,
        categories,
        error: None,
        published: !waiting_post_is_draft(&state, round.post_id).await?,
    };
    page(&state, "admin/compile.html", context)
}

/// Whether the round's post is not out (no post yet, or a draft or scheduled one).
async fn waiting_post_is_draft(state: &AppState, post_id: Option<i64>) -> Result<bool, WebError> {
    Ok(match post_id {
        Some(id) => state.column.store.post(id).await?.status != "published",
        None => true,
    })
}

/// The compilation as the form sent it.
fn compilation_of(form: &AdminForm, answers: &[AnswerRow]) -> Compilation {
    let included: Vec<i64> = form
        .all("include")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    Compilation {
        title: form.get("title").to_string(),
        intro: form.raw("intro").to_string(),
        closing: form.raw("closing").to_string(),
        tags: form.get("tags").to_string(),
        categories: form
            .all("category")
            .into_iter()
            .map(str::to_string)
            .collect(),
        new_categories: form.get("new_categories").to_string(),
        answers: answers
            .iter()
            .map(|a| AnswerChoice {
                id: a.id,
                included: included.contains(&a.id),
                position: form.get(&format!("position-{}", a.id)).parse().ok(),
                heading: form.optional(&format!("heading-{}", a.id)),
                heading_before: form.get(&format!("heading-at-{}", a.id)).parse().ok(),
                note: form.optional(&format!("note-{}", a.id)),
                body: form.raw(&format!("body-{}", a.id)).to_string(),
            })
            .collect(),
        editor_id: Some(form.editor.id),
    }
}

pub async fn compile(
    State(state): State<SharedState>,
    Id(round_id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let answers = state.column.store.answers_of_round(round_id).await?;
    let compilation = compilation_of(&form, &answers);
    let error = match posts::compile(&state.column, round_id, &compilation).await {
        Ok(post_id) => {
            return done(
                &state,
                &form,
                &format!("/admin/posts/{post_id}/"),
                "Saved. This is the post as readers will see it.",
            )
            .await
        }
        Err(ColumnError::Refused(error)) => error,
        Err(e) => return Err(e.into()),
    };
    // Shown again as sent, with what to change.
    let round = state.column.store.round(round_id).await?;
    let waiting = posts::waiting_late(&state.column, round.post_id).await?;
    let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
    let views = answers
        .iter()
        .zip(&compilation.answers)
        .enumerate()
        .map(|(i, (a, sent))| {
            let mut v = edit_view(a, false, i);
            v.waiting = waiting.contains(&a.id);
            v.included = sent.included;
            v.position = sent.position.unwrap_or(v.position);
            v.heading = sent.heading.clone().unwrap_or_default();
            v.note = sent.note.clone().unwrap_or_default();
            v.body = sent.body.clone();
            v
        })
        .collect();
    let categories = category_choices(&state, &answers, Some(&compilation.categories)).await?;
    let context = CompilePage {
        chrome,
        round_id,
        prompt: round.prompt,
        form: CompileForm {
            title: compilation.title,
            intro: compilation.intro,
            closing: compilation.closing,
            tags: compilation.tags,
            new_categories: compilation.new_categories,
        },
        categories,
        answers: views,
        error: Some(error),
        published: !waiting_post_is_draft(&state, round.post_id).await?,
    };
    page_with_status(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/compile.html",
        context,
    )
}

#[derive(Serialize)]
struct PostLine {
    id: i64,
    page: bool,
    title: String,
    status: String,
    date: String,
    answers: i64,
    waiting_late: i64,
}

#[derive(Serialize)]
struct PostsPage {
    chrome: AdminChrome,
    posts: Vec<PostLine>,
}

pub async fn list(State(state): State<SharedState>, who: SignedIn) -> Result<Response, WebError> {
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let posts = state
        .column
        .store
        .admin_posts()
        .await?
        .into_iter()
        .map(|p| PostLine {
            date: human_date(
                &clock,
                p.published_at.or(p.publish_at).unwrap_or(p.updated_at),
            ),
            id: p.id,
            page: p.kind == "page",
            title: p.title,
            status: p.status,
            answers: p.answers,
            waiting_late: p.waiting_late,
        })
        .collect();
    page(&state, "admin/posts.html", PostsPage { chrome, posts })
}

#[derive(Serialize)]
struct LateView {
    id: i64,
    who: String,
    byline: String,
    body_html: String,
}

/// A change a panelist proposed to a published answer, as the editor reviews it.
#[derive(Serialize)]
struct ProposalView {
    id: i64,
    who: String,
    proposed: String,
    /// The published text against the proposed one, word by word.
    diff_html: String,
    /// For decided ones: "accepted" or "declined", and when.
    decision: Option<String>,
    decided: String,
    default_note: String,
}

/// An edit note in the form that rewrites it; `error` when what was typed could not be used.
#[derive(Serialize)]
struct NoteView {
    id: i64,
    date: String,
    text: String,
    hidden: bool,
    error: Option<String>,
}

#[derive(Serialize)]
pub(super) struct PostPage {
    chrome: AdminChrome,
    post: PostView,
    status: String,
    public_url: Option<String>,
    round_id: Option<i64>,
    revisions: i64,
    late: Vec<LateView>,
    proposals: Vec<ProposalView>,
    decided: Vec<ProposalView>,
    notes: Vec<NoteView>,
    schedule_at: String,
    error: Option<String>,
    own_placement: String,
    placements: Vec<super::series::Choice>,
    /// `post` or `page`: a page has no newsletter.
    post_kind: String,
    /// Where a take-down sends readers, as typed, and why it could not be used.
    pub(super) takedown: String,
    pub(super) takedown_error: Option<String>,
}

pub(super) async fn post_page(
    state: &SharedState,
    chrome: AdminChrome,
    post_id: i64,
    schedule_at: String,
    error: Option<String>,
) -> Result<PostPage, WebError> {
    let store = &state.column.store;
    let row = store.post(post_id).await?;
    let (_, clock) = SiteView::load(store).await?;
    let status = row.status.clone();
    let round_id = row.round_id;
    let public_url = crate::column::public::public_path(&clock, &row);
    // A published post's date form starts at its date.
    let schedule_at = match (
        schedule_at.is_empty(),
        public_url.is_some(),
        row.published_at,
    ) {
        (true, true, Some(at)) => crate::render::form_datetime(&clock, at),
        _ => schedule_at,
    };
    let revisions = store.revision_count(post_id).await?;
    let own_placement = row.own_placement.clone().unwrap_or_default();
    let post_kind = row.kind.clone();
    let post = post_views(&state.column.store, &clock, vec![row])
        .await?
        .pop()
        .ok_or(WebError::NotFound)?;
    let late = state
        .column
        .store
        .late_answers(post_id)
        .await?
        .iter()
        .map(|a| LateView {
            id: a.id,
            who: a.panelist_name.clone().unwrap_or_default(),
            byline: a.byline().text,
            body_html: markdown_html(a.public_body()),
        })
        .collect();
    // Answers by the name readers know them by, for the edit notes offered.
    let bylines: HashMap<i64, String> = match round_id {
        Some(round_id) => store
            .answers_of_round(round_id)
            .await?
            .iter()
            .map(|a| (a.id, a.byline().short))
            .collect(),
        None => HashMap::new(),
    };
    let waiting = store.waiting_proposals(Some(post_id)).await?;
    let proposals = proposal_views(&clock, waiting, &bylines);
    let decided = proposal_views(&clock, store.decided_proposals(post_id).await?, &bylines);
    let notes = store
        .notes_of_post(post_id)
        .await?
        .into_iter()
        .map(|n| NoteView {
            id: n.id,
            date: iso_date(&clock, n.noted_at),
            text: n.body,
            hidden: n.hidden != 0,
            error: None,
        })
        .collect();
    Ok(PostPage {
        chrome,
        post,
        status,
        public_url,
        round_id,
        revisions,
        late,
        proposals,
        decided,
        notes,
        schedule_at,
        error,
        own_placement,
        placements: super::series::placements(),
        post_kind,
        takedown: String::new(),
        takedown_error: None,
    })
}

fn proposal_views(
    clock: &crate::render::SiteClock,
    rows: Vec<ProposalRow>,
    bylines: &HashMap<i64, String>,
) -> Vec<ProposalView> {
    rows.into_iter()
        .map(|p| ProposalView {
            id: p.id,
            default_note: proposals::default_note(
                clock,
                bylines
                    .get(&p.answer_id)
                    .map_or("a panelist", String::as_str),
            ),
            proposed: human_datetime(clock, p.proposed_at),
            diff_html: word_diff_html(&p.published_body, &p.body),
            decided: p
                .decided_at
                .map(|t| human_datetime(clock, t))
                .unwrap_or_default(),
            decision: p.decision,
            who: p.panelist_name,
        })
        .collect()
}

pub async fn edit_page(
    State(state): State<SharedState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    page(
        &state,
        "admin/post.html",
        post_page(&state, chrome, id, String::new(), None).await?,
    )
}

pub async fn publish(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    if form.get("when") != "later" {
        let before = state.column.store.post(id).await?;
        posts::publish(&state.column, id).await?;
        let notice = match (before.published_at, before.kind.as_str()) {
            (Some(_), _) => {
                "Published again, at its address; subscribers were sent it the first time."
            }
            (None, "page") => "Published.",
            (None, _) => "Published. Subscribers will get it by email.",
        };
        return done(&state, &form, &format!("/admin/posts/{id}/"), notice).await;
    }
    match posts::date(&state.column, id, form.get("at")).await {
        Ok(dated) => {
            let notice = match dated {
                Dated::Scheduled(at) => format!("Scheduled for {at}."),
                Dated::Backdated(at) => format!(
                    "Published as of {at}, without a newsletter: a past date fills in the column’s history."
                ),
                Dated::Moved(at) => format!(
                    "Its date is now {at}; its old address sends readers to the new one."
                ),
            };
            done(&state, &form, &format!("/admin/posts/{id}/"), &notice).await
        }
        Err(ColumnError::Refused(error)) => {
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let typed = form.get("at").to_string();
            let context = post_page(&state, chrome, id, typed, Some(error)).await?;
            page_with_status(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/post.html",
                context,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Rewrites an edit note; what could not be used comes back in its form, as typed.
pub async fn save_note(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let (date, text) = (form.get("date"), form.raw("text"));
    let hidden = !form.get("hidden").is_empty();
    let error = match posts::edit_note(&state.column, id, date, text, hidden).await {
        Ok(post_id) => {
            let notice = "The edit note is saved.";
            return done(&state, &form, &format!("/admin/posts/{post_id}/"), notice).await;
        }
        Err(ColumnError::Refused(error)) => error,
        Err(e) => return Err(e.into()),
    };
    let post_id = state.column.store.note(id).await?.post_id;
    let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
    let mut context = post_page(&state, chrome, post_id, String::new(), None).await?;
    if let Some(note) = context.notes.iter_mut().find(|n| n.id == id) {
        *note = NoteView {
            id,
            date: date.to_string(),
            text: text.to_string(),
            hidden,
            error: Some(error),
        };
    }
    page_with_status(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/post.html",
        context,
    )
}

/// Accepts a proposed change: the post changes, with the edit note the editor left (none
/// when the field is emptied).
pub async fn accept_proposal(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    decide(&state, id, Decision::Accepted, &form).await
}

/// Declines a proposed change: the post stays as it is; the proposal stays readable here.
pub async fn decline_proposal(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    decide(&state, id, Decision::Declined, &form).await
}

async fn decide(
    state: &SharedState,
    id: i64,
    decision: Decision,
    form: &AdminForm,
) -> Result<Response, WebError> {
    let note = form.optional("note");
    let editor = Some(form.editor.id);
    let post_id = proposals::decide(&state.column, id, decision, editor, note.as_deref()).await?;
    let notice = match decision {
        Decision::Accepted => "The change is published, and the panelist is told.",
        Decision::Declined => "The change is declined and kept below; the panelist is told.",
    };
    done(state, form, &format!("/admin/posts/{post_id}/"), notice).await
}

pub async fn add_late(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let answer_id: i64 = form
        .get("answer")
        .parse()
        .map_err(|_| WebError::BadRequest("Choose an answer to add.".into()))?;
    posts::add_late(&state.column, id, answer_id, Some(form.editor.id)).await?;
    done(
        &state,
        &form,
        &format!("/admin/posts/{id}/"),
        "The answer is in the post, with a dated note.",
    )
    .await
}

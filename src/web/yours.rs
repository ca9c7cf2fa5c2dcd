//! `/you/ID/TOKEN/`: a panelist's own page ("Your answers"), from the link in their
//! invitations and receipts. The token in the address is the only key, as on the answer page.

use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::plain_page;
use super::media::PhotoSaved;
use super::{SharedState, WebError};
use crate::column::yours::{self, Profile};
use crate::column::{ColumnError, SiteView};
use crate::domain::Attribution;
use crate::render::{human_date, permalink};
use crate::store::{ErasedAnswers, PanelistRow};

#[derive(Serialize)]
struct AnswerLine {
    id: i64,
    prompt: String,
    signed: &'static str,
    excerpt: String,
    date: String,
    /// "published in …", "with the editor", "withdrawn".
    state: String,
    post_url: Option<String>,
    answer_link: Option<String>,
    can_hide: bool,
    can_role: bool,
    withdrawn: bool,
}

#[derive(Serialize, Default)]
struct ProfileView {
    name: String,
    pronouns: String,
    title: String,
    department: String,
    institution: String,
    city: String,
    role_description: String,
    photo_alt: String,
    photo_credit: String,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> ProfileView {
        ProfileView {
            name: p.name.clone(),
            pronouns: p.pronouns.clone(),
            title: p.title.clone(),
            department: p.department.clone(),
            institution: p.institution.clone(),
            city: p.city.clone(),
            role_description: p.role_description.clone(),
            ..ProfileView::default()
        }
    }
}

impl From<&PanelistRow> for ProfileView {
    fn from(p: &PanelistRow) -> ProfileView {
        ProfileView {
            name: p.name.clone(),
            pronouns: p.pronouns.clone().unwrap_or_default(),
            title: p.title.clone().unwrap_or_default(),
            department: p.department.clone().unwrap_or_default(),
            institution: p.institution.clone().unwrap_or_default(),
            city: p.city.clone().unwrap_or_default(),
            role_description: p.role_description.clone().unwrap_or_default(),
            photo_alt: p.photo_alt.clone().unwrap_or_default(),
            photo_credit: p.photo_credit.clone().unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct YoursPage {
    site: SiteView,
    action: String,
    name: String,
    answers: Vec<AnswerLine>,
    profile: ProfileView,
    /// Their photo as it is now.
    photo: Option<String>,
    message: Option<String>,
    error: Option<String>,
}

fn not_yours() -> Response {
    let sentence = "This link to a panelist's answers is not valid. Open the whole link from your latest invitation or receipt.";
    plain_page(StatusCode::NOT_FOUND, "Link not valid", sentence)
}

async fn draw(
    state: &SharedState,
    p: &PanelistRow,
    token: &str,
    profile: Option<ProfileView>,
    message: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (site, clock) = SiteView::load(&state.column.store).await?;
    let secret = state.column.store.secret("invitations").await?;
    let rows = state.column.store.answers_of_panelist(p.id).await?;
    let answers = rows
        .into_iter()
        .map(|a| {
            let attribution = Attribution::parse(&a.attribution).unwrap_or(Attribution::Named);
            let published = a.post_status.as_deref() == Some("published") && a.included != 0;
            let post_url = match (published, a.published_at, &a.post_slug) {
                (true, Some(at), Some(slug)) => Some(permalink(&clock, at, slug)),
                _ => None,
            };
            let state = match (a.withdrawn_at, published) {
                (Some(at), _) => format!("withdrawn on {}", human_date(&clock, at)),
                (None, true) => format!(
                    "published in “{}”",
                    a.post_title.clone().unwrap_or_default()
                ),
                (None, false) => "with the editor, not published".to_string(),
            };
            let excerpt: String = a.body.chars().take(240).collect();
            AnswerLine {
                id: a.id,
                signed: match attribution {
                    Attribution::Named => "with your name",
                    Attribution::Role => "with your role only",
                    Attribution::Anonymous => "anonymously",
                },
                excerpt,
                date: human_date(&clock, a.submitted_at),
                state,
                post_url,
                answer_link: a
                    .invitation_id
                    .map(|id| format!("/answer/{}", crate::tokens::invitation(&secret, id))),
                can_hide: attribution != Attribution::Anonymous && a.withdrawn_at.is_none(),
                can_role: attribution == Attribution::Named && a.withdrawn_at.is_none(),
                withdrawn: a.withdrawn_at.is_some(),
                prompt: a.prompt,
            }
        })
        .collect();
    let mut profile = profile.unwrap_or_else(|| ProfileView::from(p));
    if profile.photo_alt.is_empty() && profile.photo_credit.is_empty() {
        profile.photo_alt = p.photo_alt.clone().unwrap_or_default();
        profile.photo_credit = p.photo_credit.clone().unwrap_or_default();
    }
    let photo = state
        .column
        .store
        .photo_of_panelist(p)
        .await?
        .map(|set| set.src);
    let page = YoursPage {
        site,
        action: format!("/you/{}/{token}/", p.id),
        name: p.name.clone(),
        answers,
        profile,
        photo,
        message,
        error,
    };
    let html = state.column.templates.render("pages/yours.html", page)?;
    // A private page: never cached, never indexed.
    Ok((
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        Html(html),
    )
        .into_response())
}

pub async fn page(
    State(state): State<SharedState>,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Some(p) = yours::panelist(&state.column, &id, &token).await? else {
        return Ok(not_yours());
    };
    draw(&state, &p, &token, None, None, None, StatusCode::OK).await
}

pub async fn data(
    State(state): State<SharedState>,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Some(p) = yours::panelist(&state.column, &id, &token).await? else {
        return Ok(not_yours());
    };
    let json = yours::data(&state.column, &p).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-roundtable-data.json\"",
            ),
        ],
        json,
    )
        .into_response())
}

/// What the page's forms send; which form it was is `action`.
#[derive(Deserialize, Default)]
// Every field may be missing: a form sends only its own.
#[serde(default)]
pub struct Sent {
    action: String,
    answer: String,
    role: String,
    answers: String,
    confirm: String,
    name: String,
    pronouns: String,
    title: String,
    department: String,
    institution: String,
    city: String,
    role_description: String,
}

pub async fn submit(
    State(state): State<SharedState>,
    Path((id, token)): Path<(String, String)>,
    Form(sent): Form<Sent>,
) -> Result<Response, WebError> {
    let Some(p) = yours::panelist(&state.column, &id, &token).await? else {
        return Ok(not_yours());
    };
    let answer_id: i64 = sent.answer.trim().parse().unwrap_or(0);
    let column = &state.column;
    let mut typed_profile = None;
    let done: Result<String, ColumnError> = match sent.action.as_str() {
        "anonymous" => yours::sign(column, &p, answer_id, Attribution::Anonymous, "")
            .await
            .map(|()| "Your answer is signed “Anonymous” now, everywhere readers see it.".into()),
        "role" => yours::sign(column, &p, answer_id, Attribution::Role, &sent.role)
            .await
            .map(|()| {
                "Your answer is signed with your role only now, everywhere readers see it.".into()
            }),
        "profile" => {
            let profile = Profile {
                name: sent.name.clone(),
                pronouns: sent.pronouns.clone(),
                title: sent.title.clone(),
                department: sent.department.clone(),
                institution: sent.institution.clone(),
                city: sent.city.clone(),
                role_description: sent.role_description.clone(),
            };
            typed_profile = Some(ProfileView::from(&profile));
            yours::save_profile(column, &p, &profile)
                .await
                .map(|()| "Your profile is saved. Your next answers are signed with it; published ones keep the signature they were given with.".into())
        }
        "erase" => return erase(&state, &p, &token, &sent).await,
        _ => Err(ColumnError::Refused(
            "Choose one of the buttons on this page.".into(),
        )),
    };
    let p = state.column.store.panelist(p.id).await?;
    match done {
        Ok(message) => {
            draw(
                &state,
                &p,
                &token,
                None,
                Some(message),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(ColumnError::Refused(error)) => {
            draw(
                &state,
                &p,
                &token,
                typed_profile,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The photo form (`multipart/form-data`): a new photo and its words, or removing it. The
/// token in the address is the key, as for the page's other forms. A refused file shows the
/// page again with the sentence and the words typed.
pub async fn photo(
    State(state): State<SharedState>,
    Path((id, token)): Path<(String, String)>,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let Some(p) = yours::panelist(&state.column, &id, &token).await? else {
        return Ok(not_yours());
    };
    let mut upload = super::media::Upload::read(multipart).await?;
    let (alt, credit) = (
        upload.get("alt").to_string(),
        upload.get("credit").to_string(),
    );
    let done = super::media::save_photo_form(&state.column, p.id, &mut upload)
        .await
        .map(|saved| match saved {
            PhotoSaved::Saved => "Your photo is saved. It is shown beside your answers signed with your name, and never beside the others.",
            PhotoSaved::Removed => "Your photo is removed, from every answer it was beside.",
        });
    let p = state.column.store.panelist(p.id).await?;
    match done {
        Ok(message) => {
            draw(
                &state,
                &p,
                &token,
                None,
                Some(message.into()),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(ColumnError::Refused(error)) => {
            let mut typed = ProfileView::from(&p);
            typed.photo_alt = alt;
            typed.photo_credit = credit;
            draw(
                &state,
                &p,
                &token,
                Some(typed),
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn erase(
    state: &SharedState,
    p: &PanelistRow,
    token: &str,
    sent: &Sent,
) -> Result<Response, WebError> {
    let answers = match sent.answers.as_str() {
        "anonymous" => Some(ErasedAnswers::KeptAnonymous),
        "remove" => Some(ErasedAnswers::Removed),
        _ => None,
    };
    let (Some(answers), "yes") = (answers, sent.confirm.as_str()) else {
        let error =
            "You are not erased: choose what becomes of your answers, and tick “Yes, erase me”.";
        return draw(
            state,
            p,
            token,
            None,
            None,
            Some(error.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    yours::erase(&state.column, p, answers).await?;
    let (site, _) = SiteView::load(&state.column.store).await?;
    let sentence = format!(
        "{} no longer holds your profile, your address or your answer links. Backups made before today still do, until they are deleted.",
        site.title
    );
    Ok(plain_page(StatusCode::OK, "You are erased", &sentence))
}

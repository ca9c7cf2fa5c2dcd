//! The panelist's page at `/answer/TOKEN`: the question, their signature (editable), how the
//! answer is signed, the short answer, and a Markdown body with a preview. Nothing typed is
//! ever lost: after the round closes, or once the link has expired, the answer is still kept,
//! as a late answer for the editor, and shown back.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::error::with_retry_after;
use super::views::SiteView;
use super::{mailer, WebError};
use crate::app::SharedState;
use crate::auth::token_hash;
use crate::domain::{Attribution, Byline, Email, Signature};
use crate::render::{human_date, markdown_html};
use crate::store::{AnswerSubmission, InvitationContext, MailKind, PanelistRow};

#[derive(Serialize, Default, Clone)]
struct AnswerForm {
    name: String,
    pronouns: String,
    title: String,
    department: String,
    institution: String,
    city: String,
    attribution: String,
    role: String,
    show_library_type: bool,
    choice: String,
    body: String,
}

#[derive(Serialize, Default)]
struct Errors {
    attribution: Option<String>,
    choice: Option<String>,
    body: Option<String>,
}

#[derive(Serialize)]
struct Question {
    prompt_html: String,
    examples: Option<String>,
    follow_up: Option<String>,
    closes: Option<String>,
}

#[derive(Serialize)]
struct AnswerPage {
    site: SiteView,
    action: String,
    question: Question,
    choices: Vec<String>,
    form: AnswerForm,
    signature: String,
    errors: Errors,
    message: Option<String>,
    error: Option<String>,
    preview_html: Option<String>,
    preview_byline: String,
}

/// The invitation behind a link, or a page saying the link is not valid.
async fn invitation(
    state: &SharedState,
    token: &str,
) -> Result<Result<InvitationContext, Response>, WebError> {
    match state.store.invitation_by_token(&token_hash(token)).await? {
        Some(found) => Ok(Ok(found)),
        None => {
            let message = "This answer link is not valid. Check that you opened the whole link from your \
                           invitation email; if it still does not work, reply to the invitation and the editor will send a new one.";
            let body = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
                 content=\"width=device-width, initial-scale=1\"><title>Link not valid</title>\
                 <link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"wrap\">\
                 <h1>Link not valid</h1><p>{message}</p></main></body></html>"
            );
            Ok(Err((StatusCode::NOT_FOUND, Html(body)).into_response()))
        }
    }
}

/// Whether an answer sent now arrives too late for the round.
fn is_late(invitation: &InvitationContext) -> bool {
    let now = crate::store::now();
    invitation.round_status != "open"
        || invitation.closes_at.is_some_and(|t| now > t)
        || now > invitation.expires_at
}

fn signature_of(form: &AnswerForm) -> Signature {
    let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    Signature {
        name: form.name.trim().to_string(),
        pronouns: opt(&form.pronouns),
        title: opt(&form.title),
        department: opt(&form.department),
        institution: opt(&form.institution),
        city: opt(&form.city),
    }
}

/// One panelist's link, as the page is drawn for it.
struct Answering<'a> {
    state: &'a SharedState,
    token: &'a str,
    invitation: &'a InvitationContext,
    panelist: &'a PanelistRow,
}

impl Answering<'_> {
    async fn render(
        &self,
        form: AnswerForm,
        errors: Errors,
        message: Option<String>,
        preview: bool,
        status: StatusCode,
    ) -> Result<Response, WebError> {
        let Answering {
            state,
            token,
            invitation,
            panelist,
        } = *self;
        let (site, clock) = SiteView::load(&state.store).await?;
        let library_types = state.store.library_types().await?;
        let type_name = panelist
            .library_type
            .as_ref()
            .and_then(|t| library_types.iter().find(|(slug, _)| slug == t))
            .map(|(_, name)| name.as_str());
        let attribution = Attribution::parse(&form.attribution).unwrap_or(Attribution::Named);
        let byline = Byline::new(
            attribution,
            &signature_of(&form),
            None,
            Some(form.role.as_str()),
            form.show_library_type.then_some(type_name).flatten(),
        );
        let late_notice = is_late(invitation).then(|| {
        "This round has closed. You can still send your answer: the editor gets it as a late answer and may add it to the post."
            .to_string()
    });
        let page = AnswerPage {
            site,
            action: format!("/answer/{token}"),
            question: Question {
                prompt_html: markdown_html(&invitation.prompt),
                examples: invitation.examples.clone(),
                follow_up: invitation.follow_up.clone(),
                closes: invitation.closes_at.map(|t| human_date(&clock, t)),
            },
            choices: state.store.round_choices(invitation.round_id).await?,
            signature: signature_of(&form).line(),
            preview_html: preview.then(|| markdown_html(&form.body)),
            preview_byline: byline.text,
            form,
            errors,
            message: message.or(late_notice),
            error: None,
        };
        let html = state.templates.render("pages/answer.html", page)?;
        Ok((
            status,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Html(html),
        )
            .into_response())
    }
}

pub async fn page(
    State(state): State<SharedState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let invitation = match invitation(&state, &token).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    state
        .store
        .mark_invitation_opened(invitation.invitation_id)
        .await?;
    let panelist = state.store.panelist(invitation.panelist_id).await?;
    let mut form = AnswerForm {
        name: panelist.name.clone(),
        pronouns: panelist.pronouns.clone().unwrap_or_default(),
        title: panelist.title.clone().unwrap_or_default(),
        department: panelist.department.clone().unwrap_or_default(),
        institution: panelist.institution.clone().unwrap_or_default(),
        city: panelist.city.clone().unwrap_or_default(),
        attribution: "named".into(),
        role: panelist.role_description.clone().unwrap_or_default(),
        ..AnswerForm::default()
    };
    let mut message = None;
    if let Some((attribution, role, show_type, choice, body, _)) = state
        .store
        .answer_of_invitation(invitation.invitation_id)
        .await?
    {
        form.attribution = attribution;
        form.role = role.unwrap_or(form.role);
        form.show_library_type = show_type != 0;
        form.choice = choice.unwrap_or_default();
        form.body = body;
        message =
            Some("We have your answer. You can change it until the round closes.".to_string());
    }
    Answering {
        state: &state,
        token: &token,
        invitation: &invitation,
        panelist: &panelist,
    }
    .render(form, Errors::default(), message, false, StatusCode::OK)
    .await
}

/// The answer form as sent; fields are read leniently so nothing typed is refused unread.
#[derive(serde::Deserialize, Default)]
pub struct Sent {
    #[serde(default)]
    name: String,
    #[serde(default)]
    pronouns: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    attribution: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    show_library_type: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    action: String,
}

pub async fn submit(
    State(state): State<SharedState>,
    Path(token): Path<String>,
    Form(sent): Form<Sent>,
) -> Result<Response, WebError> {
    let invitation = match invitation(&state, &token).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let panelist = state.store.panelist(invitation.panelist_id).await?;
    let form = AnswerForm {
        name: sent.name,
        pronouns: sent.pronouns,
        title: sent.title,
        department: sent.department,
        institution: sent.institution,
        city: sent.city,
        attribution: sent.attribution,
        role: sent.role,
        show_library_type: !sent.show_library_type.is_empty(),
        choice: sent.choice,
        body: sent.body.replace("\r\n", "\n"),
    };
    if sent.action == "preview" {
        return Answering {
            state: &state,
            token: &token,
            invitation: &invitation,
            panelist: &panelist,
        }
        .render(form, Errors::default(), None, true, StatusCode::OK)
        .await;
    }
    let choices = state.store.round_choices(invitation.round_id).await?;
    let attribution = Attribution::parse(&form.attribution);
    let mut errors = Errors::default();
    if form.body.trim().is_empty() {
        errors.body = Some("Please write your answer.".into());
    } else if form.body.chars().count() > 50_000 {
        errors.body =
            Some("Your answer is longer than 50,000 characters; please shorten it.".into());
    }
    match attribution {
        None => errors.attribution = Some("Choose how your answer is signed.".into()),
        Some(Attribution::Named) if form.name.trim().is_empty() => {
            errors.attribution = Some("To publish with your name, fill in your name.".into())
        }
        Some(Attribution::Role) if form.role.trim().is_empty() => {
            errors.attribution = Some(
                "To publish with your role only, describe the role as it should appear.".into(),
            )
        }
        _ => {}
    }
    if !choices.is_empty() && !choices.contains(&form.choice) {
        errors.choice = Some(format!("Pick one of: {}.", choices.join(", ")));
    }
    let (Some(attribution), None, None, None) = (
        attribution,
        &errors.attribution,
        &errors.choice,
        &errors.body,
    ) else {
        let message =
            Some("Your answer is not saved yet: please look at the notes below.".to_string());
        return Answering {
            state: &state,
            token: &token,
            invitation: &invitation,
            panelist: &panelist,
        }
        .render(
            form,
            errors,
            message,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let late = is_late(&invitation);
    let mut signature = signature_of(&form);
    if signature.name.is_empty() {
        // Answers not signed by name may leave the name out; the profile keeps the one it had.
        signature.name = panelist.name.clone();
    }
    let submission = AnswerSubmission {
        signature,
        attribution,
        role_description: (attribution == Attribution::Role).then(|| form.role.trim().to_string()),
        show_library_type: attribution == Attribution::Anonymous && form.show_library_type,
        choice: Some(form.choice.clone()).filter(|c| !c.is_empty()),
        body: form.body.clone(),
        is_late: late,
    };
    let receipt = receipt(&state, &token, &panelist, &invitation, &submission).await?;
    // A late answer needs the editor: the post may be out already.
    let alerts = if late {
        let link = format!(
            "{}/admin/rounds/{}/",
            state.base_url.clone(),
            invitation.round_id
        );
        let text = format!(
            "{} sent an answer after the round closed: “{}”.",
            panelist.name, invitation.prompt
        );
        mailer::editor_alerts(&state, "A late answer arrived", &text, &link).await?
    } else {
        Vec::new()
    };
    let saved = state
        .store
        .save_answer(&invitation, &submission, &receipt, &alerts)
        .await
        .map_err(WebError::from);
    if let Err(e) = saved {
        // The database could not take it: the answer goes back to the panelist, whole.
        let Some((status, message)) = e.not_saved() else {
            return Err(e);
        };
        return Answering {
            state: &state,
            token: &token,
            invitation: &invitation,
            panelist: &panelist,
        }
        .render(form, Errors::default(), Some(message.into()), false, status)
        .await
        .map(with_retry_after);
    }
    let message = if late {
        "Thank you! The round had closed, so your answer is kept for the editor as a late answer. A copy is on its way to your inbox."
    } else {
        "Thank you! Your answer is saved and a copy is on its way to your inbox. You can change it here until the round closes."
    };
    Answering {
        state: &state,
        token: &token,
        invitation: &invitation,
        panelist: &panelist,
    }
    .render(
        form,
        Errors::default(),
        Some(message.into()),
        false,
        StatusCode::OK,
    )
    .await
}

async fn receipt(
    state: &SharedState,
    token: &str,
    panelist: &PanelistRow,
    invitation: &InvitationContext,
    submission: &AnswerSubmission,
) -> Result<crate::store::OutgoingMail, WebError> {
    #[derive(Serialize)]
    struct Context<'a> {
        site: String,
        name: &'a str,
        prompt: &'a str,
        signed_as: String,
        choice: Option<&'a str>,
        body: &'a str,
        late: bool,
        link: String,
    }
    let (site, _) = SiteView::load(&state.store).await?;
    let to = Email::parse(&panelist.email).map_err(|e| WebError::BadRequest(e.0))?;
    let signed_as = match submission.attribution {
        Attribution::Named => format!("with your name, as “{}”", submission.signature.line()),
        Attribution::Role => format!(
            "with your role only, as “{}”",
            submission.role_description.as_deref().unwrap_or("")
        ),
        Attribution::Anonymous => "anonymously".to_string(),
    };
    let context = Context {
        site: site.title,
        name: &panelist.name,
        prompt: &invitation.prompt,
        signed_as,
        choice: submission.choice.as_deref(),
        body: &submission.body,
        late: submission.is_late,
        link: format!("{}/answer/{token}", state.base_url.clone()),
    };
    mailer::email(state, MailKind::Receipt, &to, "receipt", context)
}

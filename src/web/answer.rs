//! The panelist's page at `/answer/TOKEN`: the question, their signature (editable), how the
//! answer is signed, the short answer, and a Markdown body with a preview. Nothing typed is
//! ever lost: after the round closes, or once the link has expired, the answer is still kept,
//! as a late answer for the editor, and shown back.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::error::{plain_page, with_retry_after};
use super::{SharedState, WebError};
use crate::column::answers::{self, is_late, AnswerDraft, AnswerProblems, Saved};
use crate::column::SiteView;
use crate::domain::{Attribution, Byline};
use crate::render::{human_date, markdown_html};
use crate::store::{InvitationContext, PanelistRow};

#[derive(Serialize)]
struct Question {
    prompt_html: String,
    examples: Option<String>,
    follow_up: Option<String>,
    /// When answers are due, or when the round closed: "Answers are due by …".
    deadline: Option<String>,
}

#[derive(Serialize)]
struct AnswerPage {
    site: SiteView,
    action: String,
    question: Question,
    choices: Vec<String>,
    form: AnswerDraft,
    signature: String,
    errors: AnswerProblems,
    message: Option<String>,
    error: Option<String>,
    preview_html: Option<String>,
    preview_byline: String,
    /// An answer is kept and not withdrawn: the page offers to withdraw it.
    can_withdraw: bool,
    /// The text of an answer not signed by name names its author's name, institution or city.
    identifying: Option<String>,
}

/// What the page says over a published answer: changes wait for the editor, except signing
/// it in a way that shows less of who wrote it.
const PUBLISHED: &str = "Your answer is published. A change you send now goes to the editor, who accepts or declines it; switching to anonymous, or from your name to your role only, applies at once.";
const PROPOSAL_WAITING: &str = "Your answer is published, and the change below waits for the editor, who accepts or declines it. You can still change it here.";
const ANSWERED_OPEN: &str = "We have your answer. You can change it until the round closes.";
const ANSWERED_CLOSED: &str = "We have your answer, and it is with the editor. The round has closed, so a change you send now reaches the editor as a late answer.";
const WITHDRAWN: &str = "You withdrew this answer: readers no longer see it, and the editor cannot add it back. If you change your mind, send it again below; it then goes to the editor, who decides whether to add it.";
const WITHDRAW_UNTICKED: &str =
    "Your answer is not withdrawn: tick “Yes, withdraw my answer” to confirm.";
const WITHDRAWN_NOW: &str = "Your answer is withdrawn. Readers no longer see it, on the site, in search or in feeds; the editor is told, and a copy of this is on its way to your inbox.";
const NOT_ANSWERED_CLOSED: &str = "This round has closed. You can still send your answer: the editor gets it as a late answer and may add it to the post.";

/// The sentence under the question: when answers are due while the round takes them, and
/// when it closed once it does not.
fn deadline(invitation: &InvitationContext, clock: &crate::render::SiteClock) -> Option<String> {
    if is_late(invitation) {
        // Closed by the editor or the scheduler (`closed_at`); or past its date, a moment
        // before the scheduler closes it; or the link expired first.
        let at = invitation
            .closed_at
            .or(invitation.closes_at)
            .unwrap_or(invitation.expires_at)
            .min(invitation.expires_at);
        Some(format!("This round closed on {}.", human_date(clock, at)))
    } else {
        let closes = invitation.closes_at?;
        Some(format!("Answers are due by {}.", human_date(clock, closes)))
    }
}

/// The invitation behind a link, or a page saying the link is not valid.
async fn invitation(
    state: &SharedState,
    token: &str,
) -> Result<Result<InvitationContext, Response>, WebError> {
    match answers::invitation(&state.column, token).await? {
        Some(found) => Ok(Ok(found)),
        None => {
            let message = "This answer link is not valid. Check that you opened the whole link from your \
                           invitation email; if it still does not work, reply to the invitation and the editor will send a new one.";
            Ok(Err(plain_page(
                StatusCode::NOT_FOUND,
                "Link not valid",
                message,
            )))
        }
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
        form: AnswerDraft,
        errors: AnswerProblems,
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
        let (site, clock) = SiteView::load(&state.column.store).await?;
        let library_types = state.column.store.library_types().await?;
        let type_name = panelist
            .library_type
            .as_ref()
            .and_then(|t| library_types.iter().find(|(slug, _)| slug == t))
            .map(|(_, name)| name.as_str());
        let attribution = Attribution::parse(&form.attribution).unwrap_or(Attribution::Named);
        let byline = Byline::new(
            attribution,
            &form.signature(),
            None,
            Some(form.role.as_str()),
            form.show_library_type.then_some(type_name).flatten(),
        );
        let late_notice = is_late(invitation).then(|| NOT_ANSWERED_CLOSED.to_string());
        let id = invitation.invitation_id;
        let store = &state.column.store;
        let can_withdraw = store.answer_of_invitation(id).await?.is_some()
            && store.withdrawn_at(id).await?.is_none();
        let page = AnswerPage {
            site,
            action: format!("/answer/{token}"),
            question: Question {
                prompt_html: markdown_html(&invitation.prompt),
                examples: invitation.examples.clone(),
                follow_up: invitation.follow_up.clone(),
                deadline: deadline(invitation, &clock),
            },
            choices: state
                .column
                .store
                .round_choices(invitation.round_id)
                .await?,
            signature: form.signature().line(),
            preview_html: preview.then(|| markdown_html(&form.body)),
            preview_byline: byline.text,
            identifying: form.self_identifying(),
            form,
            errors,
            message: message.or(late_notice),
            error: None,
            can_withdraw,
        };
        let html = state.column.templates.render("pages/answer.html", page)?;
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
        .column
        .store
        .mark_invitation_opened(invitation.invitation_id)
        .await?;
    let panelist = state.column.store.panelist(invitation.panelist_id).await?;
    let (form, message) = kept_answer(&state, &invitation, &panelist).await?;
    Answering {
        state: &state,
        token: &token,
        invitation: &invitation,
        panelist: &panelist,
    }
    .render(
        form,
        AnswerProblems::default(),
        message,
        false,
        StatusCode::OK,
    )
    .await
}

/// The form as the panelist left it (their profile, and their answer or the change waiting
/// for the editor), with the sentence saying where it stands.
async fn kept_answer(
    state: &SharedState,
    invitation: &InvitationContext,
    panelist: &PanelistRow,
) -> Result<(AnswerDraft, Option<String>), WebError> {
    let mut form = AnswerDraft {
        name: panelist.name.clone(),
        pronouns: panelist.pronouns.clone().unwrap_or_default(),
        title: panelist.title.clone().unwrap_or_default(),
        department: panelist.department.clone().unwrap_or_default(),
        institution: panelist.institution.clone().unwrap_or_default(),
        city: panelist.city.clone().unwrap_or_default(),
        attribution: "named".into(),
        role: panelist.role_description.clone().unwrap_or_default(),
        ..AnswerDraft::default()
    };
    let mut message = None;
    let store = &state.column.store;
    let id = invitation.invitation_id;
    let published = store.published_answer_of_invitation(id).await?.is_some();
    let waiting = store.waiting_proposal_of_invitation(id).await?;
    // A change waiting for the editor is shown back rather than the published answer.
    let shown = match &waiting {
        Some(_) => waiting.clone(),
        None => store.answer_of_invitation(id).await?,
    };
    if let Some((attribution, role, show_type, choice, body, _)) = shown {
        form.attribution = attribution;
        form.role = role.unwrap_or(form.role);
        form.show_library_type = show_type != 0;
        form.choice = choice.unwrap_or_default();
        form.body = body;
        let withdrawn = store.withdrawn_at(id).await?.is_some();
        message = Some(
            match (withdrawn, published, waiting.is_some(), is_late(invitation)) {
                (true, ..) => WITHDRAWN,
                (false, true, true, _) => PROPOSAL_WAITING,
                (false, true, false, _) => PUBLISHED,
                (false, false, _, false) => ANSWERED_OPEN,
                (false, false, _, true) => ANSWERED_CLOSED,
            }
            .to_string(),
        );
    }
    Ok((form, message))
}

/// The answer form as sent; fields are read leniently so nothing typed is refused unread.
#[derive(serde::Deserialize, Default)]
// Every field may be missing: a form sends only its own.
#[serde(default)]
pub struct Sent {
    name: String,
    pronouns: String,
    title: String,
    department: String,
    institution: String,
    city: String,
    attribution: String,
    role: String,
    show_library_type: String,
    choice: String,
    body: String,
    action: String,
    /// "yes" when the panelist ticked the box confirming a withdrawal.
    confirm: String,
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
    let panelist = state.column.store.panelist(invitation.panelist_id).await?;
    let form = AnswerDraft {
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
    let answering = Answering {
        state: &state,
        token: &token,
        invitation: &invitation,
        panelist: &panelist,
    };
    if sent.action == "preview" {
        return answering
            .render(form, AnswerProblems::default(), None, true, StatusCode::OK)
            .await;
    }
    if sent.action == "withdraw" {
        let (message, status) = if sent.confirm != "yes" {
            (WITHDRAW_UNTICKED, StatusCode::UNPROCESSABLE_ENTITY)
        } else {
            match answers::withdraw(&state.column, &token, &invitation, &panelist).await {
                Ok(()) => (WITHDRAWN_NOW, StatusCode::OK),
                Err(crate::column::ColumnError::Refused(_)) => (
                    "There is no answer of yours to withdraw.",
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(e) => return Err(e.into()),
            }
        };
        // The answer as kept is shown again, not the empty fields of this small form.
        let (kept, _) = kept_answer(&state, &invitation, &panelist).await?;
        return answering
            .render(
                kept,
                AnswerProblems::default(),
                Some(message.into()),
                false,
                status,
            )
            .await;
    }
    let submitted = answers::submit(&state.column, &token, &invitation, &panelist, &form)
        .await
        .map_err(WebError::from);
    let (message, status, errors) = match submitted {
        Ok(Ok(Saved { proposal: true, .. })) => (
            "Thank you! Your answer is already published, so your change is with the editor, who will accept or decline it; readers see your answer as it was until then. A copy is on its way to your inbox, and you will get an email when it is decided.",
            StatusCode::OK,
            AnswerProblems::default(),
        ),
        Ok(Ok(Saved { late: true, .. })) => (
            "Thank you! The round had closed, so your answer is kept for the editor as a late answer. A copy is on its way to your inbox.",
            StatusCode::OK,
            AnswerProblems::default(),
        ),
        Ok(Ok(Saved { late: false, .. })) => (
            "Thank you! Your answer is saved and a copy is on its way to your inbox. You can change it here until the round closes.",
            StatusCode::OK,
            AnswerProblems::default(),
        ),
        Ok(Err(problems)) => (
            "Your answer is not saved yet: please look at the notes below.",
            StatusCode::UNPROCESSABLE_ENTITY,
            problems,
        ),
        // The database could not take it: the answer goes back to the panelist, whole.
        Err(e) => match e.not_saved() {
            Some((status, message)) => (message, status, AnswerProblems::default()),
            None => return Err(e),
        },
    };
    answering
        .render(form, errors, Some(message.into()), false, status)
        .await
        .map(with_retry_after)
}

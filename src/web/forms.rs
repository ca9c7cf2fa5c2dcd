//! What readers send: comments, suggested questions, requests to join the panel and newsletter
//! subscriptions. Every form shows back what was typed, with the problem beside its field.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::client::Client;
use super::comment_form::{check_len, CommentForm};
use super::error::with_retry_after;
use super::site::{find_post, render_post};
use super::{SharedState, WebError};
use crate::column::comments::{self, CommentDraft, CommentLimit, Kept};
use crate::column::public::{comment_view, PostView};
use crate::column::readers;
use crate::column::SiteView;
use crate::domain::{CommentStatus, Email, QuestionState};
use crate::store::{NewPanelist, NewQuestion};
use crate::tokens::{self, random_token, token_hash};

/// The window, in seconds, of the comments-per-address limit (`comment_rate_max`).
const RATE_WINDOW: i64 = 600;

/// A short keyed hash of the client's address: enough to rate-limit, never the address itself.
pub(crate) async fn client_hash(state: &SharedState, client: &Client) -> Result<String, WebError> {
    let secret = state.column.store.secret("address_hash").await?;
    // One IPv6 subscriber usually has a whole /64: counted as one client.
    let ip = match client.ip {
        std::net::IpAddr::V6(v6) => {
            let mut s = v6.segments();
            s[4..].fill(0);
            std::net::IpAddr::V6(s.into())
        }
        v4 => v4,
    };
    Ok(tokens::client_key(&secret, &ip.to_string()))
}

/// Counts one sending of a form by this client; false once it has sent `max` in `window`.
async fn within_limit(
    state: &SharedState,
    client: &Client,
    form: &str,
    window: i64,
    max: i64,
) -> Result<bool, WebError> {
    let bucket = format!("{form}:{}", client_hash(state, client).await?);
    Ok(state.column.store.allow_rate(&bucket, window, max).await?)
}

/// The address a held comment's author is sent to: it shows them their comment, which
/// nobody else sees until the editor approves it. Signed, so ids cannot be tried in turn.
async fn held_comment_url(
    state: &SharedState,
    post_url: &str,
    id: i64,
) -> Result<String, WebError> {
    let secret = state.column.store.secret("held_comment").await?;
    let mac = tokens::held_comment(&secret, id);
    Ok(format!("{post_url}comments?held={id}-{mac}#comment-{id}"))
}

pub async fn post_comment(
    State(state): State<SharedState>,
    client: Client,
    Path((year, month, day, slug)): Path<(String, String, String, String)>,
    Form(mut form): Form<CommentForm>,
) -> Result<Response, WebError> {
    let post = find_post(&state, &year, &month, &day, &slug).await?;
    let redisplay = |state: SharedState, post, form: CommentForm, status: StatusCode| async move {
        let html = render_post(&state, post, form, None).await?;
        Ok::<Response, WebError>(with_retry_after((status, Html(html)).into_response()))
    };
    if !post.view.comments_open {
        form.errors.form = Some("Comments on this post are closed.".into());
        return redisplay(state.clone(), post, form, StatusCode::FORBIDDEN).await;
    }
    let Some(email) = form.validate() else {
        form.errors.form =
            Some("Your comment was not posted yet: please correct the fields marked below.".into());
        return redisplay(state.clone(), post, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let (id, status) = match save_comment(&state, &client, &post.view, &form, email).await {
        Ok(Kept::Comment(id, status)) => (id, status),
        Ok(Kept::Deleted) => return Ok(Redirect::to(&post.view.url).into_response()),
        Ok(Kept::TooMany) => {
            form.errors.form =
                Some("You have posted several comments in a short time. Please wait a few minutes and send it again.".into());
            let mut response =
                redisplay(state.clone(), post, form, StatusCode::TOO_MANY_REQUESTS).await?;
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(RATE_WINDOW),
            );
            return Ok(response);
        }
        Ok(Kept::ReplyGone) => {
            form.errors.form = Some("The comment you replied to is no longer there; your comment is below, post it again.".into());
            form.parent_id = None;
            return redisplay(state.clone(), post, form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => {
            let Some((status, message)) = e.not_saved() else {
                return Err(e);
            };
            form.errors.form = Some(message.into());
            return redisplay(state.clone(), post, form, status).await;
        }
    };
    // Answered with a redirect, so that reloading the next page sends nothing again.
    let to = match status {
        CommentStatus::Approved => format!("{}#comment-{id}", post.view.url),
        _ => held_comment_url(&state, &post.view.url, id).await?,
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub struct HeldQuery {
    #[serde(default)]
    held: String,
}

/// Where a held comment's author lands: the post, with their comment marked as waiting.
/// Any other visitor of this address gets the post itself.
pub async fn held_comment(
    State(state): State<SharedState>,
    Path((year, month, day, slug)): Path<(String, String, String, String)>,
    Query(q): Query<HeldQuery>,
) -> Result<Response, WebError> {
    let post = find_post(&state, &year, &month, &day, &slug).await?;
    let secret = state.column.store.secret("held_comment").await?;
    let held = match q.held.split_once('-') {
        Some((id, mac)) if tokens::held_comment_matches(&secret, id, mac) => {
            match id.parse::<i64>() {
                Ok(id) => state.column.store.comment(id).await?,
                Err(_) => None,
            }
        }
        _ => None,
    };
    let Some(row) = held.filter(|c| c.post_id == post.view.id && c.status == "pending") else {
        return Ok(Redirect::to(&post.view.url).into_response());
    };
    let (_, clock) = SiteView::load(&state.column.store).await?;
    let pending = comment_view(&clock, &row);
    let html = render_post(&state, post, CommentForm::default(), Some(pending)).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "private, no-store")],
        Html(html),
    )
        .into_response())
}

/// Keeps the comment through the column's workflow, limited per reader address.
async fn save_comment(
    state: &SharedState,
    client: &Client,
    post: &PostView,
    form: &CommentForm,
    email: Email,
) -> Result<Kept, WebError> {
    let draft = CommentDraft {
        post_id: post.id,
        post_title: &post.title,
        parent_id: form.parent_id,
        name: &form.name,
        email,
        url: &form.url,
        body: &form.body,
        homepage: &form.homepage,
        client: client_hash(state, client).await?,
    };
    let limit = CommentLimit {
        max: state.config.comment_rate_max,
        window: RATE_WINDOW,
    };
    Ok(comments::add(&state.column, draft, limit).await?)
}

/// A field of a public form.
#[derive(Serialize)]
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    required: bool,
    max: usize,
    error: Option<String>,
    options: Vec<SelectOption>,
}

#[derive(Serialize)]
struct SelectOption {
    value: String,
    label: String,
}

impl Field {
    fn new(
        name: &'static str,
        label: &'static str,
        kind: &'static str,
        required: bool,
        max: usize,
    ) -> Field {
        Field {
            name,
            label,
            kind,
            value: String::new(),
            required,
            max,
            error: None,
            options: Vec::new(),
        }
    }
}

#[derive(Serialize, Default)]
struct FormErrors {
    form: Option<String>,
}

#[derive(Serialize)]
struct FormView {
    title: &'static str,
    intro: &'static str,
    action: String,
    submit: &'static str,
    fields: Vec<Field>,
    errors: FormErrors,
    done: Option<&'static str>,
    /// Sent back with the form: the same key twice means the same form sent twice.
    form_key: String,
}

#[derive(Serialize)]
struct FormPage {
    site: SiteView,
    form: FormView,
}

/// The typed values of a public form, by field name.
pub type Typed = std::collections::HashMap<String, String>;

/// Fills the fields with what was typed and checks each one's length.
fn fill(fields: &mut [Field], typed: &Typed) -> bool {
    let mut ok = true;
    for field in fields.iter_mut() {
        field.value = typed.get(field.name).cloned().unwrap_or_default();
        if field.kind == "checkbox" {
            continue;
        }
        let label = field.label.to_lowercase();
        let what = if label.starts_with("your ") {
            label
        } else {
            format!("the {label}")
        };
        field.error = check_len(&field.value, &what, field.required, field.max);
        ok &= field.error.is_none();
    }
    ok
}

/// True when the hidden honeypot field came back filled: people never see it, robots fill it.
fn filled_by_robot(typed: &Typed) -> bool {
    typed.get("homepage").is_some_and(|h| !h.is_empty())
}

fn value<'a>(fields: &'a [Field], name: &str) -> &'a str {
    fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.trim())
        .unwrap_or("")
}

fn optional(fields: &[Field], name: &str) -> Option<String> {
    Some(value(fields, name).to_string()).filter(|v| !v.is_empty())
}

/// Checks an email field, marking it when wrong.
fn email_field(fields: &mut [Field], name: &str) -> Option<Email> {
    let field = fields.iter_mut().find(|f| f.name == name)?;
    if field.value.trim().is_empty() && !field.required {
        return None;
    }
    match Email::parse(&field.value) {
        Ok(email) => Some(email),
        Err(e) => {
            field.error.get_or_insert(format!("{e}."));
            None
        }
    }
}

async fn render_form(
    state: &SharedState,
    form: FormView,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (site, _) = SiteView::load(&state.column.store).await?;
    let html = state
        .column
        .templates
        .render("pages/form.html", FormPage { site, form })?;
    // A form page comes back from the server each time, never from the Back button's copy:
    // that copy's form key was used already, and what is typed into it would be dropped.
    Ok((
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(html),
    )
        .into_response())
}

/// The form shown again with what was typed when the database could not take the write (down,
/// or out of space); any other error goes on as it is.
async fn not_saved(
    state: &SharedState,
    mut form: FormView,
    error: WebError,
) -> Result<Response, WebError> {
    let Some((status, message)) = error.not_saved() else {
        return Err(error);
    };
    form.errors.form = Some(message.into());
    render_form(state, form, status).await.map(with_retry_after)
}

fn suggest_form() -> FormView {
    let mut notify = Field::new(
        "notify",
        "Email me the link when it is published (to the address above)",
        "checkbox",
        false,
        3,
    );
    // Ticked when the form is first shown; sent back, it is what the reader left it as.
    notify.value = "yes".into();
    FormView {
        title: "Suggest a question",
        intro: "Is there something you would like to ask people who hire? Send it in: the editor reads every suggestion and may reword it before putting it to the panel.",
        action: "/suggest/".into(),
        submit: "Send the question",
        fields: vec![
            Field::new("question", "Your question", "textarea", true, 2000),
            Field::new("name", "Your name", "text", false, 100),
            Field::new("email", "Your email, if the editor may write to you", "email", false, 254),
            Field::new("credit", "Credit me by name if the question is published", "checkbox", false, 3),
            notify,
        ],
        errors: FormErrors::default(),
        done: None,
        form_key: random_token(),
    }
}

/// `?sent=1`: the page a public form redirects to once it is sent.
#[derive(Deserialize, Default)]
pub struct SentQuery {
    #[serde(default)]
    sent: String,
}

impl SentQuery {
    fn sent(&self) -> bool {
        !self.sent.is_empty()
    }
}

/// The window, in seconds, of the sendings-per-client limit of public forms (`form_rate_max`).
const FORM_WINDOW: i64 = 3600;
const FORM_TOO_MANY: &str = "This form has been sent from your address many times in the last hour. What you typed is below; please try again later.";

/// Counts this sending of the form `name` against the client's hourly allowance. Over it (or
/// when the count cannot be written), the answer is the form shown again with what was typed.
async fn within_form_limit(
    state: &SharedState,
    client: &Client,
    name: &str,
    mut form: FormView,
) -> Result<FormView, Result<Response, WebError>> {
    match within_limit(state, client, name, FORM_WINDOW, state.config.form_rate_max).await {
        Ok(true) => Ok(form),
        Ok(false) => {
            form.errors.form = Some(FORM_TOO_MANY.into());
            Err(render_form(state, form, StatusCode::TOO_MANY_REQUESTS).await)
        }
        Err(e) => Err(not_saved(state, form, e).await),
    }
}

/// The key the form came back with (kept when it is shown again) and its hash for the store.
fn form_key(form: &mut FormView, typed: &Typed) -> Option<String> {
    let key = typed
        .get("form_key")
        .map(|k| k.trim())
        .filter(|k| k.len() >= 16 && k.len() <= 64)?;
    form.form_key = key.to_string();
    Some(token_hash(key))
}

pub async fn suggest(
    State(state): State<SharedState>,
    Query(q): Query<SentQuery>,
) -> Result<Response, WebError> {
    let mut form = suggest_form();
    if q.sent() {
        form.done = Some("Thank you! Your question is in the editor’s queue.");
    }
    render_form(&state, form, StatusCode::OK).await
}

pub async fn suggest_post(
    State(state): State<SharedState>,
    client: Client,
    Form(typed): Form<Typed>,
) -> Result<Response, WebError> {
    let mut form = suggest_form();
    let key = form_key(&mut form, &typed);
    let mut ok = fill(&mut form.fields, &typed);
    let email = email_field(&mut form.fields, "email");
    credit_needs_name(&mut form.fields);
    ok &= form.fields.iter().all(|f| f.error.is_none());
    if !ok {
        form.errors.form =
            Some("Your question was not sent yet: please correct the fields marked below.".into());
        return render_form(&state, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let form = match within_form_limit(&state, &client, "suggest", form).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    if !filled_by_robot(&typed) {
        let question = NewQuestion {
            series_id: None,
            prompt: value(&form.fields, "question").to_string(),
            examples: None,
            follow_up: None,
            state: QuestionState::Suggested,
            submitter_name: optional(&form.fields, "name"),
            submitter_email: email.map(|e| e.to_string()),
            credit_submitter: !value(&form.fields, "credit").is_empty(),
            notify_submitter: !value(&form.fields, "notify").is_empty(),
        };
        let saved = state
            .column
            .store
            .create_question_once(&question, key.as_deref())
            .await;
        if let Err(e) = saved {
            return not_saved(&state, form, e.into()).await;
        }
    }
    Ok(Redirect::to("/suggest/?sent=1").into_response())
}

/// Marks the name field when credit is asked without a name: the post could not say whom
/// the question came from.
fn credit_needs_name(fields: &mut [Field]) {
    if value(fields, "credit").is_empty() || !value(fields, "name").is_empty() {
        return;
    }
    if let Some(name) = fields.iter_mut().find(|f| f.name == "name") {
        name.error
            .get_or_insert("Give your name to be credited, or untick “Credit me by name”.".into());
    }
}

async fn join_form(state: &SharedState) -> Result<FormView, WebError> {
    let mut library_type = Field::new("library_type", "Library type", "select", true, 40);
    library_type.options = state
        .column
        .store
        .library_types()
        .await?
        .into_iter()
        .map(|(value, label)| SelectOption { value, label })
        .collect();
    Ok(FormView {
        title: "Join the panel",
        intro: "Do you hire library workers? Join the panel: you will get one question at a time by email, and for each answer you choose whether it is published with your name, with your role only, or anonymously.",
        action: "/join/".into(),
        submit: "Ask to join",
        fields: vec![
            Field::new("name", "Name", "text", true, 100),
            Field::new("email", "Email", "email", true, 254),
            Field::new("pronouns", "Pronouns", "text", false, 40),
            Field::new("title", "Job title", "text", true, 200),
            Field::new("institution", "Library or organisation", "text", true, 200),
            Field::new("city", "City", "text", false, 100),
            library_type,
            Field::new("region", "Region", "text", false, 100),
        ],
        errors: FormErrors::default(),
        done: None,
        form_key: random_token(),
    })
}

const JOIN_DONE: &str = "Thank you! Please confirm your address with the link we emailed you; the editor will then look at your request.";

pub async fn join(
    State(state): State<SharedState>,
    Query(q): Query<SentQuery>,
) -> Result<Response, WebError> {
    let mut form = join_form(&state).await?;
    if q.sent() {
        form.done = Some(JOIN_DONE);
    }
    render_form(&state, form, StatusCode::OK).await
}

/// A second sending stores nothing new: the address is already on the panel (or asked), and
/// gets the same answer.
pub async fn join_post(
    State(state): State<SharedState>,
    client: Client,
    Form(typed): Form<Typed>,
) -> Result<Response, WebError> {
    let mut form = join_form(&state).await?;
    form_key(&mut form, &typed);
    fill(&mut form.fields, &typed);
    let email = email_field(&mut form.fields, "email");
    let kind = value(&form.fields, "library_type").to_string();
    if let Some(field) = form.fields.iter_mut().find(|f| f.name == "library_type") {
        if !kind.is_empty() && !field.options.iter().any(|o| o.value == kind) {
            field.error = Some("Please choose one of the library types listed.".into());
        }
    }
    let Some(email) = email.filter(|_| form.fields.iter().all(|f| f.error.is_none())) else {
        form.errors.form =
            Some("Your request was not sent yet: please correct the fields marked below.".into());
        return render_form(&state, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let form = match within_form_limit(&state, &client, "join", form).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    if !filled_by_robot(&typed) {
        let request = NewPanelist {
            name: value(&form.fields, "name").to_string(),
            email: email.to_string(),
            pronouns: optional(&form.fields, "pronouns"),
            title: optional(&form.fields, "title"),
            institution: optional(&form.fields, "institution"),
            city: optional(&form.fields, "city"),
            library_type: Some(kind),
            region: optional(&form.fields, "region"),
            status: "applied",
            ..NewPanelist::default()
        };
        if let Err(e) = readers::ask_to_join(&state.column, &request, &email).await {
            return not_saved(&state, form, e.into()).await;
        }
    }
    Ok(Redirect::to("/join/?sent=1").into_response())
}

fn subscribe_form() -> FormView {
    FormView {
        title: "Subscribe",
        intro:
            "Get each new post by email. You can unsubscribe with one click from any newsletter.",
        action: "/subscribe/".into(),
        submit: "Subscribe",
        fields: vec![Field::new("email", "Email", "email", true, 254)],
        errors: FormErrors::default(),
        done: None,
        form_key: random_token(),
    }
}

const SUBSCRIBE_DONE: &str =
    "Thank you! Your subscription is recorded; it starts once you confirm your address.";

pub async fn subscribe(
    State(state): State<SharedState>,
    Query(q): Query<SentQuery>,
) -> Result<Response, WebError> {
    let mut form = subscribe_form();
    if q.sent() {
        form.done = Some(SUBSCRIBE_DONE);
    }
    render_form(&state, form, StatusCode::OK).await
}

/// A second sending stores nothing new: an address already on the list is left as it is.
pub async fn subscribe_post(
    State(state): State<SharedState>,
    client: Client,
    Form(typed): Form<Typed>,
) -> Result<Response, WebError> {
    let mut form = subscribe_form();
    form_key(&mut form, &typed);
    fill(&mut form.fields, &typed);
    let Some(email) = email_field(&mut form.fields, "email")
        .filter(|_| form.fields.iter().all(|f| f.error.is_none()))
    else {
        form.errors.form = Some("You are not subscribed yet: please correct the address.".into());
        return render_form(&state, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let form = match within_form_limit(&state, &client, "subscribe", form).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    if !filled_by_robot(&typed) {
        if let Err(e) = readers::subscribe(&state.column, &email).await {
            return not_saved(&state, form, e.into()).await;
        }
    }
    Ok(Redirect::to("/subscribe/?sent=1").into_response())
}

/// A short page that says how a confirmation or unsubscription went.
async fn message_page(
    state: &SharedState,
    status: StatusCode,
    title: &'static str,
    message: &'static str,
) -> Result<Response, WebError> {
    let form = FormView {
        title,
        intro: "",
        action: String::new(),
        submit: "",
        fields: Vec::new(),
        errors: FormErrors::default(),
        done: Some(message),
        form_key: String::new(),
    };
    render_form(state, form, status).await
}

pub async fn confirm_subscription(
    State(state): State<SharedState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if readers::confirm_subscription(&state.column, &token).await? {
        message_page(
            &state,
            StatusCode::OK,
            "Subscribed",
            "Your address is confirmed: new posts will come to you by email.",
        )
        .await
    } else {
        message_page(
            &state,
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This confirmation link is not valid or was already used. If you are not subscribed yet, subscribe again.",
        )
        .await
    }
}

pub async fn confirm_join(
    State(state): State<SharedState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if readers::confirm_join(&state.column, &token).await? {
        message_page(
            &state,
            StatusCode::OK,
            "Address confirmed",
            "Thank you. The editor will look at your request to join the panel.",
        )
        .await
    } else {
        message_page(
            &state,
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This confirmation link is not valid or was already used.",
        )
        .await
    }
}

/// The link in each newsletter: a page with one button, so link checkers that open every
/// link do not unsubscribe anyone.
pub async fn unsubscribe_page(
    State(state): State<SharedState>,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if readers::unsubscriber(&state.column, &id, &token)
        .await?
        .is_none()
    {
        return message_page(
            &state,
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This unsubscribe link is not valid.",
        )
        .await;
    }
    let form = FormView {
        title: "Unsubscribe",
        intro: "Stop getting new posts by email?",
        action: format!("/unsubscribe/{id}/{token}"),
        submit: "Unsubscribe",
        fields: Vec::new(),
        errors: FormErrors::default(),
        done: None,
        form_key: random_token(),
    };
    render_form(&state, form, StatusCode::OK).await
}

/// One-click unsubscription (RFC 8058): mail programs POST to the `List-Unsubscribe` address.
pub async fn unsubscribe(
    State(state): State<SharedState>,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let Some(id) = readers::unsubscriber(&state.column, &id, &token).await? else {
        return message_page(
            &state,
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This unsubscribe link is not valid.",
        )
        .await;
    };
    readers::unsubscribe(&state.column, id).await?;
    message_page(
        &state,
        StatusCode::OK,
        "Unsubscribed",
        "You will get no more newsletters from us.",
    )
    .await
}

//! Compiling a round into a post (order, inclusion, editor's headings and notes, light edits,
//! intro, closing, tags and categories), previewing it as readers will see it, publishing now
//! or later, and adding late answers to a published post.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::{done, page, page_with_status, AdminChrome, AdminForm, SignedIn};
use crate::app::{AppState, SharedState};
use crate::render::{human_date, markdown_html, permalink, SiteClock};
use crate::store::{AnswerEdit, AnswerRow, NewPost, Newsletter, Taxonomy};
use crate::web::id::Id;
use crate::web::views::{post_views, PostView, SiteView};
use crate::web::WebError;

#[derive(Serialize)]
struct AnswerEditView {
    id: i64,
    who: String,
    byline: String,
    choice: Option<String>,
    late: bool,
    included: bool,
    position: i64,
    heading: String,
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
        // Before the first compilation every answer is in, in the order it arrived.
        included: fresh || a.included != 0,
        position: if fresh {
            index as i64 + 1
        } else {
            a.position + 1
        },
        heading: a.editor_heading.clone().unwrap_or_default(),
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
    let round = state.store.round(round_id).await?;
    let answers = state.store.answers_of_round(round_id).await?;
    let chrome = AdminChrome::new(&state, &who.editor, &who.csrf).await?;
    let (form, fresh) = match round.post_id {
        Some(post_id) => {
            let post = state.store.post(post_id).await?;
            let tags = state
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
            let series = state.store.first_series().await?;
            let (intro, closing) = series.map(|s| (s.1, s.2)).unwrap_or_default();
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
    let views = answers
        .iter()
        .enumerate()
        .map(|(i, a)| edit_view(a, fresh, i))
        .collect();
    let context = CompilePage {
        chrome,
        round_id,
        prompt: round.prompt,
        form,
        answers: views,
        categories,
        error: None,
    };
    page(&state, "admin/compile.html", context)
}

pub async fn compile(
    State(state): State<SharedState>,
    Id(round_id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let round = state.store.round(round_id).await?;
    let answers = state.store.answers_of_round(round_id).await?;
    let included: Vec<i64> = form
        .all("include")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let mut order: Vec<(i64, i64)> = answers
        .iter()
        .filter(|a| included.contains(&a.id))
        .map(|a| {
            (
                form.get(&format!("position-{}", a.id))
                    .parse()
                    .unwrap_or(i64::MAX),
                a.id,
            )
        })
        .collect();
    order.sort();
    let title = form.get("title").to_string();
    if title.is_empty() {
        let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
        let views = answers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut v = edit_view(a, false, i);
                v.included = included.contains(&a.id);
                v.position = form
                    .get(&format!("position-{}", a.id))
                    .parse()
                    .unwrap_or(v.position);
                v.heading = form.get(&format!("heading-{}", a.id)).to_string();
                v.note = form.get(&format!("note-{}", a.id)).to_string();
                v.body = form.raw(&format!("body-{}", a.id)).to_string();
                v
            })
            .collect();
        let chosen: Vec<String> = form
            .all("category")
            .into_iter()
            .map(str::to_string)
            .collect();
        let context = CompilePage {
            chrome,
            round_id,
            prompt: round.prompt,
            form: CompileForm {
                title,
                intro: form.raw("intro").to_string(),
                closing: form.raw("closing").to_string(),
                tags: form.get("tags").to_string(),
                new_categories: form.get("new_categories").to_string(),
            },
            categories: category_choices(&state, &answers, Some(&chosen)).await?,
            answers: views,
            error: Some("Give the post a title.".into()),
        };
        return page_with_status(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/compile.html",
            context,
        );
    }
    for a in &answers {
        let body = form.raw(&format!("body-{}", a.id)).replace("\r\n", "\n");
        let edit = AnswerEdit {
            editor_heading: form.optional(&format!("heading-{}", a.id)),
            editor_note: form.optional(&format!("note-{}", a.id)),
            // Only a real change is kept as the editor's edit; the panelist's words stay as sent.
            edited_body: Some(body).filter(|b| !b.trim().is_empty() && b.trim() != a.body.trim()),
        };
        state.store.edit_answer(a.id, &edit).await?;
    }
    let mut categories: Vec<String> = form
        .all("category")
        .into_iter()
        .map(str::to_string)
        .collect();
    categories.extend(
        form.get("new_categories")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    );
    let post_id = state
        .store
        .compile_post(&NewPost {
            title,
            slug: None,
            intro: form.raw("intro").replace("\r\n", "\n"),
            closing: form.raw("closing").replace("\r\n", "\n"),
            series_id: round.series_id,
            author_id: Some(form.editor.id),
            round_id: Some(round_id),
            answer_ids: order.into_iter().map(|(_, id)| id).collect(),
            tags: form
                .get("tags")
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            categories,
        })
        .await?;
    done(
        &state,
        &form,
        &format!("/admin/posts/{post_id}/"),
        "Saved. This is the post as readers will see it.",
    )
    .await
}

#[derive(Serialize)]
struct PostLine {
    id: i64,
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
    let (_, clock) = SiteView::load(&state.store).await?;
    let chrome = AdminChrome::with_notice(&state, &who).await?;
    let posts = state
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

#[derive(Serialize)]
struct PostPage {
    chrome: AdminChrome,
    post: PostView,
    status: String,
    public_url: Option<String>,
    round_id: Option<i64>,
    late: Vec<LateView>,
    schedule_at: String,
    error: Option<String>,
}

async fn post_page(
    state: &SharedState,
    chrome: AdminChrome,
    post_id: i64,
    schedule_at: String,
    error: Option<String>,
) -> Result<PostPage, WebError> {
    let row = state.store.post(post_id).await?;
    let (_, clock) = SiteView::load(&state.store).await?;
    let status = row.status.clone();
    let round_id = row.round_id;
    let public_url = (status == "published")
        .then(|| permalink(&clock, row.published_at.unwrap_or(0), &row.slug));
    let post = post_views(&state.store, &clock, vec![row])
        .await?
        .pop()
        .ok_or(WebError::NotFound)?;
    let late = state
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
    Ok(PostPage {
        chrome,
        post,
        status,
        public_url,
        round_id,
        late,
        schedule_at,
        error,
    })
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

/// "2026-12-01 09:30" in the site's time zone.
fn parse_schedule(clock: &SiteClock, text: &str) -> Option<i64> {
    let text = text.trim().replace('T', " ");
    let datetime = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", &text).ok()?;
    datetime
        .to_zoned(clock.tz.clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// The newsletter for a post: its full content, and one unsubscribe link per subscriber.
pub async fn newsletter(
    state: &AppState,
    base: &str,
    post_id: i64,
) -> Result<Newsletter, WebError> {
    let row = state.store.post(post_id).await?;
    let (site, clock) = SiteView::load(&state.store).await?;
    // The address the post will have once published now.
    let mut row = row;
    row.published_at = Some(row.published_at.unwrap_or_else(crate::store::now));
    let post = post_views(&state.store, &clock, vec![row])
        .await?
        .pop()
        .ok_or(WebError::NotFound)?;
    #[derive(Serialize)]
    struct Context<'a> {
        site: &'a str,
        title: &'a str,
        url: String,
        text: String,
        post: &'a PostView,
        base: &'a str,
    }
    let body_html = state.templates.render(
        "partials/post_body.html",
        Context {
            site: &site.title,
            title: &post.title,
            url: String::new(),
            text: String::new(),
            post: &post,
            base,
        },
    )?;
    let context = Context {
        site: &site.title,
        title: &post.title,
        url: format!("{base}{}", post.url),
        text: crate::render::plain_text(&body_html),
        post: &post,
        base,
    };
    let text = state.templates.render("email/newsletter.txt", &context)?;
    let (subject, text) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let html = state.templates.render("email/newsletter.html", &context)?;
    let secret = state.store.secret("unsubscribe").await?;
    let base = base.to_string();
    Ok(Newsletter {
        subject: subject.trim().to_string(),
        text: text.trim_start().to_string(),
        html,
        unsubscribe_link: Box::new(move |subscriber_id| {
            format!(
                "{base}/unsubscribe/{subscriber_id}/{}",
                unsubscribe_token(&secret, subscriber_id)
            )
        }),
    })
}

/// The token in a subscriber's unsubscribe link, derived from a secret and their id.
pub fn unsubscribe_token(secret: &str, subscriber_id: i64) -> String {
    crate::auth::derived_token(secret, "unsubscribe", &subscriber_id.to_string())[..32].to_string()
}

pub async fn publish(
    State(state): State<SharedState>,
    Id(id): Id,
    form: AdminForm,
) -> Result<Response, WebError> {
    let (_, clock) = SiteView::load(&state.store).await?;
    if form.get("when") == "later" {
        let Some(at) = parse_schedule(&clock, form.get("at")).filter(|t| *t > crate::store::now())
        else {
            let chrome = AdminChrome::new(&state, &form.editor, &form.csrf).await?;
            let error = Some("Give a time in the future as YYYY-MM-DD HH:MM.".to_string());
            let context = post_page(&state, chrome, id, form.get("at").to_string(), error).await?;
            return page_with_status(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/post.html",
                context,
            );
        };
        state.store.schedule_post(id, at).await?;
        return done(
            &state,
            &form,
            &format!("/admin/posts/{id}/"),
            &format!("Scheduled for {}.", crate::render::iso_datetime(&clock, at)),
        )
        .await;
    }
    let base = state.base_url.clone();
    let letter = newsletter(&state, &base, id).await?;
    state
        .store
        .publish_post_with_newsletter(id, crate::store::now(), Some(&letter))
        .await?;
    done(
        &state,
        &form,
        &format!("/admin/posts/{id}/"),
        "Published. Subscribers will get it by email.",
    )
    .await
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
    let (_, clock) = SiteView::load(&state.store).await?;
    let at = crate::store::now();
    let date = crate::render::iso_datetime(&clock, at)[..10].to_string();
    state
        .store
        .add_late_answer(id, answer_id, Some(form.editor.id), at, &date)
        .await?;
    done(
        &state,
        &form,
        &format!("/admin/posts/{id}/"),
        "The answer is in the post, with a dated note.",
    )
    .await
}

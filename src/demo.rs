//! `serve --demo`: fills an empty database with a demo column written for this project
//! (`demo/column.toml`), going through the same store calls an editor's work would. Its
//! invitations carry real links, made as a sent round's are, so the editor can remind, copy
//! and resend them, and each one opens its panelist's answer page.

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use serde::Deserialize;

use crate::auth::{hash_password, random_password};
use crate::domain::{Attribution, CommentStatus, Email, QuestionState, RoundStatus};
use crate::render::SiteClock;
use crate::store::{
    now, AnswerEdit, NewAnswer, NewComment, NewPanelist, NewPost, NewQuestion, NewRound,
    SeriesStyle, Store,
};
use crate::tokens;

const COLUMN: &str = include_str!("../demo/column.toml");
const DAY: i64 = 86_400;
/// Links keep working this long after a round closes, as a sent round's do.
const GRACE: i64 = 14 * DAY;
const TIMEZONE: &str = "America/Chicago";

/// The demo editor's sign-in, shown once when the demo is created.
pub struct DemoLogin {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize)]
struct Column {
    site: Site,
    panelists: Vec<Panelist>,
    posts: Vec<Post>,
    open_round: OpenRound,
}

#[derive(Deserialize)]
struct Site {
    title: String,
    tagline: String,
    series_name: String,
    series_category: String,
    default_intro: String,
    default_closing: String,
}

#[derive(Deserialize)]
struct Panelist {
    key: String,
    name: String,
    pronouns: Option<String>,
    title: String,
    department: Option<String>,
    institution: String,
    city: Option<String>,
    library_type: String,
    region: String,
    bio: Option<String>,
    photo_credit: Option<String>,
}

#[derive(Deserialize)]
struct Post {
    slug: String,
    title: String,
    days_ago: i64,
    prompt: String,
    examples: Option<String>,
    follow_up: Option<String>,
    #[serde(default)]
    choices: Vec<String>,
    intro: Option<String>,
    closing: Option<String>,
    tags: Vec<String>,
    categories: Vec<String>,
    /// Where this post's signatures go, when not where the series puts them.
    placement: Option<String>,
    answers: Vec<Answer>,
    #[serde(default)]
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Answer {
    panelist: String,
    mode: String,
    role: Option<String>,
    #[serde(default)]
    show_library_type: bool,
    choice: Option<String>,
    editor_heading: Option<String>,
    #[serde(default)]
    late: bool,
    late_days_after: Option<i64>,
    body: String,
}

#[derive(Deserialize)]
struct Comment {
    name: String,
    email: String,
    body: String,
    status: String,
    reply_to: Option<usize>,
}

#[derive(Deserialize)]
struct OpenRound {
    prompt: String,
    follow_up: Option<String>,
    #[serde(default)]
    choices: Vec<String>,
    closes_in_days: i64,
    answers: Vec<Answer>,
}

/// Creates the demo column unless the database already has panelists or posts.
pub async fn load(store: &Store) -> anyhow::Result<Option<DemoLogin>> {
    if store.count_published_posts().await? > 0 || !store.panelists("active").await?.is_empty() {
        return Ok(None);
    }
    let column: Column = toml::from_str(COLUMN).context("demo/column.toml")?;
    let today = now();
    let clock = SiteClock::new(Some(TIMEZONE));
    write_site_settings(store, &column.site).await?;
    let (login, editor_id) = create_editor(store).await?;
    let series_id = create_series(store, &column.site).await?;
    let demo = DemoColumn {
        store,
        site: &column.site,
        panel: create_panel(store, &column.panelists).await?,
        editor_id,
        series_id,
        today,
        clock,
        secret: store.secret("invitations").await?,
    };
    let mut posts: Vec<&Post> = column.posts.iter().collect();
    posts.sort_by_key(|p| std::cmp::Reverse(p.days_ago));
    for post in posts {
        demo.past_post(post).await?;
    }
    demo.open_round(&column.open_round, &column.panelists)
        .await?;
    Ok(Some(login))
}

/// The site's title, tagline and time zone.
async fn write_site_settings(store: &Store, site: &Site) -> anyhow::Result<()> {
    store.set_setting("site_title", &site.title).await?;
    store.set_setting("site_tagline", &site.tagline).await?;
    store.set_setting("timezone", TIMEZONE).await?;
    Ok(())
}

/// The demo editor, with a fresh random password; returns the sign-in and the editor's id.
async fn create_editor(store: &Store) -> anyhow::Result<(DemoLogin, i64)> {
    let login = DemoLogin {
        email: "editor@example.org".into(),
        password: random_password(),
    };
    let editor_id = store
        .create_editor(
            &Email::parse(&login.email)?,
            "The Editor",
            &hash_password(&login.password)?,
        )
        .await?;
    Ok((login, editor_id))
}

/// The column's one series, with its default intro and closing.
async fn create_series(store: &Store, site: &Site) -> anyhow::Result<i64> {
    let style = SeriesStyle {
        name: site.series_name.clone(),
        category: site.series_category.clone(),
        default_intro: site.default_intro.clone(),
        default_closing: site.default_closing.clone(),
        signature_placement: "before".into(),
        ..SeriesStyle::default()
    };
    Ok(store.save_series(None, &style).await?)
}

/// The panel, all active; returns each panelist's id by their key in `column.toml`.
async fn create_panel<'a>(
    store: &Store,
    panelists: &'a [Panelist],
) -> anyhow::Result<HashMap<&'a str, i64>> {
    let mut panel = HashMap::new();
    for p in panelists {
        let id = store
            .create_panelist(&NewPanelist {
                name: p.name.clone(),
                email: format!("{}@panel.example.org", p.key),
                pronouns: p.pronouns.clone(),
                title: Some(p.title.clone()),
                department: p.department.clone(),
                institution: Some(p.institution.clone()),
                city: p.city.clone(),
                library_type: Some(p.library_type.clone()),
                region: Some(p.region.clone()),
                bio: p.bio.clone(),
                photo_url: None,
                photo_credit: p.photo_credit.clone(),
                photo_alt: None,
                role_description: None,
                status: "active",
            })
            .await
            .with_context(|| format!("panelist {}", p.key))?;
        panel.insert(p.key.as_str(), id);
    }
    Ok(panel)
}

/// The demo column as it is being written: the store, and what the posts and rounds refer to.
struct DemoColumn<'a> {
    store: &'a Store,
    site: &'a Site,
    /// Panelists' ids by their key in `column.toml`.
    panel: HashMap<&'a str, i64>,
    editor_id: i64,
    series_id: i64,
    today: i64,
    clock: SiteClock,
    /// The secret invitation links are made with.
    secret: String,
}

impl DemoColumn<'_> {
    /// A published post, `days_ago` days back, with the question and round it came from, its
    /// answers (late ones added after publishing) and its comments.
    async fn past_post(&self, post: &Post) -> anyhow::Result<()> {
        let published_at = self.today - post.days_ago * DAY;
        let round_id = self
            .create_round(
                &post.prompt,
                post.examples.as_deref(),
                post.follow_up.as_deref(),
                &post.choices,
                published_at - DAY,
            )
            .await?;
        let (on_time, late) = self
            .submit_past_answers(round_id, &post.answers, published_at)
            .await?;
        let post_id = self
            .store
            .compile_post(&NewPost {
                title: post.title.clone(),
                slug: Some(post.slug.clone()),
                intro: post
                    .intro
                    .clone()
                    .unwrap_or_else(|| self.site.default_intro.clone()),
                closing: post
                    .closing
                    .clone()
                    .unwrap_or_else(|| self.site.default_closing.clone()),
                series_id: Some(self.series_id),
                author_id: Some(self.editor_id),
                round_id: Some(round_id),
                answer_ids: on_time,
                tags: post.tags.clone(),
                categories: post.categories.clone(),
            })
            .await?;
        if let Some(placement) = &post.placement {
            self.store
                .set_post_placement(post_id, Some(placement))
                .await?;
        }
        self.store.publish_post(post_id, published_at).await?;
        for (answer_id, at) in late {
            let date = crate::render::human_date(&self.clock, at);
            self.store
                .add_late_answer(post_id, answer_id, Some(self.editor_id), at, &date)
                .await?;
        }
        self.add_comments(post_id, published_at, &post.comments)
            .await
    }

    /// An accepted question and its open round, closing at `closes_at`; returns the round's id.
    async fn create_round(
        &self,
        prompt: &str,
        examples: Option<&str>,
        follow_up: Option<&str>,
        choices: &[String],
        closes_at: i64,
    ) -> anyhow::Result<i64> {
        let question_id = self
            .store
            .create_question(&NewQuestion {
                series_id: Some(self.series_id),
                prompt: prompt.to_string(),
                examples: examples.map(str::to_string),
                follow_up: follow_up.map(str::to_string),
                state: QuestionState::Accepted,
                submitter_name: None,
                submitter_email: None,
                credit_submitter: false,
                notify_submitter: false,
            })
            .await?;
        Ok(self
            .store
            .create_round(&NewRound {
                question_id,
                series_id: Some(self.series_id),
                prompt: prompt.to_string(),
                examples: examples.map(str::to_string),
                follow_up: follow_up.map(str::to_string),
                choices: choices.to_vec(),
                library_types: Vec::new(),
                closes_at: Some(closes_at),
                status: RoundStatus::Open,
            })
            .await?)
    }

    /// A past post's answers, on time in the week before publishing or late after it; returns
    /// the on-time answers' ids, and each late one's id with when the editor added it.
    async fn submit_past_answers(
        &self,
        round_id: i64,
        answers: &[Answer],
        published_at: i64,
    ) -> anyhow::Result<(Vec<i64>, Vec<(i64, i64)>)> {
        let mut on_time = Vec::new();
        let mut late = Vec::new();
        for (i, answer) in answers.iter().enumerate() {
            let submitted_at = if answer.late {
                published_at + answer.late_days_after.unwrap_or(2) * DAY - 3600
            } else {
                published_at - 6 * DAY + i as i64 * 7200
            };
            let id = self
                .submit(round_id, answer, submitted_at, published_at + 30 * DAY)
                .await?;
            if answer.late {
                late.push((id, submitted_at + 1800));
            } else {
                on_time.push(id);
            }
        }
        Ok((on_time, late))
    }

    /// A published post's comments, five hours apart; a reply names an earlier comment by its
    /// place in the list.
    async fn add_comments(
        &self,
        post_id: i64,
        published_at: i64,
        comments: &[Comment],
    ) -> anyhow::Result<()> {
        let mut comment_ids = Vec::new();
        for (i, c) in comments.iter().enumerate() {
            let parent_id = match c.reply_to {
                Some(index) => Some(
                    *comment_ids
                        .get(index)
                        .ok_or_else(|| anyhow!("comment reply_to {index} is not earlier"))?,
                ),
                None => None,
            };
            let (id, _) = self
                .store
                .add_comment(&NewComment {
                    post_id,
                    parent_id,
                    author_name: c.name.clone(),
                    author_email: Email::parse(&c.email)?,
                    author_url: None,
                    body: c.body.clone(),
                    ip_hash: None,
                    status: Some(
                        CommentStatus::parse(&c.status)
                            .ok_or_else(|| anyhow!("comment status {}", c.status))?,
                    ),
                    created_at: Some(published_at + (i as i64 + 1) * 5 * 3600),
                })
                .await?;
            comment_ids.push(id);
        }
        Ok(())
    }

    /// The round still open, with its first answers from the last hours; the rest of the panel
    /// has been invited and not answered yet.
    async fn open_round(&self, open: &OpenRound, panelists: &[Panelist]) -> anyhow::Result<()> {
        let closes_at = self.today + open.closes_in_days * DAY;
        let round_id = self
            .create_round(
                &open.prompt,
                None,
                open.follow_up.as_deref(),
                &open.choices,
                closes_at,
            )
            .await?;
        let mut answered = Vec::new();
        for (i, answer) in open.answers.iter().enumerate() {
            let submitted_at = self.today - (i as i64 + 1) * 3 * 3600;
            self.submit(round_id, answer, submitted_at, closes_at + GRACE)
                .await?;
            answered.push(answer.panelist.as_str());
        }
        for p in panelists
            .iter()
            .filter(|p| !answered.contains(&p.key.as_str()))
        {
            self.invite(round_id, self.panel[p.key.as_str()], closes_at + GRACE)
                .await?;
        }
        Ok(())
    }

    /// Invites a panelist with the link a sent round's invitation carries (never mailed: the
    /// demo's addresses are not real).
    async fn invite(
        &self,
        round_id: i64,
        panelist_id: i64,
        expires_at: i64,
    ) -> anyhow::Result<i64> {
        let secret = &self.secret;
        Ok(self
            .store
            .create_invitation_for(round_id, panelist_id, expires_at, |id| {
                tokens::token_hash(&tokens::invitation(secret, id))
            })
            .await?)
    }

    /// Invites the panelist and stores their answer, as if they had followed their link.
    async fn submit(
        &self,
        round_id: i64,
        answer: &Answer,
        submitted_at: i64,
        expires_at: i64,
    ) -> anyhow::Result<i64> {
        let panelist_id = *self
            .panel
            .get(answer.panelist.as_str())
            .ok_or_else(|| anyhow!("demo answer by unknown panelist '{}'", answer.panelist))?;
        let attribution = Attribution::parse(&answer.mode)
            .ok_or_else(|| anyhow!("demo answer mode '{}'", answer.mode))?;
        let invitation_id = self.invite(round_id, panelist_id, expires_at).await?;
        let id = self
            .store
            .submit_answer(&NewAnswer {
                round_id,
                invitation_id: Some(invitation_id),
                panelist_id,
                attribution,
                role_description: answer.role.clone(),
                show_library_type: answer.show_library_type,
                choice: answer.choice.clone(),
                body: answer.body.clone(),
                is_late: answer.late,
                submitted_at,
            })
            .await?;
        if answer.editor_heading.is_some() {
            self.store
                .edit_answer(
                    id,
                    &AnswerEdit {
                        editor_heading: answer.editor_heading.clone(),
                        ..AnswerEdit::default()
                    },
                )
                .await?;
        }
        Ok(id)
    }
}

//! "Your answers": a panelist's private page, reached by a link in every invitation and
//! receipt (no password). They see every answer they gave, sign any of them so that it shows
//! less of who they are, withdraw one, correct their profile, download everything the column
//! holds about them, and erase themselves.

use serde::Serialize;

use super::letters::editor_alerts;
use super::{Column, ColumnError, ColumnResult};
use crate::domain::Attribution;
use crate::store::{ErasedAnswers, Erasure, NewPanelist, PanelistRow, YourAnswerRow};
use crate::tokens;

/// The panelist's own page, as a link for mails.
pub async fn link(column: &Column, panelist_id: i64) -> ColumnResult<String> {
    let secret = column.store.secret(SECRET).await?;
    Ok(link_with(&column.base_url, &secret, panelist_id))
}

/// The secret the page's links are made from.
pub const SECRET: &str = "panelist_page";

/// The link, with the secret already read (for a round's worth of invitations).
pub fn link_with(base_url: &str, secret: &str, panelist_id: i64) -> String {
    format!(
        "{base_url}/you/{panelist_id}/{}/",
        tokens::panelist_page(secret, panelist_id)
    )
}

/// The panelist a link is for, when it is theirs.
pub async fn panelist(column: &Column, id: &str, token: &str) -> ColumnResult<Option<PanelistRow>> {
    let Some(id) = id.parse::<i64>().ok().filter(|id| *id > 0) else {
        return Ok(None);
    };
    let secret = column.store.secret(SECRET).await?;
    if !tokens::panelist_page_matches(&secret, id, token) {
        return Ok(None);
    }
    match column.store.panelist(id).await {
        Ok(p) => Ok(Some(p)),
        Err(crate::store::StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Signs one of their answers anonymously or by role only, at once. Showing more of who they
/// are goes through the answer's own page, and, once published, the editor.
pub async fn sign(
    column: &Column,
    panelist: &PanelistRow,
    answer_id: i64,
    attribution: Attribution,
    role: &str,
) -> ColumnResult<()> {
    let answers = column.store.answers_of_panelist(panelist.id).await?;
    let Some(answer) = answers.iter().find(|a| a.id == answer_id) else {
        return Err(ColumnError::refused("That answer is not one of yours."));
    };
    let before = Attribution::parse(&answer.attribution).unwrap_or(Attribution::Named);
    let role = role.trim();
    if attribution == Attribution::Role && role.is_empty() {
        return Err(ColumnError::refused(
            "Write the role line readers should see, such as “Director, public library, Midwest”.",
        ));
    }
    if !attribution.hides_more_than(before) {
        return Err(ColumnError::refused(
            "Here an answer can only be signed so that it shows less of who you are; open its answer page to sign it with your name.",
        ));
    }
    let role = (attribution == Attribution::Role).then_some(role);
    column
        .store
        .sign_own_answer(panelist.id, answer_id, attribution, role)
        .await?;
    super::posts::refresh_queued_newsletters(column).await?;
    Ok(())
}

/// The profile fields a panelist corrects themselves.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name: String,
    pub pronouns: String,
    pub title: String,
    pub department: String,
    pub institution: String,
    pub city: String,
    pub role_description: String,
}

/// Keeps the profile as they corrected it; future answers are signed with it, published ones
/// keep the signature they were given with.
pub async fn save_profile(column: &Column, p: &PanelistRow, profile: &Profile) -> ColumnResult<()> {
    if profile.name.trim().is_empty() {
        return Err(ColumnError::refused(
            "Give your name: the editor needs it, even for anonymous answers.",
        ));
    }
    let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let status = match p.status.as_str() {
        "active" => "active",
        "retired" => "retired",
        _ => "applied",
    };
    let updated = NewPanelist {
        name: profile.name.trim().to_string(),
        email: p.email.clone(),
        pronouns: opt(&profile.pronouns),
        title: opt(&profile.title),
        department: opt(&profile.department),
        institution: opt(&profile.institution),
        city: opt(&profile.city),
        library_type: p.library_type.clone(),
        region: p.region.clone(),
        bio: p.bio.clone(),
        photo_url: p.photo_url.clone(),
        photo_credit: p.photo_credit.clone(),
        photo_alt: p.photo_alt.clone(),
        role_description: opt(&profile.role_description),
        status,
    };
    column.store.update_panelist(p.id, &updated).await?;
    Ok(())
}

/// Everything the column holds about the panelist, as JSON.
pub async fn data(column: &Column, p: &PanelistRow) -> ColumnResult<String> {
    #[derive(Serialize)]
    struct Data<'a> {
        profile: &'a PanelistRow,
        answers: Vec<YourAnswerRow>,
    }
    let answers = column.store.answers_of_panelist(p.id).await?;
    serde_json::to_string_pretty(&Data {
        profile: p,
        answers,
    })
    .map_err(|e| ColumnError::Refused(e.to_string()))
}

/// Erases the panelist at their own request; the editors are told without being named to.
pub async fn erase(
    column: &Column,
    p: &PanelistRow,
    answers: ErasedAnswers,
) -> ColumnResult<Erasure> {
    let kept = match answers {
        ErasedAnswers::KeptAnonymous => "kept signed “Anonymous”",
        ErasedAnswers::Removed => "removed",
    };
    let done_text = |n: usize| {
        format!("A panelist erased themselves from the panel; their {n} answers are {kept}.")
    };
    let n = column.store.answers_of_panelist(p.id).await?.len();
    let link = format!("{}/admin/panel/", column.base_url);
    let alerts =
        editor_alerts(column, "A panelist erased themselves", &done_text(n), &link).await?;
    let erased = column.store.erase_panelist(p.id, answers).await?;
    super::posts::refresh_queued_newsletters(column).await?;
    for alert in &alerts {
        column.store.enqueue_mail(alert).await?;
    }
    Ok(erased)
}

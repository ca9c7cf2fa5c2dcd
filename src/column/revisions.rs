//! The editor's view of a post's revisions: the list, a word-level comparison of any two
//! versions (the post as it is now among them), and restoring one.

use std::collections::HashMap;

use super::{Column, ColumnResult, SiteView};
use crate::render::{human_datetime, word_diff_html};
use crate::store::{now, Snapshot};

/// One version of a post: as readers see it now, or a kept revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Now,
    Kept(i64),
}

impl Version {
    /// `now` or a revision's id, as the comparison form sends it.
    pub fn parse(text: &str) -> Option<Version> {
        match text.trim() {
            "" | "now" => Some(Version::Now),
            id => id.parse().ok().map(Version::Kept),
        }
    }
}

/// The post's text as a comparison reads it: title, intro, imported text, each answer under
/// the name the editor knows it by, closing.
fn text_of(snapshot: &Snapshot, names: &HashMap<i64, String>) -> String {
    let mut parts = vec![snapshot.title.clone(), snapshot.intro.clone()];
    parts.extend(snapshot.body_text.clone());
    for answer in &snapshot.answers {
        let name = names
            .get(&answer.id)
            .cloned()
            .unwrap_or_else(|| format!("Answer {}", answer.id));
        parts.push(format!("— {name}:\n{}", answer.body));
    }
    parts.push(snapshot.closing.clone());
    parts.retain(|p| !p.trim().is_empty());
    parts.join("\n\n")
}

async fn snapshot(column: &Column, post_id: i64, version: Version) -> ColumnResult<Snapshot> {
    match version {
        Version::Now => Ok(column.store.current_snapshot(post_id).await?),
        Version::Kept(id) => {
            let revision = column.store.revision(id).await?;
            // A revision id from another post's page is not one of this post's versions.
            if revision.post_id != post_id {
                return Err(crate::store::StoreError::NotFound("revision").into());
            }
            Ok(revision.snapshot)
        }
    }
}

/// `from` against `to`, word by word: removed words struck through, added ones underlined.
pub async fn compare(
    column: &Column,
    post_id: i64,
    from: Version,
    to: Version,
) -> ColumnResult<String> {
    let post = column.store.post(post_id).await?;
    let names: HashMap<i64, String> = match post.round_id {
        Some(round_id) => column
            .store
            .answers_of_round(round_id)
            .await?
            .into_iter()
            .map(|a| (a.id, a.byline().text))
            .collect(),
        None => HashMap::new(),
    };
    let old = text_of(&snapshot(column, post_id, from).await?, &names);
    let new = text_of(&snapshot(column, post_id, to).await?, &names);
    Ok(word_diff_html(&old, &new))
}

/// Puts a kept revision back; the version it replaces is kept in turn. Returns the post.
pub async fn restore(
    column: &Column,
    revision_id: i64,
    editor_id: Option<i64>,
) -> ColumnResult<i64> {
    let revision = column.store.revision(revision_id).await?;
    let (_, clock) = SiteView::load(&column.store).await?;
    let reason = format!(
        "Restored the version replaced on {}",
        human_datetime(&clock, revision.created_at)
    );
    Ok(column
        .store
        .restore_revision(revision_id, editor_id, now(), &reason)
        .await?)
}

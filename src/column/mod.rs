//! The column's workflow in the product's words: rounds and their invitations, the answers
//! that come back, compiling and publishing posts, late answers, reminders, the newsletter and
//! readers' comments. Each operation is one function that takes the [`Column`] and plain
//! inputs, does its writes in one unit of work with the mail they cause queued in it, and
//! returns what happened or a [`ColumnError`]. The web handlers, the scheduler, the command
//! line and the tests all call these; none of them writes the workflow again.
//!
//! `public` builds what readers may see of posts (the views every public page, feed, export
//! and newsletter is made from).

pub mod answers;
pub mod comments;
pub mod letters;
pub mod panel;
pub mod posts;
pub mod proposals;
pub mod public;
pub mod readers;
pub mod revisions;
pub mod rounds;
pub mod series;
pub mod writing;
pub mod yours;

use crate::config::Config;
use crate::render::Templates;
use crate::store::{Store, StoreError};

pub use public::{PostViewCache, SiteView};

/// What the workflow works with: the store, the templates its mail is written from, the
/// site's public address (the start of every link it sends) and the cache of public views.
pub struct Column {
    /// The site's public address without a final `/`.
    pub base_url: String,
    pub store: Store,
    pub templates: Templates,
    pub views: PostViewCache,
}

impl Column {
    /// The column for these settings over `store`: the templates loaded (with the theme's in
    /// their place), and the public address every link starts with.
    pub fn load(config: &Config, store: Store, views: PostViewCache) -> anyhow::Result<Column> {
        Ok(Column {
            base_url: config.base_url_or_local(),
            store,
            templates: Templates::load(config.theme.as_deref())?,
            views,
        })
    }
}

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ColumnError {
    /// The input cannot be used as given; the sentence says what to change.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0:#}")]
    Template(#[from] minijinja::Error),
}

/// Brings the database up to this program's schema, then fills in what a migration cannot
/// write in SQL: the plain text of posts imported before it was kept (for search), and the
/// public projection of posts written before it existed.
pub async fn migrate(store: &Store) -> ColumnResult<()> {
    store.migrate().await?;
    for (post_id, html) in store.posts_without_body_text().await? {
        store
            .set_body_text(post_id, &crate::render::plain_text(&html))
            .await?;
    }
    store.project_pending().await?;
    Ok(())
}

impl ColumnError {
    fn refused(sentence: &str) -> ColumnError {
        ColumnError::Refused(sentence.to_string())
    }
}

pub type ColumnResult<T> = Result<T, ColumnError>;

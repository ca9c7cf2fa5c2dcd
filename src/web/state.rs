//! What every request handler can reach: the column (store, templates, public address, views),
//! the settings and the page cache.

use std::sync::Arc;

use crate::column::{Column, PostViewCache};
use crate::config::Config;
use crate::store::Store;
use crate::web::PageCache;

pub struct AppState {
    /// Shared with the scheduler, which runs the same workflow outside any request.
    pub column: Arc<Column>,
    pub config: Config,
    pub cache: PageCache,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    /// Loads the templates and sets up the page cache: everything the router needs, without
    /// a listener (the static export renders pages in-process with it).
    pub fn build(config: Config, store: Store) -> anyhow::Result<SharedState> {
        let on = config.page_cache;
        AppState::assemble(config, store, PageCache::new(on), PostViewCache::new(on))
    }

    /// For the static export, which renders every page once: keeping the pages would only
    /// cost memory, but each post is shown on a dozen pages, so its view is kept.
    pub fn for_export(config: Config, store: Store) -> anyhow::Result<SharedState> {
        AppState::assemble(
            config,
            store,
            PageCache::new(false),
            PostViewCache::new(true),
        )
    }

    fn assemble(
        config: Config,
        store: Store,
        cache: PageCache,
        views: PostViewCache,
    ) -> anyhow::Result<SharedState> {
        let column = Column::load(&config, store, views)?;
        Ok(Arc::new(AppState {
            column: Arc::new(column),
            config,
            cache,
        }))
    }
}

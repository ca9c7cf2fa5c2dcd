//! `roundtable export wxr` and `roundtable export static`: the public site written out, as
//! WordPress WXR or as files for any web server.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use super::{open_store, Globals};
use crate::column::{Column, PostViewCache};
use crate::config::{Config, Flags};
use crate::store::Store;
use crate::web::AppState;

/// The subcommands of `export`: one for each form the site is written out in.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Everything public as WordPress WXR 1.2, to FILE. No email addresses, and no identity
    /// behind an anonymous or role-only answer.
    Wxr {
        file: PathBuf,
        /// Public address of the site, for links in the file.
        #[arg(long, env = "ROUNDTABLE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
    },
    /// The whole public site as files in DIR, for any web server; only changed files are
    /// rewritten.
    Static {
        dir: PathBuf,
        /// Public address of the site, for feeds and the sitemap.
        #[arg(long, env = "ROUNDTABLE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
    },
}

/// Runs one of the subcommands of `export`.
pub async fn run(command: ExportCommand, globals: Globals) -> anyhow::Result<()> {
    match command {
        ExportCommand::Wxr { file, base_url } => {
            let (config, store) = open(globals, base_url).await?;
            wxr(config, store, &file).await
        }
        ExportCommand::Static { dir, base_url } => {
            let (config, store) = open(globals, base_url).await?;
            static_site(config, store, &dir).await
        }
    }
}

/// What both exports start from: the configuration with the site's address, and the store.
async fn open(globals: Globals, base_url: Option<String>) -> anyhow::Result<(Config, Store)> {
    let config = globals.config_with(|flags| Flags { base_url, ..flags })?;
    let store = open_store(&config.database_url).await?;
    Ok((config, store))
}

/// Writes everything public as WXR to the file and prints what it holds.
async fn wxr(config: Config, store: Store, path: &Path) -> anyhow::Result<()> {
    let column = Column::load(&config, store, PostViewCache::new(false))?;
    let (xml, counts) = crate::interop::export::wxr(&column, &column.base_url).await?;
    std::fs::write(path, xml).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {}: {} posts, {} pages, {} approved comments",
        path.display(),
        counts.posts,
        counts.pages,
        counts.comments
    );
    Ok(())
}

/// Writes the public site as files in the folder and prints how many changed.
async fn static_site(config: Config, store: Store, dir: &Path) -> anyhow::Result<()> {
    let state = AppState::for_export(config, store)?;
    let base = state.column.base_url.clone();
    let router = crate::web::router(state.clone());
    let report = crate::interop::static_site::export(router, &state.column, dir, &base).await?;
    println!(
        "wrote the site to {}: {} files written, {} unchanged, {} removed",
        dir.display(),
        report.written,
        report.unchanged,
        report.removed
    );
    Ok(())
}

//! `roundtable panel export` and `roundtable panel import`: the panel roster as CSV.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use super::{open_store, Globals};

/// The subcommands of `panel`.
#[derive(Debug, Subcommand)]
pub enum PanelCommand {
    /// Write the roster to a CSV file.
    Export { file: PathBuf },
    /// Add or update panelists from a CSV file (by email); unreadable rows are listed with
    /// their line numbers and skipped.
    Import { file: PathBuf },
}

/// Runs one of the subcommands of `panel`.
pub async fn run(command: PanelCommand, globals: Globals) -> anyhow::Result<()> {
    match command {
        PanelCommand::Export { file } => export(globals, &file).await,
        PanelCommand::Import { file } => import(globals, &file).await,
    }
}

/// Writes the roster to the file.
async fn export(globals: Globals, path: &Path) -> anyhow::Result<()> {
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    let csv = crate::interop::roster::export(&store).await?;
    std::fs::write(path, csv).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote the roster to {}", path.display());
    Ok(())
}

/// Adds or updates panelists from the file and prints the summary and each problem row.
async fn import(globals: Globals, path: &Path) -> anyhow::Result<()> {
    let config = globals.config()?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let store = open_store(&config.database_url).await?;
    let report = crate::interop::roster::import(&store, &text).await?;
    println!("{}", report.summary());
    for problem in &report.problems {
        println!("{problem}");
    }
    Ok(())
}

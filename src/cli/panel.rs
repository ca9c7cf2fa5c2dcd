//! `roundtable panel export` and `roundtable panel import`: the panel roster as CSV; and
//! `roundtable panel erase EMAIL`: a panelist erased, everywhere but in earlier backups.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use super::{open_store, Globals};
use crate::column::{Column, ColumnError, PostViewCache};
use crate::store::ErasedAnswers;

/// The subcommands of `panel`.
#[derive(Debug, Subcommand)]
pub enum PanelCommand {
    /// Write the roster to a CSV file.
    Export { file: PathBuf },
    /// Add or update panelists from a CSV file (by email); unreadable rows are listed with
    /// their line numbers and skipped.
    Import { file: PathBuf },
    /// Erase a panelist: profile, email address and photo, their invitations and the mail sent
    /// to them; each of their answers removed or kept as anonymous. Backups made before still
    /// hold them.
    Erase {
        email: String,
        /// What becomes of their answers: `anonymous` keeps each in its post signed
        /// "Anonymous"; `remove` deletes them, from published posts too.
        #[arg(long, value_enum)]
        answers: AnswersChoice,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnswersChoice {
    Anonymous,
    Remove,
}

/// Runs one of the subcommands of `panel`.
pub async fn run(command: PanelCommand, globals: Globals) -> anyhow::Result<()> {
    match command {
        PanelCommand::Export { file } => export(globals, &file).await,
        PanelCommand::Import { file } => import(globals, &file).await,
        PanelCommand::Erase { email, answers } => erase(globals, &email, answers).await,
    }
}

/// Erases the panelist and says what it did.
async fn erase(globals: Globals, email: &str, answers: AnswersChoice) -> anyhow::Result<()> {
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    let column = Column::load(&config, store, PostViewCache::new(false))?;
    let answers = match answers {
        AnswersChoice::Anonymous => ErasedAnswers::KeptAnonymous,
        AnswersChoice::Remove => ErasedAnswers::Removed,
    };
    let done = match crate::column::panel::erase(&column, email, answers).await {
        Ok(done) => done,
        Err(ColumnError::Refused(why)) => anyhow::bail!(why),
        Err(e) => return Err(e.into()),
    };
    let what = match answers {
        ErasedAnswers::KeptAnonymous => "kept as anonymous",
        ErasedAnswers::Removed => "removed",
    };
    println!(
        "erased {email}: {} answers {what}, {} posts rebuilt, {} messages stripped; backups made before still hold them",
        done.answers, done.posts, done.mails
    );
    Ok(())
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

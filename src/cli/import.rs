//! `roundtable import wxr`: a WordPress export brought in, all or nothing.

use std::path::PathBuf;

use clap::Subcommand;

use super::{open_store, Globals};

/// The subcommands of `import`: one for each system content comes from.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a WordPress export (WXR 1.0–1.2): posts, pages, tags, categories, comments,
    /// authors (as editors without passwords), attachments (as links) and old addresses
    /// (as redirects). All or nothing; importing the same file again changes nothing.
    Wxr {
        /// The .xml file WordPress's Tools → Export wrote.
        file: PathBuf,
        /// Split roundup posts ("Name, Title, Institution: answer…") into signed answers.
        #[arg(long)]
        split_answers: bool,
        /// A copy of the site's wp-content/uploads folder: the images posts show from it are
        /// stored in the database and served by Roundtable instead of linked from the old site.
        #[arg(long, value_name = "DIR")]
        uploads: Option<PathBuf>,
    },
}

/// Imports the file and prints the import's report, line by line.
pub async fn run(command: ImportCommand, globals: Globals) -> anyhow::Result<()> {
    let ImportCommand::Wxr {
        file: path,
        split_answers,
        uploads,
    } = command;
    if let Some(dir) = uploads.as_ref().filter(|d| !d.is_dir()) {
        anyhow::bail!(
            "{} is not a folder; give --uploads the copy of wp-content/uploads",
            dir.display()
        );
    }
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    let report =
        crate::interop::import::import_file_with(&store, &path, split_answers, uploads.as_deref())
            .await?;
    for line in report.lines() {
        println!("{line}");
    }
    Ok(())
}

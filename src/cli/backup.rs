//! `roundtable backup` and `roundtable restore`: a copy of the database to a file, and back.

use std::path::PathBuf;

use clap::Args;

use super::Globals;

/// The argument of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the backup; must not exist yet.
    file: PathBuf,
}

/// The argument of `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore.
    file: PathBuf,
}

/// Writes a consistent copy of the database to the file.
pub async fn backup(args: BackupArgs, globals: Globals) -> anyhow::Result<()> {
    let config = globals.config()?;
    crate::backup::backup(&config.database_url, &args.file).await?;
    println!(
        "backed up {} to {}",
        config.database_url.display(),
        args.file.display()
    );
    Ok(())
}

/// Replaces the database with the backup in the file.
pub async fn restore(args: RestoreArgs, globals: Globals) -> anyhow::Result<()> {
    let config = globals.config()?;
    crate::backup::restore(&config.database_url, &args.file).await?;
    println!(
        "restored {} from {}",
        config.database_url.display(),
        args.file.display()
    );
    Ok(())
}

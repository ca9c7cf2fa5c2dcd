//! `roundtable backup FILE` and `roundtable restore FILE`. On SQLite a backup is a consistent
//! copy taken while the server runs (`VACUUM INTO`); on PostgreSQL it is `pg_dump`'s custom
//! format, restored with `pg_restore`.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use crate::store::{DatabaseUrl, Store};

/// Writes a consistent copy of the database to `file`, which must not exist yet.
pub async fn backup(url: &DatabaseUrl, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!(
            "{} already exists; choose a new file name for the backup",
            file.display()
        );
    }
    match url {
        DatabaseUrl::Sqlite(_) => {
            let store = Store::connect(url).await?;
            store
                .copy_into(file)
                .await
                .with_context(|| format!("cannot write the backup to {}", file.display()))?;
            store.close().await;
            Ok(())
        }
        DatabaseUrl::Postgres(address) => run(
            Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(file)
                .arg(address),
            "pg_dump",
        ),
    }
}

/// Replaces the database's contents with the backup in `file`. Stop `serve` first.
pub async fn restore(url: &DatabaseUrl, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!(
            "{} does not exist or is not a file; give the path of a backup",
            file.display()
        );
    }
    match url {
        DatabaseUrl::Sqlite(target) => {
            // Check the backup before touching anything: it must be a Roundtable database this
            // program can read.
            let backup = Store::connect(&DatabaseUrl::Sqlite(file.to_path_buf()))
                .await
                .with_context(|| format!("{} is not a SQLite database", file.display()))?;
            let version = backup.schema_version().await.unwrap_or(0);
            backup.close().await;
            if version == 0 {
                bail!(
                    "{} is not a Roundtable backup (it has no Roundtable tables)",
                    file.display()
                );
            }
            if version > backup.known_schema_version() {
                bail!(
                    "{} was written by a newer Roundtable; install it to restore this backup",
                    file.display()
                );
            }
            // Copy beside the target, then rename over it, so a failure leaves the old file.
            let staging = target.with_extension("restoring");
            std::fs::copy(file, &staging)
                .with_context(|| format!("cannot copy the backup next to {}", target.display()))?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
            }
            std::fs::rename(&staging, target)
                .with_context(|| format!("cannot replace {}", target.display()))?;
            Ok(())
        }
        DatabaseUrl::Postgres(address) => run(
            Command::new("pg_restore")
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                ])
                .arg(address)
                .arg(file),
            "pg_restore",
        ),
    }
}

/// Runs a PostgreSQL client tool, turning its failure into one line.
fn run(command: &mut Command, tool: &str) -> anyhow::Result<()> {
    let output = command.output().map_err(|e| {
        anyhow::anyhow!("cannot run {tool} ({e}); install the PostgreSQL client tools (Debian: postgresql-client)")
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message");
    bail!("{tool} failed: {first}")
}

//! `roundtable migrate`: creates the database or brings its schema up to date.

use super::{open_store, Globals};

/// Opens (and so migrates) the database and prints the schema version it is at.
pub async fn run(globals: Globals) -> anyhow::Result<()> {
    let config = globals.config()?;
    let store = open_store(&config.database_url).await?;
    println!(
        "{} is at schema version {}",
        config.database_url.display(),
        store.schema_version().await?
    );
    Ok(())
}

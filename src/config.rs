//! Settings, layered: built-in defaults, then `roundtable.toml`, then `ROUNDTABLE_*`
//! environment variables and command-line flags (clap merges those two, flags winning).
//! Unknown keys in the file are reported, not silently ignored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

use crate::store::DatabaseUrl;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://roundtable.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The settings file's keys; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileSettings {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub theme: Option<PathBuf>,
    pub base_url: Option<String>,
    pub page_cache: Option<bool>,
}

const KNOWN_KEYS: &[&str] = &["database_url", "addr", "theme", "base_url", "page_cache"];

impl FileSettings {
    /// Reads the settings file. A missing file is fine unless it was named explicitly.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileSettings> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("roundtable.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(FileSettings::default())
            }
            Err(e) => bail!("cannot read the settings file {}: {e}", path.display()),
        };
        let table: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML; fix the line named", path.display()))?;
        for key in table.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
            tracing::warn!(
                "{}: unknown setting '{key}' is ignored (known: {})",
                path.display(),
                KNOWN_KEYS.join(", ")
            );
        }
        table
            .try_into()
            .with_context(|| format!("{} has a setting of the wrong type", path.display()))
    }
}

/// Everything `serve` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub addr: SocketAddr,
    pub theme: Option<PathBuf>,
    pub base_url: Option<String>,
    /// Keep rendered pages in memory (on unless turned off for benchmarks or debugging).
    pub page_cache: bool,
}

impl Config {
    /// Picks each setting from the flag or variable, else the file, else the default.
    pub fn resolve(
        file: FileSettings,
        database_url: Option<String>,
        addr: Option<String>,
        theme: Option<PathBuf>,
        base_url: Option<String>,
    ) -> anyhow::Result<Config> {
        let database_url = database_url
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let database_url = DatabaseUrl::parse(&database_url)?;
        let addr_text = addr
            .or(file.addr)
            .unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            anyhow::anyhow!("'{addr_text}' is not an address to listen on: write IP:PORT, for example 127.0.0.1:8080")
        })?;
        let theme = theme.or(file.theme);
        if let Some(dir) = &theme {
            if !dir.is_dir() {
                bail!(
                    "the theme folder {} does not exist: create it or leave out --theme",
                    dir.display()
                );
            }
        }
        let base_url = base_url
            .or(file.base_url)
            .map(|u| u.trim_end_matches('/').to_string());
        if let Some(url) = &base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("the base URL '{url}' must start with http:// or https://");
            }
        }
        let page_cache = file.page_cache.unwrap_or(true);
        Ok(Config {
            database_url,
            addr,
            theme,
            base_url,
            page_cache,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file = FileSettings {
            database_url: Some("sqlite://from-file.db".into()),
            addr: Some("127.0.0.1:9000".into()),
            ..Default::default()
        };
        let config =
            Config::resolve(file, Some("sqlite://flag.db".into()), None, None, None).unwrap();
        assert_eq!(config.database_url, DatabaseUrl::Sqlite("flag.db".into()));
        assert_eq!(config.addr.port(), 9000);
        let config = Config::resolve(FileSettings::default(), None, None, None, None).unwrap();
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
    }

    #[test]
    fn a_bad_address_is_explained() {
        let err = Config::resolve(
            FileSettings::default(),
            None,
            Some("localhost".into()),
            None,
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("IP:PORT"), "{err}");
    }
}

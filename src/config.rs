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
pub const DEFAULT_SMTP_HOST: &str = "127.0.0.1";
pub const DEFAULT_SMTP_PORT: u16 = 25;
pub const DEFAULT_SENDER: &str = "roundtable@localhost";
pub const DEFAULT_COMMENT_RATE_MAX: i64 = 5;

/// The settings file's keys; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileSettings {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub theme: Option<PathBuf>,
    pub base_url: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub sender: Option<String>,
    /// DKIM: a private key file (RSA in PKCS#1 PEM, or an Ed25519 key as base64), the selector
    /// published in DNS, the signing domain (default: the sender's) and the algorithm.
    pub dkim_key_file: Option<PathBuf>,
    pub dkim_selector: Option<String>,
    pub dkim_domain: Option<String>,
    pub dkim_algorithm: Option<String>,
    pub page_cache: Option<bool>,
    pub comment_rate_max: Option<i64>,
}

const KNOWN_KEYS: &[&str] = &[
    "database_url",
    "addr",
    "theme",
    "base_url",
    "smtp_host",
    "smtp_port",
    "smtp_username",
    "smtp_password",
    "sender",
    "dkim_key_file",
    "dkim_selector",
    "dkim_domain",
    "dkim_algorithm",
    "page_cache",
    "comment_rate_max",
];

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
    /// Comments accepted from one address in ten minutes; more get "please wait".
    pub comment_rate_max: i64,
    pub mail: MailSettings,
}

impl Config {
    /// Picks each setting from the flag or variable, else the file, else the default.
    pub fn resolve(
        file: FileSettings,
        database_url: Option<String>,
        addr: Option<String>,
        theme: Option<PathBuf>,
        base_url: Option<String>,
        mail: MailFlags,
    ) -> anyhow::Result<Config> {
        let mail = MailSettings::resolve(&file, mail)?;
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
        let comment_rate_max = file.comment_rate_max.unwrap_or(DEFAULT_COMMENT_RATE_MAX);
        if comment_rate_max < 1 {
            bail!("comment_rate_max must be 1 or more (comments from one address in ten minutes)");
        }
        Ok(Config {
            database_url,
            addr,
            theme,
            base_url,
            page_cache,
            comment_rate_max,
            mail,
        })
    }
}

/// The mail settings given as flags or `ROUNDTABLE_*` variables; `None` means not given.
#[derive(Debug, Clone, Default)]
pub struct MailFlags {
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_username: Option<String>,
    /// Only ever from the environment or the file: a flag would show it to `ps`.
    pub smtp_password: Option<String>,
    pub sender: Option<String>,
}

/// Where and as whom mail is sent: an SMTP server reached without TLS (a local relay such as
/// Postfix, which does the encrypted delivery onwards), optionally with a username and password.
#[derive(Clone)]
pub struct MailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The SMTP login, when the server asks for one: username and password.
    pub smtp_login: Option<(String, String)>,
    /// The `From` of every message, such as `Roundtable <column@example.org>`.
    pub sender: lettre::message::Mailbox,
    /// Signs every message with DKIM when a key is configured.
    pub dkim: Option<std::sync::Arc<lettre::message::dkim::DkimConfig>>,
}

impl MailSettings {
    /// Picks each mail setting from the flag or variable, else the file, else the default.
    pub fn resolve(file: &FileSettings, flags: MailFlags) -> anyhow::Result<MailSettings> {
        let smtp_host = flags
            .smtp_host
            .or_else(|| file.smtp_host.clone())
            .unwrap_or_else(|| DEFAULT_SMTP_HOST.to_string());
        if smtp_host.trim().is_empty() {
            bail!(
                "the SMTP host is empty: name the mail server, for example --smtp-host 127.0.0.1"
            );
        }
        let smtp_port = flags
            .smtp_port
            .or(file.smtp_port)
            .unwrap_or(DEFAULT_SMTP_PORT);
        let username = flags.smtp_username.or_else(|| file.smtp_username.clone());
        let password = flags.smtp_password.or_else(|| file.smtp_password.clone());
        let smtp_login = match (username, password) {
            (Some(username), Some(password)) => Some((username, password)),
            (None, None) => None,
            (Some(_), None) => bail!(
                "an SMTP username is set but no password: set ROUNDTABLE_SMTP_PASSWORD or smtp_password"
            ),
            (None, Some(_)) => bail!(
                "an SMTP password is set but no username: set --smtp-username or smtp_username"
            ),
        };
        let sender_text = flags
            .sender
            .or_else(|| file.sender.clone())
            .unwrap_or_else(|| DEFAULT_SENDER.to_string());
        let sender = sender_text.parse().map_err(|_| {
            anyhow::anyhow!(
                "the sender '{sender_text}' is not an address like column@example.org or \"The Column <column@example.org>\""
            )
        })?;
        let dkim = dkim_config(file, &sender)?.map(std::sync::Arc::new);
        Ok(MailSettings {
            smtp_host: smtp_host.trim().to_string(),
            smtp_port,
            smtp_login,
            sender,
            dkim,
        })
    }
}

/// The DKIM signing configuration, when the settings file names a key.
fn dkim_config(
    file: &FileSettings,
    sender: &lettre::message::Mailbox,
) -> anyhow::Result<Option<lettre::message::dkim::DkimConfig>> {
    use lettre::message::dkim::{
        DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
        DkimSigningKey,
    };
    use lettre::message::header::HeaderName;
    let Some(path) = &file.dkim_key_file else {
        return Ok(None);
    };
    let Some(selector) = file.dkim_selector.clone() else {
        bail!("dkim_key_file is set but dkim_selector is not: add the selector published in DNS");
    };
    let algorithm = match file.dkim_algorithm.as_deref().unwrap_or("rsa") {
        "rsa" => DkimSigningAlgorithm::Rsa,
        "ed25519" => DkimSigningAlgorithm::Ed25519,
        other => bail!("dkim_algorithm '{other}' is not known: use rsa or ed25519"),
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the DKIM key {}", path.display()))?;
    let key = DkimSigningKey::new(text.trim(), algorithm).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a DKIM key ({e:?}): give an RSA key in PKCS#1 PEM or an Ed25519 key in base64",
            path.display()
        )
    })?;
    let domain = file
        .dkim_domain
        .clone()
        .unwrap_or_else(|| sender.email.domain().to_string());
    // Relaxed header canonicalization: the signature header is folded when written, which the
    // "simple" form would count as a change.
    let headers = ["From", "Subject", "To", "Date", "Message-ID"]
        .map(HeaderName::new_from_ascii_str)
        .to_vec();
    let canonicalization = DkimCanonicalization {
        header: DkimCanonicalizationType::Relaxed,
        body: DkimCanonicalizationType::Relaxed,
    };
    Ok(Some(DkimConfig::new(
        selector,
        domain,
        key,
        headers,
        canonicalization,
    )))
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings::resolve(&FileSettings::default(), MailFlags::default())
            .expect("the default mail settings are valid")
    }
}

/// Shows everything but the password.
impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field(
                "smtp_username",
                &self.smtp_login.as_ref().map(|(username, _)| username),
            )
            .field("sender", &self.sender.to_string())
            .field("dkim", &self.dkim.is_some())
            .finish()
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
        let config = Config::resolve(
            file,
            Some("sqlite://flag.db".into()),
            None,
            None,
            None,
            MailFlags::default(),
        )
        .unwrap();
        assert_eq!(config.database_url, DatabaseUrl::Sqlite("flag.db".into()));
        assert_eq!(config.addr.port(), 9000);
        let config = Config::resolve(
            FileSettings::default(),
            None,
            None,
            None,
            None,
            MailFlags::default(),
        )
        .unwrap();
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
            MailFlags::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("IP:PORT"), "{err}");
    }

    #[test]
    fn mail_settings_default_to_a_local_relay_on_port_25() {
        let mail = MailSettings::default();
        assert_eq!(mail.smtp_host, "127.0.0.1");
        assert_eq!(mail.smtp_port, 25);
        assert_eq!(mail.sender.email.to_string(), "roundtable@localhost");
        assert!(mail.smtp_login.is_none());
    }

    #[test]
    fn mail_flags_win_over_the_file() {
        let file = FileSettings {
            smtp_host: Some("mail.example.org".into()),
            smtp_port: Some(587),
            sender: Some("The Column <column@example.org>".into()),
            ..Default::default()
        };
        let flags = MailFlags {
            smtp_port: Some(2525),
            ..Default::default()
        };
        let mail = MailSettings::resolve(&file, flags).unwrap();
        assert_eq!(mail.smtp_host, "mail.example.org");
        assert_eq!(mail.smtp_port, 2525);
        assert_eq!(mail.sender.name.as_deref(), Some("The Column"));
    }

    #[test]
    fn the_smtp_password_never_shows_in_debug_output() {
        let flags = MailFlags {
            smtp_username: Some("column".into()),
            smtp_password: Some("hunter2".into()),
            ..Default::default()
        };
        let mail = MailSettings::resolve(&FileSettings::default(), flags).unwrap();
        let shown = format!("{mail:?}");
        assert!(
            shown.contains("column") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn a_malformed_sender_or_half_a_login_is_explained() {
        let bad_sender = MailFlags {
            sender: Some("not an address".into()),
            ..Default::default()
        };
        let err = MailSettings::resolve(&FileSettings::default(), bad_sender).unwrap_err();
        assert!(err.to_string().contains("not an address like"), "{err}");
        let half_login = MailFlags {
            smtp_username: Some("column".into()),
            ..Default::default()
        };
        let err = MailSettings::resolve(&FileSettings::default(), half_login).unwrap_err();
        assert!(
            err.to_string().contains("ROUNDTABLE_SMTP_PASSWORD"),
            "{err}"
        );
    }
}

//! Settings, layered: built-in defaults, then `roundtable.toml`, then `ROUNDTABLE_*`
//! environment variables and command-line flags (clap merges those two, flags winning).
//! Unknown keys in the file are reported, not silently ignored.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use ipnet::IpNet;
use serde::Deserialize;

use crate::store::DatabaseUrl;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://roundtable.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_SMTP_HOST: &str = "127.0.0.1";
pub const DEFAULT_SMTP_PORT: u16 = 25;
pub const DEFAULT_SENDER: &str = "roundtable@localhost";
pub const DEFAULT_COMMENT_RATE_MAX: i64 = 5;
pub const DEFAULT_FORM_RATE_MAX: i64 = 10;

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
    pub form_rate_max: Option<i64>,
    pub trusted_proxies: Option<Vec<String>>,
    pub smtp_tls: Option<String>,
    pub smtp_ca_file: Option<PathBuf>,
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
    "form_rate_max",
    "trusted_proxies",
    "smtp_tls",
    "smtp_ca_file",
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
    /// The site's public address, without a final `/`: the source of every absolute link.
    /// `None` only where no link is made (or, in tests, the address the server is bound to).
    pub base_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Keep rendered pages in memory (on unless turned off for benchmarks or debugging).
    pub page_cache: bool,
    /// Comments accepted from one address in ten minutes; more get "please wait".
    pub comment_rate_max: i64,
    /// Sendings of each of the suggest, join and subscribe forms accepted from one address in
    /// an hour.
    pub form_rate_max: i64,
    pub mail: MailSettings,
}

/// The settings given as flags or `ROUNDTABLE_*` variables; `None` means not given.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub theme: Option<PathBuf>,
    pub base_url: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub mail: MailFlags,
}

impl Flags {
    /// Only the database: what commands that serve nothing and send nothing need.
    /// The file's mail settings are still checked, so the password comes from the environment
    /// as it does for `serve`.
    pub fn database(database_url: Option<String>) -> Flags {
        Flags {
            database_url,
            mail: MailFlags {
                smtp_password: std::env::var("ROUNDTABLE_SMTP_PASSWORD").ok(),
                ..MailFlags::default()
            },
            ..Flags::default()
        }
    }
}

impl Config {
    /// Picks each setting from the flag or variable, else the file, else the default.
    pub fn resolve(file: FileSettings, flags: Flags) -> anyhow::Result<Config> {
        let mail = MailSettings::resolve(&file, flags.mail)?;
        let database_url = flags
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let database_url = DatabaseUrl::parse(&database_url)?;
        let addr_text = flags
            .addr
            .or(file.addr)
            .unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            anyhow::anyhow!("'{addr_text}' is not an address to listen on: write IP:PORT, for example 127.0.0.1:8080")
        })?;
        let theme = flags.theme.or(file.theme);
        if let Some(dir) = &theme {
            if !dir.is_dir() {
                bail!(
                    "the theme folder {} does not exist: create it or leave out --theme",
                    dir.display()
                );
            }
        }
        let base_url = flags
            .base_url
            .or(file.base_url)
            .map(|u| parse_base_url(&u))
            .transpose()?;
        let trusted_proxies = flags
            .trusted_proxies
            .or(file.trusted_proxies)
            .unwrap_or_default()
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| parse_proxy(p))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let page_cache = file.page_cache.unwrap_or(true);
        let comment_rate_max = file.comment_rate_max.unwrap_or(DEFAULT_COMMENT_RATE_MAX);
        if comment_rate_max < 1 {
            bail!("comment_rate_max must be 1 or more (comments from one address in ten minutes)");
        }
        let form_rate_max = file.form_rate_max.unwrap_or(DEFAULT_FORM_RATE_MAX);
        if form_rate_max < 1 {
            bail!("form_rate_max must be 1 or more (sendings of a public form from one address in an hour)");
        }
        Ok(Config {
            database_url,
            addr,
            theme,
            base_url,
            trusted_proxies,
            page_cache,
            comment_rate_max,
            form_rate_max,
            mail,
        })
    }

    /// The base URL, or this server's own address where none is set (exports run on this
    /// machine; `serve` has required one before it gets here).
    pub fn base_url_or_local(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
    }

    /// What `serve` needs beyond the rest: a base URL, which only a demo on this machine may
    /// leave out (it then is `http://ADDR`). Links are never built from a request's `Host`.
    pub fn require_base_url(&mut self, demo: bool) -> anyhow::Result<()> {
        if self.base_url.is_some() {
            return Ok(());
        }
        if demo && self.addr.ip().is_loopback() {
            self.base_url = Some(format!("http://{}", self.addr));
            return Ok(());
        }
        bail!(
            "no base URL: set the site's public address with --base-url https://column.example.org (or ROUNDTABLE_BASE_URL, or base_url in roundtable.toml)"
        )
    }
}

/// A base URL: `http://` or `https://`, a host, optionally a path; a final `/` is dropped.
fn parse_base_url(text: &str) -> anyhow::Result<String> {
    let url = text.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or_default());
    match host {
        Some(host)
            if !host.is_empty()
                && !url.contains(['?', '#'])
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) =>
        {
            Ok(url.to_string())
        }
        _ => bail!("the base URL '{text}' must be http:// or https:// and a host name, for example https://column.example.org"),
    }
}

/// One entry of `trusted_proxies`: an address (`127.0.0.1`, `::1`) or a network (`10.0.0.0/8`).
fn parse_proxy(text: &str) -> anyhow::Result<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            anyhow::anyhow!(
                "'{text}' in trusted_proxies is not an address or network: write for example 127.0.0.1, ::1 or 10.0.0.0/8"
            )
        })
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
    pub smtp_tls: Option<String>,
    pub smtp_ca_file: Option<PathBuf>,
}

/// How the connection to the SMTP server is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP, upgraded with STARTTLS, which the server must offer (submission, port 587).
    Starttls,
    /// TLS from the first byte ("SMTPS", port 465).
    Tls,
    /// STARTTLS when the server offers it, plain otherwise (a relay on port 25).
    Opportunistic,
    /// Never encrypted: only for a relay on this machine.
    None,
}

impl SmtpTls {
    /// How the editor's settings page names it.
    pub fn describe(self) -> &'static str {
        match self {
            SmtpTls::Starttls => "STARTTLS",
            SmtpTls::Tls => "TLS",
            SmtpTls::Opportunistic => "STARTTLS when offered",
            SmtpTls::None => "unencrypted",
        }
    }

    /// The setting as written or, when it is not set, the usual choice for the port: a relay on
    /// this machine is spoken to plainly (nothing crosses the network, and Debian's Postfix
    /// shows a self-signed certificate), a password never goes out unencrypted, and any other
    /// server is asked for STARTTLS when it offers it.
    fn resolve(text: Option<&str>, port: u16, host: &str, login: bool) -> anyhow::Result<SmtpTls> {
        Ok(match text.map(str::trim) {
            Some("starttls") => SmtpTls::Starttls,
            Some("tls") => SmtpTls::Tls,
            Some("none") => SmtpTls::None,
            Some(other) => bail!("smtp_tls '{other}' is not known: use starttls, tls or none"),
            None => match port {
                587 => SmtpTls::Starttls,
                465 => SmtpTls::Tls,
                _ if is_loopback_host(host) => SmtpTls::None,
                _ if login => SmtpTls::Starttls,
                _ => SmtpTls::Opportunistic,
            },
        })
    }
}

/// Where and as whom mail is sent: an SMTP server, over TLS unless told otherwise, optionally
/// with a username and password.
#[derive(Clone)]
pub struct MailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub tls: SmtpTls,
    /// A PEM file of certificates trusted beside the system's roots (a private CA), as read.
    pub ca_pem: Option<Vec<u8>>,
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
        let smtp_host = smtp_host.trim().to_string();
        let tls = SmtpTls::resolve(
            flags.smtp_tls.as_deref().or(file.smtp_tls.as_deref()),
            smtp_port,
            &smtp_host,
            smtp_login.is_some(),
        )?;
        if tls == SmtpTls::None && smtp_login.is_some() && !is_loopback_host(&smtp_host) {
            bail!(
                "smtp_tls is none but a password is set for {smtp_host}: the password would cross the network unencrypted; use smtp_tls starttls or tls"
            );
        }
        let ca_pem = match flags.smtp_ca_file.or_else(|| file.smtp_ca_file.clone()) {
            Some(path) => Some(read_ca_file(&path)?),
            None => None,
        };
        Ok(MailSettings {
            smtp_host,
            smtp_port,
            tls,
            ca_pem,
            smtp_login,
            sender,
            dkim,
        })
    }
}

/// True for `localhost` and loopback addresses: a server on this machine.
fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Reads `smtp_ca_file` and checks that it holds certificates in PEM.
fn read_ca_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read smtp_ca_file {}", path.display()))?;
    if lettre::transport::smtp::client::Certificate::from_pem(&pem).is_err()
        || !String::from_utf8_lossy(&pem).contains("BEGIN CERTIFICATE")
    {
        bail!(
            "smtp_ca_file {} holds no certificate: give the CA's certificate in PEM (-----BEGIN CERTIFICATE-----)",
            path.display()
        );
    }
    Ok(pem)
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
            .field("tls", &self.tls)
            .field("ca_file", &self.ca_pem.is_some())
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
        let config =
            Config::resolve(file, Flags::database(Some("sqlite://flag.db".into()))).unwrap();
        assert_eq!(config.database_url, DatabaseUrl::Sqlite("flag.db".into()));
        assert_eq!(config.addr.port(), 9000);
        let config = Config::resolve(FileSettings::default(), Flags::default()).unwrap();
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
    }

    #[test]
    fn a_bad_address_is_explained() {
        let flags = Flags {
            addr: Some("localhost".into()),
            ..Flags::default()
        };
        let err = Config::resolve(FileSettings::default(), flags).unwrap_err();
        assert!(err.to_string().contains("IP:PORT"), "{err}");
    }

    #[test]
    fn serve_needs_a_base_url_unless_a_demo_runs_on_loopback() {
        let resolve = |addr: &str, base: Option<&str>| {
            let flags = Flags {
                addr: Some(addr.into()),
                base_url: base.map(String::from),
                ..Flags::default()
            };
            Config::resolve(FileSettings::default(), flags).unwrap()
        };
        let mut config = resolve("127.0.0.1:8080", None);
        let err = config.require_base_url(false).unwrap_err();
        assert!(err.to_string().contains("--base-url"), "{err}");
        config.require_base_url(true).unwrap();
        assert_eq!(config.base_url.as_deref(), Some("http://127.0.0.1:8080"));
        let mut public = resolve("0.0.0.0:8080", None);
        assert!(public.require_base_url(true).is_err());
        let mut given = resolve("0.0.0.0:8080", Some("https://column.example.org/"));
        given.require_base_url(false).unwrap();
        assert_eq!(
            given.base_url.as_deref(),
            Some("https://column.example.org")
        );
    }

    #[test]
    fn a_base_url_must_be_a_web_address_with_a_host() {
        for bad in [
            "column.example.org",
            "ftp://x",
            "https://",
            "https://a b/",
            "http://evil<x>",
        ] {
            let flags = Flags {
                base_url: Some(bad.into()),
                ..Flags::default()
            };
            let err = Config::resolve(FileSettings::default(), flags).unwrap_err();
            assert!(err.to_string().contains("base URL"), "{bad}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_take_addresses_and_networks_and_explain_the_rest() {
        let flags = Flags {
            trusted_proxies: Some(vec!["127.0.0.1".into(), "::1".into(), "10.0.0.0/8".into()]),
            ..Flags::default()
        };
        let config = Config::resolve(FileSettings::default(), flags).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(config
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&ip("10.1.2.3"))));
        assert!(config
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&ip("::1"))));
        assert!(!config
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&ip("192.0.2.1"))));
        let flags = Flags {
            trusted_proxies: Some(vec!["proxy.local".into()]),
            ..Flags::default()
        };
        let err = Config::resolve(FileSettings::default(), flags).unwrap_err();
        assert!(
            err.to_string().contains("'proxy.local' in trusted_proxies"),
            "{err}"
        );
    }

    #[test]
    fn smtp_tls_follows_the_port_unless_set() {
        let with = |host: &str, port: u16, tls: Option<&str>, login: bool| {
            let flags = MailFlags {
                smtp_host: Some(host.into()),
                smtp_port: Some(port),
                smtp_tls: tls.map(String::from),
                smtp_username: login.then(|| "column".into()),
                smtp_password: login.then(|| "hunter2".into()),
                ..Default::default()
            };
            MailSettings::resolve(&FileSettings::default(), flags).map(|m| m.tls)
        };
        let remote = "smtp.example.org";
        assert_eq!(with(remote, 587, None, false).unwrap(), SmtpTls::Starttls);
        assert_eq!(with(remote, 465, None, false).unwrap(), SmtpTls::Tls);
        assert_eq!(
            with(remote, 25, None, false).unwrap(),
            SmtpTls::Opportunistic
        );
        // A password is never sent where STARTTLS could be stripped.
        assert_eq!(with(remote, 25, None, true).unwrap(), SmtpTls::Starttls);
        // A relay on this machine: nothing crosses the network.
        assert_eq!(with("127.0.0.1", 25, None, true).unwrap(), SmtpTls::None);
        assert_eq!(
            with("127.0.0.1", 587, None, false).unwrap(),
            SmtpTls::Starttls
        );
        assert_eq!(
            with(remote, 2525, Some("tls"), false).unwrap(),
            SmtpTls::Tls
        );
        let err = with(remote, 25, Some("ssl"), false).unwrap_err();
        assert!(err.to_string().contains("starttls, tls or none"));
    }

    #[test]
    fn a_password_never_goes_unencrypted_to_another_machine() {
        let flags = |host: &str| MailFlags {
            smtp_host: Some(host.into()),
            smtp_tls: Some("none".into()),
            smtp_username: Some("column".into()),
            smtp_password: Some("hunter2".into()),
            ..Default::default()
        };
        let err =
            MailSettings::resolve(&FileSettings::default(), flags("smtp.example.org")).unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{err}");
        assert!(MailSettings::resolve(&FileSettings::default(), flags("127.0.0.1")).is_ok());
        assert!(MailSettings::resolve(&FileSettings::default(), flags("localhost")).is_ok());
    }

    #[test]
    fn an_smtp_ca_file_without_a_certificate_is_refused() {
        let dir = std::env::temp_dir().join(format!("rt-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let flags = MailFlags {
            smtp_ca_file: Some(path.clone()),
            ..Default::default()
        };
        let err = MailSettings::resolve(&FileSettings::default(), flags).unwrap_err();
        assert!(err.to_string().contains("holds no certificate"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
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

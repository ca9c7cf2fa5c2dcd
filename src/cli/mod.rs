//! The command line: `serve`, `generate`, `migrate`, `user`, `import`, `export`, `panel`,
//! `outbox`, `backup` and `restore`, each a thin layer over the library in a file of its own.
//! Here are the flags every command shares, the dispatch, and how a run ends: every failure as
//! one line on standard error and a non-zero exit code.

mod backup;
mod export;
mod generate;
mod import;
mod migrate;
mod outbox;
mod panel;
mod serve;
mod user;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, FileSettings, Flags, MailFlags};
use crate::store::{DatabaseUrl, Store};

#[derive(Debug, Parser)]
#[command(
    name = "roundtable",
    version,
    about = "Run a recurring panel Q&A column: questions, a panel, rounds by email, published posts.",
    long_about = None,
)]
pub struct Cli {
    /// Settings file (TOML). Default: ./roundtable.toml when it exists.
    #[arg(long, global = true, env = "ROUNDTABLE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Database address: sqlite://PATH (default sqlite://roundtable.db) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "ROUNDTABLE_DATABASE_URL",
        value_name = "URL"
    )]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server (and apply pending database migrations first).
    Serve(serve::ServeArgs),
    /// Fill the database with a synthetic column (panel, posts, answers, comments) for
    /// benchmarks and trying things at scale. The same --seed makes the same column.
    Generate(generate::GenerateArgs),
    /// Create the database or bring its schema up to date, then exit.
    Migrate,
    /// Write a consistent copy of the database to FILE (SQLite: while serve runs; PostgreSQL: pg_dump).
    Backup(backup::BackupArgs),
    /// Replace the database with a backup written by `roundtable backup`. Stop serve first.
    Restore(backup::RestoreArgs),
    /// Manage editor accounts.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Bring content in from another system.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Write the site out: as WordPress WXR, or as static files.
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// The panel roster as CSV.
    Panel {
        #[command(subcommand)]
        command: panel::PanelCommand,
    },
    /// Look at and send the queued email (serve sends it on its own every few seconds).
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
}

/// Where mail goes and whom it is from; the SMTP password is read from
/// ROUNDTABLE_SMTP_PASSWORD (or smtp_password in the settings file), never from a flag.
#[derive(Debug, Args)]
struct MailArgs {
    /// SMTP server to send mail through [default: 127.0.0.1].
    #[arg(long, env = "ROUNDTABLE_SMTP_HOST", value_name = "HOST")]
    smtp_host: Option<String>,
    /// Port of the SMTP server [default: 25].
    #[arg(long, env = "ROUNDTABLE_SMTP_PORT", value_name = "PORT")]
    smtp_port: Option<u16>,
    /// starttls, tls or none [default: starttls on 587, tls on 465, none on this machine, else
    /// starttls with a password or STARTTLS when offered].
    #[arg(long, env = "ROUNDTABLE_SMTP_TLS", value_name = "MODE")]
    smtp_tls: Option<String>,
    /// A PEM file of CA certificates to trust beside the system's (a private mail server's CA).
    #[arg(long, env = "ROUNDTABLE_SMTP_CA_FILE", value_name = "FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// SMTP login name, when the server asks for one.
    #[arg(long, env = "ROUNDTABLE_SMTP_USERNAME", value_name = "NAME")]
    smtp_username: Option<String>,
    /// The From of every email, e.g. "The Column <column@example.org>" [default: roundtable@localhost].
    #[arg(long, env = "ROUNDTABLE_SENDER", value_name = "ADDRESS")]
    sender: Option<String>,
}

impl MailArgs {
    fn into_flags(self) -> MailFlags {
        MailFlags {
            smtp_host: self.smtp_host,
            smtp_port: self.smtp_port,
            smtp_username: self.smtp_username,
            smtp_password: std::env::var("ROUNDTABLE_SMTP_PASSWORD").ok(),
            sender: self.sender,
            smtp_tls: self.smtp_tls,
            smtp_ca_file: self.smtp_ca_file,
        }
    }
}

/// What every command resolves its configuration from: the settings file, loaded, and
/// `--database-url`.
struct Globals {
    file: FileSettings,
    database_url: Option<String>,
}

impl Globals {
    /// The configuration when the command takes no settings flags of its own.
    fn config(self) -> anyhow::Result<Config> {
        self.config_with(|flags| flags)
    }

    /// The configuration with the command's own flags added to the database's.
    fn config_with(self, own: impl FnOnce(Flags) -> Flags) -> anyhow::Result<Config> {
        Config::resolve(self.file, own(Flags::database(self.database_url)))
    }
}

/// Parses the command line and runs it; the whole program's entry point.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole cause chain on one line.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout as clap writes them; a usage mistake becomes one line.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("error: {first}; run 'roundtable --help' to see what is accepted");
            ExitCode::from(2)
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROUNDTABLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not for a file or the journal.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let globals = Globals {
        file: FileSettings::load(cli.config.as_deref())?,
        database_url: cli.database_url,
    };
    match cli.command {
        Command::Serve(args) => serve::run(args, globals).await,
        Command::Generate(args) => generate::run(args, globals).await,
        Command::Migrate => migrate::run(globals).await,
        Command::Backup(args) => backup::backup(args, globals).await,
        Command::Restore(args) => backup::restore(args, globals).await,
        Command::User { command } => user::run(command, globals).await,
        Command::Import { command } => import::run(command, globals).await,
        Command::Export { command } => export::run(command, globals).await,
        Command::Panel { command } => panel::run(command, globals).await,
        Command::Outbox { command } => outbox::run(command, globals).await,
    }
}

/// Connects and migrates: what every command that touches the database does first.
pub async fn open_store(url: &DatabaseUrl) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    crate::column::migrate(&store).await?;
    Ok(store)
}

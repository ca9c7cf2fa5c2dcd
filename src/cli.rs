//! The command line: `serve`, `generate`, `migrate`, `user`, `import`, `export`, `panel`,
//! `outbox`, `backup` and `restore`, each a thin layer over the library.
//! Every failure ends as one line on standard error and a non-zero exit code.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, FileSettings, Flags, MailFlags};
use crate::domain::Email;
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
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ROUNDTABLE_ADDR", value_name = "IP:PORT")]
        addr: Option<String>,
        /// Fill an empty database with a demo column and print the demo editor's sign-in.
        #[arg(long)]
        demo: bool,
        /// Folder of templates that replace the built-in ones, file by file.
        #[arg(long, env = "ROUNDTABLE_THEME", value_name = "DIR")]
        theme: Option<PathBuf>,
        /// Public address of the site, the source of every link in pages, feeds and emails (e.g.
        /// https://column.example.org). Needed, except for --demo on a loopback address.
        #[arg(long, env = "ROUNDTABLE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
        /// Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
        /// X-Forwarded-Proto are believed [default: none].
        #[arg(
            long,
            env = "ROUNDTABLE_TRUSTED_PROXIES",
            value_name = "ADDRS",
            value_delimiter = ','
        )]
        trusted_proxies: Option<Vec<String>>,
        /// Render every page afresh instead of keeping rendered pages in memory (for benchmarks).
        #[arg(long)]
        no_page_cache: bool,
        /// Keep rendered pages in memory [default: true]; false is the same as --no-page-cache.
        #[arg(long, env = "ROUNDTABLE_PAGE_CACHE", value_name = "BOOL", hide = true)]
        page_cache: Option<bool>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Fill the database with a synthetic column (panel, posts, answers, comments) for
    /// benchmarks and trying things at scale. The same --seed makes the same column.
    Generate {
        /// How many published posts to make (at most 1,000,000).
        #[arg(long, value_name = "N")]
        posts: u64,
        /// Answers per post on average; each post has a third more or less.
        #[arg(long, value_name = "M", default_value_t = 8)]
        answers_per_post: u32,
        /// Comments per post on average (from none to twice this).
        #[arg(long, value_name = "C", default_value_t = 3)]
        comments_per_post: u32,
        /// Seed of the random choices: the same seed gives the same titles, answers and dates.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Add to a database that already has posts or panelists (refused otherwise).
        #[arg(long)]
        append: bool,
    },
    /// Create the database or bring its schema up to date, then exit.
    Migrate,
    /// Write a consistent copy of the database to FILE (SQLite: while serve runs; PostgreSQL: pg_dump).
    Backup {
        /// Where to write the backup; must not exist yet.
        file: PathBuf,
    },
    /// Replace the database with a backup written by `roundtable backup`. Stop serve first.
    Restore {
        /// The backup to restore.
        file: PathBuf,
    },
    /// Manage editor accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bring content in from another system.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write the site out: as WordPress WXR, or as static files.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// The panel roster as CSV.
    Panel {
        #[command(subcommand)]
        command: PanelCommand,
    },
    /// Look at and send the queued email (serve sends it on its own every few seconds).
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import a WordPress export (WXR 1.0–1.2): posts, pages, tags, categories, comments,
    /// authors (as editors without passwords), attachments (as links) and old addresses
    /// (as redirects). All or nothing; importing the same file again changes nothing.
    Wxr {
        /// The .xml file WordPress's Tools → Export wrote.
        file: PathBuf,
        /// Split roundup posts ("Name, Title, Institution: answer…") into signed answers.
        #[arg(long)]
        split_answers: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Everything public as WordPress WXR 1.2, to FILE. No email addresses, and no identity
    /// behind an anonymous or role-only answer.
    Wxr {
        file: PathBuf,
        /// Public address of the site, for links in the file.
        #[arg(long, env = "ROUNDTABLE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
    },
    /// The whole public site as files in DIR, for any web server; only changed files are
    /// rewritten.
    Static {
        dir: PathBuf,
        /// Public address of the site, for feeds and the sitemap.
        #[arg(long, env = "ROUNDTABLE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PanelCommand {
    /// Write the roster to a CSV file.
    Export { file: PathBuf },
    /// Add or update panelists from a CSV file (by email); unreadable rows are listed with
    /// their line numbers and skipped.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Send the mail that is due now, once, and print "sent N, failed N, waiting N".
    ///
    /// Failed attempts are counted and retried later, and still exit 0; only a problem that
    /// stops the whole pass (such as an unreachable database) is an error.
    Run {
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Count the mail waiting, sent and given up on, and list the latest failures.
    Status,
    /// Queue a failed message again, due now, with a fresh set of attempts.
    Retry {
        /// The message's number, as `outbox status` shows it (#ID).
        id: i64,
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

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an editor. The password is asked for at the prompt, or read from standard input.
    Add {
        /// The editor's email address, used to sign in.
        email: String,
        /// The name shown on posts the editor writes (default: the part of the address before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password for an editor, asked for at the prompt or read from standard input.
    Password {
        /// The editor's email address.
        email: String,
    },
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
    let file = FileSettings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            addr,
            demo,
            theme,
            base_url,
            trusted_proxies,
            no_page_cache,
            page_cache,
            mail,
        } => {
            let flags = Flags {
                database_url: cli.database_url,
                addr,
                theme,
                base_url,
                trusted_proxies,
                mail: mail.into_flags(),
            };
            let mut config = Config::resolve(file, flags)?;
            config.require_base_url(demo)?;
            if no_page_cache || page_cache == Some(false) {
                config.page_cache = false;
            } else if page_cache == Some(true) {
                config.page_cache = true;
            }
            serve(config, demo).await
        }
        Command::Generate {
            posts,
            answers_per_post,
            comments_per_post,
            seed,
            append,
        } => {
            let plan = crate::generate::Plan {
                posts,
                answers_per_post,
                comments_per_post,
                seed,
                append,
            };
            // Checked before the database is opened: a typo creates nothing.
            plan.check()?;
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let store = open_store(&config.database_url).await?;
            let started = std::time::Instant::now();
            let report = crate::generate::run(&store, &plan).await?;
            println!(
                "generated {} posts with {} answers and {} comments from a panel of {} in {:.1} s into {}",
                report.posts,
                report.answers,
                report.comments,
                report.panelists,
                started.elapsed().as_secs_f64(),
                config.database_url.display()
            );
            Ok(())
        }
        Command::Migrate => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let store = open_store(&config.database_url).await?;
            println!(
                "{} is at schema version {}",
                config.database_url.display(),
                store.schema_version().await?
            );
            Ok(())
        }
        Command::Backup { file: path } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            crate::backup::backup(&config.database_url, &path).await?;
            println!(
                "backed up {} to {}",
                config.database_url.display(),
                path.display()
            );
            Ok(())
        }
        Command::Restore { file: path } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            crate::backup::restore(&config.database_url, &path).await?;
            println!(
                "restored {} from {}",
                config.database_url.display(),
                path.display()
            );
            Ok(())
        }
        Command::User {
            command: UserCommand::Password { email },
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let email = Email::parse(&email)?;
            let password = read_password()?;
            let hash = crate::auth::hash_password(&password)?;
            let store = open_store(&config.database_url).await?;
            if !store.set_editor_password(email.as_str(), &hash).await? {
                anyhow::bail!(
                    "no editor has the address {email}; add one with 'roundtable user add {email}'"
                );
            }
            println!("the password of {email} is changed");
            Ok(())
        }
        Command::User {
            command: UserCommand::Add { email, name },
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let email = Email::parse(&email)?;
            let password = read_password()?;
            let hash = crate::auth::hash_password(&password)?;
            let store = open_store(&config.database_url).await?;
            let name = name.unwrap_or_else(|| {
                email
                    .as_str()
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            });
            store.create_editor(&email, &name, &hash).await?;
            println!("editor {email} added; sign in at /admin/");
            Ok(())
        }
        Command::Import {
            command:
                ImportCommand::Wxr {
                    file: path,
                    split_answers,
                },
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let store = open_store(&config.database_url).await?;
            let report = crate::interop::import::import_file(&store, &path, split_answers).await?;
            for line in report.lines() {
                println!("{line}");
            }
            Ok(())
        }
        Command::Export {
            command:
                ExportCommand::Wxr {
                    file: path,
                    base_url,
                },
        } => {
            let config = Config::resolve(
                file,
                Flags {
                    base_url,
                    ..Flags::database(cli.database_url)
                },
            )?;
            let store = open_store(&config.database_url).await?;
            let state = crate::web::AppState::build(config, store)?;
            let (xml, counts) =
                crate::interop::export::wxr(&state.column, &state.column.base_url).await?;
            std::fs::write(&path, xml)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!(
                "wrote {}: {} posts, {} pages, {} approved comments",
                path.display(),
                counts.posts,
                counts.pages,
                counts.comments
            );
            Ok(())
        }
        Command::Export {
            command: ExportCommand::Static { dir, base_url },
        } => {
            let config = Config::resolve(
                file,
                Flags {
                    base_url,
                    ..Flags::database(cli.database_url)
                },
            )?;
            let store = open_store(&config.database_url).await?;
            let state = crate::web::AppState::for_export(config, store)?;
            let base = state.column.base_url.clone();
            let router = crate::web::router(state.clone());
            let report =
                crate::interop::static_site::export(router, &state.column, &dir, &base).await?;
            println!(
                "wrote the site to {}: {} files written, {} unchanged, {} removed",
                dir.display(),
                report.written,
                report.unchanged,
                report.removed
            );
            Ok(())
        }
        Command::Panel {
            command: PanelCommand::Export { file: path },
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let store = open_store(&config.database_url).await?;
            let csv = crate::interop::roster::export(&store).await?;
            std::fs::write(&path, csv)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote the roster to {}", path.display());
            Ok(())
        }
        Command::Panel {
            command: PanelCommand::Import { file: path },
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let store = open_store(&config.database_url).await?;
            let report = crate::interop::roster::import(&store, &text).await?;
            println!("{}", report.summary());
            for problem in &report.problems {
                println!("{problem}");
            }
            Ok(())
        }
        Command::Outbox {
            command: OutboxCommand::Run { mail },
        } => {
            let config = Config::resolve(
                file,
                Flags {
                    mail: mail.into_flags(),
                    ..Flags::database(cli.database_url)
                },
            )?;
            let store = open_store(&config.database_url).await?;
            let report = crate::mail::run_once(&store, &config.mail).await?;
            let mut line = format!(
                "sent {}, failed {}, waiting {}",
                report.sent, report.failed, report.waiting
            );
            if let Some(error) = report.last_error {
                line.push_str(&format!("; last error: {error}"));
            }
            println!("{line}");
            Ok(())
        }
        Command::Outbox {
            command: OutboxCommand::Status,
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let store = open_store(&config.database_url).await?;
            let counts = store.outbox_counts().await?;
            println!(
                "waiting {}, sent {}, failed {}",
                counts.pending, counts.sent, counts.failed
            );
            for mail in store.retrying_mail(10).await? {
                println!(
                    "waiting #{} {} to {} after {} failed attempts, retried by itself: {}",
                    mail.id,
                    mail.kind,
                    mail.to_addr,
                    mail.attempts,
                    mail.last_error.as_deref().unwrap_or("no reason recorded")
                );
            }
            for mail in store.failed_mail(10).await? {
                println!(
                    "failed #{} {} to {} after {} attempts: {}",
                    mail.id,
                    mail.kind,
                    mail.to_addr,
                    mail.attempts,
                    mail.last_error.as_deref().unwrap_or("no reason recorded")
                );
            }
            Ok(())
        }
        Command::Outbox {
            command: OutboxCommand::Retry { id },
        } => {
            let config = Config::resolve(file, Flags::database(cli.database_url))?;
            let store = open_store(&config.database_url).await?;
            store.retry_failed(id).await?;
            println!("mail #{id} is queued again and goes out with the next outbox run");
            Ok(())
        }
    }
}

/// Connects and migrates: what every command that touches the database does first.
pub async fn open_store(url: &DatabaseUrl) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    crate::column::migrate(&store).await?;
    Ok(store)
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    // Bind first: a busy port is reported before the database is opened at all.
    let listener = crate::app::bind(config.addr).await?;
    let store = open_store(&config.database_url).await?;
    if demo {
        match crate::demo::load(&store)
            .await
            .context("cannot create the demo column")?
        {
            Some(login) => {
                println!("Demo column created. Editor sign-in (shown once):");
                println!("  email:    {}", login.email);
                println!("  password: {}", login.password);
            }
            None => println!("The database already has content; --demo left it as it is."),
        }
    }
    let app = crate::app::Application::with_listener(listener, config, store)?;
    println!("Roundtable is serving at http://{}/", app.addr());
    app.run_until_stopped().await
}

/// Reads the new editor's password: twice at a terminal, one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    use crate::auth::PasswordError;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        if first.is_empty() {
            return Err(PasswordError::Missing.into());
        }
        let second = rpassword::prompt_password("Same password again: ")
            .context("cannot read the password")?;
        if first != second {
            return Err(PasswordError::Mismatch.into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_string();
        if password.is_empty() {
            return Err(PasswordError::Missing.into());
        }
        Ok(password)
    }
}

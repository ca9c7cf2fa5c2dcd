//! `roundtable serve`: resolves the server's settings, optionally fills an empty database with
//! the demo column, and serves until stopped.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{open_store, Globals, MailArgs};
use crate::config::{Config, Flags};

/// The flags of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
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
}

/// Resolves the settings from the flags, the environment and the file, then serves.
pub async fn run(args: ServeArgs, globals: Globals) -> anyhow::Result<()> {
    let mut config = globals.config_with(|flags| Flags {
        addr: args.addr,
        theme: args.theme,
        base_url: args.base_url,
        trusted_proxies: args.trusted_proxies,
        mail: args.mail.into_flags(),
        ..flags
    })?;
    config.require_base_url(args.demo)?;
    if args.no_page_cache || args.page_cache == Some(false) {
        config.page_cache = false;
    } else if args.page_cache == Some(true) {
        config.page_cache = true;
    }
    serve(config, args.demo).await
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

//! `Application`: the shared state, the bound listener and the mail worker beside it. Tests
//! build it on port 0 and read back the port the system chose.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::bail;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::render::Templates;
use crate::store::Store;
use crate::web::views::PostViewCache;
use crate::web::PageCache;

/// What every request handler can reach.
pub struct AppState {
    /// The site's public address without a final `/`: every absolute link starts with it.
    pub base_url: String,
    pub store: Store,
    pub templates: Templates,
    pub config: Config,
    pub cache: PageCache,
    pub post_views: PostViewCache,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    /// Loads the templates and sets up the page cache: everything the router needs, without
    /// a listener (the static export renders pages in-process with it).
    pub fn build(config: Config, store: Store) -> anyhow::Result<SharedState> {
        let on = config.page_cache;
        let base_url = config.base_url_or_local();
        AppState::assemble(
            base_url,
            config,
            store,
            PageCache::new(on),
            PostViewCache::new(on),
        )
    }

    /// For the static export, which renders every page once: keeping the pages would only
    /// cost memory, but each post is shown on a dozen pages, so its view is kept.
    pub fn for_export(config: Config, store: Store) -> anyhow::Result<SharedState> {
        let base_url = config.base_url_or_local();
        AppState::assemble(
            base_url,
            config,
            store,
            PageCache::new(false),
            PostViewCache::new(true),
        )
    }

    fn assemble(
        base_url: String,
        config: Config,
        store: Store,
        cache: PageCache,
        post_views: PostViewCache,
    ) -> anyhow::Result<SharedState> {
        let templates = Templates::load(config.theme.as_deref())?;
        Ok(Arc::new(AppState {
            base_url,
            store,
            templates,
            config,
            cache,
            post_views,
        }))
    }
}

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: SharedState,
}

impl Application {
    /// Binds the address and loads the templates; the server starts with `run_until_stopped`.
    pub async fn build(config: Config, store: Store) -> anyhow::Result<Application> {
        let listener = bind(config.addr).await?;
        Application::with_listener(listener, config, store)
    }

    /// Builds on a listener bound earlier, so that a busy port is found before the database
    /// is opened.
    pub fn with_listener(
        listener: TcpListener,
        config: Config,
        store: Store,
    ) -> anyhow::Result<Application> {
        let addr = listener.local_addr()?;
        let mut config = config;
        // Without a configured address (tests, and `serve --demo` resolves one before this),
        // links point at the port actually bound.
        if config.base_url.is_none() {
            config.base_url = Some(format!("http://{addr}"));
        }
        let state = AppState::build(config, store)?;
        Ok(Application {
            listener,
            addr,
            state,
        })
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The state every request sees (for tests that drive scheduled work directly).
    pub fn state(&self) -> SharedState {
        self.state.clone()
    }

    /// Serves, and sends the outbox, until Ctrl-C or SIGTERM; then finishes the requests in
    /// flight and the mail pass in progress.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let mail_worker = crate::mail::spawn_worker(
            self.state.store.clone(),
            self.state.config.mail.clone(),
            stopped.clone(),
        );
        let scheduler = crate::jobs::spawn_scheduler(self.state.clone(), stopped);
        let router = crate::web::router(self.state.clone());
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        let _ = stop.send(true);
        if let Err(e) = mail_worker.await {
            tracing::error!("the mail worker stopped abnormally: {e}");
        }
        if let Err(e) = scheduler.await {
            tracing::error!("the scheduler stopped abnormally: {e}");
        }
        self.state.store.close().await;
        Ok(served?)
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Binds the listening socket, explaining the usual failures.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    match TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "cannot listen on {addr}: another program is using that port; stop it or choose another with --addr 127.0.0.1:PORT"
        ),
        Err(e) => bail!("cannot listen on {addr}: {e}; choose another address with --addr"),
    }
}

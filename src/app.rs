//! `Application`: the bound listener, the web server on it, and the mail worker and the
//! scheduler beside it. Tests build it on port 0 and read back the port the system chose.

use anyhow::bail;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::store::Store;
use crate::web::{AppState, SharedState};

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
            self.state.column.store.clone(),
            self.state.config.mail.clone(),
            stopped.clone(),
        );
        let scheduler = crate::jobs::spawn_scheduler(self.state.column.clone(), stopped);
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
        self.state.column.store.close().await;
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

//! The forum's web server: axum routes rendering maud HTML.

pub mod app;
pub mod cli;
pub mod config;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod helplines;
pub mod page_cache;
pub mod rate_limit;
pub mod retention;
pub mod routes;
pub mod seed;
pub mod templates;
pub mod webhooks;

pub use app::{App, AppState};
pub use config::Config;

use std::net::SocketAddr;
use std::time::Duration;

/// Builds the router for a running app.
pub fn build_router(state: AppState) -> axum::Router {
    routes::router(state)
}

/// The largest request head (request line and headers) accepted, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;

/// Serves until SIGINT or SIGTERM, then finishes the requests under way (for up to 10 s).
///
/// hyper is driven directly rather than through `axum::serve` so that slow clients get a
/// header timeout and oversized request heads are refused.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service;

    let limiter = state.limiter.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        loop {
            every.tick().await;
            limiter.forget_idle();
        }
    });
    let notifier = webhooks::spawn(state.clone());
    let purger = retention::spawn(state.clone());
    let header_timeout = state.config.header_timeout;
    let mut make_service = build_router(state).into_make_service_with_connect_info::<SocketAddr>();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).max_buf_size(MAX_HEAD);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(router) = make_service.call(peer).await;
        let service = hyper_util::service::TowerToHyperService::new(router);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = watched.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    sweeper.abort();
    notifier.abort();
    purger.abort();
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
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
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

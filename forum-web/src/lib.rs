//! The forum's web server: axum routes rendering maud HTML.

pub mod app;
pub mod cli;
pub mod config;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod helplines;
pub mod rate_limit;
pub mod routes;
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

/// Serves until SIGINT or SIGTERM, then finishes the requests under way.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let limiter = state.limiter.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        loop {
            every.tick().await;
            limiter.forget_idle();
        }
    });
    let notifier = webhooks::spawn(state.clone());
    let app = build_router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await;
    sweeper.abort();
    notifier.abort();
    Ok(served?)
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

//! The background task that erases what has outlived its retention (see
//! `forum_core::retention`): hourly, and once at start-up.

use std::time::Duration;

use forum_core::db::now;
use forum_core::retention::{Retention, purge};

use crate::app::AppState;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let policy = state.config.retention;
            match state.db(move |c| purge(c, now(), policy)).await {
                Ok(purged) => tracing::info!(?purged, "retention purge"),
                Err(error) => tracing::warn!(%error, "retention purge failed; will retry"),
            }
        }
    })
}

/// `FORUM_RETAIN_REPORTS_DAYS` and `FORUM_RETAIN_NOTES_DAYS` (default 30 each),
/// `FORUM_CONVERSATION_DAYS` (default 14: a private conversation is erased this long after its
/// last message).
pub fn from_env() -> anyhow::Result<Retention> {
    use anyhow::Context;
    let days = |name: &str, default: i64| -> anyhow::Result<i64> {
        match std::env::var(name) {
            Ok(v) => {
                v.trim().parse().with_context(|| format!("{name} must be a whole number of days, not {v:?}"))
            }
            Err(_) => Ok(default),
        }
    };
    let defaults = Retention::default();
    Ok(Retention {
        reports_days: days("FORUM_RETAIN_REPORTS_DAYS", defaults.reports_days)?,
        notes_days: days("FORUM_RETAIN_NOTES_DAYS", defaults.notes_days)?,
        conversation_days: days("FORUM_CONVERSATION_DAYS", defaults.conversation_days)?,
    })
}

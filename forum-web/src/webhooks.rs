//! Crisis notifications to the forum's own moderators: an HTTP POST of JSON to configured
//! webhooks when a crisis item opens, and again to the escalation webhooks when nobody has
//! claimed it after a while; for items about posts and about messages in private
//! conversations alike. Sent in the background with retries and a timeout, so posting never
//! waits. The text is not sent unless the operator asks for it, and a notice never identifies
//! a member; nobody outside the forum's moderators is ever contacted.

use std::time::Duration;

use anyhow::Context;
use forum_core::db::now;
use forum_core::models::{Board, Lane, Message, Post, QueueItem, Subject};
use serde::Serialize;
use tokio::sync::Notify;

use crate::app::AppState;
use crate::config::{env_or, flag};

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `FORUM_CRISIS_WEBHOOKS`: comma-separated URLs told about every new crisis item.
    pub urls: Vec<String>,
    /// `FORUM_ESCALATION_WEBHOOKS`: told when a crisis item waits unclaimed (default: the above).
    pub escalation_urls: Vec<String>,
    /// `FORUM_ESCALATE_AFTER_MINUTES` (default 10).
    pub escalate_after: Duration,
    /// `FORUM_WEBHOOK_INCLUDE_TEXT=on` adds the post's or message's text (off by default).
    pub include_text: bool,
    /// How often the background task looks for due notifications.
    pub poll: Duration,
    /// How long one delivery attempt may take.
    pub timeout: Duration,
    /// Attempts per delivery.
    pub attempts: u32,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            escalation_urls: Vec::new(),
            escalate_after: Duration::from_secs(600),
            include_text: false,
            poll: Duration::from_secs(15),
            timeout: Duration::from_secs(5),
            attempts: 4,
        }
    }
}

fn url_list(name: &str) -> anyhow::Result<Vec<String>> {
    env_or(name, "")
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| {
            anyhow::ensure!(
                u.starts_with("https://") || u.starts_with("http://"),
                "{name}: {u:?} is not an http(s) URL"
            );
            Ok(u.to_owned())
        })
        .collect()
}

impl WebhookConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let urls = url_list("FORUM_CRISIS_WEBHOOKS")?;
        let escalation = url_list("FORUM_ESCALATION_WEBHOOKS")?;
        let minutes: u64 = env_or("FORUM_ESCALATE_AFTER_MINUTES", "10")
            .trim()
            .parse()
            .context("FORUM_ESCALATE_AFTER_MINUTES must be a whole number")?;
        Ok(Self {
            escalation_urls: if escalation.is_empty() { urls.clone() } else { escalation },
            urls,
            escalate_after: Duration::from_secs(minutes * 60),
            include_text: flag("FORUM_WEBHOOK_INCLUDE_TEXT")?.unwrap_or(false),
            ..Self::default()
        })
    }

    fn enabled(&self) -> bool {
        !self.urls.is_empty() || !self.escalation_urls.is_empty()
    }
}

/// What a webhook receives. It never names or identifies a member.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// `crisis_item` or `crisis_escalation`.
    pub event: &'static str,
    /// `post` or `conversation` (a message in a private one-on-one conversation).
    pub kind: &'static str,
    pub item_url: String,
    pub tier: String,
    pub lane: &'static str,
    /// The post's board; absent for a conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    pub waiting_seconds: i64,
    /// The post's or message's text, only with `FORUM_WEBHOOK_INCLUDE_TEXT=on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Wakes the background task at once (after a crisis post) instead of at its next poll.
pub static WAKE: Notify = Notify::const_new();

/// Runs until the server stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !state.config.webhooks.enabled() {
            return;
        }
        let client = match reqwest::Client::builder().timeout(state.config.webhooks.timeout).build() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhooks disabled: cannot build an HTTP client");
                return;
            }
        };
        loop {
            if let Err(e) = deliver_due(&state, &client).await {
                tracing::warn!(error = %e, "crisis notifications will be retried");
            }
            let _ = tokio::time::timeout(state.config.webhooks.poll, WAKE.notified()).await;
        }
    })
}

async fn deliver_due(state: &AppState, client: &reqwest::Client) -> anyhow::Result<()> {
    let config = state.config.webhooks.clone();
    let escalate_before = now() - chrono::Duration::from_std(config.escalate_after).unwrap_or_default();
    let include_text = config.include_text;
    let base = state.config.public_url.clone();
    let (fresh, stale) = state
        .db(move |c| {
            let mut fresh = Vec::new();
            for item in QueueItem::due_for_notice(c)? {
                if QueueItem::take_notice(c, item.id)? {
                    fresh.push(notice(c, &item, "crisis_item", &base, include_text)?);
                }
            }
            let mut stale = Vec::new();
            for item in QueueItem::due_for_escalation(c, escalate_before)? {
                if QueueItem::take_escalation(c, item.id)? {
                    stale.push(notice(c, &item, "crisis_escalation", &base, include_text)?);
                }
            }
            Ok((fresh, stale))
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (notices, urls) in [(fresh, &config.urls), (stale, &config.escalation_urls)] {
        for notice in notices {
            for url in urls {
                let url = url.clone();
                let client = client.clone();
                let notice = notice.clone();
                let attempts = config.attempts;
                tokio::spawn(async move { send(&client, &url, &notice, attempts).await });
            }
        }
    }
    Ok(())
}

fn notice(
    conn: &mut forum_core::DbConn,
    item: &QueueItem,
    event: &'static str,
    base: &str,
    include_text: bool,
) -> forum_core::CoreResult<Notice> {
    // A conversation item links to its own page, where moderators see only the message and
    // the one before it until one of them opens the conversation (which is logged).
    let (kind, item_url, board, text) = match item.subject() {
        Subject::Post { post, board } => (
            "post",
            format!("{base}/mod/queue#item{}", item.id),
            Some(Board::by_id(conn, board)?.slug),
            if include_text { Some(Post::by_id(conn, post)?.body_markdown) } else { None },
        ),
        Subject::Message { message, .. } => (
            "conversation",
            format!("{base}/mod/items/{}", item.id),
            None,
            if include_text {
                Message::by_ids(conn, &[message])?.pop().map(|m| m.body_markdown)
            } else {
                None
            },
        ),
        Subject::DeletedConversation => ("conversation", format!("{base}/mod/items/{}", item.id), None, None),
    };
    Ok(Notice {
        event,
        kind,
        item_url,
        tier: item.crisis_tier.as_str().to_owned(),
        lane: if item.lane() == Lane::Crisis { "crisis" } else { "at_risk_report" },
        board,
        waiting_seconds: (now() - item.opened_at).num_seconds().max(0),
        text,
    })
}

/// Delivers one notice, retrying with a growing pause; gives up (and logs) after `attempts`.
async fn send(client: &reqwest::Client, url: &str, notice: &Notice, attempts: u32) {
    let mut pause = Duration::from_millis(500);
    for attempt in 1..=attempts.max(1) {
        match client.post(url).json(notice).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => tracing::warn!(%url, status = %r.status(), attempt, "crisis webhook refused"),
            Err(e) => tracing::warn!(%url, error = %e, attempt, "crisis webhook failed"),
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
    tracing::error!(%url, event = notice.event, "crisis webhook gave up");
}

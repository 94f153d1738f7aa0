//! Web settings from the environment, composed with the storage settings.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use forum_core::config::CoreConfig;

use crate::helplines::Helplines;
use crate::rate_limit::RateLimits;

/// Everything the server needs to know at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    pub core: CoreConfig,
    /// `FORUM_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `FORUM_SITE_NAME`, default "Peer Support Forum".
    pub site_name: String,
    /// `FORUM_HTTPS=1` (or a `FORUM_PUBLIC_URL` starting with `https://`): cookies get `Secure`.
    pub https: bool,
    /// `FORUM_TRUSTED_PROXIES`: comma-separated addresses whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// `FORUM_STARTER_BOARDS=0` leaves a fresh database without the starter support groups.
    pub starter_boards: bool,
    pub rate_limits: RateLimits,
    /// Crisis resources (`FORUM_HELPLINES`, or the built-in file).
    pub helplines: Helplines,
    /// `FORUM_CRISIS_LEXICON`: a directory whose lexicon files extend or replace the built-in
    /// crisis lexicon.
    pub crisis_lexicon: Option<std::path::PathBuf>,
    /// `FORUM_CRISIS_MODEL`: a crisis model file (`forum crisis-train`) in place of the
    /// built-in one, or `off` for the phrase rules alone.
    pub crisis_model: Option<std::path::PathBuf>,
    /// `FORUM_HIDE_AFTER_REPORTS` (default 3): distinct reporters after whom a post is hidden
    /// pending review; 0 never hides.
    pub hide_after_reports: i64,
    /// `FORUM_METRICS_TOKEN`: a bearer token that may read `/metrics` (moderators always can).
    pub metrics_token: Option<String>,
    pub webhooks: crate::webhooks::WebhookConfig,
    /// `FORUM_PUBLIC_URL`: the site's address as visitors see it, for links in notifications.
    pub public_url: String,
    pub retention: forum_core::retention::Retention,
    /// `FORUM_HEADER_TIMEOUT_SECS` (default 10): how long a client may take to send a request's
    /// headers; slower clients are disconnected.
    pub header_timeout: Duration,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let core = CoreConfig::from_env()?;
        let bind = env_or("FORUM_BIND", "127.0.0.1:8080");
        let bind = bind.parse().with_context(|| {
            format!("FORUM_BIND must be an address and port such as 127.0.0.1:8080, not {bind:?}")
        })?;
        let public_url = std::env::var("FORUM_PUBLIC_URL").unwrap_or_default();
        let https = flag("FORUM_HTTPS")?.unwrap_or(public_url.starts_with("https://"));
        let trusted_proxies = env_or("FORUM_TRUSTED_PROXIES", "")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().with_context(|| format!("FORUM_TRUSTED_PROXIES: {s:?} is not an IP address")))
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            core,
            bind,
            site_name: env_or("FORUM_SITE_NAME", "Peer Support Forum"),
            https,
            trusted_proxies,
            starter_boards: flag("FORUM_STARTER_BOARDS")?.unwrap_or(true),
            rate_limits: RateLimits::from_env()?,
            helplines: Helplines::from_env()?,
            crisis_lexicon: std::env::var_os("FORUM_CRISIS_LEXICON").map(Into::into),
            crisis_model: std::env::var_os("FORUM_CRISIS_MODEL").map(Into::into),
            hide_after_reports: match std::env::var("FORUM_HIDE_AFTER_REPORTS") {
                Ok(v) => v
                    .trim()
                    .parse()
                    .with_context(|| format!("FORUM_HIDE_AFTER_REPORTS must be a whole number, not {v:?}"))?,
                Err(_) => forum_mod::reports::DEFAULT_HIDE_THRESHOLD,
            },
            metrics_token: std::env::var("FORUM_METRICS_TOKEN").ok().filter(|t| !t.is_empty()),
            webhooks: crate::webhooks::WebhookConfig::from_env()?,
            retention: crate::retention::from_env()?,
            header_timeout: seconds("FORUM_HEADER_TIMEOUT_SECS")?.unwrap_or(Duration::from_secs(10)),
            public_url: if public_url.is_empty() {
                format!("http://{bind}")
            } else {
                public_url.trim_end_matches('/').to_owned()
            },
        })
    }

    /// Settings for tests: the given database, no starter boards, default limits.
    pub fn for_database(core: CoreConfig) -> Self {
        Self {
            core,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            site_name: "Peer Support Forum".into(),
            https: false,
            trusted_proxies: Vec::new(),
            starter_boards: false,
            rate_limits: RateLimits::default(),
            helplines: Helplines::built_in(),
            crisis_lexicon: None,
            crisis_model: None,
            hide_after_reports: forum_mod::reports::DEFAULT_HIDE_THRESHOLD,
            metrics_token: None,
            webhooks: crate::webhooks::WebhookConfig::default(),
            retention: forum_core::retention::Retention::default(),
            header_timeout: Duration::from_secs(10),
            public_url: "http://forum.test".into(),
        }
    }
}

pub(crate) fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// A yes/no variable: 1/true/yes/on or 0/false/no/off.
pub(crate) fn flag(name: &str) -> anyhow::Result<Option<bool>> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Some(true)),
            "0" | "false" | "no" | "off" => Ok(Some(false)),
            _ => bail!("{name} must be on or off, not {v:?}"),
        },
    }
}

/// A duration in whole seconds from the environment.
pub(crate) fn seconds(name: &str) -> anyhow::Result<Option<Duration>> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .map(|s| Some(Duration::from_secs(s)))
            .with_context(|| format!("{name} must be a whole number of seconds, not {v:?}")),
    }
}

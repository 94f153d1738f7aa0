//! Rate limits per action, keyed by client network (an IPv4 address or an IPv6 /64) and, for
//! members, by poster. Members in their first day get stricter limits. Memory stays bounded:
//! a background task forgets keys whose allowance has refilled.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use forum_core::ids::PosterId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::seconds;

/// The actions that are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitedAction {
    NewThread,
    Reply,
    Edit,
    Report,
    Login,
    /// New identities from a network whose member was banned.
    BannedNetwork,
}

impl LimitedAction {
    pub const ALL: [LimitedAction; 6] =
        [Self::NewThread, Self::Reply, Self::Edit, Self::Report, Self::Login, Self::BannedNetwork];

    fn env_name(self) -> &'static str {
        match self {
            Self::NewThread => "NEW_THREAD",
            Self::Reply => "REPLY",
            Self::Edit => "EDIT",
            Self::Report => "REPORT",
            Self::Login => "LOGIN",
            Self::BannedNetwork => "BANNED_NETWORK",
        }
    }

    /// Defaults in the spirit of Discourse and vichan: one reply every 10 s with a small
    /// burst, three new threads per 10 minutes; half that for members in their first day.
    fn default_rule(self) -> LimitRule {
        let rule = |every_secs, burst| LimitRule { every: Duration::from_secs(every_secs), burst };
        match self {
            Self::NewThread => rule(200, 3),
            Self::Reply => rule(10, 3),
            Self::Edit => rule(5, 5),
            Self::Report => rule(20, 5),
            Self::Login => rule(12, 5),
            Self::BannedNetwork => rule(600, 1),
        }
    }
}

/// One request allowed every `every`, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitRule {
    pub every: Duration,
    pub burst: u32,
}

impl LimitRule {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }

    /// The stricter rule for members in their first day: half the burst, twice the wait.
    fn newcomer(self) -> Self {
        Self { every: self.every * 2, burst: self.burst.div_ceil(2) }
    }
}

/// The configured limits: `FORUM_RATE_LIMITS=off` disables all of them (for load tests);
/// `FORUM_RATE_{ACTION}_EVERY_SECS` and `FORUM_RATE_{ACTION}_BURST` change one action, where
/// ACTION is NEW_THREAD, REPLY, EDIT, REPORT or LOGIN (moderator log-in and identity restore).
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub enabled: bool,
    pub rules: Vec<(LimitedAction, LimitRule)>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self { enabled: true, rules: LimitedAction::ALL.iter().map(|&a| (a, a.default_rule())).collect() }
    }
}

impl RateLimits {
    pub fn from_env() -> anyhow::Result<Self> {
        let mut limits = Self::default();
        if let Ok(v) = std::env::var("FORUM_RATE_LIMITS") {
            limits.enabled = !matches!(v.trim().to_ascii_lowercase().as_str(), "off" | "0" | "false" | "no");
        }
        for (action, rule) in &mut limits.rules {
            let name = action.env_name();
            if let Some(every) = seconds(&format!("FORUM_RATE_{name}_EVERY_SECS"))? {
                rule.every = every;
            }
            if let Ok(v) = std::env::var(format!("FORUM_RATE_{name}_BURST")) {
                rule.burst = v
                    .trim()
                    .parse()
                    .with_context(|| format!("FORUM_RATE_{name}_BURST must be a whole number, not {v:?}"))?;
            }
        }
        Ok(limits)
    }

    /// Replaces the rule of one action (tests use tiny quotas).
    pub fn with(mut self, action: LimitedAction, rule: LimitRule) -> Self {
        for (a, r) in &mut self.rules {
            if *a == action {
                *r = rule;
            }
        }
        self
    }

    pub fn off() -> Self {
        Self { enabled: false, ..Self::default() }
    }
}

/// Who is counted: a client network, or a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    Network(u128),
    Poster(PosterId),
    /// A moderator account being logged in to, by a hash of its name.
    Account(u64),
}

impl ClientKey {
    /// A number standing for a non-network key.
    pub fn fingerprint(self) -> u64 {
        match self {
            Self::Network(n) => n as u64 ^ (n >> 64) as u64,
            Self::Poster(p) => u64::from(p.0.unsigned_abs()),
            Self::Account(a) => a,
        }
    }

    /// The key for log-in attempts on one account, whatever network they come from.
    pub fn account(name: &str) -> Self {
        use std::hash::{BuildHasher, Hasher};
        // A fixed-key hash is enough: this only spreads names over the limiter's map.
        let mut hasher =
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .build_hasher();
        hasher.write(name.trim().to_lowercase().as_bytes());
        Self::Account(hasher.finish())
    }

    /// IPv4 addresses count one by one; IPv6 addresses by their /64, which one subscriber
    /// usually holds whole.
    pub fn network(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self::Network(u128::from(u32::from(v4))),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::Network(u128::from(u32::from(v4))),
                None => Self::Network(u128::from(v6) & !((1u128 << 64) - 1) | (1 << 32)),
            },
        }
    }
}

struct ActionLimiter {
    action: LimitedAction,
    standard: DefaultKeyedRateLimiter<ClientKey>,
    newcomer: DefaultKeyedRateLimiter<ClientKey>,
}

/// The limiters of every action.
pub struct Limiter {
    enabled: bool,
    actions: Vec<ActionLimiter>,
}

/// How long to wait before trying again.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter(pub Duration);

impl Limiter {
    pub fn new(limits: &RateLimits) -> Arc<Self> {
        let actions = limits
            .rules
            .iter()
            .map(|&(action, rule)| ActionLimiter {
                action,
                standard: DefaultKeyedRateLimiter::keyed(rule.quota()),
                newcomer: DefaultKeyedRateLimiter::keyed(rule.newcomer().quota()),
            })
            .collect();
        Arc::new(Self { enabled: limits.enabled, actions })
    }

    /// Counts one `action` from this network and, if known, this poster (a newcomer when
    /// `newcomer`). Refused when either is over its limit.
    pub fn check(
        &self,
        action: LimitedAction,
        ip: IpAddr,
        poster: Option<(PosterId, bool)>,
    ) -> Result<(), RetryAfter> {
        self.count(action, false, ClientKey::network(ip))?;
        match poster {
            Some((poster, newcomer)) => self.count(action, newcomer, ClientKey::Poster(poster)),
            None => Ok(()),
        }
    }

    /// Counts one `action` against the client's network only: the cheap check that runs before
    /// any parsing or database work, so a flood is turned away early.
    pub fn check_network(&self, action: LimitedAction, ip: IpAddr) -> Result<(), RetryAfter> {
        self.count(action, false, ClientKey::network(ip))
    }

    /// Counts one `action` against a member only (their network was counted already).
    pub fn check_poster(
        &self,
        action: LimitedAction,
        poster: PosterId,
        newcomer: bool,
    ) -> Result<(), RetryAfter> {
        self.count(action, newcomer, ClientKey::Poster(poster))
    }

    /// Counts one attempt against a key of its own (a moderator account), with the action's
    /// standard rule.
    pub fn check_key(&self, action: LimitedAction, key: ClientKey) -> Result<(), RetryAfter> {
        self.count(action, false, key)
    }

    /// The one place a request is counted.
    fn count(&self, action: LimitedAction, newcomer: bool, key: ClientKey) -> Result<(), RetryAfter> {
        if !self.enabled {
            return Ok(());
        }
        let Some(limiter) = self.actions.iter().find(|l| l.action == action) else {
            return Ok(());
        };
        let limiter = if newcomer { &limiter.newcomer } else { &limiter.standard };
        let now = DefaultClock::default().now();
        limiter.check_key(&key).map_err(|e| RetryAfter(e.wait_time_from(now)))
    }

    /// Forgets keys whose allowance is full again; run periodically to bound memory.
    pub fn forget_idle(&self) {
        for l in &self.actions {
            l.standard.retain_recent();
            l.standard.shrink_to_fit();
            l.newcomer.retain_recent();
            l.newcomer.shrink_to_fit();
        }
    }

    /// How many keys are remembered in all, for tests and figures.
    pub fn len(&self) -> usize {
        self.actions.iter().map(|l| l.standard.len() + l.newcomer.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientKey::network(a), ClientKey::network(b));
        assert_ne!(ClientKey::network(a), ClientKey::network(c));
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(ClientKey::network(v4), ClientKey::network(mapped));
        assert_ne!(ClientKey::network(v4), ClientKey::network("192.0.2.2".parse().unwrap()));
    }

    #[test]
    fn bursts_then_refuses_and_newcomers_get_less() {
        let rule = LimitRule { every: Duration::from_secs(60), burst: 4 };
        let limiter = Limiter::new(&RateLimits::default().with(LimitedAction::Reply, rule));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..4 {
            assert!(limiter.check(LimitedAction::Reply, ip, None).is_ok());
        }
        let RetryAfter(wait) = limiter.check(LimitedAction::Reply, ip, None).unwrap_err();
        assert!(wait > Duration::from_secs(50), "{wait:?}");
        // Another network is not affected; a newcomer poster from it gets half the burst.
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let poster = Some((PosterId(1), true));
        assert!(limiter.check(LimitedAction::Reply, other, poster).is_ok());
        assert!(limiter.check(LimitedAction::Reply, other, poster).is_ok());
        assert!(limiter.check(LimitedAction::Reply, other, poster).is_err());
        assert!(Limiter::new(&RateLimits::off()).check(LimitedAction::Reply, ip, None).is_ok());
    }

    #[test]
    fn idle_keys_are_forgotten() {
        let rule = LimitRule { every: Duration::from_millis(1), burst: 1 };
        let limiter = Limiter::new(&RateLimits::default().with(LimitedAction::Report, rule));
        for i in 0..100_000u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(i));
            let _ = limiter.check(LimitedAction::Report, ip, None);
        }
        assert_eq!(limiter.len(), 100_000, "100,000 distinct addresses");
        std::thread::sleep(Duration::from_millis(5));
        limiter.forget_idle();
        assert_eq!(limiter.len(), 0, "forgotten once their allowance refilled");
    }
}

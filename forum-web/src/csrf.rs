//! CSRF tokens that work for visitors with no cookie yet: a timestamp and a MAC over it and
//! the visitor's identity (if any) or moderator session, checked on every POST. Cross-site
//! POSTs are also refused by their `Origin` / `Sec-Fetch-Site` headers (see `routes`).

use std::time::{SystemTime, UNIX_EPOCH};

use forum_core::secrets::{Purpose, hex, unhex};

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::Identity;

/// How long a form stays valid: long enough to write slowly.
const VALID_SECS: u64 = 3 * 24 * 3600;

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn binding(state: &AppState, identity: &Identity) -> Vec<u8> {
    identity.key_hash(state).map(String::into_bytes).unwrap_or_default()
}

/// A token for the forms of a page.
pub fn token(state: &AppState, identity: &Identity) -> String {
    token_for(state, &binding(state, identity))
}

/// Checks a submitted token; a missing, forged, foreign or expired one is refused.
pub fn check(state: &AppState, identity: &Identity, submitted: &str) -> Result<(), AppError> {
    check_for(state, &binding(state, identity), submitted)
}

/// A token bound to `binding` (a member's key hash, a moderator's session hash, or nothing).
pub fn token_for(state: &AppState, binding: &[u8]) -> String {
    let issued = now_secs().to_string();
    let mac = state.secrets.mac(Purpose::Csrf, &[issued.as_bytes(), binding]);
    format!("{issued}.{}", hex(&mac[..16]))
}

pub fn check_for(state: &AppState, binding: &[u8], submitted: &str) -> Result<(), AppError> {
    let refuse = || {
        AppError::Forbidden(
            "This form has expired or did not come from this site. Please go back, reload the page and send it again.",
        )
    };
    let (issued, mac) = submitted.split_once('.').ok_or_else(refuse)?;
    let issued_at: u64 = issued.parse().map_err(|_| refuse())?;
    let mac: [u8; 16] = unhex(mac).ok_or_else(refuse)?;
    let fresh = now_secs().saturating_sub(issued_at) <= VALID_SECS && issued_at <= now_secs() + 300;
    if fresh && state.secrets.verify_prefix(Purpose::Csrf, &[issued.as_bytes(), binding], &mac) {
        Ok(())
    } else {
        Err(refuse())
    }
}

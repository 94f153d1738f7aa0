//! What every form that writes a post shares: the member's identity and its cookie, rate
//! limits, and the checks on the text.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use forum_core::CoreResult;
use forum_core::db::{DbConn, write_transaction};
use forum_core::models::{Poster, limits};
use forum_core::poster_key::PosterKey;

use std::net::IpAddr;

use forum_core::ids::PostId;
use forum_core::models::Ban;
use forum_core::secrets::Purpose;
use forum_mod::submit::{Blocked, Screened};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{Identity, KEY_COOKIE, key_hash};
use crate::rate_limit::{ClientKey, LimitedAction};
use crate::templates::pages::post_forms::PostFormState;

/// A member in their first day gets stricter limits.
const NEWCOMER: Duration = Duration::hours(24);

/// Counts the action against the client's network, before any other work.
pub fn limit_network(state: &AppState, action: LimitedAction, ip: IpAddr) -> AppResult<()> {
    state.limiter.check_network(action, ip).map_err(|wait| AppError::RateLimited { retry_after: wait.0 })
}

/// Counts the action against the client's network and, for a known member, against them.
pub fn rate_limit(
    state: &AppState,
    action: LimitedAction,
    ip: IpAddr,
    poster: Option<&Poster>,
) -> AppResult<()> {
    let member = poster.map(|p| (p.id, is_newcomer(p)));
    state.limiter.check(action, ip, member).map_err(|wait| AppError::RateLimited { retry_after: wait.0 })
}

fn is_newcomer(poster: &Poster) -> bool {
    forum_core::db::now() - poster.created_at < NEWCOMER
}

/// The keyed hash of the client's network (IPv4 address or IPv6 /64) for a given day. Only
/// this is ever stored, only for abuse control, and it changes every day so that it cannot be
/// joined across long periods (stored hashes are erased after two days).
pub fn network_hash_on(state: &AppState, ip: IpAddr, day: i64) -> String {
    let key = match ClientKey::network(ip) {
        ClientKey::Network(n) => n.to_be_bytes(),
        other => u128::from(other.fingerprint()).to_be_bytes(),
    };
    let full = state.secrets.mac_hex(Purpose::Network, &[&day.to_be_bytes(), &key]);
    format!("d{day}:{}", &full[..32])
}

/// Today's network hash.
pub fn network_hash(state: &AppState, ip: IpAddr) -> String {
    network_hash_on(state, ip, forum_core::retention::day_of(forum_core::db::now()))
}

/// The network's hashes for the days still kept: today's first, then yesterday's.
pub fn recent_network_hashes(state: &AppState, ip: IpAddr) -> Vec<String> {
    let today = forum_core::retention::day_of(forum_core::db::now());
    vec![network_hash_on(state, ip, today), network_hash_on(state, ip, today - 1)]
}

/// Checks who is about to write (not banned, within the rate limits; a visitor without an
/// identity gets one now), then runs `write` as them: the checks and the write in one trip to
/// the database. Returns what `write` returned and the new identity key, whose cookie goes
/// with the answer. The form's token must be checked and the network counted (with
/// [`limit_network`]) before this.
pub async fn write_as_author<T, W>(
    state: &AppState,
    identity: &Identity,
    ip: IpAddr,
    action: LimitedAction,
    write: W,
) -> AppResult<(T, Option<PosterKey>)>
where
    W: FnOnce(&mut DbConn, &Poster) -> CoreResult<T> + Send + 'static,
    T: Send + 'static,
{
    let known_hash = identity.key_hash(state);
    let recent = recent_network_hashes(state, ip);
    let network = recent[0].clone();
    let state_in = state.clone();
    state
        .db(move |c| -> CoreResult<Result<(T, Option<PosterKey>), AppError>> {
            let state = &state_in;
            let known = match known_hash {
                Some(hash) => Poster::by_key_hash(c, &hash)?,
                None => None,
            };
            if let Some(ban) = known.as_ref().map(|p| Ban::active_for(c, p.id)).transpose()?.flatten() {
                return Ok(Err(AppError::Banned(ban_message(&ban))));
            }
            if known.as_ref().is_none_or(is_newcomer) && Ban::network_banned(c, &recent)? {
                if let Err(limited) = rate_limit(state, LimitedAction::BannedNetwork, ip, None) {
                    return Ok(Err(limited));
                }
            }
            if let Some(poster) = &known {
                if let Err(wait) = state.limiter.check_poster(action, poster.id, is_newcomer(poster)) {
                    return Ok(Err(AppError::RateLimited { retry_after: wait.0 }));
                }
            }
            // A visitor with no identity yet (or one this forum does not know) gets one now,
            // in the same transaction as what they write: if the write fails, no poster is
            // left behind for a key that never reached them.
            let mut new_key = None;
            let written = write_transaction(c, |c| {
                let mut poster = match known {
                    Some(poster) => poster,
                    None => {
                        let key = PosterKey::generate();
                        let poster = Poster::create(c, &key_hash(state, &key), &network)?;
                        new_key = Some(key);
                        poster
                    }
                };
                if poster.network_hash != network {
                    Poster::set_network(c, poster.id, &network)?;
                    poster.network_hash = network;
                }
                write(c, &poster)
            })?;
            Ok(Ok((written, new_key)))
        })
        .await?
}

/// What a banned member is told: why, and until when.
pub fn ban_message(ban: &Ban) -> String {
    let until = match ban.expires_at {
        Some(at) => format!("You cannot post until {} (UTC).", at.format("%-d %B %Y, %H:%M")),
        None => "You can no longer post here.".to_owned(),
    };
    format!(
        "{until} The moderators gave this reason: {} You can still read, and the help page is always open to you.",
        ban.reason
    )
}

/// Checks a post form's fields, then runs the word rules and the crisis detector over them.
/// `None` means the form goes back to the member: its messages are in `form`.
pub async fn check_and_screen(
    state: &AppState,
    form: &mut PostFormState,
    with_title: bool,
) -> Option<Screened> {
    let fields = check_post_fields(form, with_title)?;
    match screen(state, &fields).await {
        Ok(screened) => Some(screened),
        Err(Blocked(message)) => {
            form.errors.insert("body", message);
            None
        }
    }
}

/// Runs the word rules and the crisis detector over what the member wrote.
async fn screen(state: &AppState, fields: &CheckedPost) -> Result<Screened, Blocked> {
    let rules = state.word_rules().await;
    forum_mod::submit::screen(
        &state.detector,
        &rules,
        &fields.title,
        fields.content_warning.as_deref(),
        &fields.body,
    )
}

/// Where the writer goes after posting: their post, or first the support page when what
/// they wrote suggests they may be at risk.
pub fn after_posting(screened: &Screened, post: PostId, permalink: &str) -> String {
    if screened.at_risk() {
        // Tell the moderators now rather than at the next poll.
        crate::webhooks::WAKE.notify_one();
        format!("/p/{post}/support")
    } else {
        permalink.to_owned()
    }
}

/// The identity cookie: readable only by the server, sent on same-site navigation.
pub fn key_cookie(state: &AppState, key: &PosterKey) -> HeaderValue {
    let secure = if state.config.https { "; Secure" } else { "" };
    let value =
        format!("{KEY_COOKIE}={}; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax{secure}", key.encode());
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A cookie that removes the identity from this browser.
pub fn clear_key_cookie() -> HeaderValue {
    HeaderValue::from_static("forum_key=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// Post/redirect/get: 303 to `location`, setting the identity cookie if it is new.
pub fn see_other(state: &AppState, location: &str, new_key: Option<&PosterKey>) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Some(key) = new_key {
        response.headers_mut().append(header::SET_COOKIE, key_cookie(state, key));
    }
    response
}

/// The checked fields of a post form, or the form back with messages.
pub struct CheckedPost {
    pub title: String,
    pub content_warning: Option<String>,
    pub body: String,
}

fn check_post_fields(state: &mut PostFormState, with_title: bool) -> Option<CheckedPost> {
    state.title = limits::clean_text(&state.title);
    state.content_warning = limits::clean_text(&state.content_warning);
    state.body = limits::clean_text(&state.body);
    let title = if with_title {
        limits::title(&state.title).map_err(|e| state.errors.insert("title", e)).ok().map(str::to_owned)
    } else {
        Some(String::new())
    };
    let content_warning = limits::content_warning(&state.content_warning)
        .map_err(|e| state.errors.insert("content_warning", e))
        .ok()
        .map(|w| w.map(str::to_owned));
    let body = limits::body(&state.body).map_err(|e| state.errors.insert("body", e)).ok().map(str::to_owned);
    Some(CheckedPost { title: title?, content_warning: content_warning?, body: body? })
}

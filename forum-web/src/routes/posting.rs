//! What every form that writes a post shares: the member's identity and its cookie, rate
//! limits, and the checks on the text.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use forum_core::models::{Poster, limits};
use forum_core::poster_key::PosterKey;

use crate::app::AppState;
use crate::error::AppResult;
use crate::extract::{Identity, KEY_COOKIE, key_hash};
use crate::rate_limit::LimitedAction;
use crate::templates::pages::post_forms::PostFormState;

/// A member in their first day gets stricter limits.
const NEWCOMER: Duration = Duration::hours(24);

/// The member's poster record, if their browser holds a key we know.
pub async fn known_poster(state: &AppState, identity: &Identity) -> AppResult<Option<Poster>> {
    let Some(hash) = identity.key_hash(state) else {
        return Ok(None);
    };
    state.db(move |c| Poster::by_key_hash(c, &hash)).await
}

/// Counts the action against the client's network and, for a known member, against them.
pub fn rate_limit(
    state: &AppState,
    action: LimitedAction,
    ip: std::net::IpAddr,
    poster: Option<&Poster>,
) -> AppResult<()> {
    let member = poster.map(|p| (p.id, forum_core::db::now() - p.created_at < NEWCOMER));
    state
        .limiter
        .check(action, ip, member)
        .map_err(|wait| crate::error::AppError::RateLimited {
            retry_after: wait.0,
        })
}

/// The key to post with: the member's own, or a new one made now (to be set as a cookie).
pub fn key_for_posting(identity: &Identity) -> (PosterKey, bool) {
    match &identity.key {
        Some(key) => (key.clone(), false),
        None => (PosterKey::generate(), true),
    }
}

/// Makes (or finds) the poster for a key, off the executor.
pub async fn poster_for_key(state: &AppState, key: &PosterKey) -> AppResult<Poster> {
    let hash = key_hash(state, key);
    state.db(move |c| Poster::find_or_create(c, &hash)).await
}

/// The identity cookie: readable only by the server, sent on same-site navigation.
pub fn key_cookie(state: &AppState, key: &PosterKey) -> HeaderValue {
    let secure = if state.config.https { "; Secure" } else { "" };
    let value = format!(
        "{KEY_COOKIE}={}; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax{secure}",
        key.encode()
    );
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
        response
            .headers_mut()
            .append(header::SET_COOKIE, key_cookie(state, key));
    }
    response
}

/// The checked fields of a post form, or the form back with messages.
pub struct CheckedPost {
    pub title: String,
    pub content_warning: Option<String>,
    pub body: String,
}

pub fn check_post_fields(state: &mut PostFormState, with_title: bool) -> Option<CheckedPost> {
    state.title = limits::clean_text(&state.title);
    state.content_warning = limits::clean_text(&state.content_warning);
    state.body = limits::clean_text(&state.body);
    let title = if with_title {
        limits::title(&state.title)
            .map_err(|e| state.errors.insert("title", e))
            .ok()
            .map(str::to_owned)
    } else {
        Some(String::new())
    };
    let content_warning = limits::content_warning(&state.content_warning)
        .map_err(|e| state.errors.insert("content_warning", e))
        .ok()
        .map(|w| w.map(str::to_owned));
    let body = limits::body(&state.body)
        .map_err(|e| state.errors.insert("body", e))
        .ok()
        .map(str::to_owned);
    Some(CheckedPost {
        title: title?,
        content_warning: content_warning?,
        body: body?,
    })
}

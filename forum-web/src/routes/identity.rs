//! "Your anonymous identity": the recovery phrase, restoring it, leaving a device.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use forum_core::models::{Post, Poster};
use forum_core::poster_key::PosterKey;
use serde::Deserialize;

use crate::app::AppState;
use crate::csrf;
use crate::error::{AppError, AppResult};
use crate::extract::{ClientIp, Identity, PageCtx, key_hash};
use crate::rate_limit::LimitedAction;
use crate::routes::posting;
use crate::templates::pages::identity::{confirm_erase, identity as identity_page};
use maud::Markup;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(show_identity))
        .route("/me/restore", post(restore))
        .route("/me/forget", post(forget))
        .route("/me/erase", get(show_erase).post(erase))
}

async fn show_identity(
    State(state): State<AppState>,
    ctx: PageCtx,
    identity: Identity,
) -> AppResult<Response> {
    let (posts, poster) = match identity.key_hash(&state) {
        Some(hash) => {
            state
                .db(move |c| match Poster::by_key_hash(c, &hash)? {
                    Some(p) => Ok((Post::by_poster(c, p.id, 200)?, Some(p.id))),
                    None => Ok((Vec::new(), None)),
                })
                .await?
        }
        None => (Vec::new(), None),
    };
    let code = poster.map(|p| state.secrets.supporter_code(p));
    let mut response =
        identity_page(&ctx, identity.key.as_ref(), &posts, code.as_deref(), None).into_response();
    // The recovery phrase is on this page: never keep it in a cache.
    response.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header value"));
    Ok(response)
}

#[derive(Deserialize)]
struct RestoreForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phrase: String,
}

/// Restores an identity from its phrase. Only phrases of posters who exist are accepted, and
/// attempts are rate limited like logins, so phrases cannot be guessed here.
async fn restore(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientIp(ip): ClientIp,
    identity: Identity,
    Form(form): Form<RestoreForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    posting::rate_limit(&state, LimitedAction::Login, ip, None)?;
    let refuse = |message: &str| {
        let page = identity_page(&ctx, identity.key.as_ref(), &[], None, Some(message));
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let Some(key) = PosterKey::parse(&form.phrase) else {
        return refuse("That is not a recovery phrase: it has 24 letters and digits, in groups of four.");
    };
    let hash = key_hash(&state, &key);
    if state.db(move |c| Poster::by_key_hash(c, &hash)).await?.is_none() {
        return refuse("No identity has that recovery phrase. Please check it and try again.");
    }
    Ok(posting::see_other(&state, "/me", Some(&key)))
}

async fn show_erase(ctx: PageCtx, identity: Identity) -> AppResult<Markup> {
    if identity.key.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(confirm_erase(&ctx))
}

/// Erases everything the member wrote, in one action.
async fn erase(
    State(state): State<AppState>,
    identity: Identity,
    Form(form): Form<RestoreForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    let hash = identity.key_hash(&state).ok_or(AppError::NotFound)?;
    state
        .db(move |c| match Poster::by_key_hash(c, &hash)? {
            Some(poster) => Poster::erase_everything(c, poster.id).map(|_| ()),
            None => Ok(()),
        })
        .await?;
    Ok(Redirect::to("/me").into_response())
}

async fn forget(
    State(state): State<AppState>,
    identity: Identity,
    Form(form): Form<RestoreForm>,
) -> AppResult<Response> {
    csrf::check(&state, &identity, &form.csrf)?;
    let mut response = Redirect::to("/me").into_response();
    response.headers_mut().append(header::SET_COOKIE, posting::clear_key_cookie());
    Ok(response)
}

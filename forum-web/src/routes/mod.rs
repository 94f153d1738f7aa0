//! The router: each module owns its routes; the layers here apply to every response.

mod boards;
mod identity;
mod moderation;
mod pages;
mod posting;
mod posts;
mod reports;
mod support;
mod threads;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use maud::Render;

use crate::app::AppState;
use crate::error::{AppError, ErrorMessage};
use crate::extract::{Identity, PageCtx};
use crate::templates::pages::error::error;

/// Bodies larger than this are refused with 413 (a post is at most 20,000 characters).
pub const MAX_BODY: usize = 64 * 1024;

/// `?region=` on the pages that show crisis lines: the visitor's choice, never guessed.
#[derive(serde::Deserialize)]
pub(crate) struct RegionQuery {
    pub region: Option<String>,
}

/// An id from the URL; anything that is not one is a 404, not a 400.
pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router())
        .merge(boards::router())
        .merge(threads::router())
        .merge(posts::router())
        .merge(identity::router())
        .merge(reports::router())
        .merge(moderation::router())
        .merge(support::router())
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(refuse_cross_site_posts))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), crate::page_cache::layer))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Refuses state-changing requests that a browser says came from another site. Together with
/// the form tokens this stops cross-site request forgery, even for visitors with no cookie.
async fn refuse_cross_site_posts(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let headers = request.headers();
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let cross_site = fetch_site == Some("cross-site");
        // With `Referrer-Policy: no-referrer` browsers send `Origin: null` even on the site's
        // own forms; `Sec-Fetch-Site` then says where the request really came from.
        let same_site = matches!(fetch_site, Some("same-origin" | "none"));
        let foreign_origin = !same_site
            && match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
                (Some(origin), Some(host)) => {
                    let origin = origin.to_str().unwrap_or("");
                    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
                    origin == "null" || origin_host != host.to_str().unwrap_or("")
                }
                _ => false,
            };
        if cross_site || foreign_origin {
            return AppError::Forbidden("This form was sent from another site, so it was refused.")
                .into_response();
        }
    }
    next.run(request).await
}

/// Gives every error response (ours, axum's rejections, the body limit) the site's HTML page.
async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let identity = cookie_identity(&request);
    let mut response = next.run(request).await;
    let status = response.status();
    let is_html =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return response;
    }
    let message = response.extensions().get::<ErrorMessage>().map(|m| m.0.clone());
    let ctx = PageCtx::new(&state, &identity, state.cached_nav(), &path);
    let page = error(&ctx, status, message.as_deref()).render().into_string();
    let headers = std::mem::take(response.headers_mut());
    let mut fresh = (status, page).into_response();
    for name in [header::RETRY_AFTER, header::ALLOW, header::SET_COOKIE] {
        for value in headers.get_all(&name) {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    fresh.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    fresh
}

fn cookie_identity(request: &Request<Body>) -> Identity {
    Identity {
        key: crate::extract::cookie(request.headers(), crate::extract::KEY_COOKIE)
            .and_then(forum_core::poster_key::PosterKey::parse),
    }
}

/// Headers on every response: no inline script, no framing, no referrer, no sniffing.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "x-frame-options", "DENY");
    set(headers, "permissions-policy", "interest-cohort=(), camera=(), microphone=(), geolocation=()");
    if response.status() == StatusCode::METHOD_NOT_ALLOWED || response.status().is_server_error() {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

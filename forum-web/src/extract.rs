//! Request extractors: the client's address, the member's identity cookie and the page context.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use forum_core::models::{Board, ModSession as StoredSession, Moderator, Poster};
use forum_core::poster_key::PosterKey;
use forum_core::secrets::Purpose;
use std::sync::Arc;

use crate::app::AppState;
use crate::csrf;

/// The client's address: the socket's peer, or the `X-Forwarded-For` entry added by the
/// nearest trusted proxy when the peer is one. Used for rate limits, never stored.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self(client_ip(peer, &parts.headers, &state.config.trusted_proxies)))
    }
}

fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    // Walk the chain from the nearest hop; the first address that is not a trusted proxy
    // is the client. Anything further left could have been written by the client itself.
    let mut client = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(value) = value.to_str() else {
            return client;
        };
        for hop in value.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if trusted.contains(&ip) => client = ip,
                Ok(ip) => return ip,
                Err(_) => return client,
            }
        }
    }
    client
}

/// The name of the member's identity cookie.
pub const KEY_COOKIE: &str = "forum_key";

/// The member's identity as their browser presents it; no database lookup.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub key: Option<PosterKey>,
}

impl Identity {
    /// The keyed hash stored for this key.
    pub fn key_hash(&self, state: &AppState) -> Option<String> {
        self.key.as_ref().map(|k| key_hash(state, k))
    }
}

pub fn key_hash(state: &AppState, key: &PosterKey) -> String {
    state.secrets.mac_hex(Purpose::PosterKey, &[key.as_bytes()])
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self { key: cookie(&parts.headers, KEY_COOKIE).and_then(PosterKey::parse) })
    }
}

/// The value of a cookie, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub site_name: String,
    pub boards: Arc<Vec<Board>>,
    /// A CSRF token for the forms on this page, bound to the visitor's identity if any.
    pub csrf: String,
    /// Whether the visitor has an anonymous identity on this device.
    pub member: bool,
    pub path: String,
    /// A moderator's warning to this member, shown once.
    pub notice: Option<String>,
    /// New messages (and newly accepted requests) in the member's private conversations.
    pub unread: i64,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let identity = Identity::from_request_parts(parts, state).await?;
        Ok(PageCtx::load(state, &identity, parts.uri.path()).await)
    }
}

impl PageCtx {
    /// The context of a page about to be shown: a member's waiting warning (shown once, so
    /// only load this for a page that is shown) and their unread messages.
    pub async fn load(state: &AppState, identity: &Identity, path: &str) -> Self {
        let mut ctx = PageCtx::new(state, identity, state.nav_boards().await, path);
        if let Some(hash) = identity.key_hash(state) {
            // A warning waits for the member's next visit; it is shown once.
            (ctx.notice, ctx.unread) = state
                .db(move |c| {
                    let Some(poster) = Poster::by_key_hash(c, &hash)? else { return Ok((None, 0)) };
                    if poster.pending_warning.is_some() {
                        Poster::set_warning(c, poster.id, None)?;
                    }
                    let unread = forum_core::models::Conversation::unread_for(c, poster.id)?;
                    Ok((poster.pending_warning, unread))
                })
                .await
                .unwrap_or((None, 0));
        }
        ctx
    }

    pub fn new(state: &AppState, identity: &Identity, boards: Arc<Vec<Board>>, path: &str) -> Self {
        Self {
            site_name: state.config.site_name.clone(),
            boards,
            csrf: csrf::token(state, identity),
            member: identity.key.is_some(),
            path: path.to_owned(),
            notice: None,
            unread: 0,
        }
    }
}

/// The name of a moderator's session cookie.
pub const MOD_COOKIE: &str = "forum_mod";

/// A logged-in moderator. Without a valid session, a request is sent to the login page.
#[derive(Debug, Clone)]
pub struct ModSession {
    pub moderator: Moderator,
    pub token_hash: String,
    /// A CSRF token for this moderator's forms.
    pub csrf: String,
}

impl ModSession {
    /// Checks a moderator form's token.
    pub fn check_csrf(&self, state: &AppState, submitted: &str) -> Result<(), crate::error::AppError> {
        csrf::check_for(state, self.token_hash.as_bytes(), submitted)
    }
}

pub fn session_hash(state: &AppState, token: &str) -> String {
    state.secrets.mac_hex(Purpose::Session, &[token.as_bytes()])
}

impl FromRequestParts<AppState> for ModSession {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::{IntoResponse, Redirect};
        let to_login = || Redirect::to("/mod/login").into_response();
        let Some(token) = cookie(&parts.headers, MOD_COOKIE).filter(|t| t.len() == 64) else {
            return Err(to_login());
        };
        let token_hash = session_hash(state, token);
        let lookup = token_hash.clone();
        match state.db(move |c| StoredSession::moderator(c, &lookup)).await {
            Ok(Some(moderator)) => {
                Ok(Self { csrf: csrf::token_for(state, token_hash.as_bytes()), moderator, token_hash })
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(e.into_response()),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for ModSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(<Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await.ok())
    }
}

/// A logged-in admin; other moderators get 403.
#[derive(Debug, Clone)]
pub struct AdminSession(pub ModSession);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let session = ModSession::from_request_parts(parts, state).await?;
        if session.moderator.is_admin {
            Ok(Self(session))
        } else {
            Err(crate::error::AppError::Forbidden("Only admins can do this.").into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.7"));
        assert_eq!(client_ip(proxy, &headers, &[proxy]), client);
        assert_eq!(client_ip(proxy, &headers, &[]), proxy);
        let stranger: IpAddr = "192.0.2.5".parse().unwrap();
        assert_eq!(client_ip(stranger, &headers, &[proxy]), stranger);
        headers.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(client_ip(proxy, &headers, &[proxy]), proxy);
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; forum_key=ABC ; b=2"));
        assert_eq!(cookie(&headers, "forum_key"), Some("ABC"));
        assert_eq!(cookie(&headers, "b"), Some("2"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}

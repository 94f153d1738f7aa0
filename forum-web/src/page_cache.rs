//! Rendered pages for readers, kept for a moment.
//!
//! When a thread is shared widely, most of its visitors are readers with no cookie, and they
//! all see the same bytes: the home page, a board page, a thread page. Those answers are kept
//! here for [`TTL`] and served again without touching the database. Nothing personal can be
//! in them: only requests without any cookie are served from here or stored here, and only
//! plain `200` HTML answers that set no cookie are stored.
//!
//! Every change made through this process (any `POST` answered with success or a redirect)
//! drops every kept page at once, so a reader never sees a page older than a change made here,
//! including a moderator hiding a post. Changes made by another process sharing the database
//! (another web server behind the same load balancer, the command line) show once a page's
//! [`TTL`] is up: the next request renders it again, while readers arriving during that render
//! still get the old copy (never for more than another [`TTL`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// How long a kept page may be served.
pub const TTL: Duration = Duration::from_secs(2);

/// At most this many bytes of pages are kept (thread pages are tens of kilobytes).
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A longer address is never kept (it is not one the site links to).
const MAX_KEY: usize = 200;

/// The largest page kept (50 long posts in a non-Latin script can make a bigger one).
const MAX_PAGE: usize = 2 * 1024 * 1024;

#[derive(Default)]
pub struct PageCache {
    /// Bumped by every change; a page kept under an older generation is not served.
    generation: AtomicU64,
    pages: Mutex<Pages>,
}

#[derive(Default)]
struct Pages {
    by_address: HashMap<String, Kept>,
    bytes: usize,
}

struct Kept {
    generation: u64,
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
    /// A request is rendering this page again; meanwhile the others get this copy.
    refreshing: bool,
}

impl PageCache {
    /// Forgets every kept page (something changed).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The kept page for `address`, if it may be served. When its time is up (and nothing
    /// changed here), one request is told to render it again while the others are still
    /// served this copy for up to [`TTL`] more, so that readers of a busy page do not all
    /// render it at once. After a change nothing older is ever served.
    fn get(&self, address: &str) -> Option<(HeaderMap, Bytes)> {
        let generation = self.generation.load(Ordering::SeqCst);
        let mut pages = self.pages.lock().ok()?;
        let kept = pages.by_address.get_mut(address)?;
        let age = kept.at.elapsed();
        let serve = kept.generation == generation
            && (age < TTL || (age < 2 * TTL && std::mem::replace(&mut kept.refreshing, true)));
        serve.then(|| (kept.headers.clone(), kept.body.clone()))
    }

    fn put(&self, address: String, generation: u64, headers: HeaderMap, body: Bytes) {
        let Ok(mut pages) = self.pages.lock() else { return };
        let current = self.generation.load(Ordering::SeqCst);
        if pages.bytes + body.len() > MAX_BYTES {
            pages.by_address.retain(|_, kept| kept.generation == current && kept.at.elapsed() < TTL);
            pages.bytes = pages.by_address.values().map(|kept| kept.body.len()).sum();
            if pages.bytes + body.len() > MAX_BYTES {
                pages.by_address.clear();
                pages.bytes = 0;
            }
        }
        pages.bytes += body.len();
        let kept = Kept { generation, at: Instant::now(), headers, body, refreshing: false };
        if let Some(old) = pages.by_address.insert(address, kept) {
            pages.bytes -= old.body.len();
        }
    }

    /// The number of pages kept (for tests).
    pub fn len(&self) -> usize {
        self.pages.lock().map_or(0, |pages| pages.by_address.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The address under which a reader's request may be answered from the cache, if any.
fn cacheable(request: &Request) -> Option<String> {
    if request.method() != Method::GET || request.headers().contains_key(header::COOKIE) {
        return None;
    }
    let uri = request.uri();
    let path = uri.path();
    if !(path == "/" || path.starts_with("/b/") || path.starts_with("/t/")) {
        return None;
    }
    let address = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    (address.len() <= MAX_KEY).then_some(address)
}

/// The middleware: answers readers from the cache, keeps what can be kept, and drops
/// everything after a change.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cache = &state.pages;
    let Some(address) = cacheable(&request) else {
        let changes = request.method() != Method::GET && request.method() != Method::HEAD;
        let response = next.run(request).await;
        let status = response.status();
        if changes && (status.is_success() || status.is_redirection()) {
            cache.invalidate();
        }
        return response;
    };
    if let Some((headers, body)) = cache.get(&address) {
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = headers;
        return response;
    }
    // Taken before rendering: a change made while this page renders makes it stale at once.
    let generation = cache.generation.load(Ordering::SeqCst);
    let response = next.run(request).await;
    let keep = response.status() == StatusCode::OK
        && response.body().size_hint().exact().is_some_and(|n| n <= MAX_PAGE as u64)
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => {
            cache.put(address, generation, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        // Only a body that fails as it is read gets here (a rendered page never does).
        Err(error) => {
            crate::error::AppError::Internal(anyhow::anyhow!("reading a page: {error}")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &'static str) -> Bytes {
        Bytes::from_static(text.as_bytes())
    }

    #[test]
    fn a_change_drops_every_page() {
        let cache = PageCache::default();
        cache.put("/t/1".into(), 0, HeaderMap::new(), page("one"));
        assert_eq!(cache.get("/t/1").map(|p| p.1), Some(page("one")));
        cache.invalidate();
        assert!(cache.get("/t/1").is_none());
    }

    #[test]
    fn a_page_rendered_before_a_change_is_not_served() {
        let cache = PageCache::default();
        let generation = cache.generation.load(Ordering::SeqCst);
        cache.invalidate();
        cache.put("/t/1".into(), generation, HeaderMap::new(), page("stale"));
        assert!(cache.get("/t/1").is_none());
    }

    #[test]
    fn an_expired_page_is_rendered_by_one_request_while_the_others_get_the_copy() {
        let cache = PageCache::default();
        cache.put("/t/1".into(), 0, HeaderMap::new(), page("one"));
        cache.pages.lock().unwrap().by_address.get_mut("/t/1").unwrap().at -= TTL;
        assert!(cache.get("/t/1").is_none(), "the first request after the time is up renders");
        assert_eq!(cache.get("/t/1").map(|p| p.1), Some(page("one")), "the others get the copy");
        assert_eq!(cache.get("/t/1").map(|p| p.1), Some(page("one")));
        cache.put("/t/1".into(), 0, HeaderMap::new(), page("two"));
        assert_eq!(cache.get("/t/1").map(|p| p.1), Some(page("two")));
        // Never past twice its time, and never after a change.
        cache.pages.lock().unwrap().by_address.get_mut("/t/1").unwrap().at -= 2 * TTL;
        assert!(cache.get("/t/1").is_none());
        assert!(cache.get("/t/1").is_none(), "too old for anyone");
        cache.put("/t/1".into(), 0, HeaderMap::new(), page("three"));
        cache.pages.lock().unwrap().by_address.get_mut("/t/1").unwrap().at -= TTL;
        assert!(cache.get("/t/1").is_none());
        cache.invalidate();
        assert!(cache.get("/t/1").is_none(), "a change: no copy for anyone");
    }

    #[test]
    fn the_cache_stays_within_its_size() {
        let cache = PageCache::default();
        let big = Bytes::from(vec![b'x'; MAX_BYTES / 4 + 1]);
        for i in 0..10 {
            cache.put(format!("/t/{i}"), 0, HeaderMap::new(), big.clone());
        }
        let bytes = cache.pages.lock().unwrap().bytes;
        assert!(bytes <= MAX_BYTES, "{bytes}");
        assert!(cache.get("/t/9").is_some(), "the newest page is kept");
    }

    #[test]
    fn only_cookieless_reads_of_public_pages_are_cacheable() {
        let request = |method: Method, uri: &str, cookie: bool| {
            let mut builder = Request::builder().method(method).uri(uri);
            if cookie {
                builder = builder.header(header::COOKIE, "forum_key=abc");
            }
            builder.body(Body::empty()).unwrap()
        };
        assert_eq!(cacheable(&request(Method::GET, "/t/5?page=2", false)).as_deref(), Some("/t/5?page=2"));
        assert_eq!(cacheable(&request(Method::GET, "/b/grief", false)).as_deref(), Some("/b/grief"));
        assert_eq!(cacheable(&request(Method::GET, "/", false)).as_deref(), Some("/"));
        assert!(cacheable(&request(Method::GET, "/t/5", true)).is_none(), "a member's page is theirs");
        assert!(cacheable(&request(Method::POST, "/t/5/reply", false)).is_none());
        assert!(cacheable(&request(Method::GET, "/mod/queue", false)).is_none());
        assert!(cacheable(&request(Method::GET, "/metrics", false)).is_none());
        assert!(cacheable(&request(Method::GET, "/me", false)).is_none());
        let long = format!("/t/5?{}", "x".repeat(MAX_KEY));
        assert!(cacheable(&request(Method::GET, &long, false)).is_none());
    }
}

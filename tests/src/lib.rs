//! The test harness: the real router on a fresh database per test, driven with HTTP requests.
//!
//! Every test written with [`engine_tests!`] runs on SQLite and, when
//! `FORUM_TEST_DATABASE_URL` names a PostgreSQL database, on PostgreSQL too, each in a schema
//! of its own.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use diesel::connection::SimpleConnection;
use forum_core::config::CoreConfig;
use forum_core::db::{DatabaseUrl, DbConn, SqliteSync};
use forum_web::rate_limit::RateLimits;
use forum_web::{App, AppState, Config};
use tower::ServiceExt;

/// The database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Declares tests that run once per engine: `engine_tests! { async fn name(engine) { … } }`
/// makes `name::sqlite` and `name::postgres`. The PostgreSQL run says it is skipped when
/// `FORUM_TEST_DATABASE_URL` is not set.
#[macro_export]
macro_rules! engine_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($engine:ident) $body:block )*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            async fn run($engine: $crate::Engine) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::Engine::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::postgres_url().is_some() {
                    run($crate::Engine::Postgres).await
                } else {
                    eprintln!("skipped: set FORUM_TEST_DATABASE_URL to run this test on PostgreSQL");
                }
            }
        }
    )*};
}

/// The PostgreSQL database the tests may use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("FORUM_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// Removes the test's database when the test ends.
enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, schema } = self {
            if let Ok(mut conn) = <diesel::PgConnection as diesel::Connection>::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// Settings for a test app.
pub struct TestAppBuilder {
    rate_limits: RateLimits,
    starter_boards: bool,
    webhooks: Option<forum_web::webhooks::WebhookConfig>,
    metrics_token: Option<String>,
    crisis_model: Option<std::path::PathBuf>,
}

impl Default for TestAppBuilder {
    fn default() -> Self {
        Self {
            rate_limits: RateLimits::off(),
            starter_boards: false,
            webhooks: None,
            metrics_token: None,
            crisis_model: None,
        }
    }
}

impl TestAppBuilder {
    /// Rate limits as configured (the default for tests is off).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    pub fn starter_boards(mut self) -> Self {
        self.starter_boards = true;
        self
    }

    /// Crisis webhooks, delivered by the background task as in `forum serve`.
    pub fn webhooks(mut self, config: forum_web::webhooks::WebhookConfig) -> Self {
        self.webhooks = Some(config);
        self
    }

    pub fn metrics_token(mut self, token: &str) -> Self {
        self.metrics_token = Some(token.to_owned());
        self
    }

    /// The crisis detector's learned model, as `FORUM_CRISIS_MODEL` names it (`builtin`).
    pub fn crisis_model(mut self, model: &str) -> Self {
        self.crisis_model = Some(model.into());
        self
    }

    pub async fn build(self, engine: Engine) -> TestApp {
        let (url, guard) = match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("forum.db").display().to_string();
                (DatabaseUrl::Sqlite(path), DbGuard::Sqlite(dir))
            }
            Engine::Postgres => {
                let admin_url = postgres_url().expect("FORUM_TEST_DATABASE_URL is set");
                let schema =
                    format!("t_{}_{}", std::process::id(), NEXT_SCHEMA.fetch_add(1, Ordering::Relaxed));
                let mut admin = <diesel::PgConnection as diesel::Connection>::establish(&admin_url)
                    .expect("FORUM_TEST_DATABASE_URL answers");
                admin.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("a fresh schema");
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
                (DatabaseUrl::Postgres(url), DbGuard::Postgres { admin_url, schema })
            }
        };
        let core = CoreConfig { database_url: url, pool_size: 4, sqlite_sync: SqliteSync::Normal };
        let mut config = Config::for_database(core);
        config.rate_limits = self.rate_limits;
        config.starter_boards = self.starter_boards;
        config.metrics_token = self.metrics_token;
        config.crisis_model = self.crisis_model;
        let background = self.webhooks.is_some();
        if let Some(webhooks) = self.webhooks {
            config.webhooks = webhooks;
        }
        let state = tokio::task::spawn_blocking(move || App::open(config))
            .await
            .expect("the app opens")
            .expect("the app opens");
        let router = forum_web::build_router(state.clone());
        let background = background.then(|| forum_web::webhooks::spawn(state.clone()));
        TestApp { state, router, engine, background, _guard: guard }
    }
}

static NEXT_SCHEMA: AtomicU32 = AtomicU32::new(0);
static NEXT_CLIENT: AtomicU32 = AtomicU32::new(1);

/// The real router on a fresh database.
pub struct TestApp {
    pub state: AppState,
    router: Router,
    pub engine: Engine,
    background: Option<tokio::task::JoinHandle<()>>,
    _guard: DbGuard,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(task) = &self.background {
            task.abort();
        }
    }
}

impl TestApp {
    pub async fn new(engine: Engine) -> TestApp {
        TestAppBuilder::default().build(engine).await
    }

    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// Direct database access for fixtures and for checking what was stored. A fixture may
    /// change what readers see, so the pages kept for readers are dropped, as after a change
    /// made through the site.
    pub async fn db<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&mut DbConn) -> T + Send + 'static,
        T: Send + 'static,
    {
        let value = self.db_behind_the_cache(f).await;
        self.state.pages.invalidate();
        value
    }

    /// Direct database access that leaves the pages kept for readers alone, as a change made
    /// by another process sharing the database would.
    pub async fn db_behind_the_cache<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&mut DbConn) -> T + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.state.pool.clone();
        tokio::task::spawn_blocking(move || f(&mut pool.get().expect("a connection")))
            .await
            .expect("the fixture runs")
    }

    /// Makes a board directly.
    pub async fn board(&self, slug: &str, name: &str) -> forum_core::models::Board {
        let (slug, name) = (slug.to_owned(), name.to_owned());
        let board = self
            .db(move |c| forum_core::models::NewBoard::new(&slug, &name, "A place to talk.").insert(c))
            .await
            .expect("the board is made");
        self.state.forget_nav();
        board
    }

    /// Makes a moderator account directly (password "a long password").
    pub async fn moderator(&self, name: &str, admin: bool) -> forum_core::models::Moderator {
        let name = name.to_owned();
        self.db(move |c| {
            forum_core::models::NewModerator { name: &name, password: "a long password", is_admin: admin }
                .insert(c)
        })
        .await
        .expect("the moderator is made")
    }

    /// A browser logged in as a new moderator.
    pub async fn moderator_client(&self, name: &str, admin: bool) -> Client<'_> {
        self.moderator(name, admin).await;
        let client = self.client();
        let response = client
            .submit("/mod/login", "/mod/login", &[("name", name), ("password", "a long password")])
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "the moderator logs in: {}", response.text);
        client
    }

    /// A browser: its own address and cookie jar.
    pub fn client(&self) -> Client<'_> {
        let n = NEXT_CLIENT.fetch_add(1, Ordering::Relaxed);
        let ip = IpAddr::V4(Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8));
        self.client_at(ip)
    }

    pub fn client_at(&self, ip: IpAddr) -> Client<'_> {
        Client { app: self, ip, cookies: Mutex::new(Vec::new()) }
    }

    /// Sends one request as it is.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        TestResponse { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.client().get(path).await
    }
}

/// One visitor's browser: an address, cookies it was given, and same-origin form posts.
pub struct Client<'a> {
    app: &'a TestApp,
    pub ip: IpAddr,
    cookies: Mutex<Vec<(String, String)>>,
}

impl Client<'_> {
    fn request(&self, method: Method, path: &str, body: Body, content_type: Option<&str>) -> Request<Body> {
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, "forum.test");
        if let Some(kind) = content_type {
            builder = builder.header(header::CONTENT_TYPE, kind);
        }
        let jar = self.cookies.lock().expect("cookie jar");
        if !jar.is_empty() {
            let cookie = jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            builder = builder.header(header::COOKIE, cookie);
        }
        let mut request = builder.body(body).expect("a request");
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(self.ip, 40000)));
        request
    }

    fn keep_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.cookies.lock().expect("cookie jar");
        for value in headers.get_all(header::SET_COOKIE) {
            let Some((pair, attributes)) = value.to_str().ok().map(|v| v.split_once(';').unwrap_or((v, "")))
            else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            jar.retain(|(k, _)| k != name);
            if !attributes.contains("Max-Age=0") {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("cookie jar").iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.cookies.lock().expect("cookie jar");
        jar.retain(|(k, _)| k != name);
        jar.push((name.to_owned(), value.to_owned()));
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        let response = self.app.send(self.request(Method::GET, path, Body::empty(), None)).await;
        self.keep_cookies(&response.headers);
        response
    }

    /// Posts a form as it is (no token added).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = encode_form(fields);
        let request =
            self.request(Method::POST, path, Body::from(body), Some("application/x-www-form-urlencoded"));
        let response = self.app.send(request).await;
        self.keep_cookies(&response.headers);
        response
    }

    /// What a person does: open the page with the form, fill it in, send it.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> TestResponse {
        let form_page = self.get(page).await;
        assert_eq!(form_page.status, StatusCode::OK, "the form page {page} opens: {}", form_page.text);
        let token = form_page.csrf().expect("the page has a form with a token");
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    /// Starts a thread on the board `slug` through its form; the thread's path and the
    /// opening post's id.
    pub async fn start_thread(&self, slug: &str, title: &str, body: &str) -> (String, String) {
        let form = format!("/b/{slug}/new");
        let sent = self.submit(&form, &form, &[("title", title), ("body", body)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
        let (path, post) = sent.location().and_then(|l| l.split_once("#p")).expect("a link to the new post");
        (path.to_owned(), post.to_owned())
    }

    /// Replies through the reply form of the thread at `thread_path` (`/t/12`, with or
    /// without a slug, page or anchor), with the form `fields` (at least a `body`).
    pub async fn reply(&self, thread_path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let id = thread_path.trim_start_matches("/t/").split(['/', '?', '#']).next().unwrap_or_default();
        self.submit(thread_path, &format!("/t/{id}/reply"), fields).await
    }

    /// Follows a redirect's `Location`.
    pub async fn follow(&self, response: &TestResponse) -> TestResponse {
        let location = response.location().expect("a redirect");
        let path = location.split('#').next().unwrap_or_default().to_owned();
        self.get(&path).await
    }
}

/// `application/x-www-form-urlencoded`.
pub fn encode_form(fields: &[(&str, &str)]) -> String {
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// A response with its body read.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The first CSRF token in the page's forms.
    pub fn csrf(&self) -> Option<String> {
        let html = scraper::Html::parse_document(&self.text);
        let selector = scraper::Selector::parse(r#"input[name="csrf"]"#).expect("a selector");
        html.select(&selector).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
    }

    /// The text content of every element matching `selector`.
    pub fn select_text(&self, selector: &str) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.text);
        let selector = scraper::Selector::parse(selector).expect("a valid selector");
        html.select(&selector).map(|e| e.text().collect::<String>().trim().to_owned()).collect()
    }

    /// The value of `attribute` on every element matching `selector`.
    pub fn select_attr(&self, selector: &str, attribute: &str) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.text);
        let selector = scraper::Selector::parse(selector).expect("a valid selector");
        html.select(&selector).filter_map(|e| e.value().attr(attribute)).map(str::to_owned).collect()
    }

    /// Anything in the page that could run: scripts other than the site's own, event-handler
    /// attributes, `style` attributes, script-capable URLs. Empty when the page is inert.
    pub fn executable_content(&self) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.text);
        let mut found = Vec::new();
        for element in html.root_element().descendants().filter_map(scraper::ElementRef::wrap) {
            let el = element.value();
            let own_script = el.name() == "script" && el.attr("src") == Some("/static/help.js");
            if matches!(
                el.name(),
                "script" | "iframe" | "object" | "embed" | "frame" | "base" | "svg" | "math"
            ) && !own_script
            {
                found.push(format!("<{}>", el.name()));
            }
            if el.name() == "meta" && el.attr("http-equiv").is_some() {
                found.push("<meta http-equiv>".into());
            }
            for (name, value) in el.attrs() {
                let lower = name.to_ascii_lowercase();
                if lower.starts_with("on") || lower == "style" || lower == "srcdoc" || lower == "formaction" {
                    found.push(format!("{} {name}=", el.name()));
                }
                if matches!(lower.as_str(), "href" | "src" | "action" | "xlink:href" | "data" | "poster") {
                    let cleaned: String =
                        value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                    let cleaned = cleaned.to_ascii_lowercase();
                    if ["javascript:", "data:", "vbscript:"].iter().any(|s| cleaned.starts_with(s)) {
                        found.push(format!("{} {name}={value}", el.name()));
                    }
                }
            }
        }
        found
    }
}

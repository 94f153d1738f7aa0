//! The application state every handler shares.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use forum_core::db::{self, DbConn, DbPool};
use forum_core::models::{Board, BoardSummary, WordRule};
use forum_core::secrets::Secrets;
use forum_core::{CoreError, CoreResult};
use forum_mod::crisis::CrisisDetector;
use forum_mod::rules::WordRules;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::helplines::Helplines;
use crate::rate_limit::Limiter;

/// Everything a request may need: storage, settings, keys and limiters.
pub struct App {
    pub pool: DbPool,
    pub helplines: Helplines,
    /// Finds crisis language; built once at start-up.
    pub detector: Arc<CrisisDetector>,
    rules: RwLock<(Instant, Arc<WordRules>)>,
    pub config: Config,
    pub secrets: Secrets,
    pub limiter: Arc<Limiter>,
    nav: RwLock<Option<(Instant, Arc<Vec<Board>>)>>,
    summaries: RwLock<Option<(Instant, Arc<Vec<BoardSummary>>)>>,
    /// As many blocking database tasks at once as the pool has connections; the others wait
    /// here instead of in a thread of their own (each blocking thread costs memory).
    db_permits: tokio::sync::Semaphore,
    /// Rendered pages for readers without a cookie.
    pub pages: crate::page_cache::PageCache,
}

/// What handlers take: a cheap clone of the shared [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// How long the board list in the header may be stale (boards change rarely; several web
/// processes may share one database).
const NAV_TTL: Duration = Duration::from_secs(10);

/// How stale the home page's thread counts may be.
const SUMMARY_TTL: Duration = Duration::from_secs(5);

impl App {
    /// Opens the database, applies pending migrations, loads the server secret and, on a
    /// fresh database, creates the starter boards if configured to.
    pub fn open(config: Config) -> anyhow::Result<AppState> {
        let pool = db::build_pool(&config.core.database_url, config.core.pool_size, config.core.sqlite_sync)?;
        let mut conn = pool.get().map_err(CoreError::from)?;
        db::run_migrations(&mut conn)?;
        let secrets = Secrets::load_or_create(&mut conn)?;
        if config.starter_boards && Board::count(&mut conn)? == 0 {
            Board::create_starter_set(&mut conn)?;
        }
        let rules = Arc::new(WordRules::new(&WordRule::all(&mut conn)?));
        drop(conn);
        let detector = Arc::new(CrisisDetector::configured(
            config.crisis_lexicon.as_deref(),
            config.crisis_model.as_deref(),
        )?);
        let limiter = Limiter::new(&config.rate_limits);
        let pool_size = pool.max_size() as usize;
        Ok(AppState(Arc::new(App {
            pool,
            helplines: config.helplines.clone(),
            detector,
            rules: RwLock::new((Instant::now(), rules)),
            config,
            secrets,
            limiter,
            nav: RwLock::new(None),
            summaries: RwLock::new(None),
            db_permits: tokio::sync::Semaphore::new(pool_size),
            pages: crate::page_cache::PageCache::default(),
        })))
    }

    /// Runs blocking database work off the async executor. Every handler goes through here.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> CoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let _permit = self.db_permits.acquire().await.map_err(|_| AppError::Unavailable)?;
        tokio::task::spawn_blocking(move || {
            span.in_scope(|| {
                let mut conn = pool.get().map_err(CoreError::from)?;
                f(&mut conn)
            })
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
        .map_err(AppError::from)
    }

    /// The boards for the header, from a short-lived cache.
    pub async fn nav_boards(&self) -> Arc<Vec<Board>> {
        if let Some((at, boards)) = self.nav.read().ok().and_then(|n| n.clone()) {
            if at.elapsed() < NAV_TTL {
                return boards;
            }
        }
        match self.db(Board::all).await {
            Ok(boards) => {
                let boards = Arc::new(boards);
                if let Ok(mut nav) = self.nav.write() {
                    *nav = Some((Instant::now(), boards.clone()));
                }
                boards
            }
            Err(_) => self.cached_nav(),
        }
    }

    /// The boards with their thread counts and last activity for the home page, from a
    /// short-lived cache (counting threads reads a whole index on a large forum).
    pub async fn board_summaries(&self) -> AppResult<Arc<Vec<BoardSummary>>> {
        if let Some((at, summaries)) = self.summaries.read().ok().and_then(|s| s.clone()) {
            if at.elapsed() < SUMMARY_TTL {
                return Ok(summaries);
            }
        }
        let summaries = Arc::new(self.db(Board::summaries).await?);
        if let Ok(mut slot) = self.summaries.write() {
            *slot = Some((Instant::now(), summaries.clone()));
        }
        Ok(summaries)
    }

    /// The last board list known, without touching the database (for error pages).
    pub fn cached_nav(&self) -> Arc<Vec<Board>> {
        self.nav.read().ok().and_then(|n| n.as_ref().map(|(_, b)| b.clone())).unwrap_or_default()
    }

    /// The word rules in force, reloaded now and then so that every web process sees an
    /// admin's change.
    pub async fn word_rules(&self) -> Arc<WordRules> {
        if let Ok(rules) = self.rules.read() {
            if rules.0.elapsed() < NAV_TTL {
                return rules.1.clone();
            }
        }
        match self.db(WordRule::all).await {
            Ok(stored) => {
                let rules = Arc::new(WordRules::new(&stored));
                if let Ok(mut slot) = self.rules.write() {
                    *slot = (Instant::now(), rules.clone());
                }
                rules
            }
            Err(_) => self.rules.read().map(|r| r.1.clone()).unwrap_or_default(),
        }
    }

    /// Makes the next request reload the word rules.
    pub fn forget_word_rules(&self) {
        if let Ok(mut slot) = self.rules.write() {
            slot.0 = Instant::now() - NAV_TTL;
        }
    }

    /// Drops the cached board list after a change.
    pub fn forget_nav(&self) {
        if let Ok(mut nav) = self.nav.write() {
            *nav = None;
        }
        if let Ok(mut summaries) = self.summaries.write() {
            *summaries = None;
        }
    }
}

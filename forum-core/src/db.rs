//! One connection type over SQLite and PostgreSQL, the pool, migrations and write transactions.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::CoreError;

/// A connection to either engine; every query in the crate is type-checked against both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(diesel::PgConnection),
    // Last: SQLite accepts any string as a path.
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Which engine a `DATABASE_URL` names, and the address to hand to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseUrl {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; a file path, `sqlite:PATH` or
    /// `sqlite://PATH` is SQLite.
    pub fn parse(url: &str) -> Result<Self, CoreError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() {
            return Err(CoreError::Config("DATABASE_URL names no SQLite file".into()));
        }
        if path.contains("://") {
            return Err(CoreError::Config(format!(
                "DATABASE_URL has an unknown scheme: {}",
                path.split("://").next().unwrap_or_default()
            )));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }
}

/// How hard SQLite works to keep a committed write through a power cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    /// Every commit reaches the disk before it is acknowledged (`synchronous = FULL`).
    Full,
    /// Commits survive a crash of the process; the last ones may be lost to a power cut
    /// (`synchronous = NORMAL`).
    Normal,
}

impl SqliteSync {
    pub fn parse(value: &str) -> Result<Self, CoreError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            other => Err(CoreError::Config(format!(
                "FORUM_SQLITE_SYNCHRONOUS must be full or normal, not {other:?}"
            ))),
        }
    }
}

/// Opens connections of the engine the URL names, so that its real error comes through.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    sqlite_sync: SqliteSync,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match &self.url {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url).map(DbConn::Postgresql),
            DatabaseUrl::Sqlite(path) => diesel::SqliteConnection::establish(path).map(DbConn::Sqlite),
        };
        let mut conn = conn.map_err(diesel::r2d2::Error::ConnectionError)?;
        if let DbConn::Sqlite(c) = &mut conn {
            let sync = match self.sqlite_sync {
                SqliteSync::Full => "FULL",
                SqliteSync::Normal => "NORMAL",
            };
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// Builds the pool. SQLite gets a small one: it has a single writer however many connections.
pub fn build_pool(url: &DatabaseUrl, max_size: u32, sqlite_sync: SqliteSync) -> Result<DbPool, CoreError> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CoreError::Config(format!("cannot create the directory {}: {e}", dir.display()))
                })?;
            }
        }
    }
    // Fail fast, with the engine's own message, when the database cannot be reached at all.
    let manager = ConnectionManager { url: url.clone(), sqlite_sync };
    manager.connect().map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let max_size = if url.is_sqlite() { max_size.clamp(1, 16) } else { max_size.max(1) };
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
        .build(manager)
        .map_err(|e| CoreError::Unavailable(e.to_string()))
}

/// Applies the migrations this engine has not seen yet; returns their names.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, CoreError> {
    let source = match conn {
        DbConn::Postgresql(_) => POSTGRES_MIGRATIONS,
        DbConn::Sqlite(_) => SQLITE_MIGRATIONS,
    };
    let applied = conn.run_pending_migrations(source).map_err(|e| CoreError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Runs `f` in a transaction that takes the write lock at its start.
///
/// On PostgreSQL it is an ordinary transaction. On SQLite a plain (deferred) transaction that
/// reads first and writes later can fail with "database is locked" when another connection
/// wrote in between, and each commit waits for its own `fsync`. So this process's writers to a
/// database file queue for one writer connection instead (see [`group_commit`]): each runs in
/// a savepoint of a shared `BEGIN IMMEDIATE` transaction, and whoever is last in the queue
/// commits for all of them, one `fsync` for the batch. It returns only once its work is on disk.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Postgresql(_) => conn.transaction(f),
        DbConn::Sqlite(inner) => {
            let depth = AnsiTransactionManager::transaction_manager_status_mut(inner)
                .transaction_depth()
                .map_err(E::from)?;
            if depth.is_some() {
                // Already inside a write transaction: a savepoint is enough.
                return conn.transaction(f);
            }
            match group_commit::writer_for(inner).map_err(E::from)? {
                Some(writer) => writer.run(f),
                None => group_commit::alone(conn, f),
            }
        }
    }
}

/// Group commit for SQLite: one writer connection per database file, shared by the threads
/// of this process that write to it.
///
/// A thread takes the writer, runs its work in a savepoint of the open batch transaction
/// (beginning one with `BEGIN IMMEDIATE` if none is open) and then, if nobody else is waiting
/// for the writer (or the batch is full), commits the batch and wakes the threads whose work
/// was in it; otherwise it leaves the commit to the next one and waits for it. While one
/// commit waits for the disk, the next writers queue up and go to disk together. Work that
/// fails (or panics) is rolled back to its savepoint without touching the rest of the batch;
/// a failed commit fails every member of the batch, so nobody is told that lost work was saved.
mod group_commit {
    use std::collections::VecDeque;
    use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
    use std::time::{SystemTime, UNIX_EPOCH};

    use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
    use diesel::prelude::*;
    use diesel::result::Error as DieselError;
    use diesel::sql_types::{Integer, Text};

    use super::DbConn;

    /// A batch is committed after this many pieces of work even if more are waiting, so that
    /// the first of them does not wait long.
    const MAX_BATCH: usize = 64;

    /// A writer unused for this long is closed (tests open many short-lived databases).
    const IDLE_SECS: u64 = 60;

    /// How often a background thread copies the write-ahead log back into the database file.
    /// The writer still checkpoints every 1,000 pages of log (SQLite's default, which keeps
    /// the log small), but most pages are copied by then, so its checkpoints are short.
    /// Posting on a 1,000,000-post database, 64 connections: ~2,300/s, p99 40 ms with only the
    /// writer's checkpoints; ~2,530/s, p99 38 ms with this. (Leaving every checkpoint to this
    /// thread was faster for seconds, but the log then grew without bound under steady writes,
    /// and resetting it held every writer up for ~100 ms.)
    const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

    type Manager = <DbConn as Connection>::TransactionManager;

    pub struct Writer {
        path: String,
        state: Mutex<State>,
        /// How far batches have ended. Writers waiting for their batch's commit wait here,
        /// not on `state`, so that they do not hold up the next batch's writers.
        ended: Mutex<Ended>,
        /// Signalled whenever a batch ends (committed or failed).
        batch_ended: Condvar,
        /// Threads waiting to take the writer; the last one in commits.
        waiting: AtomicUsize,
        last_used: AtomicU64,
        /// Batches committed so far.
        commits: AtomicU64,
    }

    struct State {
        conn: Option<DbConn>,
        /// A batch transaction is open on `conn`.
        open: bool,
        /// The number of the open (or next) batch and how much work it holds.
        batch: u64,
        in_batch: usize,
        /// The pragmas to give a new writer connection.
        pragmas: String,
    }

    #[derive(Default)]
    struct Ended {
        /// Every batch up to this one has ended.
        upto: u64,
        /// Recent batches whose commit failed, with the error.
        failed: VecDeque<(u64, String)>,
    }

    static WRITERS: Mutex<Vec<Arc<Writer>>> = Mutex::new(Vec::new());

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_secs() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }

    #[derive(QueryableByName)]
    struct DatabaseFile {
        #[diesel(sql_type = Text)]
        file: String,
    }

    #[derive(QueryableByName)]
    struct Pragma {
        #[diesel(sql_type = Integer)]
        value: i32,
    }

    /// The writer for the database `conn` is connected to; `None` for an in-memory database.
    pub fn writer_for(conn: &mut diesel::SqliteConnection) -> Result<Option<Arc<Writer>>, DieselError> {
        let path = diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .get_result::<DatabaseFile>(conn)?
            .file;
        if path.is_empty() {
            return Ok(None);
        }
        let mut writers = lock(&WRITERS);
        let now = now_secs();
        writers.retain(|w| {
            Arc::strong_count(w) > 1 || now.saturating_sub(w.last_used.load(Ordering::Relaxed)) < IDLE_SECS
        });
        if let Some(writer) = writers.iter().find(|w| w.path == path) {
            writer.last_used.store(now, Ordering::Relaxed);
            return Ok(Some(writer.clone()));
        }
        // The writer connection works like the caller's: same durability, same constraints.
        let synchronous = diesel::sql_query("SELECT synchronous AS value FROM pragma_synchronous")
            .get_result::<Pragma>(conn)?;
        let foreign_keys = diesel::sql_query("SELECT foreign_keys AS value FROM pragma_foreign_keys")
            .get_result::<Pragma>(conn)?;
        let pragmas = format!(
            "PRAGMA busy_timeout = 10000; PRAGMA synchronous = {}; PRAGMA foreign_keys = {};",
            synchronous.value, foreign_keys.value
        );
        let writer = Arc::new(Writer {
            path,
            state: Mutex::new(State { conn: None, open: false, batch: 1, in_batch: 0, pragmas }),
            ended: Mutex::new(Ended::default()),
            batch_ended: Condvar::new(),
            waiting: AtomicUsize::new(0),
            last_used: AtomicU64::new(now),
            commits: AtomicU64::new(0),
        });
        writers.push(writer.clone());
        spawn_checkpointer(&writer);
        Ok(Some(writer))
    }

    /// Checkpoints the database of `writer` in the background, after commits, for as long as
    /// the writer is in use (see [`CHECKPOINT_EVERY`]). `PASSIVE`: it never waits for readers
    /// and never holds up the writer.
    fn spawn_checkpointer(writer: &Arc<Writer>) {
        let weak = Arc::downgrade(writer);
        let path = writer.path.clone();
        let spawned = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || {
            let mut conn: Option<diesel::SqliteConnection> = None;
            let mut checkpointed = 0;
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                let Some(commits) = weak.upgrade().map(|w| w.commits.load(Ordering::Relaxed)) else {
                    break;
                };
                if commits == checkpointed {
                    continue;
                }
                if conn.is_none() {
                    conn = diesel::SqliteConnection::establish(&path).ok();
                }
                let Some(c) = conn.as_mut() else { continue };
                match c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                    Ok(()) => checkpointed = commits,
                    Err(error) => {
                        tracing::warn!(%error, "checkpoint failed; will retry");
                        conn = None;
                    }
                }
            }
        });
        if let Err(error) = spawned {
            tracing::warn!(%error, "no checkpoint thread: the write-ahead log is checkpointed when the last connection closes");
        }
    }

    impl State {
        /// The writer connection inside an open batch transaction.
        fn begin(&mut self, path: &str) -> Result<&mut DbConn, DieselError> {
            if self.conn.is_none() {
                let mut conn = diesel::SqliteConnection::establish(path)
                    .map_err(|e| DieselError::QueryBuilderError(e.into()))?;
                conn.batch_execute(&self.pragmas)?;
                self.conn = Some(DbConn::Sqlite(conn));
            }
            let Some(conn) = self.conn.as_mut() else { return Err(DieselError::NotInTransaction) };
            if !self.open {
                if let DbConn::Sqlite(inner) = conn {
                    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
                }
                self.open = true;
            }
            Ok(conn)
        }

        /// Whether the open batch can go on: its transaction is the only one left open.
        fn healthy(&mut self) -> bool {
            match &mut self.conn {
                Some(DbConn::Sqlite(inner)) => matches!(
                    AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth(),
                    Ok(Some(depth)) if depth.get() == 1
                ),
                _ => false,
            }
        }

        /// Ends the open batch: commits it, or on failure rolls it back and says why.
        fn end_batch(&mut self) -> Option<String> {
            let mut failure = None;
            if let (true, Some(conn)) = (self.open, self.conn.as_mut()) {
                if let Err(error) = Manager::commit_transaction(conn) {
                    failure = Some(error.to_string());
                    // Leave nothing half-done behind: a fresh connection for the next batch.
                    let _ = Manager::rollback_transaction(conn);
                    self.conn = None;
                }
            }
            self.next_batch();
            failure
        }

        /// Undoes the open batch after its connection broke, and says so.
        fn abandon_batch(&mut self) -> String {
            if let Some(conn) = self.conn.as_mut() {
                let _ = Manager::rollback_transaction(conn);
            }
            self.conn = None;
            self.next_batch();
            "the writer connection broke".into()
        }

        /// Numbers the next batch; none is open.
        fn next_batch(&mut self) {
            self.open = false;
            self.in_batch = 0;
            self.batch += 1;
        }
    }

    impl Writer {
        pub fn run<T, E, F>(&self, f: F) -> Result<T, E>
        where
            F: FnOnce(&mut DbConn) -> Result<T, E>,
            E: From<DieselError>,
        {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            let mut state = lock(&self.state);
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            let batch = state.batch;
            let outcome = match state.begin(&self.path) {
                Ok(conn) => Self::in_savepoint(conn, f),
                // Nothing was begun, so no batch to wait for.
                Err(error) => return Err(E::from(error)),
            };
            let failure = if !state.healthy() {
                // A savepoint that could not be undone: the whole batch goes.
                let failure = Some(state.abandon_batch());
                self.batch_over(batch, failure.clone());
                failure
            } else {
                state.in_batch += 1;
                if self.waiting.load(Ordering::SeqCst) == 0 || state.in_batch >= MAX_BATCH {
                    let failure = state.end_batch();
                    self.commits.fetch_add(1, Ordering::Relaxed);
                    // Still holding `state`: batches are reported over in order.
                    self.batch_over(batch, failure.clone());
                    failure
                } else {
                    // The next writer in line commits this batch; wait for it.
                    drop(state);
                    self.wait_for(batch)
                }
            };
            match (outcome, failure) {
                (Err(panic), _) => resume_unwind(panic),
                (Ok(Ok(_)), Some(error)) => Err(E::from(DieselError::QueryBuilderError(
                    format!("the write could not be committed: {error}").into(),
                ))),
                (Ok(result), _) => result,
            }
        }

        fn batch_over(&self, batch: u64, failure: Option<String>) {
            let mut ended = lock(&self.ended);
            ended.upto = batch;
            if let Some(error) = failure {
                ended.failed.push_back((batch, error));
                if ended.failed.len() > 64 {
                    ended.failed.pop_front();
                }
            }
            self.batch_ended.notify_all();
        }

        /// Waits until `batch` has ended; why it failed, if it did.
        fn wait_for(&self, batch: u64) -> Option<String> {
            let mut ended = lock(&self.ended);
            while ended.upto < batch {
                ended = self.batch_ended.wait(ended).unwrap_or_else(PoisonError::into_inner);
            }
            ended.failed.iter().find(|(b, _)| *b == batch).map(|(_, e)| e.clone())
        }

        /// Runs `f` in a savepoint, keeping its changes only if it succeeds.
        fn in_savepoint<T, E, F>(conn: &mut DbConn, f: F) -> std::thread::Result<Result<T, E>>
        where
            F: FnOnce(&mut DbConn) -> Result<T, E>,
            E: From<DieselError>,
        {
            if let Err(error) = Manager::begin_transaction(conn) {
                return Ok(Err(E::from(error)));
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| f(conn)));
            let settled = match &outcome {
                Ok(Ok(_)) => Manager::commit_transaction(conn),
                _ => Manager::rollback_transaction(conn),
            };
            match (outcome, settled) {
                (Ok(Ok(_)), Err(error)) => Ok(Err(E::from(error))),
                (outcome, _) => outcome,
            }
        }
    }

    /// How many batches the writer of this database file has committed.
    #[cfg(test)]
    pub fn commits(path: &str) -> u64 {
        lock(&WRITERS)
            .iter()
            .find(|w| w.path.ends_with(path))
            .map_or(0, |w| w.commits.load(Ordering::Relaxed))
    }

    /// An in-memory database: each connection is its own database, so no sharing.
    pub fn alone<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<DieselError>,
    {
        let DbConn::Sqlite(inner) = conn else { return conn.transaction(f) };
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
        match f(conn) {
            Ok(value) => {
                Manager::commit_transaction(conn)?;
                Ok(value)
            }
            Err(error) => {
                Manager::rollback_transaction(conn)?;
                Err(error)
            }
        }
    }
}

/// The current time as stored: UTC, microsecond precision on both engines.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_engine() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap(),
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap(),
            DatabaseUrl::Postgres("postgresql://h/db".into())
        );
        for (url, path) in [
            ("forum.db", "forum.db"),
            ("sqlite:data/f.db", "data/f.db"),
            ("sqlite:///var/f.db", "/var/f.db"),
            ("sqlite://f.db", "f.db"),
        ] {
            assert_eq!(DatabaseUrl::parse(url).unwrap(), DatabaseUrl::Sqlite(path.into()));
        }
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }

    #[test]
    fn sqlite_pool_migrates_and_writes_concurrently() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("t.db").display().to_string());
        let pool = build_pool(&url, 4, SqliteSync::Normal).unwrap();
        let applied = run_migrations(&mut pool.get().unwrap()).unwrap();
        assert!(!applied.is_empty());
        assert!(run_migrations(&mut pool.get().unwrap()).unwrap().is_empty());

        // Read-then-write transactions from several threads: none may fail as "locked".
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let mut conn = pool.get().unwrap();
                        write_transaction(&mut conn, |c| {
                            crate::models::Setting::get(c, "counter")?;
                            crate::models::Setting::put(c, &format!("k{t}-{i}"), "v")
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        use crate::schema::settings;
        let n: i64 = settings::table.count().get_result(&mut pool.get().unwrap()).unwrap();
        assert_eq!(n, 100);
    }

    fn test_pool(name: &str) -> (tempfile::TempDir, DbPool, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name).display().to_string();
        let pool = build_pool(&DatabaseUrl::Sqlite(path.clone()), 8, SqliteSync::Full).unwrap();
        run_migrations(&mut pool.get().unwrap()).unwrap();
        (dir, pool, path)
    }

    fn settings_named(pool: &DbPool, prefix: &str) -> Vec<String> {
        use crate::schema::settings;
        let mut names: Vec<String> = settings::table
            .select(settings::name)
            .filter(settings::name.like(format!("{prefix}%")))
            .load(&mut pool.get().unwrap())
            .unwrap();
        names.sort();
        names
    }

    #[test]
    fn concurrent_writes_share_commits_and_failures_stay_their_own() {
        let (_dir, pool, _path) = test_pool("group.db");
        let threads = 8;
        let per_thread = 30;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    let mut outcomes = Vec::new();
                    for i in 0..per_thread {
                        let mut conn = pool.get().unwrap();
                        let failing = (t + i) % 3 == 0;
                        let outcome = write_transaction(&mut conn, |c| -> Result<(), CoreError> {
                            crate::models::Setting::put(c, &format!("g{t:02}-{i:02}"), "v")?;
                            // Others queue up meanwhile and join this batch.
                            std::thread::sleep(Duration::from_millis(1));
                            if failing { Err(CoreError::Invalid("refused".into())) } else { Ok(()) }
                        });
                        assert_eq!(outcome.is_err(), failing);
                        if !failing {
                            outcomes.push(format!("g{t:02}-{i:02}"));
                        }
                    }
                    outcomes
                })
            })
            .collect();
        let mut expected: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        expected.sort();
        // Exactly the work that succeeded is stored, seen from another connection.
        assert_eq!(settings_named(&pool, "g"), expected);
        let jobs = (threads * per_thread) as u64;
        let commits = group_commit::commits("group.db");
        assert!(commits >= 1 && commits <= jobs / 2, "{commits} commits for {jobs} writes");
    }

    #[test]
    fn a_panicking_write_is_undone_and_the_writer_goes_on() {
        let (_dir, pool, _path) = test_pool("panic.db");
        let p = pool.clone();
        let panicked = std::thread::spawn(move || {
            let mut conn = p.get().unwrap();
            let _ = write_transaction(&mut conn, |c| -> Result<(), CoreError> {
                crate::models::Setting::put(c, "pa-lost", "v")?;
                panic!("a bug in the middle of a write");
            });
        })
        .join();
        assert!(panicked.is_err(), "the panic reaches its own caller");
        let mut conn = pool.get().unwrap();
        write_transaction(&mut conn, |c| crate::models::Setting::put(c, "pa-kept", "v")).unwrap();
        assert_eq!(settings_named(&pool, "pa-"), vec!["pa-kept".to_owned()]);
    }

    #[test]
    fn nested_write_transactions_use_savepoints() {
        let (_dir, pool, _path) = test_pool("nested.db");
        let mut conn = pool.get().unwrap();
        write_transaction(&mut conn, |c| -> Result<(), CoreError> {
            crate::models::Setting::put(c, "n-outer", "v")?;
            let inner = write_transaction(c, |c| -> Result<(), CoreError> {
                crate::models::Setting::put(c, "n-inner", "v")?;
                Err(CoreError::Invalid("undo the inner part".into()))
            });
            assert!(inner.is_err());
            Ok(())
        })
        .unwrap();
        assert_eq!(settings_named(&pool, "n-"), vec!["n-outer".to_owned()]);
    }

    #[test]
    fn committed_pages_reach_the_database_file_in_the_background() {
        let (_dir, pool, path) = test_pool("checkpoint.db");
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let mut conn = pool.get().unwrap();
        let value = "x".repeat(2000);
        for i in 0..40 {
            // Far fewer log pages than the writer's own checkpoint waits for (1,000).
            write_transaction(&mut conn, |c| crate::models::Setting::put(c, &format!("c{i}"), &value))
                .unwrap();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while size() <= before && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            size() > before,
            "the database file grew from {before} bytes without waiting for 1,000 pages"
        );
    }
}

//! Storage settings, read from the environment.

use crate::db::{DatabaseUrl, SqliteSync};
use crate::error::CoreError;

/// Where the data lives and how it is reached.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub database_url: DatabaseUrl,
    pub pool_size: u32,
    pub sqlite_sync: SqliteSync,
}

impl CoreConfig {
    pub const DEFAULT_DATABASE: &'static str = "forum.db";

    /// `DATABASE_URL` (default `forum.db` beside the working directory), `FORUM_DB_POOL_SIZE`
    /// (default 8; SQLite uses at most 16) and `FORUM_SQLITE_SYNCHRONOUS` (`full`, the default,
    /// or `normal`).
    pub fn from_env() -> Result<Self, CoreError> {
        let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| Self::DEFAULT_DATABASE.into());
        let pool_size = match std::env::var("FORUM_DB_POOL_SIZE") {
            Ok(v) => v.trim().parse().map_err(|_| {
                CoreError::Config(format!("FORUM_DB_POOL_SIZE must be a whole number, not {v:?}"))
            })?,
            Err(_) => 8,
        };
        let sqlite_sync = match std::env::var("FORUM_SQLITE_SYNCHRONOUS") {
            Ok(v) => SqliteSync::parse(&v)?,
            Err(_) => SqliteSync::Full,
        };
        Ok(Self { database_url: DatabaseUrl::parse(&url)?, pool_size, sqlite_sync })
    }
}

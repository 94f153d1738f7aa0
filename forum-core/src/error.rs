//! Errors of the domain and storage layer.

/// What can go wrong below the web layer.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Db(diesel::result::Error),
}

/// The one place where diesel's "no row" becomes `NotFound` and a unique violation a `Conflict`.
impl From<diesel::result::Error> for CoreError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("a record with the same key")
            }
            other => Self::Db(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for CoreError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

pub type CoreResult<T> = Result<T, CoreError>;

//! Domain and storage of the forum: boards, threads, pseudonymous posters, posts, reports,
//! moderators and the moderation log, on embedded SQLite or PostgreSQL.
//!
//! Nothing here knows about HTTP or HTML; the web crate and the command-line tool share it.

pub mod config;
pub mod db;
pub mod error;
pub mod ids;
pub mod models;
pub mod poster_key;
pub mod pseudonym;
pub mod retention;
pub mod sanitize;
pub mod schema;
pub mod secrets;
mod text_enum;

pub use db::{DbConn, DbPool};
pub use error::{CoreError, CoreResult};

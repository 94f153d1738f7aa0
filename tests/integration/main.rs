//! Behaviour seen through HTTP, on SQLite and (when configured) PostgreSQL.

mod boards;
mod cache;
mod crisis;
mod hostile;
mod identity;
mod moderation;
mod posting;
mod privacy;
mod protection;
mod routes;
mod support;

//! Moderation: the report queue, moderator actions with their log, and crisis-language
//! escalation. No HTTP here; the web crate calls in.
pub mod actions;
pub mod crisis;
pub mod figures;
pub mod queue;
pub mod replies;
pub mod reports;
pub mod rules;
pub mod submit;
pub mod support;

//! Moderation: the report queue, moderator actions with their log, and crisis-language
//! escalation. No HTTP here; the web crate calls in.

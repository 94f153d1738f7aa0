//! Keeping little, for as short as possible: abuse-control hashes rotate daily and are erased
//! after two days; reports, moderators' notes and expired sessions go after a configurable
//! number of days.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConn, write_transaction};
use crate::error::CoreResult;
use crate::schema::{bans, mod_sessions, posters, queue_items, queue_notes, reports};

/// How long things are kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Reports (with their copies of the post) of resolved items, after resolution.
    pub reports_days: i64,
    /// Moderators' private notes, after their item is resolved.
    pub notes_days: i64,
    /// Private conversations, after their last message.
    pub conversation_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self { reports_days: 30, notes_days: 30, conversation_days: 14 }
    }
}

/// The day number (since 1970) a network hash belongs to; hashes carry it as a `d{day}:` prefix.
pub fn day_of(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp().div_euclid(86_400)
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub hashes: usize,
    pub reports: usize,
    pub notes: usize,
    pub sessions: usize,
    pub messages: usize,
}

/// Erases what has outlived its retention, as of `now`.
pub fn purge(conn: &mut DbConn, now: NaiveDateTime, policy: Retention) -> CoreResult<Purged> {
    write_transaction(conn, |conn| {
        let today = day_of(now);
        let keep = [format!("d{today}:%"), format!("d{}:%", today - 1)];
        let mut hashes = 0;
        hashes += diesel::update(
            posters::table
                .filter(posters::network_hash.ne(""))
                .filter(posters::network_hash.not_like(&keep[0]))
                .filter(posters::network_hash.not_like(&keep[1])),
        )
        .set(posters::network_hash.eq(""))
        .execute(conn)?;
        hashes += diesel::update(
            bans::table
                .filter(bans::network_hash.ne(""))
                .filter(bans::network_hash.not_like(&keep[0]))
                .filter(bans::network_hash.not_like(&keep[1])),
        )
        .set(bans::network_hash.eq(""))
        .execute(conn)?;
        hashes += diesel::update(
            reports::table
                .filter(reports::reporter_hash.ne(""))
                .filter(reports::reporter_hash.not_like(&keep[0]))
                .filter(reports::reporter_hash.not_like(&keep[1])),
        )
        .set(reports::reporter_hash.eq(""))
        .execute(conn)?;

        let resolved_before = |days: i64| {
            queue_items::table
                .filter(queue_items::resolved_at.lt(now - Duration::days(days)))
                .select(queue_items::id)
        };
        let reports = diesel::delete(
            reports::table.filter(reports::queue_item_id.eq_any(resolved_before(policy.reports_days))),
        )
        .execute(conn)?;
        let notes = diesel::delete(
            queue_notes::table.filter(queue_notes::queue_item_id.eq_any(resolved_before(policy.notes_days))),
        )
        .execute(conn)?;
        let sessions =
            diesel::delete(mod_sessions::table.filter(mod_sessions::expires_at.lt(now))).execute(conn)?;
        let messages = crate::models::Conversation::purge_expired(conn, now)?;
        Ok(Purged { hashes, reports, notes, sessions, messages })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_days() {
        let at = chrono::DateTime::from_timestamp(86_400 * 3 + 5, 0).unwrap().naive_utc();
        assert_eq!(day_of(at), 3);
        let before = chrono::DateTime::from_timestamp(86_400 * 3 - 1, 0).unwrap().naive_utc();
        assert_eq!(day_of(before), 2);
    }
}

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now, write_transaction};
use crate::error::{CoreError, CoreResult};
use crate::ids::{BoardId, PosterId, ThreadId};
use crate::models::post::{AuthorRole, NewPost, Post, PostDraft, PostStatus};
use crate::schema::{thread_posters, threads};
use crate::secrets::Secrets;

/// A conversation in a board.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = threads)]
pub struct Thread {
    pub id: ThreadId,
    pub board_id: BoardId,
    pub poster_id: PosterId,
    pub title: String,
    pub content_warning: Option<String>,
    pub locked: bool,
    pub pinned: bool,
    pub visible: bool,
    pub crisis_mode: bool,
    pub reply_count: i32,
    pub created_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
}

/// A thread about to be started, with its opening post.
#[derive(Debug)]
pub struct NewThread<'a> {
    pub board_id: BoardId,
    pub poster_id: PosterId,
    pub title: &'a str,
    pub content_warning: Option<&'a str>,
}

/// Where the next page of a board's (unpinned) threads starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardCursor {
    pub last_activity_at: NaiveDateTime,
    pub id: ThreadId,
}

impl BoardCursor {
    /// `"{microseconds}.{id}"`, as it appears in a URL.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.last_activity_at.and_utc().timestamp_micros(), self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (micros, id) = text.split_once('.')?;
        let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        Some(Self { last_activity_at: at, id: ThreadId(id.parse().ok()?) })
    }
}

impl NewThread<'_> {
    /// Starts the thread and writes its opening post, in one transaction.
    pub fn create(
        self,
        conn: &mut DbConn,
        secrets: &Secrets,
        draft: PostDraft,
    ) -> CoreResult<(Thread, Post)> {
        write_transaction(conn, |conn| {
            let at = now();
            let thread: Thread = diesel::insert_into(threads::table)
                .values((
                    threads::board_id.eq(self.board_id),
                    threads::poster_id.eq(self.poster_id),
                    threads::title.eq(self.title),
                    threads::content_warning.eq(self.content_warning),
                    threads::visible.eq(draft.status == PostStatus::Visible),
                    threads::created_at.eq(at),
                    threads::last_activity_at.eq(at),
                ))
                .get_result(conn)?;
            let pseudonym = Thread::pseudonym_for(conn, secrets, thread.id, self.poster_id)?;
            let post = NewPost::from_draft(thread.id, self.poster_id, &pseudonym, &draft, at).insert(conn)?;
            Ok((thread, post))
        })
    }
}

impl Thread {
    pub fn by_id(conn: &mut DbConn, id: ThreadId) -> CoreResult<Thread> {
        Ok(threads::table.find(id).first(conn)?)
    }

    /// One page of a board: on the first page the pinned threads, then the others by last
    /// activity. Keyset pagination: the cost of a page does not grow with the board.
    pub fn list_for_board(
        conn: &mut DbConn,
        board: BoardId,
        after: Option<BoardCursor>,
        limit: i64,
    ) -> CoreResult<(Vec<Thread>, Option<BoardCursor>)> {
        let listed = threads::table.filter(threads::board_id.eq(board)).filter(threads::visible.eq(true));
        let mut out: Vec<Thread> = Vec::new();
        if after.is_none() {
            out = listed
                .filter(threads::pinned.eq(true))
                .order((threads::last_activity_at.desc(), threads::id.desc()))
                .load(conn)?;
        }
        let mut page = listed.filter(threads::pinned.eq(false)).into_boxed();
        if let Some(c) = after {
            page = page.filter(
                threads::last_activity_at
                    .lt(c.last_activity_at)
                    .or(threads::last_activity_at.eq(c.last_activity_at).and(threads::id.lt(c.id))),
            );
        }
        let mut rest: Vec<Thread> =
            page.order((threads::last_activity_at.desc(), threads::id.desc())).limit(limit + 1).load(conn)?;
        let next = if rest.len() as i64 > limit {
            rest.truncate(limit as usize);
            rest.last().map(|t| BoardCursor { last_activity_at: t.last_activity_at, id: t.id })
        } else {
            None
        };
        out.append(&mut rest);
        Ok((out, next))
    }

    /// Adds a reply, in one transaction: the member's pseudonym in this thread is found or
    /// given, and the thread's activity is brought up to date.
    pub fn reply(
        conn: &mut DbConn,
        secrets: &Secrets,
        thread_id: ThreadId,
        poster: PosterId,
        draft: PostDraft,
    ) -> CoreResult<(Thread, Post)> {
        write_transaction(conn, |conn| {
            let thread = Thread::by_id(conn, thread_id)?;
            let team = draft.author_role == AuthorRole::Team;
            if thread.locked && !team {
                return Err(CoreError::Invalid("this thread is locked: it takes no new replies".into()));
            }
            if thread.crisis_mode && !team && poster != thread.poster_id {
                return Err(CoreError::Invalid(
                    "for now only the moderation team and the person who started this thread can reply here"
                        .into(),
                ));
            }
            let at = now();
            let pseudonym = if team {
                TEAM_NAME.to_owned()
            } else {
                Thread::pseudonym_for(conn, secrets, thread.id, poster)?
            };
            let post = NewPost::from_draft(thread.id, poster, &pseudonym, &draft, at).insert(conn)?;
            if post.status == PostStatus::Visible {
                Thread::count_published_reply(conn, thread.id, at)?;
            }
            Ok((thread, post))
        })
    }

    /// A reply became visible: count it and bump the thread.
    pub fn count_published_reply(conn: &mut DbConn, id: ThreadId, at: NaiveDateTime) -> CoreResult<()> {
        diesel::update(threads::table.find(id))
            .set((threads::reply_count.eq(threads::reply_count + 1), threads::last_activity_at.eq(at)))
            .execute(conn)?;
        Ok(())
    }

    /// The member's name in this thread, given on their first post there: the first candidate
    /// not already taken by someone else in the thread.
    fn pseudonym_for(
        conn: &mut DbConn,
        secrets: &Secrets,
        thread: ThreadId,
        poster: PosterId,
    ) -> CoreResult<String> {
        let existing = |conn: &mut DbConn| -> CoreResult<Option<String>> {
            Ok(thread_posters::table
                .find((thread, poster))
                .select(thread_posters::pseudonym)
                .first::<String>(conn)
                .optional()?)
        };
        if let Some(name) = existing(conn)? {
            return Ok(name);
        }
        // A peer supporter who chose a public name uses it everywhere.
        let public = crate::models::Supporter::active(conn, poster)?.and_then(|s| s.public_name);
        let taken: std::collections::HashSet<String> = thread_posters::table
            .filter(thread_posters::thread_id.eq(thread))
            .select(thread_posters::pseudonym)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        // Collisions are rare (tens of thousands of names); after many, a number makes it unique.
        let candidates = public
            .into_iter()
            .chain((0..1000).map(|attempt| crate::pseudonym::derive(secrets, poster, thread, attempt)))
            .filter(|name| !taken.contains(name))
            .chain(std::iter::once(format!(
                "{} {}",
                crate::pseudonym::derive(secrets, poster, thread, 0),
                poster.0
            )));
        for name in candidates {
            // A savepoint, so that losing a race (on PostgreSQL, where writers run side by
            // side) leaves the surrounding transaction usable.
            let inserted = conn.transaction(|conn| {
                diesel::insert_into(thread_posters::table)
                    .values((
                        thread_posters::thread_id.eq(thread),
                        thread_posters::poster_id.eq(poster),
                        thread_posters::pseudonym.eq(&name),
                    ))
                    .execute(conn)
            });
            match inserted.map_err(CoreError::from) {
                Ok(_) => return Ok(name),
                // The same member's other reply got there first: use its name.
                Err(CoreError::Conflict(_)) => {
                    if let Some(name) = existing(conn)? {
                        return Ok(name);
                    }
                    // Someone else took this name at the same moment: try the next one.
                }
                Err(other) => return Err(other),
            }
        }
        Err(CoreError::Conflict("a free name in this thread"))
    }
}

/// The name the moderation team writes under.
pub const TEAM_NAME: &str = "Moderation team";

impl Thread {
    pub fn set_crisis_mode(conn: &mut DbConn, id: ThreadId, on: bool) -> CoreResult<Thread> {
        Ok(diesel::update(threads::table.find(id)).set(threads::crisis_mode.eq(on)).get_result(conn)?)
    }

    pub fn set_locked(conn: &mut DbConn, id: ThreadId, locked: bool) -> CoreResult<Thread> {
        Ok(diesel::update(threads::table.find(id)).set(threads::locked.eq(locked)).get_result(conn)?)
    }

    pub fn set_pinned(conn: &mut DbConn, id: ThreadId, pinned: bool) -> CoreResult<Thread> {
        Ok(diesel::update(threads::table.find(id)).set(threads::pinned.eq(pinned)).get_result(conn)?)
    }

    pub fn set_visible(conn: &mut DbConn, id: ThreadId, visible: bool) -> CoreResult<Thread> {
        Ok(diesel::update(threads::table.find(id)).set(threads::visible.eq(visible)).get_result(conn)?)
    }

    pub fn move_to(conn: &mut DbConn, id: ThreadId, board: BoardId) -> CoreResult<Thread> {
        Ok(diesel::update(threads::table.find(id)).set(threads::board_id.eq(board)).get_result(conn)?)
    }

    pub fn by_ids(conn: &mut DbConn, ids: &[ThreadId]) -> CoreResult<Vec<Thread>> {
        Ok(threads::table.filter(threads::id.eq_any(ids)).load(conn)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = BoardCursor { last_activity_at: now(), id: ThreadId(42) };
        assert_eq!(BoardCursor::decode(&c.encode()), Some(c));
        for bad in ["", "x", "1.", ".1", "1.x", "99999999999999999999.1"] {
            assert_eq!(BoardCursor::decode(bad), None, "{bad}");
        }
    }
}

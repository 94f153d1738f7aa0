use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::CoreResult;
use crate::ids::{BoardId, ModLogId, ModeratorId};
use crate::schema::{mod_log, moderators};

/// One entry of the append-only moderation log.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = mod_log)]
pub struct ModLogEntry {
    pub id: ModLogId,
    pub moderator_id: Option<ModeratorId>,
    pub action: String,
    pub target_kind: String,
    pub target_id: i32,
    pub board_id: Option<BoardId>,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

/// What a log entry records. There is no update or delete: the log only grows.
#[derive(Debug, Insertable)]
#[diesel(table_name = mod_log)]
pub struct NewModLog<'a> {
    /// `None` when the forum acted by itself (a post hidden after several reports).
    pub moderator_id: Option<ModeratorId>,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: i32,
    pub board_id: Option<BoardId>,
    pub reason: &'a str,
    pub created_at: NaiveDateTime,
}

impl<'a> NewModLog<'a> {
    pub fn new(
        moderator: Option<ModeratorId>,
        action: &'a str,
        target_kind: &'a str,
        target_id: i32,
        reason: &'a str,
    ) -> Self {
        Self {
            moderator_id: moderator,
            action,
            target_kind,
            target_id,
            board_id: None,
            reason,
            created_at: now(),
        }
    }

    pub fn in_board(mut self, board: BoardId) -> Self {
        self.board_id = Some(board);
        self
    }

    pub fn insert(self, conn: &mut DbConn) -> CoreResult<ModLogEntry> {
        Ok(diesel::insert_into(mod_log::table).values(&self).get_result(conn)?)
    }
}

impl ModLogEntry {
    /// Newest first, with the moderator's name, before `before` (an entry id) if given.
    pub fn recent(
        conn: &mut DbConn,
        before: Option<ModLogId>,
        limit: i64,
    ) -> CoreResult<Vec<(ModLogEntry, Option<String>)>> {
        let mut query = mod_log::table
            .left_join(moderators::table.on(mod_log::moderator_id.eq(moderators::id.nullable())))
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(mod_log::id.lt(before));
        }
        Ok(query
            .order(mod_log::id.desc())
            .limit(limit)
            .select((ModLogEntry::as_select(), moderators::name.nullable()))
            .load(conn)?)
    }

    /// Every entry about this target, oldest first.
    pub fn for_target(conn: &mut DbConn, kind: &str, id: i32) -> CoreResult<Vec<ModLogEntry>> {
        Ok(mod_log::table
            .filter(mod_log::target_kind.eq(kind))
            .filter(mod_log::target_id.eq(id))
            .order(mod_log::id)
            .load(conn)?)
    }

    /// Actions per moderator since `since`, most active first.
    pub fn per_moderator_since(conn: &mut DbConn, since: NaiveDateTime) -> CoreResult<Vec<(String, i64)>> {
        use diesel::dsl::count_star;
        let mut rows: Vec<(String, i64)> = mod_log::table
            .inner_join(moderators::table.on(mod_log::moderator_id.eq(moderators::id.nullable())))
            .filter(mod_log::created_at.ge(since))
            .group_by(moderators::name)
            .select((moderators::name, count_star()))
            .load(conn)?;
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(rows)
    }
}

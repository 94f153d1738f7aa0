use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::CoreResult;
use crate::ids::ModeratorId;
use crate::models::Moderator;
use crate::schema::{mod_sessions, moderators};

/// A moderator's login. The cookie holds a random token; only its keyed hash is stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mod_sessions)]
pub struct ModSession {
    pub token_hash: String,
    pub moderator_id: ModeratorId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl ModSession {
    pub fn create(
        conn: &mut DbConn,
        token_hash: &str,
        moderator: ModeratorId,
        expires_at: NaiveDateTime,
    ) -> CoreResult<()> {
        diesel::insert_into(mod_sessions::table)
            .values((
                mod_sessions::token_hash.eq(token_hash),
                mod_sessions::moderator_id.eq(moderator),
                mod_sessions::created_at.eq(now()),
                mod_sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        // Forget sessions that have run out, so the table does not grow.
        diesel::delete(mod_sessions::table.filter(mod_sessions::expires_at.lt(now()))).execute(conn)?;
        Ok(())
    }

    /// The moderator behind a session that has not expired and whose account is enabled.
    pub fn moderator(conn: &mut DbConn, token_hash: &str) -> CoreResult<Option<Moderator>> {
        Ok(mod_sessions::table
            .inner_join(moderators::table)
            .filter(mod_sessions::token_hash.eq(token_hash))
            .filter(mod_sessions::expires_at.gt(now()))
            .filter(moderators::disabled.eq(false))
            .select(Moderator::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn delete(conn: &mut DbConn, token_hash: &str) -> CoreResult<()> {
        diesel::delete(mod_sessions::table.find(token_hash)).execute(conn)?;
        Ok(())
    }

    /// Ends every session of a moderator (when their account is disabled).
    pub fn delete_all_for(conn: &mut DbConn, moderator: ModeratorId) -> CoreResult<()> {
        diesel::delete(mod_sessions::table.filter(mod_sessions::moderator_id.eq(moderator))).execute(conn)?;
        Ok(())
    }
}

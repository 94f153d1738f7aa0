use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::{CoreError, CoreResult};
use crate::ids::PosterId;
use crate::schema::posters;

/// A pseudonymous member: the database holds only a keyed hash of the key the member keeps.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = posters)]
pub struct Poster {
    pub id: PosterId,
    pub key_hash: String,
    pub created_at: NaiveDateTime,
    pub network_hash: String,
    pub pending_warning: Option<String>,
}

impl Poster {
    pub fn by_key_hash(conn: &mut DbConn, key_hash: &str) -> CoreResult<Option<Poster>> {
        Ok(posters::table.filter(posters::key_hash.eq(key_hash)).first(conn).optional()?)
    }

    pub fn by_id(conn: &mut DbConn, id: PosterId) -> CoreResult<Poster> {
        Ok(posters::table.find(id).first(conn)?)
    }

    /// The poster with this key hash, made on first use.
    pub fn find_or_create(conn: &mut DbConn, key_hash: &str) -> CoreResult<Poster> {
        if let Some(poster) = Self::by_key_hash(conn, key_hash)? {
            return Ok(poster);
        }
        let inserted = diesel::insert_into(posters::table)
            .values((posters::key_hash.eq(key_hash), posters::created_at.eq(now())))
            .get_result(conn);
        match inserted.map_err(CoreError::from) {
            Err(CoreError::Conflict(_)) => Self::by_key_hash(conn, key_hash)?.ok_or(CoreError::NotFound),
            other => other,
        }
    }
}

/// The key hash of the moderation team's poster record. Real key hashes are 64 hex digits,
/// so this can never be a member's.
pub const TEAM_KEY_HASH: &str = "team:moderation";

impl Poster {
    /// The poster record the moderation team writes under.
    pub fn team(conn: &mut DbConn) -> CoreResult<Poster> {
        Self::find_or_create(conn, TEAM_KEY_HASH)
    }

    /// A moderator's warning, shown on the member's next visit (`None` once shown).
    pub fn set_warning(conn: &mut DbConn, id: PosterId, warning: Option<&str>) -> CoreResult<()> {
        diesel::update(posters::table.find(id)).set(posters::pending_warning.eq(warning)).execute(conn)?;
        Ok(())
    }

    /// Remembers the keyed hash of the network the member posts from (for ban evasion only).
    pub fn set_network(conn: &mut DbConn, id: PosterId, network_hash: &str) -> CoreResult<()> {
        diesel::update(posters::table.find(id).filter(posters::network_hash.ne(network_hash)))
            .set(posters::network_hash.eq(network_hash))
            .execute(conn)?;
        Ok(())
    }
}

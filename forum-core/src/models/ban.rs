use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::CoreResult;
use crate::ids::{BanId, ModeratorId, PosterId};
use crate::schema::bans;

/// A poster barred from posting until `expires_at` (or for good when it is `None`).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = bans)]
pub struct Ban {
    pub id: BanId,
    pub poster_id: PosterId,
    pub moderator_id: ModeratorId,
    pub network_hash: String,
    pub reason: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub lifted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = bans)]
pub struct NewBan<'a> {
    pub poster_id: PosterId,
    pub moderator_id: ModeratorId,
    pub network_hash: &'a str,
    pub reason: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

impl NewBan<'_> {
    pub fn insert(self, conn: &mut DbConn) -> CoreResult<Ban> {
        Ok(diesel::insert_into(bans::table).values(&self).get_result(conn)?)
    }
}

impl Ban {
    /// The poster's ban in force now, the longest-lasting if there are several.
    pub fn active_for(conn: &mut DbConn, poster: PosterId) -> CoreResult<Option<Ban>> {
        let at = now();
        let mut bans: Vec<Ban> = bans::table
            .filter(bans::poster_id.eq(poster))
            .filter(bans::lifted_at.is_null())
            .filter(bans::expires_at.is_null().or(bans::expires_at.gt(at)))
            .load(conn)?;
        bans.sort_by_key(|b| b.expires_at.map_or((1, NaiveDateTime::MIN), |e| (0, e)));
        Ok(bans.pop())
    }

    /// Whether a ban in force was made against someone posting from this network (given as
    /// its hashes for the days that are still kept).
    pub fn network_banned(conn: &mut DbConn, network_hashes: &[String]) -> CoreResult<bool> {
        use diesel::dsl::exists;
        let at = now();
        Ok(diesel::select(exists(
            bans::table
                .filter(bans::network_hash.ne(""))
                .filter(bans::network_hash.eq_any(network_hashes))
                .filter(bans::lifted_at.is_null())
                .filter(bans::expires_at.is_null().or(bans::expires_at.gt(at))),
        ))
        .get_result(conn)?)
    }

    /// How many bans each of `posters` has had, for those who had any (one query).
    pub fn counts_for(conn: &mut DbConn, posters: &[PosterId]) -> CoreResult<HashMap<PosterId, i64>> {
        Ok(bans::table
            .filter(bans::poster_id.eq_any(posters))
            .group_by(bans::poster_id)
            .select((bans::poster_id, diesel::dsl::count_star()))
            .load::<(PosterId, i64)>(conn)?
            .into_iter()
            .collect())
    }
}

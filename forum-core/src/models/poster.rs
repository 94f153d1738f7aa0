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

    /// A new poster for a key just made (so no poster can have its hash yet), seen on the
    /// network with this hash.
    pub fn create(conn: &mut DbConn, key_hash: &str, network_hash: &str) -> CoreResult<Poster> {
        Ok(diesel::insert_into(posters::table)
            .values((
                posters::key_hash.eq(key_hash),
                posters::created_at.eq(now()),
                posters::network_hash.eq(network_hash),
            ))
            .get_result(conn)?)
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

    /// Erases everything this member wrote, in one transaction: the text of their posts,
    /// the titles and warnings of threads they started, the copies of their posts kept by
    /// reports, and the phrases of their posts and messages that queue items keep. Their
    /// threads stay so that other people's replies still read.
    pub fn erase_everything(conn: &mut DbConn, id: PosterId) -> CoreResult<usize> {
        use crate::models::PostStatus;
        use crate::sanitize::SafeHtml;
        use crate::schema::{posts, reports, threads};
        crate::db::write_transaction(conn, |conn| {
            let erased = diesel::update(posts::table.filter(posts::poster_id.eq(id)))
                .set((
                    posts::content_warning.eq(None::<String>),
                    posts::body_markdown.eq(""),
                    posts::body_html.eq(SafeHtml::empty()),
                ))
                .execute(conn)?;
            diesel::update(
                posts::table.filter(posts::poster_id.eq(id)).filter(posts::status.ne(PostStatus::Removed)),
            )
            .set(posts::status.eq(PostStatus::Deleted))
            .execute(conn)?;
            diesel::update(threads::table.filter(threads::poster_id.eq(id)))
                .set((
                    threads::title.eq("[deleted by its writer]"),
                    threads::content_warning.eq(None::<String>),
                ))
                .execute(conn)?;
            let own_posts = posts::table.filter(posts::poster_id.eq(id)).select(posts::id);
            diesel::update(reports::table.filter(reports::post_id.eq_any(own_posts)))
                .set(reports::post_snapshot.eq(""))
                .execute(conn)?;
            crate::models::QueueItem::forget_phrases_of(conn, id)?;
            diesel::update(posters::table.find(id))
                .set((posters::pending_warning.eq(None::<String>), posters::network_hash.eq("")))
                .execute(conn)?;
            Ok(erased)
        })
    }

    /// Remembers the keyed hash of the network the member posts from (for ban evasion only).
    pub fn set_network(conn: &mut DbConn, id: PosterId, network_hash: &str) -> CoreResult<()> {
        diesel::update(posters::table.find(id).filter(posters::network_hash.ne(network_hash)))
            .set(posters::network_hash.eq(network_hash))
            .execute(conn)?;
        Ok(())
    }
}

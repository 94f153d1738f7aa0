//! One-on-one peer support: supporters, requests, private conversations and their messages.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConn, now, write_transaction};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ConversationId, MessageId, ModeratorId, PosterId, SupportRequestId};
use crate::models::{CrisisTier, QueueItem};
use crate::sanitize::{SafeHtml, render_markdown};
use crate::schema::{conversations, messages, support_requests, supporters};

/// A member who has been trained as a peer supporter.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = supporters, primary_key(poster_id))]
pub struct Supporter {
    pub poster_id: PosterId,
    pub public_name: Option<String>,
    pub available: bool,
    pub granted_by: Option<ModeratorId>,
    pub granted_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl Supporter {
    /// The poster's supporter role, if it is in force.
    pub fn active(conn: &mut DbConn, poster: PosterId) -> CoreResult<Option<Supporter>> {
        Ok(supporters::table.find(poster).filter(supporters::revoked_at.is_null()).first(conn).optional()?)
    }

    /// Every supporter in force.
    pub fn all_active(conn: &mut DbConn) -> CoreResult<Vec<Supporter>> {
        Ok(supporters::table
            .filter(supporters::revoked_at.is_null())
            .order(supporters::granted_at)
            .load(conn)?)
    }

    /// Gives a member the role (again, if it was revoked).
    pub fn grant(
        conn: &mut DbConn,
        poster: PosterId,
        by: Option<ModeratorId>,
        name: Option<&str>,
    ) -> CoreResult<Supporter> {
        write_transaction(conn, |conn| {
            let name = name.map(str::trim).filter(|n| !n.is_empty());
            if let Some(n) = name {
                check_public_name(n)?;
            }
            let exists = supporters::table.find(poster).count().get_result::<i64>(conn)? > 0;
            if exists {
                diesel::update(supporters::table.find(poster))
                    .set((supporters::revoked_at.eq(None::<NaiveDateTime>), supporters::granted_by.eq(by)))
                    .execute(conn)?;
            } else {
                diesel::insert_into(supporters::table)
                    .values((
                        supporters::poster_id.eq(poster),
                        supporters::granted_by.eq(by),
                        supporters::granted_at.eq(now()),
                    ))
                    .execute(conn)?;
            }
            if let Some(n) = name {
                Self::set_public_name(conn, poster, Some(n))?;
            }
            Ok(supporters::table.find(poster).first(conn)?)
        })
    }

    pub fn revoke(conn: &mut DbConn, poster: PosterId) -> CoreResult<()> {
        let n = diesel::update(supporters::table.find(poster).filter(supporters::revoked_at.is_null()))
            .set((supporters::revoked_at.eq(now()), supporters::available.eq(false)))
            .execute(conn)?;
        if n == 0 { Err(CoreError::NotFound) } else { Ok(()) }
    }

    pub fn set_available(conn: &mut DbConn, poster: PosterId, available: bool) -> CoreResult<()> {
        diesel::update(supporters::table.find(poster))
            .set(supporters::available.eq(available))
            .execute(conn)?;
        Ok(())
    }

    pub fn set_public_name(conn: &mut DbConn, poster: PosterId, name: Option<&str>) -> CoreResult<()> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = name {
            check_public_name(n)?;
        }
        diesel::update(supporters::table.find(poster))
            .set(supporters::public_name.eq(name))
            .execute(conn)
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => CoreError::Conflict("a supporter with this name"),
                other => other,
            })?;
        Ok(())
    }

    /// How many supporters say they are available now.
    pub fn available_count(conn: &mut DbConn) -> CoreResult<i64> {
        Ok(supporters::table
            .filter(supporters::revoked_at.is_null())
            .filter(supporters::available.eq(true))
            .count()
            .get_result(conn)?)
    }
}

fn check_public_name(name: &str) -> CoreResult<()> {
    let n = name.chars().count();
    if !(2..=40).contains(&n) {
        return Err(CoreError::Invalid("a supporter name has 2 to 40 characters".into()));
    }
    Ok(())
}

/// A member's request for one-on-one support.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = support_requests)]
pub struct SupportRequest {
    pub id: SupportRequestId,
    pub poster_id: PosterId,
    pub topic: String,
    pub note: String,
    pub preferences: String,
    pub crisis_tier: CrisisTier,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub accepted_by: Option<PosterId>,
    pub accepted_at: Option<NaiveDateTime>,
}

impl SupportRequest {
    pub fn create(
        conn: &mut DbConn,
        poster: PosterId,
        topic: &str,
        note: &str,
        preferences: &str,
        tier: CrisisTier,
    ) -> CoreResult<SupportRequest> {
        Ok(diesel::insert_into(support_requests::table)
            .values((
                support_requests::poster_id.eq(poster),
                support_requests::topic.eq(topic),
                support_requests::note.eq(note),
                support_requests::preferences.eq(preferences),
                support_requests::crisis_tier.eq(tier),
                support_requests::created_at.eq(now()),
            ))
            .get_result(conn)?)
    }

    pub fn by_id(conn: &mut DbConn, id: SupportRequestId) -> CoreResult<SupportRequest> {
        Ok(support_requests::table.find(id).first(conn)?)
    }

    /// Waiting requests: those where someone may be at risk first, then oldest first.
    pub fn waiting(conn: &mut DbConn) -> CoreResult<Vec<SupportRequest>> {
        let mut waiting: Vec<SupportRequest> = support_requests::table
            .filter(support_requests::status.eq("waiting"))
            .order((support_requests::created_at, support_requests::id))
            .limit(200)
            .load(conn)?;
        waiting.sort_by_key(|r| (!r.crisis_tier.is_at_risk(), r.created_at, r.id));
        Ok(waiting)
    }

    pub fn for_member(conn: &mut DbConn, poster: PosterId) -> CoreResult<Vec<SupportRequest>> {
        Ok(support_requests::table
            .filter(support_requests::poster_id.eq(poster))
            .order(support_requests::id.desc())
            .limit(50)
            .load(conn)?)
    }

    /// A supporter accepts a waiting request: a conversation opens between the two.
    pub fn accept(
        conn: &mut DbConn,
        id: SupportRequestId,
        supporter: PosterId,
        retention: Duration,
    ) -> CoreResult<Conversation> {
        write_transaction(conn, |conn| {
            let request = Self::by_id(conn, id)?;
            if request.status != "waiting" {
                return Err(CoreError::Invalid("this request has already been taken".into()));
            }
            if request.poster_id == supporter {
                return Err(CoreError::Invalid("you cannot accept your own request".into()));
            }
            diesel::update(support_requests::table.find(id))
                .set((
                    support_requests::status.eq("accepted"),
                    support_requests::accepted_by.eq(supporter),
                    support_requests::accepted_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(diesel::insert_into(conversations::table)
                .values((
                    conversations::request_id.eq(id),
                    conversations::member_id.eq(request.poster_id),
                    conversations::supporter_id.eq(supporter),
                    conversations::created_at.eq(now()),
                    conversations::expires_at.eq(now() + retention),
                ))
                .get_result(conn)?)
        })
    }
}

/// A private conversation between one member and one supporter.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: ConversationId,
    pub request_id: SupportRequestId,
    pub member_id: PosterId,
    pub supporter_id: PosterId,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub member_read_at: Option<NaiveDateTime>,
    pub supporter_read_at: Option<NaiveDateTime>,
    pub opened_to_moderators: bool,
    pub flag: Option<String>,
    pub flag_tier: CrisisTier,
    pub flagged_at: Option<NaiveDateTime>,
}

/// One message in a conversation.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub sender_id: PosterId,
    pub body_markdown: String,
    pub body_html: SafeHtml,
    pub crisis_tier: CrisisTier,
    pub created_at: NaiveDateTime,
}

impl Message {
    pub fn by_ids(conn: &mut DbConn, ids: &[MessageId]) -> CoreResult<Vec<Message>> {
        Ok(messages::table.filter(messages::id.eq_any(ids)).load(conn)?)
    }

    /// The message before each of `of` in its conversation, in two queries however many.
    pub fn previous_in_conversations(
        conn: &mut DbConn,
        of: &[MessageId],
    ) -> CoreResult<HashMap<MessageId, Message>> {
        let later = diesel::alias!(messages as later);
        let previous_id = messages::table
            .filter(messages::conversation_id.eq(later.field(messages::conversation_id)))
            .filter(messages::id.lt(later.field(messages::id)))
            .order(messages::id.desc())
            .select(messages::id)
            .limit(1)
            .single_value();
        let pairs: Vec<(MessageId, Option<MessageId>)> = later
            .filter(later.field(messages::id).eq_any(of))
            .select((later.field(messages::id), previous_id))
            .load(conn)?;
        let previous_ids: Vec<MessageId> = pairs.iter().filter_map(|(_, p)| *p).collect();
        let previous: HashMap<MessageId, Message> =
            Message::by_ids(conn, &previous_ids)?.into_iter().map(|m| (m.id, m)).collect();
        Ok(pairs.into_iter().filter_map(|(id, p)| Some((id, previous.get(&p?)?.clone()))).collect())
    }
}

impl Conversation {
    pub fn by_ids(conn: &mut DbConn, ids: &[ConversationId]) -> CoreResult<Vec<Conversation>> {
        Ok(conversations::table.filter(conversations::id.eq_any(ids)).load(conn)?)
    }

    pub fn by_id(conn: &mut DbConn, id: ConversationId) -> CoreResult<Conversation> {
        Ok(conversations::table.find(id).first(conn)?)
    }

    /// The conversation, if `poster` is one of its two people; otherwise `NotFound`.
    pub fn for_participant(
        conn: &mut DbConn,
        id: ConversationId,
        poster: PosterId,
    ) -> CoreResult<Conversation> {
        let c = Self::by_id(conn, id)?;
        if c.member_id == poster || c.supporter_id == poster { Ok(c) } else { Err(CoreError::NotFound) }
    }

    /// Every conversation a poster takes part in, newest first.
    pub fn of(conn: &mut DbConn, poster: PosterId) -> CoreResult<Vec<Conversation>> {
        Ok(conversations::table
            .filter(conversations::member_id.eq(poster).or(conversations::supporter_id.eq(poster)))
            .order(conversations::id.desc())
            .load(conn)?)
    }

    pub fn messages(&self, conn: &mut DbConn) -> CoreResult<Vec<Message>> {
        Ok(messages::table.filter(messages::conversation_id.eq(self.id)).order(messages::id).load(conn)?)
    }

    /// Adds a message; it keeps the conversation from expiring for another `retention`.
    pub fn send(
        conn: &mut DbConn,
        id: ConversationId,
        sender: PosterId,
        body: &str,
        tier: CrisisTier,
        retention: Duration,
    ) -> CoreResult<Message> {
        write_transaction(conn, |conn| {
            let c = Self::for_participant(conn, id, sender)?;
            if c.status != "open" {
                return Err(CoreError::Invalid("this conversation has ended".into()));
            }
            let message = diesel::insert_into(messages::table)
                .values((
                    messages::conversation_id.eq(id),
                    messages::sender_id.eq(sender),
                    messages::body_markdown.eq(body),
                    messages::body_html.eq(render_markdown(body)),
                    messages::crisis_tier.eq(tier),
                    messages::created_at.eq(now()),
                ))
                .get_result(conn)?;
            diesel::update(conversations::table.find(id))
                .set(conversations::expires_at.eq(now() + retention))
                .execute(conn)?;
            Self::mark_read(conn, &c, sender)?;
            Ok(message)
        })
    }

    /// Notes that `reader` has seen everything so far.
    pub fn mark_read(conn: &mut DbConn, c: &Conversation, reader: PosterId) -> CoreResult<()> {
        let at = Some(now());
        if reader == c.member_id {
            diesel::update(conversations::table.find(c.id))
                .set(conversations::member_read_at.eq(at))
                .execute(conn)?;
        } else if reader == c.supporter_id {
            diesel::update(conversations::table.find(c.id))
                .set(conversations::supporter_read_at.eq(at))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Messages from the other person that `poster` has not seen, across their conversations.
    pub fn unread_for(conn: &mut DbConn, poster: PosterId) -> CoreResult<i64> {
        let mut unread = 0;
        for c in Self::of(conn, poster)?.iter().filter(|c| c.status == "open") {
            if c.member_id == poster && c.member_read_at.is_none() {
                // A supporter has just accepted: the new conversation itself is news.
                unread += 1;
            }
            unread += c.unread_messages(conn, poster)?;
        }
        Ok(unread)
    }

    /// Messages from the other person in this conversation that `reader` has not seen.
    pub fn unread_messages(&self, conn: &mut DbConn, reader: PosterId) -> CoreResult<i64> {
        let seen = if self.member_id == reader { self.member_read_at } else { self.supporter_read_at };
        let mut query = messages::table
            .filter(messages::conversation_id.eq(self.id))
            .filter(messages::sender_id.ne(reader))
            .into_boxed();
        if let Some(seen) = seen {
            query = query.filter(messages::created_at.gt(seen));
        }
        Ok(query.count().get_result(conn)?)
    }

    pub fn end(conn: &mut DbConn, id: ConversationId, by: PosterId) -> CoreResult<()> {
        let c = Self::for_participant(conn, id, by)?;
        diesel::update(conversations::table.find(c.id))
            .set((conversations::status.eq("ended"), conversations::ended_at.eq(Some(now()))))
            .execute(conn)?;
        Ok(())
    }

    /// The member deletes the conversation: it and every message are erased.
    pub fn delete_by_member(conn: &mut DbConn, id: ConversationId, member: PosterId) -> CoreResult<()> {
        write_transaction(conn, |conn| {
            let c = Self::by_id(conn, id)?;
            if c.member_id != member {
                return Err(CoreError::NotFound);
            }
            QueueItem::forget_conversations(conn, &[id])?;
            diesel::delete(messages::table.filter(messages::conversation_id.eq(id))).execute(conn)?;
            diesel::delete(conversations::table.find(id)).execute(conn)?;
            Ok(())
        })
    }

    /// Lets moderators open the conversation (its reading is logged by the caller), without
    /// asking them to look at it: a queue item does that.
    pub fn open_to_moderators(conn: &mut DbConn, id: ConversationId) -> CoreResult<()> {
        diesel::update(conversations::table.find(id))
            .set(conversations::opened_to_moderators.eq(true))
            .execute(conn)?;
        Ok(())
    }

    /// Opens the conversation to moderators and asks them to look, with the reason (a report).
    pub fn flag(conn: &mut DbConn, id: ConversationId, why: &str, tier: CrisisTier) -> CoreResult<()> {
        let c = Self::by_id(conn, id)?;
        let tier = if tier.rank() > c.flag_tier.rank() { tier } else { c.flag_tier };
        diesel::update(conversations::table.find(id))
            .set((
                conversations::opened_to_moderators.eq(true),
                conversations::flag.eq(why),
                conversations::flag_tier.eq(tier),
                conversations::flagged_at.eq(Some(now())),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// A moderator has dealt with the flag.
    pub fn clear_flag(conn: &mut DbConn, id: ConversationId) -> CoreResult<()> {
        diesel::update(conversations::table.find(id))
            .set(conversations::flag.eq(None::<String>))
            .execute(conn)?;
        Ok(())
    }

    /// Conversations waiting for a moderator: those where someone may be at risk first.
    pub fn flagged(conn: &mut DbConn) -> CoreResult<Vec<Conversation>> {
        let mut flagged: Vec<Conversation> = conversations::table
            .filter(conversations::flag.is_not_null())
            .order(conversations::flagged_at)
            .load(conn)?;
        flagged.sort_by_key(|c| (std::cmp::Reverse(c.flag_tier.rank()), c.flagged_at));
        Ok(flagged)
    }

    /// Erases conversations whose time is up.
    pub fn purge_expired(conn: &mut DbConn, at: NaiveDateTime) -> CoreResult<usize> {
        write_transaction(conn, |conn| {
            let expired: Vec<ConversationId> = conversations::table
                .filter(conversations::expires_at.lt(at))
                .select(conversations::id)
                .load(conn)?;
            if expired.is_empty() {
                return Ok(0);
            }
            QueueItem::forget_conversations(conn, &expired)?;
            let n = diesel::delete(messages::table.filter(messages::conversation_id.eq_any(&expired)))
                .execute(conn)?;
            diesel::delete(conversations::table.filter(conversations::id.eq_any(&expired))).execute(conn)?;
            Ok(n)
        })
    }
}

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::CoreResult;
use crate::ids::{BoardId, ConversationId, MessageId, ModeratorId, PostId, QueueItemId, QueueNoteId};
use crate::models::CrisisTier;
use crate::schema::{messages, posts, queue_items, queue_notes};
use crate::text_enum::text_enum;

text_enum! {
    /// What a queue item is about.
    pub enum ItemKind {
        /// A post in a board.
        Post = "post",
        /// A message in a private one-on-one conversation.
        Conversation = "conversation",
    }
}

/// What a queue item is about, with its references (the table's CHECK constraint allows
/// nothing else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Post {
        post: PostId,
        board: BoardId,
    },
    /// The message in a private conversation that tripped the crisis detector.
    Message {
        conversation: ConversationId,
        message: MessageId,
    },
    /// The conversation has been deleted by the member (or erased after its retention period):
    /// the item stays, without any of its text.
    DeletedConversation,
}

/// Which lane of the queue an item waits in; higher lanes come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    Ordinary = 0,
    /// Reported as "someone may be at risk".
    AtRiskReport = 1,
    /// The crisis detector found that someone may be at risk.
    Crisis = 2,
}

impl Lane {
    pub fn from_i32(value: i32) -> Self {
        match value {
            2 => Self::Crisis,
            1 => Self::AtRiskReport,
            _ => Self::Ordinary,
        }
    }

    /// Crisis items and at-risk reports both go in the crisis lane, ahead of the rest.
    pub fn is_crisis(self) -> bool {
        self != Self::Ordinary
    }
}

/// Something a moderator should look at: a post that was reported, held, flagged or escalated,
/// or a message in a private conversation in which someone may be at risk. Fields are in the
/// table's order; see [`QueueItem::subject`] for what the item is about.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = queue_items)]
pub struct QueueItem {
    pub id: QueueItemId,
    /// Set exactly when `kind` is `Post`.
    pub post_id: Option<PostId>,
    pub board_id: Option<BoardId>,
    pub lane: i32,
    pub crisis_tier: CrisisTier,
    pub crisis_matches: String,
    pub flagged_by: Option<String>,
    pub report_count: i32,
    pub opened_at: NaiveDateTime,
    pub claimed_by: Option<ModeratorId>,
    pub claimed_at: Option<NaiveDateTime>,
    pub first_action_at: Option<NaiveDateTime>,
    pub notified_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<ModeratorId>,
    pub resolution: Option<String>,
    pub kind: ItemKind,
    /// For a conversation item, until the conversation is deleted.
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
}

/// A moderator's private note on an item.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = queue_notes)]
pub struct QueueNote {
    pub id: QueueNoteId,
    pub queue_item_id: QueueItemId,
    pub moderator_id: ModeratorId,
    pub body: String,
    pub created_at: NaiveDateTime,
}

impl QueueItem {
    pub fn lane(&self) -> Lane {
        Lane::from_i32(self.lane)
    }

    /// What the item is about.
    pub fn subject(&self) -> Subject {
        match (self.kind, self.post_id, self.board_id, self.conversation_id, self.message_id) {
            (ItemKind::Post, Some(post), Some(board), _, _) => Subject::Post { post, board },
            (_, _, _, Some(conversation), Some(message)) => Subject::Message { conversation, message },
            _ => Subject::DeletedConversation,
        }
    }

    /// The post, for an item about a post.
    pub fn post(&self) -> Option<PostId> {
        match self.subject() {
            Subject::Post { post, .. } => Some(post),
            _ => None,
        }
    }

    pub fn by_id(conn: &mut DbConn, id: QueueItemId) -> CoreResult<QueueItem> {
        Ok(queue_items::table.find(id).first(conn)?)
    }

    /// The post's open item, if it has one.
    pub fn open_for_post(conn: &mut DbConn, post: PostId) -> CoreResult<Option<QueueItem>> {
        Ok(queue_items::table
            .filter(queue_items::post_id.eq(post))
            .filter(queue_items::resolved_at.is_null())
            .first(conn)
            .optional()?)
    }

    /// The post's open item, opened now if there is none.
    pub fn open(conn: &mut DbConn, post: PostId, board: BoardId) -> CoreResult<QueueItem> {
        if let Some(item) = Self::open_for_post(conn, post)? {
            return Ok(item);
        }
        Ok(diesel::insert_into(queue_items::table)
            .values((
                queue_items::kind.eq(ItemKind::Post),
                queue_items::post_id.eq(post),
                queue_items::board_id.eq(board),
                queue_items::opened_at.eq(now()),
            ))
            .get_result(conn)?)
    }

    /// Opens an item about a message in a private conversation (every such message has its
    /// own, as every post has).
    pub fn open_for_message(
        conn: &mut DbConn,
        conversation: ConversationId,
        message: MessageId,
    ) -> CoreResult<QueueItem> {
        Ok(diesel::insert_into(queue_items::table)
            .values((
                queue_items::kind.eq(ItemKind::Conversation),
                queue_items::conversation_id.eq(conversation),
                queue_items::message_id.eq(message),
                queue_items::opened_at.eq(now()),
            ))
            .get_result(conn)?)
    }

    /// The conversations are about to be erased: their items stay, but lose every reference
    /// to them and the matched phrases (the only text an item keeps of a message).
    pub fn forget_conversations(conn: &mut DbConn, conversations: &[ConversationId]) -> CoreResult<usize> {
        Ok(diesel::update(queue_items::table.filter(queue_items::conversation_id.eq_any(conversations)))
            .set((
                queue_items::conversation_id.eq(None::<ConversationId>),
                queue_items::message_id.eq(None::<MessageId>),
                queue_items::crisis_matches.eq(""),
            ))
            .execute(conn)?)
    }

    /// Erases the matched phrases that items keep of what this poster wrote (posts and
    /// messages alike).
    pub fn forget_phrases_of(conn: &mut DbConn, poster: crate::ids::PosterId) -> CoreResult<usize> {
        let own_posts = posts::table.filter(posts::poster_id.eq(poster)).select(posts::id.nullable());
        let own_messages =
            messages::table.filter(messages::sender_id.eq(poster)).select(messages::id.nullable());
        Ok(diesel::update(
            queue_items::table.filter(queue_items::crisis_matches.ne("")).filter(
                queue_items::post_id.eq_any(own_posts).or(queue_items::message_id.eq_any(own_messages)),
            ),
        )
        .set(queue_items::crisis_matches.eq(""))
        .execute(conn)?)
    }

    /// Moves the item up to `lane` (never down).
    pub fn raise_lane(conn: &mut DbConn, id: QueueItemId, lane: Lane) -> CoreResult<()> {
        diesel::update(queue_items::table.find(id).filter(queue_items::lane.lt(lane as i32)))
            .set(queue_items::lane.eq(lane as i32))
            .execute(conn)?;
        Ok(())
    }

    /// Records what the crisis detector found.
    pub fn set_crisis(
        conn: &mut DbConn,
        id: QueueItemId,
        tier: CrisisTier,
        matches: &[String],
    ) -> CoreResult<()> {
        diesel::update(queue_items::table.find(id))
            .set((queue_items::crisis_tier.eq(tier), queue_items::crisis_matches.eq(matches.join("\n"))))
            .execute(conn)?;
        if tier.is_at_risk() {
            Self::raise_lane(conn, id, Lane::Crisis)?;
        }
        Ok(())
    }

    pub fn set_flagged_by(conn: &mut DbConn, id: QueueItemId, why: &str) -> CoreResult<()> {
        diesel::update(queue_items::table.find(id)).set(queue_items::flagged_by.eq(why)).execute(conn)?;
        Ok(())
    }

    pub fn count_report(conn: &mut DbConn, id: QueueItemId) -> CoreResult<()> {
        diesel::update(queue_items::table.find(id))
            .set(queue_items::report_count.eq(queue_items::report_count + 1))
            .execute(conn)?;
        Ok(())
    }

    pub fn claim(conn: &mut DbConn, id: QueueItemId, moderator: ModeratorId) -> CoreResult<()> {
        diesel::update(queue_items::table.find(id))
            .set((queue_items::claimed_by.eq(moderator), queue_items::claimed_at.eq(now())))
            .execute(conn)?;
        Ok(())
    }

    /// Notes the first moderator action on the item (for the response-time figures).
    pub fn touch(conn: &mut DbConn, id: QueueItemId) -> CoreResult<()> {
        diesel::update(queue_items::table.find(id).filter(queue_items::first_action_at.is_null()))
            .set(queue_items::first_action_at.eq(now()))
            .execute(conn)?;
        Ok(())
    }

    pub fn resolve(
        conn: &mut DbConn,
        id: QueueItemId,
        moderator: ModeratorId,
        resolution: &str,
    ) -> CoreResult<()> {
        Self::touch(conn, id)?;
        diesel::update(queue_items::table.find(id).filter(queue_items::resolved_at.is_null()))
            .set((
                queue_items::resolved_at.eq(now()),
                queue_items::resolved_by.eq(moderator),
                queue_items::resolution.eq(resolution),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn add_note(
        conn: &mut DbConn,
        id: QueueItemId,
        moderator: ModeratorId,
        body: &str,
    ) -> CoreResult<()> {
        diesel::insert_into(queue_notes::table)
            .values((
                queue_notes::queue_item_id.eq(id),
                queue_notes::moderator_id.eq(moderator),
                queue_notes::body.eq(body),
                queue_notes::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn notes_for(conn: &mut DbConn, items: &[QueueItemId]) -> CoreResult<Vec<QueueNote>> {
        Ok(queue_notes::table
            .filter(queue_notes::queue_item_id.eq_any(items))
            .order(queue_notes::id)
            .load(conn)?)
    }

    /// Open items, most urgent first: the crisis lane, then by reports, then oldest.
    pub fn open_items(conn: &mut DbConn, board: Option<BoardId>, limit: i64) -> CoreResult<Vec<QueueItem>> {
        let mut query = queue_items::table.filter(queue_items::resolved_at.is_null()).into_boxed();
        if let Some(board) = board {
            query = query.filter(queue_items::board_id.eq(board));
        }
        Ok(query
            .order((
                queue_items::lane.desc(),
                queue_items::report_count.desc(),
                queue_items::opened_at.asc(),
                queue_items::id.asc(),
            ))
            .limit(limit)
            .load(conn)?)
    }

    /// Open crisis-lane items whose notification has not been sent.
    pub fn due_for_notice(conn: &mut DbConn) -> CoreResult<Vec<QueueItem>> {
        Ok(queue_items::table
            .filter(queue_items::resolved_at.is_null())
            .filter(queue_items::lane.ge(Lane::AtRiskReport as i32))
            .filter(queue_items::notified_at.is_null())
            .order(queue_items::id)
            .limit(100)
            .load(conn)?)
    }

    /// Open crisis-lane items nobody has claimed since `before`, not yet escalated.
    pub fn due_for_escalation(conn: &mut DbConn, before: NaiveDateTime) -> CoreResult<Vec<QueueItem>> {
        Ok(queue_items::table
            .filter(queue_items::resolved_at.is_null())
            .filter(queue_items::lane.ge(Lane::AtRiskReport as i32))
            .filter(queue_items::claimed_by.is_null())
            .filter(queue_items::escalated_at.is_null())
            .filter(queue_items::opened_at.le(before))
            .order(queue_items::id)
            .limit(100)
            .load(conn)?)
    }

    /// Takes the job of notifying about this item; only one web process gets it.
    pub fn take_notice(conn: &mut DbConn, id: QueueItemId) -> CoreResult<bool> {
        let n = diesel::update(queue_items::table.find(id).filter(queue_items::notified_at.is_null()))
            .set(queue_items::notified_at.eq(now()))
            .execute(conn)?;
        Ok(n == 1)
    }

    /// Takes the job of escalating this item; only one web process gets it.
    pub fn take_escalation(conn: &mut DbConn, id: QueueItemId) -> CoreResult<bool> {
        let n = diesel::update(
            queue_items::table
                .find(id)
                .filter(queue_items::escalated_at.is_null())
                .filter(queue_items::claimed_by.is_null()),
        )
        .set(queue_items::escalated_at.eq(now()))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Open items per lane, for the dashboard.
    pub fn open_counts(conn: &mut DbConn) -> CoreResult<Vec<(i32, i64)>> {
        use diesel::dsl::count_star;
        Ok(queue_items::table
            .filter(queue_items::resolved_at.is_null())
            .group_by(queue_items::lane)
            .select((queue_items::lane, count_star()))
            .load(conn)?)
    }
}

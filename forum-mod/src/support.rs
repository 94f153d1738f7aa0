//! One-on-one peer support: requests, private conversations, and their screening. Messages go
//! through the same crisis detector as posts: a message in which someone may be at risk opens
//! an item in the crisis lane of the moderation queue, as a post does. That message, or a
//! report by either person, opens the conversation to the moderators; both are logged, and so
//! is every reading.

use chrono::Duration;
use forum_core::db::{DbConn, write_transaction};
use forum_core::ids::{ConversationId, PosterId, SupportRequestId};
use forum_core::models::{
    Conversation, CrisisTier, Message, Moderator, NewModLog, QueueItem, SupportRequest, Supporter,
};
use forum_core::{CoreError, CoreResult};

use crate::crisis::CrisisDetector;
use crate::submit::deciding_phrases;

/// Limits on a request's fields.
pub const TOPIC_MAX: usize = 120;
pub const NOTE_MAX: usize = 1000;

/// Files a request, screened like a post (at-risk requests go first in the supporters' queue).
pub fn request(
    conn: &mut DbConn,
    detector: &CrisisDetector,
    poster: PosterId,
    topic: &str,
    note: &str,
    preferences: &str,
) -> CoreResult<(SupportRequest, CrisisTier)> {
    let topic = topic.trim();
    if topic.is_empty() || topic.chars().count() > TOPIC_MAX {
        return Err(CoreError::Invalid(format!("A topic has 1 to {TOPIC_MAX} characters.")));
    }
    if note.chars().count() > NOTE_MAX || preferences.chars().count() > NOTE_MAX {
        return Err(CoreError::Invalid(format!("A note has at most {NOTE_MAX} characters.")));
    }
    let tier = detector.scan_post(topic, "", &format!("{note}\n\n{preferences}")).tier;
    let request = SupportRequest::create(conn, poster, topic, note.trim(), preferences.trim(), tier)?;
    Ok((request, tier))
}

/// A supporter accepts a request.
pub fn accept(
    conn: &mut DbConn,
    request: SupportRequestId,
    supporter: PosterId,
    retention: Duration,
) -> CoreResult<Conversation> {
    if Supporter::active(conn, supporter)?.is_none() {
        return Err(CoreError::NotFound);
    }
    SupportRequest::accept(conn, request, supporter, retention)
}

/// Sends a message, screened for crisis language; returns it and its tier.
///
/// A message in which someone may be at risk opens an item in the crisis lane of the queue,
/// as a post does (same timer, webhooks, escalation and figures). The item shows moderators
/// that message and the one before it; the conversation opens to them, and reading all of it
/// is logged (see [`read_as_moderator`]).
pub fn send(
    conn: &mut DbConn,
    detector: &CrisisDetector,
    conversation: ConversationId,
    sender: PosterId,
    body: &str,
    retention: Duration,
) -> CoreResult<(Message, CrisisTier)> {
    let scan = detector.scan(body);
    write_transaction(conn, |conn| {
        let message = Conversation::send(conn, conversation, sender, body, scan.tier, retention)?;
        if scan.tier.is_at_risk() {
            Conversation::open_to_moderators(conn, conversation)?;
            let item = QueueItem::open_for_message(conn, conversation, message.id)?;
            QueueItem::set_crisis(conn, item.id, scan.tier, &deciding_phrases(&scan))?;
            NewModLog::new(None, "escalate_conversation", "conversation", conversation.0, scan.tier.as_str())
                .insert(conn)?;
        }
        Ok((message, scan.tier))
    })
}

/// Either person reports the conversation: it opens to the moderators, and that is logged.
pub fn report(
    conn: &mut DbConn,
    conversation: ConversationId,
    reporter: PosterId,
    reason: &str,
) -> CoreResult<()> {
    write_transaction(conn, |conn| {
        Conversation::for_participant(conn, conversation, reporter)?;
        let reason = reason.trim();
        let why: String = format!("reported: {}", if reason.is_empty() { "no reason given" } else { reason })
            .chars()
            .take(300)
            .collect();
        Conversation::flag(conn, conversation, &why, CrisisTier::None)?;
        NewModLog::new(None, "report_conversation", "conversation", conversation.0, "").insert(conn)?;
        Ok(())
    })
}

/// A moderator reads a conversation. Allowed only once it was reported or escalated; every
/// reading is logged.
pub fn read_as_moderator(
    conn: &mut DbConn,
    moderator: &Moderator,
    conversation: ConversationId,
) -> CoreResult<(Conversation, Vec<Message>)> {
    write_transaction(conn, |conn| {
        let c = Conversation::by_id(conn, conversation)?;
        if !c.opened_to_moderators {
            return Err(CoreError::NotFound);
        }
        NewModLog::new(Some(moderator.id), "read_conversation", "conversation", c.id.0, "").insert(conn)?;
        let messages = c.messages(conn)?;
        Ok((c, messages))
    })
}

/// A moderator has dealt with a flagged conversation.
pub fn resolve_flag(
    conn: &mut DbConn,
    moderator: &Moderator,
    conversation: ConversationId,
    reason: &str,
) -> CoreResult<()> {
    write_transaction(conn, |conn| {
        let c = Conversation::by_id(conn, conversation)?;
        if c.flag.is_none() {
            return Err(CoreError::Invalid("nothing is waiting on this conversation".into()));
        }
        Conversation::clear_flag(conn, c.id)?;
        NewModLog::new(Some(moderator.id), "resolve_conversation", "conversation", c.id.0, reason.trim())
            .insert(conn)?;
        Ok(())
    })
}

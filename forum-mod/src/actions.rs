//! Moderator actions. Each is one transaction: check, change, and append to the moderation
//! log; an action on a post also counts as the first response to its queue item.

use chrono::Duration;
use forum_core::db::{DbConn, now, write_transaction};
use forum_core::ids::{BoardId, PostId, QueueItemId};
use forum_core::models::{
    AuthorRole, Ban, Board, Moderator, NewBan, NewModLog, Post, PostDraft, PostStatus, Poster, QueueItem,
    Subject, Thread,
};
use forum_core::secrets::Secrets;
use forum_core::{CoreError, CoreResult};

/// How long a ban lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanLength {
    Days(i64),
    Permanent,
}

impl BanLength {
    pub const CHOICES: [(&'static str, &'static str); 5] =
        [("1", "1 day"), ("3", "3 days"), ("7", "1 week"), ("30", "30 days"), ("permanent", "Permanently")];

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "1" | "3" | "7" | "30" => value.parse().ok().map(Self::Days),
            "permanent" => Some(Self::Permanent),
            _ => None,
        }
    }

    fn describe(self) -> String {
        match self {
            Self::Days(1) => "1 day".into(),
            Self::Days(n) => format!("{n} days"),
            Self::Permanent => "permanent".into(),
        }
    }
}

/// What a moderator can do about a post and its thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostAction {
    /// Dismiss the reports and publish the post if it was held or hidden.
    Approve,
    /// Replace the post with a placeholder, reversibly.
    Hide,
    /// Erase the post's text.
    Remove,
    /// Undo a hide.
    Restore,
    Lock,
    Unlock,
    Pin,
    Unpin,
    Move(BoardId),
    /// A notice the writer sees on their next visit.
    Warn(String),
    Ban(BanLength),
    /// Crisis mode for the thread: only the team and its writer reply; help shown first.
    CrisisMode(bool),
}

impl PostAction {
    /// The word recorded in the moderation log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Hide => "hide",
            Self::Remove => "remove",
            Self::Restore => "restore",
            Self::Lock => "lock",
            Self::Unlock => "unlock",
            Self::Pin => "pin",
            Self::Unpin => "unpin",
            Self::Move(_) => "move",
            Self::Warn(_) => "warn",
            Self::Ban(_) => "ban",
            Self::CrisisMode(true) => "crisis_mode_on",
            Self::CrisisMode(false) => "crisis_mode_off",
        }
    }
}

/// Applies `action` to a post (or its thread, or its writer), logs it, and settles the
/// post's queue item where the action decides it.
pub fn act_on_post(
    conn: &mut DbConn,
    moderator: &Moderator,
    post_id: PostId,
    action: &PostAction,
    reason: &str,
) -> CoreResult<()> {
    write_transaction(conn, |conn| {
        let post = Post::by_id(conn, post_id)?;
        let thread = Thread::by_id(conn, post.thread_id)?;
        let opening = Post::opening(conn, thread.id)?.id == post.id;
        let mut log_reason = reason.trim().to_owned();
        let (target_kind, target_id) = match action {
            PostAction::Lock
            | PostAction::Unlock
            | PostAction::Pin
            | PostAction::Unpin
            | PostAction::Move(_) => ("thread", thread.id.0),
            _ => ("post", post.id.0),
        };
        let resolution = match action {
            PostAction::Approve => {
                if matches!(post.status, PostStatus::Held | PostStatus::Hidden) {
                    publish(conn, &post, &thread, opening)?;
                }
                Some("approved")
            }
            PostAction::Hide => {
                require(
                    post.status == PostStatus::Visible || post.status == PostStatus::Held,
                    "only a visible or held post can be hidden",
                )?;
                Post::set_status(conn, post.id, PostStatus::Hidden)?;
                Some("hidden")
            }
            PostAction::Remove => {
                require(
                    post.status != PostStatus::Deleted && post.status != PostStatus::Removed,
                    "this post has no text left to remove",
                )?;
                Post::remove(conn, post.id)?;
                Some("removed")
            }
            PostAction::Restore => {
                require(
                    post.status == PostStatus::Hidden,
                    "only a hidden post can be restored (removed text is gone)",
                )?;
                publish(conn, &post, &thread, opening)?;
                None
            }
            PostAction::Lock => {
                Thread::set_locked(conn, thread.id, true)?;
                None
            }
            PostAction::Unlock => {
                Thread::set_locked(conn, thread.id, false)?;
                None
            }
            PostAction::Pin => {
                Thread::set_pinned(conn, thread.id, true)?;
                None
            }
            PostAction::Unpin => {
                Thread::set_pinned(conn, thread.id, false)?;
                None
            }
            PostAction::Move(to) => {
                let to = Board::by_id(conn, *to)?;
                require(to.id != thread.board_id, "the thread is already in that board")?;
                Thread::move_to(conn, thread.id, to.id)?;
                log_reason = join(&format!("moved to {}", to.name), &log_reason);
                None
            }
            PostAction::Warn(message) => {
                let message = message.trim();
                require(!message.is_empty(), "a warning needs a message for the writer")?;
                Poster::set_warning(conn, post.poster_id, Some(message))?;
                None
            }
            PostAction::CrisisMode(on) => {
                Thread::set_crisis_mode(conn, thread.id, *on)?;
                None
            }
            PostAction::Ban(length) => {
                require(!reason.trim().is_empty(), "a ban needs a reason: the member will see it")?;
                let poster = Poster::by_id(conn, post.poster_id)?;
                let expires_at = match length {
                    BanLength::Days(days) => Some(now() + Duration::days(*days)),
                    BanLength::Permanent => None,
                };
                NewBan {
                    poster_id: poster.id,
                    moderator_id: moderator.id,
                    network_hash: &poster.network_hash,
                    reason: reason.trim(),
                    created_at: now(),
                    expires_at,
                }
                .insert(conn)?;
                log_reason = join(&length.describe(), &log_reason);
                None
            }
        };
        NewModLog::new(Some(moderator.id), action.name(), target_kind, target_id, &log_reason)
            .in_board(thread.board_id)
            .insert(conn)?;
        if let Some(item) = QueueItem::open_for_post(conn, post.id)? {
            QueueItem::touch(conn, item.id)?;
            if let Some(resolution) = resolution {
                QueueItem::resolve(conn, item.id, moderator.id, resolution)?;
            }
        }
        Ok(())
    })
}

/// The moderation team replies in the post's thread, as the team.
pub fn team_reply(
    conn: &mut DbConn,
    secrets: &Secrets,
    moderator: &Moderator,
    post_id: PostId,
    text: &str,
) -> CoreResult<Post> {
    let text = text.trim();
    require(!text.is_empty() && text.chars().count() <= 20_000, "a reply has 1 to 20,000 characters")?;
    write_transaction(conn, |conn| {
        let post = Post::by_id(conn, post_id)?;
        let team = Poster::team(conn)?;
        let mut draft = PostDraft::new(text, None);
        draft.author_role = AuthorRole::Team;
        let (thread, reply) = Thread::reply(conn, secrets, post.thread_id, team.id, draft)?;
        NewModLog::new(Some(moderator.id), "team_reply", "post", reply.id.0, "")
            .in_board(thread.board_id)
            .insert(conn)?;
        if let Some(item) = QueueItem::open_for_post(conn, post.id)? {
            QueueItem::touch(conn, item.id)?;
        }
        Ok(reply)
    })
}

fn join(first: &str, reason: &str) -> String {
    if reason.is_empty() { first.to_owned() } else { format!("{first}: {reason}") }
}

fn require(ok: bool, message: &str) -> CoreResult<()> {
    if ok { Ok(()) } else { Err(CoreError::Invalid(message.to_owned())) }
}

/// Makes a held or hidden post visible; a first publication counts as a reply.
fn publish(conn: &mut DbConn, post: &Post, thread: &Thread, opening: bool) -> CoreResult<()> {
    Post::set_status(conn, post.id, PostStatus::Visible)?;
    if opening {
        Thread::set_visible(conn, thread.id, true)?;
    } else if post.status == PostStatus::Held {
        Thread::count_published_reply(conn, thread.id, now())?;
    }
    Ok(())
}

/// What a moderator can do with a queue item itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemAction {
    /// Take the item, so others see who is handling it.
    Claim,
    /// A private note for the other moderators.
    Note(String),
    /// Close the item without changing the post.
    Resolve,
    /// For crisis items: a moderator has reached out.
    SupportOffered,
    /// For crisis items: nobody was at risk (kept for the figures).
    FalseAlarm,
}

impl ItemAction {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::Note(_) => "note",
            Self::Resolve => "resolve",
            Self::SupportOffered => "support_offered",
            Self::FalseAlarm => "false_alarm",
        }
    }
}

/// Applies an item action. Claims and notes are private; the others are logged.
pub fn act_on_item(
    conn: &mut DbConn,
    moderator: &Moderator,
    item_id: QueueItemId,
    action: &ItemAction,
    reason: &str,
) -> CoreResult<()> {
    write_transaction(conn, |conn| {
        let item = QueueItem::by_id(conn, item_id)?;
        require(item.resolved_at.is_none(), "this item has already been resolved")?;
        match action {
            ItemAction::Claim => QueueItem::claim(conn, item.id, moderator.id)?,
            ItemAction::Note(text) => {
                let text = text.trim();
                require(
                    !text.is_empty() && text.chars().count() <= 2000,
                    "a note has 1 to 2,000 characters",
                )?;
                QueueItem::add_note(conn, item.id, moderator.id, text)?;
            }
            ItemAction::Resolve | ItemAction::SupportOffered | ItemAction::FalseAlarm => {
                QueueItem::resolve(conn, item.id, moderator.id, action.name())?;
                let (target_kind, target_id) = match item.subject() {
                    Subject::Post { post, .. } => ("post", post.0),
                    Subject::Message { conversation, .. } => ("conversation", conversation.0),
                    Subject::DeletedConversation => ("queue_item", item.id.0),
                };
                let entry =
                    NewModLog::new(Some(moderator.id), action.name(), target_kind, target_id, reason.trim());
                match item.board_id {
                    Some(board) => entry.in_board(board),
                    None => entry,
                }
                .insert(conn)?;
            }
        }
        Ok(())
    })
}

/// A member's ban in force, if any.
pub fn active_ban(conn: &mut DbConn, poster: forum_core::ids::PosterId) -> CoreResult<Option<Ban>> {
    Ban::active_for(conn, poster)
}

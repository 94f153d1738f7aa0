//! The moderation queue as moderators see it: each open item with what it is about (a post in
//! context, or a message of a private conversation with the one before it), the reports, notes,
//! and the writer's history in aggregate.

use std::collections::HashMap;

use forum_core::CoreResult;
use forum_core::db::DbConn;
use forum_core::ids::{BoardId, ConversationId, ModeratorId, PosterId, QueueItemId, ThreadId};
use forum_core::models::{
    Ban, Board, Conversation, Message, Moderator, Post, QueueItem, QueueNote, Report, ReportReason, Subject,
    Thread,
};

/// Filters for the queue page.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub board: Option<BoardId>,
    pub reason: Option<ReportReason>,
    pub limit: i64,
}

/// A writer's history, in aggregate only: it reveals none of their other threads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterHistory {
    pub posts: i64,
    pub removals: i64,
    pub bans: i64,
}

/// One item, ready to show.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub item: QueueItem,
    pub about: About,
    pub reports: Vec<Report>,
    pub notes: Vec<(QueueNote, String)>,
    pub claimed_by: Option<String>,
}

/// What an entry is about, loaded.
#[derive(Debug, Clone)]
pub enum About {
    Post(Box<PostContext>),
    /// `None`: the conversation has been deleted by the member (or erased after its
    /// retention period); the item stays, without its text.
    Conversation(Option<Box<MessageContext>>),
}

/// A post with its thread, board, the visible post before it and its writer's history.
#[derive(Debug, Clone)]
pub struct PostContext {
    pub post: Post,
    pub thread: Thread,
    pub board: Board,
    pub previous: Option<Post>,
    pub history: WriterHistory,
}

/// The message that opened the item and the one before it: all that moderators see of a
/// private conversation until one of them opens it (which is logged).
#[derive(Debug, Clone)]
pub struct MessageContext {
    pub conversation: ConversationId,
    /// To label each message "supporter" or "member", never with a name.
    pub supporter: PosterId,
    pub message: Message,
    pub previous: Option<Message>,
}

impl MessageContext {
    pub fn from_supporter(&self, message: &Message) -> bool {
        message.sender_id == self.supporter
    }
}

impl QueueEntry {
    /// The reasons given, with how many reports gave each.
    pub fn reasons(&self) -> Vec<(ReportReason, usize)> {
        let mut counts: Vec<(ReportReason, usize)> = Vec::new();
        for r in &self.reports {
            match counts.iter_mut().find(|(reason, _)| *reason == r.reason) {
                Some((_, n)) => *n += 1,
                None => counts.push((r.reason, 1)),
            }
        }
        counts
    }

    /// One item, open or not, for its own page.
    pub fn load_one(conn: &mut DbConn, id: QueueItemId) -> CoreResult<QueueEntry> {
        let item = QueueItem::by_id(conn, id)?;
        entries(conn, vec![item], None, 1)?.pop().ok_or(forum_core::CoreError::NotFound)
    }
}

impl QueueQuery {
    /// Loads the open items, most urgent first, in a fixed number of queries however many
    /// items there are.
    pub fn load(&self, conn: &mut DbConn) -> CoreResult<Vec<QueueEntry>> {
        let limit = if self.limit > 0 { self.limit } else { 50 };
        // Filtering by reason happens after loading; fetch more so a page still fills.
        let fetch = if self.reason.is_some() { limit * 10 } else { limit };
        let items = QueueItem::open_items(conn, self.board, fetch)?;
        entries(conn, items, self.reason, limit)
    }
}

/// Loads what `items` are about (in a fixed number of queries), keeping their order.
fn entries(
    conn: &mut DbConn,
    items: Vec<QueueItem>,
    reason: Option<ReportReason>,
    limit: i64,
) -> CoreResult<Vec<QueueEntry>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let item_ids: Vec<_> = items.iter().map(|i| i.id).collect();
    let moderators: HashMap<ModeratorId, String> =
        Moderator::all(conn)?.into_iter().map(|m| (m.id, m.name)).collect();
    let mut reports: HashMap<_, Vec<Report>> = HashMap::new();
    for r in Report::for_items(conn, &item_ids)? {
        reports.entry(r.queue_item_id).or_default().push(r);
    }
    let mut notes: HashMap<_, Vec<(QueueNote, String)>> = HashMap::new();
    for n in QueueItem::notes_for(conn, &item_ids)? {
        let name = moderators.get(&n.moderator_id).cloned().unwrap_or_default();
        notes.entry(n.queue_item_id).or_default().push((n, name));
    }
    let posts = PostContexts::load(conn, &items)?;
    let messages = MessageContexts::load(conn, &items)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let reports = reports.remove(&item.id).unwrap_or_default();
        if let Some(reason) = reason {
            if !reports.iter().any(|r| r.reason == reason) {
                continue;
            }
        }
        let about = match item.subject() {
            Subject::Post { post, board } => match posts.context(post, board) {
                Some(context) => About::Post(Box::new(context)),
                None => continue,
            },
            Subject::Message { message, .. } => About::Conversation(messages.context(message).map(Box::new)),
            Subject::DeletedConversation => About::Conversation(None),
        };
        out.push(QueueEntry {
            claimed_by: item.claimed_by.and_then(|m| moderators.get(&m).cloned()),
            notes: notes.remove(&item.id).unwrap_or_default(),
            reports,
            about,
            item,
        });
        if out.len() as i64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// The posts of post items, with everything shown around them.
struct PostContexts {
    posts: HashMap<forum_core::ids::PostId, Post>,
    threads: HashMap<ThreadId, Thread>,
    boards: HashMap<BoardId, Board>,
    previous: HashMap<forum_core::ids::PostId, Post>,
    written: HashMap<PosterId, (i64, i64)>,
    bans: HashMap<PosterId, i64>,
}

impl PostContexts {
    fn load(conn: &mut DbConn, items: &[QueueItem]) -> CoreResult<Self> {
        let post_ids: Vec<_> = items.iter().filter_map(QueueItem::post).collect();
        if post_ids.is_empty() {
            return Ok(Self {
                posts: HashMap::new(),
                threads: HashMap::new(),
                boards: HashMap::new(),
                previous: HashMap::new(),
                written: HashMap::new(),
                bans: HashMap::new(),
            });
        }
        let posts: HashMap<_, _> = Post::by_ids(conn, &post_ids)?.into_iter().map(|p| (p.id, p)).collect();
        let thread_ids: Vec<ThreadId> = posts.values().map(|p| p.thread_id).collect();
        let threads = Thread::by_ids(conn, &thread_ids)?.into_iter().map(|t| (t.id, t)).collect();
        let boards = Board::all(conn)?.into_iter().map(|b| (b.id, b)).collect();
        let mut posters: Vec<PosterId> = posts.values().map(|p| p.poster_id).collect();
        posters.sort_unstable();
        posters.dedup();
        Ok(Self {
            written: Post::histories(conn, &posters)?,
            bans: Ban::counts_for(conn, &posters)?,
            previous: Post::previous_in_threads(conn, &post_ids)?,
            posts,
            threads,
            boards,
        })
    }

    fn context(&self, post: forum_core::ids::PostId, board: BoardId) -> Option<PostContext> {
        let (post, board) = (self.posts.get(&post)?, self.boards.get(&board)?);
        let thread = self.threads.get(&post.thread_id)?;
        let (posts, removals) = self.written.get(&post.poster_id).copied().unwrap_or_default();
        Some(PostContext {
            history: WriterHistory {
                posts,
                removals,
                bans: self.bans.get(&post.poster_id).copied().unwrap_or_default(),
            },
            previous: self.previous.get(&post.id).cloned(),
            post: post.clone(),
            thread: thread.clone(),
            board: board.clone(),
        })
    }
}

/// The messages of conversation items and the one before each.
struct MessageContexts {
    messages: HashMap<forum_core::ids::MessageId, Message>,
    previous: HashMap<forum_core::ids::MessageId, Message>,
    supporters: HashMap<ConversationId, PosterId>,
}

impl MessageContexts {
    fn load(conn: &mut DbConn, items: &[QueueItem]) -> CoreResult<Self> {
        let (mut message_ids, mut conversation_ids) = (Vec::new(), Vec::new());
        for item in items {
            if let Subject::Message { conversation, message } = item.subject() {
                message_ids.push(message);
                conversation_ids.push(conversation);
            }
        }
        if message_ids.is_empty() {
            return Ok(Self {
                messages: HashMap::new(),
                previous: HashMap::new(),
                supporters: HashMap::new(),
            });
        }
        Ok(Self {
            messages: Message::by_ids(conn, &message_ids)?.into_iter().map(|m| (m.id, m)).collect(),
            previous: Message::previous_in_conversations(conn, &message_ids)?,
            supporters: Conversation::by_ids(conn, &conversation_ids)?
                .into_iter()
                .map(|c| (c.id, c.supporter_id))
                .collect(),
        })
    }

    fn context(&self, message: forum_core::ids::MessageId) -> Option<MessageContext> {
        let message = self.messages.get(&message)?.clone();
        Some(MessageContext {
            conversation: message.conversation_id,
            supporter: *self.supporters.get(&message.conversation_id)?,
            previous: self.previous.get(&message.id).cloned(),
            message,
        })
    }
}

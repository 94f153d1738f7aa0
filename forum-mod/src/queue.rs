//! The moderation queue as moderators see it: each open item with its post in context, the
//! reports, notes, and the writer's history in aggregate.

use std::collections::HashMap;

use forum_core::CoreResult;
use forum_core::db::DbConn;
use forum_core::ids::{BoardId, ModeratorId, PosterId, ThreadId};
use forum_core::models::{Ban, Board, Moderator, Post, QueueItem, QueueNote, Report, ReportReason, Thread};

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

/// One open item, ready to show.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub item: QueueItem,
    pub post: Post,
    pub thread: Thread,
    pub board: Board,
    pub previous: Option<Post>,
    pub reports: Vec<Report>,
    pub notes: Vec<(QueueNote, String)>,
    pub claimed_by: Option<String>,
    pub history: WriterHistory,
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
}

impl QueueQuery {
    /// Loads the open items, most urgent first, in a fixed number of queries however many
    /// items there are.
    pub fn load(&self, conn: &mut DbConn) -> CoreResult<Vec<QueueEntry>> {
        let limit = if self.limit > 0 { self.limit } else { 50 };
        // Filtering by reason happens after loading; fetch more so a page still fills.
        let fetch = if self.reason.is_some() { limit * 10 } else { limit };
        let items = QueueItem::open_items(conn, self.board, fetch)?;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let item_ids: Vec<_> = items.iter().map(|i| i.id).collect();
        let post_ids: Vec<_> = items.iter().map(|i| i.post_id).collect();
        let posts: HashMap<_, _> = Post::by_ids(conn, &post_ids)?.into_iter().map(|p| (p.id, p)).collect();
        let thread_ids: Vec<ThreadId> = posts.values().map(|p| p.thread_id).collect();
        let threads: HashMap<_, _> =
            Thread::by_ids(conn, &thread_ids)?.into_iter().map(|t| (t.id, t)).collect();
        let boards: HashMap<_, _> = Board::all(conn)?.into_iter().map(|b| (b.id, b)).collect();
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
        let mut posters: Vec<PosterId> = posts.values().map(|p| p.poster_id).collect();
        posters.sort_unstable();
        posters.dedup();
        let written = Post::histories(conn, &posters)?;
        let bans = Ban::counts_for(conn, &posters)?;
        let previous = Post::previous_in_threads(conn, &post_ids)?;
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            let reports = reports.remove(&item.id).unwrap_or_default();
            if let Some(reason) = self.reason {
                if !reports.iter().any(|r| r.reason == reason) {
                    continue;
                }
            }
            let (Some(post), Some(board)) = (posts.get(&item.post_id), boards.get(&item.board_id)) else {
                continue;
            };
            let Some(thread) = threads.get(&post.thread_id) else { continue };
            let (posts, removals) = written.get(&post.poster_id).copied().unwrap_or_default();
            let history = WriterHistory {
                posts,
                removals,
                bans: bans.get(&post.poster_id).copied().unwrap_or_default(),
            };
            entries.push(QueueEntry {
                previous: previous.get(&post.id).cloned(),
                claimed_by: item.claimed_by.and_then(|m| moderators.get(&m).cloned()),
                notes: notes.remove(&item.id).unwrap_or_default(),
                post: post.clone(),
                thread: thread.clone(),
                board: board.clone(),
                reports,
                history,
                item,
            });
            if entries.len() as i64 >= limit {
                break;
            }
        }
        Ok(entries)
    }
}

//! Filing reports. Reports on one post gather into one queue item; after enough distinct
//! reporters the post is hidden until a moderator looks.

use forum_core::db::{DbConn, now, write_transaction};
use forum_core::ids::PostId;
use forum_core::models::{
    Lane, NewModLog, NewReport, Post, PostStatus, QueueItem, Report, ReportReason, Thread,
};
use forum_core::{CoreError, CoreResult};

/// Notes longer than this are refused.
pub const NOTE_MAX: usize = 500;

/// How many distinct reporters hide a post pending review, by default.
pub const DEFAULT_HIDE_THRESHOLD: i64 = 3;

/// Checks a report's note: trimmed, at most 500 characters.
pub fn check_note(note: &str) -> Result<String, String> {
    let note = note.trim();
    let n = note.chars().count();
    if n > NOTE_MAX {
        return Err(format!("A note has at most {NOTE_MAX} characters (this one has {n})."));
    }
    Ok(note.to_owned())
}

/// What became of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Added to the post's queue item.
    Added,
    /// This reporter had already reported the post; nothing changed.
    AlreadyReported,
    /// Added, and the post is now hidden pending review.
    Hidden,
}

/// Files a report about a visible post, keeping a copy of the post as it is now.
pub fn file_report(
    conn: &mut DbConn,
    post: PostId,
    reason: ReportReason,
    note: &str,
    reporter_hash: &str,
    hide_threshold: i64,
) -> CoreResult<Filed> {
    write_transaction(conn, |conn| {
        let post = Post::by_id(conn, post)?;
        if !matches!(post.status, PostStatus::Visible | PostStatus::Hidden) {
            return Err(CoreError::NotFound);
        }
        let thread = Thread::by_id(conn, post.thread_id)?;
        let item = QueueItem::open(conn, post.id, thread.board_id)?;
        if Report::already_reported(conn, item.id, reporter_hash)? {
            return Ok(Filed::AlreadyReported);
        }
        let snapshot = match &post.content_warning {
            Some(cw) => format!("[Content warning: {cw}]\n\n{}", post.body_markdown),
            None => post.body_markdown.clone(),
        };
        NewReport {
            post_id: post.id,
            queue_item_id: item.id,
            reason,
            note,
            reporter_hash,
            post_snapshot: &snapshot,
            created_at: now(),
        }
        .insert(conn)?;
        QueueItem::count_report(conn, item.id)?;
        if reason == ReportReason::AtRisk {
            QueueItem::raise_lane(conn, item.id, Lane::AtRiskReport)?;
        }
        let reporters = Report::distinct_reporters(conn, item.id)?;
        if post.status == PostStatus::Visible && hide_threshold > 0 && reporters >= hide_threshold {
            Post::set_status(conn, post.id, PostStatus::Hidden)?;
            let why = format!("hidden pending review after {reporters} reports");
            NewModLog::new(None, "hide", "post", post.id.0, &why).in_board(thread.board_id).insert(conn)?;
            return Ok(Filed::Hidden);
        }
        Ok(Filed::Added)
    })
}

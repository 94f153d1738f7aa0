//! Writing a post: word rules, crisis screening, the board's moderation mode, and the queue,
//! all in one transaction with the post itself.
//!
//! Crisis screening never punishes: a post in which someone may be at risk is published as
//! usual (unless its board holds every post), a block rule cannot stop it, and it opens an
//! item in the crisis lane of the queue.

use forum_core::db::{DbConn, write_transaction};
use forum_core::ids::{PostId, PosterId, ThreadId};
use forum_core::models::{
    Board, CrisisTier, NewThread, Post, PostDraft, PostStatus, QueueItem, Thread, initial_status,
};
use forum_core::secrets::Secrets;
use forum_core::{CoreError, CoreResult};

use crate::crisis::{CrisisDetector, Scan};
use crate::rules::WordRules;

/// A post's text after the rules and the crisis detector have looked at it.
#[derive(Debug, Clone)]
pub struct Screened {
    pub title: String,
    pub content_warning: Option<String>,
    pub body: String,
    pub crisis_tier: CrisisTier,
    /// The phrases that decided the tier, as written.
    pub crisis_matches: Vec<String>,
    /// A hold rule's pattern: the post waits for a moderator.
    pub hold: Option<String>,
    /// A flag rule's pattern (or a block rule overridden by crisis screening).
    pub flag: Option<String>,
}

impl Screened {
    /// Whether someone may be at risk.
    pub fn at_risk(&self) -> bool {
        self.crisis_tier.is_at_risk()
    }
}

/// A block rule refused the post; the message is for the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked(pub String);

/// Applies replace rules, then checks block/hold/flag rules and crisis language.
pub fn screen(
    detector: &CrisisDetector,
    rules: &WordRules,
    title: &str,
    content_warning: Option<&str>,
    body: &str,
) -> Result<Screened, Blocked> {
    let title = rules.replace(title);
    let content_warning = content_warning.map(|w| rules.replace(w));
    let body = rules.replace(body);
    let scan = detector.scan_post(&title, content_warning.as_deref().unwrap_or(""), &body);
    let outcome = rules.check(&[&title, content_warning.as_deref().unwrap_or(""), &body]);
    let mut flag = outcome.flag;
    if let Some(message) = outcome.blocked {
        if scan.tier.is_at_risk() {
            // Never block someone who may be at risk: publish, and let a moderator look.
            flag = flag.or(Some(format!("block rule overridden: {message}")));
        } else {
            return Err(Blocked(message));
        }
    }
    Ok(Screened {
        crisis_matches: deciding_phrases(&scan),
        title,
        content_warning,
        body,
        crisis_tier: scan.tier,
        hold: outcome.hold,
        flag,
    })
}

/// The phrases that decided a scan's tier, as written, each once.
pub fn deciding_phrases(scan: &Scan) -> Vec<String> {
    let mut phrases: Vec<String> = Vec::new();
    for m in scan.matches.iter().filter(|m| m.tier == scan.tier) {
        if !phrases.contains(&m.text) {
            phrases.push(m.text.clone());
        }
    }
    phrases
}

fn draft(conn: &mut DbConn, board: &Board, poster: PosterId, screened: &Screened) -> CoreResult<PostDraft> {
    let mut draft = PostDraft::new(&screened.body, screened.content_warning.as_deref());
    draft.crisis_tier = screened.crisis_tier;
    draft.status = initial_status(conn, board, poster)?;
    if forum_core::models::Supporter::active(conn, poster)?.is_some() {
        draft.author_role = forum_core::models::AuthorRole::Supporter;
    }
    if screened.hold.is_some() || (screened.at_risk() && board.hold_crisis_posts) {
        draft.status = PostStatus::Held;
    }
    Ok(draft)
}

/// Opens (or updates) the post's queue item when a moderator should look at it.
fn queue_if_needed(conn: &mut DbConn, post: &Post, board: &Board, screened: &Screened) -> CoreResult<()> {
    let held = post.status == PostStatus::Held;
    if !(held || screened.at_risk() || screened.flag.is_some()) {
        return Ok(());
    }
    let item = QueueItem::open(conn, post.id, board.id)?;
    if screened.at_risk() {
        QueueItem::set_crisis(conn, item.id, screened.crisis_tier, &screened.crisis_matches)?;
    }
    let why = screened
        .hold
        .as_ref()
        .map(|p| format!("held by word rule: {p}"))
        .or_else(|| screened.flag.as_ref().map(|p| format!("flagged by word rule: {p}")))
        .or_else(|| held.then(|| "held for review".to_owned()));
    if let Some(why) = why {
        QueueItem::set_flagged_by(conn, item.id, &why)?;
    }
    Ok(())
}

/// Starts a thread with its opening post.
pub fn start_thread(
    conn: &mut DbConn,
    secrets: &Secrets,
    board: &Board,
    poster: PosterId,
    screened: &Screened,
) -> CoreResult<(Thread, Post)> {
    write_transaction(conn, |conn| {
        let draft = draft(conn, board, poster, screened)?;
        let (thread, post) = NewThread {
            board_id: board.id,
            poster_id: poster,
            title: &screened.title,
            content_warning: screened.content_warning.as_deref(),
        }
        .create(conn, secrets, draft)?;
        queue_if_needed(conn, &post, board, screened)?;
        Ok((thread, post))
    })
}

/// Replies in a thread.
pub fn reply(
    conn: &mut DbConn,
    secrets: &Secrets,
    thread: ThreadId,
    poster: PosterId,
    screened: &Screened,
) -> CoreResult<(Thread, Post)> {
    write_transaction(conn, |conn| {
        let board_id = Thread::by_id(conn, thread)?.board_id;
        let board = Board::by_id(conn, board_id)?;
        let draft = draft(conn, &board, poster, screened)?;
        let (thread, post) = Thread::reply(conn, secrets, thread, poster, draft)?;
        queue_if_needed(conn, &post, &board, screened)?;
        Ok((thread, post))
    })
}

/// The writer edits their post; it is screened again (an edit can add crisis language).
pub fn edit(conn: &mut DbConn, post: PostId, writer: PosterId, screened: &Screened) -> CoreResult<Post> {
    write_transaction(conn, |conn| {
        let before = Post::by_id(conn, post)?;
        if before.poster_id != writer {
            return Err(CoreError::NotFound);
        }
        let thread = Thread::by_id(conn, before.thread_id)?;
        let board = Board::by_id(conn, thread.board_id)?;
        let mut draft = PostDraft::new(&screened.body, screened.content_warning.as_deref());
        draft.crisis_tier = screened.crisis_tier;
        let mut edited = Post::edit(conn, post, writer, draft)?;
        if screened.hold.is_some() && edited.status == PostStatus::Visible {
            edited = Post::set_status(conn, post, PostStatus::Held)?;
        }
        queue_if_needed(conn, &edited, &board, screened)?;
        Ok(edited)
    })
}

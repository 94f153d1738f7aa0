//! One file per table: the row, its insert form and its queries.

mod ban;
mod board;
mod mod_log;
mod mod_session;
mod moderator;
mod post;
mod poster;
mod queue_item;
mod report;
mod setting;
mod support;
mod thread;
mod word_rule;

pub use ban::{Ban, NewBan};
pub use board::{Board, BoardSummary, ModerationMode, NewBoard};
pub use mod_log::{ModLogEntry, NewModLog};
pub use mod_session::ModSession;
pub use moderator::{Moderator, NewModerator, PASSWORD_MIN, burn_password_check};
pub use post::{
    AuthorRole, CrisisTier, FIRST_POSTS_HELD, NewPost, Post, PostDraft, PostStatus, Viewer, initial_status,
    limits,
};
pub use poster::Poster;
pub use queue_item::{ItemKind, Lane, QueueItem, QueueNote, Subject};
pub use report::{NewReport, Report, ReportReason};
pub use setting::Setting;
pub use support::{Conversation, Message, SupportRequest, Supporter};
pub use thread::{BoardCursor, NewThread, TEAM_NAME, Thread};
pub use word_rule::{RuleAction, WordRule};

//! One file per table: the row, its insert form and its queries.

mod board;
mod moderator;
mod post;
mod poster;
mod setting;
mod thread;

pub use board::{Board, BoardSummary, ModerationMode, NewBoard};
pub use moderator::{Moderator, NewModerator, burn_password_check};
pub use post::{CrisisTier, NewPost, Post, PostDraft, PostStatus, Viewer, limits};
pub use poster::Poster;
pub use setting::Setting;
pub use thread::{BoardCursor, NewThread, Thread};

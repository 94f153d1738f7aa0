//! One file per table: the row, its insert form and its queries.

mod board;
mod moderator;
mod post;
mod poster;
mod setting;
mod thread;

pub use board::{Board, BoardSummary, ModerationMode, NewBoard};
pub use moderator::{Moderator, NewModerator, PASSWORD_MIN, burn_password_check};
pub use post::{
    CrisisTier, FIRST_POSTS_HELD, NewPost, Post, PostDraft, PostStatus, Viewer, initial_status,
    limits,
};
pub use poster::Poster;
pub use setting::Setting;
pub use thread::{BoardCursor, NewThread, Thread};

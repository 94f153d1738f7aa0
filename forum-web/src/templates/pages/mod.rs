//! One function per page.

pub mod board;
pub mod error;
pub mod help;
pub mod home;
pub mod identity;
pub mod post_forms;
pub mod thread;

//! One function per page.

pub mod board;
pub mod error;
pub mod help;
pub mod home;
pub mod identity;
pub mod moderation;
pub mod post_forms;
pub mod report;
pub mod support;
pub mod thread;

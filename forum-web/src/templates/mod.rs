//! HTML, written with maud: one layout, small components, one function per page. Pages take
//! prepared data and do no I/O.

pub mod components;
pub mod layout;
pub mod pages;

pub use layout::page;

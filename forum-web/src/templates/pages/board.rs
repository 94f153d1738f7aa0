use forum_core::models::{Board, BoardCursor, Thread};
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::templates::components::{When, warning_label};
use crate::templates::page;

pub fn board(
    ctx: &PageCtx,
    board: &Board,
    threads: &[Thread],
    next: Option<BoardCursor>,
    first_page: bool,
) -> Markup {
    page(
        ctx,
        &board.name,
        html! {
            h1 { (board.name) }
            @if !board.description.is_empty() { p class="lead" { (board.description) } }
            p {
                a class="button" href=(format!("/b/{}/new", board.slug)) { "Start a new thread" }
                " " a href="/support" { "or talk one-on-one with a peer supporter" }
            }
            @if threads.is_empty() {
                p { @if first_page { "No threads yet. You could start the first one." } @else { "No more threads." } }
            } @else {
                ol class="threads" {
                    @for t in threads {
                        li {
                            a class="title" href=(thread_href(t)) { (t.title) }
                            " "
                            @if t.pinned { span class="tag" { "Pinned" } " " }
                            @if t.locked { span class="tag" { "Locked" } " " }
                            @if let Some(cw) = &t.content_warning { (warning_label(cw)) }
                            p class="meta" {
                                (t.reply_count) @if t.reply_count == 1 { " reply" } @else { " replies" }
                                " · last active " (When(t.last_activity_at))
                            }
                        }
                    }
                }
            }
            @if let Some(next) = next {
                nav class="pager" aria-label="More threads" {
                    a rel="next" href=(format!("/b/{}?after={}", board.slug, next.encode())) { "Older threads" }
                }
            }
        },
    )
}

/// A thread's address with a readable slug after its id.
pub fn thread_href(t: &Thread) -> String {
    let slug: String = t
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() { format!("/t/{}", t.id) } else { format!("/t/{}/{slug}", t.id) }
}

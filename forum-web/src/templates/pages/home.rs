use forum_core::models::BoardSummary;
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::templates::components::When;
use crate::templates::page;

pub fn home(ctx: &PageCtx, boards: &[BoardSummary]) -> Markup {
    page(
        ctx,
        "",
        html! {
            section class="intro" {
                h1 { "You are not alone" }
                p {
                    "Support groups run by people who have been there. Read without signing up; "
                    "post anonymously when you are ready: no email, no password, and a different name in every thread."
                }
            }
            h2 { "Support groups" }
            @if boards.is_empty() {
                p { "There are no support groups yet." }
            } @else {
                ul class="boards" {
                    @for s in boards {
                        li {
                            h3 { a href=(format!("/b/{}", s.board.slug)) { (s.board.name) } }
                            @if !s.board.description.is_empty() { p { (s.board.description) } }
                            p class="meta" {
                                (s.thread_count) @if s.thread_count == 1 { " thread" } @else { " threads" }
                                @if let Some(at) = s.last_activity_at { " · last active " (When(at)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

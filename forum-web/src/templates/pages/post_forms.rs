//! The forms that write posts: a new thread, a reply, an edit, and the delete confirmation.

use std::collections::HashMap;

use forum_core::models::{Board, Post, limits};
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::templates::components::{described_by, field_error};
use crate::templates::page;

/// What was typed into a post form and what was wrong with it, so that a refused form comes
/// back with the member's words intact.
#[derive(Debug, Clone, Default)]
pub struct PostFormState {
    pub title: String,
    pub content_warning: String,
    pub body: String,
    pub errors: HashMap<&'static str, String>,
}

impl PostFormState {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

fn error_summary(state: &PostFormState) -> Markup {
    html! {
        @if !state.errors.is_empty() {
            div class="error-summary" role="alert" {
                p { "Please check the form: nothing was posted yet, and what you wrote is still here." }
            }
        }
    }
}

fn warning_field(state: &PostFormState, hint: &str) -> Markup {
    let error = state.error("content_warning");
    html! {
        label for="content_warning" { "Content warning " span class="optional" { "(optional)" } }
        p class="hint" id="content_warning-hint" { (hint) }
        (field_error("content_warning", error))
        input id="content_warning" name="content_warning" type="text" maxlength=(limits::WARNING_MAX)
            value=(state.content_warning)
            aria-describedby=(described_by("content_warning", error).unwrap_or_else(|| "content_warning-hint".into()))
            aria-invalid=[error.map(|_| "true")];
    }
}

fn body_field(state: &PostFormState, label: &str) -> Markup {
    let error = state.error("body");
    html! {
        label for="body" { (label) }
        p class="hint" id="body-hint" { "Markdown works: **bold**, *italic*, lists, > quotes, and >>123 links to post 123." }
        (field_error("body", error))
        textarea id="body" name="body" rows="8" required
            aria-describedby=(described_by("body", error).unwrap_or_else(|| "body-hint".into()))
            aria-invalid=[error.map(|_| "true")] { (state.body) }
    }
}

pub fn new_thread(ctx: &PageCtx, board: &Board, state: &PostFormState) -> Markup {
    let title_error = state.error("title");
    page(
        ctx,
        &format!("New thread in {}", board.name),
        html! {
            h1 { "Start a thread in " (board.name) }
            p { "You will post anonymously. Your name in this thread is made up for you and differs in every thread." }
            (error_summary(state))
            form method="post" action=(format!("/b/{}/new", board.slug)) class="post-form" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label for="title" { "Title" }
                (field_error("title", title_error))
                input id="title" name="title" type="text" required maxlength=(limits::TITLE_MAX) value=(state.title)
                    aria-describedby=[described_by("title", title_error)] aria-invalid=[title_error.map(|_| "true")];
                (warning_field(state, "If your thread talks about something some readers may want to avoid, name it here: readers will see the warning first and choose to open it."))
                (body_field(state, "Your message"))
                button type="submit" { "Post thread" }
            }
        },
    )
}

/// The reply form at the foot of a thread.
pub fn reply_form(ctx: &PageCtx, thread_id: forum_core::ids::ThreadId, state: &PostFormState) -> Markup {
    html! {
        section class="reply" aria-labelledby="reply-heading" {
            h2 id="reply-heading" { "Reply" }
            (error_summary(state))
            form method="post" action=(format!("/t/{thread_id}/reply")) class="post-form" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                (body_field(state, "Your reply"))
                details class="optional-cw" open[state.error("content_warning").is_some() || !state.content_warning.is_empty()] {
                    summary { "Add a content warning" }
                    (warning_field(state, "Readers will see the warning and choose to open your reply."))
                }
                button type="submit" { "Post reply" }
            }
        }
    }
}

pub fn edit_post(ctx: &PageCtx, post: &Post, state: &PostFormState) -> Markup {
    page(
        ctx,
        "Edit your post",
        html! {
            h1 { "Edit your post" }
            (error_summary(state))
            form method="post" action=(format!("/p/{}/edit", post.id)) class="post-form" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                (warning_field(state, "Readers will see the warning first and choose to open your post."))
                (body_field(state, "Your message"))
                button type="submit" { "Save changes" }
            }
            p { a href=(format!("/p/{}", post.id)) { "Cancel" } }
        },
    )
}

pub fn confirm_delete(ctx: &PageCtx, post: &Post) -> Markup {
    page(
        ctx,
        "Delete your post",
        html! {
            h1 { "Delete your post?" }
            p { "Its text will be erased for good. The thread will show that a post was deleted by its writer." }
            form method="post" action=(format!("/p/{}/delete", post.id)) {
                input type="hidden" name="csrf" value=(ctx.csrf);
                button type="submit" class="danger" { "Delete for good" }
            }
            p { a href=(format!("/p/{}", post.id)) { "Keep it" } }
        },
    )
}

use forum_core::models::{Post, PostStatus};
use forum_core::poster_key::PosterKey;
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::templates::components::When;
use crate::templates::page;

/// "Your anonymous identity": the recovery phrase, restoring it elsewhere, and the member's own
/// posts (shown only to them).
pub fn identity(
    ctx: &PageCtx,
    key: Option<&PosterKey>,
    posts: &[(Post, String)],
    supporter_code: Option<&str>,
    restore_error: Option<&str>,
) -> Markup {
    page(
        ctx,
        "Your anonymous identity",
        html! {
            h1 { "Your anonymous identity" }
            @match key {
                Some(key) => {
                    p { "This device holds your anonymous identity. It lets you edit and delete your posts. We keep no email, no password and no address: only a scrambled form of the phrase below." }
                    h2 { "Your recovery phrase" }
                    p { "Write it down somewhere private. It is the only way to use your identity on another device or after clearing your browser. Anyone with it can act as you, so do not share it." }
                    p class="phrase" { code { (key.phrase()) } }
                    h2 { "Your posts" }
                    @if posts.is_empty() {
                        p { "You have no posts yet." }
                    } @else {
                        ul class="my-posts" {
                            @for (post, title) in posts {
                                li {
                                    a href=(format!("/p/{}", post.id)) { (title) }
                                    " · as " span class="pseudonym" { (post.pseudonym) }
                                    " · " (When(post.created_at))
                                    @match post.status {
                                        PostStatus::Held => " · waiting for a moderator",
                                        PostStatus::Hidden => " · hidden by the moderators",
                                        PostStatus::Removed => " · removed by the moderators",
                                        _ => "",
                                    }
                                }
                            }
                        }
                    }
                    h2 { "One-on-one support" }
                    p { a href="/support" { "Talk privately with a peer supporter" }
                        @if ctx.unread > 0 { " · " strong { (ctx.unread) " new" } } }
                    @if let Some(code) = supporter_code {
                        p class="meta" { "Trained as a peer supporter? Give this code to an admin: " code { (code) } }
                    }
                    h2 { "Erase everything you wrote" }
                    p { "Erases the text of all your posts and the titles of the threads you started, for good. Other people's replies stay." }
                    p { a class="button danger" href="/me/erase" { "Erase everything I wrote…" } }
                    h2 { "Leave this device" }
                    p { "Removes the identity from this browser. Your posts stay. You can restore it later with your recovery phrase." }
                    form method="post" action="/me/forget" {
                        input type="hidden" name="csrf" value=(ctx.csrf);
                        button type="submit" { "Forget my identity on this device" }
                    }
                }
                None => {
                    p { "You do not have an anonymous identity on this device. One is made for you, without any personal details, the first time you post." }
                }
            }
            h2 id="restore" { "Restore an identity" }
            p { "Used this forum on another device? Enter your recovery phrase to continue as the same member here." }
            form method="post" action="/me/restore" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label for="phrase" { "Recovery phrase" }
                @if let Some(error) = restore_error { p class="field-error" id="phrase-error" { (error) } }
                input id="phrase" name="phrase" type="text" autocomplete="off" spellcheck="false" required
                    aria-describedby=[restore_error.map(|_| "phrase-error")] aria-invalid=[restore_error.map(|_| "true")];
                button type="submit" { "Restore" }
            }
        },
    )
}

pub fn confirm_erase(ctx: &PageCtx) -> Markup {
    page(
        ctx,
        "Erase everything you wrote",
        html! {
            h1 { "Erase everything you wrote?" }
            p { "The text of every post you wrote, and the titles of the threads you started, will be erased from the forum's database. "
                "Threads stay, so that other people's replies still read, with placeholders where your words were. This cannot be undone." }
            form method="post" action="/me/erase" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                button type="submit" class="danger" { "Erase everything" }
            }
            p { a href="/me" { "Keep my posts" } }
        },
    )
}

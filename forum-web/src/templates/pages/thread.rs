use forum_core::ids::PosterId;
use forum_core::models::{AuthorRole, Board, Post, PostStatus, Thread};
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::templates::components::{UserHtml, When, warning_label};
use crate::templates::page;
use crate::templates::pages::board::thread_href;
use crate::templates::pages::post_forms::{PostFormState, reply_form};

/// Everything the thread page shows.
pub struct ThreadView {
    pub board: Board,
    pub thread: Thread,
    pub posts: Vec<Post>,
    pub page: i64,
    pub pages: i64,
    /// The member looking, if they have an identity here.
    pub viewer: Option<PosterId>,
}

pub fn thread(ctx: &PageCtx, view: &ThreadView, form: &PostFormState) -> Markup {
    let t = &view.thread;
    page(
        ctx,
        &t.title,
        html! {
            nav class="crumbs" aria-label="Breadcrumb" {
                a href=(format!("/b/{}", view.board.slug)) { (view.board.name) }
            }
            h1 { (t.title) }
            p class="meta" {
                @if t.pinned { span class="tag" { "Pinned" } " " }
                @if t.locked { span class="tag" { "Locked" } " " }
                @if let Some(cw) = &t.content_warning { (warning_label(cw)) }
            }
            @if t.crisis_mode {
                aside class="crisis-banner" aria-label="Help" {
                    p { strong { "Someone in this thread may be going through a crisis. " }
                        "The moderators are with them. If you are struggling too, help is there now: "
                        a href="/help" { "crisis lines by country" } "." }
                }
            }
            @if view.pages > 1 { (pager(view)) }
            div class="posts" {
                @for (i, post) in view.posts.iter().enumerate() {
                    (post_card(post, t, view.viewer, view.page == 1 && i == 0))
                }
            }
            @if view.pages > 1 { (pager(view)) }
            @if t.locked {
                p class="notice" { "This thread is locked: it takes no new replies." }
            } @else if t.crisis_mode && view.viewer != Some(t.poster_id) {
                p class="notice" { "For now, only the moderation team and the person who started this thread can reply here." }
            } @else {
                (reply_form(ctx, t.id, form))
            }
        },
    )
}

fn pager(view: &ThreadView) -> Markup {
    let href = |n: i64| format!("{}?page={n}", thread_href(&view.thread));
    html! {
        nav class="pager" aria-label="Pages of this thread" {
            @if view.page > 1 { a rel="prev" href=(href(view.page - 1)) { "Previous" } " " }
            span { "Page " (view.page) " of " (view.pages) }
            @if view.page < view.pages { " " a rel="next" href=(href(view.page + 1)) { "Next" } }
        }
    }
}

/// One post, as `<article id="p{id}">`.
pub fn post_card(post: &Post, thread: &Thread, viewer: Option<PosterId>, is_opening_post: bool) -> Markup {
    let own = viewer == Some(post.poster_id);
    let opening = post.poster_id == thread.poster_id;
    // The thread's warning covers its opening post; a post can carry its own.
    let warning = post.content_warning.as_deref().or(if is_opening_post {
        thread.content_warning.as_deref()
    } else {
        None
    });
    html! {
        article id=(format!("p{}", post.id)) class="post" {
            header {
                span class="pseudonym" { (post.pseudonym) }
                @if post.author_role == AuthorRole::Team { " " span class="op team" { "moderators" } }
                @if post.author_role == AuthorRole::Supporter { " " span class="op team" { "Peer supporter" } }
                @if opening && post.author_role != AuthorRole::Team { " " span class="op" title="Started this thread" { "original poster" } }
                @if own { " " span class="you" { "(you)" } }
                " · "
                a class="permalink" href=(format!("/p/{}", post.id)) { (When(post.created_at)) }
                @if post.edited_at.is_some() && post.status != PostStatus::Deleted { " · " span class="edited" { "edited" } }
            }
            @match post.status {
                PostStatus::Visible | PostStatus::Held => {
                    @if post.status == PostStatus::Held {
                        p class="notice" { "Waiting for a moderator: only you can see this post until it is approved." }
                    }
                    @if let Some(cw) = warning {
                        details class="cw-body" {
                            summary { "Content warning: " (cw) " (select to read)" }
                            div class="body" { (UserHtml(&post.body_html)) }
                        }
                    } @else {
                        div class="body" { (UserHtml(&post.body_html)) }
                    }
                }
                PostStatus::Hidden => p class="placeholder" { "This post is hidden by the moderators." },
                PostStatus::Removed => p class="placeholder" { "This post was removed by the moderators." },
                PostStatus::Deleted => p class="placeholder" { "This post was deleted by its writer." },
            }
            footer {
                @if own && matches!(post.status, PostStatus::Visible | PostStatus::Held) {
                    a href=(format!("/p/{}/edit", post.id)) { "Edit" } " · "
                    a href=(format!("/p/{}/delete", post.id)) { "Delete" }
                }
                @if post.status == PostStatus::Visible && !own {
                    a href=(format!("/p/{}/report", post.id)) rel="nofollow" { "Report" }
                }
            }
        }
    }
}

use forum_core::models::{Post, ReportReason, Thread};
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::helplines::Helplines;
use crate::templates::components::field_error;
use crate::templates::page;
use crate::templates::pages::board::thread_href;
use crate::templates::pages::help::help_resources;

/// The report form: a reason and an optional note.
pub fn report_form(
    ctx: &PageCtx,
    post: &Post,
    thread: &Thread,
    chosen: Option<ReportReason>,
    note: &str,
    error: Option<&String>,
) -> Markup {
    page(
        ctx,
        "Report a post",
        html! {
            h1 { "Report a post" }
            p { "In " a href=(thread_href(thread)) { (thread.title) } ", by " span class="pseudonym" { (post.pseudonym) } "." }
            p { "Moderators will look at it. Nobody, not even the moderators, will see who reported it." }
            form method="post" action=(format!("/p/{}/report", post.id)) {
                input type="hidden" name="csrf" value=(ctx.csrf);
                fieldset {
                    legend { "What is the problem?" }
                    (field_error("reason", error))
                    @for reason in ReportReason::ALL {
                        div class="choice" {
                            input type="radio" name="reason" id=(format!("reason-{}", reason.as_str())) value=(reason.as_str())
                                checked[chosen == Some(*reason)] required;
                            " "
                            label for=(format!("reason-{}", reason.as_str())) { (reason.label()) }
                        }
                    }
                }
                label for="note" { "Anything the moderators should know? " span class="optional" { "(optional, up to 500 characters)" } }
                textarea id="note" name="note" rows="4" maxlength="500" { (note) }
                button type="submit" { "Send report" }
            }
        },
    )
}

/// After a report: thanks, and help if someone may be at risk.
pub fn report_sent(ctx: &PageCtx, thread: &Thread, at_risk: bool, helplines: &Helplines) -> Markup {
    page(
        ctx,
        "Thank you",
        html! {
            h1 { "Thank you for telling us" }
            @if at_risk {
                p { "Reports that someone may be at risk go to the top of the moderators' queue. "
                    "If you think someone is in immediate danger and you know where they are, call the emergency services." }
                p { "Looking out for someone can be heavy. These services are there for you too:" }
                (help_resources(helplines, None, "/help"))
            } @else {
                p { "The moderators will look at it." }
            }
            p { a href=(thread_href(thread)) { "Back to the thread" } }
        },
    )
}

/// Shown to a writer right after a post in which they may be at risk: warm, plain, and not
/// about rules.
pub fn support(
    ctx: &PageCtx,
    post: &Post,
    thread: &Thread,
    post_href: &str,
    helplines: &Helplines,
    region: Option<&str>,
) -> Markup {
    page(
        ctx,
        "Your post is up",
        html! {
            h1 { "Thank you for sharing this" }
            @if post.status == forum_core::models::PostStatus::Held {
                p class="lead" { "You're not in trouble. Your post in " a href=(thread_href(thread)) { (thread.title) }
                    " was received and will appear once a moderator has seen it; they look at posts like yours first." }
            } @else {
                p class="lead" { "You're not in trouble. Your post is up in " a href=(thread_href(thread)) { (thread.title) } ", and people here will read it and reply." }
            }
            p { "It sounds like things may be really hard right now. If you are thinking about ending your life or hurting yourself, "
                "you deserve to talk to someone today. These services are free and confidential, and you can call or text:" }
            (help_resources(helplines, region, &format!("/p/{}/support", post.id)))
            p { a class="button" href=(post_href) { "Continue to your post" } }
        },
    )
}

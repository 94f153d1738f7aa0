//! One-on-one peer support pages: asking, the supporters' page, and a conversation.

use forum_core::ids::PosterId;
use forum_core::models::{Conversation, Message, SupportRequest, Supporter};
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::helplines::Helplines;
use crate::templates::components::{UserHtml, When};
use crate::templates::page;
use crate::templates::pages::help::help_resources;

/// A conversation as listed, with its unread count.
pub struct ConversationSummary {
    pub conversation: Conversation,
    pub topic: String,
    pub unread: i64,
}

fn conversation_list(list: &[ConversationSummary]) -> Markup {
    html! {
        @if list.is_empty() { p { "No conversations yet." } }
        @else {
            ul class="my-posts" {
                @for c in list {
                    li {
                        a href=(format!("/c/{}", c.conversation.id)) { (c.topic) }
                        " · started " (When(c.conversation.created_at))
                        @if c.conversation.status != "open" { " · ended" }
                        @if c.unread > 0 { " · " strong { (c.unread) " new" } }
                    }
                }
            }
        }
    }
}

pub fn ask(
    ctx: &PageCtx,
    available: i64,
    requests: &[SupportRequest],
    conversations: &[ConversationSummary],
    error: Option<&str>,
    is_supporter: bool,
) -> Markup {
    page(
        ctx,
        "Talk one-on-one",
        html! {
            h1 { "Talk one-on-one with a peer supporter" }
            p class="lead" { "Peer supporters are members who have been where you are and have been trained to listen. "
                "A conversation is private between you and them; moderators can read it only if one of you reports it, "
                "or if it seems someone may be in danger. It is erased 14 days after its last message, or when you delete it." }
            p { strong { @if available == 0 { "No supporter is available right now" } @else if available == 1 { "1 supporter is available now" } @else { (available) " supporters are available now" } }
                @if available == 0 { ". You can still ask: your request waits until someone is free." } }
            p { "If you are in danger right now, please don't wait: " a href="/help" { "crisis lines are there 24/7" } "." }
            @if is_supporter { p { a href="/supporters" { "Go to the supporters' page" } } }
            @if let Some(error) = error { div class="error-summary" role="alert" { p { (error) } } }
            form method="post" action="/support" class="post-form" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label for="topic" { "What would you like to talk about?" }
                input id="topic" name="topic" type="text" required maxlength="120";
                label for="note" { "Anything else you'd like to say " span class="optional" { "(optional)" } }
                textarea id="note" name="note" rows="3" maxlength="1000" {}
                label for="preferences" { "Preferences " span class="optional" { "(optional, e.g. someone who has lived with grief)" } }
                input id="preferences" name="preferences" type="text" maxlength="1000";
                button type="submit" { "Ask for a supporter" }
            }
            @if !requests.is_empty() {
                h2 id="requests" { "Your requests" }
                ul class="my-posts" {
                    @for r in requests {
                        li { (r.topic) " · " (When(r.created_at)) " · "
                            @match r.status.as_str() { "waiting" => "waiting for a supporter", "accepted" => "a supporter accepted", _ => "closed" } }
                    }
                }
            }
            h2 { "Your conversations" }
            (conversation_list(conversations))
        },
    )
}

pub fn supporters(
    ctx: &PageCtx,
    me: &Supporter,
    waiting: &[SupportRequest],
    conversations: &[ConversationSummary],
    error: Option<&str>,
) -> Markup {
    page(
        ctx,
        "Peer supporters",
        html! {
            h1 { "Peer supporters" }
            @if let Some(error) = error { div class="error-summary" role="alert" { p { (error) } } }
            form method="post" action="/supporters/availability" class="inline" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                input type="hidden" name="available" value=(if me.available { "false" } else { "true" });
                p { "You are " strong { @if me.available { "available" } @else { "away" } } ". "
                    button type="submit" { @if me.available { "Set me away" } @else { "Set me available" } } }
            }
            form method="post" action="/supporters/name" class="post-form" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label for="public_name" { "Your supporter name (the same everywhere, shown with a \"Peer supporter\" badge; leave empty to use thread names)" }
                input id="public_name" name="public_name" type="text" maxlength="40" value=(me.public_name.as_deref().unwrap_or(""));
                button type="submit" { "Save name" }
            }
            h2 { "Waiting requests" }
            @if waiting.is_empty() { p { "Nobody is waiting." } }
            ol class="queue" {
                @for r in waiting {
                    li { article class=(if r.crisis_tier.is_at_risk() { "item crisis" } else { "item" }) {
                        h3 { (r.topic) }
                        p class="meta" { "waiting since " (When(r.created_at))
                            @if r.crisis_tier.is_at_risk() { " · " strong class="lane" { "may be at risk" } } }
                        @if !r.note.is_empty() { p { (r.note) } }
                        @if !r.preferences.is_empty() { p class="meta" { "Preferences: " (r.preferences) } }
                        form method="post" action=(format!("/support/requests/{}/accept", r.id)) class="inline" {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            button type="submit" { "Accept" }
                        }
                    } }
                }
            }
            h2 { "Your conversations" }
            (conversation_list(conversations))
        },
    )
}

pub fn conversation(
    ctx: &PageCtx,
    c: &Conversation,
    topic: &str,
    messages: &[Message],
    me: PosterId,
    supporter_name: &str,
) -> Markup {
    let is_member = c.member_id == me;
    page(
        ctx,
        "Conversation",
        html! {
            h1 { (topic) }
            p class="meta" { "A private conversation between you and " @if is_member { "a peer supporter, " (supporter_name) } @else { "a member" } "." }
            div class="posts" {
                @for m in messages {
                    article class="post" id=(format!("m{}", m.id)) {
                        header {
                            span class="pseudonym" { @if m.sender_id == me { "You" } @else if is_member { (supporter_name) } @else { "Member" } }
                            @if m.sender_id == c.supporter_id { " " span class="op team" { "Peer supporter" } }
                            " · " (When(m.created_at))
                        }
                        div class="body" { (UserHtml(&m.body_html)) }
                    }
                }
            }
            @if c.status == "open" {
                form method="post" action=(format!("/c/{}/messages", c.id)) class="post-form" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    label for="body" { "Your message" }
                    textarea id="body" name="body" rows="4" required {}
                    button type="submit" { "Send" }
                }
                form method="post" action=(format!("/c/{}/end", c.id)) class="inline" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    button type="submit" { "End the conversation" }
                }
            } @else {
                p class="notice" { "This conversation has ended." }
            }
            details { summary { "Report this conversation" }
                form method="post" action=(format!("/c/{}/report", c.id)) class="post-form" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    p { "Reporting lets the moderators read this conversation. That is recorded in the public moderation log (without its content)." }
                    label for="reason" { "What is wrong?" }
                    input id="reason" name="reason" type="text" maxlength="300";
                    button type="submit" { "Report" }
                }
            }
            @if is_member {
                form method="post" action=(format!("/c/{}/delete", c.id)) {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    button type="submit" class="danger" { "Delete this conversation for good" }
                }
            }
            p { a href="/support" { "All your conversations" } }
        },
    )
}

/// After a message in which someone may be at risk: help first, then back to the conversation.
pub fn message_help(
    ctx: &PageCtx,
    conversation: &Conversation,
    helplines: &Helplines,
    region: Option<&str>,
) -> Markup {
    page(
        ctx,
        "Your message was sent",
        html! {
            h1 { "Your message was sent" }
            p class="lead" { "You're not in trouble, and your supporter will read it. It sounds like things may be really hard right now. "
                "If you are thinking about ending your life or hurting yourself, please reach out to a crisis line too: they are free, confidential and there now, by phone or text." }
            (help_resources(helplines, region, &format!("/c/{}/help", conversation.id)))
            p { a class="button" href=(format!("/c/{}", conversation.id)) { "Back to the conversation" } }
        },
    )
}

/// A moderator reads a conversation that was reported or escalated (the reading is logged).
pub fn moderator_view(ctx: &PageCtx, c: &Conversation, messages: &[Message], csrf: &str) -> Markup {
    page(
        ctx,
        "Conversation (moderator view)",
        html! {
            h1 { "Conversation " (c.id) }
            p class="meta" { "Opened to moderators because: " (c.flag.as_deref().unwrap_or("a message in it may show someone at risk (see its item in the queue), or it was reported earlier")) ". Your reading is recorded in the moderation log." }
            @for m in messages {
                article class="post" {
                    header { span class="pseudonym" { @if m.sender_id == c.supporter_id { "Supporter" } @else { "Member" } } " · " (When(m.created_at))
                        @if m.crisis_tier.is_at_risk() { " · " strong class="lane" { (m.crisis_tier.as_str().replace('_', " ")) } } }
                    div class="body" { (UserHtml(&m.body_html)) }
                }
            }
            @if c.flag.is_some() {
                form method="post" action=(format!("/mod/conversations/{}/resolve", c.id)) class="post-form" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="reason" { "What was done (public log, without names)" }
                    input id="reason" name="reason" type="text" maxlength="300";
                    button type="submit" { "Mark as dealt with" }
                }
            }
            p { a href="/mod/queue" { "Back to the queue" } }
        },
    )
}

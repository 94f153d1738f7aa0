//! Moderators' pages: log-in, dashboard, queue, admin; and the public moderation log.

use chrono::{NaiveDateTime, Utc};
use forum_core::models::{Board, Lane, Message, ModLogEntry, Moderator, PostStatus, ReportReason, WordRule};
use forum_mod::actions::BanLength;
use forum_mod::queue::{About, MessageContext, PostContext, QueueEntry};
use maud::{Markup, html};

use crate::extract::{ModSession, PageCtx};
use crate::templates::components::{UserHtml, When};
use crate::templates::page;
use crate::templates::pages::board::thread_href;

pub fn login(ctx: &PageCtx, error: Option<&str>, name: &str) -> Markup {
    page(
        ctx,
        "Moderator log-in",
        html! {
            h1 { "Moderator log-in" }
            @if let Some(error) = error { div class="error-summary" role="alert" { p { (error) } } }
            form method="post" action="/mod/login" class="post-form" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label for="name" { "Name" }
                input id="name" name="name" type="text" autocomplete="username" required value=(name);
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
            }
        },
    )
}

fn mod_nav(session: &ModSession) -> Markup {
    html! {
        nav class="mod-nav" aria-label="Moderation" {
            a href="/mod" { "Dashboard" } " · "
            a href="/mod/queue" { "Queue" } " · "
            @if session.moderator.is_admin { a href="/mod/admin" { "Admin" } " · " }
            a href="/modlog" { "Public log" } " · "
            form method="post" action="/mod/logout" class="inline" {
                input type="hidden" name="csrf" value=(session.csrf);
                button type="submit" class="link" { "Log out " (session.moderator.name) }
            }
        }
    }
}

fn waited(since: NaiveDateTime) -> String {
    let minutes = (Utc::now().naive_utc() - since).num_minutes().max(0);
    match minutes {
        0 => "less than a minute".into(),
        1..=59 => format!("{minutes} min"),
        60..=2879 => format!("{} h {} min", minutes / 60, minutes % 60),
        _ => format!("{} days", minutes / 1440),
    }
}

/// Dashboard figures.
pub struct Dashboard {
    pub crisis_open: i64,
    pub at_risk_reports_open: i64,
    pub other_open: i64,
    pub oldest: Option<NaiveDateTime>,
    pub per_moderator: Vec<(String, i64)>,
    pub crisis: forum_mod::figures::CrisisFigures,
}

fn seconds(value: Option<f64>) -> String {
    match value {
        None => "no items yet".into(),
        Some(s) if s < 120.0 => format!("{s:.0} s"),
        Some(s) if s < 7200.0 => format!("{:.0} min", s / 60.0),
        Some(s) => format!("{:.1} h", s / 3600.0),
    }
}

pub fn dashboard(ctx: &PageCtx, session: &ModSession, d: &Dashboard) -> Markup {
    page(
        ctx,
        "Moderation",
        html! {
            (mod_nav(session))
            h1 { "Moderation" }
            dl class="figures" {
                dt { "Crisis items open" } dd { (d.crisis_open) }
                dt { "\"Someone may be at risk\" reports open" } dd { (d.at_risk_reports_open) }
                dt { "Other items open" } dd { (d.other_open) }
                dt { "Oldest waiting" } dd { @match d.oldest { Some(at) => (waited(at)), None => "nothing waiting" } }
            }
            h2 { "Crisis lane" }
            table {
                thead { tr { th scope="col" { "Window" } th scope="col" { "Items" } th scope="col" { "Median time to first action" }
                    th scope="col" { "90th percentile" } th scope="col" { "False alarms" } } }
                tbody { @for w in &d.crisis.windows { tr {
                    td { (w.days) " days" } td { (w.items) }
                    td { (seconds(w.median_first_action_secs)) } td { (seconds(w.p90_first_action_secs)) }
                    td { @match w.false_alarm_rate { Some(r) => { (format!("{:.0}%", r * 100.0)) }, None => "none resolved" } }
                } } }
            }
            h2 { "Actions per moderator this week" }
            @if d.per_moderator.is_empty() { p { "No actions this week." } }
            @else {
                table { thead { tr { th scope="col" { "Moderator" } th scope="col" { "Actions" } } }
                    tbody { @for (name, n) in &d.per_moderator { tr { td { (name) } td { (n) } } } } }
            }
        },
    )
}

fn action_button(session: &ModSession, post: i32, action: &str, label: &str) -> Markup {
    html! {
        form method="post" action=(format!("/mod/posts/{post}")) class="inline" {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value=(action);
            button type="submit" { (label) }
        }
    }
}

fn item_button(session: &ModSession, item: i32, action: &str, label: &str) -> Markup {
    html! {
        form method="post" action=(format!("/mod/items/{item}")) class="inline" {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value=(action);
            button type="submit" { (label) }
        }
    }
}

/// Marks the matched crisis phrases in a plain-text snapshot.
fn highlighted(text: &str, phrases: &[&str]) -> Markup {
    let lower = text.to_lowercase();
    let mut marks: Vec<(usize, usize)> = Vec::new();
    if lower.len() == text.len() {
        for phrase in phrases.iter().filter(|p| !p.is_empty()) {
            let needle = phrase.to_lowercase();
            let mut from = 0;
            while let Some(at) = lower[from..].find(&needle) {
                let start = from + at;
                marks.push((start, start + needle.len()));
                from = start + needle.len();
            }
        }
    }
    marks.sort_unstable();
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for (start, end) in marks {
        if start < at || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        pieces.push((false, &text[at..start]));
        pieces.push((true, &text[start..end]));
        at = end;
    }
    pieces.push((false, &text[at..]));
    html! { @for (mark, piece) in pieces { @if mark { mark { (piece) } } @else { (piece) } } }
}

pub fn queue(
    ctx: &PageCtx,
    session: &ModSession,
    entries: &[QueueEntry],
    conversations: &[forum_core::models::Conversation],
    boards: &[Board],
    board_filter: Option<&str>,
    reason_filter: Option<ReportReason>,
) -> Markup {
    page(
        ctx,
        "Moderation queue",
        html! {
            (mod_nav(session))
            h1 { "Moderation queue" }
            form method="get" action="/mod/queue" class="filters" {
                label for="board" { "Board" }
                select id="board" name="board" {
                    option value="" { "All boards" }
                    @for b in boards { option value=(b.slug) selected[board_filter == Some(b.slug.as_str())] { (b.name) } }
                }
                label for="reason" { "Reason" }
                select id="reason" name="reason" {
                    option value="" { "Any reason" }
                    @for r in ReportReason::ALL { option value=(r.as_str()) selected[reason_filter == Some(*r)] { (r.label()) } }
                }
                button type="submit" { "Filter" }
            }
            @if !conversations.is_empty() {
                h2 { "Private conversations opened to moderators" }
                ul class="queue" {
                    @for c in conversations {
                        li { article class=(if c.flag_tier.is_at_risk() { "item crisis" } else { "item" }) {
                            p { @if c.flag_tier.is_at_risk() { span class="lane" { "Crisis: " (c.flag_tier.as_str().replace('_', " ")) } " · " }
                                (c.flag.as_deref().unwrap_or("")) " · waiting "
                                @if let Some(at) = c.flagged_at { (waited(at)) } }
                            p { a href=(format!("/mod/conversations/{}", c.id)) { "Read the conversation (your reading is logged)" } }
                        } }
                    }
                }
            }
            @if entries.is_empty() && conversations.is_empty() { p { "Nothing is waiting. Thank you." } }
            ol class="queue" {
                @for e in entries { li { (queue_entry(session, e)) } }
            }
        },
    )
}

fn queue_entry(session: &ModSession, e: &QueueEntry) -> Markup {
    match &e.about {
        About::Post(p) => post_entry(session, e, p),
        About::Conversation(m) => conversation_entry(session, e, m.as_deref()),
    }
}

fn lane_label(e: &QueueEntry) -> Markup {
    html! {
        @match e.item.lane() {
            Lane::Crisis => span class="lane" { "Crisis: " (e.item.crisis_tier.as_str().replace('_', " ")) },
            Lane::AtRiskReport => span class="lane" { "Someone may be at risk" },
            Lane::Ordinary => span class="lane" { "Review" },
        }
    }
}

fn claimed(e: &QueueEntry) -> Markup {
    html! { @match &e.claimed_by { Some(name) => { "claimed by " (name) }, None => "unclaimed" } }
}

fn item_state(e: &QueueEntry) -> Markup {
    html! {
        @if let Some(at) = e.item.resolved_at {
            p class="meta" { strong { "Resolved" } " " (When(at)) @if let Some(how) = &e.item.resolution { ": " (how.replace('_', " ")) } }
        }
    }
}

/// The actions every item has; the crisis ones in the crisis lanes.
fn item_actions(session: &ModSession, e: &QueueEntry) -> Markup {
    let item = e.item.id.0;
    html! {
        (item_button(session, item, "claim", "Claim"))
        @if e.item.lane().is_crisis() {
            (item_button(session, item, "support_offered", "Support offered"))
            (item_button(session, item, "false_alarm", "False alarm"))
        }
        (item_button(session, item, "resolve", "Resolve"))
    }
}

fn notes(e: &QueueEntry) -> Markup {
    html! {
        @if !e.notes.is_empty() {
            ul class="notes" { @for (n, who) in &e.notes { li { strong { (who) } ": " (n.body) } } }
        }
    }
}

fn note_form(session: &ModSession, e: &QueueEntry) -> Markup {
    let item = e.item.id.0;
    html! {
        form method="post" action=(format!("/mod/items/{item}")) class="post-form" {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value="note";
            label for=(format!("note-{item}")) { "Private note for moderators" }
            textarea id=(format!("note-{item}")) name="note" rows="2" required maxlength="2000" {}
            button type="submit" { "Add note" }
        }
    }
}

fn post_entry(session: &ModSession, e: &QueueEntry, p: &PostContext) -> Markup {
    let lane = e.item.lane();
    let phrases: Vec<&str> = e.item.crisis_matches.lines().collect();
    let post = p.post.id.0;
    html! {
        article class=(if lane.is_crisis() { "item crisis" } else { "item" }) id=(format!("item{}", e.item.id)) {
            h2 {
                (lane_label(e))
                " · " a href=(format!("{}#p{}", thread_href(&p.thread), post)) { (p.thread.title) }
            }
            p class="meta" {
                (p.board.name) " · waiting " (waited(e.item.opened_at))
                @if p.post.status == PostStatus::Held { " · " strong { "held: not published" } }
                @if p.post.status == PostStatus::Hidden { " · " strong { "hidden" } }
                @if let Some(why) = &e.item.flagged_by { " · " (why) }
                " · " (claimed(e))
            }
            (item_state(e))
            @if let Some(prev) = &p.previous {
                details class="context" { summary { "The post before it, by " (prev.pseudonym) }
                    div class="body" { (UserHtml(&prev.body_html)) } }
            }
            div class="reported" {
                p class="meta" { span class="pseudonym" { (p.post.pseudonym) } " wrote " (When(p.post.created_at)) ":" }
                @if !phrases.is_empty() {
                    blockquote class="snapshot" { (highlighted(&p.post.body_markdown, &phrases)) }
                    p class="meta" { "Matched: " @for (i, p) in phrases.iter().enumerate() { @if i > 0 { ", " } mark { (p) } } }
                } @else if p.post.body_markdown.is_empty() {
                    @if let Some(r) = e.reports.last() { blockquote class="snapshot" { (r.post_snapshot) } p class="meta" { "(as reported; the post's text has since been erased)" } }
                } @else {
                    div class="body" { (UserHtml(&p.post.body_html)) }
                }
            }
            @if !e.reports.is_empty() {
                p { (e.item.report_count) @if e.item.report_count == 1 { " report: " } @else { " reports: " }
                    @for (i, (reason, n)) in e.reasons().iter().enumerate() { @if i > 0 { ", " } (reason.label()) " (" (n) ")" } }
                ul class="notes" { @for r in e.reports.iter().filter(|r| !r.note.is_empty()) { li { (r.note) } } }
            }
            p class="meta" { "Writer's history: " (p.history.posts) " posts, " (p.history.removals) " hidden or removed, " (p.history.bans) " bans" }
            (notes(e))
            @if e.item.resolved_at.is_none() {
                div class="actions" {
                    (item_button(session, e.item.id.0, "claim", "Claim"))
                    (action_button(session, post, "approve", if p.post.status == PostStatus::Held { "Approve and publish" } else { "Approve" }))
                    @if matches!(p.post.status, PostStatus::Visible | PostStatus::Held) { (action_button(session, post, "hide", "Hide")) }
                    @if p.post.status == PostStatus::Hidden { (action_button(session, post, "restore", "Restore")) }
                    (action_button(session, post, "remove", "Remove"))
                    @if p.thread.locked { (action_button(session, post, "unlock", "Unlock thread")) } @else { (action_button(session, post, "lock", "Lock thread")) }
                    @if lane.is_crisis() {
                        (item_button(session, e.item.id.0, "support_offered", "Support offered"))
                        (item_button(session, e.item.id.0, "false_alarm", "False alarm"))
                    }
                    (item_button(session, e.item.id.0, "resolve", "Resolve"))
                }
                @if lane.is_crisis() { (team_reply(session, e, p)) }
                details { summary { "More actions" }
                    (more_actions(session, e, p)) }
            }
        }
    }
}

/// A message of a private conversation: only it and the one before it, labelled by role,
/// never by name. The rest of the conversation is one logged click away.
fn conversation_entry(session: &ModSession, e: &QueueEntry, m: Option<&MessageContext>) -> Markup {
    let phrases: Vec<&str> = e.item.crisis_matches.lines().collect();
    let role = |message: &Message| {
        if m.is_some_and(|m| m.from_supporter(message)) { "The supporter" } else { "The member" }
    };
    html! {
        article class=(if e.item.lane().is_crisis() { "item crisis conversation" } else { "item conversation" }) id=(format!("item{}", e.item.id)) {
            h2 { (lane_label(e)) " · " a href=(format!("/mod/items/{}", e.item.id)) { "Private conversation" } }
            p class="meta" {
                "One-on-one support · waiting " (waited(e.item.opened_at))
                " · " (claimed(e))
            }
            (item_state(e))
            @match m {
                Some(m) => {
                    @if let Some(prev) = &m.previous {
                        div class="context" {
                            p class="meta" { (role(prev)) " wrote before it, " (When(prev.created_at)) ":" }
                            div class="body" { (UserHtml(&prev.body_html)) }
                        }
                    }
                    div class="reported" {
                        p class="meta" { (role(&m.message)) " wrote " (When(m.message.created_at)) ":" }
                        @if phrases.is_empty() {
                            div class="body" { (UserHtml(&m.message.body_html)) }
                        } @else {
                            blockquote class="snapshot" { (highlighted(&m.message.body_markdown, &phrases)) }
                            p class="meta" { "Matched: " @for (i, p) in phrases.iter().enumerate() { @if i > 0 { ", " } mark { (p) } } }
                        }
                    }
                    p { a href=(format!("/mod/conversations/{}", m.conversation)) { "Open the whole conversation (your reading is logged)" } }
                }
                None => p class="meta" { strong { "Conversation deleted by the member" } " (or erased at the end of its retention period): nothing of it is kept." }
            }
            (notes(e))
            @if e.item.resolved_at.is_none() {
                div class="actions" { (item_actions(session, e)) }
                details { summary { "More actions" } (note_form(session, e)) }
            }
        }
    }
}

/// One item on its own page (linked from webhooks), open or resolved.
pub fn item(ctx: &PageCtx, session: &ModSession, e: &QueueEntry) -> Markup {
    page(
        ctx,
        "Queue item",
        html! {
            (mod_nav(session))
            h1 { "Queue item " (e.item.id) }
            (queue_entry(session, e))
            p { a href="/mod/queue" { "Back to the queue" } }
        },
    )
}

fn team_reply(session: &ModSession, e: &QueueEntry, p: &PostContext) -> Markup {
    let post = p.post.id.0;
    let item = e.item.id.0;
    html! {
        form method="post" action=(format!("/mod/posts/{post}/reply")) class="post-form team-reply" {
            input type="hidden" name="csrf" value=(session.csrf);
            label for=(format!("tpl-{item}")) { "Reply as the moderation team" }
            select id=(format!("tpl-{item}")) name="template" {
                @for t in forum_mod::replies::TEMPLATES { option value=(t.key) { (t.name) } }
            }
            label for=(format!("tr-{item}")) { "Or in your own words (used instead of the template when filled in)" }
            textarea id=(format!("tr-{item}")) name="text" rows="3" {}
            button type="submit" { "Post the reply" }
        }
        @if p.thread.crisis_mode {
            (action_button(session, post, "crisis_off", "End crisis mode"))
        } @else {
            (action_button(session, post, "crisis_on", "Crisis mode for this thread"))
        }
    }
}

fn more_actions(session: &ModSession, e: &QueueEntry, p: &PostContext) -> Markup {
    let post = p.post.id.0;
    let item = e.item.id.0;
    html! {
        form method="post" action=(format!("/mod/posts/{post}")) class="post-form" {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value="ban";
            label for=(format!("ban-{item}")) { "Ban the writer for" }
            select id=(format!("ban-{item}")) name="length" {
                @for (value, label) in BanLength::CHOICES { option value=(value) { (label) } }
            }
            label for=(format!("ban-reason-{item}")) { "Reason (the member sees it)" }
            input id=(format!("ban-reason-{item}")) name="reason" type="text" required maxlength="500";
            button type="submit" { "Ban" }
        }
        form method="post" action=(format!("/mod/posts/{post}")) class="post-form" {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value="warn";
            label for=(format!("warn-{item}")) { "Warn the writer (shown on their next visit)" }
            input id=(format!("warn-{item}")) name="message" type="text" required maxlength="500";
            button type="submit" { "Warn" }
        }
        (note_form(session, e))
    }
}

pub fn modlog(
    ctx: &PageCtx,
    session: Option<&ModSession>,
    entries: &[(ModLogEntry, Option<String>)],
    show_names: bool,
    next: Option<i32>,
) -> Markup {
    page(
        ctx,
        "Moderation log",
        html! {
            @if let Some(s) = session { (mod_nav(s)) }
            h1 { "Moderation log" }
            p { "Every action the moderators take, newest first, with the reason given. Removed text is never shown here." }
            @if entries.is_empty() { p { "Nothing yet." } }
            @else {
                table class="modlog" {
                    thead { tr {
                        th scope="col" { "When" } th scope="col" { "Action" } th scope="col" { "On" } th scope="col" { "Reason" }
                        @if show_names { th scope="col" { "Moderator" } }
                    } }
                    tbody {
                        @for (e, name) in entries {
                            tr {
                                td { (When(e.created_at)) }
                                td { (e.action.replace('_', " ")) }
                                td { @match e.target_kind.as_str() {
                                    "post" => a href=(format!("/p/{}", e.target_id)) { "post " (e.target_id) },
                                    "thread" => a href=(format!("/t/{}", e.target_id)) { "thread " (e.target_id) },
                                    other => { (other.replace('_', " ")) " " (e.target_id) },
                                } }
                                td { (e.reason) }
                                @if show_names { td { (name.as_deref().unwrap_or("(automatic)")) } }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = next { nav class="pager" aria-label="Older entries" { a rel="next" href=(format!("/modlog?before={next}")) { "Older entries" } } }
        },
    )
}

pub fn admin(
    ctx: &PageCtx,
    session: &ModSession,
    moderators: &[Moderator],
    boards: &[Board],
    rules: &[WordRule],
    supporters: &[(String, forum_core::models::Supporter)],
    error: Option<&str>,
) -> Markup {
    page(
        ctx,
        "Admin",
        html! {
            (mod_nav(session))
            h1 { "Admin" }
            @if let Some(error) = error { div class="error-summary" role="alert" { p { (error) } } }
            h2 { "Moderators" }
            table { thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Status" } th scope="col" { "Change" } } }
                tbody { @for m in moderators { tr {
                    td { (m.name) } td { @if m.is_admin { "admin" } @else { "moderator" } }
                    td { @if m.disabled { "disabled" } @else { "active" } }
                    td { @if m.id != session.moderator.id {
                        form method="post" action=(format!("/mod/admin/moderators/{}", m.id)) class="inline" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            input type="hidden" name="disabled" value=(if m.disabled { "false" } else { "true" });
                            button type="submit" { @if m.disabled { "Enable" } @else { "Disable" } }
                        }
                    } }
                } } }
            }
            form method="post" action="/mod/admin/moderators" class="post-form" {
                input type="hidden" name="csrf" value=(session.csrf);
                h3 { "Add a moderator" }
                label for="new-name" { "Name" } input id="new-name" name="name" type="text" required;
                label for="new-password" { "Password (at least 10 characters)" } input id="new-password" name="password" type="password" required autocomplete="new-password";
                div class="choice" { input id="new-admin" name="admin" type="checkbox" value="true"; " " label for="new-admin" { "Admin" } }
                button type="submit" { "Add moderator" }
            }
            h2 { "Boards" }
            @for b in boards {
                form method="post" action=(format!("/mod/admin/boards/{}", b.id)) class="post-form board-edit" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    h3 { "/b/" (b.slug) }
                    label for=(format!("bn-{}", b.id)) { "Name" } input id=(format!("bn-{}", b.id)) name="name" type="text" value=(b.name) required;
                    label for=(format!("bd-{}", b.id)) { "Description" } textarea id=(format!("bd-{}", b.id)) name="description" rows="2" { (b.description) }
                    label for=(format!("bm-{}", b.id)) { "Posts" }
                    select id=(format!("bm-{}", b.id)) name="moderation_mode" {
                        option value="open" selected[b.moderation_mode.as_str() == "open"] { "Published at once" }
                        option value="first_posts_held" selected[b.moderation_mode.as_str() == "first_posts_held"] { "A new member's first post waits for approval" }
                        option value="all_posts_held" selected[b.moderation_mode.as_str() == "all_posts_held"] { "Every post waits for approval" }
                    }
                    div class="choice" {
                        input id=(format!("bh-{}", b.id)) name="hold_crisis_posts" type="checkbox" value="true" checked[b.hold_crisis_posts];
                        " " label for=(format!("bh-{}", b.id)) { "Hold posts in which someone may be at risk until a moderator has seen them (the writer still sees help at once)" }
                    }
                    button type="submit" { "Save board" }
                }
            }
            form method="post" action="/mod/admin/boards" class="post-form" {
                input type="hidden" name="csrf" value=(session.csrf);
                h3 { "Add a board" }
                label for="nb-slug" { "Address (/b/…)" } input id="nb-slug" name="slug" type="text" required;
                label for="nb-name" { "Name" } input id="nb-name" name="name" type="text" required;
                label for="nb-desc" { "Description" } textarea id="nb-desc" name="description" rows="2" {}
                button type="submit" { "Add board" }
            }
            h2 { "Peer supporters" }
            p { "A member who has completed training shows you the supporter code from their \"Your anonymous identity\" page." }
            @if supporters.is_empty() { p { "No supporters yet." } }
            @else {
                table { thead { tr { th scope="col" { "Code" } th scope="col" { "Name" } th scope="col" { "Status" } th scope="col" { "Revoke" } } }
                    tbody { @for (code, s) in supporters { tr {
                        td { code { (code) } } td { (s.public_name.as_deref().unwrap_or("(thread names)")) }
                        td { @if s.available { "available" } @else { "away" } }
                        td { form method="post" action=(format!("/mod/admin/supporters/{}/revoke", s.poster_id)) class="inline" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button type="submit" { "Revoke" } } }
                    } } }
                }
            }
            form method="post" action="/mod/admin/supporters" class="post-form" {
                input type="hidden" name="csrf" value=(session.csrf);
                h3 { "Make a member a peer supporter" }
                label for="sup-code" { "Their supporter code" } input id="sup-code" name="code" type="text" required;
                label for="sup-name" { "Public supporter name (optional; they can change it)" } input id="sup-name" name="name" type="text" maxlength="40";
                button type="submit" { "Grant the role" }
            }
            h2 { "Word rules" }
            p { "Crisis screening runs separately: no rule can stop a post in which someone may be at risk from reaching the queue, and block rules never apply to such posts." }
            @if rules.is_empty() { p { "No rules." } }
            @else {
                table { thead { tr { th scope="col" { "Pattern" } th scope="col" { "Action" } th scope="col" { "Message or replacement" } th scope="col" { "Remove" } } }
                    tbody { @for r in rules { tr {
                        td { code { (r.pattern) } @if r.is_regex { " (regex)" } } td { (r.action.as_str()) } td { (r.message) }
                        td { form method="post" action=(format!("/mod/admin/rules/{}/delete", r.id)) class="inline" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button type="submit" { "Remove" } } }
                    } } }
                }
            }
            form method="post" action="/mod/admin/rules" class="post-form" {
                input type="hidden" name="csrf" value=(session.csrf);
                h3 { "Add a rule" }
                label for="rule-pattern" { "Word, phrase or regular expression" } input id="rule-pattern" name="pattern" type="text" required;
                div class="choice" { input id="rule-regex" name="is_regex" type="checkbox" value="true"; " " label for="rule-regex" { "It is a regular expression" } }
                label for="rule-action" { "Action" }
                select id="rule-action" name="action" {
                    option value="block" { "Block (with a message to the writer)" }
                    option value="hold" { "Hold for review" }
                    option value="flag" { "Flag to the queue" }
                    option value="replace" { "Replace" }
                }
                label for="rule-message" { "Message to the writer, or replacement text" } input id="rule-message" name="message" type="text";
                button type="submit" { "Add rule" }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_phrases_are_marked_and_escaped() {
        let out = highlighted("I want <b>to end it</b> tonight", &["end it"]).into_string();
        assert_eq!(out, "I want &lt;b&gt;to <mark>end it</mark>&lt;/b&gt; tonight");
        let none = highlighted("nothing here", &["absent"]).into_string();
        assert_eq!(none, "nothing here");
    }
}

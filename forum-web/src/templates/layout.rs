use maud::{DOCTYPE, Markup, html};

use crate::extract::PageCtx;

/// Every page goes through here: the header with the site name, the boards and the
/// always-visible "Need help now?" link, then the page, then the footer.
pub fn page(ctx: &PageCtx, title: &str, body: Markup) -> Markup {
    let full_title =
        if title.is_empty() { ctx.site_name.clone() } else { format!("{title} · {}", ctx.site_name) };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="color-scheme" content="light dark";
                title { (full_title) }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                a class="skip" href="#main" { "Skip to content" }
                header class="site" {
                    div class="bar" {
                        a class="brand" href="/" { (ctx.site_name) }
                        @if ctx.unread > 0 {
                            a class="messages" href="/support" { "Messages (" (ctx.unread) ")" }
                        }
                        a class="help-now" href="/help" { "Need help now?" }
                    }
                    @if !ctx.boards.is_empty() {
                        nav aria-label="Support groups" {
                            ul {
                                @for board in ctx.boards.iter() {
                                    @let href = format!("/b/{}", board.slug);
                                    li {
                                        @if ctx.path == href || ctx.path.starts_with(&format!("{href}/")) {
                                            a href=(href) aria-current="page" { (board.name) }
                                        } @else {
                                            a href=(href) { (board.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    @if let Some(notice) = &ctx.notice {
                        div class="notice" role="status" {
                            p { strong { "A message from the moderators: " } (notice) }
                        }
                    }
                    (body)
                }
                footer class="site" {
                    p {
                        "This is a peer-support forum, not a crisis service. "
                        "If you are in danger now, call your local emergency number or see "
                        a href="/help" { "help now" } "."
                    }
                    p class="links" {
                        a href="/me" { "Your anonymous identity" }
                        " · "
                        a href="/support" { "Talk one-on-one" }
                        " · "
                        a href="/modlog" { "Moderation log" }
                        " · "
                        a href="/about" { "Privacy and rules" }
                    }
                }
            }
        }
    }
}

use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::helplines::{Helplines, Region, Service};
use crate::templates::page;

fn service(s: &Service) -> Markup {
    html! {
        li {
            strong { (s.name) } ": " (s.how)
            @if !s.hours.is_empty() { " (" (s.hours) ")" }
            " " a href=(s.url) rel="noopener noreferrer" { "Website" }
        }
    }
}

fn region_block(region: &Region, nested: bool) -> Markup {
    html! {
        section class="region" id=(format!("region-{}", region.code)) aria-labelledby=(format!("h-{}", region.code)) {
            @if nested { h3 id=(format!("h-{}", region.code)) { (region.name) } }
            @else { h2 id=(format!("h-{}", region.code)) { (region.name) } }
            p class="emergency" { "In immediate danger: call " strong { (region.emergency) } "." }
            ul { @for s in &region.services { (service(s)) } }
        }
    }
}

/// Crisis resources; the visitor's chosen region first. The choice is remembered only in
/// their own browser (by a small optional script), never on the server.
pub fn help_resources(helplines: &Helplines, chosen: Option<&str>, action: &str) -> Markup {
    let chosen = chosen.and_then(|code| helplines.region(code));
    html! {
        form method="get" action=(action) class="region-picker" {
            label for="region" { "Where are you?" }
            select id="region" name="region" {
                option value="" { "Choose your country or region" }
                @for r in &helplines.regions {
                    option value=(r.code) selected[chosen.is_some_and(|c| c.code == r.code)] { (r.name) }
                }
                option value="other" selected[chosen.is_none()] { "Somewhere else" }
            }
            button type="submit" { "Show" }
        }
        @if let Some(region) = chosen {
            (region_block(region, false))
        }
        section class="region" aria-labelledby="h-anywhere" {
            h2 id="h-anywhere" { "Anywhere in the world" }
            ul { (service(&helplines.anywhere)) }
            p { "If you are in immediate danger, call your local emergency number." }
        }
        @if chosen.is_none() {
            h2 { "By country" }
            @for r in &helplines.regions { (region_block(r, true)) }
        }
        p class="meta" { "These numbers were last checked on " (helplines.checked) "." }
    }
}

pub fn help(ctx: &PageCtx, helplines: &Helplines, chosen: Option<&str>) -> Markup {
    page(
        ctx,
        "Need help now?",
        html! {
            h1 { "Need help now?" }
            p class="lead" { "If you are thinking about ending your life or hurting yourself, you deserve support right now. These services are free, confidential, and there for exactly this. You can call or text." }
            (help_resources(helplines, chosen, "/help"))
            script src="/static/help.js" defer {}
        },
    )
}

use axum::http::StatusCode;
use maud::{Markup, html};

use crate::extract::PageCtx;
use crate::templates::page;

/// The page for any error status; `message` (already safe to show) explains it further.
pub fn error(ctx: &PageCtx, status: StatusCode, message: Option<&str>) -> Markup {
    let (title, default) = match status.as_u16() {
        400 => ("Something in the request was wrong", "The request could not be understood."),
        403 => ("Not allowed", "You cannot do that here."),
        404 => ("Page not found", "There is nothing at this address. It may have been moved or removed."),
        405 => ("Not allowed here", "This address does not accept that kind of request."),
        409 => ("Already there", "That already exists."),
        413 => ("Too long", "What you sent is larger than this forum accepts (64 KiB). Please shorten it."),
        415 | 422 => ("The form could not be read", "Please go back, check the form and send it again."),
        429 => (
            "Please slow down",
            "You are doing that too often. Please wait a little and try again; what you wrote is still in your browser if you go back.",
        ),
        503 => (
            "Temporarily unavailable",
            "The forum cannot reach its database just now. Please try again in a moment.",
        ),
        _ if status.is_server_error() => {
            ("Something went wrong", "Something went wrong on our side. Please try again.")
        }
        _ => ("Something went wrong", "The request could not be completed."),
    };
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (message.unwrap_or(default)) }
            p class="meta" { "Error " (status.as_u16()) }
            p { a href="/" { "Back to the support groups" } " · " a href="/help" { "Need help now?" } }
        },
    )
}

//! Pieces used by several pages.

use chrono::{NaiveDateTime, Utc};
use forum_core::sanitize::SafeHtml;
use maud::{Markup, PreEscaped, Render, html};

/// Sanitized post HTML. The only place in the site where stored HTML is emitted as it is:
/// a [`SafeHtml`] can only come from the sanitizer.
pub struct UserHtml<'a>(pub &'a SafeHtml);

impl Render for UserHtml<'_> {
    fn render(&self) -> Markup {
        PreEscaped(self.0.as_str().to_owned())
    }
}

/// A time as a `<time>` element: readable ("3 hours ago"), exact in its attribute and title.
pub struct When(pub NaiveDateTime);

impl Render for When {
    fn render(&self) -> Markup {
        let exact = self.0.format("%Y-%m-%d %H:%M UTC").to_string();
        html! {
            time datetime=(self.0.format("%Y-%m-%dT%H:%M:%SZ").to_string()) title=(exact) { (ago(self.0, Utc::now().naive_utc())) }
        }
    }
}

fn ago(then: NaiveDateTime, now: NaiveDateTime) -> String {
    let secs = (now - then).num_seconds();
    let plural = |n: i64, unit: &str| {
        if n == 1 { format!("1 {unit} ago") } else { format!("{n} {unit}s ago") }
    };
    match secs {
        i64::MIN..=59 => "just now".into(),
        60..=3599 => plural(secs / 60, "minute"),
        3600..=86_399 => plural(secs / 3600, "hour"),
        86_400..=2_591_999 => plural(secs / 86_400, "day"),
        _ => then.format("%-d %b %Y").to_string(),
    }
}

/// Error messages for one form field, tied to it by `aria-describedby`.
pub fn field_error(id: &str, error: Option<&String>) -> Markup {
    html! {
        @if let Some(message) = error {
            p class="field-error" id=(format!("{id}-error")) { (message) }
        }
    }
}

/// The `aria-describedby` / `aria-invalid` pair for a field with an error.
pub fn described_by(id: &str, error: Option<&String>) -> Option<String> {
    error.map(|_| format!("{id}-error"))
}

/// A line of text for a content warning label.
pub fn warning_label(warning: &str) -> Markup {
    html! { span class="cw" { "CW: " (warning) } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn times_read_naturally() {
        let now = Utc::now().naive_utc();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - Duration::minutes(1), now), "1 minute ago");
        assert_eq!(ago(now - Duration::hours(5), now), "5 hours ago");
        assert_eq!(ago(now - Duration::days(2), now), "2 days ago");
        assert!(ago(now - Duration::days(400), now).contains(' '));
    }

    #[test]
    fn user_html_is_only_sanitized_html() {
        let safe = forum_core::sanitize::render_markdown("<script>alert(1)</script>");
        let out = UserHtml(&safe).render().into_string();
        assert!(!out.contains("<script"), "{out}");
    }
}

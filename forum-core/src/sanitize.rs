//! Markdown to safe HTML. The only way to make a [`SafeHtml`] is [`render_markdown`] (or to
//! load the column that only it writes), so any HTML the web layer emits unescaped went through
//! here.

use std::sync::LazyLock;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// HTML that is safe to splice into a page as it is.
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct SafeHtml(String);

impl SafeHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn empty() -> Self {
        Self(String::new())
    }
}

impl<DB: Backend> ToSql<Text, DB> for SafeHtml
where
    String: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.to_sql(out)
    }
}

impl<DB: Backend> FromSql<Text, DB> for SafeHtml
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        String::from_sql(bytes).map(Self)
    }
}

/// The one HTML cleaner: a strict allow-list, no images (remote images leak readers'
/// addresses), no styles, no event handlers, links marked as user content.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(
            [
                "a",
                "blockquote",
                "br",
                "code",
                "del",
                "em",
                "h3",
                "h4",
                "h5",
                "h6",
                "hr",
                "li",
                "ol",
                "p",
                "pre",
                "strong",
                "ul",
                "table",
                "thead",
                "tbody",
                "tr",
                "th",
                "td",
            ]
            .into_iter()
            .collect(),
        )
        // Exactly these attributes (ammonia's default lists would add title, lang, align…).
        .generic_attributes(std::collections::HashSet::new())
        .tag_attributes(
            [("a", ["href"].into_iter().collect()), ("ol", ["start"].into_iter().collect())]
                .into_iter()
                .collect(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("nofollow ugc noopener noreferrer"))
        .strip_comments(true);
    builder
});

/// Renders a member's Markdown as safe HTML.
///
/// Raw HTML in the source is shown as the text it is, never interpreted: what the member typed
/// is what readers see. Headings start at `<h3>` so they never compete with the page's own.
/// `>>123` becomes a link to post 123.
pub fn render_markdown(source: &str) -> SafeHtml {
    let source = escape_leading_quote_links(source);
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    let mut events = Vec::new();
    let mut in_code = false;
    for event in Parser::new_ext(&source, options) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                let _ = (id, classes, attrs);
                events.push(Event::Start(Tag::Heading {
                    level: shift_heading(level),
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(shift_heading(level))));
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                events.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                events.push(event);
            }
            Event::Text(text) if !in_code => push_with_post_links(&mut events, text),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    SafeHtml(CLEANER.clean(&html).to_string())
}

fn shift_heading(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// A line that starts with `>>123` is a post link, not a nested quote.
fn escape_leading_quote_links(source: &str) -> std::borrow::Cow<'_, str> {
    let needs = |line: &str| {
        let rest = line.trim_start_matches(' ');
        rest.starts_with(">>") && rest[2..].starts_with(|c: char| c.is_ascii_digit())
    };
    if !source.lines().any(needs) {
        return source.into();
    }
    let mut out = String::with_capacity(source.len() + 8);
    for line in source.split_inclusive('\n') {
        if needs(line) {
            out.push('\\');
        }
        out.push_str(line);
    }
    out.into()
}

/// Splits text around `>>123` references and links each to its post.
fn push_with_post_links<'a>(events: &mut Vec<Event<'a>>, text: CowStr<'a>) {
    let mut rest: &str = &text;
    if !rest.contains(">>") {
        events.push(Event::Text(text));
        return;
    }
    let mut pieces = Vec::new();
    while let Some(at) = rest.find(">>") {
        let digits = rest[at + 2..].bytes().take_while(u8::is_ascii_digit).count().min(10);
        if digits == 0 {
            pieces.push((rest[..at + 2].to_owned(), None));
            rest = &rest[at + 2..];
            continue;
        }
        let number = &rest[at + 2..at + 2 + digits];
        pieces.push((rest[..at].to_owned(), None));
        pieces.push((format!(">>{number}"), Some(format!("/p/{number}"))));
        rest = &rest[at + 2 + digits..];
    }
    pieces.push((rest.to_owned(), None));
    for (text, link) in pieces {
        match link {
            None if text.is_empty() => {}
            None => events.push(Event::Text(text.into())),
            Some(href) => {
                events.push(Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: href.into(),
                    title: "".into(),
                    id: "".into(),
                }));
                events.push(Event::Text(text.into()));
                events.push(Event::End(TagEnd::Link));
            }
        }
    }
}

/// Plain text of a Markdown source, for titles of previews and snapshots.
pub fn excerpt(source: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(source) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
        if text.len() > max_chars * 4 + 64 {
            break;
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > max_chars {
        let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(src: &str) -> String {
        render_markdown(src).as_str().to_owned()
    }

    #[test]
    fn markdown_renders() {
        assert_eq!(html("**bold** and *it*"), "<p><strong>bold</strong> and <em>it</em></p>\n");
        assert!(html("# Title").contains("<h3>Title</h3>"));
        assert!(html("- a\n- b").contains("<li>a</li>"));
        assert!(html("~~gone~~").contains("<del>gone</del>"));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = html("<script>alert(1)</script> and <b>hi</b> I <3 you");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<b>"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
        assert!(out.contains("I &lt;3 you"), "{out}");
        let block = html("<div onclick=\"x()\">\n\nhello");
        assert!(block.contains("&lt;div onclick="), "{block}");
        assert!(!block.contains("<div"), "{block}");
    }

    #[test]
    fn links_are_safe_and_marked() {
        let out = html("[x](javascript:alert(1)) [y](https://example.org/) [z](data:text/html,hi)");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(!out.contains("data:"), "{out}");
        assert!(
            out.contains(r#"<a href="https://example.org/" rel="nofollow ugc noopener noreferrer">y</a>"#),
            "{out}"
        );
    }

    #[test]
    fn only_listed_attributes_survive() {
        let out = html("[x](https://example.org/ \"a title\")");
        assert!(!out.contains("title="), "{out}");
        assert!(out.contains(r#"href="https://example.org/""#), "{out}");
        assert!(html("3. three\n4. four").contains(r#"<ol start="3">"#));
    }

    #[test]
    fn images_are_dropped() {
        let out = html("![alt](https://tracker.example/p.png)");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("tracker.example"), "{out}");
    }

    #[test]
    fn post_references_link() {
        let out = html(">>12 I agree, and see >>345.\n\n> quoted");
        assert!(
            out.contains(r#"<a href="/p/12" rel="nofollow ugc noopener noreferrer">&gt;&gt;12</a> I agree"#),
            "{out}"
        );
        assert!(out.contains(r#"<a href="/p/345""#), "{out}");
        assert!(out.contains("<blockquote>"), "{out}");
        assert!(html("`>>12`").contains("<code>&gt;&gt;12</code>"));
        assert!(html("a >> b").contains("a &gt;&gt; b"));
    }

    #[test]
    fn cleaning_is_idempotent_on_output() {
        for src in
            ["**a** <i>b</i>", "[x](https://e.org)", "1. one\n2. two", "| a | b |\n|---|---|\n| 1 | 2 |"]
        {
            let once = html(src);
            assert_eq!(CLEANER.clean(&once).to_string(), once, "{src}");
        }
    }

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(excerpt("**Hello** world", 50), "Hello world");
        assert_eq!(excerpt("abcdefghij", 5), "abcd…");
    }
}

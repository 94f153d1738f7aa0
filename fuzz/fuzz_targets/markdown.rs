//! Markdown to safe HTML: whatever a member types, `render_markdown` never panics and its
//! output has no forbidden construct, only allowed tags and attributes, marked and safe
//! links, and is a fixed point of cleaning by the same contract.
#![no_main]

use std::sync::LazyLock;

use forum_core::sanitize::render_markdown;
use libfuzzer_sys::fuzz_target;

/// The safe-HTML contract (written here on its own, not copied from `sanitize.rs`).
const ALLOWED_TAGS: &[&str] = &[
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
];
const LINK_REL: &str = "nofollow ugc noopener noreferrer";
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];
const FORBIDDEN: &[&str] = &[
    "<script", "<iframe", "<img", "<style", "<svg", "<object", "<embed", "<math", "<base", "<form", "<input",
    "<link", "<meta", "<frame", "<video", "<audio", "<source", "<!--", "<![cdata", "<?",
];

static CONTRACT_CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    // `Builder::empty()` only empties the tag list: attribute lists are set explicitly.
    b.tags(ALLOWED_TAGS.iter().copied().collect())
        .generic_attributes(std::collections::HashSet::new())
        .tag_attributes([("a", ["href", "title"].into()), ("ol", ["start"].into())].into())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some(LINK_REL))
        .strip_comments(true);
    b
});

fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let semi = rest.find(';').unwrap_or(0);
        let entity = if semi > 0 { &rest[1..semi] } else { "" };
        let c = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_href(href: &str) {
    let url: String = decode(href).chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let url = url.trim_start_matches(|c: char| c <= ' ').to_ascii_lowercase();
    for bad in ["javascript:", "data:", "vbscript:"] {
        assert!(!url.starts_with(bad), "href {href:?}");
    }
    if let Some(colon) = url.find(':') {
        let scheme = &url[..colon];
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            assert!(URL_SCHEMES.contains(&scheme), "href scheme {scheme:?} in {href:?}");
        }
    }
}

fn check(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in FORBIDDEN {
        assert!(!lower.contains(bad), "{bad} in {html:?}");
    }
    let mut depth: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        assert!(!rest[..lt].contains('>'), "unescaped > in text of {html:?}");
        let gt = rest[lt..].find('>').expect("tag ends") + lt;
        let inner = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = inner.strip_prefix('/') {
            assert_eq!(depth.pop(), Some(name), "unbalanced </{name}> in {html:?}");
            continue;
        }
        let (name, mut attrs) = inner.split_once(' ').unwrap_or((inner, ""));
        assert!(ALLOWED_TAGS.contains(&name), "tag <{name}> in {html:?}");
        let mut rel = None;
        while !attrs.is_empty() {
            let (attr, after) = attrs.split_once("=\"").expect("attribute");
            let (value, after) = after.split_once('"').expect("attribute value");
            attrs = after.strip_prefix(' ').unwrap_or(after);
            assert!(
                matches!((name, attr), ("a", "href" | "rel" | "title") | ("ol", "start")),
                "attribute {attr}={value:?} on <{name}> in {html:?}"
            );
            if attr == "href" {
                check_href(value);
            }
            if attr == "rel" {
                rel = Some(value);
            }
        }
        if name == "a" {
            assert_eq!(rel, Some(LINK_REL), "link without rel in {html:?}");
        }
        if name != "br" && name != "hr" {
            depth.push(name);
        }
    }
    assert!(!rest.contains('>'), "unescaped > in text of {html:?}");
    assert!(depth.is_empty(), "unclosed {depth:?} in {html:?}");
    assert_eq!(CONTRACT_CLEANER.clean(html).to_string(), html, "cleaning again changes {html:?}");
}

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let html = render_markdown(&source);
    check(html.as_str());
});

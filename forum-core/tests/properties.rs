//! Property tests for the two things in forum-core that protect members by construction:
//!
//! * the Markdown-to-safe-HTML renderer: whatever a member types, the HTML it emits never
//!   carries a script, an image, a style, an event handler or a dangerous link, and is a
//!   fixed point of cleaning (cleaning it again changes nothing);
//! * per-thread pseudonyms: stable for one (poster, thread), drawn from the word lists, and
//!   unlinkable across threads and server keys.
//!
//! Inputs mix HTML fragments, Markdown syntax, entities, unicode and control characters, and
//! the XSS payload lists in `../shared/data/xss/` when they are there (the lists are never
//! copied into the project; without them that part is skipped with a note).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use forum_core::ids::{PosterId, ThreadId};
use forum_core::pseudonym::{self, derive};
use forum_core::sanitize::render_markdown;
use forum_core::secrets::Secrets;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::Config;

/// Proptest settings: `PROPTEST_CASES` overrides the number of cases; failures are reported
/// with their minimal input, not written to a regressions file next to this one.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ------------------------------------------------------------------------------------------
// The safe-HTML contract
// ------------------------------------------------------------------------------------------

/// Tags the rendered HTML may contain: the security contract, written down here on its own
/// (not copied from `sanitize.rs`), so that widening the allow-list fails this test on purpose.
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
const VOID_TAGS: &[&str] = &["br", "hr"];
const LINK_REL: &str = "nofollow ugc noopener noreferrer";
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Substrings that must never appear in the rendered HTML (compared case-insensitively).
const FORBIDDEN: &[&str] = &[
    "<script", "<iframe", "<img", "<style", "<svg", "<object", "<embed", "<math", "<base", "<form", "<input",
    "<link", "<meta", "<frame", "<video", "<audio", "<source", "<!--", "<![cdata", "<?",
];

/// Decodes the few character references an HTML serializer writes in attribute values, and
/// any numeric one.
fn decode_attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
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

/// The scheme a browser would see in `href`: tabs and newlines are ignored anywhere, leading
/// control characters and spaces are stripped, case does not matter.
fn href_scheme(href: &str) -> Option<String> {
    let url: String = decode_attr(href)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    let colon = url.find(':')?;
    let before = &url[..colon];
    let is_scheme = before.starts_with(|c: char| c.is_ascii_alphabetic())
        && before.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return None; // a relative reference with a colon later on ("a/b:c", "x%20y:z")
    }
    Some(before.to_owned())
}

/// Checks one tag's attributes; `attrs` are (name, raw value) pairs.
fn check_attrs(tag: &str, attrs: &[(String, String)]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for (name, value) in attrs {
        if !seen.insert(name.as_str()) {
            return Err(format!("<{tag}> repeats attribute {name}"));
        }
        if name.starts_with("on") || name == "style" || name == "src" || name == "srcdoc" {
            return Err(format!("<{tag}> has a forbidden attribute {name}={value:?}"));
        }
        // `a[title]` comes from Markdown link titles (`[x](https://e.org "title")`): plain text,
        // let through because ammonia's `Builder::empty()` keeps its default attribute lists.
        let allowed = matches!((tag, name.as_str()), ("a", "href" | "rel" | "title") | ("ol", "start"));
        if !allowed {
            return Err(format!("<{tag}> has an attribute outside the allow-list: {name}={value:?}"));
        }
        if name == "href" {
            let decoded = decode_attr(value).to_ascii_lowercase();
            for bad in ["javascript:", "data:", "vbscript:"] {
                if decoded.replace(['\t', '\n', '\r'], "").trim_start().starts_with(bad) {
                    return Err(format!("href with {bad} {value:?}"));
                }
            }
            if let Some(scheme) = href_scheme(value) {
                if !URL_SCHEMES.contains(&scheme.as_str()) {
                    return Err(format!("href with scheme {scheme:?}: {value:?}"));
                }
            }
        }
    }
    if tag == "a" {
        match attrs.iter().find(|(n, _)| n == "rel") {
            Some((_, rel)) if rel == LINK_REL => {}
            other => return Err(format!("<a> without rel=\"{LINK_REL}\": {other:?}")),
        }
    }
    Ok(())
}

/// Parses the renderer's output as the strict serialized form an HTML5 serializer writes
/// (lower-case tags, double-quoted attributes, `<`, `>` and `&` escaped in text) and checks
/// the contract: only allowed tags and attributes, balanced, links marked and safe, text
/// escaped. Returns the output re-serialized from the parse, which must equal the input.
fn check_safe_html(html: &str) -> Result<String, String> {
    let lower = html.to_ascii_lowercase();
    for bad in FORBIDDEN {
        if lower.contains(bad) {
            return Err(format!("contains {bad}"));
        }
    }
    let mut out = String::with_capacity(html.len());
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let text_len = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..text_len];
        if text.contains('>') {
            return Err(format!("unescaped > in text {text:?}"));
        }
        for (at, _) in text.match_indices('&') {
            let entity = &text[at..];
            if !["&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;"].iter().any(|e| entity.starts_with(e)) {
                return Err(format!("bare & in text {text:?}"));
            }
        }
        out.push_str(text);
        rest = &rest[text_len..];
        if rest.is_empty() {
            break;
        }
        // A tag.
        let close = rest.find('>').ok_or_else(|| format!("unterminated tag {rest:?}"))?;
        // Attribute values may hold '>' only escaped, so the first '>' ends the tag; check it.
        let inner = &rest[1..close];
        rest = &rest[close + 1..];
        let (is_end, inner) = match inner.strip_prefix('/') {
            Some(i) => (true, i),
            None => (false, inner),
        };
        let name_len = inner.find(' ').unwrap_or(inner.len());
        let name = &inner[..name_len];
        if !ALLOWED_TAGS.contains(&name) {
            return Err(format!("tag outside the allow-list: <{}{name}>", if is_end { "/" } else { "" }));
        }
        let mut attrs = Vec::new();
        let mut a = &inner[name_len..];
        while let Some(stripped) = a.strip_prefix(' ') {
            let eq = stripped.find("=\"").ok_or_else(|| format!("malformed attribute in <{inner}>"))?;
            let attr_name = &stripped[..eq];
            if attr_name.is_empty() || !attr_name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                return Err(format!("odd attribute name {attr_name:?} in <{inner}>"));
            }
            let value_and_rest = &stripped[eq + 2..];
            let q = value_and_rest.find('"').ok_or_else(|| format!("unterminated value in <{inner}>"))?;
            attrs.push((attr_name.to_owned(), value_and_rest[..q].to_owned()));
            a = &value_and_rest[q + 1..];
        }
        if !a.is_empty() {
            return Err(format!("trailing junk in tag <{inner}>"));
        }
        if is_end {
            if !attrs.is_empty() {
                return Err(format!("end tag with attributes </{inner}>"));
            }
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            out.push_str(&format!("</{name}>"));
        } else {
            check_attrs(name, &attrs)?;
            if name == "a" && stack.iter().any(|t| t == "a") {
                return Err("nested <a>".into());
            }
            if !VOID_TAGS.contains(&name) {
                stack.push(name.to_owned());
            }
            out.push('<');
            out.push_str(name);
            for (n, v) in &attrs {
                out.push_str(&format!(" {n}=\"{v}\""));
            }
            out.push('>');
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed tags {stack:?}"));
    }
    Ok(out)
}

/// An ammonia cleaner built from the contract above (not from `sanitize.rs`): output that
/// meets the contract is a fixed point of it. ammonia re-parses with html5ever exactly as a
/// browser would, so this also catches output that means something else once parsed again.
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

/// Renders `source` and checks every invariant; the error names the input.
fn check_render(source: &str) -> Result<(), String> {
    let html = render_markdown(source);
    let html = html.as_str();
    let reserialized =
        check_safe_html(html).map_err(|e| format!("{e}\ninput: {source:?}\noutput: {html:?}"))?;
    if reserialized != html {
        return Err(format!("not in canonical form\ninput: {source:?}\noutput: {html:?}"));
    }
    let again = CONTRACT_CLEANER.clean(html).to_string();
    if again != html {
        return Err(format!(
            "cleaning the output again changed it\ninput: {source:?}\noutput: {html:?}\nagain:  {again:?}"
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Input generators
// ------------------------------------------------------------------------------------------

const HTML_FRAGMENTS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert(1);\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<style>*{background:url(x)}</style>",
    "<object data=\"x.swf\"></object>",
    "<embed src=\"x.swf\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=x onclick=alert(1)>x</a>",
    "<a href='https://e.org' style='x'>",
    "<p style=\"color:red\" onmouseover=\"x()\">",
    "<div onclick=\"x()\">",
    "<details open ontoggle=alert(1)>",
    "<base href=\"//evil.example/\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<!-- comment -->",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>x</script>]]>",
    "<?xml version=\"1.0\"?>",
    "</p>",
    "</a>",
    "<p>",
    "<b>",
    "<table><tr><td>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<textarea></textarea><script>x</script>",
    "<a href=\"https://e.org\">",
    "\"><script>alert(1)</script>",
    "'><img src=x>",
    "<",
    ">",
    "</",
    "<a",
    "=\"",
];

const MARKDOWN_FRAGMENTS: &[&str] = &[
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox(1))",
    "[x](https://example.org/ \"title\")",
    "[x](https://example.org/?a=1&b=\"2\")",
    "[x](//evil.example/)",
    "[x](/p/12)",
    "[x](mailto:a@b.example)",
    "[x](ftp://e.org)",
    "[x][ref]\n\n[ref]: javascript:alert(1)\n",
    "[ref]\n\n[ref]: https://e.org \"t\"\n",
    "<javascript:alert(1)>",
    "<https://example.org/>",
    "<mailto:a@b.example>",
    "![alt](https://tracker.example/p.png)",
    "![x](javascript:alert(1))",
    "[![i](x.png)](https://e.org)",
    "[a [nested](https://e.org)](https://f.org)",
    "```\n<script>alert(1)</script>\n```\n",
    "```html\n<img src=x>\n```",
    "~~~\nfenced\n",
    "`<b>code</b>`",
    "``a`b``",
    "    indented <i>code</i>\n",
    "# heading <script>",
    "###### six\n",
    "####### seven\n",
    "title\n===\n",
    "> quote <img src=x>\n",
    ">>123",
    "  >>45 agreed",
    ">>>",
    ">> 9",
    "- item\n- item2\n",
    "1. one\n2. two\n",
    "7. seven\n",
    "99999999999. big\n",
    "* [ ] task\n",
    "| a | b |\n|---|---|\n| <i>x</i> | [y](javascript:z) |\n",
    "|---|\n",
    "~~gone~~",
    "**bold**",
    "*em*",
    "_u_",
    "***",
    "---\n",
    "\\*",
    "\\<script>",
    "  \n",
    "\n\n",
    "\n",
    " ",
    "[",
    "](",
    ")",
    "*",
    "`",
    "|",
    "#",
];

const ENTITY_FRAGMENTS: &[&str] = &[
    "&lt;script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "&amp;",
    "&amp;lt;",
    "&nbsp;",
    "&quot;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;",
    "&colon;",
    "&NewLine;",
    "&Tab;",
    "&unknown;",
    "&",
    "&#",
    "&#x",
];

const UNICODE_FRAGMENTS: &[&str] = &[
    "\u{202E}gnp.exe",
    "\u{200B}",
    "\u{200D}",
    "\u{FEFF}",
    "\u{00A0}",
    "\u{2028}",
    "\u{2029}",
    "e\u{0301}\u{0301}\u{0301}",
    "👩‍👩‍👧‍👦",
    "🔪💊",
    "עברית",
    "العربية",
    "日本語",
    "ｊａｖａｓｃｒｉｐｔ：",
    "\u{FF1C}script\u{FF1E}",
    "\u{FE64}script\u{FE65}",
    "İ",
    "ß",
    "\u{FDFA}",
];

const CONTROL_FRAGMENTS: &[&str] =
    &["\0", "\u{1}", "\u{7}", "\u{8}", "\u{b}", "\u{c}", "\r", "\r\n", "\t", "\u{7f}", "\u{85}", "\u{9b}"];

/// Lines of a shared data file, or nothing (with a note) when it is not there.
fn shared_lines(relative: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        Err(e) => {
            eprintln!("note: {} not readable ({e}); skipping the inputs from it", path.display());
            Vec::new()
        }
    }
}

static XSS_PAYLOADS: LazyLock<Vec<String>> =
    LazyLock::new(|| shared_lines("xss/payloadbox-xss-payload-list.txt"));

/// The `payload` fields of the OWASP cheat-sheet blocks (one JSON object a line).
static OWASP_PAYLOADS: LazyLock<Vec<String>> = LazyLock::new(|| {
    shared_lines("xss/owasp-xss-filter-evasion.jsonl")
        .iter()
        .filter_map(|line| {
            // Minimal extraction of the last string field, "payload": "...", with escapes.
            let at = line.find("\"payload\": \"")? + "\"payload\": \"".len();
            let mut out = String::new();
            let mut chars = line[at..].chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => return Some(out),
                    '\\' => match chars.next()? {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'u' => {
                            let hex: String = chars.by_ref().take(4).collect();
                            out.push(
                                u32::from_str_radix(&hex, 16)
                                    .ok()
                                    .and_then(char::from_u32)
                                    .unwrap_or('\u{fffd}'),
                            );
                        }
                        other => out.push(other),
                    },
                    c => out.push(c),
                }
            }
            None
        })
        .collect()
});

fn select(list: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(list).prop_map(str::to_owned).boxed()
}

/// One piece of member input.
fn fragment() -> BoxedStrategy<String> {
    let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![
        (6, select(HTML_FRAGMENTS)),
        (8, select(MARKDOWN_FRAGMENTS)),
        (3, select(ENTITY_FRAGMENTS)),
        (3, select(UNICODE_FRAGMENTS)),
        (2, select(CONTROL_FRAGMENTS)),
        (4, "[a-zA-Z0-9 ]{1,12}".boxed()),
        (3, any::<char>().prop_map(String::from).boxed()),
        (2, "\\PC{0,16}".boxed()),
        (2, ".{0,8}".boxed()),
    ];
    if !XSS_PAYLOADS.is_empty() {
        arms.push((6, prop::sample::select(XSS_PAYLOADS.as_slice()).boxed()));
    }
    if !OWASP_PAYLOADS.is_empty() {
        arms.push((2, prop::sample::select(OWASP_PAYLOADS.as_slice()).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// A post body: up to 16 pieces run together.
fn member_input() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..16).prop_map(|v| v.concat())
}

// ------------------------------------------------------------------------------------------
// Sanitizer properties
// ------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(1024))]

    /// Whatever a member types, the HTML has no forbidden construct, every link is marked
    /// and safe, and the output is a fixed point of cleaning.
    #[test]
    fn rendered_html_is_safe_and_a_fixed_point(source in member_input()) {
        if let Err(e) = check_render(&source) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Arbitrary text, not shaped like HTML or Markdown at all.
    #[test]
    fn rendered_html_of_arbitrary_text_is_safe(source in any::<String>()) {
        if let Err(e) = check_render(&source) {
            prop_assert!(false, "{}", e);
        }
    }

    /// The same source always gives the same HTML.
    #[test]
    fn rendering_is_deterministic(source in member_input()) {
        prop_assert_eq!(render_markdown(&source), render_markdown(&source));
    }
}

/// Every XSS payload of the shared lists, on its own and in the Markdown places a URL or
/// raw HTML can go.
#[test]
fn every_shared_xss_payload_renders_safely() {
    if XSS_PAYLOADS.is_empty() && OWASP_PAYLOADS.is_empty() {
        eprintln!("note: no shared XSS payload list found; nothing to check here");
        return;
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for payload in XSS_PAYLOADS.iter().chain(OWASP_PAYLOADS.iter()) {
        for source in [
            payload.clone(),
            format!("[x]({payload})"),
            format!("[x](<{payload}>)"),
            format!("<{payload}>"),
            format!("| a |\n|---|\n| {payload} |\n"),
            format!("> {payload}\n\n- {payload}\n"),
        ] {
            checked += 1;
            if let Err(e) = check_render(&source) {
                failures.push(e);
            }
        }
    }
    eprintln!("checked {checked} renderings of {} payloads", XSS_PAYLOADS.len() + OWASP_PAYLOADS.len());
    assert!(failures.is_empty(), "{} failures, first: {}", failures.len(), failures[0]);
}

/// The checker itself rejects what it must (so a green run means something).
#[test]
fn the_checker_catches_unsafe_html() {
    let bad = [
        "<script>x</script>",
        "<p onclick=\"x\">a</p>",
        "<p style=\"x\">a</p>",
        "<a href=\"javascript:x\" rel=\"nofollow ugc noopener noreferrer\">a</a>",
        "<a href=\" &#106;avascript:x\" rel=\"nofollow ugc noopener noreferrer\">a</a>",
        "<a href=\"data:text/html,x\" rel=\"nofollow ugc noopener noreferrer\">a</a>",
        "<a href=\"VBScript:x\" rel=\"nofollow ugc noopener noreferrer\">a</a>",
        "<a href=\"https://e.org\">no rel</a>",
        "<a href=\"https://e.org\" rel=\"nofollow\">weak rel</a>",
        "<img src=\"x\">",
        "<p>unclosed",
        "<p>a</em>",
        "a > b",
        "a & b",
        "<!-- x -->",
        "<div>a</div>",
    ];
    for html in bad {
        assert!(check_safe_html(html).is_err(), "accepted {html:?}");
    }
    let good = "<p><a href=\"https://e.org/?a=1&amp;b=2\" rel=\"nofollow ugc noopener noreferrer\">x</a> \
                &lt;b&gt; &amp; <code>y</code></p>\n<ol start=\"3\">\n<li>z</li>\n</ol>\n<hr>\n";
    assert_eq!(check_safe_html(good).as_deref(), Ok(good));
}

// ------------------------------------------------------------------------------------------
// Pseudonym properties
// ------------------------------------------------------------------------------------------

/// The word lists, read from the source of `pseudonym.rs` (they are private there).
static WORDS: LazyLock<(Vec<&'static str>, Vec<&'static str>)> = LazyLock::new(|| {
    const SOURCE: &str = include_str!("../src/pseudonym.rs");
    let list = |name: &str| -> Vec<&'static str> {
        let start = SOURCE.find(&format!("const {name}: &[&str] = &[")).expect("word list in pseudonym.rs");
        let body = &SOURCE[start..];
        let body = &body[body.find('[').unwrap() + 1..];
        let body = &body[body.find('[').unwrap() + 1..body.find("];").unwrap()];
        body.split('"').skip(1).step_by(2).collect()
    };
    let words = (list("ADJECTIVES"), list("NOUNS"));
    assert_eq!(words.0.len() * words.1.len(), pseudonym::name_space(), "word lists read from the source");
    words
});

fn split_name(name: &str) -> (usize, usize) {
    let (adjective, noun) = name.split_once(' ').unwrap_or_else(|| panic!("two words: {name:?}"));
    let a = WORDS.0.iter().position(|w| *w == adjective).unwrap_or_else(|| panic!("adjective {adjective:?}"));
    let n = WORDS.1.iter().position(|w| *w == noun).unwrap_or_else(|| panic!("noun {noun:?}"));
    (a, n)
}

/// A small deterministic generator (splitmix64) for the statistical tests, so that they
/// give the same answer on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn id(&mut self) -> i32 {
        // Real ids are positive and mostly small; mix both.
        if self.next() % 2 == 0 { (self.next() % 10_000) as i32 + 1 } else { self.next() as i32 }
    }
}

/// Pearson's chi-square statistic of `counts` against a uniform distribution.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / counts.len() as f64;
    counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
}

/// An upper bound for chi-square with `dof` degrees of freedom that a uniform sample exceeds
/// with probability well below one in a million (mean `dof`, standard deviation
/// `sqrt(2 dof)`, plus a wide margin).
fn chi_square_bound(dof: usize) -> f64 {
    dof as f64 + 7.0 * (2.0 * dof as f64).sqrt()
}

/// A count of `n` trials with success probability `p` is within this many of `n p`
/// (eight standard deviations, plus slack for tiny expectations).
fn binomial_slack(n: u64, p: f64) -> f64 {
    8.0 * (n as f64 * p * (1.0 - p)).sqrt() + 3.0
}

proptest! {
    #![proptest_config(config(512))]

    /// Same key, poster, thread and attempt: same name, two words from the lists.
    #[test]
    fn pseudonym_is_stable_and_from_the_word_lists(
        key in any::<[u8; 32]>(),
        poster in any::<i32>(),
        thread in any::<i32>(),
        attempt in 0u32..8,
    ) {
        let s = Secrets::from_bytes(key);
        let name = derive(&s, PosterId(poster), ThreadId(thread), attempt);
        prop_assert_eq!(&name, &derive(&s, PosterId(poster), ThreadId(thread), attempt));
        prop_assert_eq!(&name, &derive(&Secrets::from_bytes(key), PosterId(poster), ThreadId(thread), attempt));
        prop_assert_eq!(name.split(' ').count(), 2);
        let _ = split_name(&name);
    }
}

/// Over many (poster, thread) pairs the adjectives and the nouns are each close to uniform,
/// and no full name comes up much more often than chance allows.
#[test]
fn pseudonyms_are_near_uniform() {
    let (adjectives, nouns) = (&WORDS.0, &WORDS.1);
    for seed in [1u64, 2] {
        let mut rng = SplitMix(seed);
        let mut key = [0u8; 32];
        key.iter_mut().for_each(|b| *b = rng.next() as u8);
        let s = Secrets::from_bytes(key);
        let n = 40 * adjectives.len().max(nouns.len()) as u64;
        let mut adj_counts = vec![0u64; adjectives.len()];
        let mut noun_counts = vec![0u64; nouns.len()];
        let mut names: HashMap<String, u32> = HashMap::new();
        for i in 0..n {
            // Half sequential ids (as the database hands them out), half random.
            let (poster, thread) = if i % 2 == 0 {
                (PosterId((i / 64) as i32 + 1), ThreadId((i % 64) as i32 + 1))
            } else {
                (PosterId(rng.id()), ThreadId(rng.id()))
            };
            let name = derive(&s, poster, thread, 0);
            let (a, w) = split_name(&name);
            adj_counts[a] += 1;
            noun_counts[w] += 1;
            *names.entry(name).or_default() += 1;
        }
        let (chi_a, chi_n) = (chi_square(&adj_counts), chi_square(&noun_counts));
        eprintln!(
            "seed {seed}: {n} names, chi-square adjectives {chi_a:.1} (dof {}), nouns {chi_n:.1} (dof {})",
            adjectives.len() - 1,
            nouns.len() - 1
        );
        assert!(chi_a < chi_square_bound(adjectives.len() - 1), "adjectives not uniform: {chi_a}");
        assert!(chi_n < chi_square_bound(nouns.len() - 1), "nouns not uniform: {chi_n}");
        // n names into name_space() bins: the fullest bin holds a handful at most.
        let max = names.values().max().copied().unwrap_or(0);
        let expected = n as f64 / pseudonym::name_space() as f64;
        assert!((max as f64) < 4.0 * expected + 10.0, "a name came up {max} times (expected {expected:.2})");
    }
}

/// Knowing a poster's name in one thread says nothing about their name in another, nor about
/// the name under another server key: matches happen only as often as for two different
/// posters, that is about `1/len` per word and `1/name_space` per name.
#[test]
fn pseudonyms_are_unlinkable_across_threads_and_keys() {
    let mut rng = SplitMix(7);
    let s1 = Secrets::from_bytes([0x5a; 32]);
    let s2 = Secrets::from_bytes([0x5b; 32]);
    let n: u64 = 20_000;
    let (p_adj, p_noun) = (1.0 / WORDS.0.len() as f64, 1.0 / WORDS.1.len() as f64);
    let p_name = 1.0 / pseudonym::name_space() as f64;

    // [same poster other thread, other poster other thread, same poster other key]
    let mut adj = [0u64; 3];
    let mut noun = [0u64; 3];
    let mut name = [0u64; 3];
    for i in 0..n {
        let a = PosterId(rng.id());
        let mut b = PosterId(rng.id());
        if b == a {
            b = PosterId(a.0.wrapping_add(1));
        }
        let t1 = ThreadId(rng.id());
        // Neighbouring threads half of the time: ids are handed out in order.
        let t2 = if i % 2 == 0 { ThreadId(t1.0.wrapping_add(1)) } else { ThreadId(rng.id()) };
        if t1 == t2 {
            continue;
        }
        let known = derive(&s1, a, t1, 0);
        let k = split_name(&known);
        for (slot, other) in
            [derive(&s1, a, t2, 0), derive(&s1, b, t2, 0), derive(&s2, a, t1, 0)].into_iter().enumerate()
        {
            let o = split_name(&other);
            adj[slot] += u64::from(o.0 == k.0);
            noun[slot] += u64::from(o.1 == k.1);
            name[slot] += u64::from(other == known);
        }
    }
    eprintln!("over {n} samples: adjective matches {adj:?}, noun matches {noun:?}, name matches {name:?}");
    eprintln!(
        "chance: {:.1} adjective, {:.1} noun, {:.2} name matches",
        n as f64 * p_adj,
        n as f64 * p_noun,
        n as f64 * p_name
    );
    for slot in 0..3 {
        let what =
            ["same poster, other thread", "other poster, other thread", "same poster, other key"][slot];
        assert!(
            (adj[slot] as f64 - n as f64 * p_adj).abs() < binomial_slack(n, p_adj),
            "{what}: {} adjective matches, chance gives {:.1}",
            adj[slot],
            n as f64 * p_adj
        );
        assert!(
            (noun[slot] as f64 - n as f64 * p_noun).abs() < binomial_slack(n, p_noun),
            "{what}: {} noun matches, chance gives {:.1}",
            noun[slot],
            n as f64 * p_noun
        );
        assert!(
            (name[slot] as f64) < n as f64 * p_name + binomial_slack(n, p_name),
            "{what}: {} name matches, chance gives {:.2}",
            name[slot],
            n as f64 * p_name
        );
    }
    // Knowing the name in thread 1 predicts thread 2 no better than guessing another poster's.
    assert!(adj[0].abs_diff(adj[1]) as f64 <= 2.0 * binomial_slack(n, p_adj));
}

/// Later attempts (used when a name is taken in the thread) are fresh draws, not the same
/// name again.
#[test]
fn retry_attempts_give_fresh_names() {
    let s = Secrets::from_bytes([9; 32]);
    let mut same = 0;
    for t in 0..2_000 {
        let first = derive(&s, PosterId(3), ThreadId(t), 0);
        let names: HashSet<String> = (0..4).map(|k| derive(&s, PosterId(3), ThreadId(t), k)).collect();
        same += 4 - names.len();
        assert_eq!(first, derive(&s, PosterId(3), ThreadId(t), 0));
    }
    // 2000 x 6 pairs at 1/name_space each: a collision or two at most.
    assert!(same <= 3, "{same} repeated names among retry attempts");
}

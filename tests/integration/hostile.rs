//! Hostile input from the shared lists (payloadbox XSS list, OWASP filter-evasion vectors).
//! These lists live outside the repository; without them the test says so and returns, and
//! `protection::markup_in_titles_warnings_and_bodies_renders_inert` covers the same ground.

use std::path::PathBuf;

use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};

fn shared(path: &str) -> Option<String> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(path);
    std::fs::read_to_string(&file).ok()
}

/// Every XSS payload in the shared lists, or None when the lists are not present.
pub fn xss_payloads() -> Option<Vec<String>> {
    let list = shared("xss/payloadbox-xss-payload-list.txt")?;
    let owasp = shared("xss/owasp-xss-filter-evasion.jsonl")?;
    let mut payloads: Vec<String> =
        list.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect();
    for line in owasp.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).expect("the OWASP list is JSON lines");
        if let Some(p) = value["payload"].as_str() {
            payloads.push(p.to_owned());
        }
    }
    Some(payloads)
}

fn first_chars(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

engine_tests! {
    async fn every_shared_xss_payload_renders_inert(engine) {
        let Some(payloads) = xss_payloads() else {
            eprintln!("skipped: ../shared/data/xss is not present");
            return;
        };
        assert!(payloads.len() > 6000, "{}", payloads.len());
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let first = member.submit("/b/b/new", "/b/b/new", &[("title", "start"), ("body", "start")]).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        let token = member.get("/b/b/new").await.csrf().unwrap();
        let mut failures = Vec::new();
        for payload in &payloads {
            let title = first_chars(payload, 150);
            let warning = first_chars(payload, 100);
            let sent = member
                .post_form("/b/b/new", &[("csrf", &token), ("title", &title), ("content_warning", &warning), ("body", payload)])
                .await;
            let page = if sent.status == StatusCode::SEE_OTHER { member.follow(&sent).await } else { sent };
            assert!(page.status.as_u16() < 500, "{payload}: {}", page.status);
            let found = page.executable_content();
            if !found.is_empty() {
                failures.push(format!("{payload:?}: {found:?}"));
            }
        }
        assert!(failures.is_empty(), "{} pages with executable content:\n{}", failures.len(), failures.join("\n"));
        for path in ["/b/b", "/", "/me"] {
            let page = member.get(path).await;
            assert_eq!(page.executable_content(), Vec::<String>::new(), "{path}");
        }
    }
}

/// The Big List of Naughty Strings, when present.
fn naughty_strings() -> Option<Vec<String>> {
    let text = shared("naughty/blns.json")?;
    let list: Vec<String> = serde_json::from_str(&text).expect("blns.json is a JSON list of strings");
    Some(list)
}

/// The page a post's redirect leads to: the thread (from the support page, via the permalink).
async fn thread_after(
    member: &forum_tests::Client<'_>,
    sent: &forum_tests::TestResponse,
) -> forum_tests::TestResponse {
    let location = sent.location().expect("a redirect").to_owned();
    let location = match location.strip_suffix("/support") {
        Some(post) => member.get(post).await.location().expect("a permalink").to_owned(),
        None => location,
    };
    member.get(location.split('#').next().unwrap_or_default()).await
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

engine_tests! {
    async fn naughty_strings_read_as_typed(engine) {
        let Some(strings) = naughty_strings() else {
            eprintln!("skipped: ../shared/data/naughty is not present");
            return;
        };
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        member.submit("/b/b/new", "/b/b/new", &[("title", "start"), ("body", "start")]).await;
        let token = member.get("/b/b/new").await.csrf().unwrap();
        let mut checked = 0;
        for s in &strings {
            let typed = forum_core::models::limits::clean_text(s);
            let title: String = typed.trim().chars().take(150).collect();
            let title = title.trim().to_owned();
            let body = if typed.trim().is_empty() { "x".to_owned() } else { typed.clone() };
            let sent = member.post_form("/b/b/new", &[("csrf", &token), ("title", &title), ("content_warning", ""), ("body", &body)]).await;
            assert!(sent.status.as_u16() < 500, "{s:?}: {}", sent.status);
            if title.is_empty() {
                assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY, "{s:?}");
                continue;
            }
            assert_eq!(sent.status, StatusCode::SEE_OTHER, "{s:?}: {}", sent.text);
            let page = thread_after(&member, &sent).await;
            assert_eq!(page.status, StatusCode::OK, "{s:?}");
            assert_eq!(page.select_text("h1"), std::slice::from_ref(&title), "the title reads as typed: {s:?}");
            assert_eq!(page.executable_content(), Vec::<String>::new(), "{s:?}");
            checked += 1;
        }
        assert!(checked > 400, "{checked}");
    }

    async fn hostile_text_in_notes_descriptions_and_queries(engine) {
        let Some(payloads) = xss_payloads() else {
            eprintln!("skipped: ../shared/data/xss is not present");
            return;
        };
        // Every OWASP vector and a spread of the payloadbox list.
        let chosen: Vec<&String> = payloads.iter().rev().take(110).chain(payloads.iter().step_by(20)).collect();
        let app = TestApp::new(engine).await;
        let board = app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "a thread"), ("body", "a post")]).await;
        let post = sent.location().unwrap().rsplit("#p").next().unwrap().to_owned();
        let admin = app.moderator_client("river", true).await;
        let reporter = app.client();
        let report_token = reporter.get(&format!("/p/{post}/report")).await.csrf().unwrap();
        let post_token = member.get("/b/b/new").await.csrf().unwrap();
        for (i, payload) in chosen.iter().enumerate() {
            // Each note goes to a post of its own, so that every one is stored and shown.
            let target = if i < 60 {
                let sent = member.post_form("/b/b/new", &[("csrf", &post_token), ("title", "t"), ("body", "b")]).await;
                sent.location().unwrap().rsplit("#p").next().unwrap().to_owned()
            } else {
                post.clone()
            };
            let note: String = payload.chars().take(500).collect();
            let r = reporter.post_form(&format!("/p/{target}/report"), &[("csrf", &report_token), ("reason", "other"), ("note", &note)]).await;
            assert!(r.status.as_u16() < 500, "{payload:?}");
            if i % 10 == 0 {
                let description: String = payload.chars().take(500).collect();
                let r = admin
                    .submit("/mod/admin", &format!("/mod/admin/boards/{}", board.id), &[("name", "B"), ("description", &description), ("moderation_mode", "open")])
                    .await;
                assert!(r.status.as_u16() < 500, "{payload:?}");
                for page in ["/", "/b/b", "/mod/admin"] {
                    let shown = admin.get(page).await;
                    assert_eq!(shown.executable_content(), Vec::<String>::new(), "{page} with {payload:?}");
                }
            }
            let q = percent(payload);
            for url in [format!("/b/b?after={q}"), format!("/help?region={q}"), format!("/mod/queue?reason={q}"), format!("/t/1?page={q}"), format!("/modlog?before={q}"), format!("/p/{post}/support?region={q}")] {
                let r = admin.get(&url).await;
                assert!(r.status.as_u16() < 500, "{url}: {}", r.status);
                assert_eq!(r.executable_content(), Vec::<String>::new(), "{url}");
            }
        }
        let queue = admin.get("/mod/queue").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.select_text("ol.queue > li").len() >= 50, "the notes' items are listed");
        assert_eq!(queue.executable_content(), Vec::<String>::new());
    }
}

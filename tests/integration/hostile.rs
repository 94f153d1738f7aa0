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

//! Form decoding as the web layer does it: `serde_urlencoded` (what axum's `Form` uses) into
//! a struct like the posting forms, then the fields through `limits`. Nothing may panic, and
//! what the limits accept is trimmed, within bounds and free of control characters.
#![no_main]

use forum_core::models::limits;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct PostForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    content_warning: String,
}

fn clean(raw: &str) -> String {
    let clean = limits::clean_text(raw);
    assert!(clean.len() <= raw.len());
    assert!(!clean.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{clean:?}");
    assert_eq!(limits::clean_text(&clean), clean, "clean_text is idempotent");
    clean
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = serde_urlencoded::from_bytes::<PostForm>(data) else { return };
    let _ = clean(&form.csrf);
    let title = clean(&form.title);
    let body = clean(&form.body);
    let warning = clean(&form.content_warning);
    if let Ok(t) = limits::title(&title) {
        let n = t.chars().count();
        assert!((1..=limits::TITLE_MAX).contains(&n) && t == t.trim());
    }
    if let Ok(b) = limits::body(&body) {
        let n = b.chars().count();
        assert!((1..=limits::BODY_MAX).contains(&n) && b == b.trim());
    }
    match limits::content_warning(&warning) {
        Ok(Some(w)) => assert!(!w.is_empty() && w.chars().count() <= limits::WARNING_MAX && w == w.trim()),
        Ok(None) => assert!(warning.trim().is_empty()),
        Err(_) => assert!(warning.trim().chars().count() > limits::WARNING_MAX),
    }
});

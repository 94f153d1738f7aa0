//! The crisis detector and its text folder: never panic, every match is a valid char-boundary
//! range of the input with `text == input[start..end]`, and folding grows text by a bounded
//! factor with every folded byte mapped back to a char-boundary range of the input.
#![no_main]

use std::sync::LazyLock;

use forum_mod::crisis::{CrisisDetector, Scan, post_text};
use libfuzzer_sys::fuzz_target;

/// The folder is private to forum-mod; compile its source here to test it directly.
#[allow(dead_code)]
#[path = "../../forum-mod/src/crisis/normalize.rs"]
mod normalize;

static DETECTOR: LazyLock<CrisisDetector> = LazyLock::new(CrisisDetector::builtin);
static FOLDER: LazyLock<normalize::Folder> = LazyLock::new(|| {
    let emoji = [('🔪', "kill"), ('💊', "pills"), ('🚆', "train"), ('👋', "goodbye")];
    let mut f = normalize::Folder::new(emoji.into_iter().map(|(c, w)| (c, w.to_owned())).collect());
    f.set_dictionary(["suicide", "kil", "myself", "die", "overdose"].map(str::to_owned).to_vec());
    f
});

/// Folded text is at most this many times longer than its input (plus the two edge spaces).
const MAX_GROWTH: usize = 16;

fn check_scan(input: &str, scan: &Scan) {
    let mut best = 0;
    for m in &scan.matches {
        assert!(m.start <= m.end && m.end <= input.len(), "range {}..{} of {}", m.start, m.end, input.len());
        assert!(input.is_char_boundary(m.start) && input.is_char_boundary(m.end), "{m:?}");
        assert_eq!(m.text, input[m.start..m.end], "{m:?}");
        best = best.max(m.tier.rank());
    }
    assert_eq!(scan.tier.rank(), best, "scan tier is the most urgent match");
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);

    let folded = FOLDER.fold(&input);
    assert_eq!(folded.text.len(), folded.spans.len());
    assert!(folded.text.len() <= MAX_GROWTH * input.len() + 2, "{} -> {}", input.len(), folded.text.len());
    for &(s, e) in &folded.spans {
        let (s, e) = (s as usize, e as usize);
        assert!(s <= e && e <= input.len() && input.is_char_boundary(s) && input.is_char_boundary(e));
    }

    check_scan(&input, &DETECTOR.scan(&input));

    // The same bytes as a post: title, content warning and body split on NUL.
    let mut fields = input.splitn(3, '\0');
    let (title, cw, body) =
        (fields.next().unwrap_or(""), fields.next().unwrap_or(""), fields.next().unwrap_or(""));
    check_scan(&post_text(title, cw, body), &DETECTOR.scan_post(title, cw, body));
});

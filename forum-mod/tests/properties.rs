//! Property tests for crisis-language detection: the detector never panics, whatever the
//! text (huge, unicode, combining marks, emoji, right-to-left, NUL), every match points at a
//! valid char-boundary range of the text it was given, and the text folder it matches on
//! grows text by a bounded factor and maps every folded byte back into the input.

use std::sync::LazyLock;

use forum_core::models::CrisisTier;
use forum_mod::crisis::{CrisisDetector, Scan, post_text};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::Config;

/// The folder is private to forum-mod (`pub(crate)`); its source is compiled into this test
/// as well so that it can be tested directly. It depends on nothing else in the crate.
#[allow(dead_code)]
#[path = "../src/crisis/normalize.rs"]
mod normalize;

static DETECTOR: LazyLock<CrisisDetector> = LazyLock::new(CrisisDetector::builtin);

/// The emoji of the built-in lexicon and the words they stand for.
static EMOJI: LazyLock<Vec<(char, String)>> = LazyLock::new(|| {
    include_str!("../data/crisis/emoji.txt")
        .lines()
        .filter_map(|line| {
            let mut chars = line.trim().chars();
            let c = chars.next()?;
            (!c.is_ascii()).then(|| (c, chars.as_str().trim().to_owned()))
        })
        .collect()
});

/// A folder set up like the built-in detector's: its emoji and some lexicon words.
static FOLDER: LazyLock<normalize::Folder> = LazyLock::new(|| {
    let mut f = normalize::Folder::new(EMOJI.iter().cloned().collect());
    f.set_dictionary(
        ["suicide", "suicidal", "kil", "myself", "die", "overdose", "pils", "hang", "cut"]
            .map(str::to_owned)
            .to_vec(),
    );
    f
});

/// Folded text is at most this many times longer than its input, plus the two edge spaces.
/// (The largest single-character expansion is NFKD of U+FDFA: 3 bytes fold to 31.)
const MAX_GROWTH: usize = 16;

/// Proptest settings: `PROPTEST_CASES` overrides the number of cases; failures are reported
/// with their minimal input, not written to a regressions file next to this one.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// The scan invariants: every match is a char-boundary range of `input` whose text is
/// `input[start..end]`, and the scan's tier is the most urgent match's (none without one).
fn check_scan(input: &str, scan: &Scan) -> Result<(), String> {
    let mut best = CrisisTier::None;
    for m in &scan.matches {
        if !(m.start <= m.end && m.end <= input.len()) {
            return Err(format!("range {}..{} outside 0..{}: {m:?}", m.start, m.end, input.len()));
        }
        if !(input.is_char_boundary(m.start) && input.is_char_boundary(m.end)) {
            return Err(format!("range {}..{} not on char boundaries: {m:?}", m.start, m.end));
        }
        if m.text != input[m.start..m.end] {
            return Err(format!("text {:?} is not input[{}..{}]", m.text, m.start, m.end));
        }
        if m.tier == CrisisTier::None {
            return Err(format!("a match with tier none: {m:?}"));
        }
        if m.tier.rank() > best.rank() {
            best = m.tier;
        }
    }
    if scan.tier != best {
        return Err(format!("scan tier {:?}, most urgent match {best:?}", scan.tier));
    }
    Ok(())
}

/// The folder invariants: bounded growth, one span per folded byte, spans inside the input on
/// char boundaries, edge spaces, and word ranges that map back to forward ranges.
fn check_fold(input: &str) -> Result<(), String> {
    let folded = FOLDER.fold(input);
    let (text, spans) = (&folded.text, &folded.spans);
    if text.len() != spans.len() {
        return Err(format!("{} folded bytes, {} spans", text.len(), spans.len()));
    }
    if text.len() > MAX_GROWTH * input.len() + 2 {
        return Err(format!("{} bytes folded to {}", input.len(), text.len()));
    }
    if !(text.starts_with(' ') && text.ends_with(' ')) {
        return Err(format!("folded text without edge spaces: {text:?}"));
    }
    for &(s, e) in spans {
        let (s, e) = (s as usize, e as usize);
        if !(s <= e && e <= input.len() && input.is_char_boundary(s) && input.is_char_boundary(e)) {
            return Err(format!("span {s}..{e} of an input of {} bytes", input.len()));
        }
    }
    // Every folded word maps back to a forward range of the input.
    let mut at = 0;
    for word in text.split(' ') {
        if !word.is_empty() {
            let (s, e) = folded.original_range(at, at + word.len());
            if s > e {
                return Err(format!("folded word {word:?} maps back to {s}..{e}"));
            }
        }
        at += word.len() + 1;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Input generators
// ------------------------------------------------------------------------------------------

/// Phrases of the lexicon and the ways posts disguise them.
const PHRASES: &[&str] = &[
    "i want to die",
    "I want to kill myself",
    "k1ll mys3lf",
    "su!c!de",
    "s u i c i d e",
    "s.u.i.c.i.d.e",
    "k*ll m*self",
    "s**cide",
    "diiiiiie",
    "KILL MYSELF",
    "ｋｉｌｌ myself",
    "kіll myself",
    "i have a plan",
    "tonight",
    "i'm not going to kill myself",
    "my friend is suicidal",
    "suicide squad",
    "years ago",
    "ich will sterben",
    "me quiero morir",
    "je veux mourir",
    "don't",
    "3nd it",
    "at 3am",
    "100mg",
    "CW: ",
];

const PIECES: &[&str] = &[
    " ", "  ", "\n", "\r\n", "\r", "\t", ".", "...", "!", "?", ";", "|", "*", "**", "#", "'", "’", "`", "@",
    "$", "0", "1", "3", "4", "5", "7", "-", "_", "…", "。", "¡", "¿",
];

const UNICODE: &[&str] = &[
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "\u{200B}",
    "\u{200D}",
    "\u{2060}",
    "\u{FEFF}",
    "\u{00AD}",
    "\u{FE0F}",
    "\u{034F}",
    "\u{202E}",
    "\u{202B}",
    "\u{2067}",
    "\u{0301}",
    "\u{0301}\u{0301}\u{0301}\u{0301}",
    "\u{20DD}",
    "e\u{0301}",
    "İ",
    "ß",
    "ẞ",
    "ﬃ",
    "\u{FDFA}",
    "\u{FDFB}",
    "\u{3300}",
    "\u{33FF}",
    "①",
    "½",
    "𝐤𝐢𝐥𝐥",
    "עברית",
    "العربية",
    "日本語",
    "한국어",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👋🏽",
    "💀",
    "🇺🇸",
    "а",
    "е",
    "о",
    "κ",
    "\u{FFFD}",
    "\u{10FFFF}",
];

fn select(list: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(list).prop_map(str::to_owned).boxed()
}

fn fragment() -> BoxedStrategy<String> {
    Union::new_weighted(vec![
        (6, select(PHRASES)),
        (5, select(PIECES)),
        (5, select(UNICODE)),
        (3, prop::sample::select(EMOJI.as_slice()).prop_map(|(c, _)| c.to_string()).boxed()),
        (4, "[a-z]{1,8}".boxed()),
        (2, "[a-z](?:[ .*][a-z]){1,6}".boxed()),
        (3, any::<char>().prop_map(String::from).boxed()),
        (2, "\\PC{0,12}".boxed()),
        (1, "\\p{M}{1,6}".boxed()),
    ])
    .boxed()
}

fn post_like() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..24).prop_map(|v| v.concat())
}

// ------------------------------------------------------------------------------------------
// Properties
// ------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(1024))]

    /// Post-like text: no panic, every match a valid range whose text is the input's.
    #[test]
    fn scan_matches_are_valid_ranges(text in post_like()) {
        let scan = DETECTOR.scan(&text);
        if let Err(e) = check_scan(&text, &scan) {
            prop_assert!(false, "{}\ninput: {:?}", e, text);
        }
        prop_assert_eq!(&scan, &DETECTOR.scan(&text), "scanning is deterministic");
    }

    /// Arbitrary strings, any code point.
    #[test]
    fn scan_of_arbitrary_text_is_valid(text in any::<String>()) {
        if let Err(e) = check_scan(&text, &DETECTOR.scan(&text)) {
            prop_assert!(false, "{}\ninput: {:?}", e, text);
        }
    }

    /// `scan_post` offsets index into `post_text(title, content_warning, body)`.
    #[test]
    fn scan_post_matches_index_the_post_text(title in post_like(), cw in post_like(), body in post_like()) {
        let scan = DETECTOR.scan_post(&title, &cw, &body);
        let text = post_text(&title, &cw, &body);
        if let Err(e) = check_scan(&text, &scan) {
            prop_assert!(false, "{}\ninput: {:?}", e, text);
        }
        prop_assert_eq!(&scan, &DETECTOR.scan(&text));
    }

    /// The folder: bounded growth and spans that point back into the input.
    #[test]
    fn folding_is_bounded_and_maps_back(text in post_like()) {
        if let Err(e) = check_fold(&text) {
            prop_assert!(false, "{}\ninput: {:?}", e, text);
        }
    }

    #[test]
    fn folding_arbitrary_text_is_bounded_and_maps_back(text in any::<String>()) {
        if let Err(e) = check_fold(&text) {
            prop_assert!(false, "{}\ninput: {:?}", e, text);
        }
    }

    /// Repeating one piece many times (the worst case for growth) stays within the bound.
    #[test]
    fn folding_repeated_pieces_is_bounded(piece in fragment(), times in 1usize..400) {
        let text = piece.repeat(times);
        if let Err(e) = check_fold(&text) {
            prop_assert!(false, "{}\npiece: {:?} x {}", e, piece, times);
        }
        if let Err(e) = check_scan(&text, &DETECTOR.scan(&text)) {
            prop_assert!(false, "{}\npiece: {:?} x {}", e, piece, times);
        }
    }
}

/// Every single code point folds within the bound (this is where the growth factor comes
/// from), and scans without panicking on its own and between letters.
#[test]
fn every_code_point_folds_within_bounds() {
    let mut worst = (0.0f64, '\0', 0usize);
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let s = c.to_string();
        let folded = FOLDER.fold(&s);
        let ratio = (folded.text.len() - 2) as f64 / s.len() as f64;
        if ratio > worst.0 {
            worst = (ratio, c, folded.text.len());
        }
        if let Err(e) = check_fold(&s) {
            panic!("U+{:04X}: {e}", c as u32);
        }
        if let Err(e) = check_fold(&format!("a{c}b")) {
            panic!("a U+{:04X} b: {e}", c as u32);
        }
    }
    eprintln!(
        "largest growth: U+{:04X} {:?}, {} bytes -> {} folded bytes ({:.1}x)",
        worst.1 as u32,
        worst.1,
        worst.1.len_utf8(),
        worst.2 - 2,
        worst.0
    );
}

/// A huge post (far beyond the 20,000-character body limit) full of phrases, marks, emoji,
/// right-to-left text and NUL scans without panicking, with valid ranges.
#[test]
fn huge_text_scans() {
    let unit = "I want to k1ll mys3lf tonight.\u{0}\u{202E}ꙮ e\u{0301}\u{0301} 🔪💊 \
                s u i c i d e עברית \u{FDFA} ｋｉｌｌ myself… ";
    // A quarter first, to show how time grows with the number of matches.
    let quarter = unit.repeat(1 << 20 >> 9);
    let started = std::time::Instant::now();
    let scan = DETECTOR.scan(&quarter);
    eprintln!("{} bytes scanned in {:?}: {} matches", quarter.len(), started.elapsed(), scan.matches.len());
    check_scan(&quarter, &scan).unwrap();
    let text = unit.repeat(1 << 20 >> 7); // about 1 MiB
    let started = std::time::Instant::now();
    let scan = DETECTOR.scan(&text);
    eprintln!(
        "{} bytes scanned in {:?}: {} matches, tier {:?}",
        text.len(),
        started.elapsed(),
        scan.matches.len(),
        scan.tier
    );
    check_scan(&text, &scan).unwrap();
    check_fold(&text).unwrap();
    // One long word, one long run of marks, one long run of separators.
    for text in ["a".repeat(1 << 20), "\u{0301}".repeat(1 << 19), ". ".repeat(1 << 19), "k*".repeat(1 << 19)]
    {
        let scan = DETECTOR.scan(&text);
        check_scan(&text, &scan).unwrap();
        check_fold(&text).unwrap();
    }
}

//! The crisis model's training corpus (`forum-mod/data/crisis/corpus`): its size, its mix,
//! and that it is written post by post rather than from templates. Prints the counts per
//! tier, kind and language (`cargo test -p forum-mod --test corpus -- --nocapture`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use forum_mod::crisis::train::{Example, read_corpus};

fn corpus() -> Vec<Example> {
    read_corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/crisis/corpus")).expect("the corpus reads")
}

/// Lower-cased words (letters and digits) of a text.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn trigrams(text: &str) -> HashSet<[String; 3]> {
    words(text).windows(3).map(|w| [w[0].clone(), w[1].clone(), w[2].clone()]).collect()
}

/// The words a naive keyword filter looks for: at least half of the at-risk posts must
/// say it without any of them.
const USUAL_KEYWORDS: &[&str] = &[
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "kms",
    "self harm",
    "selfharm",
    "cut myself",
    "cutting myself",
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "end my life",
    "end it all",
    "overdose",
    "take my life",
    "hang myself",
    "unalive",
    "die",
    "suicidio",
    "matarme",
    "morir",
    "me tuer",
    "mourir",
    "suicider",
    "umbringen",
    "selbstmord",
    "suizid",
    "sterben",
];

/// Whether a post holds a usual keyword ("die" is German for "the", not a keyword there).
fn has_usual_keyword(text: &str, lang: &str) -> bool {
    let text = format!(" {} ", words(text).join(" "));
    USUAL_KEYWORDS
        .iter()
        .filter(|k| !(lang == "de" && **k == "die"))
        .any(|k| text.contains(&format!(" {} ", words(k).join(" "))))
}

/// The phenomena the detector's tests cover, each of which needs 40 posts or more.
const PHENOMENA: &[&str] = &[
    "direct",
    "euphemism",
    "obfuscation",
    "negation_trap",
    "buried",
    "goodbye",
    "emoji",
    "passive",
    "attempt_in_progress",
    "location_time",
    "method_only",
    "preparation",
    "burden",
    "method_query",
    "self_harm_relapse",
    "third_party",
    "youth",
    "older_adult",
    "substance",
    "postpartum",
    "chronic_pain_or_illness",
    "idiom",
    "recovery_past",
    "question_how_to_help",
    "supporter_hotline",
    "supporter_reply",
    "news_or_academic",
    "medication",
    "negation_true",
    "fiction_media",
    "venting",
    "gaming_sports",
    "goodbye_benign",
    "grief",
    "intrusive_thoughts",
    "medical",
    "dark_humour",
];

#[test]
fn the_corpus_is_big_enough_and_mixed() {
    let rows = corpus();
    let mut tiers: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut langs: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &rows {
        *tiers.entry(e.tier.as_str()).or_default() += 1;
        *kinds.entry(&e.kind).or_default() += 1;
        *langs.entry(&e.lang).or_default() += 1;
    }
    println!("{} posts\ntiers: {tiers:?}\nlanguages: {langs:?}\nkinds: {kinds:?}", rows.len());

    let at_risk: Vec<&Example> = rows.iter().filter(|e| e.tier.is_at_risk()).collect();
    assert!(rows.len() >= 4000, "{} posts", rows.len());
    assert!(at_risk.len() >= 1600, "{} at risk", at_risk.len());
    assert!(rows.len() - at_risk.len() >= 2000, "{} not at risk", rows.len() - at_risk.len());
    for tier in ["imminent", "ideation", "self_harm", "third_party"] {
        let n = tiers.get(tier).copied().unwrap_or(0);
        assert!(n * 10 >= at_risk.len(), "{tier}: only {n} of {} at-risk posts", at_risk.len());
    }
    for lang in ["es", "fr", "de"] {
        let n = langs.get(lang).copied().unwrap_or(0);
        assert!(n >= 150, "{lang}: {n} posts");
    }
    let short: Vec<&str> =
        PHENOMENA.iter().copied().filter(|k| kinds.get(k).copied().unwrap_or(0) < 40).collect();
    assert!(short.is_empty(), "fewer than 40 posts for {short:?}");

    let plain = at_risk.iter().filter(|e| !has_usual_keyword(&e.text, &e.lang)).count();
    println!("at-risk posts without a usual keyword: {plain} of {}", at_risk.len());
    assert!(
        plain * 2 >= at_risk.len(),
        "only {plain} of {} at-risk posts avoid the usual keywords",
        at_risk.len()
    );

    let longest = rows.iter().map(|e| words(&e.text).len()).max().unwrap_or(0);
    let long = rows.iter().filter(|e| words(&e.text).len() >= 100).count();
    println!("posts of 100 words or more: {long}; longest: {longest} words");
    assert!(long * 12 >= rows.len(), "only {long} long posts");
    assert!(longest <= 300, "a post of {longest} words");
}

#[test]
fn no_two_posts_share_half_their_word_trigrams() {
    let rows = corpus();
    let grams: Vec<HashSet<[String; 3]>> = rows.iter().map(|e| trigrams(&e.text)).collect();
    let mut index: HashMap<&[String; 3], Vec<usize>> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (i, g) in grams.iter().enumerate() {
        if let Some(j) = seen.insert(words(&rows[i].text).join(" "), i) {
            problems.push(format!("the same post twice: {:?} ({j} and {i})", rows[i].text));
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for t in g {
            for &j in index.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                *shared.entry(j).or_default() += 1;
            }
        }
        for (j, n) in shared {
            let smaller = g.len().min(grams[j].len());
            if n * 2 > smaller {
                problems.push(format!(
                    "{:?} and {:?} share {n} of {smaller} word 3-grams",
                    rows[j].text, rows[i].text
                ));
            }
        }
        for t in g {
            index.entry(t).or_default().push(i);
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_overlap_check_catches_a_template() {
    let a = trigrams("i have the pills here and tonight i am going to take them all");
    let b = trigrams("i have the rope here and tonight i am going to use it");
    let shared = a.intersection(&b).count();
    assert!(shared * 2 > a.len().min(b.len()), "{shared} of {}", a.len().min(b.len()));
}

#[test]
fn the_keyword_check_sees_whole_words_only() {
    assert!(has_usual_keyword("i just want to DIE.", "en"));
    assert!(has_usual_keyword("Je veux me tuer", "fr"));
    assert!(!has_usual_keyword("the diet starts monday", "en"));
    assert!(!has_usual_keyword("gave my guitar to my cousin, tonight i rest", "en"));
    assert!(!has_usual_keyword("die Kinder schlafen schon", "de"));
}

//! The lexicon data format.
//!
//! A lexicon file is UTF-8 text, one phrase per line, grouped under section headers:
//!
//! ```text
//! # A comment line.
//! [ideation]
//! want to die
//! suicid*          <- a trailing * matches the start of a word (suicide, suicidal)
//! !end it all      <- removes a phrase loaded earlier into this section
//! [emoji]
//! 🔪 stab           <- an emoji and the word it stands for
//! ```
//!
//! Phrases are folded like the text (see `normalize`), so case, accents, repeated letters
//! and punctuation inside a phrase do not matter. A phrase matches whole words unless it
//! starts or ends with `*`.
//!
//! Risk sections (the tier a phrase gives when the writer speaks of themself):
//! `[imminent]`, `[ideation]`, `[self_harm]`, `[third_party]`, `[concern]`.
//!
//! `[personal]` holds words for a person's state ("suicidal") that say nothing until
//! someone is named: `ideation` when the nearest subject before them is the writer,
//! `third_party` for another person, `concern` otherwise. `[third_party]` phrases likewise
//! need another person named before them, or they are only `concern`.
//!
//! Context sections (looked up only around a risk phrase, inside its sentence):
//! * `[idiom]`: a phrase that holds a risk phrase or carries on past its end and shows a
//!   harmless use ("suicide squad", "want to cut my hair"); the risk phrase is dropped.
//! * `[negation]`: right before a risk phrase (at most one word between), cancels it
//!   ("don't want to die"); `[not_negation]` lists look-alikes that do not negate
//!   ("can't stop").
//! * `[self]`, `[other]`, `[generic]`: who a phrase without a built-in subject is about:
//!   the nearest one before it decides. Another person makes an at-risk phrase
//!   `third_party`; "you", "people", "anyone" make it `concern`. `[possessive]` words
//!   ("my") name the writer only right before a phrase ("my suicidal thoughts").
//! * `[generic_self]`: a generic "you" that is often the writer speaking of themself
//!   ("it's so hard to work when you're suicidal"): a `[personal]` word after it is
//!   scored like one with no one named (see `[score]`), any other phrase is `concern`.
//! * `[past]`: a time long past ("years ago", "used to"); an at-risk phrase becomes `concern`.
//! * `[recurrence]`: what was past is back ("came back", "all over again"): a `[past]`
//!   cue before it in the sentence no longer makes a phrase `concern`.
//! * `[past_other]`: the past tense ("was", "had"); another person's risk told in the
//!   past is `concern` (the writer's own recent past still counts).
//! * `[now]`: the present ("right now", "again", "today"): a `[personal]` word with no
//!   one named near it but told as now is the writer's.
//! * `[frame]`: fiction, news, lyrics, games; an at-risk phrase becomes `concern` when the
//!   frame follows it, or precedes it with no first-person word in between.
//! * `[urgency]`: a time, place, means or plan; first-person `ideation` in the same
//!   sentence becomes `imminent`.
//! * `[copula]`: "is", "are": right before a `[personal]` word (at most two words
//!   between, "is so suicidal") it moves the subject to the one named right before it
//!   ("she is suicidal"); with no one named there ("pigeons are suicidal", "this policy
//!   is suicidal") the word is about a thing and stays `concern`.
//! * `[attributive]`: a word right after a `[personal]` word that shows it describes
//!   someone or something else ("suicidal people", "a suicidal war"): `concern`.
//!
//! Post signals (counted over the whole post, only when a `[personal]` word about the
//! writer or about no one named needs them; see `[score]`):
//! * `[distress]`: words of present distress ("depressed", "crying", "hopeless").
//! * `[levity]`: jokes and hyperbole ("lol", "lmao", 😂).
//!
//! `[score]` holds `name value` lines, the few weights of that rule (see `en.txt` for
//! the rule and the names); a later file overrides a name set by an earlier one.

use std::fmt;

use forum_core::models::CrisisTier;

/// What a section of a lexicon file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Section {
    Risk(CrisisTier),
    Personal,
    Idiom,
    Negation,
    NotNegation,
    SelfSubject,
    Possessive,
    OtherSubject,
    GenericSubject,
    GenericSelf,
    Past,
    Recurrence,
    PastOther,
    Now,
    Frame,
    Urgency,
    Copula,
    Attributive,
    Distress,
    Levity,
    Score,
    Emoji,
}

impl Section {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "imminent" => Self::Risk(CrisisTier::Imminent),
            "ideation" => Self::Risk(CrisisTier::Ideation),
            "self_harm" => Self::Risk(CrisisTier::SelfHarm),
            "third_party" => Self::Risk(CrisisTier::ThirdParty),
            "concern" => Self::Risk(CrisisTier::Concern),
            "personal" => Self::Personal,
            "idiom" => Self::Idiom,
            "negation" => Self::Negation,
            "not_negation" => Self::NotNegation,
            "self" => Self::SelfSubject,
            "possessive" => Self::Possessive,
            "other" => Self::OtherSubject,
            "generic" => Self::GenericSubject,
            "generic_self" => Self::GenericSelf,
            "past" => Self::Past,
            "recurrence" => Self::Recurrence,
            "past_other" => Self::PastOther,
            "now" => Self::Now,
            "frame" => Self::Frame,
            "urgency" => Self::Urgency,
            "copula" => Self::Copula,
            "attributive" => Self::Attributive,
            "distress" => Self::Distress,
            "levity" => Self::Levity,
            "score" => Self::Score,
            "emoji" => Self::Emoji,
            _ => return None,
        })
    }
}

/// One phrase line.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub section: Section,
    /// The phrase as written, without the `*` markers.
    pub phrase: String,
    /// Matches the start of a word (`suicid*`).
    pub prefix: bool,
    /// Matches the end of a word (`*mord`).
    pub suffix: bool,
    /// Where it came from, for error messages.
    pub file: String,
    pub line: usize,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A parsed file: phrases to add and phrases to remove, in file order.
#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    pub lines: Vec<Line>,
}

#[derive(Debug)]
pub(crate) enum Line {
    Add(Entry),
    Remove(Entry),
}

/// Parses one lexicon file. `file` names it in errors.
pub(crate) fn parse(file: &str, text: &str) -> Result<ParsedFile, LineError> {
    let mut out = ParsedFile::default();
    let mut section = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let err = |message: String| LineError { line: line_no, message };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| err(format!("section header {line:?} has no closing ]")))?;
            section = Some(
                Section::parse(name.trim())
                    .ok_or_else(|| err(format!("unknown section [{}]", name.trim())))?,
            );
            continue;
        }
        let section = section.ok_or_else(|| err(format!("phrase {line:?} comes before any [section]")))?;
        let (remove, body) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        if section == Section::Emoji {
            let mut chars = body.chars();
            let key = chars.next().ok_or_else(|| err("empty emoji line".into()))?;
            if key.is_alphanumeric() || key.is_ascii() {
                return Err(err(format!("emoji line {line:?} must start with an emoji")));
            }
            let word = chars.as_str().trim_start_matches('\u{FE0F}').trim();
            if word.is_empty() && !remove {
                return Err(err(format!("emoji {key} has no word after it")));
            }
            let entry = Entry {
                section,
                phrase: format!("{key}{word}"),
                prefix: false,
                suffix: false,
                file: file.to_owned(),
                line: line_no,
            };
            out.lines.push(if remove { Line::Remove(entry) } else { Line::Add(entry) });
            continue;
        }
        let prefix = body.ends_with('*');
        let suffix = body.starts_with('*');
        let phrase = body.trim_matches('*').trim();
        if phrase.is_empty() {
            return Err(err("empty phrase".into()));
        }
        let entry = Entry {
            section,
            phrase: phrase.to_owned(),
            prefix,
            suffix,
            file: file.to_owned(),
            line: line_no,
        };
        out.lines.push(if remove { Line::Remove(entry) } else { Line::Add(entry) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_markers_and_removals() {
        let text =
            "# header\n[ideation]\nwant to die\nsuicid*\n*mord\n\n[emoji]\n🔪 stab\n[idiom]\n!dying to\n";
        let parsed = parse("t.txt", text).expect("parses");
        assert_eq!(parsed.lines.len(), 5);
        match &parsed.lines[1] {
            Line::Add(e) => {
                assert_eq!(e.phrase, "suicid");
                assert!(e.prefix && !e.suffix);
                assert_eq!(e.line, 4);
            }
            Line::Remove(_) => panic!("expected an addition"),
        }
        match &parsed.lines[2] {
            Line::Add(e) => assert!(e.suffix && !e.prefix),
            Line::Remove(_) => panic!("expected an addition"),
        }
        assert!(
            matches!(&parsed.lines[4], Line::Remove(e) if e.phrase == "dying to" && e.section == Section::Idiom)
        );
    }

    #[test]
    fn reports_the_bad_line() {
        let cases = [
            ("want to die\n", 1, "before any"),
            ("[ideation]\n[nope]\n", 2, "unknown section"),
            ("[ideation\n", 1, "closing"),
            ("[ideation]\nok\n*\n", 3, "empty phrase"),
            ("[emoji]\nx stab\n", 2, "must start with an emoji"),
            ("[emoji]\n🔪\n", 2, "no word"),
        ];
        for (text, line, needle) in cases {
            let e = parse("t.txt", text).expect_err(text);
            assert_eq!(e.line, line, "{text:?}");
            assert!(e.message.contains(needle), "{text:?}: {}", e.message);
        }
    }
}

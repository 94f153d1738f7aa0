//! Crisis-language detection: reads a post before it is stored and says how urgently a
//! person may need a human, with the phrases that made it say so.
//!
//! The detector is a small pure matcher built once from data, in the spirit of a slur
//! filter: both the text and the lexicon are folded the same way ([`normalize`] handles
//! case, accents, leetspeak, masking asterisks, spelled-out letters, repeated letters and
//! emoji), one Aho-Corasick automaton finds every lexicon phrase in linear time, and only
//! around the few phrases found does a second automaton look at the context: who the
//! sentence is about, a negation right before, an idiom, a time long past, fiction or
//! news, a time or means that makes it urgent. Context is read inside the sentence only,
//! so a first-person risk is never cancelled by a hotline or a news story elsewhere in
//! the same post.
//!
//! A word for a person's state ("suicidal", "suicidal thoughts") about the writer or
//! about no one named is decided by a small explicit score over the whole post (first
//! person, distress, jokes, other people; see `Weights` and `[score]` in `en.txt`),
//! counted only for the posts that hold such a word.
//!
//! The lexicon lives in `forum-mod/data/crisis/*.txt` (format in [`lexicon`]); operators
//! add or replace files with [`CrisisDetector::from_dir`] without rebuilding.

mod lexicon;
pub mod model;
mod normalize;
#[cfg(test)]
mod tests;
pub mod train;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use forum_core::models::CrisisTier;
use serde::Serialize;

use lexicon::{Entry, Line, Section};
pub use model::Model;
use normalize::{Folded, Folder};
use train::OperatingPoint;

/// The lexicon files compiled into the binary, in load order.
const BUILTIN: &[(&str, &str)] = &[
    ("en.txt", include_str!("../../data/crisis/en.txt")),
    ("es.txt", include_str!("../../data/crisis/es.txt")),
    ("fr.txt", include_str!("../../data/crisis/fr.txt")),
    ("de.txt", include_str!("../../data/crisis/de.txt")),
    ("emoji.txt", include_str!("../../data/crisis/emoji.txt")),
];

/// Words looked at before a phrase for its context (inside the sentence).
const WORDS_BEFORE: usize = 10;
/// Words looked at after a phrase for its context (inside the sentence).
const WORDS_AFTER: usize = 8;
/// How near before a `[personal]` or `[third_party]` phrase its subject must be.
const NEAR_SUBJECT_WORDS: usize = 6;
/// How near before a phrase "my" must be to name the writer ("my suicidal thoughts",
/// "my constant suicidal thoughts", but not "everyone on my timeline is suicidal").
const POSSESSIVE_WORDS: usize = 1;
/// How far after a phrase a time long past ("years ago") still refers to it.
const PAST_AFTER_WORDS: usize = 5;
/// How near before a `[personal]` word a `[copula]` ("is", "are") must be to carry its
/// subject ("she is so suicidal").
const COPULA_WORDS: usize = 2;
/// How near before a `[copula]` its subject must be ("my best friend is").
const COPULA_SUBJECT_WORDS: usize = 1;

/// Why a lexicon could not be loaded or a labelled file could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum CrisisError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Data { file: String, line: usize, message: String },
    #[error("cannot build the crisis matcher: {0}")]
    Build(String),
    #[error("{}: {message}", path.display())]
    Csv { path: PathBuf, message: String },
}

/// What a scan found: the most urgent tier and every phrase behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scan {
    #[serde(serialize_with = "tier_as_str")]
    pub tier: CrisisTier,
    pub matches: Vec<Match>,
    /// The model's probability that someone is at risk (absent without a model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<f32>,
}

/// One lexicon phrase found in the text, with the tier it gave in its context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    #[serde(serialize_with = "tier_as_str")]
    pub tier: CrisisTier,
    /// The phrase as written in the lexicon.
    pub phrase: String,
    /// Byte offsets into the text given to [`CrisisDetector::scan`].
    pub start: usize,
    pub end: usize,
    /// The original text at `start..end`.
    pub text: String,
}

fn tier_as_str<S: serde::Serializer>(tier: &CrisisTier, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tier.as_str())
}

/// Who a phrase is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Writer,
    Other,
    /// "you", "people", "anyone": talk about risk, not a person at risk.
    Generic,
    /// A generic "you" that is often the writer's own experience ("it's hard to sleep
    /// when you're suicidal"): a person's state after it is scored like an unnamed one.
    You,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Idiom,
    Negation,
    NotNegation,
    Subject(Who),
    /// "my": the writer, but only right before the phrase.
    Possessive,
    Past,
    Recurrence,
    PastOther,
    Now,
    Frame,
    Urgency,
    Copula,
    Attributive,
}

/// What a post-level signal word counts towards (see [`Weights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    FirstPerson,
    Distress,
    Levity,
    Others,
}

/// A lexicon phrase's section as a feature of the model, wherever it occurs and whatever
/// its context.
fn phrase_feature(tier: CrisisTier) -> &'static str {
    match tier {
        CrisisTier::Imminent => "phrase:imminent",
        CrisisTier::Ideation => "phrase:ideation",
        CrisisTier::SelfHarm => "phrase:self_harm",
        CrisisTier::ThirdParty => "phrase:third_party",
        CrisisTier::Concern => "phrase:concern",
        CrisisTier::None => "phrase:none",
    }
}

/// What the lexicon finds in folded text, the model's input besides the words.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub folded: Folded,
    /// Folded start and tier of every risk phrase the rules keep in its context.
    pub rules: Vec<(usize, CrisisTier)>,
    /// Folded start and name of every lexicon phrase, before any context is judged, and of
    /// every negation.
    pub marks: Vec<(usize, &'static str)>,
}

/// The few weights of the rule that decides a `[personal]` word ("suicidal", "suicidal
/// thoughts") about the writer or about no one named: it is `ideation` when
///
/// ```text
/// base + first_person * min(first-person words, first_person_cap)
///      + distress * min(distress words, distress_cap)
///      - levity * min(levity words, levity_cap)
///      - others * min(other-person and generic words, others_cap)  >=  threshold
/// ```
///
/// and `concern` otherwise. `base` is `base_writer` when the writer is named right before
/// it ("i feel so suicidal", "my suicidal thoughts"), `base_now` when it is told as now or
/// the writer is named just after ("suicidal thoughts again", "suicidal thoughts are
/// eating me alive"), `base_unnamed` otherwise. Words are counted over the whole post.
/// Set in `[score]` sections as `name value` lines.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Weights {
    threshold: f32,
    base_writer: f32,
    base_now: f32,
    base_unnamed: f32,
    first_person: f32,
    first_person_cap: f32,
    distress: f32,
    distress_cap: f32,
    levity: f32,
    levity_cap: f32,
    others: f32,
    others_cap: f32,
    /// The learned model's operating point (see [`train::combine`]): it flags a post when
    /// its probability over the whole post reaches `model_flag` or in one sentence or pair
    /// reaches `model_window_flag`, and takes back a rule's at-risk tier other than
    /// `imminent` below `model_keep`.
    model_flag: f32,
    model_window_flag: f32,
    model_keep: f32,
}

impl Default for Weights {
    /// The values shipped in `en.txt`, for lexicons without a `[score]` section.
    fn default() -> Self {
        Weights {
            threshold: 3.0,
            base_writer: 4.0,
            base_now: 4.0,
            base_unnamed: 1.0,
            first_person: 1.0,
            first_person_cap: 4.0,
            distress: 0.5,
            distress_cap: 3.0,
            levity: 1.5,
            levity_cap: 2.0,
            others: 0.25,
            others_cap: 4.0,
            model_flag: 0.55,
            model_window_flag: 0.9,
            model_keep: 0.0,
        }
    }
}

impl Weights {
    fn set(&mut self, name: &str, value: f32) -> bool {
        let slot = match name {
            "threshold" => &mut self.threshold,
            "base_writer" => &mut self.base_writer,
            "base_now" => &mut self.base_now,
            "base_unnamed" => &mut self.base_unnamed,
            "first_person" => &mut self.first_person,
            "first_person_cap" => &mut self.first_person_cap,
            "distress" => &mut self.distress,
            "distress_cap" => &mut self.distress_cap,
            "levity" => &mut self.levity,
            "levity_cap" => &mut self.levity_cap,
            "others" => &mut self.others,
            "others_cap" => &mut self.others_cap,
            "model_flag" => &mut self.model_flag,
            "model_window_flag" => &mut self.model_window_flag,
            "model_keep" => &mut self.model_keep,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// The post-level part of the score, from the signal word counts.
    fn signals(&self, counts: &[f32; 4]) -> f32 {
        let [first, distress, levity, others] = *counts;
        self.first_person * first.min(self.first_person_cap) + self.distress * distress.min(self.distress_cap)
            - self.levity * levity.min(self.levity_cap)
            - self.others * others.min(self.others_cap)
    }
}

/// The tier a risk phrase gives in its context; with `base`, a borderline `[personal]`
/// word that is `tier` only when `base` plus the post signals reach the threshold, and
/// `concern` otherwise.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    tier: CrisisTier,
    base: Option<f32>,
}

impl From<CrisisTier> for Verdict {
    fn from(tier: CrisisTier) -> Self {
        Verdict { tier, base: None }
    }
}

#[derive(Debug, Clone)]
struct RiskPhrase {
    tier: CrisisTier,
    /// The subject the phrase carries itself ("kill myself", "kill himself"), if any.
    subject: Option<Who>,
    /// Says nothing about risk unless someone is named before it ("is suicidal").
    needs_subject: bool,
    /// A `[personal]` word: scored when about the writer or no one named.
    personal: bool,
    /// A first-person phrase holding a `[personal]` word ("so suicidal", "makes me
    /// suicidal"): the writer's by default, and scored like one.
    holds_personal: bool,
    phrase: String,
    lead: bool,
    trail: bool,
}

#[derive(Debug, Clone, Copy)]
struct CueInfo {
    cue: Cue,
    lead: bool,
    trail: bool,
}

/// A phrase or cue found, by its folded byte range without the boundary spaces.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    end: usize,
    id: usize,
}

/// The crisis-language detector. Build it once and share it (`Arc`): scanning takes
/// `&self` and keeps no state.
#[derive(Debug, Clone)]
pub struct CrisisDetector {
    folder: Folder,
    risk: AhoCorasick,
    risk_info: Vec<RiskPhrase>,
    cues: AhoCorasick,
    cue_info: Vec<CueInfo>,
    signals: AhoCorasick,
    signal_info: Vec<Signal>,
    /// The `[negation]` cues alone, found over the whole text for the model.
    negations: AhoCorasick,
    /// Whether each negation pattern starts with its boundary space.
    negation_lead: Vec<bool>,
    weights: Weights,
    /// The learned model, when there is one (shared: it holds a few megabytes).
    model: Option<Arc<Model>>,
}

impl CrisisDetector {
    /// The lexicon shipped in `forum-mod/data/crisis` and the model trained on the
    /// project's corpus, both compiled in.
    pub fn builtin() -> CrisisDetector {
        Self::rules_only().with_model(Some(Model::builtin()))
    }

    /// The built-in lexicon without a model: the phrase rules alone.
    pub fn rules_only() -> CrisisDetector {
        let files = BUILTIN.iter().map(|(name, text)| ((*name).to_owned(), (*text).to_owned()));
        Self::from_files(files.collect()).expect("the built-in crisis lexicon is valid (tested)")
    }

    /// The detector an operator configured: the lexicon extended from `lexicon` (see
    /// [`Self::from_dir`]), the built-in one if none; and the model `model` names:
    /// `builtin` for the compiled-in one, a file written by `forum crisis-train`, or
    /// nothing (or `off`) for the rules alone.
    ///
    /// The rules alone are the default: on everyday posts the model still raises too many
    /// false alarms (see the README's figures) for every member and moderator to meet them.
    pub fn configured(lexicon: Option<&Path>, model: Option<&Path>) -> Result<CrisisDetector, CrisisError> {
        let rules = match lexicon {
            Some(dir) => Self::from_dir(dir)?,
            None => Self::rules_only(),
        };
        let model = match model.map(Path::as_os_str) {
            None => None,
            Some(name) if name == "off" => None,
            Some(name) if name == "builtin" => Some(Model::builtin()),
            Some(_) => model.map(Model::from_file).transpose()?,
        };
        Ok(rules.with_model(model))
    }

    /// The same rules with another model, or with none.
    pub fn with_model(mut self, model: Option<Model>) -> CrisisDetector {
        self.model = model.map(Arc::new);
        self
    }

    /// Whether a learned model takes part.
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// The model's operating point (`model_flag` and `model_keep` in `[score]`).
    pub fn operating_point(&self) -> OperatingPoint {
        OperatingPoint {
            flag: self.weights.model_flag,
            window: self.weights.model_window_flag,
            keep: self.weights.model_keep,
        }
    }

    /// The same detector at another operating point of the model.
    pub fn with_operating_point(&self, point: OperatingPoint) -> CrisisDetector {
        let mut d = self.clone();
        d.weights.model_flag = point.flag;
        d.weights.model_window_flag = point.window;
        d.weights.model_keep = point.keep;
        d
    }

    /// The built-in lexicon extended by the `*.txt` files in `dir`, with the built-in model. A file with the same
    /// name as a built-in one (`en.txt`, `es.txt`, `fr.txt`, `de.txt`, `emoji.txt`)
    /// replaces it; any other file is loaded after the built-in ones, in name order, and
    /// adds to them (a `!phrase` line removes a phrase loaded before it). Other files are
    /// ignored.
    pub fn from_dir(dir: &Path) -> Result<CrisisDetector, CrisisError> {
        let io = |source| CrisisError::Io { path: dir.to_owned(), source };
        let mut extra: Vec<(String, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == "txt") {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                extra.push((name, path));
            }
        }
        extra.sort();
        let mut files: Vec<(String, String)> = Vec::new();
        for (name, text) in BUILTIN {
            if !extra.iter().any(|(n, _)| n == name) {
                files.push(((*name).to_owned(), (*text).to_owned()));
            }
        }
        let builtin_names: HashSet<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        let (replacing, adding): (Vec<_>, Vec<_>) =
            extra.into_iter().partition(|(n, _)| builtin_names.contains(n.as_str()));
        for (_, path) in replacing.into_iter().chain(adding) {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| CrisisError::Io { path: path.clone(), source })?;
            files.push((path.display().to_string(), text));
        }
        Ok(Self::from_files(files)?.with_model(Some(Model::builtin())))
    }

    /// Builds the detector from `(file name, text)` pairs, in load order.
    fn from_files(files: Vec<(String, String)>) -> Result<CrisisDetector, CrisisError> {
        let plain = Folder::default();
        let key = |e: &Entry| (e.section, plain.fold(&e.phrase).text, e.prefix, e.suffix);
        let mut entries: Vec<Entry> = Vec::new();
        for (name, text) in &files {
            let parsed = lexicon::parse(name, text).map_err(|e| CrisisError::Data {
                file: name.clone(),
                line: e.line,
                message: e.message,
            })?;
            for line in parsed.lines {
                match line {
                    Line::Add(e) => entries.push(e),
                    Line::Remove(e) => {
                        let k = key(&e);
                        entries.retain(|x| key(x) != k);
                    }
                }
            }
        }

        let mut emoji = HashMap::new();
        for e in entries.iter().filter(|e| e.section == Section::Emoji) {
            let mut chars = e.phrase.chars();
            if let Some(c) = chars.next() {
                emoji.insert(c, plain.fold(chars.as_str()).text.trim().to_owned());
            }
        }
        let mut folder = Folder::new(emoji);

        let fold = |e: &Entry| -> Result<String, CrisisError> {
            let folded = folder.fold(&e.phrase).text.trim().to_owned();
            if folded.is_empty() || folded == "." {
                return Err(CrisisError::Data {
                    file: e.file.clone(),
                    line: e.line,
                    message: format!("phrase {:?} has no letters or digits", e.phrase),
                });
            }
            Ok(folded)
        };
        let single_words = |section: Section| -> Result<HashSet<String>, CrisisError> {
            let mut set = HashSet::new();
            for e in entries.iter().filter(|e| e.section == section && !e.prefix && !e.suffix) {
                let f = fold(e)?;
                if !f.contains(' ') {
                    set.insert(f);
                }
            }
            Ok(set)
        };
        let mut writer_words = single_words(Section::SelfSubject)?;
        writer_words.extend(single_words(Section::Possessive)?);
        let other_words = single_words(Section::OtherSubject)?;
        let personal_words = single_words(Section::Personal)?;

        let pattern = |folded: &str, e: &Entry| {
            let mut p = String::with_capacity(folded.len() + 2);
            if !e.suffix {
                p.push(' ');
            }
            p.push_str(folded);
            if !e.prefix {
                p.push(' ');
            }
            p
        };

        let mut risk_patterns = Vec::new();
        let mut risk_info = Vec::new();
        let mut cue_patterns = Vec::new();
        let mut negation_patterns = Vec::new();
        let mut negation_lead = Vec::new();
        let mut cue_info = Vec::new();
        let mut signal_patterns = Vec::new();
        let mut signal_info = Vec::new();
        let mut signal_seen = HashSet::new();
        let mut weights = Weights::default();
        let mut seen = HashSet::new();
        for e in &entries {
            let signal = match e.section {
                Section::SelfSubject | Section::Possessive => Some(Signal::FirstPerson),
                Section::OtherSubject | Section::GenericSubject | Section::GenericSelf => {
                    Some(Signal::Others)
                }
                Section::Distress => Some(Signal::Distress),
                Section::Levity => Some(Signal::Levity),
                _ => None,
            };
            if let Some(signal) = signal {
                let p = pattern(&fold(e)?, e);
                if signal_seen.insert(p.clone()) {
                    signal_patterns.push(p);
                    signal_info.push(signal);
                }
            }
            let cue = match e.section {
                Section::Emoji | Section::Distress | Section::Levity => continue,
                Section::Score => {
                    let bad =
                        |message: String| CrisisError::Data { file: e.file.clone(), line: e.line, message };
                    let mut parts = e.phrase.split_whitespace();
                    let (Some(name), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
                        return Err(bad(format!("{:?} is not a `name value` line", e.phrase)));
                    };
                    let value: f32 = value
                        .parse()
                        .ok()
                        .filter(|v: &f32| v.is_finite())
                        .ok_or_else(|| bad(format!("{value:?} is not a number")))?;
                    if !weights.set(name, value) {
                        return Err(bad(format!("unknown score weight {name:?}")));
                    }
                    continue;
                }
                Section::Risk(_) | Section::Personal => {
                    let (tier, needs_subject) = match e.section {
                        Section::Risk(tier) => (tier, tier == CrisisTier::ThirdParty),
                        _ => (CrisisTier::Ideation, true),
                    };
                    let folded = fold(e)?;
                    let p = pattern(&folded, e);
                    if !seen.insert((p.clone(), tier)) {
                        continue;
                    }
                    let words: Vec<&str> = folded.split(' ').collect();
                    let subject = if words.iter().any(|w| other_words.contains(*w)) {
                        Some(Who::Other)
                    } else if words.iter().any(|w| writer_words.contains(*w)) {
                        Some(Who::Writer)
                    } else {
                        None
                    };
                    risk_patterns.push(p);
                    risk_info.push(RiskPhrase {
                        tier,
                        subject,
                        needs_subject,
                        personal: e.section == Section::Personal,
                        holds_personal: e.section != Section::Personal
                            && tier.is_at_risk()
                            && words.iter().any(|w| personal_words.contains(*w)),
                        phrase: e.phrase.clone(),
                        lead: !e.suffix,
                        trail: !e.prefix,
                    });
                    continue;
                }
                Section::Idiom => Cue::Idiom,
                Section::Negation => Cue::Negation,
                Section::NotNegation => Cue::NotNegation,
                Section::SelfSubject => Cue::Subject(Who::Writer),
                Section::Possessive => Cue::Possessive,
                Section::OtherSubject => Cue::Subject(Who::Other),
                Section::GenericSubject => Cue::Subject(Who::Generic),
                Section::GenericSelf => Cue::Subject(Who::You),
                Section::Past => Cue::Past,
                Section::Recurrence => Cue::Recurrence,
                Section::PastOther => Cue::PastOther,
                Section::Now => Cue::Now,
                Section::Frame => Cue::Frame,
                Section::Urgency => Cue::Urgency,
                Section::Copula => Cue::Copula,
                Section::Attributive => Cue::Attributive,
            };
            let folded = fold(e)?;
            if cue == Cue::Negation {
                negation_patterns.push(pattern(&folded, e));
                negation_lead.push(!e.suffix);
            }
            cue_patterns.push(pattern(&folded, e));
            cue_info.push(CueInfo { cue, lead: !e.suffix, trail: !e.prefix });
        }

        // Masked words ("k*ll") are resolved against the risk words, most urgent first.
        let mut order: Vec<usize> = (0..risk_info.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(risk_info[i].tier.rank()));
        let mut dictionary = Vec::new();
        let mut in_dictionary = HashSet::new();
        for i in order {
            for w in risk_patterns[i].split(' ') {
                if w.chars().count() >= 3
                    && w.chars().all(char::is_alphabetic)
                    && in_dictionary.insert(w.to_owned())
                {
                    dictionary.push(w.to_owned());
                }
            }
        }
        folder.set_dictionary(dictionary);

        let build = |patterns: &[String]| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(patterns)
                .map_err(|e| CrisisError::Build(e.to_string()))
        };
        Ok(CrisisDetector {
            risk: build(&risk_patterns)?,
            cues: build(&cue_patterns)?,
            signals: build(&signal_patterns)?,
            negations: build(&negation_patterns)?,
            negation_lead,
            folder,
            risk_info,
            cue_info,
            signal_info,
            weights,
            model: None,
        })
    }

    /// The score a borderline `[personal]` word about the writer or about no one named
    /// must reach to be `ideation` (`threshold` in `[score]`).
    pub fn score_threshold(&self) -> f32 {
        self.weights.threshold
    }

    /// The lowest and highest score a borderline word can get with these weights: a
    /// threshold outside this range flags every such word or none.
    pub fn score_range(&self) -> (f32, f32) {
        let w = &self.weights;
        let lowest = w.base_writer.min(w.base_now).min(w.base_unnamed)
            - w.levity * w.levity_cap
            - w.others * w.others_cap;
        let highest = w.base_writer.max(w.base_now).max(w.base_unnamed)
            + w.first_person * w.first_person_cap
            + w.distress * w.distress_cap;
        (lowest, highest)
    }

    /// The same detector with another score threshold: lower finds more people at risk
    /// and raises more false alarms. `f32::NEG_INFINITY` flags every borderline word,
    /// `f32::INFINITY` none.
    pub fn with_score_threshold(&self, threshold: f32) -> CrisisDetector {
        let mut d = self.clone();
        d.weights.threshold = threshold;
        d
    }

    /// Number of risk phrases and context cues loaded.
    pub fn phrase_counts(&self) -> (usize, usize) {
        (self.risk_info.len(), self.cue_info.len())
    }

    /// Scans one text. Match positions are byte offsets into `text`.
    ///
    /// The rules find phrases in context; the model (when there is one) scores the post's
    /// windows. The two are combined by [`train::combine`] at the operating point in
    /// `[score]`: an imminent phrase always stands, the model can raise a post the rules
    /// missed (its weightiest words become the matches), and it can take back a weaker
    /// rule finding it is sure of, which becomes `concern`.
    pub fn scan(&self, text: &str) -> Scan {
        let mut folded = Folded::default();
        self.folder.fold_into(text, &mut folded);
        let mut marks = Vec::new();
        let mut kept = self.rule_pass(&folded.text, &mut marks);
        let rule_tier = model::most_urgent(kept.iter().map(|(_, t)| *t));
        let mut tier = rule_tier;
        let mut risk = None;
        let mut reasons = Vec::new();
        if let Some(model) = &self.model {
            let at: Vec<(usize, CrisisTier)> = kept.iter().map(|(p, t)| (p.start, *t)).collect();
            self.lexicon_marks(&folded.text, &mut marks);
            let a = model.assess(&folded.text, &at, &marks, self.weights.model_window_flag);
            risk = Some(a.risk);
            tier = train::combine(rule_tier, a.risk, a.tier, self.operating_point());
            if tier.rank() < rule_tier.rank() {
                for (_, t) in &mut kept {
                    if t.is_at_risk() {
                        *t = CrisisTier::Concern;
                    }
                }
            } else if tier.rank() > rule_tier.rank() {
                reasons = model.reasons(&folded.text, &at, &marks, &a);
            }
        }
        let mut matches: Vec<Match> = kept
            .into_iter()
            .map(|(p, tier)| {
                let (start, end) = folded.original_range(p.start, p.end);
                Match {
                    tier,
                    phrase: self.risk_info[p.id].phrase.clone(),
                    start,
                    end,
                    text: text[start..end].to_owned(),
                }
            })
            .collect();
        for (s, e) in reasons {
            let (start, end) = folded.original_range(s, e);
            matches.push(Match {
                tier,
                phrase: format!("model: {}", &folded.text[s..e]),
                start,
                end,
                text: text[start..end].to_owned(),
            });
        }
        matches.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        Scan { tier, matches, risk }
    }

    /// The text folded, and what the rules found in it: folded start and tier of each
    /// phrase (the model's input besides the words).
    pub(crate) fn findings(&self, text: &str) -> Findings {
        let mut folded = Folded::default();
        self.folder.fold_into(text, &mut folded);
        let mut marks = Vec::new();
        let rules = self.rule_pass(&folded.text, &mut marks).into_iter().map(|(p, t)| (p.start, t)).collect();
        self.lexicon_marks(&folded.text, &mut marks);
        Findings { folded, rules, marks }
    }

    /// The negations in folded text (the `[negation]` cues, wherever they are), by folded
    /// start and feature name. (The lexicon's other cues and its signal words were
    /// measured as features too, and did not pay for a second pass over the text.)
    fn lexicon_marks(&self, f: &str, out: &mut Vec<(usize, &'static str)>) {
        for m in self.negations.find_iter(f) {
            let lead = self.negation_lead[m.pattern().as_usize()];
            out.push((m.start() + usize::from(lead), model::NEGATION_MARK));
        }
    }

    /// The rules over folded text: every risk phrase that its context keeps, with its
    /// tier, longest first at a place.
    fn rule_pass(&self, f: &str, hits: &mut Vec<(usize, &'static str)>) -> Vec<(Found, CrisisTier)> {
        let mut found: Vec<(Found, CrisisTier)> = Vec::new();
        let mut cues: Vec<Found> = Vec::new();
        // The post signals, counted once and only if a borderline word needs them.
        let mut signals: Option<f32> = None;
        let mut borderline: Vec<(usize, f32)> = Vec::new();
        for m in self.risk.find_overlapping_iter(f) {
            let id = m.pattern().as_usize();
            let info = &self.risk_info[id];
            let start = m.start() + usize::from(info.lead);
            let end = m.end() - usize::from(info.trail);
            let phrase = Found { start, end, id };
            hits.push((start, phrase_feature(info.tier)));
            if let Some(v) = self.judge(f, phrase, &mut cues) {
                if let Some(base) = v.base {
                    borderline.push((found.len(), base));
                }
                found.push((phrase, v.tier));
            }
        }
        if found.is_empty() {
            return found;
        }
        for (i, base) in borderline {
            let signals = *signals.get_or_insert_with(|| self.weights.signals(&self.count_signals(f)));
            if base + signals < self.weights.threshold {
                found[i].1 = CrisisTier::Concern;
            }
        }

        // Report the longest phrase at a place, unless a shorter one inside it says more.
        found.sort_by_key(|(p, _)| (p.start, std::cmp::Reverse(p.end)));
        let mut kept: Vec<(Found, CrisisTier)> = Vec::with_capacity(found.len());
        for (p, tier) in found {
            let covered =
                kept.iter().any(|(k, t)| k.start <= p.start && p.end <= k.end && t.rank() >= tier.rank());
            if !covered {
                kept.push((p, tier));
            }
        }
        kept
    }

    /// Scans a post: title, content warning and body together. Match positions are byte
    /// offsets into [`post_text`]`(title, content_warning, body)`.
    pub fn scan_post(&self, title: &str, content_warning: &str, body: &str) -> Scan {
        self.scan(&post_text(title, content_warning, body))
    }

    /// Counts the signal words of a folded post: first person, distress, levity, others.
    /// A word inside a longer one of the same kind ("friend" in "my best friend") counts
    /// once.
    fn count_signals(&self, f: &str) -> [f32; 4] {
        let mut counts = [0.0f32; 4];
        let mut last_end = [0usize; 4];
        for m in self.signals.find_overlapping_iter(f) {
            let k = self.signal_info[m.pattern().as_usize()] as usize;
            // Patterns carry their boundary spaces; neighbours share one.
            if m.start() + 1 >= last_end[k] {
                counts[k] += 1.0;
                last_end[k] = m.end();
            }
        }
        counts
    }

    /// The tier a risk phrase gives in its sentence, or `None` when its context cancels it.
    fn judge(&self, f: &str, phrase: Found, cues: &mut Vec<Found>) -> Option<Verdict> {
        let info = &self.risk_info[phrase.id];
        let (ws, we) = sentence_window(f, phrase.start, phrase.end);
        cues.clear();
        for m in self.cues.find_overlapping_iter(&f[ws..we]) {
            let id = m.pattern().as_usize();
            let c = self.cue_info[id];
            cues.push(Found {
                start: ws + m.start() + usize::from(c.lead),
                end: ws + m.end() - usize::from(c.trail),
                id,
            });
        }
        let kind = |c: &Found| self.cue_info[c.id].cue;
        let before = |c: &Found| c.end < phrase.start;
        let after = |c: &Found| c.start > phrase.end;
        let overlaps = |c: &Found| c.start < phrase.end && c.end > phrase.start;

        // An idiom cancels a phrase it holds ("suicide squad") or that it carries on past
        // the phrase's end ("want to cut my hair"), not one it merely ends inside of.
        if cues.iter().any(|c| {
            kind(c) == Cue::Idiom
                && overlaps(c)
                && (c.end > phrase.end || (c.start <= phrase.start && c.end >= phrase.end))
        }) {
            return None;
        }
        let negated = cues.iter().any(|c| {
            kind(c) == Cue::Negation
                && before(c)
                && words_in(&f[c.end..phrase.start]) <= 1
                && !cues.iter().any(|n| kind(n) == Cue::NotNegation && n.start <= c.start && c.end <= n.end)
        });
        if negated {
            return None;
        }

        // "suicidal people", "a suicidal war": the word describes someone or something else.
        if (info.personal || info.holds_personal)
            && cues.iter().any(|c| kind(c) == Cue::Attributive && after(c) && c.start == phrase.end + 1)
        {
            return Some(CrisisTier::Concern.into());
        }

        let subject_between = |from: usize, to: usize| {
            cues.iter().any(|c| matches!(kind(c), Cue::Subject(_)) && c.start >= from && c.end <= to)
        };
        let writer_between = |from: usize, to: usize| {
            cues.iter().any(|c| kind(c) == Cue::Subject(Who::Writer) && c.start >= from && c.end <= to)
        };
        // The nearest subject; on a tie ("il" is French "he" and folded English "I'll") the
        // writer, since a missed risk costs more than a false alarm, and for another
        // person's risk ("they're going to jump") a particular person over people in
        // general, for the same reason.
        let third_party = info.tier == CrisisTier::ThirdParty;
        let rank = |&(end, len, w): &(usize, usize, Who)| {
            (end, len, w == Who::Writer, w == Who::Other && third_party)
        };
        let named = cues
            .iter()
            .filter(|c| before(c))
            .filter_map(|c| match kind(c) {
                Cue::Subject(w) => Some((c.end, c.end - c.start, w)),
                // "my" names the writer only close before the phrase.
                Cue::Possessive if words_in(&f[c.end..phrase.start]) <= POSSESSIVE_WORDS => {
                    Some((c.end, c.end - c.start, Who::Writer))
                }
                _ => None,
            })
            .max_by_key(rank);
        // "she is so suicidal", "pigeons are suicidal": a copula just before a word with no
        // subject of its own hands it the subject named right before the copula, or, with
        // no one named there, a thing (talk, not a person at risk).
        let copula = if (info.needs_subject || info.holds_personal) && info.subject.is_none() {
            cues.iter()
                .filter(|c| {
                    kind(c) == Cue::Copula
                        && before(c)
                        && words_in(&f[c.end..phrase.start]) <= COPULA_WORDS
                        && !subject_between(c.end, phrase.start)
                })
                .max_by_key(|c| c.end)
        } else {
            None
        };
        let named = match copula {
            None => named,
            Some(cop) => {
                // The subject before the copula, or in it ("she's" folds to "shes").
                let subject = cues
                    .iter()
                    .filter(|c| {
                        (c.start >= cop.start && c.end == cop.end)
                            || (c.end <= cop.start && words_in(&f[c.end..cop.start]) <= COPULA_SUBJECT_WORDS)
                    })
                    .filter_map(|c| match kind(c) {
                        Cue::Subject(w) => Some((c.end, c.end - c.start, w)),
                        _ => None,
                    })
                    .max_by_key(rank);
                match subject {
                    Some((_, _, w)) => Some((phrase.start, 0, w)),
                    None => return Some(CrisisTier::Concern.into()),
                }
            }
        };
        let named_near = named.filter(|(end, _, _)| {
            !info.needs_subject || words_in(&f[*end..phrase.start]) <= NEAR_SUBJECT_WORDS
        });
        let weights = &self.weights;
        let mut base = None;
        let who = match (info.subject, named_near) {
            // "people who ... kill themselves", "if anyone wants to end their life": a
            // phrase about another person whose antecedent is people in general is talk
            // (not "they", which may be one person: "my friend said they want to ...").
            (Some(Who::Other), Some((end, _, Who::Generic)))
                if info.tier == CrisisTier::ThirdParty
                    && !cues.iter().any(|c| kind(c) == Cue::Subject(Who::Other) && c.end == end) =>
            {
                Who::Generic
            }
            (Some(w), _) => w,
            (None, Some((_, _, w))) => w,
            (None, None) if info.needs_subject => {
                // No one named before: the writer named just after ("suicidal thoughts
                // are eating me alive"), or a state told as now ("suicidal again rn").
                let after_writer = cues.iter().any(|c| {
                    kind(c) == Cue::Subject(Who::Writer)
                        && after(c)
                        && words_in(&f[phrase.end..c.start]) <= NEAR_SUBJECT_WORDS
                });
                let now = cues.iter().any(|c| kind(c) == Cue::Now);
                if info.personal {
                    // In a peer-support forum a state with no one named is mostly the
                    // writer's own: the post signals decide.
                    base = Some(if after_writer || now { weights.base_now } else { weights.base_unnamed });
                } else if info.tier == CrisisTier::ThirdParty || !(after_writer || now) {
                    return Some(CrisisTier::Concern.into());
                }
                Who::Writer
            }
            // Posts mostly speak of the writer; a phrase with no one named is theirs.
            (None, None) => Who::Writer,
        };
        // A generic "you" about a person's state may be the writer's own: the post
        // signals decide, as for a state with no one named. Anything else is talk.
        let who = match who {
            Who::You if info.personal || info.holds_personal => {
                let now = cues.iter().any(|c| kind(c) == Cue::Now);
                base = Some(if now { weights.base_now } else { weights.base_unnamed });
                Who::Writer
            }
            Who::You => Who::Generic,
            w => w,
        };
        if (info.personal || info.holds_personal) && who == Who::Writer && base.is_none() {
            base = Some(weights.base_writer);
        }
        // First-person phrases are a risk for the writer only; third-party phrases (and a
        // person's state, "she's suicidal") for another person only. Anything else is
        // talk about risk.
        let mut tier = match (info.tier, who) {
            (t, _) if !t.is_at_risk() => return Some(t.into()),
            (CrisisTier::ThirdParty, Who::Other) => CrisisTier::ThirdParty,
            (CrisisTier::ThirdParty, _) => return Some(CrisisTier::Concern.into()),
            (t, Who::Writer) => t,
            // "she's suicidal", "my brother is so suicidal", not "his suicidal character".
            (_, Who::Other) if info.personal && copula.is_some() => CrisisTier::ThirdParty,
            (_, _) => return Some(CrisisTier::Concern.into()),
        };
        // Another person's risk told in the past tense is not a risk now.
        if who == Who::Other {
            let from = named.map_or(0, |(end, _, _)| end).min(phrase.start);
            if cues.iter().any(|c| kind(c) == Cue::PastOther && c.start >= from && before(c)) {
                return Some(CrisisTier::Concern.into());
            }
        }

        // A time long past, unless the sentence goes on to say it is back ("i recovered
        // from suicidal thoughts but they came back", not "it never came back").
        let recurs_after = |from: usize| {
            cues.iter().any(|r| {
                kind(r) == Cue::Recurrence
                    && r.start > from
                    && !cues.iter().any(|n| {
                        kind(n) == Cue::Negation && n.end < r.start && words_in(&f[n.end..r.start]) <= 1
                    })
            })
        };
        // After the phrase, a time long past that starts a sentence of its own ("i want
        // to die, i remember feeling this way last year") does not take the phrase with it.
        let opens_clause = |c: &Found| {
            cues.iter().any(|s| kind(s) == Cue::Subject(Who::Writer) && s.start == c.start && s.end < c.end)
        };
        let past = cues.iter().any(|c| {
            kind(c) == Cue::Past
                && !recurs_after(c.end)
                && ((before(c) && !subject_between(c.end, phrase.start))
                    || (after(c)
                        && words_in(&f[phrase.end..c.start]) <= PAST_AFTER_WORDS
                        && !subject_between(phrase.end, c.start)
                        && !opens_clause(c)))
        });
        // A frame with no writer named between it and the phrase ("my roommate's game is
        // loud and I'm so suicidal", "i want to die, i can't even read anymore" stay the
        // writer's). After the phrase, the writer's own thing is part of their life, not a
        // story ("stockpiling my pills behind my books"); before it, it still introduces one
        // ("in my fanfic she says ...").
        let owned = |c: &Found| {
            cues.iter()
                .any(|p| kind(p) == Cue::Possessive && p.end < c.start && words_in(&f[p.end..c.start]) == 0)
        };
        let framed = cues.iter().any(|c| {
            kind(c) == Cue::Frame
                && ((after(c) && !owned(c) && !writer_between(phrase.end, c.start))
                    || (before(c) && !writer_between(c.end, phrase.start)))
        });
        if past || framed {
            return Some(CrisisTier::Concern.into());
        }
        if tier == CrisisTier::Ideation && who == Who::Writer && cues.iter().any(|c| kind(c) == Cue::Urgency)
        {
            tier = CrisisTier::Imminent;
        }
        Some(Verdict { tier, base })
    }
}

/// The text [`CrisisDetector::scan_post`] scans: the three fields on separate lines, so
/// that a phrase never runs from one field into the next, and the content warning (when
/// there is one) marked `CW:` as the writer's own label for their post.
pub fn post_text(title: &str, content_warning: &str, body: &str) -> String {
    let mut s = String::with_capacity(title.len() + content_warning.len() + body.len() + 8);
    s.push_str(title);
    s.push_str("\n\n");
    if !content_warning.trim().is_empty() {
        s.push_str("CW: ");
        s.push_str(content_warning);
    }
    s.push_str("\n\n");
    s.push_str(body);
    s
}

/// Number of words in a folded slice.
fn words_in(s: &str) -> usize {
    s.split(' ').filter(|w| !w.is_empty()).count()
}

/// The folded range around `start..end` that context is read from: up to
/// [`WORDS_BEFORE`] words before and [`WORDS_AFTER`] after, inside the sentence. Both
/// ends are on a space, so cue phrases can match at the edges.
fn sentence_window(f: &str, start: usize, end: usize) -> (usize, usize) {
    let b = f.as_bytes();
    let mut ws = start.min(b.len());
    let mut words = 0;
    while ws > 0 {
        ws -= 1;
        match b[ws] {
            b' ' => {
                words += 1;
                if words > WORDS_BEFORE {
                    break;
                }
            }
            b'.' => {
                ws += 1;
                break;
            }
            _ => {}
        }
    }
    let mut we = end;
    let mut words = 0;
    while we < b.len() {
        match b[we] {
            b' ' => {
                words += 1;
                if words > WORDS_AFTER {
                    we += 1;
                    break;
                }
            }
            b'.' => break,
            _ => {}
        }
        we += 1;
    }
    (ws, we.min(b.len()))
}

/// Counts of a labelled evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub rows: usize,
    pub positives: usize,
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
    pub true_neg: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Evaluation {
    /// Share of at-risk rows flagged at risk.
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }

    /// Share of flagged rows that are at risk.
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    /// Share of not-at-risk rows flagged at risk.
    pub fn false_positive_rate(&self) -> f64 {
        ratio(self.false_pos, self.false_pos + self.true_neg)
    }

    fn add(&mut self, label: bool, flagged: bool) {
        self.rows += 1;
        self.positives += usize::from(label);
        match (label, flagged) {
            (true, true) => self.true_pos += 1,
            (false, true) => self.false_pos += 1,
            (true, false) => self.false_neg += 1,
            (false, false) => self.true_neg += 1,
        }
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rows {} positives {} recall {:.3} precision {:.3} false-positive rate {:.3} (tp {} fp {} fn {} tn {})",
            self.rows,
            self.positives,
            self.recall(),
            self.precision(),
            self.false_positive_rate(),
            self.true_pos,
            self.false_pos,
            self.false_neg,
            self.true_neg
        )
    }
}

/// Scores the detector on a labelled CSV file with columns `text,label` (label 1 = at
/// risk, 0 = not); a row counts as flagged when its tier is at risk.
pub fn evaluate_csv(detector: &CrisisDetector, path: &Path) -> Result<Evaluation, CrisisError> {
    Ok(evaluate(detector, &read_labelled_csv(path)?))
}

/// Scores the detector on labelled rows `(text, at risk)`.
pub fn evaluate(detector: &CrisisDetector, rows: &[(String, bool)]) -> Evaluation {
    let mut eval = Evaluation::default();
    for (text, label) in rows {
        eval.add(*label, detector.scan(text).tier.is_at_risk());
    }
    eval
}

/// Reads a labelled CSV file with columns `text,label` (label 1 = at risk, 0 = not).
pub fn read_labelled_csv(path: &Path) -> Result<Vec<(String, bool)>, CrisisError> {
    let csv_err = |message: String| CrisisError::Csv { path: path.to_owned(), message };
    let mut reader = csv::Reader::from_path(path).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(source) => CrisisError::Io { path: path.to_owned(), source },
        other => csv_err(format!("{other:?}")),
    })?;
    let headers = reader.headers().map_err(|e| csv_err(e.to_string()))?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| csv_err(format!("no {name:?} column")))
    };
    let (text_col, label_col) = (column("text")?, column("label")?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_err(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let text = record.get(text_col).unwrap_or("");
        let label = match record.get(label_col).map(str::trim) {
            Some("1") => true,
            Some("0") => false,
            other => {
                return Err(csv_err(format!("line {line}: label {other:?} is not 0 or 1")));
            }
        };
        rows.push((text.to_owned(), label));
    }
    Ok(rows)
}

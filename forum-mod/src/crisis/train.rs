//! Training and measuring the crisis model: reading a labelled corpus, stochastic gradient
//! descent on the softmax model of [`super::model`], k-fold cross-validation, and the
//! evaluation report (overall, per tier and per kind) that `forum crisis-check --eval`
//! prints.
//!
//! Training is deterministic for a given corpus, seed and options: the only randomness is
//! the order of the posts, drawn from a small generator seeded here, and every sum is
//! taken in a fixed order.
//!
//! A label belongs to a whole post, so the model learns from whole posts; it reads single
//! sentences and pairs only when scoring (see [`super::model::Model::assess`]). Teaching it
//! that every sentence of a post that is not at risk is safe on its own was measured and
//! rejected: "i wanted to die every day" is safe in a recovery story only because of the
//! sentences around it, and learning it as safe cost recall and raised false alarms.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use forum_core::models::CrisisTier;
use serde::Deserialize;

use super::model::{self, K, Layout, Model, TIERS};
use super::{CrisisDetector, CrisisError, Evaluation};

/// One post of a labelled corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub tier: CrisisTier,
    pub kind: String,
    pub lang: String,
}

/// One row of a labelled evaluation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    pub text: String,
    pub at_risk: bool,
    /// The row's tier as written ("" when the file has none).
    pub tier: String,
    /// The row's kind as written ("" when the file has none).
    pub kind: String,
}

#[derive(Deserialize)]
struct Row {
    text: String,
    #[serde(default)]
    tier: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    at_risk: Option<bool>,
}

fn parse_tier(s: &str) -> Option<CrisisTier> {
    TIERS.iter().copied().find(|t| t.as_str() == s)
}

/// Whether a tier name from a labelled file means "at risk": every tier but `none` and
/// `concern` (so `third_party_imminent` and the like count).
fn tier_name_at_risk(tier: &str) -> bool {
    !matches!(tier, "none" | "concern" | "")
}

fn read_rows(path: &Path) -> Result<Vec<(usize, Row)>, CrisisError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| CrisisError::Io { path: path.to_owned(), source })?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(line).map_err(|e| CrisisError::Data {
            file: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        rows.push((i + 1, row));
    }
    Ok(rows)
}

/// Reads a labelled JSON-lines file: `text`, and `tier` or `at_risk` (with both,
/// `at_risk` wins), and optionally `kind`.
pub fn read_labelled_jsonl(path: &Path) -> Result<Vec<Labelled>, CrisisError> {
    read_rows(path)?
        .into_iter()
        .map(|(line, row)| {
            let tier = row.tier.unwrap_or_default();
            let at_risk = match row.at_risk {
                Some(a) => a,
                None if !tier.is_empty() => tier_name_at_risk(&tier),
                None => {
                    return Err(CrisisError::Data {
                        file: path.display().to_string(),
                        line,
                        message: "a row needs \"tier\" or \"at_risk\"".into(),
                    });
                }
            };
            Ok(Labelled { text: row.text, at_risk, tier, kind: row.kind.unwrap_or_default() })
        })
        .collect()
}

/// Reads every `*.jsonl` file of a corpus directory, in name order. Each row needs `text`,
/// `tier` (one of the detector's six) and `kind`; `lang` defaults to `en`.
pub fn read_corpus(dir: &Path) -> Result<Vec<Example>, CrisisError> {
    let io = |source| CrisisError::Io { path: dir.to_owned(), source };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut examples = Vec::new();
    for path in files {
        for (line, row) in read_rows(&path)? {
            let bad = |message: String| CrisisError::Data { file: path.display().to_string(), line, message };
            let tier_name = row.tier.ok_or_else(|| bad("no \"tier\"".into()))?;
            let tier = parse_tier(&tier_name).ok_or_else(|| bad(format!("unknown tier {tier_name:?}")))?;
            let kind = row.kind.filter(|k| !k.is_empty()).ok_or_else(|| bad("no \"kind\"".into()))?;
            examples.push(Example {
                text: row.text,
                tier,
                kind,
                lang: row.lang.unwrap_or_else(|| "en".into()),
            });
        }
    }
    Ok(examples)
}

/// How to train.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Hash buckets are `2^bits`.
    pub bits: u32,
    pub epochs: u32,
    pub seed: u64,
    /// Starting learning rate; it falls linearly to a twentieth of it.
    pub learning_rate: f32,
    /// Weight decay of the features a step touches (L2 regularisation).
    pub l2: f32,
}

impl Default for TrainOptions {
    /// The options the shipped model was trained with, chosen by cross-validation on the
    /// corpus: more hash bits or epochs changed nothing measurable, and weight decay cut
    /// false alarms at the same recall.
    fn default() -> Self {
        TrainOptions { bits: 16, epochs: 20, seed: 1, learning_rate: 1.0, l2: 0.001 }
    }
}

/// A small deterministic generator (SplitMix64) for the order of posts.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// A post turned into features once: the buckets of each sentence.
struct Prepared {
    sentences: Vec<Vec<u32>>,
    rule: Vec<CrisisTier>,
    label: usize,
}

fn prepare(detector: &CrisisDetector, text: &str, tier: CrisisTier, bits: u32) -> Prepared {
    let found = detector.findings(text);
    let layout = Layout::new(&found.folded.text, &found.rules, &found.marks);
    let sentences = (0..layout.sentences.len())
        .map(|s| {
            let mut buckets = Vec::new();
            model::sentence_features(&found.folded.text, &layout, s, bits, |_, b| buckets.push(b));
            buckets
        })
        .collect();
    Prepared { sentences, rule: layout.rule, label: model::output_of(tier) }
}

struct Trainer {
    model: Model,
    learning_rate: f32,
    l2: f32,
}

impl Trainer {
    fn logits(&self, p: &Prepared, (a, b): (usize, usize)) -> [f32; K] {
        let sums: Vec<([f32; K], u32)> = p.sentences[a..b]
            .iter()
            .map(|buckets| {
                let mut s = [0.0f32; K];
                for &bucket in buckets {
                    let at = bucket as usize * K;
                    for (s, w) in s.iter_mut().zip(&self.model.weights[at..at + K]) {
                        *s += w;
                    }
                }
                (s, buckets.len() as u32)
            })
            .collect();
        let rule = model::most_urgent(p.rule[a..b].iter().copied());
        self.model.window_logits(&sums, 0, sums.len(), rule)
    }

    /// One gradient step of the softmax loss on a post.
    fn step(&mut self, p: &Prepared) {
        let (a, b) = (0, p.sentences.len());
        let mut g = self.logits(p, (a, b));
        model::softmax(&mut g);
        g[p.label] -= 1.0;
        let lr = self.learning_rate;
        let n: usize = p.sentences[a..b].iter().map(Vec::len).sum();
        let norm = 1.0 / (n.max(1) as f32).sqrt();
        for buckets in &p.sentences[a..b] {
            for &bucket in buckets {
                let at = bucket as usize * K;
                for (w, g) in self.model.weights[at..at + K].iter_mut().zip(g) {
                    *w -= lr * (g * norm + self.l2 * *w);
                }
            }
        }
        let rule = model::most_urgent(p.rule[a..b].iter().copied());
        if rule != CrisisTier::None {
            let at = model::rule_bucket(rule, self.model.bits) as usize * K;
            for (w, g) in self.model.weights[at..at + K].iter_mut().zip(g) {
                *w -= lr * g;
            }
        }
        for (b, g) in self.model.bias.iter_mut().zip(g) {
            *b -= lr * g * 0.1;
        }
    }
}

/// Trains a model on labelled posts, using `detector`'s folding and rules for its features.
pub fn train(detector: &CrisisDetector, examples: &[Example], options: &TrainOptions) -> Model {
    let prepared: Vec<Prepared> = examples
        .iter()
        .map(|e| prepare(detector, &e.text, e.tier, options.bits))
        .filter(|p| !p.sentences.is_empty())
        .collect();
    let mut trainer =
        Trainer { model: Model::zeros(options.bits), learning_rate: options.learning_rate, l2: options.l2 };
    let mut rng = Rng(options.seed);
    let mut order: Vec<usize> = (0..prepared.len()).collect();
    let steps = (options.epochs as usize * prepared.len()).max(1);
    let mut step = 0usize;
    let mut sum = Model::zeros(options.bits);
    let mut averaged = 0u32;
    for epoch in 0..options.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let progress = step as f32 / steps as f32;
            trainer.learning_rate = options.learning_rate * (1.0 - 0.95 * progress);
            step += 1;
            trainer.step(&prepared[i]);
        }
        // The model is the average of the last half of the epochs: steadier than the last.
        if epoch >= options.epochs / 2 {
            averaged += 1;
            for (s, w) in sum.weights.iter_mut().zip(&trainer.model.weights) {
                *s += w;
            }
            for (s, b) in sum.bias.iter_mut().zip(&trainer.model.bias) {
                *s += b;
            }
        }
    }
    let scale = 1.0 / averaged.max(1) as f32;
    for w in &mut sum.weights {
        *w *= scale;
    }
    for b in &mut sum.bias {
        *b *= scale;
    }
    sum
}

/// The operating point (see [`combine`]): where the model's probability flags a post,
/// where a single sentence or pair flags it, and below which it takes back a rule's
/// at-risk tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    pub flag: f32,
    pub window: f32,
    pub keep: f32,
}

impl OperatingPoint {
    /// The deciding probability from the whole post's and the riskiest window's.
    pub fn risk(&self, whole: f32, window: f32) -> f32 {
        if window >= self.window { whole.max(window) } else { whole }
    }
}

/// The final tier from what the rules found and the model's view (see
/// [`CrisisDetector::scan`]).
///
/// * An at-risk tier from the rules stands, with the rules' tier: they read the phrase in
///   its sentence and say why. Below `keep` (0 by default: never) the model takes back
///   any of them but `imminent`, which becomes `concern`.
/// * Otherwise the model flags the post, with its own tier, at `flag` or above.
///
/// (Letting the model overrule a phrase that the rules cancelled in its context only at a
/// higher threshold was measured and dropped: on the corpus it cost recall in "not
/// suicidal, but …" posts and saved no false alarms.)
pub fn combine(rule: CrisisTier, risk: f32, model_tier: CrisisTier, point: OperatingPoint) -> CrisisTier {
    if rule.is_at_risk() {
        if rule != CrisisTier::Imminent && risk < point.keep { CrisisTier::Concern } else { rule }
    } else if risk >= point.flag {
        model_tier
    } else {
        rule
    }
}

/// What cross-validation predicted for one held-out post.
#[derive(Debug, Clone, Copy)]
pub struct Prediction {
    pub rule: CrisisTier,
    /// The model's probability over the whole post, and in its riskiest window.
    pub whole: f32,
    pub window: f32,
}

impl Prediction {
    /// Whether the detector flags the post at `point`.
    pub fn flagged(&self, point: OperatingPoint) -> bool {
        // Any at-risk tier from the model: only the decision is measured here.
        combine(self.rule, point.risk(self.whole, self.window), CrisisTier::Ideation, point).is_at_risk()
    }
}

/// Out-of-fold predictions of `folds`-fold cross-validation, in the order of `examples`.
pub fn cross_validate(
    detector: &CrisisDetector,
    examples: &[Example],
    folds: usize,
    options: &TrainOptions,
) -> Vec<Prediction> {
    let folds = folds.max(2);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    Rng(options.seed ^ 0x5eed).shuffle(&mut order);
    let mut fold_of = vec![0; examples.len()];
    for (n, &i) in order.iter().enumerate() {
        fold_of[i] = n % folds;
    }
    let mut out = vec![Prediction { rule: CrisisTier::None, whole: 0.0, window: 0.0 }; examples.len()];
    for fold in 0..folds {
        let training: Vec<Example> =
            examples.iter().zip(&fold_of).filter(|(_, f)| **f != fold).map(|(e, _)| e.clone()).collect();
        let model = train(detector, &training, options);
        for (i, e) in examples.iter().enumerate().filter(|(i, _)| fold_of[*i] == fold) {
            let found = detector.findings(&e.text);
            let rule = model::most_urgent(found.rules.iter().map(|r| r.1));
            let a = model.assess(&found.folded.text, &found.rules, &found.marks, 1.0);
            out[i] = Prediction { rule, whole: a.whole, window: a.window };
        }
    }
    out
}

/// Flagged and total counts for one group of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub rows: usize,
    pub at_risk: usize,
    pub flagged: usize,
    /// At-risk rows flagged.
    pub found: usize,
}

/// Evaluation figures overall, per tier and per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub overall: Evaluation,
    pub by_tier: BTreeMap<String, Tally>,
    pub by_kind: BTreeMap<String, Tally>,
    pub by_lang: BTreeMap<String, Tally>,
}

impl Report {
    /// Adds one row: its labels and whether it was flagged.
    pub fn add(&mut self, at_risk: bool, tier: &str, kind: &str, lang: &str, flagged: bool) {
        self.overall.add(at_risk, flagged);
        let count = |map: &mut BTreeMap<String, Tally>, key: &str| {
            if key.is_empty() {
                return;
            }
            let t = map.entry(key.to_owned()).or_default();
            t.rows += 1;
            t.at_risk += usize::from(at_risk);
            t.flagged += usize::from(flagged);
            t.found += usize::from(at_risk && flagged);
        };
        count(&mut self.by_tier, tier);
        count(&mut self.by_kind, kind);
        count(&mut self.by_lang, lang);
    }

    /// Recall over the rows whose tier is one of `tiers`.
    pub fn recall_of(&self, tiers: &[&str]) -> f64 {
        let (found, of) = tiers
            .iter()
            .filter_map(|t| self.by_tier.get(*t))
            .fold((0, 0), |(f, n), t| (f + t.found, n + t.at_risk));
        if of == 0 { 0.0 } else { found as f64 / of as f64 }
    }
}

fn write_groups(f: &mut fmt::Formatter<'_>, title: &str, groups: &BTreeMap<String, Tally>) -> fmt::Result {
    if groups.is_empty() {
        return Ok(());
    }
    writeln!(f, "\n{title:<24} {:>5} {:>8} {:>8} {:>13}", "rows", "at risk", "recall", "false alarms")?;
    for (name, t) in groups {
        let safe = t.rows - t.at_risk;
        let recall =
            if t.at_risk > 0 { format!("{:.3}", t.found as f64 / t.at_risk as f64) } else { "-".to_owned() };
        let alarms = if safe > 0 {
            format!("{:.3}", (t.flagged - t.found) as f64 / safe as f64)
        } else {
            "-".to_owned()
        };
        writeln!(f, "{name:<24} {:>5} {:>8} {recall:>8} {alarms:>13}", t.rows, t.at_risk)?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.overall;
        writeln!(f, "rows                {}", e.rows)?;
        writeln!(f, "at risk             {}", e.positives)?;
        writeln!(f, "true positives      {}", e.true_pos)?;
        writeln!(f, "false positives     {}", e.false_pos)?;
        writeln!(f, "false negatives     {}", e.false_neg)?;
        writeln!(f, "true negatives      {}", e.true_neg)?;
        writeln!(f, "recall              {:.3}", e.recall())?;
        writeln!(f, "precision           {:.3}", e.precision())?;
        write!(f, "false-positive rate {:.3}", e.false_positive_rate())?;
        write_groups(f, "tier", &self.by_tier)?;
        write_groups(f, "kind", &self.by_kind)?;
        write_groups(f, "language", &self.by_lang)
    }
}

/// Scores the detector on labelled rows, with figures per tier and kind.
pub fn evaluate_labelled(detector: &CrisisDetector, rows: &[Labelled]) -> Report {
    let mut report = Report::default();
    for row in rows {
        let flagged = detector.scan(&row.text).tier.is_at_risk();
        report.add(row.at_risk, &row.tier, &row.kind, "", flagged);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Example> {
        let rows: &[(&str, CrisisTier)] = &[
            ("the pills are lined up on the desk and tonight is the night", CrisisTier::Imminent),
            ("i have the rope in the shed and i go after dark", CrisisTier::Imminent),
            ("wrote my letters, the car is in the garage, this is goodbye", CrisisTier::Imminent),
            ("i wish i could sleep and never wake up again", CrisisTier::Ideation),
            ("everyone would be better off if i was gone", CrisisTier::Ideation),
            ("sometimes i hope the bus just hits me", CrisisTier::Ideation),
            ("the craving to open my skin again is loud tonight", CrisisTier::SelfHarm),
            ("my sister sent a goodbye text and her phone is off", CrisisTier::ThirdParty),
            ("this meeting is killing me, send coffee", CrisisTier::None),
            ("my phone died on the train home", CrisisTier::None),
            ("we finally beat the last boss, what a night", CrisisTier::None),
            ("two years ago i tried to end things and today i ran a marathon", CrisisTier::Concern),
            ("if you are struggling the helpline is open all night", CrisisTier::Concern),
            ("burnt my hand on the oven tray making dinner", CrisisTier::None),
        ];
        rows.iter()
            .map(|(t, tier)| Example {
                text: (*t).into(),
                tier: *tier,
                kind: "test".into(),
                lang: "en".into(),
            })
            .collect()
    }

    fn small() -> TrainOptions {
        TrainOptions { bits: 12, epochs: 30, l2: 0.0, ..TrainOptions::default() }
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let d = CrisisDetector::rules_only();
        let a = train(&d, &corpus(), &small());
        let b = train(&d, &corpus(), &small());
        assert_eq!(a.to_bytes(), b.to_bytes());
        let c = train(&d, &corpus(), &TrainOptions { seed: 2, ..small() });
        assert_ne!(a.to_bytes(), c.to_bytes());
    }

    #[test]
    fn training_learns_its_corpus() {
        let d = CrisisDetector::rules_only();
        let examples = corpus();
        let m = train(&d, &examples, &small());
        for e in &examples {
            let found = d.findings(&e.text);
            let a = m.assess(&found.folded.text, &found.rules, &found.marks, 1.0);
            assert_eq!(a.whole >= 0.5, e.tier.is_at_risk(), "{:?}: risk {}", e.text, a.whole);
        }
    }

    #[test]
    fn combining_keeps_the_rules_findings_and_adds_the_models() {
        use CrisisTier::*;
        let point = OperatingPoint { flag: 0.5, window: 0.9, keep: 0.0 };
        assert_eq!(combine(Imminent, 0.0, None, point), Imminent);
        assert_eq!(combine(Ideation, 0.0, None, point), Ideation);
        assert_eq!(combine(SelfHarm, 0.9, Imminent, point), SelfHarm);
        assert_eq!(combine(None, 0.7, Ideation, point), Ideation);
        assert_eq!(combine(Concern, 0.7, ThirdParty, point), ThirdParty);
        assert_eq!(combine(Concern, 0.3, Ideation, point), Concern);
        // An operator who lets the model take back weaker rule findings.
        let keeping = OperatingPoint { keep: 0.1, ..point };
        assert_eq!(combine(Ideation, 0.05, None, keeping), Concern);
        assert_eq!(combine(Imminent, 0.05, None, keeping), Imminent);
        assert_eq!(combine(Ideation, 0.2, None, keeping), Ideation);
        assert_eq!(OperatingPoint { flag: 0.5, window: 0.9, keep: 0.0 }.risk(0.3, 0.95), 0.95);
        assert_eq!(OperatingPoint { flag: 0.5, window: 0.9, keep: 0.0 }.risk(0.3, 0.85), 0.3);
    }

    #[test]
    fn jsonl_rows_take_tier_or_at_risk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(
            &path,
            "{\"text\":\"a\",\"tier\":\"third_party_imminent\",\"kind\":\"k\"}\n\n{\"text\":\"b\",\"tier\":\"concern\"}\n{\"text\":\"c\",\"at_risk\":true}\n",
        )
        .unwrap();
        let rows = read_labelled_jsonl(&path).unwrap();
        assert_eq!(rows.iter().map(|r| r.at_risk).collect::<Vec<_>>(), [true, false, true]);
        assert_eq!(rows[0].kind, "k");
        std::fs::write(&path, "{\"text\":\"a\"}\n").unwrap();
        let err = read_labelled_jsonl(&path).unwrap_err().to_string();
        assert!(err.contains(":1:"), "{err}");
    }

    #[test]
    fn corpus_rows_need_a_known_tier_and_a_kind() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jsonl"), "{\"text\":\"a\",\"tier\":\"ideation\",\"kind\":\"k\"}\n")
            .unwrap();
        std::fs::write(dir.path().join("ignored.txt"), "not json").unwrap();
        let rows = read_corpus(dir.path()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].lang, "en");
        std::fs::write(dir.path().join("b.jsonl"), "{\"text\":\"a\",\"tier\":\"urgent\",\"kind\":\"k\"}\n")
            .unwrap();
        assert!(read_corpus(dir.path()).unwrap_err().to_string().contains("unknown tier"));
    }

    #[test]
    fn report_counts_per_tier_and_kind() {
        let mut r = Report::default();
        r.add(true, "imminent", "direct", "en", true);
        r.add(true, "imminent", "buried", "en", false);
        r.add(false, "none", "idiom", "en", true);
        assert_eq!(r.overall.true_pos, 1);
        assert_eq!(r.recall_of(&["imminent"]), 0.5);
        assert_eq!(r.by_kind["idiom"].flagged, 1);
        let text = r.to_string();
        assert!(text.contains("idiom"), "{text}");
        assert!(text.contains("idiom                        1        0        -         1.000"), "{text}");
    }
}

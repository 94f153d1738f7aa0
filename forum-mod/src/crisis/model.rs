//! The learned half of the crisis detector: a linear model over hashed word and character
//! n-grams of the folded text, which finds the paraphrases that no phrase list can hold
//! ("gave my bike to my brother and wrote everyone a letter").
//!
//! * **Features.** For every word of a sentence: the word, the word with the one before it,
//!   and the character 3-, 4- and 5-grams of `<word>` (so typos, inflections and run-together
//!   words share most of their features), each hashed into one of `2^bits` buckets. The
//!   rules' tier for the same stretch of text is one more feature, so the model learns how
//!   far to trust them.
//! * **Windows.** A post is scored as a whole, sentence by sentence and by pairs of
//!   neighbouring sentences, and it is as risky as its riskiest window: one line of intent
//!   in a long story about work or money is not diluted by the rest. A window's score is
//!   `bias + (sum of its feature weights) / sqrt(features)` per tier, and a softmax over the
//!   six tiers gives calibrated probabilities; "at risk" is the sum of the four at-risk
//!   tiers.
//! * **Why.** The words that weighed most towards "at risk" in the riskiest window are
//!   returned with their positions, so moderators see why the model flagged a post.
//!
//! Weights are trained by [`super::train`] on the project's own corpus
//! (`forum-mod/data/crisis/corpus`) and stored in a small binary file: the built-in one is
//! compiled in, an operator's replaces it (`FORUM_CRISIS_MODEL`).

use std::path::Path;

use forum_core::models::CrisisTier;

use super::CrisisError;

/// The tiers the model predicts, in the order of its outputs.
pub const TIERS: [CrisisTier; 6] = [
    CrisisTier::None,
    CrisisTier::Concern,
    CrisisTier::ThirdParty,
    CrisisTier::SelfHarm,
    CrisisTier::Ideation,
    CrisisTier::Imminent,
];
/// Number of outputs.
pub(crate) const K: usize = TIERS.len();
/// Outputs from this index on are at-risk tiers.
const FIRST_AT_RISK: usize = 2;

/// The model compiled into the binary.
const BUILTIN: &[u8] = include_bytes!("../../data/crisis/model.bin");
const MAGIC: &[u8; 8] = b"FCMODEL1";
/// Hash bits allowed in a model file (a 2^24-bucket model would be 200 MB).
const BITS: std::ops::RangeInclusive<u32> = 8..=22;
/// Words longer than this get no character n-grams (a run of letters is not a word).
const MAX_GRAM_WORD: usize = 40;
/// Words shorter than this get none either: "the", "on" and "i" carry no risk, and their
/// grams only let the model learn who wrote a post instead of what it says. (At 4 or more,
/// no gram of `<word>` is the whole of it.)
const MIN_GRAM_WORD: usize = 4;
/// How many words the model names as its reasons.
const REASONS: usize = 3;

const SEED_WORD: u64 = 0x9e37_79b9_7f4a_7c15;
const SEED_PAIR: u64 = 0xc2b2_ae3d_27d4_eb4f;
const SEED_GRAM: u64 = 0x1656_67b1_9e37_79f9;
const SEED_RULE: u64 = 0x27d4_eb2f_1656_67c5;
const SEED_MARK: u64 = 0x85eb_ca77_c2b2_ae63;
/// Mixed into the seed of a negated word's features.
const NEGATED: u64 = 0x6a09_e667_f3bc_c908;
/// The lexicon's negation cue (see `[negation]` in the lexicon files).
pub(crate) const NEGATION_MARK: &str = "cue:negation";
/// How many words after a negation it reaches ("not going to kill myself").
const NEGATION_SCOPE: usize = 4;
/// Words that end a negation's reach ("not suicidal but i want it to stop").
const SCOPE_ENDS: &[&str] = &["but", "pero", "mais", "aber", "though", "except"];

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub(crate) bits: u32,
    /// `weights[bucket * K + tier]`.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: [f32; K],
}

/// What the model says of a post.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Probability that someone is at risk, read from the whole post.
    pub whole: f32,
    /// The same in the riskiest sentence or pair of neighbouring sentences (0 for a post of
    /// one sentence).
    pub window: f32,
    /// The deciding probability: `whole`, or `window` where that reaches the window
    /// threshold and is higher.
    pub risk: f32,
    /// The most likely at-risk tier where `risk` was read.
    pub tier: CrisisTier,
    /// The sentences where `risk` was read (see [`Model::reasons`]).
    pub(crate) read: (usize, usize),
}

/// The words and sentences of a folded text, with the rules' tier per sentence.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Folded byte range of every word.
    pub words: Vec<(usize, usize)>,
    /// Word index ranges of the sentences (never empty).
    pub sentences: Vec<(usize, usize)>,
    /// The most urgent rule tier found in each sentence (`None` for none).
    pub rule: Vec<CrisisTier>,
    /// The lexicon's marks by sentence: the word they start at and their feature name.
    pub marks: Vec<Vec<(usize, &'static str)>>,
    /// Words in the scope of a negation (see [`NEGATION_SCOPE`]): their features are
    /// kept apart, so "never kill myself" does not weigh like "kill myself".
    pub negated: Vec<bool>,
}

impl Layout {
    /// Splits folded text (words between spaces, ` . ` between sentences) and places each
    /// rule finding (folded start, tier) and lexicon mark in the sentence it starts in.
    pub fn new(f: &str, rules: &[(usize, CrisisTier)], marks: &[(usize, &'static str)]) -> Layout {
        let mut layout = Layout::default();
        let mut sentence_start = 0;
        let mut pos = 0;
        for token in f.split(' ') {
            let (start, end) = (pos, pos + token.len());
            pos = end + 1;
            if token.is_empty() {
                continue;
            }
            if token == "." {
                layout.close_sentence(&mut sentence_start);
            } else {
                layout.words.push((start, end));
            }
        }
        layout.close_sentence(&mut sentence_start);
        layout.rule = vec![CrisisTier::None; layout.sentences.len()];
        layout.marks = vec![Vec::new(); layout.sentences.len()];
        for &(at, tier) in rules {
            if let Some((_, sentence)) = layout.place(at) {
                let slot = &mut layout.rule[sentence];
                if tier.rank() > slot.rank() {
                    *slot = tier;
                }
            }
        }
        layout.negated = vec![false; layout.words.len()];
        for &(at, name) in marks {
            if let Some((word, sentence)) = layout.place(at) {
                layout.marks[sentence].push((word, name));
                if name == NEGATION_MARK {
                    layout.negate_after(f, word, layout.sentences[sentence].1);
                }
            }
        }
        layout
    }

    /// Marks the words after a negation starting at `word` as negated, up to
    /// [`NEGATION_SCOPE`] words, the sentence's end or a "but".
    fn negate_after(&mut self, f: &str, word: usize, sentence_end: usize) {
        for w in word + 1..(word + 1 + NEGATION_SCOPE).min(sentence_end) {
            let (s, e) = self.words[w];
            if SCOPE_ENDS.contains(&&f[s..e]) {
                break;
            }
            self.negated[w] = true;
        }
    }

    /// The word starting at or after folded byte `at`, and its sentence.
    fn place(&self, at: usize) -> Option<(usize, usize)> {
        let word = self.words.partition_point(|&(s, _)| s < at);
        let sentence = self.sentences.partition_point(|&(_, e)| e <= word);
        (sentence < self.sentences.len()).then_some((word, sentence))
    }

    fn close_sentence(&mut self, start: &mut usize) {
        if self.words.len() > *start {
            self.sentences.push((*start, self.words.len()));
        }
        *start = self.words.len();
    }

    /// The windows a post is scored in, as sentence index ranges: the whole post, every
    /// sentence and every pair of neighbours.
    pub fn windows(&self) -> Vec<(usize, usize)> {
        let n = self.sentences.len();
        let mut w = vec![(0, n)];
        if n > 1 {
            w.extend((0..n).map(|i| (i, i + 1)));
        }
        if n > 2 {
            w.extend((0..n - 1).map(|i| (i, i + 2)));
        }
        w
    }

    /// The rules' tier over sentences `a..b`.
    pub fn rule_in(&self, a: usize, b: usize) -> CrisisTier {
        most_urgent(self.rule[a..b].iter().copied())
    }
}

/// The most urgent of some tiers (`None` for none).
pub(crate) fn most_urgent(tiers: impl IntoIterator<Item = CrisisTier>) -> CrisisTier {
    tiers.into_iter().max_by_key(|t| t.rank()).unwrap_or(CrisisTier::None)
}

#[inline]
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A well-mixed bucket from an FNV state (the low bits of FNV alone are weak).
#[inline]
fn bucket(mut h: u64, mask: u64) -> u32 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h & mask) as u32
}

/// Calls `emit(word index, bucket)` for every feature of sentence `s` of `layout`.
pub(crate) fn sentence_features(
    f: &str,
    layout: &Layout,
    s: usize,
    bits: u32,
    mut emit: impl FnMut(usize, u32),
) {
    let mask = (1u64 << bits) - 1;
    let bytes = f.as_bytes();
    let (first, end) = layout.sentences[s];
    let mut padded = [0u8; MAX_GRAM_WORD + 2];
    for i in first..end {
        let (ws, we) = layout.words[i];
        let word = &bytes[ws..we];
        let flip = if layout.negated[i] { NEGATED } else { 0 };
        emit(i, bucket(fnv(SEED_WORD ^ flip, word), mask));
        if i > first {
            let (ps, pe) = layout.words[i - 1];
            emit(i, bucket(fnv(fnv(fnv(SEED_PAIR ^ flip, &bytes[ps..pe]), b" "), word), mask));
        }
        if (MIN_GRAM_WORD..=MAX_GRAM_WORD).contains(&word.len()) {
            let n = word.len() + 2;
            padded[0] = b'<';
            padded[1..n - 1].copy_from_slice(word);
            padded[n - 1] = b'>';
            // Words have at least MIN_GRAM_WORD letters, so no gram is the whole word. The
            // 4- and 5-gram at a place continue the 3-gram's hash.
            for start in 0..n - 2 {
                let mut h = fnv(SEED_GRAM ^ flip, &padded[start..start + 3]);
                emit(i, bucket(h, mask));
                for &next in padded[start + 3..n.min(start + 5)].iter() {
                    h = fnv(h, &[next]);
                    emit(i, bucket(h, mask));
                }
            }
        }
    }
    for &(word, name) in &layout.marks[s] {
        emit(word.min(end - 1), bucket(fnv(SEED_MARK, name.as_bytes()), mask));
    }
}

/// The bucket of the "rules found this tier here" feature.
pub(crate) fn rule_bucket(tier: CrisisTier, bits: u32) -> u32 {
    bucket(fnv(SEED_RULE, tier.as_str().as_bytes()), (1u64 << bits) - 1)
}

/// Softmax of `z` in place.
pub(crate) fn softmax(z: &mut [f32; K]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// Probability of the at-risk tiers.
pub(crate) fn at_risk(p: &[f32; K]) -> f32 {
    p[FIRST_AT_RISK..].iter().sum()
}

/// The output index of a tier.
pub(crate) fn output_of(tier: CrisisTier) -> usize {
    TIERS.iter().position(|t| *t == tier).unwrap_or(0)
}

impl Model {
    /// The model shipped in `forum-mod/data/crisis/model.bin`.
    pub fn builtin() -> Model {
        Model::from_bytes(BUILTIN).expect("the built-in crisis model is valid (tested)")
    }

    /// A model with every weight zero (what training starts from).
    pub(crate) fn zeros(bits: u32) -> Model {
        Model { bits, weights: vec![0.0; (1usize << bits) * K], bias: [0.0; K] }
    }

    /// Reads a model file written by [`Model::to_bytes`].
    pub fn from_file(path: &Path) -> Result<Model, CrisisError> {
        let bytes =
            std::fs::read(path).map_err(|source| CrisisError::Io { path: path.to_owned(), source })?;
        Model::from_bytes(&bytes).map_err(|message| CrisisError::Data {
            file: path.display().to_string(),
            line: 0,
            message,
        })
    }

    /// Parses the model file format: `FCMODEL1`, the hash bits (u32), a scale (f32), the
    /// six biases (f32), then `2^bits * 6` weights as i16 times the scale; little endian.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let header = MAGIC.len() + 4 + 4 + 4 * K;
        if bytes.len() < header || &bytes[..MAGIC.len()] != MAGIC {
            return Err("not a crisis model file (no FCMODEL1 header)".into());
        }
        let word = |at: usize| <[u8; 4]>::try_from(&bytes[at..at + 4]).unwrap_or_default();
        let bits = u32::from_le_bytes(word(8));
        if !BITS.contains(&bits) {
            return Err(format!("hash bits {bits} outside {BITS:?}"));
        }
        let scale = f32::from_le_bytes(word(12));
        let mut bias = [0.0f32; K];
        for (k, b) in bias.iter_mut().enumerate() {
            *b = f32::from_le_bytes(word(16 + 4 * k));
        }
        let n = (1usize << bits) * K;
        let body = &bytes[header..];
        if body.len() != 2 * n {
            return Err(format!("{} bytes of weights, expected {}", body.len(), 2 * n));
        }
        if !scale.is_finite() || bias.iter().any(|b| !b.is_finite()) {
            return Err("a scale or bias is not a finite number".into());
        }
        let weights =
            body.chunks_exact(2).map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) * scale).collect();
        Ok(Model { bits, weights, bias })
    }

    /// The model file (weights quantised to 16 bits).
    pub fn to_bytes(&self) -> Vec<u8> {
        let max = self.weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / f32::from(i16::MAX) } else { 1.0 };
        let mut out = Vec::with_capacity(16 + 4 * K + 2 * self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
        for b in self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for w in &self.weights {
            out.extend_from_slice(&((w / scale).round() as i16).to_le_bytes());
        }
        out
    }

    #[inline]
    fn row(&self, bucket: u32) -> &[f32] {
        let at = bucket as usize * K;
        &self.weights[at..at + K]
    }

    /// The tier logits of sentences `a..b` from their feature sums.
    pub(crate) fn window_logits(
        &self,
        sums: &[([f32; K], u32)],
        a: usize,
        b: usize,
        rule: CrisisTier,
    ) -> [f32; K] {
        let mut z = [0.0f32; K];
        let mut n = 0u32;
        for (s, count) in &sums[a..b] {
            for k in 0..K {
                z[k] += s[k];
            }
            n += count;
        }
        let norm = 1.0 / (n.max(1) as f32).sqrt();
        for (z, bias) in z.iter_mut().zip(self.bias) {
            *z = bias + *z * norm;
        }
        if rule != CrisisTier::None {
            let r = self.row(rule_bucket(rule, self.bits));
            for k in 0..K {
                z[k] += r[k];
            }
        }
        z
    }

    /// Scores folded text `f`, given where the rules found what (folded start, tier) and
    /// where the lexicon's phrases and negations are (folded start, name).
    ///
    /// The whole post decides, read in its context; a single sentence or pair of
    /// sentences decides only when it reaches `window_flag`, a stricter threshold, since a
    /// sentence read alone has lost the context that makes many a risky-sounding line safe
    /// ("that was me two years ago").
    pub fn assess(
        &self,
        f: &str,
        rules: &[(usize, CrisisTier)],
        marks: &[(usize, &'static str)],
        window_flag: f32,
    ) -> Assessment {
        let layout = Layout::new(f, rules, marks);
        if layout.sentences.is_empty() {
            return Assessment { whole: 0.0, window: 0.0, risk: 0.0, tier: CrisisTier::None, read: (0, 0) };
        }
        let sums: Vec<([f32; K], u32)> = (0..layout.sentences.len())
            .map(|s| {
                let mut sum = [0.0f32; K];
                let mut count = 0;
                sentence_features(f, &layout, s, self.bits, |_, b| {
                    let r = self.row(b);
                    for k in 0..K {
                        sum[k] += r[k];
                    }
                    count += 1;
                });
                (sum, count)
            })
            .collect();
        let windows = layout.windows();
        let read = |(a, b): (usize, usize)| {
            let mut p = self.window_logits(&sums, a, b, layout.rule_in(a, b));
            softmax(&mut p);
            (at_risk(&p), p, (a, b))
        };
        let whole = read(windows[0]);
        let riskiest = windows[1..].iter().map(|&w| read(w)).max_by(|x, y| x.0.total_cmp(&y.0));
        let window = riskiest.as_ref().map_or(0.0, |w| w.0);
        let (risk, p, (a, b)) = match riskiest {
            Some(w) if w.0 >= window_flag && w.0 > whole.0 => w,
            _ => whole,
        };
        let top = (FIRST_AT_RISK..K).max_by(|&x, &y| p[x].total_cmp(&p[y])).unwrap_or(K - 1);
        Assessment { whole: whole.0, window, risk, tier: TIERS[top], read: (a, b) }
    }

    /// Folded byte ranges of the words that weighed most towards "at risk" where an
    /// assessment of the same text was read (only asked for posts the model flags).
    pub(crate) fn reasons(
        &self,
        f: &str,
        rules: &[(usize, CrisisTier)],
        marks: &[(usize, &'static str)],
        assessment: &Assessment,
    ) -> Vec<(usize, usize)> {
        let (a, b) = assessment.read;
        if a >= b {
            return Vec::new();
        }
        let layout = &Layout::new(f, rules, marks);
        let (first, end) = (layout.sentences[a].0, layout.sentences[b - 1].1);
        let tier = output_of(assessment.tier);
        let mut weight = vec![0.0f32; end - first];
        for s in a..b {
            sentence_features(f, layout, s, self.bits, |word, bucket| {
                // Towards the tier read, away from the two that are not at risk.
                let r = self.row(bucket);
                weight[word - first] += r[tier] - (r[0] + r[1]) / 2.0;
            });
        }
        let mut order: Vec<usize> = (0..weight.len()).filter(|&i| weight[i] > 0.0).collect();
        order.sort_by(|&x, &y| weight[y].total_cmp(&weight[x]));
        order.truncate(REASONS);
        order.sort_unstable();
        if order.is_empty() {
            // The whole passage then, rather than nothing.
            return vec![(layout.words[first].0, layout.words[end - 1].1)];
        }
        order.into_iter().map(|i| layout.words[first + i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_splits_words_and_sentences_and_places_rules() {
        let f = " i am tired . gave my bike away . tonight ";
        let at = f.find("bike").unwrap();
        let layout = Layout::new(f, &[(at, CrisisTier::Ideation)], &[(at, "cue:now")]);
        assert_eq!(layout.words.len(), 8);
        assert_eq!(layout.sentences, vec![(0, 3), (3, 7), (7, 8)]);
        assert_eq!(layout.rule, vec![CrisisTier::None, CrisisTier::Ideation, CrisisTier::None]);
        assert_eq!(&f[layout.words[5].0..layout.words[5].1], "bike");
        assert_eq!(layout.windows(), vec![(0, 3), (0, 1), (1, 2), (2, 3), (0, 2), (1, 3)]);
        assert_eq!(layout.rule_in(0, 1), CrisisTier::None);
        assert_eq!(layout.rule_in(1, 3), CrisisTier::Ideation);
        assert_eq!(layout.marks, vec![vec![], vec![(5, "cue:now")], vec![]]);
    }

    #[test]
    fn a_negation_reaches_a_few_words_and_stops_at_but() {
        let f = " im not going to kill myself . not suicidal but i want it over ";
        let negations: Vec<(usize, &str)> =
            f.match_indices(" not ").map(|(i, _)| (i + 1, "cue:negation")).collect();
        let layout = Layout::new(f, &[], &negations);
        let negated: Vec<&str> = (0..layout.words.len())
            .filter(|&w| layout.negated[w])
            .map(|w| &f[layout.words[w].0..layout.words[w].1])
            .collect();
        assert_eq!(negated, ["going", "to", "kill", "myself", "suicidal"]);
    }

    #[test]
    fn empty_text_is_not_at_risk() {
        let m = Model::zeros(8);
        assert_eq!(m.assess("  ", &[], &[], 0.9).risk, 0.0);
        assert_eq!(m.assess(" . . ", &[], &[], 0.9).tier, CrisisTier::None);
    }

    #[test]
    fn features_are_words_pairs_and_character_grams() {
        let f = " i gave bike ";
        let layout = Layout::new(f, &[], &[]);
        let mut seen = Vec::new();
        sentence_features(f, &layout, 0, 16, |w, b| seen.push((w, b)));
        // "i" is too short for grams: the word alone. "gave": the word, the pair "i gave",
        // and <ga gav ave ve> + <gav gave ave> + <gave gave> (4 + 3 + 2); "bike" likewise.
        assert_eq!(seen.iter().filter(|(w, _)| *w == 0).count(), 1);
        assert_eq!(seen.iter().filter(|(w, _)| *w == 1).count(), 11);
        assert_eq!(seen.iter().filter(|(w, _)| *w == 2).count(), 11);
        assert!(seen.iter().all(|&(_, b)| b < 1 << 16));
        // The rolling hash gives what hashing each gram afresh gives.
        let mask = (1 << 16) - 1;
        for gram in [&b"<ga"[..], b"<gav", b"<gave", b"ave>", b"gave>", b"ve>"] {
            assert!(
                seen.contains(&(1, bucket(fnv(SEED_GRAM, gram), mask))),
                "{:?}",
                std::str::from_utf8(gram)
            );
        }
    }

    #[test]
    fn file_format_round_trips_and_rejects_garbage() {
        let mut m = Model::zeros(8);
        for (i, w) in m.weights.iter_mut().enumerate() {
            *w = (i as f32 * 0.37).sin();
        }
        m.bias = [0.5, -0.5, 0.25, 0.0, 1.0, -1.0];
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.bias, m.bias);
        let worst = m.weights.iter().zip(&back.weights).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst < 1e-4, "quantisation error {worst}");
        assert!(Model::from_bytes(b"nonsense").is_err());
        let mut short = m.to_bytes();
        short.pop();
        assert!(Model::from_bytes(&short).is_err());
        let mut huge = m.to_bytes();
        huge[8..12].copy_from_slice(&30u32.to_le_bytes());
        assert!(Model::from_bytes(&huge).is_err());
    }

    #[test]
    fn a_risky_word_in_one_sentence_is_not_diluted_by_a_long_story() {
        // A toy model in which one word means "imminent".
        let mut m = Model::zeros(12);
        let f = " tonight ";
        let layout = Layout::new(f, &[], &[]);
        sentence_features(f, &layout, 0, 12, |_, b| m.weights[b as usize * K + 5] += 1.0);
        let short = m.assess(" tonight ", &[], &[], 0.9);
        let story = " the car failed its test and the garage wants money and work is awful . tonight . ";
        let long = m.assess(story, &[], &[], 0.9);
        assert!(short.risk > 0.9);
        assert!((long.risk - short.risk).abs() < 1e-6, "{} vs {}", long.risk, short.risk);
        assert_eq!(long.tier, CrisisTier::Imminent);
        let (s, e) = m.reasons(story, &[], &[], &long)[0];
        assert_eq!(&story[s..e], "tonight");
    }
}

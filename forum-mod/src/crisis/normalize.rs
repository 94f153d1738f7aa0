//! Folding of post text into the form the lexicon is matched against.
//!
//! Real posts dodge word filters and ignore spelling, so both the text and the lexicon
//! phrases are folded the same way before matching:
//!
//! * Unicode compatibility decomposition (NFKD: the compatibility half of NFKC, so
//!   full-width and "bold" letters become plain ones), combining marks dropped (diacritics
//!   folded: `é` → `e`), lower case, `ß` → `ss`, invisible characters removed;
//! * leetspeak inside words mapped back to letters (`k1ll` → `kill`, `su!c!de` →
//!   `suicide`), filter-dodging asterisks resolved against the lexicon's own words
//!   (`k*ll` → `kill`), letters spelled out with separators joined (`s u i c i d e`);
//! * repeated letters collapsed to one (`diiiie` → `die`, and `kill` → `kil`, which is why
//!   phrases are folded too), apostrophes inside words dropped (`don't` → `dont`);
//! * every other run of punctuation and space becomes one space, and sentence ends become
//!   ` . ` so that context rules can stay inside a sentence; emoji listed in the data
//!   become words.
//!
//! The folded text starts and ends with a space, so a phrase `" kill myself "` matches
//! whole words only. For every folded byte we keep the byte range of the original
//! character it came from, which turns folded match positions back into original ones.

use std::collections::HashMap;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Text in folded form, with a map back to the original.
#[derive(Debug, Default)]
pub(crate) struct Folded {
    pub text: String,
    /// For each byte of `text`, the original byte range `(start, end)` it came from.
    pub spans: Vec<(u32, u32)>,
}

impl Folded {
    /// The original byte range of folded bytes `start..end` (`start < end`).
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        (self.spans[start].0 as usize, self.spans[end - 1].1 as usize)
    }

    #[inline]
    fn push(&mut self, c: char, span: (u32, u32)) {
        self.text.push(c);
        if c.is_ascii() {
            self.spans.push(span);
        } else {
            self.spans.resize(self.text.len(), span);
        }
    }

    fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        self.spans.truncate(len);
    }
}

/// What folds the text: the emoji that stand for words and the lexicon's own words, which
/// masked words (`k*ll`) are resolved against.
#[derive(Debug, Default, Clone)]
pub(crate) struct Folder {
    emoji: HashMap<char, String>,
    /// Folded lexicon words (three letters or more), most urgent phrases first.
    dictionary: Vec<String>,
}

/// Longest masked word that is looked up; longer ones are left as they are.
const MAX_MASKED_WORD: usize = 32;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    None,
    /// Whitespace or punctuation; `width` counts the original characters.
    Space {
        span: (u32, u32),
        width: u32,
    },
    /// The end of a sentence.
    Boundary {
        span: (u32, u32),
    },
}

/// Folding state for one text.
struct State<'a> {
    input: &'a str,
    out: Folded,
    gap: Gap,
    /// Folded byte index where the current word starts, if a word is open.
    word_start: Option<usize>,
    /// The last letter pushed in the current word (for collapsing repeats).
    last_letter: Option<char>,
    word_letters: u32,
    word_masked: bool,
    /// Consecutive one-letter words separated by one character, and the positions of
    /// the folded spaces between them.
    single_run: u32,
    run_gaps: [usize; 2],
    joins: Vec<usize>,
    last_gap_pos: usize,
    last_gap_narrow: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The letter a leetspeak symbol stands for.
fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        _ => return None,
    })
}

/// Latin look-alikes from other scripts, used only next to Latin letters.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ѕ' => 's',
        'к' => 'k',
        'ο' => 'o',
        'ι' => 'i',
        'κ' => 'k',
        _ => return None,
    })
}

/// Characters that carry nothing and are used to split words invisibly.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{FE00}'..='\u{FE0F}' | '\u{034F}'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '\n' | '\r' | '…' | '。' | '¡' | '¿' | '|')
}

/// Unit and ordinal endings after a digit (`3am`, `2nd`, `5th`): not leetspeak, while
/// `3nd` is.
fn is_number_suffix(digit: char, s: &str) -> bool {
    match s {
        "st" => return digit == '1',
        "nd" => return digit == '2',
        "rd" => return digit == '3',
        _ => {}
    }
    matches!(
        s,
        "am" | "pm"
            | "th"
            | "s"
            | "k"
            | "m"
            | "h"
            | "x"
            | "yo"
            | "yr"
            | "yrs"
            | "mg"
            | "ml"
            | "kg"
            | "lb"
            | "lbs"
            | "min"
            | "mins"
            | "hr"
            | "hrs"
            | "d"
            | "g"
            | "er"
            | "ers"
    )
}

impl Folder {
    pub fn new(emoji: HashMap<char, String>) -> Self {
        Self { emoji, dictionary: Vec::new() }
    }

    /// Sets the words masked words are resolved against (already folded).
    pub fn set_dictionary(&mut self, words: Vec<String>) {
        self.dictionary = words;
    }

    /// Folds `input`, reusing `out`'s buffers.
    pub fn fold_into(&self, input: &str, out: &mut Folded) {
        out.text.clear();
        out.spans.clear();
        out.text.reserve(input.len() + 8);
        out.spans.reserve(input.len() + 8);
        let mut st = State {
            input,
            out: std::mem::take(out),
            gap: Gap::None,
            word_start: None,
            last_letter: None,
            word_letters: 0,
            word_masked: false,
            single_run: 0,
            run_gaps: [0; 2],
            joins: Vec::new(),
            last_gap_pos: 0,
            last_gap_narrow: false,
        };
        st.out.push(' ', (0, 0));
        let bytes = input.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_alphabetic() && !st.word_masked {
                // Fast path: a run of plain ASCII letters.
                self.open_word(&mut st);
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
                    let c = bytes[j].to_ascii_lowercase() as char;
                    if st.last_letter == Some(c) {
                        if let Some(last) = st.out.spans.last_mut() {
                            last.1 = j as u32 + 1;
                        }
                    } else {
                        st.out.text.push(c);
                        st.out.spans.push((j as u32, j as u32 + 1));
                        st.last_letter = Some(c);
                        st.word_letters += 1;
                    }
                    j += 1;
                }
                i = j;
            } else if b < 0x80 {
                let c = b as char;
                self.ascii(&mut st, c, i);
                i += 1;
            } else {
                let c = input[i..].chars().next().unwrap_or(' ');
                let len = c.len_utf8();
                self.unicode(&mut st, c, i, len);
                i += len;
            }
        }
        self.close_word(&mut st);
        let end = input.len() as u32;
        st.out.push(' ', (end, end));
        if !st.joins.is_empty() {
            join_spelled_out(&mut st.out, &st.joins);
        }
        *out = st.out;
    }

    /// Folds `input` into a new buffer.
    pub fn fold(&self, input: &str) -> Folded {
        let mut out = Folded::default();
        self.fold_into(input, &mut out);
        out
    }

    #[inline]
    fn ascii(&self, st: &mut State<'_>, c: char, i: usize) {
        let span = (i as u32, i as u32 + 1);
        match c {
            'a'..='z' => self.letter(st, c, span),
            'A'..='Z' => self.letter(st, c.to_ascii_lowercase(), span),
            '0'..='9' => self.digit_or_leet(st, c, i, span),
            '!' | '@' | '$' | '|' => {
                if self.leet_symbol_in_word(st, c, i) {
                    if let Some(l) = leet(c) {
                        self.letter(st, l, span);
                    }
                } else {
                    self.separator(st, c, i, span);
                }
            }
            '*' | '#' => {
                if st.word_start.is_some() && st.word_letters > 0 && self.mask_followed_by_letter(st, i) {
                    st.word_masked = true;
                    st.last_letter = None;
                    st.out.push('*', span);
                } else {
                    self.separator(st, c, i, span);
                }
            }
            '\'' | '`' => {
                if st.word_start.is_some() && next_is_letter(st.input, i + 1) {
                    // Dropped inside a word: "don't" folds to "dont".
                } else {
                    self.separator(st, c, i, span);
                }
            }
            _ => self.separator(st, c, i, span),
        }
    }

    fn unicode(&self, st: &mut State<'_>, c: char, i: usize, len: usize) {
        let span = (i as u32, (i + len) as u32);
        if is_invisible(c) {
            return;
        }
        if let Some(word) = self.emoji.get(&c) {
            self.close_word(st);
            if st.gap == Gap::None {
                // An emoji is a word of its own even when written without a space.
                st.gap = Gap::Space { span, width: 1 };
            }
            self.emit_gap(st);
            for w in word.chars() {
                st.out.push(w, span);
            }
            st.gap = Gap::Space { span, width: 1 };
            st.last_gap_narrow = false;
            st.single_run = 0;
            return;
        }
        if is_apostrophe(c) {
            if st.word_start.is_none() || !next_is_letter(st.input, i + len) {
                self.separator(st, c, i, span);
            }
            return;
        }
        if c == 'ß' || c == 'ẞ' {
            // Folds to "ss", which collapses like any repeat.
            self.letter(st, 's', span);
            return;
        }
        if let Some(l) = confusable(c) {
            let latin_near = st.last_letter.is_some_and(|p| p.is_ascii_lowercase())
                || st.input[i + len..].chars().next().is_some_and(|n| n.is_ascii_alphabetic());
            if latin_near {
                self.letter(st, l, span);
                return;
            }
        }
        decompose_compatible(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            if d.is_alphabetic() {
                if d.is_ascii() {
                    self.letter(st, d.to_ascii_lowercase(), span);
                } else {
                    for l in d.to_lowercase() {
                        self.letter(st, l, span);
                    }
                }
            } else if d.is_ascii() {
                // Full-width punctuation and digits decompose to ASCII.
                self.ascii_from_unicode(st, d, i, span);
            } else if d.is_numeric() {
                self.letter(st, d, span);
            } else {
                self.separator(st, d, i, span);
            }
        });
    }

    fn ascii_from_unicode(&self, st: &mut State<'_>, d: char, i: usize, span: (u32, u32)) {
        match d {
            'a'..='z' | '0'..='9' => self.letter(st, d, span),
            'A'..='Z' => self.letter(st, d.to_ascii_lowercase(), span),
            _ => self.separator(st, d, i, span),
        }
    }

    /// Whether `!`, `@`, `$` or `|` at `i` stands for a letter: only between letters.
    fn leet_symbol_in_word(&self, st: &State<'_>, c: char, i: usize) -> bool {
        if st.word_start.is_none() || st.word_letters == 0 {
            return false;
        }
        let next = st.input.as_bytes().get(i + 1).copied();
        match next {
            Some(n) if n.is_ascii_alphabetic() => true,
            // "su!!cide", "k!!ll": a run of the same symbol inside a word.
            Some(n) if n == c as u8 => {
                st.input.as_bytes().get(i + 2).is_some_and(|m| m.is_ascii_alphabetic())
            }
            _ => false,
        }
    }

    fn mask_followed_by_letter(&self, st: &State<'_>, i: usize) -> bool {
        let rest = &st.input.as_bytes()[i..];
        let stars = rest.iter().take_while(|&&b| b == b'*' || b == b'#').count();
        stars <= 4 && rest.get(stars).is_some_and(|b| b.is_ascii_alphabetic())
    }

    fn digit_or_leet(&self, st: &mut State<'_>, c: char, i: usize, span: (u32, u32)) {
        if let Some(l) = leet(c) {
            let bytes = st.input.as_bytes();
            let next = bytes.get(i + 1).copied();
            let next_alpha = next.is_some_and(|n| {
                n.is_ascii_alphabetic() || matches!(n, b'0' | b'1' | b'3' | b'4' | b'5' | b'7')
            });
            let in_word = st.word_start.is_some() && st.word_letters > 0;
            let leet_here = if in_word {
                next_alpha || (matches!(c, '3' | '0') && !next.is_some_and(|n| n.is_ascii_alphanumeric()))
            } else if st.word_start.is_none() && next.is_some_and(|n| n.is_ascii_alphabetic()) {
                // A digit starting a word: "3nd" is leet, "3am" and "2nd" are not.
                let rest: &[u8] = &bytes[i + 1..];
                let n = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                let tail = &st.input[i + 1..i + 1 + n];
                n >= 2
                    && tail.bytes().all(|b| b.is_ascii_alphabetic())
                    && !is_number_suffix(c, &tail.to_ascii_lowercase())
            } else {
                false
            };
            if leet_here {
                self.letter(st, l, span);
                return;
            }
        }
        self.open_word(st);
        st.last_letter = None;
        st.out.push(c, span);
    }

    #[inline]
    fn open_word(&self, st: &mut State<'_>) {
        if st.word_start.is_none() {
            self.emit_gap(st);
            st.word_start = Some(st.out.text.len());
            st.word_letters = 0;
            st.word_masked = false;
            st.last_letter = None;
        }
    }

    #[inline]
    fn letter(&self, st: &mut State<'_>, c: char, span: (u32, u32)) {
        self.open_word(st);
        if st.last_letter == Some(c) {
            // Collapse repeats; the kept letter now covers this character too.
            if let Some(last) = st.out.spans.last_mut() {
                last.1 = span.1;
            }
            return;
        }
        self.letter_force(st, c, span);
    }

    #[inline]
    fn letter_force(&self, st: &mut State<'_>, c: char, span: (u32, u32)) {
        self.open_word(st);
        st.out.push(c, span);
        st.last_letter = Some(c);
        st.word_letters += 1;
    }

    #[inline]
    fn separator(&self, st: &mut State<'_>, c: char, i: usize, span: (u32, u32)) {
        self.close_word(st);
        let boundary = is_sentence_end(c) && !(c == '.' && self.spelled_out_dot(st, i));
        st.gap = match (st.gap, boundary) {
            (Gap::Boundary { span: s }, _) => Gap::Boundary { span: (s.0, span.1) },
            (_, true) => Gap::Boundary { span },
            (Gap::Space { span: s, width }, false) => Gap::Space { span: (s.0, span.1), width: width + 1 },
            (Gap::None, false) => Gap::Space { span, width: 1 },
        };
    }

    /// A dot between single letters ("s.u.i.c.i.d.e") separates letters, not sentences.
    fn spelled_out_dot(&self, st: &State<'_>, i: usize) -> bool {
        let bytes = st.input.as_bytes();
        let prev_single =
            i >= 1 && bytes[i - 1].is_ascii_alphabetic() && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric());
        prev_single && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic())
    }

    #[inline]
    fn emit_gap(&self, st: &mut State<'_>) {
        if st.out.text.len() == 1 {
            // Nothing before it but the leading space.
            st.gap = Gap::None;
            return;
        }
        match st.gap {
            Gap::None => {}
            Gap::Space { span, width } => {
                st.last_gap_pos = st.out.text.len();
                st.last_gap_narrow = width == 1;
                st.out.push(' ', span);
            }
            Gap::Boundary { span } => {
                st.last_gap_narrow = false;
                st.out.push(' ', span);
                st.out.push('.', span);
                st.out.push(' ', span);
            }
        }
        st.gap = Gap::None;
    }

    #[inline]
    fn close_word(&self, st: &mut State<'_>) {
        let Some(start) = st.word_start.take() else {
            return;
        };
        if st.word_masked {
            self.resolve_mask(&mut st.out, start);
        }
        let word = &st.out.text[start..];
        let single = word.len() == 1 && word.as_bytes()[0].is_ascii_alphabetic();
        if single {
            if st.single_run > 0 && st.last_gap_narrow {
                st.single_run += 1;
                match st.single_run {
                    2 => st.run_gaps[0] = st.last_gap_pos,
                    3 => {
                        st.joins.push(st.run_gaps[0]);
                        st.joins.push(st.last_gap_pos);
                    }
                    _ => st.joins.push(st.last_gap_pos),
                }
            } else {
                st.single_run = 1;
            }
        } else {
            st.single_run = 0;
        }
        st.last_letter = None;
    }

    /// Replaces a masked word (`k*l`, `s**cide`) by the first lexicon word it fits.
    fn resolve_mask(&self, out: &mut Folded, start: usize) {
        let masked = &out.text[start..];
        if masked.len() > MAX_MASKED_WORD {
            return;
        }
        let Some(found) = self.dictionary.iter().find(|w| glob(masked.as_bytes(), w.as_bytes())) else {
            return;
        };
        let span = (out.spans[start].0, out.spans[out.spans.len() - 1].1);
        let same_len = found.len() == masked.len();
        let old: Vec<(u32, u32)> = if same_len { out.spans[start..].to_vec() } else { Vec::new() };
        out.truncate(start);
        for (k, ch) in found.chars().enumerate() {
            let s = if same_len { old[k] } else { span };
            out.push(ch, s);
        }
    }
}

fn next_is_letter(input: &str, at: usize) -> bool {
    input[at..].chars().next().is_some_and(is_word_char)
}

/// Whether `word` with `*` runs (each standing for one to three letters) matches `target`.
/// Both are short (at most [`MAX_MASKED_WORD`] bytes), so the bounded search is cheap.
fn glob(word: &[u8], target: &[u8]) -> bool {
    match word.first() {
        None => target.is_empty(),
        Some(b'*') => {
            let stars = word.iter().take_while(|&&b| b == b'*').count();
            let rest = &word[stars..];
            (stars..=stars + 2).any(|n| n <= target.len() && glob(rest, &target[n..]))
        }
        Some(&c) => target.first() == Some(&c) && glob(&word[1..], &target[1..]),
    }
}

/// Removes the spaces between letters spelled out one by one ("k i l l" → "kil").
fn join_spelled_out(out: &mut Folded, joins: &[usize]) {
    let text = std::mem::take(&mut out.text).into_bytes();
    let spans = std::mem::take(&mut out.spans);
    let mut new_text = Vec::with_capacity(text.len());
    let mut new_spans = Vec::with_capacity(spans.len());
    let mut k = 0;
    let mut i = 0;
    while i < text.len() {
        if k < joins.len() && joins[k] == i {
            k += 1;
            // Skip the space; collapse a repeated letter across it ("l l" → "l").
            if i + 1 < text.len() && new_text.last() == Some(&text[i + 1]) {
                if let Some(last) = new_spans.last_mut() {
                    let last: &mut (u32, u32) = last;
                    last.1 = spans[i + 1].1;
                }
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        new_text.push(text[i]);
        new_spans.push(spans[i]);
        i += 1;
    }
    // Only ASCII spaces and ASCII letters were removed, so the bytes stay valid UTF-8.
    out.text = String::from_utf8(new_text).unwrap_or_default();
    out.spans = new_spans;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> Folder {
        let mut emoji = HashMap::new();
        emoji.insert('🔪', "stab".to_owned());
        emoji.insert('💊', "pils".to_owned());
        let mut f = Folder::new(emoji);
        f.set_dictionary(vec!["suicide".into(), "kil".into(), "myself".into(), "die".into()]);
        f
    }

    #[test]
    fn folds_like_the_lexicon_expects() {
        let f = folder();
        let cases = [
            ("I want to DIE", " i want to die "),
            ("k1ll mys3lf", " kil myself "),
            ("su!c!de", " suicide "),
            ("s u i c i d e", " suicide "),
            ("s.u.i.c.i.d.e", " suicide "),
            ("k i l l  m y s e l f", " kil myself "),
            ("diiiiiie", " die "),
            ("k*ll m*self", " kil myself "),
            ("s**cide", " suicide "),
            ("don't", " dont "),
            ("I don’t want to", " i dont want to "),
            ("ｋｉｌｌ", " kil "),
            ("Ich möchte STERBEN", " ich mochte sterben "),
            ("Straße", " strase "),
            ("strasse", " strase "),
            ("end. it", " end . it "),
            ("at 3am", " at 3am "),
            ("3nd it", " end it "),
            ("self-harm", " self harm "),
            ("help! ok", " help . ok "),
            ("help!", " help "),
            ("z\u{200B}ero", " zero "),
            ("i 🔪 myself", " i stab myself "),
            ("💊💊", " pils pils "),
            ("take💊now", " take pils now "),
            ("2nd 3rd 5th", " 2nd 3rd 5th "),
            ("*bold* text", " bold text "),
            ("100mg", " 100mg "),
            ("kіll", " kil "),
        ];
        for (input, want) in cases {
            assert_eq!(f.fold(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn spans_point_into_the_original() {
        let f = folder();
        let input = "Oh. I want to DIIIE now";
        let folded = f.fold(input);
        let at = folded.text.find("die").expect("folded");
        let (s, e) = folded.original_range(at, at + 3);
        assert_eq!(&input[s..e], "DIIIE");
        let input = "well k i l l now";
        let folded = f.fold(input);
        let at = folded.text.find("kil").expect("folded");
        let (s, e) = folded.original_range(at, at + 3);
        assert_eq!(&input[s..e], "k i l l");
        let input = "é ünïcödé ok";
        let folded = f.fold(input);
        for &(s, e) in &folded.spans {
            assert!(input.is_char_boundary(s as usize) && input.is_char_boundary(e as usize));
        }
    }
}

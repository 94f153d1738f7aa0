//! The secret a member holds instead of an account: 120 random bits, written as a recovery
//! phrase of six groups of four characters (Crockford base32: no I, L, O or U to misread).

use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const BYTES: usize = 15;
const CHARS: usize = BYTES * 8 / 5;

/// A member's key. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct PosterKey([u8; BYTES]);

impl fmt::Debug for PosterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PosterKey(..)")
    }
}

impl PosterKey {
    /// A new key from the operating system's cryptographic generator.
    pub fn generate() -> Self {
        Self(rand::random())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The 24 characters as stored in the member's cookie.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(CHARS);
        let mut buffer: u64 = 0;
        let mut bits = 0;
        for &byte in &self.0 {
            buffer = (buffer << 8) | u64::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
            }
        }
        out
    }

    /// The phrase to write down: `ABCD-EFGH-…`.
    pub fn phrase(&self) -> String {
        let code = self.encode();
        code.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a key as typed: case, spaces and dashes do not matter, and the letters O, I and
    /// L are read as the digits they look like.
    pub fn parse(text: &str) -> Option<Self> {
        let mut buffer: u64 = 0;
        let mut bits = 0;
        let mut out = [0u8; BYTES];
        let mut n = 0;
        let mut chars = 0;
        for c in text.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' | '\n' | '\r' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            let value = ALPHABET.iter().position(|&a| a as char == c)? as u64;
            chars += 1;
            if chars > CHARS {
                return None;
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out[n] = ((buffer >> bits) & 0xff) as u8;
                n += 1;
            }
        }
        (chars == CHARS).then_some(Self(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_phrases() {
        for _ in 0..100 {
            let key = PosterKey::generate();
            assert_eq!(key.encode().len(), 24);
            assert_eq!(PosterKey::parse(&key.encode()), Some(key.clone()));
            assert_eq!(PosterKey::parse(&key.phrase().to_lowercase()), Some(key.clone()));
            assert_eq!(key.phrase().len(), 29);
        }
    }

    #[test]
    fn lookalike_letters_and_bad_input() {
        let key = PosterKey([0; BYTES]);
        assert_eq!(key.encode(), "0".repeat(24));
        assert_eq!(PosterKey::parse(&"O".repeat(24)), Some(key));
        assert_eq!(PosterKey::parse("0000"), None);
        assert_eq!(PosterKey::parse(&"0".repeat(25)), None);
        assert_eq!(PosterKey::parse(&"U".repeat(24)), None);
        assert_eq!(PosterKey::parse("ü"), None);
    }
}

//! The server's secret, made on first run and kept in the database, so that every web process
//! behind a load balancer derives the same keys. Each purpose gets its own key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::DbConn;
use crate::error::CoreResult;
use crate::models::Setting;

const SETTING: &str = "server_secret";

/// Keys derived from the server secret. `Debug` never shows them.
#[derive(Clone)]
pub struct Secrets {
    master: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// What a derived key is for; one key never serves two purposes.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    /// Hashing a member's poster key before it is stored.
    PosterKey,
    /// Deriving per-thread pseudonyms.
    Pseudonym,
    /// Signing CSRF tokens.
    Csrf,
    /// Hashing a client's network for abuse control (reports, bans).
    Network,
    /// Hashing moderator session tokens.
    Session,
    /// The code a member gives an admin to be made a peer supporter.
    SupporterCode,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::PosterKey => b"poster-key",
            Self::Pseudonym => b"pseudonym",
            Self::Csrf => b"csrf",
            Self::Network => b"network",
            Self::Session => b"session",
            Self::SupporterCode => b"supporter-code",
        }
    }
}

impl Secrets {
    /// Loads the server secret, creating it on first run. Safe when several processes start
    /// at once: whoever inserts first wins and the others read that value.
    pub fn load_or_create(conn: &mut DbConn) -> CoreResult<Self> {
        let fresh: [u8; 32] = rand::random();
        let stored = Setting::get_or_insert(conn, SETTING, &hex(&fresh))?;
        let master = unhex(&stored)
            .ok_or_else(|| crate::error::CoreError::Config("the stored server secret is malformed".into()))?;
        Ok(Self { master })
    }

    /// Fixed keys for tests.
    pub fn from_bytes(master: [u8; 32]) -> Self {
        Self { master }
    }

    /// HMAC-SHA256 of `parts` under the key for `purpose`.
    pub fn mac(&self, purpose: Purpose, parts: &[&[u8]]) -> [u8; 32] {
        let mut key = <Hmac<Sha256> as Mac>::new_from_slice(&self.master).expect("any key length");
        key.update(purpose.label());
        let derived = key.finalize().into_bytes();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&derived).expect("any key length");
        for part in parts {
            // Length-prefix each part so that ("ab","c") and ("a","bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// The keyed hash as lower-case hex, for storage.
    pub fn mac_hex(&self, purpose: Purpose, parts: &[&[u8]]) -> String {
        hex(&self.mac(purpose, parts))
    }

    /// Checks a MAC truncated to `tag.len()` bytes (at least 16), in constant time.
    pub fn verify_prefix(&self, purpose: Purpose, parts: &[&[u8]], tag: &[u8]) -> bool {
        let expected = self.mac(purpose, parts);
        tag.len() >= 16
            && tag.len() <= expected.len()
            && expected.iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    /// Checks a MAC in constant time.
    pub fn verify(&self, purpose: Purpose, parts: &[&[u8]], tag: &[u8]) -> bool {
        let expected = self.mac(purpose, parts);
        tag.len() == expected.len() && expected.iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl Secrets {
    /// The code that names a member to an admin for the peer-supporter role: their poster id
    /// with a MAC, so that codes cannot be guessed or forged.
    pub fn supporter_code(&self, poster: crate::ids::PosterId) -> String {
        let mac = self.mac(Purpose::SupporterCode, &[&poster.0.to_be_bytes()]);
        format!("S{}-{}", poster.0, &hex(&mac)[..8])
    }

    /// The poster a supporter code names, if it is genuine.
    pub fn parse_supporter_code(&self, code: &str) -> Option<crate::ids::PosterId> {
        let (id, _) = code.trim().strip_prefix('S')?.split_once('-')?;
        let poster = crate::ids::PosterId(id.parse().ok()?);
        (self.supporter_code(poster) == code.trim()).then_some(poster)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let digit = |c: u8| (c as char).to_digit(16);
        *byte = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_give_unrelated_keys() {
        let s = Secrets::from_bytes([7; 32]);
        assert_ne!(s.mac(Purpose::Csrf, &[b"x"]), s.mac(Purpose::Session, &[b"x"]));
        assert_ne!(s.mac(Purpose::Csrf, &[b"ab", b"c"]), s.mac(Purpose::Csrf, &[b"a", b"bc"]));
        assert_eq!(s.mac(Purpose::Csrf, &[b"x"]), Secrets::from_bytes([7; 32]).mac(Purpose::Csrf, &[b"x"]));
        let tag = s.mac(Purpose::Csrf, &[b"x"]);
        assert!(s.verify(Purpose::Csrf, &[b"x"], &tag));
        assert!(!s.verify(Purpose::Csrf, &[b"y"], &tag));
        assert!(!s.verify(Purpose::Csrf, &[b"x"], &tag[..31]));
    }

    #[test]
    fn supporter_codes_cannot_be_forged() {
        let s = Secrets::from_bytes([3; 32]);
        let code = s.supporter_code(crate::ids::PosterId(42));
        assert!(code.starts_with("S42-"), "{code}");
        assert_eq!(s.parse_supporter_code(&code), Some(crate::ids::PosterId(42)));
        assert_eq!(s.parse_supporter_code("S43-00000000"), None);
        assert_eq!(s.parse_supporter_code(&code.replace("S42", "S43")), None);
        assert_eq!(Secrets::from_bytes([4; 32]).parse_supporter_code(&code), None);
        assert_eq!(s.parse_supporter_code("nonsense"), None);
    }

    #[test]
    fn hex_round_trips() {
        let bytes: [u8; 4] = [0, 15, 16, 255];
        assert_eq!(hex(&bytes), "000f10ff");
        assert_eq!(unhex::<4>("000f10ff"), Some(bytes));
        assert_eq!(unhex::<4>("000f10f"), None);
        assert_eq!(unhex::<4>("000f10fg"), None);
    }
}

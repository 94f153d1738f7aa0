//! Crisis resources from a data file (built in, or `FORUM_HELPLINES`).

use anyhow::Context;
use serde::Deserialize;

const BUILT_IN: &str = include_str!("../data/helplines.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Helplines {
    /// When the entries were last checked against their sources.
    pub checked: String,
    #[serde(rename = "region")]
    pub regions: Vec<Region>,
    /// The international directory, shown whatever the region.
    pub anywhere: Service,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub emergency: String,
    #[serde(rename = "service")]
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub name: String,
    pub how: String,
    #[serde(default)]
    pub hours: String,
    pub url: String,
    #[serde(default)]
    pub source: String,
}

impl Helplines {
    pub fn built_in() -> Self {
        Self::parse(BUILT_IN).expect("the built-in helplines file parses (tested)")
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let parsed: Self = toml::from_str(text)?;
        anyhow::ensure!(!parsed.regions.is_empty(), "the helplines file lists no region");
        Ok(parsed)
    }

    /// `FORUM_HELPLINES` names an operator's own file; otherwise the built-in one.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var("FORUM_HELPLINES") {
            Ok(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read FORUM_HELPLINES file {path}"))?;
                Self::parse(&text).with_context(|| format!("FORUM_HELPLINES file {path}"))
            }
            Err(_) => Ok(Self::built_in()),
        }
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_file_has_the_core_services() {
        let h = Helplines::built_in();
        let all: Vec<&str> =
            h.regions.iter().flat_map(|r| r.services.iter().map(|s| s.how.as_str())).collect();
        for needle in ["988", "741741", "116 123", "85258", "9-8-8", "13 11 14"] {
            assert!(all.iter().any(|how| how.contains(needle)), "{needle}");
        }
        assert!(h.anywhere.url.contains("findahelpline.com"));
        assert_eq!(h.region("uk").map(|r| r.emergency.as_str()), Some("999"));
        assert!(Helplines::parse("checked = \"x\"").is_err());
    }
}

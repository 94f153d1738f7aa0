//! Word rules: a word, phrase or regular expression, and what to do when a post contains it.
//! Compiled once whenever the rules change; matching is linear-time (the `regex` crate).

use forum_core::models::{RuleAction, WordRule};
use regex::{Regex, RegexBuilder};

/// One compiled rule.
#[derive(Debug, Clone)]
struct Compiled {
    pattern: String,
    regex: Regex,
    action: RuleAction,
    message: String,
}

/// The rules in force.
#[derive(Debug, Clone, Default)]
pub struct WordRules {
    rules: Vec<Compiled>,
}

/// What the rules say about a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOutcome {
    /// A block rule matched: the message for the writer.
    pub blocked: Option<String>,
    /// A hold rule matched: its pattern.
    pub hold: Option<String>,
    /// A flag rule matched: its pattern.
    pub flag: Option<String>,
}

/// Compiles one pattern as a rule would, to check it before it is saved.
pub fn compile(pattern: &str, is_regex: bool) -> Result<Regex, String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err("A rule needs a word, phrase or pattern.".into());
    }
    let source = if is_regex { pattern.to_owned() } else { format!(r"\b{}\b", regex::escape(pattern)) };
    RegexBuilder::new(&source)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("That regular expression does not work: {e}"))
}

impl WordRules {
    /// Compiles the stored rules; a rule that no longer compiles is skipped and logged.
    pub fn new(rules: &[WordRule]) -> Self {
        let rules = rules
            .iter()
            .filter_map(|r| match compile(&r.pattern, r.is_regex) {
                Ok(regex) => Some(Compiled {
                    pattern: r.pattern.clone(),
                    regex,
                    action: r.action,
                    message: r.message.clone(),
                }),
                Err(e) => {
                    tracing::warn!(rule = %r.id, error = %e, "word rule skipped");
                    None
                }
            })
            .collect();
        Self { rules }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Applies the replace rules to a text.
    pub fn replace(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for rule in self.rules.iter().filter(|r| r.action == RuleAction::Replace) {
            if rule.regex.is_match(&out) {
                out = rule.regex.replace_all(&out, regex::NoExpand(&rule.message)).into_owned();
            }
        }
        out
    }

    /// What the block, hold and flag rules say about these texts (the first match of each kind).
    pub fn check(&self, texts: &[&str]) -> RuleOutcome {
        let mut outcome = RuleOutcome::default();
        for rule in &self.rules {
            if !texts.iter().any(|t| rule.regex.is_match(t)) {
                continue;
            }
            let slot = match rule.action {
                RuleAction::Block => &mut outcome.blocked,
                RuleAction::Hold => &mut outcome.hold,
                RuleAction::Flag => &mut outcome.flag,
                RuleAction::Replace => continue,
            };
            if slot.is_none() {
                *slot = Some(if rule.action == RuleAction::Block {
                    if rule.message.is_empty() {
                        "This post contains something this forum does not allow.".into()
                    } else {
                        rule.message.clone()
                    }
                } else {
                    rule.pattern.clone()
                });
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use forum_core::ids::WordRuleId;

    fn rule(pattern: &str, is_regex: bool, action: RuleAction, message: &str) -> WordRule {
        WordRule {
            id: WordRuleId(1),
            pattern: pattern.into(),
            is_regex,
            action,
            message: message.into(),
            created_at: forum_core::db::now(),
        }
    }

    #[test]
    fn words_match_whole_and_case_blind() {
        let rules = WordRules::new(&[rule("spamword", false, RuleAction::Block, "No spam, please.")]);
        assert_eq!(rules.check(&["buy SPAMWORD now"]).blocked.as_deref(), Some("No spam, please."));
        assert_eq!(rules.check(&["spamwordy"]).blocked, None);
    }

    #[test]
    fn each_action_is_reported() {
        let rules = WordRules::new(&[
            rule("hold me", false, RuleAction::Hold, ""),
            rule(r"\d{3}-\d{4}", true, RuleAction::Flag, ""),
            rule("darn", false, RuleAction::Replace, "d***"),
            rule("(", true, RuleAction::Block, ""),
        ]);
        let outcome = rules.check(&["please hold me", "call 555-1234"]);
        assert_eq!(outcome.hold.as_deref(), Some("hold me"));
        assert_eq!(outcome.flag.as_deref(), Some(r"\d{3}-\d{4}"));
        assert_eq!(outcome.blocked, None, "the broken regex was skipped");
        assert_eq!(rules.replace("Darn it, darn $1"), "d*** it, d*** $1");
    }

    #[test]
    fn bad_patterns_are_refused_before_saving() {
        assert!(compile("", false).is_err());
        assert!(compile("(", true).is_err());
        assert!(compile("(", false).is_ok(), "plain text is escaped");
    }
}

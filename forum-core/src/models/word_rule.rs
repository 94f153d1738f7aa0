use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::CoreResult;
use crate::ids::WordRuleId;
use crate::schema::word_rules;
use crate::text_enum::text_enum;

text_enum! {
    /// What happens to a post that contains a rule's pattern.
    pub enum RuleAction {
        /// Refused, with the rule's message shown to the writer (their text is kept in the form).
        Block = "block",
        /// Stored, but waits for a moderator.
        Hold = "hold",
        /// Published, and put in the queue for a look.
        Flag = "flag",
        /// The match is replaced by the rule's message.
        Replace = "replace",
    }
}

/// A word, phrase or regular expression and what to do about it.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = word_rules)]
pub struct WordRule {
    pub id: WordRuleId,
    pub pattern: String,
    pub is_regex: bool,
    pub action: RuleAction,
    pub message: String,
    pub created_at: NaiveDateTime,
}

impl WordRule {
    pub fn all(conn: &mut DbConn) -> CoreResult<Vec<WordRule>> {
        Ok(word_rules::table.order(word_rules::id).load(conn)?)
    }

    pub fn insert(
        conn: &mut DbConn,
        pattern: &str,
        is_regex: bool,
        action: RuleAction,
        message: &str,
    ) -> CoreResult<WordRule> {
        Ok(diesel::insert_into(word_rules::table)
            .values((
                word_rules::pattern.eq(pattern),
                word_rules::is_regex.eq(is_regex),
                word_rules::action.eq(action),
                word_rules::message.eq(message),
                word_rules::created_at.eq(now()),
            ))
            .get_result(conn)?)
    }

    pub fn delete(conn: &mut DbConn, id: WordRuleId) -> CoreResult<()> {
        diesel::delete(word_rules::table.find(id)).execute(conn)?;
        Ok(())
    }
}

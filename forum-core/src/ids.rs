//! Typed ids, so that a `PostId` can never be passed where a `ThreadId` is meant.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Integer;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            AsExpression, FromSqlRow, Serialize, Deserialize,
        )]
        #[diesel(sql_type = Integer)]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl<DB: Backend> ToSql<Integer, DB> for $name
        where
            i32: ToSql<Integer, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Integer, DB> for $name
        where
            i32: FromSql<Integer, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i32::from_sql(bytes).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id_type!(
    /// A support group.
    BoardId,
    /// A conversation in a board.
    ThreadId,
    /// One message in a thread.
    PostId,
    /// A pseudonymous member identity.
    PosterId,
    /// One report about a post.
    ReportId,
    /// A moderator account.
    ModeratorId,
    /// A ban of a poster.
    BanId,
    /// An entry of the moderation log.
    ModLogId,
    /// An item in the moderation queue.
    QueueItemId,
    /// A moderator's private note on a queue item.
    QueueNoteId,
    /// A word rule.
    WordRuleId,
    /// A request for one-on-one support.
    SupportRequestId,
    /// A private conversation between a member and a peer supporter.
    ConversationId,
    /// One message in a conversation.
    MessageId,
);

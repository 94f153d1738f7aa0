use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::error::CoreResult;
use crate::ids::{PostId, QueueItemId, ReportId};
use crate::schema::reports;
use crate::text_enum::text_enum;

text_enum! {
    /// Why someone reported a post.
    pub enum ReportReason {
        AtRisk = "at_risk",
        Harassment = "harassment",
        Spam = "spam",
        GraphicSelfHarm = "graphic_self_harm",
        Misinformation = "misinformation",
        Other = "other",
    }
}

impl ReportReason {
    /// How the reason reads in forms and in the queue.
    pub fn label(self) -> &'static str {
        match self {
            Self::AtRisk => "Someone may be at risk",
            Self::Harassment => "Harassment or bullying",
            Self::Spam => "Spam",
            Self::GraphicSelfHarm => "Graphic self-harm content",
            Self::Misinformation => "Misinformation",
            Self::Other => "Something else",
        }
    }
}

/// One report about a post, with a copy of the post as it was then. The reporter is kept
/// only as a keyed hash of their network, for abuse control; it is never shown.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: ReportId,
    pub post_id: PostId,
    pub queue_item_id: QueueItemId,
    pub reason: ReportReason,
    pub note: String,
    pub reporter_hash: String,
    pub post_snapshot: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub post_id: PostId,
    pub queue_item_id: QueueItemId,
    pub reason: ReportReason,
    pub note: &'a str,
    pub reporter_hash: &'a str,
    pub post_snapshot: &'a str,
    pub created_at: NaiveDateTime,
}

impl NewReport<'_> {
    pub fn insert(self, conn: &mut DbConn) -> CoreResult<Report> {
        Ok(diesel::insert_into(reports::table).values(&self).get_result(conn)?)
    }
}

impl Report {
    /// The reports gathered in these queue items, oldest first.
    pub fn for_items(conn: &mut DbConn, items: &[QueueItemId]) -> CoreResult<Vec<Report>> {
        Ok(reports::table.filter(reports::queue_item_id.eq_any(items)).order(reports::id).load(conn)?)
    }

    /// How many different networks reported into this item.
    pub fn distinct_reporters(conn: &mut DbConn, item: QueueItemId) -> CoreResult<i64> {
        use diesel::dsl::count;
        use diesel::expression_methods::AggregateExpressionMethods;
        Ok(reports::table
            .filter(reports::queue_item_id.eq(item))
            .select(count(reports::reporter_hash).aggregate_distinct())
            .first(conn)?)
    }

    pub fn already_reported(conn: &mut DbConn, item: QueueItemId, reporter_hash: &str) -> CoreResult<bool> {
        use diesel::dsl::exists;
        Ok(diesel::select(exists(
            reports::table
                .filter(reports::queue_item_id.eq(item))
                .filter(reports::reporter_hash.eq(reporter_hash)),
        ))
        .get_result(conn)?)
    }
}

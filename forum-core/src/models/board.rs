use chrono::NaiveDateTime;
use diesel::dsl::{count_star, max};
use diesel::prelude::*;

use crate::db::{DbConn, now};
use crate::error::{CoreError, CoreResult};
use crate::ids::BoardId;
use crate::schema::{boards, threads};
use crate::text_enum::text_enum;

text_enum! {
    /// Whether a board's posts are published at once or wait for a moderator.
    pub enum ModerationMode {
        /// Posts are published at once.
        Open = "open",
        /// A new poster's first posts wait for approval.
        FirstPostsHeld = "first_posts_held",
        /// Every post waits for approval.
        AllPostsHeld = "all_posts_held",
    }
}

/// A support group.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = boards)]
pub struct Board {
    pub id: BoardId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
    pub moderation_mode: ModerationMode,
    pub hold_crisis_posts: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = boards)]
pub struct NewBoard<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub position: i32,
    pub moderation_mode: ModerationMode,
    pub created_at: NaiveDateTime,
}

/// A board with what the home page shows of it.
#[derive(Debug, Clone)]
pub struct BoardSummary {
    pub board: Board,
    pub thread_count: i64,
    pub last_activity_at: Option<NaiveDateTime>,
}

impl<'a> NewBoard<'a> {
    /// A board placed after the existing ones, open to posting.
    pub fn new(slug: &'a str, name: &'a str, description: &'a str) -> Self {
        Self {
            slug,
            name,
            description,
            position: 0,
            moderation_mode: ModerationMode::Open,
            created_at: now(),
        }
    }

    pub fn insert(mut self, conn: &mut DbConn) -> CoreResult<Board> {
        validate_slug(self.slug)?;
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(CoreError::Invalid("a board name has 1 to 80 characters".into()));
        }
        if self.description.chars().count() > 500 {
            return Err(CoreError::Invalid("a board description has at most 500 characters".into()));
        }
        self.name = name;
        if self.position == 0 {
            let last: Option<i32> = boards::table.select(max(boards::position)).first(conn)?;
            self.position = last.unwrap_or(0) + 1;
        }
        diesel::insert_into(boards::table).values(&self).get_result(conn).map_err(|e| {
            match CoreError::from(e) {
                CoreError::Conflict(_) => CoreError::Conflict("a board with this slug"),
                other => other,
            }
        })
    }
}

/// Slugs appear in URLs: lower-case letters, digits and single hyphens, 1 to 40 characters.
pub fn validate_slug(slug: &str) -> CoreResult<()> {
    let ok = (1..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(())
    } else {
        Err(CoreError::Invalid(format!(
            "{slug:?} is not a valid slug: use 1 to 40 lower-case letters, digits and single hyphens"
        )))
    }
}

impl Board {
    pub fn by_slug(conn: &mut DbConn, slug: &str) -> CoreResult<Board> {
        Ok(boards::table.filter(boards::slug.eq(slug)).first(conn)?)
    }

    pub fn by_id(conn: &mut DbConn, id: BoardId) -> CoreResult<Board> {
        Ok(boards::table.find(id).first(conn)?)
    }

    /// Every board in display order.
    pub fn all(conn: &mut DbConn) -> CoreResult<Vec<Board>> {
        Ok(boards::table.order((boards::position, boards::id)).load(conn)?)
    }

    /// Every board with its thread count and last activity, in two queries.
    pub fn summaries(conn: &mut DbConn) -> CoreResult<Vec<BoardSummary>> {
        let boards = Self::all(conn)?;
        let stats: Vec<(BoardId, i64, Option<NaiveDateTime>)> = threads::table
            .group_by(threads::board_id)
            .select((threads::board_id, count_star(), max(threads::last_activity_at)))
            .load(conn)?;
        Ok(boards
            .into_iter()
            .map(|board| {
                let (thread_count, last_activity_at) = stats
                    .iter()
                    .find(|(id, _, _)| *id == board.id)
                    .map_or((0, None), |(_, n, last)| (*n, *last));
                BoardSummary { board, thread_count, last_activity_at }
            })
            .collect())
    }

    /// An admin changes a board's name, description or moderation mode.
    pub fn update(
        conn: &mut DbConn,
        id: BoardId,
        name: &str,
        description: &str,
        mode: ModerationMode,
        hold_crisis_posts: bool,
    ) -> CoreResult<Board> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(CoreError::Invalid("a board name has 1 to 80 characters".into()));
        }
        if description.chars().count() > 500 {
            return Err(CoreError::Invalid("a board description has at most 500 characters".into()));
        }
        Ok(diesel::update(boards::table.find(id))
            .set((
                boards::name.eq(name),
                boards::description.eq(description),
                boards::moderation_mode.eq(mode),
                boards::hold_crisis_posts.eq(hold_crisis_posts),
            ))
            .get_result(conn)?)
    }

    pub fn count(conn: &mut DbConn) -> CoreResult<i64> {
        Ok(boards::table.count().get_result(conn)?)
    }

    /// The starter support groups made on a fresh database.
    pub fn create_starter_set(conn: &mut DbConn) -> CoreResult<Vec<Board>> {
        const STARTERS: &[(&str, &str, &str)] = &[
            (
                "depression",
                "Depression",
                "For low mood, emptiness and the days that are hard to get through.",
            ),
            ("anxiety", "Anxiety", "Worry, panic, fear and the things that help us through them."),
            ("grief-and-loss", "Grief and loss", "For anyone living with the loss of someone or something."),
            (
                "self-harm-recovery",
                "Self-harm recovery",
                "Urges, setbacks and progress, without judgement. No images of injuries.",
            ),
            (
                "addiction-recovery",
                "Addiction recovery",
                "Staying sober, relapses, cravings and the people who get us through.",
            ),
            ("recovery-stories", "Recovery stories", "What has helped: stories of getting through."),
            (
                "supporting-someone",
                "Supporting someone",
                "For friends, partners and family looking after someone who is struggling.",
            ),
        ];
        crate::db::write_transaction(conn, |conn| {
            STARTERS
                .iter()
                .map(|(slug, name, description)| NewBoard::new(slug, name, description).insert(conn))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        for good in ["a", "grief-and-loss", "room-101"] {
            assert!(validate_slug(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "Grief", "a b", "a/b", "ü", &"a".repeat(41)] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }
}

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, now, write_transaction};
use crate::error::{CoreError, CoreResult};
use crate::ids::{PostId, PosterId, ThreadId};
use crate::sanitize::{SafeHtml, render_markdown};
use crate::schema::{posts, threads};
use crate::text_enum::text_enum;

text_enum! {
    /// Who may see a post.
    pub enum PostStatus {
        /// Published.
        Visible = "visible",
        /// Waiting for a moderator; seen only by its writer and moderators.
        Held = "held",
        /// Taken down by a moderator, reversibly; a placeholder in public.
        Hidden = "hidden",
        /// Taken down by a moderator with its text erased.
        Removed = "removed",
        /// Deleted by its writer, text erased.
        Deleted = "deleted",
    }
}

text_enum! {
    /// Who wrote a post.
    pub enum AuthorRole {
        /// A member, under their pseudonym.
        Member = "member",
        /// The moderation team, speaking as the team.
        Team = "team",
        /// A trained peer supporter, in their role.
        Supporter = "supporter",
    }
}

text_enum! {
    /// How urgently a post may need a human, as the crisis detector judged it.
    pub enum CrisisTier {
        None = "none",
        /// Talk about suicide or self-harm that is not a first-person risk.
        Concern = "concern",
        /// Someone else is at risk now.
        ThirdParty = "third_party",
        /// Current self-harm urges or acts.
        SelfHarm = "self_harm",
        /// Wanting to die, without a plan.
        Ideation = "ideation",
        /// A plan, means, time, goodbye or an attempt in progress.
        Imminent = "imminent",
    }
}

impl CrisisTier {
    /// Whether the writer (or someone they speak of) may be at risk: these open a crisis item.
    pub fn is_at_risk(self) -> bool {
        matches!(self, Self::ThirdParty | Self::SelfHarm | Self::Ideation | Self::Imminent)
    }

    /// Higher is more urgent.
    pub fn rank(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Concern => 1,
            Self::ThirdParty => 2,
            Self::SelfHarm => 3,
            Self::Ideation => 4,
            Self::Imminent => 5,
        }
    }
}

/// One message in a thread.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: PostId,
    pub thread_id: ThreadId,
    pub poster_id: PosterId,
    pub pseudonym: String,
    pub author_role: AuthorRole,
    pub content_warning: Option<String>,
    pub body_markdown: String,
    pub body_html: SafeHtml,
    pub status: PostStatus,
    pub crisis_tier: CrisisTier,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
}

/// What a member wrote, checked and rendered once, before it is stored.
#[derive(Debug, Clone)]
pub struct PostDraft {
    pub author_role: AuthorRole,
    pub content_warning: Option<String>,
    pub body_markdown: String,
    pub body_html: SafeHtml,
    pub status: PostStatus,
    pub crisis_tier: CrisisTier,
}

impl PostDraft {
    /// Renders the body; the caller has validated the fields (see [`limits`]).
    pub fn new(body_markdown: &str, content_warning: Option<&str>) -> Self {
        Self {
            author_role: AuthorRole::Member,
            content_warning: content_warning.map(str::to_owned),
            body_html: render_markdown(body_markdown),
            body_markdown: body_markdown.to_owned(),
            status: PostStatus::Visible,
            crisis_tier: CrisisTier::None,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost<'a> {
    pub thread_id: ThreadId,
    pub poster_id: PosterId,
    pub pseudonym: &'a str,
    pub author_role: AuthorRole,
    pub content_warning: Option<&'a str>,
    pub body_markdown: &'a str,
    pub body_html: &'a SafeHtml,
    pub status: PostStatus,
    pub crisis_tier: CrisisTier,
    pub created_at: NaiveDateTime,
}

impl<'a> NewPost<'a> {
    pub(crate) fn from_draft(
        thread_id: ThreadId,
        poster_id: PosterId,
        pseudonym: &'a str,
        draft: &'a PostDraft,
        created_at: NaiveDateTime,
    ) -> Self {
        Self {
            thread_id,
            poster_id,
            pseudonym,
            author_role: draft.author_role,
            content_warning: draft.content_warning.as_deref(),
            body_markdown: &draft.body_markdown,
            body_html: &draft.body_html,
            status: draft.status,
            crisis_tier: draft.crisis_tier,
            created_at,
        }
    }

    pub(crate) fn insert(self, conn: &mut DbConn) -> CoreResult<Post> {
        Ok(diesel::insert_into(posts::table).values(&self).get_result(conn)?)
    }
}

/// Who is looking at a thread, which decides whether held posts show.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    /// A reader, or a member who sees their own held posts.
    Public(Option<PosterId>),
    /// A moderator sees everything.
    Moderator,
}

impl Post {
    pub const PER_PAGE: i64 = 50;

    pub fn by_id(conn: &mut DbConn, id: PostId) -> CoreResult<Post> {
        Ok(posts::table.find(id).first(conn)?)
    }

    /// One page (1-based) of a thread's posts, in order, as `viewer` may see them.
    pub fn page_of_thread(
        conn: &mut DbConn,
        thread: ThreadId,
        viewer: Viewer,
        page: i64,
    ) -> CoreResult<Vec<Post>> {
        let offset = (page.max(1) - 1).saturating_mul(Self::PER_PAGE);
        Ok(Self::visible_in(thread, viewer)
            .order(posts::id)
            .limit(Self::PER_PAGE)
            .offset(offset)
            .load(conn)?)
    }

    /// How many posts of the thread `viewer` may see.
    pub fn count_in_thread(conn: &mut DbConn, thread: ThreadId, viewer: Viewer) -> CoreResult<i64> {
        Ok(Self::visible_in(thread, viewer).count().get_result(conn)?)
    }

    /// The 1-based page of the thread on which this post stands, for `viewer`.
    pub fn page_number(conn: &mut DbConn, post: &Post, viewer: Viewer) -> CoreResult<i64> {
        let before: i64 = Self::visible_in(post.thread_id, viewer)
            .filter(posts::id.lt(post.id))
            .count()
            .get_result(conn)?;
        Ok(before / Self::PER_PAGE + 1)
    }

    fn visible_in(thread: ThreadId, viewer: Viewer) -> posts::BoxedQuery<'static, crate::db::MultiBackend> {
        let query = posts::table.filter(posts::thread_id.eq(thread)).into_boxed();
        match viewer {
            Viewer::Moderator => query,
            Viewer::Public(Some(me)) => {
                query.filter(posts::status.ne(PostStatus::Held).or(posts::poster_id.eq(me)))
            }
            Viewer::Public(None) => query.filter(posts::status.ne(PostStatus::Held)),
        }
    }

    /// A member's own posts, newest first, with their threads' titles.
    pub fn by_poster(conn: &mut DbConn, poster: PosterId, limit: i64) -> CoreResult<Vec<(Post, String)>> {
        Ok(posts::table
            .inner_join(threads::table)
            .filter(posts::poster_id.eq(poster))
            .filter(posts::status.ne(PostStatus::Deleted))
            .order(posts::id.desc())
            .limit(limit)
            .select((Post::as_select(), threads::title))
            .load(conn)?)
    }

    /// The writer changes their post. Only the writer, and only while it has text.
    pub fn edit(conn: &mut DbConn, id: PostId, writer: PosterId, draft: PostDraft) -> CoreResult<Post> {
        write_transaction(conn, |conn| {
            let post = Self::owned_by(conn, id, writer)?;
            if matches!(post.status, PostStatus::Removed | PostStatus::Deleted) {
                return Err(CoreError::Invalid("this post can no longer be edited".into()));
            }
            Ok(diesel::update(posts::table.find(id))
                .set((
                    posts::content_warning.eq(draft.content_warning.as_deref()),
                    posts::body_markdown.eq(&draft.body_markdown),
                    posts::body_html.eq(&draft.body_html),
                    posts::crisis_tier.eq(draft.crisis_tier),
                    posts::edited_at.eq(Some(now())),
                ))
                .get_result(conn)?)
        })
    }

    /// The writer deletes their post: its text is erased from the database and a placeholder
    /// keeps the thread readable.
    pub fn delete_by_writer(conn: &mut DbConn, id: PostId, writer: PosterId) -> CoreResult<Post> {
        write_transaction(conn, |conn| {
            Self::owned_by(conn, id, writer)?;
            Ok(diesel::update(posts::table.find(id))
                .set((
                    posts::content_warning.eq(None::<String>),
                    posts::body_markdown.eq(""),
                    posts::body_html.eq(SafeHtml::empty()),
                    posts::status.eq(PostStatus::Deleted),
                    posts::edited_at.eq(Some(now())),
                ))
                .get_result(conn)?)
        })
    }

    /// The post, if `writer` wrote it; someone else's post answers `NotFound`, so that its
    /// writer is not revealed.
    fn owned_by(conn: &mut DbConn, id: PostId, writer: PosterId) -> CoreResult<Post> {
        let post = Self::by_id(conn, id)?;
        if post.poster_id != writer {
            return Err(CoreError::NotFound);
        }
        Ok(post)
    }
}

/// Field limits, shared by every form that writes a post.
pub mod limits {
    pub const TITLE_MAX: usize = 150;
    pub const BODY_MAX: usize = 20_000;
    pub const WARNING_MAX: usize = 100;

    /// A trimmed title of 1 to 150 characters.
    pub fn title(text: &str) -> Result<&str, String> {
        required(text, "The title", TITLE_MAX)
    }

    /// A body of 1 to 20,000 characters (surrounding blank space trimmed).
    pub fn body(text: &str) -> Result<&str, String> {
        required(text, "The message", BODY_MAX)
    }

    /// An optional content warning of at most 100 characters; blank means none.
    pub fn content_warning(text: &str) -> Result<Option<&str>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let n = text.chars().count();
        if n > WARNING_MAX {
            return Err(format!(
                "A content warning has at most {WARNING_MAX} characters (this one has {n})."
            ));
        }
        Ok(Some(text))
    }

    /// Removes what no one means to type and some databases refuse: NUL and other control
    /// characters (tab and newline stay), and Windows line endings.
    pub fn clean_text(text: &str) -> String {
        text.replace("\r\n", "\n").chars().filter(|&c| c == '\n' || c == '\t' || !c.is_control()).collect()
    }

    fn required<'a>(text: &'a str, what: &str, max: usize) -> Result<&'a str, String> {
        let text = text.trim();
        let n = text.chars().count();
        if n == 0 {
            return Err(format!("{what} is empty."));
        }
        if n > max {
            return Err(format!("{what} has at most {max} characters (this one has {n})."));
        }
        Ok(text)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn limits_count_characters_not_bytes() {
            assert_eq!(title("  Hi  "), Ok("Hi"));
            assert!(title("   ").is_err());
            assert!(title(&"é".repeat(150)).is_ok());
            assert!(title(&"é".repeat(151)).is_err());
            assert!(body(&"x".repeat(20_000)).is_ok());
            assert!(body(&"x".repeat(20_001)).is_err());
            assert_eq!(content_warning(" "), Ok(None));
            assert_eq!(content_warning(" grief "), Ok(Some("grief")));
            assert!(content_warning(&"x".repeat(101)).is_err());
        }

        #[test]
        fn control_characters_are_dropped() {
            assert_eq!(clean_text("a\0b\r\nc\td\u{7}\u{85}"), "ab\nc\td");
        }
    }
}

/// How many of a new poster's posts wait for approval on a "first posts held" board.
pub const FIRST_POSTS_HELD: i64 = 1;

/// Whether a new post by `poster` on `board` is published at once or waits for a moderator.
pub fn initial_status(
    conn: &mut DbConn,
    board: &crate::models::Board,
    poster: PosterId,
) -> CoreResult<PostStatus> {
    use crate::models::ModerationMode;
    Ok(match board.moderation_mode {
        ModerationMode::Open => PostStatus::Visible,
        ModerationMode::AllPostsHeld => PostStatus::Held,
        ModerationMode::FirstPostsHeld => {
            let published: i64 = posts::table
                .filter(posts::poster_id.eq(poster))
                .filter(posts::status.eq(PostStatus::Visible))
                .count()
                .get_result(conn)?;
            if published < FIRST_POSTS_HELD { PostStatus::Held } else { PostStatus::Visible }
        }
    })
}

impl Post {
    /// A moderator changes who may see the post.
    pub fn set_status(conn: &mut DbConn, id: PostId, status: PostStatus) -> CoreResult<Post> {
        Ok(diesel::update(posts::table.find(id)).set(posts::status.eq(status)).get_result(conn)?)
    }

    /// A moderator removes the post: its text is erased.
    pub fn remove(conn: &mut DbConn, id: PostId) -> CoreResult<Post> {
        Ok(diesel::update(posts::table.find(id))
            .set((
                posts::content_warning.eq(None::<String>),
                posts::body_markdown.eq(""),
                posts::body_html.eq(SafeHtml::empty()),
                posts::status.eq(PostStatus::Removed),
            ))
            .get_result(conn)?)
    }

    pub fn by_ids(conn: &mut DbConn, ids: &[PostId]) -> CoreResult<Vec<Post>> {
        Ok(posts::table.filter(posts::id.eq_any(ids)).load(conn)?)
    }

    /// The first post of a thread.
    pub fn opening(conn: &mut DbConn, thread: ThreadId) -> CoreResult<Post> {
        Ok(posts::table.filter(posts::thread_id.eq(thread)).order(posts::id).first(conn)?)
    }

    /// The visible post just before each of `of` in its thread, keyed by the later post's
    /// id (two queries for any number of posts).
    pub fn previous_in_threads(conn: &mut DbConn, of: &[PostId]) -> CoreResult<HashMap<PostId, Post>> {
        let later = diesel::alias!(posts as later);
        let previous_id = posts::table
            .filter(posts::thread_id.eq(later.field(posts::thread_id)))
            .filter(posts::id.lt(later.field(posts::id)))
            .filter(posts::status.eq(PostStatus::Visible))
            .order(posts::id.desc())
            .select(posts::id)
            .limit(1)
            .single_value();
        let pairs: Vec<(PostId, Option<PostId>)> = later
            .filter(later.field(posts::id).eq_any(of))
            .select((later.field(posts::id), previous_id))
            .load(conn)?;
        let previous_ids: Vec<PostId> = pairs.iter().filter_map(|(_, p)| *p).collect();
        let previous: HashMap<PostId, Post> =
            Post::by_ids(conn, &previous_ids)?.into_iter().map(|p| (p.id, p)).collect();
        // Several posts may have the same visible post before them (when the ones
        // between are not visible), so each gets its own copy.
        Ok(pairs.into_iter().filter_map(|(id, p)| Some((id, previous.get(&p?)?.clone()))).collect())
    }

    /// Writers' histories in aggregate: posts written and posts taken down by
    /// moderators, for each of `posters` who wrote any (two queries for any number).
    pub fn histories(conn: &mut DbConn, posters: &[PosterId]) -> CoreResult<HashMap<PosterId, (i64, i64)>> {
        let written: Vec<(PosterId, i64)> = posts::table
            .filter(posts::poster_id.eq_any(posters))
            .group_by(posts::poster_id)
            .select((posts::poster_id, diesel::dsl::count_star()))
            .load(conn)?;
        let removed: HashMap<PosterId, i64> = posts::table
            .filter(posts::poster_id.eq_any(posters))
            .filter(posts::status.eq_any([PostStatus::Removed, PostStatus::Hidden]))
            .group_by(posts::poster_id)
            .select((posts::poster_id, diesel::dsl::count_star()))
            .load::<(PosterId, i64)>(conn)?
            .into_iter()
            .collect();
        Ok(written.into_iter().map(|(p, n)| (p, (n, removed.get(&p).copied().unwrap_or(0)))).collect())
    }
}

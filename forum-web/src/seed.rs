//! `forum seed`: fills a database with a realistic forum at a chosen scale, quickly, for the
//! performance harness (`tests/perf/run`).
//!
//! Every row is consistent with what the application itself would have written: posts carry
//! real `body_html` (a few hundred distinct Markdown bodies are rendered once with
//! [`render_markdown`] and reused), each (thread, poster) pair has its `thread_posters` row
//! with a pseudonym from [`forum_core::pseudonym::derive`] under the database's own secret
//! (unique in the thread), `threads.reply_count` and `last_activity_at` match the posts, and
//! some posts are reported, each report gathered into an open queue item.
//!
//! Rows get explicit ids (after the largest id already there), so that posts can point at
//! their threads without reading anything back. Writes go in batches, one transaction each,
//! as multi-row `INSERT`s (64 rows a statement on SQLite, up to 2,000 on PostgreSQL; the
//! `MultiConnection` enum cannot batch, hence the match on the inner connection). Progress
//! goes to standard error; the last line on standard output is a JSON summary the harness
//! reads (ids of the thread with 100 posts, of the boards, ...).

use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use forum_core::db::{self, DbConn};
use forum_core::ids::{BoardId, PosterId, ThreadId};
use forum_core::models::NewBoard;
use forum_core::schema::{boards, posters, posts, queue_items, reports, thread_posters, threads};
use forum_core::secrets::Secrets;

use crate::config::Config;

/// What to make.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub boards: u32,
    pub threads: u64,
    pub posts: u64,
    /// Posts that get reported (each becomes one open queue item); default: at least 1,000.
    pub reported: Option<u64>,
    /// Seed of the pseudo-random choices, so that two runs make the same forum.
    pub rng_seed: u64,
    /// Posts per transaction.
    pub batch: usize,
}

/// The thread the harness measures has exactly this many posts.
pub const PERF_THREAD_POSTS: u64 = 100;

/// splitmix64: small, fast, deterministic; good enough to pick lengths and names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }
}

const BOARD_NAMES: &[&str] = &[
    "Depression",
    "Anxiety",
    "Grief and loss",
    "Self-harm recovery",
    "Addiction recovery",
    "Recovery stories",
    "Supporting someone",
    "Panic attacks",
    "Loneliness",
    "Eating disorders",
    "Bipolar",
    "PTSD and trauma",
    "OCD",
    "Sleep",
    "Work and study stress",
    "Relationships",
    "Postnatal depression",
    "Chronic illness",
    "LGBTQ+ support",
    "Just checking in",
];

const TITLES: &[&str] = &[
    "Finding it hard to get out of bed lately",
    "Three months sober today",
    "How do you deal with the evenings?",
    "First time posting here",
    "Panic attack on the bus again",
    "My dad died last week and I don't know what to feel",
    "Small win: I went for a walk",
    "Does anyone else feel numb rather than sad?",
    "Starting therapy next week, nervous",
    "Can't stop overthinking at night",
    "Relapsed after a long time, feeling ashamed",
    "What helps you on the bad days?",
    "Medication side effects - worth it?",
    "My partner doesn't understand",
    "One year since the worst day of my life",
    "Trying to be kinder to myself",
    "Work is making everything worse",
    "Grief comes in waves",
    "Urges are strong tonight",
    "Thank you all for last week",
];

const OPENINGS: &[&str] = &[
    "I've been reading this board for a while and finally decided to post.",
    "Thank you for sharing this, it really resonates with me.",
    "I'm sorry you're going through this.",
    "Honestly I don't even know where to start.",
    "This is so similar to what happened to me last year.",
    "Sending you a lot of strength today.",
    "I just wanted to say you're not alone in this.",
    "Checking in again like I promised.",
    "Today was a bit better than yesterday.",
    "I hope it's okay to write this here.",
];

const SENTENCES: &[&str] = &[
    "Some mornings it takes me an hour just to sit up, and then I feel guilty about the hour.",
    "My therapist suggested writing down three small things that went okay each day, and it helps more than I expected.",
    "The evenings are the worst, when the house gets quiet and my thoughts get loud.",
    "I keep telling myself that it's just a bad week, but it has been a bad few months.",
    "What helped me was having one person I could text without explaining everything first.",
    "I stopped drinking in March and the cravings still catch me off guard around six o'clock.",
    "Breathing exercises felt silly at first, but counting four in and six out genuinely calms me down now.",
    "Grief isn't a straight line, it loops back when you least expect it.",
    "I made a list of people and places I can go to when it gets too much, and keep it on my phone.",
    "It's okay to rest; rest is not the same as giving up.",
    "My GP was kinder than I expected when I finally told her how I'd been feeling.",
    "Some days the only thing I manage is a shower, and I'm learning to count that.",
    "I relate to the feeling of being tired in a way that sleep doesn't fix.",
    "Going outside for ten minutes, even just to the end of the road, makes a small difference for me.",
    "I wish people understood that anxiety isn't just worrying too much.",
    "It has been two years since my mum passed and I still reach for the phone to call her.",
    "Please be gentle with yourself tonight.",
    "I'm proud of you for reaching out, that's often the hardest part.",
    "The meds took about six weeks to make a difference for me, so don't lose hope if it's slow.",
    "I'm still here, still trying, and reading your posts helps.",
];

const LIST_ITEMS: &[&str] = &[
    "drink a glass of water",
    "text one friend",
    "step outside for five minutes",
    "eat something small",
    "write down one thing that went okay",
    "put on a favourite song",
    "call a helpline if it gets too much",
    "take the meds on time",
    "go to bed at the same time",
    "be honest with my therapist",
];

const CONTENT_WARNINGS: &[&str] = &[
    "mentions of self-harm",
    "grief, death of a parent",
    "suicidal thoughts (past)",
    "alcohol, relapse",
    "eating disorder talk",
    "abuse mentioned",
    "hospital stay",
];

const REPORT_REASONS: &[&str] = &["spam", "harassment", "misinformation", "other", "graphic_self_harm"];

/// Builds a body of realistic length with some Markdown: paragraphs, emphasis, lists,
/// quotes, links.
fn markdown_body(rng: &mut Rng) -> String {
    let mut out = String::new();
    out.push_str(rng.word(OPENINGS));
    // Lengths: mostly short replies, some long posts.
    let paragraphs = match rng.below(10) {
        0..=4 => 1,
        5..=7 => 2,
        8 => 3,
        _ => 5,
    };
    for p in 0..paragraphs {
        if p > 0 || rng.chance(0.5) {
            out.push_str("\n\n");
        } else {
            out.push(' ');
        }
        match rng.below(12) {
            0 if p > 0 => {
                out.push_str("Things that help me:\n\n");
                for _ in 0..(2 + rng.below(4)) {
                    out.push_str("- ");
                    out.push_str(rng.word(LIST_ITEMS));
                    out.push('\n');
                }
                continue;
            }
            1 => {
                out.push_str("> ");
                out.push_str(rng.word(SENTENCES));
                out.push_str("\n\n");
            }
            2 => out.push_str("**Update:** "),
            _ => {}
        }
        for s in 0..(1 + rng.below(4)) {
            if s > 0 {
                out.push(' ');
            }
            let sentence = rng.word(SENTENCES);
            if rng.chance(0.1) {
                out.push('*');
                out.push_str(sentence.trim_end_matches('.'));
                out.push_str("*.");
            } else {
                out.push_str(sentence);
            }
        }
        if rng.chance(0.05) {
            out.push_str(" There's a [grounding exercise](https://example.org/grounding) that helped me.");
        }
    }
    out
}

/// The distinct bodies, rendered once.
struct Bodies {
    markdown: Vec<String>,
    html: Vec<String>,
}

impl Bodies {
    fn new(rng: &mut Rng, n: usize) -> Self {
        let markdown: Vec<String> = (0..n).map(|_| markdown_body(rng)).collect();
        let html =
            markdown.iter().map(|m| forum_core::sanitize::render_markdown(m).as_str().to_owned()).collect();
        Self { markdown, html }
    }
}

#[derive(Insertable)]
#[diesel(table_name = posters, treat_none_as_null = true)]
struct PosterRow {
    id: PosterId,
    key_hash: String,
    created_at: NaiveDateTime,
    network_hash: &'static str,
    pending_warning: Option<&'static str>,
}

#[derive(Insertable)]
#[diesel(table_name = threads, treat_none_as_null = true)]
struct ThreadRow {
    id: ThreadId,
    board_id: BoardId,
    poster_id: PosterId,
    title: String,
    content_warning: Option<&'static str>,
    locked: bool,
    pinned: bool,
    visible: bool,
    crisis_mode: bool,
    reply_count: i32,
    created_at: NaiveDateTime,
    last_activity_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = thread_posters)]
struct ThreadPosterRow {
    thread_id: ThreadId,
    poster_id: PosterId,
    pseudonym: String,
}

#[derive(Insertable)]
#[diesel(table_name = posts, treat_none_as_null = true)]
struct PostRow<'a> {
    id: i32,
    thread_id: ThreadId,
    poster_id: PosterId,
    pseudonym: String,
    author_role: &'static str,
    content_warning: Option<&'static str>,
    body_markdown: &'a str,
    body_html: &'a str,
    status: &'static str,
    crisis_tier: &'static str,
    created_at: NaiveDateTime,
    edited_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = queue_items, treat_none_as_null = true)]
struct QueueItemRow {
    id: i32,
    post_id: i32,
    board_id: BoardId,
    lane: i32,
    crisis_tier: &'static str,
    crisis_matches: &'static str,
    flagged_by: Option<&'static str>,
    report_count: i32,
    opened_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = reports)]
struct ReportRow {
    id: i32,
    post_id: i32,
    queue_item_id: i32,
    reason: &'static str,
    note: &'static str,
    reporter_hash: String,
    post_snapshot: String,
    created_at: NaiveDateTime,
}

/// Inserts rows with multi-row statements (which the `MultiConnection` enum cannot do).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {{
        let rows = $rows;
        match $conn {
            DbConn::Sqlite(c) => {
                // 64 rows a statement: far fewer statement steps than one per row, well under
                // SQLite's limit of bound parameters.
                for chunk in rows.chunks(64) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
            DbConn::Postgresql(c) => {
                for chunk in rows.chunks($chunk) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    }};
}

fn max_id(conn: &mut DbConn, table: &str) -> anyhow::Result<i64> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        m: i64,
    }
    let q = format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM {table}");
    Ok(diesel::sql_query(q).get_result::<Max>(conn)?.m)
}

/// A progress line on standard error, redrawn in place.
struct Progress {
    what: &'static str,
    total: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(what: &'static str, total: u64) -> Self {
        Self { what, total, started: Instant::now(), last: Instant::now() }
    }

    fn show(&mut self, done: u64, force: bool) {
        if !force && self.last.elapsed().as_millis() < 200 {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-6);
        let pct = if self.total == 0 { 100.0 } else { done as f64 * 100.0 / self.total as f64 };
        let width = 30usize;
        let filled = ((pct / 100.0) * width as f64) as usize;
        let bar: String = "#".repeat(filled.min(width)) + &"-".repeat(width - filled.min(width));
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{:<8} [{bar}] {done:>9}/{} {pct:5.1}%  {:>8.0}/s  {secs:6.1}s",
            self.what,
            self.total,
            done as f64 / secs
        );
        let _ = err.flush();
    }

    fn finish(&mut self, done: u64) -> f64 {
        self.show(done, true);
        eprintln!();
        self.started.elapsed().as_secs_f64()
    }
}

/// How many posts each thread gets: the perf thread exactly [`PERF_THREAD_POSTS`], the rest
/// skewed (many short threads, a few long ones), at least one each, summing to `posts`.
fn thread_sizes(rng: &mut Rng, threads: u64, posts: u64) -> Vec<u64> {
    let mut sizes = vec![1u64; threads as usize];
    if threads == 0 {
        return sizes;
    }
    let perf = PERF_THREAD_POSTS.min(posts.saturating_sub(threads - 1)).max(1);
    sizes[0] = perf;
    let extra = posts.saturating_sub(perf + threads - 1);
    if threads > 1 && extra > 0 {
        // Pareto-like weights, capped so no thread is absurdly long.
        let weights: Vec<f64> = (1..threads).map(|_| (1.0 - rng.unit()).powf(-0.6).min(40.0)).collect();
        let total: f64 = weights.iter().sum();
        let mut given = 0u64;
        for (i, w) in weights.iter().enumerate() {
            let n = (extra as f64 * w / total).floor() as u64;
            sizes[i + 1] += n;
            given += n;
        }
        let mut i = 1usize;
        while given < extra {
            sizes[i] += 1;
            given += 1;
            i = if i + 1 >= sizes.len() { 1 } else { i + 1 };
        }
    }
    sizes
}

/// The pseudonym of `poster` in `thread`, as [`Thread::reply`] would give it.
fn pseudonym(secrets: &Secrets, taken: &mut HashSet<String>, thread: ThreadId, poster: PosterId) -> String {
    let name = (0..1000)
        .map(|attempt| forum_core::pseudonym::derive(secrets, poster, thread, attempt))
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| {
            format!("{} {}", forum_core::pseudonym::derive(secrets, poster, thread, 0), poster.0)
        });
    taken.insert(name.clone());
    name
}

/// A post picked to be reported.
struct Reported {
    post_id: i32,
    board_id: BoardId,
    created_at: NaiveDateTime,
    body: usize,
    content_warning: Option<&'static str>,
}

pub fn run(config: &Config, opts: &SeedOptions) -> anyhow::Result<()> {
    if opts.boards == 0 || opts.threads == 0 || opts.posts < opts.threads {
        bail!("need at least one board, one thread, and at least as many posts as threads");
    }
    if opts.posts > i32::MAX as u64 / 2 {
        bail!("too many posts for 32-bit ids");
    }
    let started = Instant::now();
    let pool = db::build_pool(&config.core.database_url, 1, config.core.sqlite_sync)?;
    let mut conn = pool.get().context("cannot connect to the database")?;
    let conn: &mut DbConn = &mut conn;
    db::run_migrations(conn)?;
    let secrets = Secrets::load_or_create(conn)?;
    let engine = match conn {
        DbConn::Sqlite(c) => {
            // A bigger page cache for the index builds; the server's own connections keep
            // their defaults.
            // Bulk load: a rollback journal (new pages need no journaling, unlike the WAL that
            // writes every page twice) and no fsync until the end; WAL is restored afterwards.
            c.batch_execute(
                "PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY; \
                 PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF;",
            )?;
            "sqlite"
        }
        DbConn::Postgresql(c) => {
            c.batch_execute("SET synchronous_commit = off")?;
            "postgresql"
        }
    };
    let mut rng = Rng(opts.rng_seed ^ 0x5EED);
    let now = db::now();
    let year_ago = now - Duration::days(365);

    // --- boards ------------------------------------------------------------------------
    let existing: Vec<String> = boards::table.select(boards::slug).load(conn)?;
    let mut board_ids = Vec::with_capacity(opts.boards as usize);
    let mut board_slugs = Vec::with_capacity(opts.boards as usize);
    for i in 0..opts.boards as usize {
        let base = BOARD_NAMES[i % BOARD_NAMES.len()];
        let name = if i < BOARD_NAMES.len() {
            base.to_owned()
        } else {
            format!("{base} {}", i / BOARD_NAMES.len() + 1)
        };
        let mut slug: String = name
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let mut n = 2;
        while existing.contains(&slug) || board_slugs.contains(&slug) {
            slug = format!("{}-{n}", slug.trim_end_matches(char::is_numeric).trim_end_matches('-'));
            n += 1;
        }
        let description = format!("Peer support: {}.", name.to_lowercase());
        let board = NewBoard::new(&slug, &name, &description).insert(conn)?;
        board_ids.push(board.id);
        board_slugs.push(board.slug);
    }

    // --- posters -----------------------------------------------------------------------
    let poster_base = max_id(conn, "posters")? as i32;
    let poster_count = (opts.posts / 10).clamp(10, 2_000_000) as i32;
    let mut progress = Progress::new("posters", poster_count as u64);
    let mut done = 0i32;
    while done < poster_count {
        let n = (poster_count - done).min(opts.batch as i32);
        let rows: Vec<PosterRow> = (done..done + n)
            .map(|i| {
                let id = poster_base + i + 1;
                PosterRow {
                    id: PosterId(id),
                    // Real key hashes are 64 hex digits; these can never match a real key.
                    key_hash: format!("seed:{id:059x}"),
                    created_at: year_ago - Duration::days(rng.below(700) as i64),
                    network_hash: "",
                    pending_warning: None,
                }
            })
            .collect();
        db::write_transaction(conn, |c| -> anyhow::Result<()> {
            insert_rows!(c, posters::table, &rows, 5000);
            Ok(())
        })?;
        done += n;
        progress.show(done as u64, false);
    }
    progress.finish(done as u64);

    // --- threads, their posters and posts ------------------------------------------------
    let bodies = Bodies::new(&mut rng, 400);
    let sizes = thread_sizes(&mut rng, opts.threads, opts.posts);
    let thread_base = max_id(conn, "threads")? as i32;
    let post_base = max_id(conn, "posts")? as i32;
    let report_target =
        opts.reported.unwrap_or_else(|| (opts.posts / 1000).max(1000)).min(opts.posts / 2).max(1);
    let report_every = (opts.posts / report_target).max(1);
    let mut reported: Vec<Reported> = Vec::with_capacity(report_target as usize);
    let span_secs = (now - year_ago).num_seconds().max(1) as u64;

    let mut progress = Progress::new("posts", opts.posts);
    let mut post_no: u64 = 0;
    let mut thread_rows: Vec<ThreadRow> = Vec::new();
    let mut tp_rows: Vec<ThreadPosterRow> = Vec::new();
    let mut post_rows: Vec<PostRow<'_>> = Vec::with_capacity(opts.batch + 2000);
    let mut perf_thread: Option<(i32, String)> = None;
    let flush = |conn: &mut DbConn,
                 thread_rows: &mut Vec<ThreadRow>,
                 tp_rows: &mut Vec<ThreadPosterRow>,
                 post_rows: &mut Vec<PostRow<'_>>|
     -> anyhow::Result<()> {
        db::write_transaction(conn, |c| -> anyhow::Result<()> {
            insert_rows!(c, threads::table, &*thread_rows, 2000);
            insert_rows!(c, thread_posters::table, &*tp_rows, 5000);
            insert_rows!(c, posts::table, &*post_rows, 1000);
            Ok(())
        })?;
        thread_rows.clear();
        tp_rows.clear();
        post_rows.clear();
        Ok(())
    };
    for (t, &size) in sizes.iter().enumerate() {
        let thread_id = ThreadId(thread_base + t as i32 + 1);
        // The perf thread lives in the first board and is recent, so it is on its first page.
        let board_id = if t == 0 { board_ids[0] } else { *rng.pick(&board_ids) };
        let created = if t == 0 {
            now - Duration::hours(6)
        } else {
            year_ago + Duration::seconds((span_secs as f64 * (t as f64 / sizes.len() as f64)) as i64)
        };
        // Several voices per thread: the starter and up to a third as many others as posts.
        let voices = (1 + size / 3).min(40).min(size);
        let mut thread_posters: Vec<(PosterId, String)> = Vec::with_capacity(voices as usize);
        let mut taken: HashSet<String> = HashSet::with_capacity(voices as usize);
        let starter = PosterId(poster_base + 1 + rng.below(poster_count as u64) as i32);
        thread_posters.push((starter, pseudonym(&secrets, &mut taken, thread_id, starter)));
        while (thread_posters.len() as u64) < voices {
            let p = PosterId(poster_base + 1 + rng.below(poster_count as u64) as i32);
            if thread_posters.iter().any(|(q, _)| *q == p) {
                continue;
            }
            thread_posters.push((p, pseudonym(&secrets, &mut taken, thread_id, p)));
        }
        let room = (now - created).num_seconds().max(60) as u64;
        let gap_max = (room / size.max(1)).clamp(1, 6 * 3600);
        let mut at = created;
        let thread_cw = if rng.chance(0.05) { Some(rng.word(CONTENT_WARNINGS)) } else { None };
        for i in 0..size {
            if i > 0 {
                at += Duration::seconds(1 + rng.below(gap_max) as i64)
                    + Duration::microseconds(rng.below(1_000_000) as i64);
            }
            let (poster, name) = if i == 0 {
                &thread_posters[0]
            } else {
                &thread_posters[rng.below(thread_posters.len() as u64) as usize]
            };
            let body = rng.below(bodies.markdown.len() as u64) as usize;
            let content_warning = if i == 0 {
                thread_cw
            } else if rng.chance(0.03) {
                Some(rng.word(CONTENT_WARNINGS))
            } else {
                None
            };
            post_no += 1;
            let post_id = post_base + post_no as i32;
            if post_no % report_every == 0 && (reported.len() as u64) < report_target {
                reported.push(Reported { post_id, board_id, created_at: at, body, content_warning });
            }
            post_rows.push(PostRow {
                id: post_id,
                thread_id,
                poster_id: *poster,
                pseudonym: name.clone(),
                author_role: "member",
                content_warning,
                body_markdown: &bodies.markdown[body],
                body_html: &bodies.html[body],
                status: "visible",
                crisis_tier: "none",
                created_at: at,
                edited_at: None,
            });
        }
        let title = if t == 0 {
            "Perf: a thread with 100 posts".to_owned()
        } else {
            let mut title = (rng.word(TITLES)).to_owned();
            if rng.chance(0.3) {
                title.push_str(&format!(" ({})", 1 + rng.below(30)));
            }
            title
        };
        if t == 0 {
            perf_thread = Some((thread_id.0, title.clone()));
        }
        thread_rows.push(ThreadRow {
            id: thread_id,
            board_id,
            poster_id: thread_posters[0].0,
            title,
            content_warning: thread_cw,
            locked: false,
            pinned: false,
            visible: true,
            crisis_mode: false,
            reply_count: (size - 1) as i32,
            created_at: created,
            last_activity_at: at,
        });
        tp_rows.extend(thread_posters.into_iter().map(|(poster_id, pseudonym)| ThreadPosterRow {
            thread_id,
            poster_id,
            pseudonym,
        }));
        if post_rows.len() >= opts.batch {
            flush(conn, &mut thread_rows, &mut tp_rows, &mut post_rows)?;
            progress.show(post_no, false);
        }
    }
    flush(conn, &mut thread_rows, &mut tp_rows, &mut post_rows)?;
    let post_secs = progress.finish(post_no);

    // --- reports and the queue -----------------------------------------------------------
    let item_base = max_id(conn, "queue_items")? as i32;
    let report_base = max_id(conn, "reports")? as i32;
    let mut items = Vec::with_capacity(reported.len());
    let mut report_rows = Vec::with_capacity(reported.len() * 2);
    for (n, r) in reported.iter().enumerate() {
        let item_id = item_base + n as i32 + 1;
        let count = if rng.chance(0.3) { 2 } else { 1 };
        let mut lane = 0;
        let opened = (r.created_at + Duration::minutes(1 + rng.below(600) as i64)).min(now);
        let snapshot = match r.content_warning {
            Some(cw) => format!("[Content warning: {cw}]\n\n{}", bodies.markdown[r.body]),
            None => bodies.markdown[r.body].clone(),
        };
        for k in 0..count {
            let reason = if rng.chance(0.1) {
                lane = 1;
                "at_risk"
            } else {
                rng.word(REPORT_REASONS)
            };
            report_rows.push(ReportRow {
                id: report_base + report_rows.len() as i32 + 1,
                post_id: r.post_id,
                queue_item_id: item_id,
                reason,
                note: if rng.chance(0.2) { "This doesn't seem right for this board." } else { "" },
                reporter_hash: format!("{:032x}", rng.next() as u128 * 31 + k as u128),
                post_snapshot: snapshot.clone(),
                created_at: opened + Duration::minutes(k as i64 * 7),
            });
        }
        items.push(QueueItemRow {
            id: item_id,
            post_id: r.post_id,
            board_id: r.board_id,
            lane,
            crisis_tier: "none",
            crisis_matches: "",
            flagged_by: None,
            report_count: count,
            opened_at: opened,
        });
    }
    db::write_transaction(conn, |c| -> anyhow::Result<()> {
        insert_rows!(c, queue_items::table, &items, 2000);
        insert_rows!(c, reports::table, &report_rows, 2000);
        Ok(())
    })?;
    eprintln!("queue    {} open items, {} reports", items.len(), report_rows.len());

    // --- after bulk loading ---------------------------------------------------------------
    match conn {
        DbConn::Postgresql(c) => {
            // Explicit ids leave the sequences behind.
            for table in ["posters", "threads", "posts", "queue_items", "reports"] {
                c.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                ))?;
            }
            c.batch_execute("ANALYZE")?;
        }
        DbConn::Sqlite(c) => {
            // AUTOINCREMENT's sqlite_sequence follows explicit ids by itself. Back to WAL (as
            // the server runs), with an empty log so that the server starts from a clean file.
            c.batch_execute("PRAGMA journal_mode = WAL; PRAGMA wal_checkpoint(TRUNCATE);")?;
        }
    }
    let total_secs = started.elapsed().as_secs_f64();
    let (perf_id, perf_title) = perf_thread.unwrap_or_default();
    let summary = serde_json::json!({
        "engine": engine,
        "boards": board_slugs,
        "board_ids": board_ids.iter().map(|b| b.0).collect::<Vec<_>>(),
        "threads": opts.threads,
        "posts": post_no,
        "posters": poster_count,
        "perf_thread": perf_id,
        "perf_thread_title": perf_title,
        "perf_thread_posts": sizes.first().copied().unwrap_or(0),
        "first_thread": thread_base + 1,
        "last_thread": thread_base + opts.threads as i32,
        "first_post": post_base + 1,
        "last_post": post_base + post_no as i32,
        "queue_items": items.len(),
        "reports": report_rows.len(),
        "posts_seconds": post_secs,
        "posts_per_second": post_no as f64 / post_secs.max(1e-9),
        "total_seconds": total_secs,
    });
    println!("{summary}");
    Ok(())
}

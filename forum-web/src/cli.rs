//! The command line: `forum serve`, `forum migrate`, `forum board …`, `forum mod …`.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use forum_core::db;
use forum_core::models::{Board, NewBoard, NewModerator};

use crate::app::App;
use crate::config::Config;

#[derive(Parser)]
#[command(name = "forum", version, about = "An anonymous forum for mental-health peer support")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the forum (creating and migrating the database if needed).
    Serve {
        /// Address to listen on (also FORUM_BIND); default 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Copy the SQLite database to PATH while the forum runs (a consistent snapshot).
    Backup { path: std::path::PathBuf },
    /// Manage support groups.
    Board {
        #[command(subcommand)]
        command: BoardCommand,
    },
    /// Give or take away the peer-supporter role.
    Supporter {
        #[command(subcommand)]
        command: SupporterCommand,
    },
    /// Manage moderator accounts.
    Mod {
        #[command(subcommand)]
        command: ModCommand,
    },
    /// Classify text with the crisis-language detector, without a server.
    CrisisCheck {
        /// Read one JSON object per line with a "text" field; write one result per line.
        #[arg(long, conflicts_with = "eval")]
        jsonl: bool,
        /// Evaluate against a CSV file with columns text,label (1 = at risk).
        #[arg(long, value_name = "FILE.csv")]
        eval: Option<std::path::PathBuf>,
        /// With --eval: the figures at a range of score thresholds, to choose the
        /// trade-off between missed people and false alarms.
        #[arg(long, requires = "eval")]
        sweep: bool,
    },
    /// Fill the database with a realistic forum at a chosen scale (for load tests).
    Seed {
        /// Boards to create.
        #[arg(long, default_value_t = 20)]
        boards: u32,
        /// Threads to create (the first has exactly 100 posts).
        #[arg(long, default_value_t = 50_000)]
        threads: u64,
        /// Posts to create, over all threads.
        #[arg(long, default_value_t = 1_000_000)]
        posts: u64,
        /// Posts to report, each an open queue item (default: posts/1000, at least 1,000).
        #[arg(long)]
        reported: Option<u64>,
        /// Seed of the pseudo-random choices.
        #[arg(long, default_value_t = 1)]
        rng_seed: u64,
        /// Posts per transaction.
        #[arg(long, default_value_t = 20_000)]
        batch: usize,
    },
}

#[derive(Subcommand)]
enum BoardCommand {
    /// Create a board.
    Create {
        /// Short name used in the address: /b/SLUG.
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List the boards.
    List,
}

#[derive(Subcommand)]
enum SupporterCommand {
    /// Make the member with this supporter code (from their identity page) a peer supporter.
    Grant {
        code: String,
        /// A public supporter name, the same everywhere.
        #[arg(long)]
        name: Option<String>,
    },
    /// Take the role away.
    Revoke { code: String },
}

#[derive(Subcommand)]
enum ModCommand {
    /// Create a moderator; the password is read from standard input, or prompted for.
    Create {
        name: String,
        /// Admins can also manage moderators and boards.
        #[arg(long)]
        admin: bool,
    },
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    if let Command::CrisisCheck { jsonl, eval, sweep } = &cli.command {
        // Needs no database and no other settings.
        return crisis_check(*jsonl, eval.as_deref(), *sweep);
    }
    let mut config = Config::from_env()?;
    match cli.command {
        Command::Serve { bind } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            serve(config)
        }
        Command::Migrate => {
            let mut conn = connect(&config)?;
            let applied = db::run_migrations(&mut conn)?;
            if applied.is_empty() {
                println!("The database is up to date.");
            } else {
                for name in applied {
                    println!("applied {name}");
                }
            }
            Ok(())
        }
        Command::Backup { path } => backup(&config, &path),
        Command::Supporter { command } => {
            let mut conn = migrated(&config)?;
            let secrets = forum_core::secrets::Secrets::load_or_create(&mut conn)?;
            let code = match &command {
                SupporterCommand::Grant { code, .. } | SupporterCommand::Revoke { code } => code.clone(),
            };
            let poster = secrets.parse_supporter_code(&code).context("that is not a valid supporter code")?;
            match command {
                SupporterCommand::Grant { name, .. } => {
                    forum_core::models::Poster::by_id(&mut conn, poster)
                        .context("no member has that code")?;
                    forum_core::models::Supporter::grant(&mut conn, poster, None, name.as_deref())?;
                    println!("{code} is now a peer supporter");
                }
                SupporterCommand::Revoke { .. } => {
                    forum_core::models::Supporter::revoke(&mut conn, poster)
                        .context("that member is not a peer supporter")?;
                    println!("{code} is no longer a peer supporter");
                }
            }
            Ok(())
        }
        Command::Board { command: BoardCommand::Create { slug, name, description } } => {
            let mut conn = migrated(&config)?;
            let board = NewBoard::new(&slug, &name, &description).insert(&mut conn)?;
            println!("Created board {} at /b/{}", board.name, board.slug);
            Ok(())
        }
        Command::Board { command: BoardCommand::List } => {
            let mut conn = migrated(&config)?;
            for board in Board::all(&mut conn)? {
                println!("{}\t{}\t{}", board.slug, board.name, board.moderation_mode);
            }
            Ok(())
        }
        Command::CrisisCheck { jsonl, eval, sweep } => crisis_check(jsonl, eval.as_deref(), sweep),
        Command::Seed { boards, threads, posts, reported, rng_seed, batch } => crate::seed::run(
            &config,
            &crate::seed::SeedOptions { boards, threads, posts, reported, rng_seed, batch: batch.max(1) },
        ),
        Command::Mod { command: ModCommand::Create { name, admin } } => {
            let password = read_password()?;
            let mut conn = migrated(&config)?;
            let moderator =
                NewModerator { name: &name, password: &password, is_admin: admin }.insert(&mut conn)?;
            println!("Created {} {}", if moderator.is_admin { "admin" } else { "moderator" }, moderator.name);
            Ok(())
        }
    }
}

/// Prints the evaluation figures at a range of score thresholds, the configured one
/// marked, from "every borderline word is a risk" to "none is", in steps of a half
/// across the scores the weights can give.
fn crisis_sweep(detector: &forum_mod::crisis::CrisisDetector, path: &std::path::Path) -> anyhow::Result<()> {
    let rows = forum_mod::crisis::read_labelled_csv(path)?;
    let configured = detector.score_threshold();
    let (lowest, highest) = detector.score_range();
    let mut thresholds = vec![f32::NEG_INFINITY, f32::INFINITY, configured];
    let (from, to) = ((lowest * 2.0).ceil() as i32, (highest * 2.0).floor() as i32);
    thresholds.extend((from..=to).map(|half| half as f32 / 2.0));
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    println!("{} rows, {} at risk", rows.len(), rows.iter().filter(|(_, label)| *label).count());
    println!("threshold  recall  precision  false-positive rate  true pos  false pos");
    for t in thresholds {
        let e = forum_mod::crisis::evaluate(&detector.with_score_threshold(t), &rows);
        let mark = if t == configured { "  (configured)" } else { "" };
        println!(
            "{t:>9}  {:>6.3}  {:>9.3}  {:>19.3}  {:>8}  {:>9}{mark}",
            e.recall(),
            e.precision(),
            e.false_positive_rate(),
            e.true_pos,
            e.false_pos
        );
    }
    Ok(())
}

/// The detector as the server builds it: `FORUM_CRISIS_LEXICON`, or the built-in lexicon.
fn detector() -> anyhow::Result<forum_mod::crisis::CrisisDetector> {
    Ok(match std::env::var_os("FORUM_CRISIS_LEXICON") {
        Some(dir) => forum_mod::crisis::CrisisDetector::from_dir(std::path::Path::new(&dir))?,
        None => forum_mod::crisis::CrisisDetector::builtin(),
    })
}

fn crisis_check(jsonl: bool, eval: Option<&std::path::Path>, sweep: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let detector = detector()?;
    if let Some(path) = eval {
        if sweep {
            return crisis_sweep(&detector, path);
        }
        let started = std::time::Instant::now();
        let e = forum_mod::crisis::evaluate_csv(&detector, path)?;
        println!("rows                {}", e.rows);
        println!("at risk (label 1)   {}", e.positives);
        println!("true positives      {}", e.true_pos);
        println!("false positives     {}", e.false_pos);
        println!("false negatives     {}", e.false_neg);
        println!("true negatives      {}", e.true_neg);
        println!("recall              {:.3}", e.recall());
        println!("precision           {:.3}", e.precision());
        println!("false-positive rate {:.3}", e.false_positive_rate());
        println!("time                {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
        return Ok(());
    }
    if !jsonl {
        bail!("say --jsonl (JSON lines on standard input) or --eval FILE.csv");
    }
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("line {}: not JSON", n + 1))?;
        let text = value
            .get("text")
            .and_then(serde_json::Value::as_str)
            .with_context(|| format!("line {}: no \"text\" string", n + 1))?;
        let scan = detector.scan(text);
        serde_json::to_writer(&mut out, &scan)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// `VACUUM INTO` writes a consistent copy of a live SQLite database without stopping writers
/// for long; PostgreSQL has its own tools.
fn backup(config: &Config, path: &std::path::Path) -> anyhow::Result<()> {
    use diesel::RunQueryDsl;
    if !config.core.database_url.is_sqlite() {
        bail!(
            "for PostgreSQL use pg_dump (for example: pg_dump --format=custom --file=forum.dump \"$DATABASE_URL\"), and pg_restore to restore"
        );
    }
    if path.exists() {
        bail!("{} already exists; choose a new file", path.display());
    }
    let target = path.to_str().context("the backup path must be valid UTF-8")?;
    let mut conn = connect(config)?;
    let started = std::time::Instant::now();
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(target)
        .execute(&mut *conn)
        .with_context(|| format!("cannot write the backup to {target}"))?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!("Backed up to {target} ({} KiB in {} ms)", size / 1024, started.elapsed().as_millis());
    println!(
        "To restore: stop the forum, put this file in place of the database (removing its -wal and -shm files), start the forum."
    );
    Ok(())
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let bind = config.bind;
        let listener =
            tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
        let state = tokio::task::spawn_blocking(move || App::open(config)).await??;
        let address = listener.local_addr()?;
        println!("Serving the forum at http://{address}/");
        crate::serve(state, listener).await
    })
}

type Conn = diesel::r2d2::PooledConnection<db::ConnectionManager>;

fn connect(config: &Config) -> anyhow::Result<Conn> {
    let pool = db::build_pool(&config.core.database_url, 1, config.core.sqlite_sync)?;
    pool.get().context("cannot connect to the database")
}

fn migrated(config: &Config) -> anyhow::Result<Conn> {
    let mut conn = connect(config)?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

/// Reads the password from standard input when it is not a terminal (scripts), or prompts for
/// it twice without echo.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        let min = forum_core::models::PASSWORD_MIN;
        let first = rpassword::prompt_password(format!(
            "Password for the new moderator (at least {min} characters): "
        ))?;
        let again = rpassword::prompt_password("The same password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("cannot read the password")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given");
    }
    Ok(password)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FORUM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

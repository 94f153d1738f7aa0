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
        /// Evaluate against a labelled file: CSV with columns text,label (1 = at risk), or
        /// JSON lines with text and tier (or at_risk), and optionally kind.
        #[arg(long, value_name = "FILE")]
        eval: Option<std::path::PathBuf>,
        /// With --eval: the figures at a range of thresholds (the rules' score and the
        /// model's probability), to choose the trade-off between missed people and false
        /// alarms.
        #[arg(long, requires = "eval")]
        sweep: bool,
    },
    /// Train the crisis model on a labelled corpus (a directory of JSON-lines files with
    /// text, tier, kind and lang), or measure it there by cross-validation.
    CrisisTrain {
        /// The corpus directory (the project's is forum-mod/data/crisis/corpus).
        corpus: std::path::PathBuf,
        /// Where to write the model file.
        #[arg(long, required_unless_present = "cv")]
        out: Option<std::path::PathBuf>,
        /// Instead of training one model: K-fold cross-validation, with figures per tier,
        /// kind and language, and a sweep of the operating point.
        #[arg(long, value_name = "K")]
        cv: Option<usize>,
        /// Seed for the order of training posts (training is deterministic for a seed).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = forum_mod::crisis::train::TrainOptions::default().epochs)]
        epochs: u32,
        /// Hash buckets are 2^BITS (the model file holds 12 * 2^BITS bytes).
        #[arg(long, default_value_t = forum_mod::crisis::train::TrainOptions::default().bits)]
        bits: u32,
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
    // The crisis commands need no database and no other settings.
    match &cli.command {
        Command::CrisisCheck { jsonl, eval, sweep } => return crisis_check(*jsonl, eval.as_deref(), *sweep),
        Command::CrisisTrain { corpus, out, cv, seed, epochs, bits } => {
            let options = forum_mod::crisis::train::TrainOptions {
                seed: *seed,
                epochs: *epochs,
                bits: *bits,
                ..Default::default()
            };
            return crisis_train(corpus, out.as_deref(), *cv, &options);
        }
        _ => {}
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
        Command::CrisisCheck { .. } | Command::CrisisTrain { .. } => unreachable!("handled above"),
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
    let rows: Vec<(String, bool)> = if path.extension().is_some_and(|e| e == "jsonl") {
        forum_mod::crisis::train::read_labelled_jsonl(path)?
            .into_iter()
            .map(|r| (r.text, r.at_risk))
            .collect()
    } else {
        forum_mod::crisis::read_labelled_csv(path)?
    };
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
    if detector.has_model() {
        let point = detector.operating_point();
        println!(
            "\nmodel_flag  recall  precision  false-positive rate  true pos  false pos  (model_keep {})",
            point.keep
        );
        for step in 1..20 {
            let flag = step as f32 * 0.05;
            let d = detector.with_operating_point(forum_mod::crisis::train::OperatingPoint {
                flag,
                window: point.window.max(flag),
                keep: point.keep.min(flag),
            });
            let e = forum_mod::crisis::evaluate(&d, &rows);
            let mark = if (flag - point.flag).abs() < 1e-6 { "  (configured)" } else { "" };
            println!(
                "{flag:>10.2}  {:>6.3}  {:>9.3}  {:>19.3}  {:>8}  {:>9}{mark}",
                e.recall(),
                e.precision(),
                e.false_positive_rate(),
                e.true_pos,
                e.false_pos
            );
        }
    }
    Ok(())
}

/// The detector as the server builds it: `FORUM_CRISIS_LEXICON` and `FORUM_CRISIS_MODEL`,
/// or the built-in ones.
fn detector() -> anyhow::Result<forum_mod::crisis::CrisisDetector> {
    let lexicon = std::env::var_os("FORUM_CRISIS_LEXICON").map(std::path::PathBuf::from);
    let model = std::env::var_os("FORUM_CRISIS_MODEL").map(std::path::PathBuf::from);
    Ok(forum_mod::crisis::CrisisDetector::configured(lexicon.as_deref(), model.as_deref())?)
}

/// `forum crisis-train`: one model written to `out`, or `folds`-fold cross-validation.
fn crisis_train(
    corpus: &std::path::Path,
    out: Option<&std::path::Path>,
    folds: Option<usize>,
    options: &forum_mod::crisis::train::TrainOptions,
) -> anyhow::Result<()> {
    use forum_mod::crisis::train;
    let lexicon = std::env::var_os("FORUM_CRISIS_LEXICON").map(std::path::PathBuf::from);
    // The rules are the model's input; the model being trained replaces any other.
    let detector = forum_mod::crisis::CrisisDetector::configured(lexicon.as_deref(), None)?;
    let examples = train::read_corpus(corpus)?;
    if examples.is_empty() {
        bail!("{} holds no labelled posts (*.jsonl)", corpus.display());
    }
    let at_risk = examples.iter().filter(|e| e.tier.is_at_risk()).count();
    println!("corpus              {} posts, {} at risk", examples.len(), at_risk);
    let started = std::time::Instant::now();
    if let Some(folds) = folds {
        anyhow::ensure!(folds >= 2 && folds <= examples.len(), "--cv needs 2 to {} folds", examples.len());
        let predictions = train::cross_validate(&detector, &examples, folds, options);
        let point = detector.operating_point();
        let report = |decide: &dyn Fn(&train::Prediction) -> bool| {
            let mut r = train::Report::default();
            for (e, p) in examples.iter().zip(&predictions) {
                r.add(e.tier.is_at_risk(), e.tier.as_str(), &e.kind, &e.lang, decide(p));
            }
            r
        };
        let at = |flag: f32, window: f32| train::OperatingPoint { flag, window, keep: point.keep.min(flag) };
        println!(
            "{folds}-fold cross-validation, at model_flag {}, model_window_flag {} and model_keep {}:\n",
            point.flag, point.window, point.keep
        );
        println!("{}", report(&|p| p.flagged(point)));
        println!("\nrules alone         {}", report(&|p| p.rule.is_at_risk()).overall);
        println!("model alone         {}", report(&|p| point.risk(p.whole, p.window) >= point.flag).overall);
        println!("\nrecall and false-positive rate by model_flag (rows) and model_window_flag (columns)");
        let windows = [0.8f32, 0.85, 0.9, 0.95, 0.98, 1.01];
        print!("{:>10}", "");
        for w in windows {
            print!("  {:>13}", if w > 1.0 { "off".to_owned() } else { format!("{w:.2}") });
        }
        println!();
        for step in 2..20 {
            let flag = step as f32 * 0.05;
            print!("{flag:>10.2}");
            for w in windows {
                let e = report(&|p| p.flagged(at(flag, w.max(flag)))).overall;
                print!("  {:>6.3} {:>6.3}", e.recall(), e.false_positive_rate());
            }
            println!();
        }
    } else if let Some(out) = out {
        let model = train::train(&detector, &examples, options);
        let bytes = model.to_bytes();
        std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
        println!("wrote               {} ({} bytes)", out.display(), bytes.len());
    }
    println!("time                {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn crisis_check(jsonl: bool, eval: Option<&std::path::Path>, sweep: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let detector = detector()?;
    if let Some(path) = eval {
        if sweep {
            return crisis_sweep(&detector, path);
        }
        let started = std::time::Instant::now();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let rows = forum_mod::crisis::train::read_labelled_jsonl(path)?;
            println!("{}", forum_mod::crisis::train::evaluate_labelled(&detector, &rows));
            println!("time                {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
            return Ok(());
        }
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

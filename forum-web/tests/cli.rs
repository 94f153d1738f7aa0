//! The `forum` binary as an operator uses it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn forum(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_forum"));
    cmd.env("DATABASE_URL", db).env("FORUM_LOG", "warn");
    cmd
}

fn run(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    run_with(&[], db, args, stdin)
}

fn run_with(env: &[(&str, &str)], db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = forum(db)
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn http_get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
        .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    response
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `forum serve` on a free port; returns the server and its address.
fn serve(db: &str, extra_env: &[(&str, &str)]) -> (Server, String) {
    let mut cmd = forum(db);
    cmd.args(["serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints its address");
    let address =
        line.trim().trim_start_matches("Serving the forum at http://").trim_end_matches('/').to_owned();
    assert!(address.starts_with("127.0.0.1:"), "{line}");
    (server, address)
}

#[test]
fn boards_made_on_the_command_line_are_served() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("data/forum.db").display().to_string();
    let (ok, out, err) = run(&db, &["migrate"], "");
    assert!(ok, "{err}");
    assert!(out.contains("applied"), "{out}");
    let (ok, out, _) = run(&db, &["migrate"], "");
    assert!(ok && out.contains("up to date"), "{out}");

    let (ok, out, err) = run(
        &db,
        &["board", "create", "night-owls", "--name", "Night owls", "--description", "For the small hours"],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("/b/night-owls"), "{out}");
    let (ok, _, err) = run(&db, &["board", "create", "night-owls", "--name", "Again"], "");
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("already"), "{err}");
    let (ok, _, err) = run(&db, &["board", "create", "Bad Slug", "--name", "x"], "");
    assert!(!ok && err.starts_with("forum: ") && !err.contains("panicked"), "{err}");
    let (_, out, _) = run(&db, &["board", "list"], "");
    assert!(out.contains("night-owls\tNight owls"), "{out}");

    let (ok, out, err) = run(&db, &["mod", "create", "river", "--admin"], "a long enough password\n");
    assert!(ok, "{err}");
    assert!(out.contains("admin river"), "{out}");
    let (ok, _, err) = run(&db, &["mod", "create", "brook"], "short\n");
    assert!(!ok && err.contains("at least"), "{err}");

    // A database made by the CLI gets no starter boards: the operator chose their own.
    let (server, address) = serve(&db, &[]);
    let page = http_get(&address, "/b/night-owls");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<h1>Night owls</h1>"), "{page}");
    let missing = http_get(&address, "/b/nope");
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    drop(server);
}

#[test]
fn a_fresh_database_gets_starter_boards_and_a_health_check() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("forum.db").display().to_string();
    let started = Instant::now();
    let (server, address) = serve(&db, &[]);
    let home = http_get(&address, "/");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    for board in ["Depression", "Anxiety", "Grief and loss", "Supporting someone"] {
        assert!(home.contains(board), "{board}");
    }
    assert!(!home.to_ascii_lowercase().contains("set-cookie"), "readers get no cookie");
    assert!(http_get(&address, "/healthz").starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(server);
}

#[test]
fn bad_configuration_is_one_clear_line() {
    let (ok, _, err) = run("mysql://nope", &["migrate"], "");
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown scheme"), "{err}");
    let (ok, _, err) = run("postgres://nobody@127.0.0.1:1/none", &["migrate"], "");
    assert!(!ok && err.starts_with("forum: ") && !err.contains("panicked"), "{err}");
    let mut cmd = forum("x.db");
    let out = cmd.args(["serve"]).env("FORUM_BIND", "not an address").output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("FORUM_BIND"), "{err}");
}

#[test]
fn crisis_check_classifies_json_lines_in_order() {
    let input = concat!(
        "{\"text\": \"i have a plan and i'm doing it tonight\"}\n",
        "\n",
        "{\"text\": \"this exam is killing me\"}\n",
        "{\"text\": \"my sister told me she wants to end her life\", \"id\": 7}\n",
    );
    let (ok, out, err) = run("unused.db", &["crisis-check", "--jsonl"], input);
    assert!(ok, "{err}");
    let tiers: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line")["tier"].to_string())
        .collect();
    assert_eq!(tiers, ["\"imminent\"", "\"none\"", "\"third_party\""], "{out}");
    assert!(out.lines().next().is_some_and(|l| l.contains("\"matches\":[{")), "{out}");

    let (ok, _, err) = run("unused.db", &["crisis-check", "--jsonl"], "{\"text\": \"fine\"}\nnot json\n");
    assert!(!ok && err.contains("line 2: not JSON") && !err.contains("panicked"), "{err}");
}

#[test]
fn crisis_check_evaluates_and_sweeps_a_labelled_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let csv = dir.path().join("labelled.csv");
    std::fs::write(
        &csv,
        concat!(
            "text,label\n",
            "\"i want to die, i can't keep going\",1\n",
            "i've been stockpiling my pills,1\n",
            // A bare state word with no one named: flagged only at a low threshold.
            "suicidal,1\n",
            "i'd die for a coffee right now,0\n",
            "\"if you're struggling, please call a helpline\",0\n",
        ),
    )
    .expect("written");
    let csv = csv.display().to_string();
    // The rules alone: their score threshold is what this sweep is about.
    let rules = [("FORUM_CRISIS_MODEL", "off")];
    let (ok, out, err) = run_with(&rules, "unused.db", &["crisis-check", "--eval", &csv], "");
    assert!(ok, "{err}");
    for line in [
        "rows                5",
        "true positives      2",
        "false positives     0",
        "recall              0.667",
    ] {
        assert!(out.contains(line), "{line:?} in {out}");
    }

    let (ok, out, err) = run_with(&rules, "unused.db", &["crisis-check", "--eval", &csv, "--sweep"], "");
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .filter(|r: &Vec<&str>| r.len() >= 6)
        .collect();
    let recall = |threshold: &str| rows.iter().find(|r| r[0] == threshold).map(|r| r[1]).expect(threshold);
    assert_eq!(recall("-inf"), "1.000", "{out}");
    assert_eq!(recall("inf"), "0.667", "{out}");
    assert!(out.lines().any(|l| l.trim_start().starts_with("3 ") && l.ends_with("(configured)")), "{out}");
    let recalls: Vec<f64> = rows.iter().map(|r| r[1].parse().expect("a number")).collect();
    assert!(recalls.windows(2).all(|w| w[0] >= w[1]), "recall falls as the threshold rises: {out}");

    let (ok, _, err) = run("unused.db", &["crisis-check", "--sweep"], "");
    assert!(!ok && err.contains("--eval"), "{err}");
}

/// A corpus of a few posts of every tier, in the corpus format.
fn tiny_corpus(dir: &std::path::Path) {
    let rows = [
        ("the pills are lined up on the desk and tonight is the night", "imminent"),
        ("i have the rope in the shed and i go after dark", "imminent"),
        ("wrote my letters and the car is in the garage, this is goodbye", "imminent"),
        ("i wish i could sleep and never wake up again", "ideation"),
        ("everyone would be better off if i was gone", "ideation"),
        ("the craving to open my skin again is loud tonight", "self_harm"),
        ("my sister sent a goodbye text and her phone is off", "third_party"),
        ("this meeting is killing me, send coffee", "none"),
        ("my phone died on the train home", "none"),
        ("we finally beat the last boss, what a night", "none"),
        ("two years ago i tried to end things and today i ran a marathon", "concern"),
        ("if you are struggling the helpline is open all night", "concern"),
    ];
    let lines: Vec<String> = rows
        .iter()
        .map(|(text, tier)| {
            serde_json::json!({"text": text, "tier": tier, "kind": "test", "lang": "en"}).to_string()
        })
        .collect();
    std::fs::write(dir.join("posts.jsonl"), lines.join("\n") + "\n").expect("written");
}

#[test]
fn crisis_train_writes_a_model_that_crisis_check_uses() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).expect("made");
    tiny_corpus(&corpus);
    let corpus = corpus.display().to_string();
    let model = dir.path().join("model.bin").display().to_string();

    let (ok, out, err) = run("unused.db", &["crisis-train", &corpus, "--out", &model, "--epochs", "30"], "");
    assert!(ok, "{err}");
    assert!(out.contains("12 posts, 7 at risk") && out.contains("wrote"), "{out}");
    let first = std::fs::read(&model).expect("a model file");
    let (ok, _, err) = run("unused.db", &["crisis-train", &corpus, "--out", &model, "--epochs", "30"], "");
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(&model).expect("a model file"), first, "training is deterministic");

    let (ok, out, err) = run("unused.db", &["crisis-train", &corpus, "--cv", "3"], "");
    assert!(ok, "{err}");
    for needle in ["3-fold cross-validation", "recall", "rules alone", "model_flag (rows)"] {
        assert!(out.contains(needle), "{needle:?} in {out}");
    }

    // The model replaces the built-in one; crisis-check reads labelled JSON lines.
    let labelled = dir.path().join("labelled.jsonl");
    std::fs::write(
        &labelled,
        concat!(
            "{\"text\": \"i want to kill myself tonight\", \"tier\": \"imminent\", \"kind\": \"direct\"}\n",
            "{\"text\": \"my brother is on the bridge right now\", \"tier\": \"third_party_imminent\", \"kind\": \"third_party\"}\n",
            "{\"text\": \"this exam is killing me\", \"tier\": \"none\", \"kind\": \"idiom\"}\n",
        ),
    )
    .expect("written");
    let labelled = labelled.display().to_string();
    let env = [("FORUM_CRISIS_MODEL", model.as_str())];
    let (ok, out, err) = run_with(&env, "unused.db", &["crisis-check", "--eval", &labelled], "");
    assert!(ok, "{err}");
    for needle in
        ["rows                3", "at risk             2", "third_party_imminent", "idiom", "false alarms"]
    {
        assert!(out.contains(needle), "{needle:?} in {out}");
    }
    let (ok, out, err) = run_with(&env, "unused.db", &["crisis-check", "--jsonl"], "{\"text\": \"hello\"}\n");
    assert!(ok && out.contains("\"risk\":"), "{out} {err}");

    // Bad input is one clear line.
    let (ok, _, err) =
        run_with(&[("FORUM_CRISIS_MODEL", "/no/such/model")], "unused.db", &["crisis-check", "--jsonl"], "");
    assert!(!ok && err.contains("/no/such/model") && !err.contains("panicked"), "{err}");
    std::fs::write(&model, b"not a model").expect("written");
    let (ok, _, err) = run_with(&env, "unused.db", &["crisis-check", "--jsonl"], "");
    assert!(!ok && err.contains("not a crisis model") && !err.contains("panicked"), "{err}");
    let empty = tempfile::tempdir().expect("a temp dir");
    let (ok, _, err) =
        run("unused.db", &["crisis-train", &empty.path().display().to_string(), "--cv", "5"], "");
    assert!(!ok && err.contains("no labelled posts"), "{err}");
}

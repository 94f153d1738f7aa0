//! The real binary under hostile conditions: slow and oversized requests, a kill in the middle
//! of a flood of replies, an online backup, and a search of everything it stored and logged for
//! client addresses and member keys.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn forum(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_forum"));
    cmd.env("DATABASE_URL", db).env("FORUM_LOG", "warn");
    cmd
}

fn serve(db: &str, env: &[(&str, &str)], stderr: Stdio) -> Server {
    let mut cmd = forum(db);
    cmd.args(["serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the address line");
    let address =
        line.trim().trim_start_matches("Serving the forum at http://").trim_end_matches('/').to_owned();
    assert!(address.starts_with("127.0.0.1:"), "{line}");
    Server { child, address }
}

/// One HTTP/1.1 exchange on a fresh connection: status, headers (lower-case names) and body.
fn request(address: &str, raw: &str) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    stream.write_all(raw.as_bytes()).expect("sent");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn get(address: &str, path: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
    request(address, &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{extra}Connection: close\r\n\r\n"))
}

fn post(address: &str, path: &str, body: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
    request(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\n{extra}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn csrf(body: &str) -> String {
    let at = body.find(r#"name="csrf" value=""#).expect("a form token") + r#"name="csrf" value=""#.len();
    body[at..].split('"').next().expect("token").to_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Starts a thread on board `b`; returns its id.
fn start_thread(address: &str, extra: &str) -> String {
    let (_, _, page) = get(address, "/b/b/new", extra);
    let body = format!("csrf={}&title=Night+shift&body=first", encode(&csrf(&page)));
    let (status, headers, _) = post(address, "/b/b/new", &body, extra);
    assert_eq!(status, 303);
    let location = header(&headers, "location").expect("a location");
    location.trim_start_matches("/t/").split(['/', '#']).next().expect("an id").to_owned()
}

fn make_board(db: &str) {
    let out = forum(db).args(["board", "create", "b", "--name", "B"]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn slow_and_oversized_requests_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db").display().to_string();
    let server = serve(&db, &[("FORUM_HEADER_TIMEOUT_SECS", "1")], Stdio::null());
    // A client that never finishes its headers is disconnected.
    let mut slow = TcpStream::connect(&server.address).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 512];
    let read = slow.read(&mut buffer).unwrap_or(0);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "cut off after {waited:?}");
    let answer = String::from_utf8_lossy(&buffer[..read]);
    assert!(read == 0 || answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A huge header is refused with 431, and the server keeps serving.
    let huge = "a".repeat(40 * 1024);
    let (status, _, _) = get(&server.address, "/", &format!("X-Huge: {huge}\r\n"));
    assert_eq!(status, 431);
    let (status, _, _) = get(&server.address, "/healthz", "");
    assert_eq!(status, 200);
}

#[test]
fn an_online_backup_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db").display().to_string();
    make_board(&db);
    let server = serve(&db, &[("FORUM_RATE_LIMITS", "off")], Stdio::null());
    let thread = start_thread(&server.address, "");
    let backup = dir.path().join("backup.db").display().to_string();
    let out = forum(&db).args(["backup", &backup]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backed up to"));
    let again = forum(&db).args(["backup", &backup]).output().unwrap();
    assert!(!again.status.success(), "an existing file is never overwritten");
    drop(server);
    let restored = serve(&backup, &[], Stdio::null());
    let (status, _, page) = get(&restored.address, &format!("/t/{thread}"), "");
    assert_eq!(status, 200);
    assert!(page.contains("Night shift") && page.contains("first"));
    let pg = forum("postgres://u@127.0.0.1:1/x").args(["backup", "x.dump"]).output().unwrap();
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
}

/// Replies are sent as fast as four clients can; the server is killed with SIGKILL in the
/// middle. Every reply that was answered with a 303 must be there, intact, after a restart.
fn acknowledged_replies_survive_a_kill(db: &str) -> usize {
    make_board(db);
    let server = serve(db, &[("FORUM_RATE_LIMITS", "off")], Stdio::null());
    let address = server.address.clone();
    let thread = start_thread(&address, "");
    let (_, _, page) = get(&address, &format!("/t/{thread}"), "");
    let token = csrf(&page);
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (address, thread, token) = (address.clone(), thread.clone(), token.clone());
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let text = format!("reply {w}-{i} stays");
                    let body = format!("csrf={}&body={}", encode(&token), encode(&text));
                    let raw = format!(
                        "POST /t/{thread}/reply HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let Ok(mut stream) = TcpStream::connect(&address) else { break };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    if stream.write_all(raw.as_bytes()).is_err() {
                        break;
                    }
                    let mut response = String::new();
                    let _ = stream.read_to_string(&mut response);
                    if response.starts_with("HTTP/1.1 303") {
                        let post = response
                            .lines()
                            .find(|l| l.to_ascii_lowercase().starts_with("location:"))
                            .and_then(|l| l.rsplit("#p").next())
                            .map(|p| p.trim().to_owned());
                        if let Some(post) = post {
                            acknowledged.lock().unwrap().push((post, text));
                        }
                    } else if response.is_empty() {
                        break;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let mut server = server;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 20, "only {} replies were acknowledged", acknowledged.len());
    let restarted = serve(db, &[], Stdio::null());
    for (post, text) in &acknowledged {
        let (status, headers, _) = get(&restarted.address, &format!("/p/{post}"), "");
        assert_eq!(status, 303, "post {post} is there");
        let location = header(&headers, "location").unwrap().split('#').next().unwrap().to_owned();
        let (_, _, page) = get(&restarted.address, &location, "");
        assert!(page.contains(text), "post {post} is intact");
    }
    acknowledged.len()
}

#[test]
fn nothing_acknowledged_is_lost_to_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db").display().to_string();
    let count = acknowledged_replies_survive_a_kill(&db);
    eprintln!("{count} acknowledged replies survived SIGKILL");
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = diesel::SqliteConnection::establish(&db).unwrap();
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn).unwrap();
    assert_eq!(rows.iter().map(|r| r.integrity_check.as_str()).collect::<Vec<_>>(), ["ok"]);
}

#[test]
fn nothing_acknowledged_is_lost_to_sigkill_on_postgres() {
    let Some(url) = std::env::var("FORUM_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipped: set FORUM_TEST_DATABASE_URL to run this test on PostgreSQL");
        return;
    };
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let schema = format!("crash_{}", std::process::id());
    let mut admin = diesel::PgConnection::establish(&url).unwrap();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let db = format!("{url}{separator}options=-c%20search_path%3D{schema}");
    let count = acknowledged_replies_survive_a_kill(&db);
    eprintln!("{count} acknowledged replies survived SIGKILL on PostgreSQL");
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

#[test]
fn no_client_address_or_member_key_is_stored_or_logged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("private.db").display().to_string();
    make_board(&db);
    let mut moderator = forum(&db).args(["mod", "create", "river"]).stdin(Stdio::piped()).spawn().unwrap();
    moderator.stdin.take().unwrap().write_all(b"a long password\n").unwrap();
    assert!(moderator.wait().unwrap().success());
    let log = dir.path().join("server.log");
    let server = serve(
        &db,
        &[("FORUM_TRUSTED_PROXIES", "127.0.0.1"), ("FORUM_LOG", "debug"), ("FORUM_RATE_LIMITS", "off")],
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    let address = &server.address;
    let clients = ["203.0.113.77", "198.51.100.23", "2001:db8:77::42"];
    let mut keys = Vec::new();
    for ip in clients {
        let via = format!("X-Forwarded-For: {ip}\r\n");
        let (_, _, page) = get(address, "/b/b/new", &via);
        let body = format!("csrf={}&title=From+{}&body=hello", encode(&csrf(&page)), encode(ip));
        let (status, headers, _) = post(address, "/b/b/new", &body, &via);
        assert_eq!(status, 303);
        let cookie = header(&headers, "set-cookie").unwrap().split(';').next().unwrap().to_owned();
        keys.push(cookie.trim_start_matches("forum_key=").to_owned());
        let location = header(&headers, "location").unwrap();
        let post_id = location.rsplit("#p").next().unwrap().to_owned();
        let (_, _, page) = get(address, &format!("/p/{post_id}/report"), &via);
        let body = format!("csrf={}&reason=spam&note=test", encode(&csrf(&page)));
        assert_eq!(post(address, &format!("/p/{post_id}/report"), &body, &via).0, 200);
        let (_, _, page) = get(address, "/mod/login", &via);
        let body = format!("csrf={}&name=river&password=wrong+password", encode(&csrf(&page)));
        assert_eq!(post(address, "/mod/login", &body, &via).0, 401);
    }
    drop(server);
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        stored.extend(std::fs::read(&path).unwrap());
    }
    let haystack = String::from_utf8_lossy(&stored);
    assert!(haystack.contains("From 203.0.113.77"), "the search does see the stored text");
    for ip in clients {
        // The title contains the address on purpose; anything else would be a leak.
        let occurrences = haystack.matches(ip).count();
        let in_titles = haystack.matches(&format!("From {ip}")).count();
        assert_eq!(occurrences, in_titles, "{ip} appears outside the titles that quote it");
    }
    for key in &keys {
        assert!(!haystack.contains(key.as_str()), "a member key is stored or logged in clear");
    }
}

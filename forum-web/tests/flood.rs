//! One client floods replies at 1,000 requests/s while 20 ordinary readers and posters use
//! the site: the flooder meets 429s, and the others' requests all succeed with a p99 under
//! 100 ms. `FORUM_FLOOD_SECS` sets the length (default 5 s; the full run is 30 s).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn csrf(body: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let at = body.find(marker).expect("a form token") + marker.len();
    body[at..].split('"').next().expect("a token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooder_is_refused_while_everyone_else_is_served() {
    let seconds: u64 = std::env::var("FORUM_FLOOD_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flood.db").display().to_string();
    let created = Command::new(env!("CARGO_BIN_EXE_forum"))
        .args(["board", "create", "b", "--name", "B"])
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(created.status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_forum"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db)
        .env("FORUM_LOG", "error")
        .env("FORUM_TRUSTED_PROXIES", "127.0.0.1")
        .env("FORUM_SQLITE_SYNCHRONOUS", "normal")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let _server = Server(child);
    let base = line.trim().trim_start_matches("Serving the forum at ").trim_end_matches('/').to_owned();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // A thread to read and reply to.
    let page =
        client.get(format!("{base}/b/b/new")).header("x-forwarded-for", "192.0.2.200").send().await.unwrap();
    let token = csrf(&page.text().await.unwrap());
    let sent = client
        .post(format!("{base}/b/b/new"))
        .header("x-forwarded-for", "192.0.2.200")
        .form(&[("csrf", token.as_str()), ("title", "Busy thread"), ("body", "hello")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let thread = sent.headers()["location"].to_str().unwrap().split('#').next().unwrap().to_owned();
    let thread_id = thread.trim_start_matches("/t/").split('/').next().unwrap().to_owned();
    let page = client.get(format!("{base}{thread}")).send().await.unwrap().text().await.unwrap();
    let anon_token = csrf(&page);

    let deadline = Instant::now() + Duration::from_secs(seconds);
    // The flooder: 1,000 replies a second from one address.
    let flood = {
        let (client, base, token, thread_id) =
            (client.clone(), base.clone(), anon_token.clone(), thread_id.clone());
        tokio::spawn(async move {
            let mut statuses = std::collections::HashMap::<u16, u64>::new();
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            let mut pending = Vec::new();
            while Instant::now() < deadline {
                tick.tick().await;
                let (client, url, token) =
                    (client.clone(), format!("{base}/t/{thread_id}/reply"), token.clone());
                pending.push(tokio::spawn(async move {
                    client
                        .post(url)
                        .header("x-forwarded-for", "198.51.100.66")
                        .form(&[("csrf", token.as_str()), ("body", "flood")])
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0)
                }));
                if pending.len() >= 500 {
                    for p in pending.drain(..) {
                        *statuses.entry(p.await.unwrap_or(0)).or_default() += 1;
                    }
                }
            }
            for p in pending {
                *statuses.entry(p.await.unwrap_or(0)).or_default() += 1;
            }
            statuses
        })
    };
    // Twenty ordinary people: read pages, and now and then reply.
    let latencies = Arc::new(Mutex::new(Vec::<(u16, Duration)>::new()));
    let people: Vec<_> = (0..20)
        .map(|n| {
            let (client, base, thread, thread_id, latencies) =
                (client.clone(), base.clone(), thread.clone(), thread_id.clone(), latencies.clone());
            tokio::spawn(async move {
                let address = format!("203.0.113.{}", n + 1);
                let mut cookie: Option<String> = None;
                let mut last_post = Instant::now() - Duration::from_secs(60);
                let mut round = 0u32;
                while Instant::now() < deadline {
                    round += 1;
                    let path = match round % 3 {
                        0 => "/".to_owned(),
                        1 => "/b/b".to_owned(),
                        _ => thread.clone(),
                    };
                    let started = Instant::now();
                    let mut request = client.get(format!("{base}{path}")).header("x-forwarded-for", &address);
                    if let Some(c) = &cookie {
                        request = request.header("cookie", c);
                    }
                    let response = request.send().await;
                    let status = response.as_ref().map(|r| r.status().as_u16()).unwrap_or(0);
                    let body = match response {
                        Ok(r) => r.text().await.unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    latencies.lock().await.push((status, started.elapsed()));
                    // A reply every 25 s at most: well within the limits for a new member.
                    if path == thread
                        && last_post.elapsed() > Duration::from_secs(25)
                        && body.contains("csrf")
                    {
                        let token = csrf(&body);
                        let started = Instant::now();
                        let mut request = client
                            .post(format!("{base}/t/{thread_id}/reply"))
                            .header("x-forwarded-for", &address)
                            .form(&[("csrf", token.as_str()), ("body", "holding on with you")]);
                        if let Some(c) = &cookie {
                            request = request.header("cookie", c);
                        }
                        let response = request.send().await;
                        let status = response.as_ref().map(|r| r.status().as_u16()).unwrap_or(0);
                        if let Ok(r) = &response {
                            if let Some(set) = r.headers().get("set-cookie") {
                                cookie =
                                    set.to_str().ok().and_then(|s| s.split(';').next()).map(str::to_owned);
                            }
                        }
                        latencies.lock().await.push((status, started.elapsed()));
                        last_post = Instant::now();
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        })
        .collect();
    for p in people {
        p.await.unwrap();
    }
    let flooded = flood.await.unwrap();
    let mut results = latencies.lock().await.clone();
    let total_flood: u64 = flooded.values().sum();
    let refused = flooded.get(&429).copied().unwrap_or(0);
    eprintln!("flooder: {total_flood} requests, statuses {flooded:?}");
    assert!(total_flood as f64 >= 1000.0 * seconds as f64 * 0.8, "the flood reached {total_flood} requests");
    assert!(refused as f64 >= total_flood as f64 * 0.95, "the flooder is refused: {flooded:?}");
    let failed: Vec<_> = results.iter().filter(|(s, _)| !matches!(s, 200 | 303)).collect();
    assert!(failed.is_empty(), "ordinary requests failed: {failed:?}");
    results.sort_by_key(|(_, d)| *d);
    let p99 = results[(results.len() * 99 / 100).min(results.len() - 1)].1;
    let p50 = results[results.len() / 2].1;
    eprintln!("ordinary: {} requests, p50 {p50:?}, p99 {p99:?}", results.len());
    assert!(results.len() > 10 * seconds as usize, "{} ordinary requests", results.len());
    assert!(p99 < Duration::from_millis(100), "p99 {p99:?}");
}

//! Walks every route the router declares (read from the route modules' source, since axum
//! cannot list its routes) and checks that each state-changing route refuses a request
//! without a valid form token, and that every moderator route refuses a visitor without a
//! session.

use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};

/// Every `.route("PATH", …)` in forum-web's route modules, with the methods it serves.
fn declared_routes() -> Vec<(String, Vec<&'static str>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../forum-web/src/routes");
    let mut routes = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the routes directory") {
        let source = std::fs::read_to_string(entry.expect("an entry").path()).expect("a route module");
        let mut rest = source.as_str();
        while let Some(at) = rest.find(".route(\"") {
            rest = &rest[at + 8..];
            let path = rest.split('"').next().unwrap_or_default().to_owned();
            // The handlers of this route: up to the next `.route(` or the end of the chain.
            let end = rest.find(".route(").or_else(|| rest.find(";\n")).unwrap_or(rest.len());
            let chain = &rest[..end];
            let mut methods = Vec::new();
            if chain.contains("get(") {
                methods.push("GET");
            }
            if chain.contains("post(") {
                methods.push("POST");
            }
            routes.push((path, methods));
        }
    }
    routes.sort();
    routes
}

fn concrete(path: &str) -> String {
    path.replace("{slug}", "b").replace("{id}", "1").replace("{file}", "style.css")
}

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    app.db(|c| {
        use diesel::prelude::*;
        use forum_core::schema::{mod_log, posts, threads};
        (
            posts::table.count().get_result(c).unwrap(),
            threads::table.count().get_result(c).unwrap(),
            mod_log::table.count().get_result(c).unwrap(),
        )
    })
    .await
}

#[test]
fn the_route_list_is_read() {
    let routes = declared_routes();
    assert!(routes.len() > 25, "{routes:?}");
    assert!(routes.iter().any(|(p, m)| p == "/t/{id}/reply" && m == &["POST"]));
    assert!(routes.iter().any(|(p, m)| p == "/b/{slug}/new" && m == &["GET", "POST"]));
}

engine_tests! {
    async fn every_post_route_checks_the_form_token(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        // One browser that is a member and an admin, so that only the token can be missing.
        let both = app.moderator_client("river", true).await;
        let sent = both.submit("/b/b/new", "/b/b/new", &[("title", "a thread"), ("body", "a post")]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let before = counts(&app).await;
        let mut checked = 0;
        for (path, methods) in declared_routes() {
            if !methods.contains(&"POST") {
                continue;
            }
            let url = concrete(&path);
            for fields in [vec![("body", "x"), ("action", "hide")], vec![("csrf", "1.00"), ("body", "x"), ("action", "hide")]] {
                let response = both.post_form(&url, &fields).await;
                assert_eq!(response.status, StatusCode::FORBIDDEN, "POST {url} without a valid token: {}", response.text);
            }
            checked += 1;
        }
        assert!(checked >= 15, "{checked} POST routes");
        assert_eq!(counts(&app).await, before, "nothing changed");
        assert!(both.get("/mod/queue").await.status == StatusCode::OK, "the session still works");
    }

    async fn every_moderator_route_needs_a_session(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        app.client().submit("/b/b/new", "/b/b/new", &[("title", "a thread"), ("body", "a post")]).await;
        let visitor = app.client();
        let plain = app.moderator_client("brook", false).await;
        let mut checked = 0;
        for (path, methods) in declared_routes() {
            let is_mod = path == "/mod" || path.starts_with("/mod/") || path == "/metrics";
            if !is_mod || path == "/mod/login" {
                continue;
            }
            let url = concrete(&path);
            for method in methods {
                let response = match method {
                    "GET" => visitor.get(&url).await,
                    _ => {
                        let token = visitor.get("/mod/login").await.csrf().unwrap();
                        visitor.post_form(&url, &[("csrf", &token), ("action", "hide")]).await
                    }
                };
                assert!(
                    matches!(response.status, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                    "{method} {url} without a session answered {}",
                    response.status
                );
                if response.status == StatusCode::SEE_OTHER {
                    assert_eq!(response.location(), Some("/mod/login"), "{method} {url}");
                }
                if path.starts_with("/mod/admin") && method == "GET" {
                    assert_eq!(plain.get(&url).await.status, StatusCode::FORBIDDEN, "{url} is for admins only");
                }
                checked += 1;
            }
        }
        assert!(checked >= 12, "{checked} moderator routes");
    }
}

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forum_tests::{TestApp, encode_form, engine_tests};
use forum_web::rate_limit::{LimitRule, LimitedAction, RateLimits};

async fn thread_count(app: &TestApp) -> i64 {
    app.db(|c| {
        use diesel::prelude::*;
        forum_core::schema::threads::table.count().get_result(c).unwrap()
    })
    .await
}

engine_tests! {
    async fn forged_posts_are_refused_and_store_nothing(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let attacker = app.client();
        let fields = [("title", "forged"), ("body", "x")];
        let none = attacker.post_form("/b/b/new", &fields).await;
        assert_eq!(none.status, StatusCode::FORBIDDEN);
        assert!(none.text.contains("did not come from this site"));
        let bad = attacker.post_form("/b/b/new", &[("csrf", "123.abcdef"), ("title", "forged"), ("body", "x")]).await;
        assert_eq!(bad.status, StatusCode::FORBIDDEN);
        // A token from someone else's identity does not work for a request without it.
        let member = app.client();
        member.submit("/b/b/new", "/b/b/new", &[("title", "real"), ("body", "x")]).await;
        let their_token = member.get("/b/b/new").await.csrf().unwrap();
        let stolen = attacker.post_form("/b/b/new", &[("csrf", &their_token), ("title", "forged"), ("body", "x")]).await;
        assert_eq!(stolen.status, StatusCode::FORBIDDEN);
        // A valid token sent from another site is refused by its Origin.
        let token = attacker.get("/b/b/new").await.csrf().unwrap();
        let body = encode_form(&[("csrf", &token), ("title", "cross-site"), ("body", "x")]);
        let request = Request::post("/b/b/new")
            .header(header::HOST, "forum.test")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
        assert_eq!(thread_count(&app).await, 1, "only the real thread");
        // Browsers send `Origin: null` on the site's own forms under `Referrer-Policy: no-referrer`;
        // `Sec-Fetch-Site` decides.
        for (fetch_site, expected) in [("same-origin", StatusCode::SEE_OTHER), ("cross-site", StatusCode::FORBIDDEN)] {
            let token = attacker.get("/b/b/new").await.csrf().unwrap();
            let body = encode_form(&[("csrf", &token), ("title", fetch_site), ("body", "x")]);
            let request = Request::post("/b/b/new")
                .header(header::HOST, "forum.test")
                .header(header::ORIGIN, "null")
                .header("sec-fetch-site", fetch_site)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            assert_eq!(app.send(request).await.status, expected, "{fetch_site}");
        }
        assert_eq!(thread_count(&app).await, 2);
    }

    async fn a_burst_of_replies_meets_429_with_retry_after(engine) {
        let limits = RateLimits::default().with(LimitedAction::Reply, LimitRule { every: Duration::from_secs(60), burst: 3 });
        let app = TestApp::builder().rate_limits(limits).build(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "t"), ("body", "x")]).await;
        let path = sent.location().unwrap().split('#').next().unwrap().to_owned();
        let id = path.trim_start_matches("/t/").split('/').next().unwrap().to_owned();
        let token = member.get(&path).await.csrf().unwrap();
        let mut statuses = Vec::new();
        let mut last = None;
        for i in 0..5 {
            let r = member.post_form(&format!("/t/{id}/reply"), &[("csrf", &token), ("body", &format!("reply {i}"))]).await;
            statuses.push(r.status.as_u16());
            last = Some(r);
        }
        // A member in their first day gets half the burst: 2 (rounded up from 1.5).
        assert_eq!(statuses, [303, 303, 429, 429, 429]);
        let last = last.unwrap();
        let wait: u64 = last.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=120).contains(&wait), "{wait}");
        assert!(last.text.contains("Please slow down"));
        // Someone else, from another network, can still reply.
        let other = app.client();
        let ok = other.submit(&path, &format!("/t/{id}/reply"), &[("body", "hello")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
    }

    async fn oversized_bodies_get_413(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let huge = "x".repeat(2 * 1024 * 1024);
        let refused = member.submit("/b/b/new", "/b/b/new", &[("title", "big"), ("body", &huge)]).await;
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(refused.text.contains("Too long"));
        assert_eq!(thread_count(&app).await, 0);
    }

    async fn malformed_forms_are_4xx_pages(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let make = |content_type: &str, body: Vec<u8>| {
            Request::post("/b/b/new").header(header::HOST, "forum.test").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap()
        };
        for (kind, body) in [
            ("application/x-www-form-urlencoded", b"title=%FF%FE&body=\xff\xfe".to_vec()),
            ("application/json", b"{\"title\":1}".to_vec()),
            ("application/x-www-form-urlencoded", b"title=a&title=b&body=%".to_vec()),
        ] {
            let response = app.send(make(kind, body)).await;
            assert!(response.status.is_client_error(), "{kind}: {}", response.status);
            assert!(response.text.contains("<!DOCTYPE html>"), "an HTML page");
        }
        assert_eq!(thread_count(&app).await, 0);
    }

    async fn every_response_carries_the_security_headers(engine) {
        let app = TestApp::new(engine).await;
        for path in ["/", "/help", "/nope", "/static/style.css"] {
            let r = app.get(path).await;
            let csp = r.header("content-security-policy").unwrap_or_default();
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
            assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        }
        let css = app.get("/static/style.css").await;
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        assert!(css.text.contains("prefers-color-scheme: dark"));
        // No third-party assets: every URL the home page loads is our own.
        let home = app.get("/").await;
        for url in home.select_attr("link", "href").into_iter().chain(home.select_attr("script", "src")) {
            assert!(url.starts_with('/') && !url.starts_with("//"), "{url}");
        }
    }

    async fn markup_in_titles_warnings_and_bodies_renders_inert(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">click</a>",
            "[click](javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<svg/onload=alert(1)>",
            "\"><script>alert(1)</script>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "[a](  JaVaScRiPt:alert(1) )",
        ];
        for payload in payloads {
            let sent = member.submit("/b/b/new", "/b/b/new", &[("title", payload), ("content_warning", payload), ("body", payload)]).await;
            assert_eq!(sent.status, StatusCode::SEE_OTHER, "{payload}");
            let page = member.follow(&sent).await;
            assert_eq!(page.executable_content(), Vec::<String>::new(), "{payload}");
            assert_eq!(page.select_text("h1"), [payload], "the title reads as typed");
        }
        let board = app.get("/b/b").await;
        assert_eq!(board.executable_content(), Vec::<String>::new());
    }
}

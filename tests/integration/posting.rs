use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};

engine_tests! {
    async fn a_member_starts_a_thread_and_others_reply_under_stable_distinct_names(engine) {
        let app = TestApp::new(engine).await;
        app.board("grief", "Grief").await;
        let alice = app.client();
        let sent = alice
            .submit("/b/grief/new", "/b/grief/new", &[("title", "First winter without Mum"), ("content_warning", ""), ("body", "It has been **hard**.")])
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
        let location = sent.location().unwrap().to_owned();
        assert!(location.starts_with("/t/") && location.contains("#p"), "{location}");
        let cookie = sent.header("set-cookie").unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain HTTP in tests");

        let thread = alice.follow(&sent).await;
        assert_eq!(thread.status, StatusCode::OK);
        let alice_name = thread.select_text("article .pseudonym")[0].clone();
        assert_eq!(alice_name.split(' ').count(), 2, "{alice_name}");
        assert!(thread.text.contains("<strong>hard</strong>"));
        assert_eq!(thread.select_text("article .op").len(), 1);
        let thread_path = location.split('#').next().unwrap().to_owned();

        let bob = app.client();
        let reply = bob.reply(&thread_path, &[("body", "Sending you strength.")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
        let again = alice.reply(&thread_path, &[("body", "Thank you.")]).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);

        let page = app.get(&thread_path).await;
        let names = page.select_text("article .pseudonym");
        assert_eq!(names.len(), 3);
        assert_eq!(names[0], alice_name);
        assert_eq!(names[2], alice_name, "the same member keeps one name in a thread");
        assert_ne!(names[1], alice_name, "another member has another name");
        let ids = page.select_attr("article", "id");
        assert!(ids.iter().all(|id| id.starts_with('p')), "{ids:?}");
        assert_eq!(page.select_text("article .op").len(), 2, "the opening writer is marked on each post");

        // In another thread, Alice's name is unrelated to her first one.
        app.board("other", "Other").await;
        let mut names_elsewhere = Vec::new();
        for i in 0..3 {
            let title = format!("Another thread {i}");
            let sent = alice.submit("/b/other/new", "/b/other/new", &[("title", &title), ("body", "hello")]).await;
            let page = alice.follow(&sent).await;
            names_elsewhere.push(page.select_text("article .pseudonym")[0].clone());
        }
        assert!(names_elsewhere.iter().any(|n| *n != alice_name), "{names_elsewhere:?} vs {alice_name}");
    }

    async fn readers_get_no_cookie_and_nothing_is_stored(engine) {
        let app = TestApp::builder().starter_boards().build(engine).await;
        let reader = app.client();
        for path in ["/", "/b/depression", "/help", "/about", "/me", "/b/depression/new", "/nope"] {
            let page = reader.get(path).await;
            assert!(page.header("set-cookie").is_none(), "{path} set a cookie");
        }
        let posters: i64 = app.db(|c| {
            use diesel::prelude::*;
            forum_core::schema::posters::table.count().get_result(c).unwrap()
        }).await;
        assert_eq!(posters, 0);
    }

    async fn content_warnings_collapse_the_body(engine) {
        let app = TestApp::new(engine).await;
        app.board("sh", "Self-harm recovery").await;
        let member = app.client();
        let sent = member
            .submit("/b/sh/new", "/b/sh/new", &[("title", "A setback"), ("content_warning", "self-harm mention"), ("body", "I had a bad night.")])
            .await;
        let page = member.follow(&sent).await;
        assert_eq!(page.select_text("details.cw-body summary")[0], "Content warning: self-harm mention (select to read)");
        assert_eq!(page.select_text("details.cw-body .body"), ["I had a bad night."]);
        let board = app.get("/b/sh").await;
        assert_eq!(board.select_text("ol.threads .cw"), ["CW: self-harm mention"]);
        // A reply with its own warning.
        let path = sent.location().unwrap().split('#').next().unwrap().to_owned();
        member.reply(&path, &[("body", "More detail."), ("content_warning", "details of injury")]).await;
        let page = app.get(&path).await;
        assert_eq!(page.select_text("details.cw-body summary").len(), 2);
    }

    async fn limits_keep_what_was_typed(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let long_title = "t".repeat(151);
        let refused = member.submit("/b/b/new", "/b/b/new", &[("title", &long_title), ("body", "my words stay")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text.contains("at most 150 characters"), "{}", refused.text);
        assert_eq!(refused.select_text("textarea#body"), ["my words stay"]);
        assert_eq!(refused.select_attr("input#title", "value"), [long_title]);
        assert_eq!(refused.select_attr("input#title", "aria-invalid"), ["true"]);
        let empty = member.submit("/b/b/new", "/b/b/new", &[("title", "ok"), ("body", "   ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text.contains("The message is empty."));
        let cw = member.submit("/b/b/new", "/b/b/new", &[("title", "ok"), ("body", "x"), ("content_warning", &"w".repeat(101))]).await;
        assert_eq!(cw.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = "b".repeat(20_001);
        let too_long = member.submit("/b/b/new", "/b/b/new", &[("title", "ok"), ("body", &body)]).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        let threads: i64 = app.db(|c| {
            use diesel::prelude::*;
            forum_core::schema::threads::table.count().get_result(c).unwrap()
        }).await;
        assert_eq!(threads, 0, "nothing was stored");
        let exact = "b".repeat(20_000);
        let ok = member.submit("/b/b/new", "/b/b/new", &[("title", &"é".repeat(150)), ("body", &exact)]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "limits count characters, not bytes");
    }

    async fn threads_paginate_fifty_posts_a_page(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "Long one"), ("body", "post 0")]).await;
        let path = sent.location().unwrap().split('#').next().unwrap().to_owned();
        let id: i32 = path.trim_start_matches("/t/").split('/').next().unwrap().parse().unwrap();
        let secrets = app.state.secrets.clone();
        app.db(move |c| {
            let poster = forum_core::models::Poster::find_or_create(c, "someone").unwrap();
            for i in 1..=54 {
                forum_core::models::Thread::reply(c, &secrets, forum_core::ids::ThreadId(id), poster.id,
                    forum_core::models::PostDraft::new(&format!("post {i}"), None)).unwrap();
            }
        }).await;
        let first = app.get(&path).await;
        assert_eq!(first.select_text("article").len(), 50);
        assert!(first.text.contains("Page 1 of 2"));
        let second = app.get(&format!("{path}?page=2")).await;
        let bodies = second.select_text("article .body");
        assert_eq!(bodies, ["post 50", "post 51", "post 52", "post 53", "post 54"]);
        assert_eq!(app.get(&format!("{path}?page=3")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("{path}?page=-1")).await.status, StatusCode::BAD_REQUEST);
        // A reply lands on the last page, and its permalink finds it.
        let reply = member.reply(&path, &[("body", "the newest")]).await;
        assert!(reply.location().unwrap().contains("?page=2#p"), "{:?}", reply.location());
        let post_id = reply.location().unwrap().rsplit("#p").next().unwrap().to_owned();
        let permalink = app.get(&format!("/p/{post_id}")).await;
        assert_eq!(permalink.status, StatusCode::SEE_OTHER);
        assert!(permalink.location().unwrap().ends_with(&format!("?page=2#p{post_id}")));
        let board = app.get("/b/b").await;
        assert_eq!(board.select_text("ol.threads .meta")[0].split(' ').next(), Some("55"), "reply count");
    }

    async fn locked_threads_take_no_replies(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "Locked soon"), ("body", "x")]).await;
        let path = sent.location().unwrap().split('#').next().unwrap().to_owned();
        let id: i32 = path.trim_start_matches("/t/").split('/').next().unwrap().parse().unwrap();
        let token = member.get(&path).await.csrf().unwrap();
        app.db(move |c| {
            use diesel::prelude::*;
            diesel::update(forum_core::schema::threads::table.find(id)).set(forum_core::schema::threads::locked.eq(true)).execute(c).unwrap();
        }).await;
        let page = member.get(&path).await;
        assert!(page.text.contains("This thread is locked"));
        assert!(page.select_text("#reply-heading").is_empty());
        let refused = member.post_form(&format!("/t/{id}/reply"), &[("csrf", &token), ("body", "late")]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.text.contains("locked"));
    }
}

engine_tests! {
    async fn simultaneous_first_replies_share_one_name(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let opener = app.client();
        let sent = opener.submit("/b/b/new", "/b/b/new", &[("title", "Busy"), ("body", "hello")]).await;
        let path = sent.location().unwrap().split('#').next().unwrap().to_owned();
        let id = path.trim_start_matches("/t/").split('/').next().unwrap().to_owned();
        let member = app.client();
        member.submit("/b/b/new", "/b/b/new", &[("title", "Mine"), ("body", "an identity first")]).await;
        let token = member.get(&path).await.csrf().unwrap();
        let url = format!("/t/{id}/reply");
        let reply = |n: u32| {
            let (member, url, token) = (&member, url.clone(), token.clone());
            async move { member.post_form(&url, &[("csrf", &token), ("body", &format!("at once {n}"))]).await.status }
        };
        let statuses = tokio::join!(reply(1), reply(2), reply(3), reply(4), reply(5), reply(6));
        assert_eq!(
            [statuses.0, statuses.1, statuses.2, statuses.3, statuses.4, statuses.5],
            [StatusCode::SEE_OTHER; 6]
        );
        let names = app.get(&path).await.select_text("article .pseudonym");
        assert_eq!(names.len(), 7);
        assert!(names[1..].iter().all(|n| *n == names[1]), "{names:?}");
        assert_ne!(names[0], names[1]);
    }
}

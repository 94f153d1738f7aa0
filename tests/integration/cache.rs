//! Pages kept for readers without a cookie: served again, dropped at every change, never
//! shown to members or moderators.

use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};

async fn rename_thread_behind_the_cache(app: &TestApp, title: &'static str) {
    app.db_behind_the_cache(move |c| {
        use diesel::prelude::*;
        use forum_core::schema::threads;
        diesel::update(threads::table).set(threads::title.eq(title)).execute(c).unwrap();
    })
    .await;
}

engine_tests! {
    async fn readers_are_served_a_kept_page_with_the_same_headers(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let (thread, _) = app.client().start_thread("b", "Evenings", "they are long").await;
        let first = app.get(&thread).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(!app.state.pages.is_empty(), "a reader's page is kept");
        // A change the site did not make (as by another process) is not seen at once: the
        // second answer came from the kept page.
        rename_thread_behind_the_cache(&app, "Renamed elsewhere").await;
        let second = app.get(&thread).await;
        assert_eq!(second.status, StatusCode::OK);
        assert_eq!(second.select_text("h1"), ["Evenings"]);
        assert_eq!(second.text, first.text);
        for name in ["content-type", "content-security-policy", "x-frame-options", "referrer-policy"] {
            assert_eq!(second.header(name), first.header(name), "{name}");
            assert!(second.header(name).is_some(), "{name}");
        }
        assert!(second.header("set-cookie").is_none());
        // ...and it is seen once the page's time is up.
        tokio::time::sleep(forum_web::page_cache::TTL).await;
        assert_eq!(app.get(&thread).await.select_text("h1"), ["Renamed elsewhere"]);
    }

    async fn a_reply_is_seen_by_readers_at_once(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let (thread, _) = member.start_thread("b", "Evenings", "they are long").await;
        assert!(!app.get(&thread).await.text.contains("a walk helps me"));
        let sent = member.reply(&thread, &[("body", "a walk helps me")]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
        assert!(app.get(&thread).await.text.contains("a walk helps me"));
        let board = app.get("/b/b").await;
        assert!(board.text.contains("Evenings"));
    }

    async fn a_hidden_post_leaves_readers_pages_at_once(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let (thread, post) = app.client().start_thread("b", "Rough night", "something a moderator hides").await;
        assert!(app.get(&thread).await.text.contains("something a moderator hides"));
        let moderator = app.moderator_client("river", false).await;
        let hidden = moderator
            .submit("/mod/queue", &format!("/mod/posts/{post}"), &[("action", "hide"), ("reason", "rule 2")])
            .await;
        assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.text);
        assert!(!app.get(&thread).await.text.contains("something a moderator hides"));
    }

    async fn members_never_get_a_readers_page(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (thread, post) = writer.start_thread("b", "Evenings", "they are long").await;
        // A reader's page (no edit link) is kept first...
        let edit = format!("/p/{post}/edit");
        assert!(!app.get(&thread).await.select_attr("a", "href").contains(&edit));
        // ...and the writer, with their cookie, still gets their own page.
        assert!(writer.get(&thread).await.select_attr("a", "href").contains(&edit));
    }
}

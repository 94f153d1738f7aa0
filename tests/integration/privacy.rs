use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};
use forum_web::rate_limit::{LimitRule, LimitedAction, RateLimits};

engine_tests! {
    async fn a_member_erases_everything_they_wrote(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "My private story"), ("content_warning", "grief"), ("body", "words I regret")]).await;
        let path = sent.location().unwrap().split('#').next().unwrap().to_owned();
        let id = path.trim_start_matches("/t/").split('/').next().unwrap().to_owned();
        let other = app.client();
        other.submit(&path, &format!("/t/{id}/reply"), &[("body", "a reply that stays")]).await;
        member.submit(&path, &format!("/t/{id}/reply"), &[("body", "more of my words")]).await;
        let post = sent.location().unwrap().rsplit("#p").next().unwrap().to_owned();
        app.client().submit(&format!("/p/{post}/report"), &format!("/p/{post}/report"), &[("reason", "other")]).await;

        assert_eq!(app.get("/me/erase").await.status, StatusCode::NOT_FOUND, "only for members");
        let confirm = member.get("/me/erase").await;
        assert!(confirm.text.contains("cannot be undone"));
        let erased = member.submit("/me/erase", "/me/erase", &[]).await;
        assert_eq!(erased.status, StatusCode::SEE_OTHER);

        let page = app.get(&path).await;
        assert!(page.text.contains("a reply that stays"));
        for gone in ["My private story", "words I regret", "more of my words", "grief"] {
            assert!(!page.text.contains(gone), "{gone} still shown");
        }
        let stored = app.db(|c| {
            use diesel::prelude::*;
            use forum_core::schema::{posts, reports, threads};
            let bodies: Vec<String> = posts::table.select(posts::body_markdown).load(c).unwrap();
            let titles: Vec<String> = threads::table.select(threads::title).load(c).unwrap();
            let snapshots: Vec<String> = reports::table.select(reports::post_snapshot).load(c).unwrap();
            format!("{bodies:?}{titles:?}{snapshots:?}")
        }).await;
        for gone in ["My private story", "words I regret", "more of my words"] {
            assert!(!stored.contains(gone), "{gone} still stored: {stored}");
        }
        assert!(stored.contains("a reply that stays"));
    }

    async fn logins_are_throttled_per_account_and_sessions_rotate(engine) {
        let limits = RateLimits::default().with(LimitedAction::Login, LimitRule { every: std::time::Duration::from_secs(60), burst: 3 });
        let app = TestApp::builder().rate_limits(limits).build(engine).await;
        app.moderator("river", false).await;
        // Three wrong passwords from three different networks: the account is throttled.
        for _ in 0..3 {
            let r = app.client().submit("/mod/login", "/mod/login", &[("name", "river"), ("password", "wrong password!")]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let fourth = app.client().submit("/mod/login", "/mod/login", &[("name", "River"), ("password", "a long password")]).await;
        assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(fourth.header("retry-after").is_some());

        let app = TestApp::new(engine).await;
        app.moderator("river", false).await;
        let browser = app.client();
        browser.submit("/mod/login", "/mod/login", &[("name", "river"), ("password", "a long password")]).await;
        let first = browser.cookie("forum_mod").unwrap();
        browser.submit("/mod/login", "/mod/login", &[("name", "river"), ("password", "a long password")]).await;
        let second = browser.cookie("forum_mod").unwrap();
        assert_ne!(first, second, "a new session at every log-in");
        let stale = app.client();
        stale.set_cookie("forum_mod", &first);
        assert_eq!(stale.get("/mod/queue").await.status, StatusCode::SEE_OTHER, "the old session ended");
        assert_eq!(browser.get("/mod/queue").await.status, StatusCode::OK);
    }

    async fn old_hashes_reports_and_notes_are_purged(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "t"), ("body", "reported words")]).await;
        let post = sent.location().unwrap().rsplit("#p").next().unwrap().to_owned();
        app.client().submit(&format!("/p/{post}/report"), &format!("/p/{post}/report"), &[("reason", "spam")]).await;
        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        let item = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        moderator.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "note"), ("note", "private")]).await;
        moderator.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "resolve")]).await;

        let (hashes_before, network) = app.db(|c| {
            use diesel::prelude::*;
            use forum_core::schema::{posters, reports};
            let h: Vec<String> = reports::table.select(reports::reporter_hash).load(c).unwrap();
            let n: Vec<String> = posters::table.select(posters::network_hash).load(c).unwrap();
            (h, n)
        }).await;
        assert!(hashes_before.iter().all(|h| h.starts_with('d')), "{hashes_before:?}");
        assert!(network.iter().any(|h| h.starts_with('d')), "{network:?}");

        // Tomorrow nothing is due; in 40 days everything is.
        let policy = forum_core::retention::Retention::default();
        let tomorrow = forum_core::db::now() + chrono::Duration::days(1);
        let purged = app.db(move |c| forum_core::retention::purge(c, tomorrow, policy).unwrap()).await;
        assert_eq!((purged.hashes, purged.reports, purged.notes), (0, 0, 0));
        let later = forum_core::db::now() + chrono::Duration::days(40);
        let purged = app.db(move |c| forum_core::retention::purge(c, later, policy).unwrap()).await;
        assert!(purged.hashes >= 2 && purged.reports == 1 && purged.notes == 1, "{purged:?}");
        let left = app.db(|c| {
            use diesel::prelude::*;
            use forum_core::schema::{posters, queue_notes, reports};
            let reports: i64 = reports::table.count().get_result(c).unwrap();
            let notes: i64 = queue_notes::table.count().get_result(c).unwrap();
            let hashes: i64 = posters::table.filter(posters::network_hash.ne("")).count().get_result(c).unwrap();
            (reports, notes, hashes)
        }).await;
        assert_eq!(left, (0, 0, 0));
    }
}

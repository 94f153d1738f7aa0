use axum::http::StatusCode;
use forum_tests::{Client, TestApp, engine_tests};

/// A member starts a thread in board `b`; returns the thread path and the post id.
async fn thread_by(member: &Client<'_>, title: &str, body: &str) -> (String, String) {
    member.start_thread("b", title, body).await
}

/// Replies in the thread at `path`; the reply's post id.
async fn reply(member: &Client<'_>, path: &str, body: &str) -> String {
    let sent = member.reply(path, &[("body", body)]).await;
    sent.location().and_then(|l| l.split_once("#p")).expect("a link to the reply").1.to_owned()
}

async fn report(reporter: &Client<'_>, post: &str, reason: &str, note: &str) -> forum_tests::TestResponse {
    let path = format!("/p/{post}/report");
    reporter.submit(&path, &path, &[("reason", reason), ("note", note)]).await
}

async fn log_count(app: &TestApp) -> i64 {
    app.db(|c| {
        use diesel::prelude::*;
        forum_core::schema::mod_log::table.count().get_result(c).unwrap()
    })
    .await
}

/// Posts a moderator action from the queue page's form.
async fn act(moderator: &Client<'_>, post: &str, fields: &[(&str, &str)]) -> forum_tests::TestResponse {
    moderator.submit("/mod/queue", &format!("/mod/posts/{post}"), fields).await
}

engine_tests! {
    async fn moderator_pages_need_a_session(engine) {
        let app = TestApp::new(engine).await;
        for path in ["/mod", "/mod/queue", "/mod/admin"] {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.location(), Some("/mod/login"));
            assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        }
        let r = app.client().post_form("/mod/posts/1", &[("action", "hide")]).await;
        assert_ne!(r.status, StatusCode::OK);
        // Unknown name and wrong password read the same.
        app.moderator("river", false).await;
        let visitor = app.client();
        let unknown = visitor.submit("/mod/login", "/mod/login", &[("name", "nobody"), ("password", "a long password")]).await;
        let wrong = visitor.submit("/mod/login", "/mod/login", &[("name", "river"), ("password", "wrong password!")]).await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.select_text(".error-summary"), wrong.select_text(".error-summary"));
        // A real login gives a strict, HttpOnly cookie, and a moderator who is not an admin gets 403 on admin pages.
        let moderator = app.client();
        let ok = moderator.submit("/mod/login", "/mod/login", &[("name", "river"), ("password", "a long password")]).await;
        let cookie = ok.header("set-cookie").unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age="), "{cookie}");
        assert_eq!(moderator.get("/mod/queue").await.status, StatusCode::OK);
        assert_eq!(moderator.get("/mod/admin").await.status, StatusCode::FORBIDDEN);
        // Logging out ends the session.
        let out = moderator.submit("/mod", "/mod/logout", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(moderator.get("/mod/queue").await.status, StatusCode::SEE_OTHER);
    }

    async fn reports_gather_and_hide_after_three_reporters(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (path, post) = thread_by(&writer, "A thread", "words that will be reported").await;
        let first = app.client();
        let sent = report(&first, &post, "harassment", "this is unkind").await;
        assert_eq!(sent.status, StatusCode::OK);
        assert!(sent.text.contains("Thank you for telling us"));
        // The same reporter again does not count twice.
        report(&first, &post, "spam", "").await;
        report(&app.client(), &post, "spam", "").await;
        assert!(app.get(&path).await.text.contains("words that will be reported"), "two reporters do not hide it");
        // The writer edits meanwhile; the report keeps the post as it was.
        writer.submit(&format!("/p/{post}/edit"), &format!("/p/{post}/edit"), &[("body", "edited away")]).await;
        report(&app.client(), &post, "other", "third person").await;
        let page = app.get(&path).await;
        assert_eq!(page.select_text("article .placeholder"), ["This post is hidden by the moderators."]);

        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        assert_eq!(queue.select_text("ol.queue > li").len(), 1, "one item for the post");
        let item = queue.select_text("ol.queue > li")[0].clone();
        assert!(item.contains("3 reports"), "{item}");
        assert!(item.contains("Harassment or bullying (1)") && item.contains("Spam (1)") && item.contains("Something else (1)"), "{item}");
        assert!(item.contains("this is unkind") && item.contains("third person"), "{item}");
        assert!(item.contains("hidden"), "{item}");
        let snapshots: i64 = app.db(|c| {
            use diesel::prelude::*;
            use forum_core::schema::reports;
            reports::table.filter(reports::post_snapshot.eq("words that will be reported")).count().get_result(c).unwrap()
        }).await;
        assert_eq!(snapshots, 2, "reports before the edit keep the text as it was");
        assert_eq!(app.get(&format!("/p/{post}/report")).await.status, StatusCode::NOT_FOUND, "a hidden post is not reported again");
        let (_, other) = thread_by(&writer, "Another", "fine words").await;
        let long = "n".repeat(501);
        let refused = report(&app.client(), &other, "other", &long).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text.contains("at most 500 characters"));
        let no_reason = report(&app.client(), &other, "", "").await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn the_queue_puts_at_risk_reports_before_busier_older_ones(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (_, older) = thread_by(&writer, "Older thread", "an ordinary post").await;
        let (_, worried) = thread_by(&writer, "Newer thread", "another ordinary post").await;
        report(&app.client(), &older, "spam", "").await;
        report(&app.client(), &older, "spam", "").await;
        report(&app.client(), &worried, "at_risk", "they sound like they are in a bad way").await;
        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        let lanes = queue.select_text("ol.queue .lane");
        assert_eq!(lanes, ["Someone may be at risk", "Review"]);
        let links = queue.select_attr("ol.queue h2 a", "href");
        assert!(links[0].ends_with(&format!("#p{worried}")), "{links:?}");
        let filtered = moderator.get("/mod/queue?reason=spam").await;
        assert_eq!(filtered.select_text("ol.queue .lane"), ["Review"]);
        assert_eq!(moderator.get("/mod/queue?board=nope").await.status, StatusCode::NOT_FOUND);
        // Claiming shows who is handling it; a note stays private to moderators.
        let item_id = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        moderator.submit("/mod/queue", &format!("/mod/items/{item_id}"), &[("action", "claim")]).await;
        moderator.submit("/mod/queue", &format!("/mod/items/{item_id}"), &[("action", "note"), ("note", "I'll reach out")]).await;
        let queue = moderator.get("/mod/queue").await;
        let first = &queue.select_text("ol.queue > li")[0];
        assert!(first.contains("claimed by river") && first.contains("river: I'll reach out"), "{first}");
        assert!(!app.get("/modlog").await.text.contains("reach out"), "notes are private");
    }

    async fn the_queue_shows_the_post_before_and_the_writers_history(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let (writer, kind, unkind) = (app.client(), app.client(), app.client());
        let (path, first) = thread_by(&writer, "Evenings", "the first words").await;
        reply(&kind, &path, "a kind reply in between").await;
        let hidden = reply(&unkind, &path, "an unkind reply").await;
        let reported = reply(&writer, &path, "the reply that gets reported").await;
        let (_, elsewhere) = thread_by(&unkind, "Elsewhere", "more unkind words").await;
        let moderator = app.moderator_client("river", false).await;
        act(&moderator, &hidden, &[("action", "hide"), ("reason", "rule 2")]).await;
        act(&moderator, &elsewhere, &[("action", "ban"), ("length", "3"), ("reason", "rule 2")]).await;
        for post in [&reported, &first, &elsewhere] {
            assert_eq!(report(&app.client(), post, "spam", "").await.status, StatusCode::OK);
        }

        let queue = moderator.get("/mod/queue").await;
        let links = queue.select_attr("ol.queue h2 a", "href");
        let items = queue.select_text("ol.queue > li");
        assert_eq!(links.len(), 3, "{links:?}");
        let item = |post: &str| {
            let at = links.iter().position(|l| l.ends_with(&format!("#p{post}"))).expect("an item for the post");
            items[at].clone()
        };
        // The visible post before it, not the hidden one in between.
        let text = item(&reported);
        assert!(text.contains("The post before it") && text.contains("a kind reply in between"), "{text}");
        assert!(!text.contains("an unkind reply"), "{text}");
        assert!(text.contains("Writer's history: 2 posts, 0 hidden or removed, 0 bans"), "{text}");
        let text = item(&first);
        assert!(!text.contains("The post before it"), "{text}");
        let text = item(&elsewhere);
        assert!(text.contains("Writer's history: 2 posts, 1 hidden or removed, 1 bans"), "{text}");
    }

    async fn actions_do_what_they_say_and_log_once(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (path, post) = thread_by(&writer, "Trouble", "original text").await;
        let moderator = app.moderator_client("river", true).await;

        let before = log_count(&app).await;
        assert_eq!(act(&moderator, &post, &[("action", "hide"), ("reason", "rule 2")]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(log_count(&app).await, before + 1);
        assert_eq!(app.get(&path).await.select_text("article .placeholder"), ["This post is hidden by the moderators."]);

        act(&moderator, &post, &[("action", "restore")]).await;
        assert_eq!(log_count(&app).await, before + 2);
        assert!(app.get(&path).await.text.contains("original text"));

        act(&moderator, &post, &[("action", "lock"), ("reason", "cooling off")]).await;
        assert_eq!(log_count(&app).await, before + 3);
        assert!(app.get(&path).await.text.contains("This thread is locked"));

        act(&moderator, &post, &[("action", "remove"), ("reason", "personal details")]).await;
        assert_eq!(log_count(&app).await, before + 4);
        assert_eq!(app.get(&path).await.select_text("article .placeholder"), ["This post was removed by the moderators."]);
        let id: i32 = post.parse().unwrap();
        let stored = app.db(move |c| forum_core::models::Post::by_id(c, forum_core::ids::PostId(id)).unwrap()).await;
        assert_eq!(stored.body_markdown, "", "removed text is erased");
        let refused = act(&moderator, &post, &[("action", "restore")]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "removed text cannot come back");
        assert_eq!(log_count(&app).await, before + 4, "a refused action logs nothing");

        act(&moderator, &post, &[("action", "ban"), ("length", "3"), ("reason", "repeated abuse")]).await;
        assert_eq!(log_count(&app).await, before + 5);
        // The banned member sees why and until when, and nothing is stored.
        app.board("c", "C").await;
        let refused = writer.submit("/b/c/new", "/b/c/new", &[("title", "again"), ("body", "hello")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.text.contains("repeated abuse") && refused.text.contains("You cannot post until"), "{}", refused.text);
        assert!(app.get("/b/c").await.text.contains("No threads yet"));

        // The public log shows actions and reasons, never the moderator's name or removed text.
        let log = app.get("/modlog").await;
        let actions = log.select_text("table.modlog tbody tr td:nth-child(2)");
        assert_eq!(actions, ["ban", "remove", "lock", "restore", "hide"]);
        assert!(log.text.contains("personal details") && log.text.contains("3 days: repeated abuse"));
        assert!(!log.text.contains("river") && !log.text.contains("original text"));
        // Admins see who acted.
        assert!(moderator.get("/modlog").await.text.contains("river"));
    }

    async fn first_posts_wait_for_approval_then_publish(engine) {
        let app = TestApp::new(engine).await;
        let board = app.board("b", "B").await;
        app.db(move |c| forum_core::models::Board::update(c, board.id, "B", "", forum_core::models::ModerationMode::FirstPostsHeld, false).unwrap()).await;
        let newcomer = app.client();
        let (path, post) = thread_by(&newcomer, "My first thread", "hello, I am new").await;
        let own = newcomer.get(&path).await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.text.contains("Waiting for a moderator"));
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "nobody else sees it");
        assert!(app.get("/b/b").await.text.contains("No threads yet"));

        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        let item = &queue.select_text("ol.queue > li")[0];
        assert!(item.contains("held: not published") && item.contains("hello, I am new"), "{item}");
        act(&moderator, &post, &[("action", "approve")]).await;
        let public = app.get(&path).await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(public.text.contains("hello, I am new") && !public.text.contains("Waiting for a moderator"));
        assert!(moderator.get("/mod/queue").await.text.contains("Nothing is waiting"));
        // Once approved, the member's next post is published at once.
        let (second, _) = thread_by(&newcomer, "Second", "now trusted").await;
        assert_eq!(app.get(&second).await.status, StatusCode::OK);
    }

    async fn word_rules_block_hold_and_replace(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let admin = app.moderator_client("river", true).await;
        for (pattern, action, message) in [("buy pills online", "block", "Adverts are not allowed."), ("meetup", "hold", ""), ("darn", "replace", "d***")] {
            let r = admin.submit("/mod/admin", "/mod/admin/rules", &[("pattern", pattern), ("action", action), ("message", message)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        }
        let bad = admin.submit("/mod/admin", "/mod/admin/rules", &[("pattern", "("), ("is_regex", "true"), ("action", "flag")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let member = app.client();
        let blocked = member.submit("/b/b/new", "/b/b/new", &[("title", "deal"), ("body", "BUY PILLS ONLINE here")]).await;
        assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(blocked.text.contains("Adverts are not allowed."));
        assert_eq!(blocked.select_text("textarea#body"), ["BUY PILLS ONLINE here"], "the text is kept");
        let (held, _) = thread_by(&member, "Local meetup?", "anyone near me").await;
        assert_eq!(app.get(&held).await.status, StatusCode::NOT_FOUND);
        let (replaced, _) = thread_by(&member, "Oh darn", "darn it").await;
        let page = app.get(&replaced).await;
        assert_eq!(page.select_text("h1"), ["Oh d***"]);
        assert!(page.text.contains("d*** it"));
    }

    async fn a_warning_is_shown_once_on_the_next_visit(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (_, post) = thread_by(&writer, "Hmm", "something borderline").await;
        let moderator = app.moderator_client("river", false).await;
        act(&moderator, &post, &[("action", "warn"), ("message", "Please keep details of methods out of posts.")]).await;
        let next = writer.get("/").await;
        assert!(next.text.contains("Please keep details of methods out of posts."));
        assert!(!writer.get("/").await.text.contains("Please keep details"), "shown once");
        assert!(!app.get("/").await.text.contains("Please keep details"), "only to the writer");
    }

    async fn a_warning_waits_for_a_page_not_a_redirect(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (thread, post) = thread_by(&writer, "Evenings", "they are long").await;
        // A reply form fetched before the warning, sent after it: the answer is a redirect,
        // so the warning must still be waiting for the page the writer then sees.
        let token = writer.get(&thread).await.csrf().unwrap();
        let moderator = app.moderator_client("river", false).await;
        act(&moderator, &post, &[("action", "warn"), ("message", "Please be kind to others here.")]).await;
        let id = thread.trim_start_matches("/t/").split(['/', '?', '#']).next().unwrap().to_owned();
        let sent = writer.post_form(&format!("/t/{id}/reply"), &[("csrf", &token), ("body", "a reply")]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
        assert!(writer.follow(&sent).await.text.contains("Please be kind to others here."));
    }

    async fn admins_manage_moderators_and_boards_on_the_web(engine) {
        let app = TestApp::new(engine).await;
        let board = app.board("b", "B").await;
        let admin = app.moderator_client("river", true).await;
        let added = admin.submit("/mod/admin", "/mod/admin/moderators", &[("name", "brook"), ("password", "another long one")]).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
        let brook = app.client();
        let login = brook.submit("/mod/login", "/mod/login", &[("name", "brook"), ("password", "another long one")]).await;
        assert_eq!(login.status, StatusCode::SEE_OTHER);
        let id = app.db(|c| forum_core::models::Moderator::by_name(c, "brook").unwrap().unwrap().id).await;
        admin.submit("/mod/admin", &format!("/mod/admin/moderators/{id}"), &[("disabled", "true")]).await;
        assert_eq!(brook.get("/mod/queue").await.status, StatusCode::SEE_OTHER, "a disabled moderator's session ends");
        let edited = admin
            .submit("/mod/admin", &format!("/mod/admin/boards/{}", board.id), &[("name", "Renamed"), ("description", "New words"), ("moderation_mode", "all_posts_held")])
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.text);
        let page = app.get("/b/b").await;
        assert_eq!(page.select_text("h1"), ["Renamed"]);
        let made = admin.submit("/mod/admin", "/mod/admin/boards", &[("slug", "new-one"), ("name", "New one"), ("description", "")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get("/b/new-one").await.status, StatusCode::OK);
        let dup = admin.submit("/mod/admin", "/mod/admin/boards", &[("slug", "new-one"), ("name", "Again"), ("description", "")]).await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        let dashboard = admin.get("/mod").await;
        assert!(dashboard.text.contains("Crisis items open"));
        assert!(dashboard.select_text("table td").contains(&"river".to_owned()), "actions per moderator");
    }
}

use axum::http::StatusCode;
use forum_tests::{Client, TestApp, engine_tests};

/// Starts a thread as `member`; returns the thread's path and the opening post's id.
async fn start_thread(member: &Client<'_>, title: &str, body: &str) -> (String, String) {
    app_board_exists(member).await;
    member.start_thread("b", title, body).await
}

async fn app_board_exists(member: &Client<'_>) {
    assert_eq!(member.get("/b/b").await.status, StatusCode::OK, "the test app has board b");
}

engine_tests! {
    async fn writers_edit_and_delete_their_own_posts_only(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (path, post) = start_thread(&writer, "Mine", "original words").await;

        let stranger = app.client();
        stranger.get("/").await;
        // Someone else (with or without an identity) cannot open, edit or delete it.
        let other = app.client();
        start_thread(&other, "Theirs", "x").await;
        for who in [&stranger, &other] {
            assert_eq!(who.get(&format!("/p/{post}/edit")).await.status, StatusCode::NOT_FOUND);
            assert_eq!(who.get(&format!("/p/{post}/delete")).await.status, StatusCode::NOT_FOUND);
        }
        let other_token = other.get(&path).await.csrf().unwrap();
        let forged_edit = other.post_form(&format!("/p/{post}/edit"), &[("csrf", &other_token), ("body", "vandalised")]).await;
        assert_eq!(forged_edit.status, StatusCode::NOT_FOUND);
        let forged_delete = other.post_form(&format!("/p/{post}/delete"), &[("csrf", &other_token)]).await;
        assert_eq!(forged_delete.status, StatusCode::NOT_FOUND);
        assert!(app.get(&path).await.text.contains("original words"));
        assert_eq!(app.get(&path).await.select_text("article footer a"), ["Report"], "no edit links for readers");

        // The writer edits.
        let edit_page = writer.get(&format!("/p/{post}/edit")).await;
        assert_eq!(edit_page.select_text("textarea#body"), ["original words"]);
        let edited = writer.submit(&format!("/p/{post}/edit"), &format!("/p/{post}/edit"), &[("body", "better words")]).await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER);
        let page = app.get(&path).await;
        assert!(page.text.contains("better words") && !page.text.contains("original words"));
        assert_eq!(page.select_text("article .edited"), ["edited"]);

        // And deletes: the text is gone from the database, a placeholder stays.
        let deleted = writer.submit(&format!("/p/{post}/delete"), &format!("/p/{post}/delete"), &[]).await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        let page = app.get(&path).await;
        assert_eq!(page.select_text("article .placeholder"), ["This post was deleted by its writer."]);
        assert!(!page.text.contains("better words"));
        let id: i32 = post.parse().unwrap();
        let stored = app.db(move |c| forum_core::models::Post::by_id(c, forum_core::ids::PostId(id)).unwrap()).await;
        assert_eq!(stored.body_markdown, "");
        assert_eq!(stored.body_html.as_str(), "");
        assert_eq!(writer.get(&format!("/p/{post}/edit")).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_recovery_phrase_restores_an_identity_on_another_device(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let phone = app.client();
        let (path, _) = start_thread(&phone, "From my phone", "hello").await;
        let me = phone.get("/me").await;
        assert_eq!(me.header("cache-control"), Some("no-store"));
        let phrase = me.select_text(".phrase code")[0].clone();
        assert_eq!(phrase.len(), 29, "{phrase}");
        assert_eq!(me.select_text("ul.my-posts li a"), ["From my phone"]);
        assert!(app.get("/me").await.select_text("ul.my-posts li").is_empty(), "own posts are shown only to their writer");

        let laptop = app.client();
        let wrong = laptop.submit("/me", "/me/restore", &[("phrase", "0000-0000-0000-0000-0000-0000")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text.contains("No identity has that recovery phrase"));
        let junk = laptop.submit("/me", "/me/restore", &[("phrase", "not a phrase")]).await;
        assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
        let restored = laptop.submit("/me", "/me/restore", &[("phrase", &phrase.to_lowercase())]).await;
        assert_eq!(restored.status, StatusCode::SEE_OTHER);
        assert_eq!(laptop.cookie("forum_key"), phone.cookie("forum_key"));

        // Same identity: the same name in the thread, and the posts list.
        laptop.reply(&path, &[("body", "now from my laptop")]).await;
        let names = app.get(&path).await.select_text("article .pseudonym");
        assert_eq!(names[0], names[1]);

        // Forgetting removes the cookie but not the posts.
        let forgot = laptop.submit("/me", "/me/forget", &[]).await;
        assert_eq!(forgot.status, StatusCode::SEE_OTHER);
        assert_eq!(laptop.cookie("forum_key"), None);
        assert_eq!(app.get(&path).await.select_text("article").len(), 2);
    }
}

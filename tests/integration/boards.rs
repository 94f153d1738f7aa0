use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};

engine_tests! {
    async fn home_lists_the_starter_boards(engine) {
        let app = TestApp::builder().starter_boards().build(engine).await;
        let page = app.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
        let names = page.select_text("ul.boards h3");
        for name in ["Depression", "Anxiety", "Grief and loss", "Supporting someone"] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        assert_eq!(page.select_attr("a.help-now", "href"), ["/help"]);
    }

    async fn a_board_made_in_core_is_served(engine) {
        let app = TestApp::new(engine).await;
        app.board("night-owls", "Night owls").await;
        let page = app.get("/b/night-owls").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.select_text("h1"), ["Night owls"]);
        assert!(page.text.contains("No threads yet"));
        let home = app.get("/").await;
        assert!(home.select_text("ul.boards h3").contains(&"Night owls".to_owned()));
    }

    async fn unknown_pages_are_styled_404s(engine) {
        let app = TestApp::new(engine).await;
        for path in ["/b/nope", "/t/999", "/t/abc", "/p/5", "/no/such/page", "/static/../Cargo.toml", "/static/passwd"] {
            let page = app.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text.contains("<h1>Page not found</h1>"), "{path}: {}", page.text);
            assert!(page.text.contains(r#"href="/help""#), "{path}");
        }
    }

    async fn wrong_methods_are_405_pages(engine) {
        let app = TestApp::new(engine).await;
        let page = app.client().post_form("/", &[]).await;
        assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(page.text.contains("Not allowed here"));
    }

    async fn health_reports_the_database(engine) {
        let app = TestApp::new(engine).await;
        let page = app.get("/healthz").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text, "ok\n");
    }

    async fn help_shows_the_chosen_region_first(engine) {
        let app = TestApp::new(engine).await;
        let all = app.get("/help").await;
        assert_eq!(all.status, StatusCode::OK);
        for number in ["988", "116 123", "85258", "9-8-8", "13 11 14", "findahelpline.com"] {
            assert!(all.text.contains(number), "{number}");
        }
        assert!(all.text.contains("last checked on"));
        let uk = app.get("/help?region=uk").await;
        let regions = uk.select_text("section.region h2");
        assert_eq!(regions.first().map(String::as_str), Some("United Kingdom"), "{regions:?}");
        assert!(!uk.text.contains("741741"), "only the chosen region and the directory");
        assert!(uk.text.contains("999"));
    }

    async fn board_pages_use_keyset_pagination(engine) {
        let app = TestApp::new(engine).await;
        let board = app.board("busy", "Busy").await;
        let secrets = app.state.secrets.clone();
        app.db(move |c| {
            let poster = forum_core::models::Poster::find_or_create(c, "fixture").unwrap();
            for i in 0..65 {
                let title = format!("Thread number {i}");
                forum_core::models::NewThread { board_id: board.id, poster_id: poster.id, title: &title, content_warning: None }
                    .create(c, &secrets, forum_core::models::PostDraft::new("hello", None))
                    .unwrap();
            }
        })
        .await;
        let first = app.get("/b/busy").await;
        let titles = first.select_text("ol.threads a.title");
        assert_eq!(titles.len(), 30);
        assert_eq!(titles[0], "Thread number 64", "newest activity first");
        let next = first.select_attr("a[rel=next]", "href");
        assert_eq!(next.len(), 1);
        let second = app.get(&next[0]).await;
        let more = second.select_text("ol.threads a.title");
        assert_eq!(more.len(), 30);
        assert_eq!(more[0], "Thread number 34");
        let third = app.get(&second.select_attr("a[rel=next]", "href")[0]).await;
        assert_eq!(third.select_text("ol.threads a.title").len(), 5);
        assert!(third.select_attr("a[rel=next]", "href").is_empty());
        assert_eq!(app.get("/b/busy?after=nonsense").await.status, StatusCode::BAD_REQUEST);
    }
}

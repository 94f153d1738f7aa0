//! The crisis flow through HTTP: help for the writer, the post stays up, the queue's crisis
//! lane, the team's reply, crisis mode, figures and webhooks.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use forum_tests::{Client, TestApp, engine_tests};
use forum_web::webhooks::WebhookConfig;

/// Written for these tests: a plan, a time and preparations.
const CRISIS: &str = "Work was fine today I guess. But I have been saving my pills for weeks and \
I am going to take them all tonight. I already wrote goodbye letters to my sister.";

async fn thread_by(member: &Client<'_>, title: &str, body: &str) -> (String, String) {
    let sent = member.submit("/b/b/new", "/b/b/new", &[("title", title), ("body", body)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let location = sent.location().unwrap().to_owned();
    if let Some(post) = location.strip_prefix("/p/").and_then(|p| p.strip_suffix("/support")) {
        return (location.clone(), post.to_owned());
    }
    let (path, post) = location.split_once("#p").unwrap();
    (path.to_owned(), post.to_owned())
}

async fn thread_path_of(app: &TestApp, post: &str) -> String {
    let permalink = app.get(&format!("/p/{post}")).await;
    permalink.location().unwrap().split('?').next().unwrap().to_owned()
}

/// A local server that records every JSON body posted to it.
pub(crate) async fn webhook_receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), received)
}

pub(crate) async fn wait_for(
    received: &Arc<Mutex<Vec<serde_json::Value>>>,
    count: usize,
) -> Vec<serde_json::Value> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if received.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    received.lock().unwrap().clone()
}

engine_tests! {
    async fn a_crisis_post_gets_help_stays_up_and_heads_the_queue(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let someone = app.client();
        let (_, older) = thread_by(&someone, "An older thread", "ordinary words").await;
        for _ in 0..2 {
            let path = format!("/p/{older}/report");
            app.client().submit(&path, &path, &[("reason", "spam")]).await;
        }
        let (_, worried) = thread_by(&someone, "Another thread", "more ordinary words").await;
        let path = format!("/p/{worried}/report");
        app.client().submit(&path, &path, &[("reason", "at_risk")]).await;

        let writer = app.client();
        let (support, post) = thread_by(&writer, "I can't do this anymore", CRISIS).await;
        assert_eq!(support, format!("/p/{post}/support"));
        let page = writer.get(&support).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("not in trouble") && page.text.contains("Your post is up"));
        assert!(page.text.contains("findahelpline.com") && page.text.contains("text"));
        assert_eq!(page.select_attr("form.region-picker", "action"), std::slice::from_ref(&support));
        let uk = writer.get(&format!("{support}?region=uk")).await;
        assert_eq!(uk.select_text("section.region h2").first().map(String::as_str), Some("United Kingdom"));
        assert_eq!(uk.select_attr("a.button", "href"), [format!("/p/{post}")]);

        // Published as usual, for everyone.
        let thread = thread_path_of(&app, &post).await;
        assert!(app.get(&thread).await.text.contains("saving my pills"));

        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        let lanes = queue.select_text("ol.queue .lane");
        assert_eq!(lanes.len(), 3, "{lanes:?}");
        assert!(lanes[0].starts_with("Crisis: imminent"), "{lanes:?}");
        assert_eq!(lanes[1], "Someone may be at risk");
        assert_eq!(lanes[2], "Review");
        let marked = queue.select_text("ol.queue > li:first-child mark");
        assert!(!marked.is_empty(), "matched phrases are highlighted");
        assert!(marked.iter().all(|m| CRISIS.to_lowercase().contains(&m.to_lowercase())), "{marked:?}");

        let item = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        let done = moderator.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "support_offered")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let queue = moderator.get("/mod/queue").await;
        assert_eq!(queue.select_text("ol.queue .lane").len(), 2);
        assert!(app.get("/modlog").await.text.contains("support offered"));
        let dashboard = moderator.get("/mod").await;
        assert!(dashboard.text.contains("Crisis lane"));
    }

    async fn the_learned_model_finds_what_the_rules_miss_when_turned_on(engine) {
        let (title, body) = ("Sorted", "gave my bike to my brother and wrote everyone a letter. tonight i finally get some peace");
        // Off by default: the rules alone miss it, and the post goes up as any other.
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let (to, _) = thread_by(&app.client(), title, body).await;
        assert!(to.starts_with("/t/"), "{to}");

        let app = TestApp::builder().crisis_model("builtin").build(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (support, post) = thread_by(&writer, title, body).await;
        assert_eq!(support, format!("/p/{post}/support"), "the writer is shown help");
        let thread = thread_path_of(&app, &post).await;
        assert!(app.get(&thread).await.text.contains("wrote everyone a letter"), "the post is up");
        // An everyday post stays an everyday post.
        let (to, _) = thread_by(&app.client(), "Hello", "hi all, new here, thanks for having me").await;
        assert!(to.starts_with("/t/"), "{to}");

        // Moderators see it first, with the words that weighed most highlighted.
        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        let lanes = queue.select_text("ol.queue .lane");
        assert_eq!(lanes.len(), 1, "{lanes:?}");
        assert!(lanes[0].starts_with("Crisis: "), "{lanes:?}");
        let mut marked = queue.select_text("ol.queue > li:first-child mark");
        marked.sort();
        marked.dedup();
        assert!(!marked.is_empty() && marked.len() <= 3, "{marked:?}");
        assert!(marked.iter().all(|m| title.contains(m.as_str()) || body.contains(m.as_str())), "{marked:?}");
    }

    async fn idioms_do_not_escalate(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let member = app.client();
        let sent = member.submit("/b/b/new", "/b/b/new", &[("title", "Exams"), ("body", "This exam is killing me, I'd die for a coffee right now.")]).await;
        assert!(sent.location().unwrap().starts_with("/t/"), "{:?}", sent.location());
        let moderator = app.moderator_client("river", false).await;
        assert!(moderator.get("/mod/queue").await.text.contains("Nothing is waiting"));
    }

    async fn word_rules_and_board_settings_never_block_a_crisis_post(engine) {
        let app = TestApp::new(engine).await;
        let board = app.board("b", "B").await;
        let admin = app.moderator_client("river", true).await;
        admin.submit("/mod/admin", "/mod/admin/rules", &[("pattern", "pills"), ("action", "block"), ("message", "No talk of medication.")]).await;
        let writer = app.client();
        let (support, post) = thread_by(&writer, "tonight", CRISIS).await;
        assert!(support.ends_with("/support"), "the block rule did not apply");
        let queue = admin.get("/mod/queue").await;
        assert!(queue.text.contains("block rule overridden"), "the rule is shown to moderators");
        assert!(app.get(&thread_path_of(&app, &post).await).await.text.contains("goodbye letters"));

        // A board set to hold crisis posts holds them for review; the writer still gets help.
        let edited = admin
            .submit("/mod/admin", &format!("/mod/admin/boards/{}", board.id), &[("name", "B"), ("description", ""), ("moderation_mode", "open"), ("hold_crisis_posts", "true")])
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER);
        let second = app.client();
        let (support, post) = thread_by(&second, "me too", CRISIS).await;
        let help = second.get(&support).await;
        assert!(help.text.contains("Thank you for sharing") && help.text.contains("will appear once a moderator has seen it"));
        assert_eq!(app.get(&support).await.status, StatusCode::NOT_FOUND, "the support page is only for the writer");
        assert_eq!(app.get(&format!("/p/{post}")).await.status, StatusCode::NOT_FOUND, "held from readers");
        let own = second.get(&format!("/p/{post}")).await;
        let own_page = second.get(own.location().unwrap().split('#').next().unwrap()).await;
        assert!(own_page.text.contains("Waiting for a moderator"));
        let queue = admin.get("/mod/queue").await;
        assert!(queue.select_text("ol.queue > li").iter().any(|i| i.contains("held: not published") && i.contains("Crisis")));
    }

    async fn the_team_replies_and_crisis_mode_limits_replies(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        let writer = app.client();
        let (_, post) = thread_by(&writer, "hard night", CRISIS).await;
        let thread = thread_path_of(&app, &post).await;
        let moderator = app.moderator_client("river", false).await;
        let replied = moderator.submit("/mod/queue", &format!("/mod/posts/{post}/reply"), &[("template", "checking_in"), ("text", "")]).await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.text);
        let page = app.get(&thread).await;
        let names = page.select_text("article .pseudonym");
        assert_eq!(names.last().map(String::as_str), Some("Moderation team"));
        assert_eq!(page.select_text("article .team"), ["moderators"]);
        assert!(page.text.contains("glad you shared it"));

        moderator.submit("/mod/queue", &format!("/mod/posts/{post}"), &[("action", "crisis_on")]).await;
        let page = app.get(&thread).await;
        assert_eq!(page.select_text("aside.crisis-banner a"), ["crisis lines by country"]);
        let id = thread.trim_start_matches("/t/").split('/').next().unwrap().to_owned();
        let other = app.client();
        let other_view = other.get(&thread).await;
        assert!(other_view.select_text("#reply-heading").is_empty(), "no reply form for others");
        assert!(other_view.text.contains("only the moderation team and the person who started this thread"));
        let token = other.get("/b/b/new").await.csrf().unwrap();
        let refused = other.post_form(&format!("/t/{id}/reply"), &[("csrf", &token), ("body", "hang in there")]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let own = writer.reply(&thread, &[("body", "thank you for replying")]).await;
        assert_eq!(own.status, StatusCode::SEE_OTHER, "the writer can still reply");
    }

    async fn metrics_are_protected_and_count_crisis_items(engine) {
        let app = TestApp::builder().metrics_token("s3cret-token").build(engine).await;
        app.board("b", "B").await;
        thread_by(&app.client(), "tonight", CRISIS).await;
        assert_eq!(app.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
        let request = axum::http::Request::get("/metrics")
            .header("authorization", "Bearer s3cret-token")
            .body(axum::body::Body::empty())
            .unwrap();
        let by_token = app.send(request).await;
        assert_eq!(by_token.status, StatusCode::OK);
        assert!(by_token.text.contains("forum_crisis_items_open 1\n"), "{}", by_token.text);
        let moderator = app.moderator_client("river", false).await;
        let queue = moderator.get("/mod/queue").await;
        let item = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        moderator.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "false_alarm")]).await;
        let metrics = moderator.get("/metrics").await;
        assert!(metrics.text.contains("forum_crisis_items_open 0\n"), "{}", metrics.text);
        assert!(metrics.text.contains("forum_crisis_false_alarm_ratio{window=\"7d\"} 1"), "{}", metrics.text);
        assert!(metrics.text.contains("forum_crisis_first_action_seconds{window=\"30d\",quantile=\"0.5\"}"), "{}", metrics.text);
    }

    async fn webhooks_are_called_and_escalated_when_unclaimed(engine) {
        let (url, received) = webhook_receiver().await;
        let config = WebhookConfig {
            urls: vec![url.clone()],
            escalation_urls: vec![url],
            escalate_after: Duration::from_secs(1),
            poll: Duration::from_millis(100),
            ..WebhookConfig::default()
        };
        let app = TestApp::builder().webhooks(config).build(engine).await;
        app.board("b", "B").await;
        let started = Instant::now();
        let (_, post) = thread_by(&app.client(), "tonight", CRISIS).await;
        let first = wait_for(&received, 1).await;
        assert_eq!(first.len(), 1, "one notice");
        let notice = &first[0];
        assert_eq!(notice["event"], "crisis_item");
        assert_eq!(notice["tier"], "imminent");
        assert_eq!(notice["board"], "b");
        assert!(notice["item_url"].as_str().unwrap().contains("/mod/queue#item"));
        assert!(notice.get("text").is_none(), "no post text by default");
        assert!(!notice.to_string().contains("pills"));
        let both = wait_for(&received, 2).await;
        assert_eq!(both.len(), 2, "escalated after the unclaimed timeout");
        assert_eq!(both[1]["event"], "crisis_escalation");
        assert!(started.elapsed() >= Duration::from_secs(1));
        // Claimed items are not escalated; nothing more arrives.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(received.lock().unwrap().len(), 2, "each notice is sent once");
        let _ = post;
    }
}

use std::time::Duration;

use axum::http::StatusCode;
use forum_tests::{Client, TestApp, TestResponse, engine_tests};
use forum_web::webhooks::WebhookConfig;

use crate::crisis::{wait_for, webhook_receiver};

/// Written for these tests: a plan and a time.
const CRISIS: &str = "I cant do this anymore, I am going to kill myself tonight.";

/// A member talking with a peer supporter: the admin, the supporter, the member and the
/// conversation's path.
async fn conversation(app: &TestApp) -> (Client<'_>, Client<'_>, Client<'_>, String) {
    app.board("b", "B").await;
    let helper = app.client();
    helper.submit("/b/b/new", "/b/b/new", &[("title", "hello"), ("body", "I am new here")]).await;
    let code = helper.get("/me").await.select_text(".meta code")[0].clone();
    let admin = app.moderator_client("river", true).await;
    let granted = admin.submit("/mod/admin", "/mod/admin/supporters", &[("code", &code), ("name", "")]).await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.text);
    let member = app.client();
    let path = accepted(&helper, &member, "A hard week").await;
    (admin, helper, member, path)
}

/// The member asks, the supporter accepts: the new conversation's path.
async fn accepted(helper: &Client<'_>, member: &Client<'_>, topic: &str) -> String {
    let asked = member.submit("/support", "/support", &[("topic", topic)]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.text);
    let waiting = helper.get("/supporters").await;
    let accept = waiting.select_attr("ol.queue form", "action")[0].clone();
    helper.submit("/supporters", &accept, &[]).await.location().unwrap().to_owned()
}

async fn say(who: &Client<'_>, conversation: &str, body: &str) -> TestResponse {
    let sent = who.submit(conversation, &format!("{conversation}/messages"), &[("body", body)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    sent
}

/// Every conversation item: its matched phrases, conversation and message.
async fn conversation_items(app: &TestApp) -> Vec<(String, Option<i32>, Option<i32>)> {
    app.db(|c| {
        use diesel::prelude::*;
        use forum_core::schema::queue_items;
        queue_items::table
            .filter(queue_items::kind.eq("conversation"))
            .order(queue_items::id)
            .select((queue_items::crisis_matches, queue_items::conversation_id, queue_items::message_id))
            .load(c)
            .unwrap()
    })
    .await
}

engine_tests! {
    async fn one_on_one_support_from_request_to_deletion(engine) {
        let app = TestApp::new(engine).await;
        app.board("b", "B").await;
        // A member who trained as a supporter shows the admin their code.
        let helper = app.client();
        helper.submit("/b/b/new", "/b/b/new", &[("title", "hello"), ("body", "I am new here")]).await;
        let code = helper.get("/me").await.select_text(".meta code")[0].clone();
        assert!(code.starts_with('S'), "{code}");
        assert_eq!(helper.get("/supporters").await.status, StatusCode::NOT_FOUND, "not a supporter yet");
        let admin = app.moderator_client("river", true).await;
        let forged = admin.submit("/mod/admin", "/mod/admin/supporters", &[("code", "S1-00000000"), ("name", "")]).await;
        assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
        let granted = admin.submit("/mod/admin", "/mod/admin/supporters", &[("code", &code), ("name", "Kind Listener")]).await;
        assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.text);
        assert!(app.get("/modlog").await.text.contains("grant supporter"));

        // The supporter is away: members see nobody available, and can still ask.
        let member = app.client();
        assert!(member.get("/support").await.text.contains("No supporter is available right now"));
        helper.submit("/supporters", "/supporters/availability", &[("available", "true")]).await;
        assert!(member.get("/support").await.text.contains("1 supporter is available now"));
        let asked = member.submit("/support", "/support", &[("topic", "Losing my dad"), ("note", "It has been a month"), ("preferences", "someone who has lived with grief")]).await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.text);
        assert!(member.get("/support").await.text.contains("waiting for a supporter"));

        // The supporter sees it waiting and accepts.
        let board = helper.get("/supporters").await;
        assert!(board.text.contains("Losing my dad") && board.text.contains("someone who has lived with grief"));
        let accept = board.select_attr("ol.queue form", "action")[0].clone();
        let accepted = helper.submit("/supporters", &accept, &[]).await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER);
        let conversation = accepted.location().unwrap().to_owned();
        assert!(conversation.starts_with("/c/"));
        // The member is told on their next visit.
        assert_eq!(member.get("/").await.select_text("a.messages"), ["Messages (1)"]);

        // They talk.
        let sent = member.submit(&conversation, &format!("{conversation}/messages"), &[("body", "Thank you for taking this")]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        helper.submit(&conversation, &format!("{conversation}/messages"), &[("body", "I'm glad you reached out")]).await;
        let page = member.get(&conversation).await;
        assert_eq!(page.select_text("article .body"), ["Thank you for taking this", "I'm glad you reached out"]);
        assert!(page.text.contains("Kind Listener"));

        // Nobody else can read it: another member, a reader, a moderator before any report.
        let other = app.client();
        other.submit("/b/b/new", "/b/b/new", &[("title", "x"), ("body", "y")]).await;
        assert_eq!(other.get(&conversation).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&conversation).await.status, StatusCode::NOT_FOUND);
        let id = conversation.trim_start_matches("/c/").to_owned();
        assert_eq!(admin.get(&format!("/mod/conversations/{id}")).await.status, StatusCode::NOT_FOUND);
        let token = other.get("/support").await.csrf().unwrap();
        let intrude = other.post_form(&format!("{conversation}/messages"), &[("csrf", &token), ("body", "let me in")]).await;
        assert_eq!(intrude.status, StatusCode::NOT_FOUND);

        // A crisis message: help for the writer, an item in the crisis lane, and the
        // conversation opens to moderators.
        let crisis = member.submit(&conversation, &format!("{conversation}/messages"), &[("body", CRISIS)]).await;
        assert_eq!(crisis.location(), Some(format!("{conversation}/help").as_str()));
        assert!(member.get(&format!("{conversation}/help")).await.text.contains("not in trouble"));
        let queue = admin.get("/mod/queue").await;
        assert!(queue.select_text("ol.queue .lane").iter().any(|t| t.starts_with("Crisis")), "{}", queue.text);
        let read = admin.get(&format!("/mod/conversations/{id}")).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(read.text.contains("kill myself tonight"));
        let log = admin.get("/modlog").await;
        assert!(log.text.contains("escalate conversation") && log.text.contains("read conversation"));
        let item = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        let done = admin.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "support_offered")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);

        // A report also opens a conversation to moderators, with a log entry.
        let second = member.submit("/support", "/support", &[("topic", "Another talk")]).await;
        assert_eq!(second.status, StatusCode::SEE_OTHER);
        let board = helper.get("/supporters").await;
        let accept = board.select_attr("ol.queue form", "action")[0].clone();
        let other_conversation = helper.submit("/supporters", &accept, &[]).await.location().unwrap().to_owned();
        let other_id = other_conversation.trim_start_matches("/c/").to_owned();
        assert_eq!(admin.get(&format!("/mod/conversations/{other_id}")).await.status, StatusCode::NOT_FOUND);
        member.submit(&other_conversation, &format!("{other_conversation}/report"), &[("reason", "made me uncomfortable")]).await;
        assert_eq!(admin.get(&format!("/mod/conversations/{other_id}")).await.status, StatusCode::OK);
        assert!(app.get("/modlog").await.text.contains("report conversation"));

        // The member deletes the first conversation: its text is gone from the database.
        let deleted = member.submit(&conversation, &format!("{conversation}/delete"), &[]).await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert_eq!(member.get(&conversation).await.status, StatusCode::NOT_FOUND);
        let left = app.db(|c| {
            use diesel::prelude::*;
            use forum_core::schema::messages;
            messages::table.select(messages::body_markdown).load::<String>(c).unwrap()
        }).await;
        assert!(left.iter().all(|t| !t.contains("Thank you for taking this") && !t.contains("kill myself")), "{left:?}");

        // The supporter's posts carry their role and name everywhere.
        let sent = helper.submit("/b/b/new", "/b/b/new", &[("title", "A supporter's thread"), ("body", "hi")]).await;
        let page = helper.follow(&sent).await;
        assert_eq!(page.select_text("article .pseudonym"), ["Kind Listener"]);
        assert!(page.select_text("article .team").contains(&"Peer supporter".to_owned()));
        // Revoked, the supporters' page is gone.
        let supporter_id = code.trim_start_matches('S').split('-').next().unwrap().to_owned();
        admin.submit("/mod/admin", &format!("/mod/admin/supporters/{supporter_id}/revoke"), &[]).await;
        assert_eq!(helper.get("/supporters").await.status, StatusCode::NOT_FOUND);
    }
}

engine_tests! {
    async fn a_crisis_message_opens_a_crisis_item_like_a_post(engine) {
        let (url, received) = webhook_receiver().await;
        let config = WebhookConfig {
            urls: vec![url.clone()],
            escalation_urls: vec![url],
            escalate_after: Duration::from_secs(1),
            poll: Duration::from_millis(100),
            ..WebhookConfig::default()
        };
        let app = TestApp::builder().webhooks(config).build(engine).await;
        let (admin, helper, member, conversation) = conversation(&app).await;
        let id = conversation.trim_start_matches("/c/").to_owned();
        say(&member, &conversation, "Thanks for taking this, it has been a long week").await;
        say(&helper, &conversation, "I'm glad you came. What has been weighing on you?").await;
        let crisis = say(&member, &conversation, CRISIS).await;
        assert_eq!(crisis.location(), Some(format!("{conversation}/help").as_str()));

        // The webhooks hear of it at once and again when nobody has claimed it: a link to the
        // item's page, never the text or anything that identifies the member.
        let notices = wait_for(&received, 2).await;
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(notices[0]["event"], "crisis_item");
        assert_eq!(notices[1]["event"], "crisis_escalation");
        for notice in &notices {
            assert_eq!(notice["kind"], "conversation");
            assert_eq!(notice["lane"], "crisis");
            assert!(notice["tier"].as_str().is_some_and(|t| t != "none"), "{notice}");
            assert!(notice.get("text").is_none() && notice.get("board").is_none(), "{notice}");
            let raw = notice.to_string();
            assert!(!raw.contains("kill myself") && !raw.contains("long week") && !raw.contains(&conversation), "{raw}");
        }
        let item_url = notices[0]["item_url"].as_str().unwrap();
        let item_path = item_url[item_url.find("/mod/items/").expect("the item's page")..].to_owned();

        // The crisis lane: the matched message and the one before it, and nothing older.
        let queue = admin.get("/mod/queue").await;
        let lanes = queue.select_text("ol.queue .lane");
        assert_eq!(lanes.len(), 1, "{lanes:?}");
        assert!(lanes[0].starts_with("Crisis: "), "{lanes:?}");
        let entry = &queue.select_text("ol.queue > li")[0];
        assert!(entry.contains("kill myself tonight") && entry.contains("What has been weighing on you?"), "{entry}");
        assert!(entry.contains("The member wrote") && entry.contains("The supporter wrote before it"), "{entry}");
        assert!(!queue.text.contains("long week"), "older messages stay private");
        assert!(!queue.select_text("ol.queue > li:first-child mark").is_empty(), "matched phrases are highlighted");
        let item = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        assert_eq!(item_path, format!("/mod/items/{item}"));
        let page = admin.get(&item_path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("kill myself tonight") && !page.text.contains("long week"));
        assert!(page.select_attr("form", "action").iter().all(|a| !a.starts_with("/mod/posts/")), "no post actions");
        let stranger = app.get(&item_path).await;
        assert_ne!(stranger.status, StatusCode::OK, "moderators only");
        assert!(!stranger.text.contains("kill myself"));

        // Counted with the post items.
        assert!(admin.get("/metrics").await.text.contains("forum_crisis_items_open 1\n"));
        assert_eq!(admin.get("/mod").await.select_text("dl.figures dd")[0], "1");

        // The whole conversation only once a moderator opens it, and that is logged.
        assert!(!app.get("/modlog").await.text.contains("read conversation"));
        let read = admin.get(&format!("/mod/conversations/{id}")).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(read.text.contains("long week") && read.text.contains("weighing on you") && read.text.contains("kill myself"));
        let log = app.get("/modlog").await;
        assert!(log.text.contains("escalate conversation") && log.text.contains("read conversation"));

        // Claimed and resolved like a post item; the resolution is logged and counted.
        let claimed = admin.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "claim")]).await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER);
        assert!(admin.get("/mod/queue").await.select_text("ol.queue > li")[0].contains("claimed by river"));
        let done = admin.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "support_offered")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert!(admin.get("/mod/queue").await.text.contains("Nothing is waiting"));
        assert!(app.get("/modlog").await.text.contains("support offered"));
        let metrics = admin.get("/metrics").await.text;
        assert!(metrics.contains("forum_crisis_items_open 0\n"), "{metrics}");
        assert!(metrics.contains("forum_crisis_first_action_seconds{window=\"7d\",quantile=\"0.5\"}"), "{metrics}");
        let again = admin.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "false_alarm")]).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "a resolved item is refused, not a server error");
        let resolved = admin.get(&item_path).await;
        assert!(resolved.text.contains("Resolved") && resolved.select_attr("form", "action").iter().all(|a| !a.starts_with("/mod/items/")));
    }

    async fn webhooks_carry_a_message_only_when_the_operator_asks(engine) {
        let (url, received) = webhook_receiver().await;
        let config = WebhookConfig {
            urls: vec![url],
            include_text: true,
            poll: Duration::from_millis(100),
            ..WebhookConfig::default()
        };
        let app = TestApp::builder().webhooks(config).build(engine).await;
        let (_, _, member, conversation) = conversation(&app).await;
        say(&member, &conversation, CRISIS).await;
        let notices = wait_for(&received, 1).await;
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0]["kind"], "conversation");
        assert_eq!(notices[0]["text"], CRISIS, "FORUM_WEBHOOK_INCLUDE_TEXT=on");
    }

    async fn an_ordinary_message_opens_no_item(engine) {
        let app = TestApp::new(engine).await;
        let (admin, helper, member, conversation) = conversation(&app).await;
        let id = conversation.trim_start_matches("/c/").to_owned();
        let sent = say(&member, &conversation, "This exam is killing me, I'd die for a coffee right now.").await;
        assert_eq!(sent.location(), Some(conversation.as_str()), "no help page");
        say(&helper, &conversation, "Ha, good luck with it. How did the studying go?").await;
        assert!(admin.get("/mod/queue").await.text.contains("Nothing is waiting"));
        assert!(conversation_items(&app).await.is_empty());
        assert!(admin.get("/metrics").await.text.contains("forum_crisis_items_open 0\n"));
        assert_eq!(admin.get(&format!("/mod/conversations/{id}")).await.status, StatusCode::NOT_FOUND, "still private");
        assert!(!app.get("/modlog").await.text.contains("conversation"));
    }

    async fn an_erased_conversation_keeps_its_item_without_its_text(engine) {
        let app = TestApp::new(engine).await;
        let (admin, helper, member, conversation) = conversation(&app).await;
        say(&helper, &conversation, "How are you feeling tonight?").await;
        say(&member, &conversation, CRISIS).await;
        let items = conversation_items(&app).await;
        assert_eq!(items.len(), 1);
        assert!(!items[0].0.is_empty() && items[0].1.is_some() && items[0].2.is_some(), "{items:?}");

        // "Erase everything" erases the phrases the item kept of the member's message.
        let erased = member.submit("/me/erase", "/me/erase", &[]).await;
        assert_eq!(erased.status, StatusCode::SEE_OTHER);
        assert_eq!(conversation_items(&app).await[0].0, "");

        // The member deletes the conversation: the item stays, with nothing of it.
        let deleted = member.submit(&conversation, &format!("{conversation}/delete"), &[]).await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert_eq!(conversation_items(&app).await, [(String::new(), None, None)]);
        let queue = admin.get("/mod/queue").await;
        let entries = queue.select_text("ol.queue > li");
        assert_eq!(entries.len(), 1);
        assert!(entries[0].contains("Conversation deleted by the member") && entries[0].starts_with("Crisis"), "{}", entries[0]);
        assert!(!queue.text.contains("kill myself") && !queue.text.contains("feeling tonight"));
        let item = queue.select_attr("ol.queue article", "id")[0].trim_start_matches("item").to_owned();
        let done = admin.submit("/mod/queue", &format!("/mod/items/{item}"), &[("action", "false_alarm")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert!(app.get("/modlog").await.text.contains(&format!("queue item {item}")));

        // The retention purge erases a conversation whose time is up: its item stays too.
        let second = accepted(&helper, &member, "Another talk").await;
        say(&member, &second, CRISIS).await;
        let purged = app
            .db(|c| {
                let later = forum_core::db::now() + chrono::Duration::days(60);
                forum_core::retention::purge(c, later, forum_core::retention::Retention::default()).unwrap()
            })
            .await;
        assert!(purged.messages >= 1, "{purged:?}");
        assert_eq!(conversation_items(&app).await, [(String::new(), None, None), (String::new(), None, None)]);
        // (The purge, 60 days on, also ended the moderator's session.)
        let queue = app.moderator_client("sky", false).await.get("/mod/queue").await;
        assert_eq!(queue.select_text("ol.queue > li").len(), 1);
        assert!(queue.text.contains("Conversation deleted by the member") && !queue.text.contains("kill myself"));
    }
}

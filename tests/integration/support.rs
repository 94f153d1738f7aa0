use axum::http::StatusCode;
use forum_tests::{TestApp, engine_tests};

/// Written for these tests: a plan and a time.
const CRISIS: &str = "I cant do this anymore, I am going to kill myself tonight.";

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

        // A crisis message: help for the writer, and the conversation opens to moderators.
        let crisis = member.submit(&conversation, &format!("{conversation}/messages"), &[("body", CRISIS)]).await;
        assert_eq!(crisis.location(), Some(format!("{conversation}/help").as_str()));
        assert!(member.get(&format!("{conversation}/help")).await.text.contains("not in trouble"));
        let queue = admin.get("/mod/queue").await;
        assert!(queue.text.contains("Private conversations opened to moderators"));
        assert!(queue.select_text("ol.queue, ul.queue").iter().any(|t| t.contains("Crisis")), "{}", queue.text);
        let read = admin.get(&format!("/mod/conversations/{id}")).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(read.text.contains("kill myself tonight"));
        let log = admin.get("/modlog").await;
        assert!(log.text.contains("escalate conversation") && log.text.contains("read conversation"));
        admin.submit(&format!("/mod/conversations/{id}"), &format!("/mod/conversations/{id}/resolve"), &[("reason", "reached out")]).await;

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

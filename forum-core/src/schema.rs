//! The tables, written once for both engines (the two migration trees keep them in step).

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    boards (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
        moderation_mode -> Text,
        hold_crisis_posts -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    posters (id) {
        id -> Integer,
        key_hash -> Text,
        created_at -> Timestamp,
        network_hash -> Text,
        pending_warning -> Nullable<Text>,
    }
}

diesel::table! {
    threads (id) {
        id -> Integer,
        board_id -> Integer,
        poster_id -> Integer,
        title -> Text,
        content_warning -> Nullable<Text>,
        locked -> Bool,
        pinned -> Bool,
        visible -> Bool,
        crisis_mode -> Bool,
        reply_count -> Integer,
        created_at -> Timestamp,
        last_activity_at -> Timestamp,
    }
}

diesel::table! {
    thread_posters (thread_id, poster_id) {
        thread_id -> Integer,
        poster_id -> Integer,
        pseudonym -> Text,
    }
}

diesel::table! {
    posts (id) {
        id -> Integer,
        thread_id -> Integer,
        poster_id -> Integer,
        pseudonym -> Text,
        author_role -> Text,
        content_warning -> Nullable<Text>,
        body_markdown -> Text,
        body_html -> Text,
        status -> Text,
        crisis_tier -> Text,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    moderators (id) {
        id -> Integer,
        name -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mod_sessions (token_hash) {
        token_hash -> Text,
        moderator_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    queue_items (id) {
        id -> Integer,
        post_id -> Nullable<Integer>,
        board_id -> Nullable<Integer>,
        lane -> Integer,
        crisis_tier -> Text,
        crisis_matches -> Text,
        flagged_by -> Nullable<Text>,
        report_count -> Integer,
        opened_at -> Timestamp,
        claimed_by -> Nullable<Integer>,
        claimed_at -> Nullable<Timestamp>,
        first_action_at -> Nullable<Timestamp>,
        notified_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Integer>,
        resolution -> Nullable<Text>,
        kind -> Text,
        conversation_id -> Nullable<Integer>,
        message_id -> Nullable<Integer>,
    }
}

diesel::table! {
    queue_notes (id) {
        id -> Integer,
        queue_item_id -> Integer,
        moderator_id -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> Integer,
        post_id -> Integer,
        queue_item_id -> Integer,
        reason -> Text,
        note -> Text,
        reporter_hash -> Text,
        post_snapshot -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bans (id) {
        id -> Integer,
        poster_id -> Integer,
        moderator_id -> Integer,
        network_hash -> Text,
        reason -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        lifted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mod_log (id) {
        id -> Integer,
        moderator_id -> Nullable<Integer>,
        action -> Text,
        target_kind -> Text,
        target_id -> Integer,
        board_id -> Nullable<Integer>,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    word_rules (id) {
        id -> Integer,
        pattern -> Text,
        is_regex -> Bool,
        action -> Text,
        message -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    supporters (poster_id) {
        poster_id -> Integer,
        public_name -> Nullable<Text>,
        available -> Bool,
        granted_by -> Nullable<Integer>,
        granted_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    support_requests (id) {
        id -> Integer,
        poster_id -> Integer,
        topic -> Text,
        note -> Text,
        preferences -> Text,
        crisis_tier -> Text,
        status -> Text,
        created_at -> Timestamp,
        accepted_by -> Nullable<Integer>,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conversations (id) {
        id -> Integer,
        request_id -> Integer,
        member_id -> Integer,
        supporter_id -> Integer,
        status -> Text,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        member_read_at -> Nullable<Timestamp>,
        supporter_read_at -> Nullable<Timestamp>,
        opened_to_moderators -> Bool,
        flag -> Nullable<Text>,
        flag_tier -> Text,
        flagged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> Integer,
        conversation_id -> Integer,
        sender_id -> Integer,
        body_markdown -> Text,
        body_html -> Text,
        crisis_tier -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(threads -> boards (board_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(queue_items -> posts (post_id));
diesel::joinable!(posts -> threads (thread_id));
diesel::joinable!(reports -> queue_items (queue_item_id));
diesel::joinable!(mod_sessions -> moderators (moderator_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    boards,
    posters,
    threads,
    thread_posters,
    posts,
    moderators,
    mod_sessions,
    queue_items,
    queue_notes,
    reports,
    bans,
    mod_log,
    word_rules,
    supporters,
    support_requests,
    conversations,
    messages,
);

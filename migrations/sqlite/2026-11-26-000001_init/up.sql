-- Settings shared by every web process: server secrets and the like.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Support groups.
CREATE TABLE boards (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    -- open | first_posts_held | all_posts_held
    moderation_mode TEXT NOT NULL DEFAULT 'open',
    -- hold posts in which someone may be at risk for review before they are published
    hold_crisis_posts BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

-- Pseudonymous identities: only a keyed hash of the member's secret key.
CREATE TABLE posters (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    -- keyed hash of the network the member last posted from (never the address itself),
    -- so that a ban can slow down new identities from the same network
    network_hash TEXT NOT NULL DEFAULT '',
    -- a moderator's warning, shown on the member's next visit
    pending_warning TEXT
);

CREATE TABLE threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    board_id INTEGER NOT NULL REFERENCES boards(id),
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    title TEXT NOT NULL,
    content_warning TEXT,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    -- false while the opening post waits for a moderator or has been taken down
    visible BOOLEAN NOT NULL DEFAULT TRUE,
    -- crisis mode: only moderators and the thread's writer reply; help shown at the top
    crisis_mode BOOLEAN NOT NULL DEFAULT FALSE,
    -- visible posts other than the opening one
    reply_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    last_activity_at TIMESTAMP NOT NULL
);
CREATE INDEX threads_board_listing ON threads (board_id, pinned, last_activity_at, id);

-- A member's name inside one thread; unique per thread.
CREATE TABLE thread_posters (
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    pseudonym TEXT NOT NULL,
    PRIMARY KEY (thread_id, poster_id),
    UNIQUE (thread_id, pseudonym)
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    pseudonym TEXT NOT NULL,
    -- member | team (written by the moderation team)
    author_role TEXT NOT NULL DEFAULT 'member',
    content_warning TEXT,
    body_markdown TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- visible | held | hidden | removed | deleted
    status TEXT NOT NULL DEFAULT 'visible',
    -- none | concern | third_party | self_harm | ideation | imminent
    crisis_tier TEXT NOT NULL DEFAULT 'none',
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE INDEX posts_thread ON posts (thread_id, id);
CREATE INDEX posts_poster ON posts (poster_id, id);
CREATE INDEX posts_poster_status ON posts (poster_id, status);

CREATE TABLE moderators (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE mod_sessions (
    -- keyed hash of the session token held in the moderator's cookie
    token_hash TEXT PRIMARY KEY NOT NULL,
    moderator_id INTEGER NOT NULL REFERENCES moderators(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- One item a moderator looks at: a post that was reported, held, flagged or escalated.
-- A post has at most one open item at a time.
CREATE TABLE queue_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id INTEGER NOT NULL REFERENCES posts(id),
    board_id INTEGER NOT NULL REFERENCES boards(id),
    -- 2: the crisis detector found someone at risk; 1: reported as "someone may be at risk"; 0: other
    lane INTEGER NOT NULL DEFAULT 0,
    crisis_tier TEXT NOT NULL DEFAULT 'none',
    -- matched phrases, one per line
    crisis_matches TEXT NOT NULL DEFAULT '',
    -- the word rule that flagged or held the post, if any
    flagged_by TEXT,
    report_count INTEGER NOT NULL DEFAULT 0,
    opened_at TIMESTAMP NOT NULL,
    claimed_by INTEGER REFERENCES moderators(id),
    claimed_at TIMESTAMP,
    first_action_at TIMESTAMP,
    -- when the crisis webhooks were called, and when the unclaimed item was escalated
    notified_at TIMESTAMP,
    escalated_at TIMESTAMP,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES moderators(id),
    resolution TEXT
);
CREATE INDEX queue_items_open ON queue_items (resolved_at, lane, report_count, opened_at);
CREATE INDEX queue_items_post ON queue_items (post_id);

-- Moderators' private notes on a queue item.
CREATE TABLE queue_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    queue_item_id INTEGER NOT NULL REFERENCES queue_items(id),
    moderator_id INTEGER NOT NULL REFERENCES moderators(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX queue_notes_item ON queue_notes (queue_item_id, id);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id INTEGER NOT NULL REFERENCES posts(id),
    queue_item_id INTEGER NOT NULL REFERENCES queue_items(id),
    -- at_risk | harassment | spam | graphic_self_harm | misinformation | other
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- keyed hash of the reporter's network, for abuse control only
    reporter_hash TEXT NOT NULL,
    -- the post as it was when reported
    post_snapshot TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_item ON reports (queue_item_id);
CREATE INDEX reports_post ON reports (post_id);

CREATE TABLE bans (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    moderator_id INTEGER NOT NULL REFERENCES moderators(id),
    -- keyed hash of the poster's last network: new identities from it are slowed down
    network_hash TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- NULL: permanent
    expires_at TIMESTAMP,
    lifted_at TIMESTAMP
);
CREATE INDEX bans_poster ON bans (poster_id);
CREATE INDEX bans_network ON bans (network_hash);

-- Append-only record of every moderator action.
CREATE TABLE mod_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    moderator_id INTEGER REFERENCES moderators(id),
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    board_id INTEGER REFERENCES boards(id),
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mod_log_recent ON mod_log (created_at, id);

-- Words, phrases or patterns with what to do when a post contains them.
CREATE TABLE word_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    pattern TEXT NOT NULL,
    is_regex BOOLEAN NOT NULL DEFAULT FALSE,
    -- block | hold | flag | replace
    action TEXT NOT NULL,
    -- block: the message shown to the writer; replace: the replacement text
    message TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

-- Trained peer supporters: a role given by admins to a member identity.
CREATE TABLE supporters (
    poster_id INTEGER PRIMARY KEY NOT NULL REFERENCES posters(id),
    -- one public name, the same everywhere, if the supporter chose one
    public_name TEXT UNIQUE,
    available BOOLEAN NOT NULL DEFAULT FALSE,
    granted_by INTEGER REFERENCES moderators(id),
    granted_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- A member asking for one-on-one support.
CREATE TABLE support_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    topic TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    preferences TEXT NOT NULL DEFAULT '',
    crisis_tier TEXT NOT NULL DEFAULT 'none',
    -- waiting | accepted | withdrawn
    status TEXT NOT NULL DEFAULT 'waiting',
    created_at TIMESTAMP NOT NULL,
    accepted_by INTEGER REFERENCES posters(id),
    accepted_at TIMESTAMP
);
CREATE INDEX support_requests_waiting ON support_requests (status, created_at);

-- A private conversation between one member and one supporter.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    request_id INTEGER NOT NULL REFERENCES support_requests(id),
    member_id INTEGER NOT NULL REFERENCES posters(id),
    supporter_id INTEGER NOT NULL REFERENCES posters(id),
    -- open | ended
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    -- erased after this (moved on by every message)
    expires_at TIMESTAMP NOT NULL,
    member_read_at TIMESTAMP,
    supporter_read_at TIMESTAMP,
    -- moderators may read it only once it was reported or escalated
    opened_to_moderators BOOLEAN NOT NULL DEFAULT FALSE,
    -- why moderators should look (crisis tier or report), until they resolve it
    flag TEXT,
    flag_tier TEXT NOT NULL DEFAULT 'none',
    flagged_at TIMESTAMP
);
CREATE INDEX conversations_member ON conversations (member_id);
CREATE INDEX conversations_supporter ON conversations (supporter_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    sender_id INTEGER NOT NULL REFERENCES posters(id),
    body_markdown TEXT NOT NULL,
    body_html TEXT NOT NULL,
    crisis_tier TEXT NOT NULL DEFAULT 'none',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- Settings shared by every web process: server secrets and the like.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Support groups.
CREATE TABLE boards (
    id SERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    -- open | first_posts_held | all_posts_held
    moderation_mode TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL
);

-- Pseudonymous identities: only a keyed hash of the member's secret key.
CREATE TABLE posters (
    id SERIAL PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE threads (
    id SERIAL PRIMARY KEY,
    board_id INTEGER NOT NULL REFERENCES boards(id),
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    title TEXT NOT NULL,
    content_warning TEXT,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    -- false while the opening post waits for a moderator or has been taken down
    visible BOOLEAN NOT NULL DEFAULT TRUE,
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
    id SERIAL PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads(id),
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    pseudonym TEXT NOT NULL,
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

CREATE TABLE moderators (
    id SERIAL PRIMARY KEY,
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

CREATE TABLE reports (
    id SERIAL PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id),
    -- at_risk | harassment | spam | graphic_self_harm | misinformation | other
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- keyed hash of the reporter's network, for abuse control only
    reporter_hash TEXT NOT NULL,
    -- the post as it was when reported
    post_snapshot TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES moderators(id)
);
CREATE INDEX reports_post ON reports (post_id);
CREATE INDEX reports_open ON reports (resolved_at, created_at);

CREATE TABLE bans (
    id SERIAL PRIMARY KEY,
    poster_id INTEGER NOT NULL REFERENCES posters(id),
    moderator_id INTEGER NOT NULL REFERENCES moderators(id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- NULL: permanent
    expires_at TIMESTAMP,
    lifted_at TIMESTAMP
);
CREATE INDEX bans_poster ON bans (poster_id);

-- Append-only record of every moderator action.
CREATE TABLE mod_log (
    id SERIAL PRIMARY KEY,
    moderator_id INTEGER REFERENCES moderators(id),
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mod_log_recent ON mod_log (created_at, id);

-- A queue item is about a post (in a board) or about a message in a private conversation.
-- SQLite can neither drop NOT NULL nor add a CHECK in place, so the table is rebuilt, with
-- foreign keys off while it is (see metadata.toml).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE queue_items_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    -- kind = 'post': the post and its board
    post_id INTEGER REFERENCES posts(id),
    board_id INTEGER REFERENCES boards(id),
    -- 2: the crisis detector found someone at risk; 1: reported as "someone may be at risk"; 0: other
    lane INTEGER NOT NULL DEFAULT 0,
    crisis_tier TEXT NOT NULL DEFAULT 'none',
    -- matched phrases, one per line (erased with a conversation's messages)
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
    resolution TEXT,
    -- post | conversation
    kind TEXT NOT NULL DEFAULT 'post',
    -- kind = 'conversation': the message that tripped the crisis detector; both become NULL
    -- when the conversation is deleted by the member or erased after its retention period
    conversation_id INTEGER REFERENCES conversations(id),
    message_id INTEGER REFERENCES messages(id),
    CONSTRAINT queue_items_subject CHECK (
        (kind = 'post' AND post_id IS NOT NULL AND board_id IS NOT NULL
            AND conversation_id IS NULL AND message_id IS NULL)
        OR (kind = 'conversation' AND post_id IS NULL AND board_id IS NULL
            AND (conversation_id IS NULL) = (message_id IS NULL))
    )
);

INSERT INTO queue_items_new (
    id, post_id, board_id, lane, crisis_tier, crisis_matches, flagged_by, report_count, opened_at,
    claimed_by, claimed_at, first_action_at, notified_at, escalated_at, resolved_at, resolved_by,
    resolution
)
SELECT
    id, post_id, board_id, lane, crisis_tier, crisis_matches, flagged_by, report_count, opened_at,
    claimed_by, claimed_at, first_action_at, notified_at, escalated_at, resolved_at, resolved_by,
    resolution
FROM queue_items;

-- Ids are never given out twice, even those of rows that no longer exist.
DELETE FROM sqlite_sequence WHERE name = 'queue_items_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'queue_items_new', seq FROM sqlite_sequence WHERE name = 'queue_items';

DROP TABLE queue_items;
ALTER TABLE queue_items_new RENAME TO queue_items;
CREATE INDEX queue_items_open ON queue_items (resolved_at, lane, report_count, opened_at);
CREATE INDEX queue_items_post ON queue_items (post_id);
CREATE INDEX queue_items_conversation ON queue_items (conversation_id);

COMMIT;
PRAGMA foreign_keys = ON;

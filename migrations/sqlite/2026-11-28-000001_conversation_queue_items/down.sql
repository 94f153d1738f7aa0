-- Conversation items (and their notes) cannot be kept: queue_items is about posts only again.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

DELETE FROM queue_notes
    WHERE queue_item_id IN (SELECT id FROM queue_items WHERE kind = 'conversation');
DELETE FROM queue_items WHERE kind = 'conversation';

CREATE TABLE queue_items_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id INTEGER NOT NULL REFERENCES posts(id),
    board_id INTEGER NOT NULL REFERENCES boards(id),
    lane INTEGER NOT NULL DEFAULT 0,
    crisis_tier TEXT NOT NULL DEFAULT 'none',
    crisis_matches TEXT NOT NULL DEFAULT '',
    flagged_by TEXT,
    report_count INTEGER NOT NULL DEFAULT 0,
    opened_at TIMESTAMP NOT NULL,
    claimed_by INTEGER REFERENCES moderators(id),
    claimed_at TIMESTAMP,
    first_action_at TIMESTAMP,
    notified_at TIMESTAMP,
    escalated_at TIMESTAMP,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES moderators(id),
    resolution TEXT
);

INSERT INTO queue_items_old
SELECT
    id, post_id, board_id, lane, crisis_tier, crisis_matches, flagged_by, report_count, opened_at,
    claimed_by, claimed_at, first_action_at, notified_at, escalated_at, resolved_at, resolved_by,
    resolution
FROM queue_items;

DELETE FROM sqlite_sequence WHERE name = 'queue_items_old';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'queue_items_old', seq FROM sqlite_sequence WHERE name = 'queue_items';

DROP TABLE queue_items;
ALTER TABLE queue_items_old RENAME TO queue_items;
CREATE INDEX queue_items_open ON queue_items (resolved_at, lane, report_count, opened_at);
CREATE INDEX queue_items_post ON queue_items (post_id);

COMMIT;
PRAGMA foreign_keys = ON;

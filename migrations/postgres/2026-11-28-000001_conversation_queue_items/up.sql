-- A queue item is about a post (in a board) or about a message in a private conversation.
ALTER TABLE queue_items
    ALTER COLUMN post_id DROP NOT NULL,
    ALTER COLUMN board_id DROP NOT NULL,
    -- post | conversation
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'post',
    -- kind = 'conversation': the message that tripped the crisis detector; both become NULL
    -- when the conversation is deleted by the member or erased after its retention period
    ADD COLUMN conversation_id INTEGER REFERENCES conversations(id),
    ADD COLUMN message_id INTEGER REFERENCES messages(id),
    ADD CONSTRAINT queue_items_subject CHECK (
        (kind = 'post' AND post_id IS NOT NULL AND board_id IS NOT NULL
            AND conversation_id IS NULL AND message_id IS NULL)
        OR (kind = 'conversation' AND post_id IS NULL AND board_id IS NULL
            AND (conversation_id IS NULL) = (message_id IS NULL))
    );
CREATE INDEX queue_items_conversation ON queue_items (conversation_id);

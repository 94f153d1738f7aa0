-- Conversation items (and their notes) cannot be kept: queue_items is about posts only again.
DELETE FROM queue_notes
    WHERE queue_item_id IN (SELECT id FROM queue_items WHERE kind = 'conversation');
DELETE FROM queue_items WHERE kind = 'conversation';
DROP INDEX queue_items_conversation;
ALTER TABLE queue_items
    DROP CONSTRAINT queue_items_subject,
    DROP COLUMN message_id,
    DROP COLUMN conversation_id,
    DROP COLUMN kind,
    ALTER COLUMN post_id SET NOT NULL,
    ALTER COLUMN board_id SET NOT NULL;

-- +goose Up
-- A dispatcher's claim on a message names the dispatcher, so it can keep the claim alive while a
-- slow server takes its time and never sends a message another dispatcher has taken over.
-- handed_at is when the message was last handed to the server without a known outcome: if the
-- process dies before recording the answer, the next attempt knows the server may already have it.
ALTER TABLE email_outbox ADD COLUMN claimed_by uuid;
ALTER TABLE email_outbox ADD COLUMN handed_at timestamptz;

-- +goose Down
ALTER TABLE email_outbox DROP COLUMN handed_at;
ALTER TABLE email_outbox DROP COLUMN claimed_by;

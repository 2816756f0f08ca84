-- +goose Up
-- Which workflow an operator read or wrote payloads of through the codec server (the Temporal UI
-- and CLI), as the caller named it; empty for every other audit record.
ALTER TABLE audit_log ADD COLUMN workflow_id text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN workflow_id;

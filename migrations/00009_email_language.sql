-- +goose Up
-- The language each email was written in ('en', 'pl'), beside its template and version, so the
-- record of what a parent received says which translation they read. Mail queued before this
-- migration was all English.
ALTER TABLE email_outbox ADD COLUMN language text NOT NULL DEFAULT 'en';

-- +goose Down
ALTER TABLE email_outbox DROP COLUMN language;

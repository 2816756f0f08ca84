-- +goose Up
-- Which pupil an email was about, so the SENDCo can see, per pupil, every message sendflow sent
-- and whether it arrived (queued, sent, or failed with the mail server's reply). Sign-in links
-- are about no one pupil and stay NULL, as does mail queued before this migration.
ALTER TABLE email_outbox ADD COLUMN pupil_id uuid REFERENCES pupils(id);
CREATE INDEX email_outbox_pupil ON email_outbox (pupil_id, created_at DESC) WHERE pupil_id IS NOT NULL;

-- +goose Down
DROP INDEX email_outbox_pupil;
ALTER TABLE email_outbox DROP COLUMN pupil_id;

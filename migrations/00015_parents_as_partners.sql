-- +goose Up
-- Parents as partners (issue 15).

-- How families reach the school: shown on the parents' pages (tappable on a phone), quoted at
-- the foot of their emails, used as the Reply-To of every email about a pupil and as the
-- organiser of meeting invitations. Empty until the school sets it.
ALTER TABLE schools
    ADD COLUMN contact_name  text NOT NULL DEFAULT '',
    ADD COLUMN contact_email text NOT NULL DEFAULT '',
    ADD COLUMN contact_phone text NOT NULL DEFAULT '';

-- Each email records the sender's name it went out under (the school's) and where replies go,
-- beside its template, version and language.
ALTER TABLE email_outbox
    ADD COLUMN from_name text NOT NULL DEFAULT '',
    ADD COLUMN reply_to  text NOT NULL DEFAULT '';

-- Consent wording in other languages, from the agency directory: [{language, version,
-- translates, wording}], each translating the service's current English version.
ALTER TABLE agency_services ADD COLUMN consent_translations jsonb NOT NULL DEFAULT '[]';

-- Which language's wording a parent answered, and that wording's own version. wording_id stays
-- the service's (English) consent version, which the referral's workflow holds. Answers given
-- before this migration were all to the English wording.
ALTER TABLE consent_records
    ADD COLUMN wording_language text NOT NULL DEFAULT 'en',
    ADD COLUMN wording_version  text;
UPDATE consent_records SET wording_version = wording_id;
ALTER TABLE consent_records ALTER COLUMN wording_version SET NOT NULL;

-- Who did what, for the timeline: the id of the person whose action an event records (a parent
-- giving views, say); the reader looks up the name. No foreign key: nothing in a projection's
-- own data may make it fail.
ALTER TABLE pathway_events ADD COLUMN actor_id uuid;

-- +goose Down
ALTER TABLE pathway_events DROP COLUMN actor_id;
ALTER TABLE consent_records DROP COLUMN wording_version, DROP COLUMN wording_language;
ALTER TABLE agency_services DROP COLUMN consent_translations;
ALTER TABLE email_outbox DROP COLUMN reply_to, DROP COLUMN from_name;
ALTER TABLE schools DROP COLUMN contact_phone, DROP COLUMN contact_email, DROP COLUMN contact_name;

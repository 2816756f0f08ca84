-- +goose Up
-- The local authority an EHC request went to. An LA officer reaches a pupil while their
-- authority assesses the request or maintains the plan it led to; keeping the authority on the
-- request means a pupil who moves school stays with the council that holds the plan.
ALTER TABLE ehc_requests ADD COLUMN la_code text;
UPDATE ehc_requests r SET la_code = s.la_code FROM pupils p JOIN schools s ON s.id = p.school_id WHERE p.id = r.pupil_id;
ALTER TABLE ehc_requests ALTER COLUMN la_code SET NOT NULL;

-- A UPN is unique within a school's roll, not across sendflow: a pupil joining from another
-- school is added like any new pupil, so the answer tells the new school nothing of another's
-- records (moving the SEND record with the pupil is a transfer both schools agree to).
ALTER TABLE pupils DROP CONSTRAINT pupils_upn_key;
ALTER TABLE pupils ADD CONSTRAINT pupils_school_upn_key UNIQUE (school_id, upn);
CREATE INDEX pupils_upn ON pupils (upn);

-- Parents' requests for a sign-in link, queued as they are asked: the API writes one row for
-- every address, known or not, and answers, so the answer's timing tells nobody who is a parent.
-- The worker makes a link for a parent's address and deletes every row it has dealt with.
CREATE TABLE sign_in_requests (
    id             bigserial PRIMARY KEY,
    address        text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    claimed_until  timestamptz
);

-- +goose Down
DROP TABLE sign_in_requests;
DROP INDEX pupils_upn;
ALTER TABLE pupils DROP CONSTRAINT pupils_school_upn_key;
ALTER TABLE pupils ADD CONSTRAINT pupils_upn_key UNIQUE (upn);
ALTER TABLE ehc_requests DROP COLUMN la_code;

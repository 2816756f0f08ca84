-- +goose Up
-- The local authority an EHC request went to. An LA officer reaches a pupil while their
-- authority assesses the request or maintains the plan it led to; keeping the authority on the
-- request means a pupil who moves school stays with the council that holds the plan.
ALTER TABLE ehc_requests ADD COLUMN la_code text;
UPDATE ehc_requests r SET la_code = s.la_code FROM pupils p JOIN schools s ON s.id = p.school_id WHERE p.id = r.pupil_id;
ALTER TABLE ehc_requests ALTER COLUMN la_code SET NOT NULL;

-- +goose Down
ALTER TABLE ehc_requests DROP COLUMN la_code;

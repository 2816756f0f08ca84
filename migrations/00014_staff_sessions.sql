-- +goose Up
-- Staff sessions on the pages (alexedwards/scs, pgxstore's layout). The token column holds a
-- SHA-256 of the cookie's token, never the token itself, so a copy of the database signs nobody
-- in. Expired rows are deleted by the API every few minutes.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
